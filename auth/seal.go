package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SecretKeyLen is the length of a sealing key in bytes (AES-256).
const SecretKeyLen = 32

// sealVersion starts every sealed string, so the format can change later.
const sealVersion = "v1"

// maxKeyIDLen bounds key ids; they are stored next to every sealed secret.
const maxKeyIDLen = 64

var (
	// ErrSealBroken reports a sealed secret that cannot be opened: it is
	// malformed, names an unknown key, was sealed under another key or
	// another associated data, or was altered.
	ErrSealBroken = errors.New("sealed secret cannot be opened")
	// ErrInvalidKey reports a sealing key or key id that is malformed.
	ErrInvalidKey = errors.New("invalid secret key")
)

// Sealer encrypts stored secrets (Azure DevOps personal access tokens, OAuth
// client secrets, refresh tokens) with AES-256-GCM. Every sealed secret names
// the id of its key, so keys can be rotated: new secrets are sealed under the
// current key while secrets sealed under older keys still open.
type Sealer struct {
	aeads   map[string]cipher.AEAD
	current string
}

// NewSealer returns a Sealer holding keys by id that seals under the key
// with id current. Each key must be SecretKeyLen bytes; ids may hold ASCII
// letters, digits, '_', '-' and '.'.
func NewSealer(keys map[string][]byte, current string) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("auth: new sealer: %w: no keys", ErrInvalidKey)
	}
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("auth: new sealer: %w: current key id %q is not among the keys", ErrInvalidKey, current)
	}
	s := &Sealer{aeads: make(map[string]cipher.AEAD, len(keys)), current: current}
	for id, key := range keys {
		if err := validKeyID(id); err != nil {
			return nil, fmt.Errorf("auth: new sealer: %w", err)
		}
		if len(key) != SecretKeyLen {
			return nil, fmt.Errorf("auth: new sealer: %w: key %q is %d bytes, want %d", ErrInvalidKey, id, len(key), SecretKeyLen)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("auth: new sealer: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("auth: new sealer: key %q: %w", id, err)
		}
		s.aeads[id] = aead
	}
	return s, nil
}

func validKeyID(id string) error {
	if id == "" || len(id) > maxKeyIDLen {
		return fmt.Errorf("%w: key id %q must be 1 to %d characters", ErrInvalidKey, id, maxKeyIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isTokenChar(id[i]) && id[i] != '.' {
			return fmt.Errorf("%w: key id %q may only hold letters, digits, '_', '-' and '.'", ErrInvalidKey, id)
		}
	}
	return nil
}

// CurrentKeyID returns the id of the key new secrets are sealed under.
func (s *Sealer) CurrentKeyID() string { return s.current }

// Seal encrypts plaintext under the current key and returns
// "v1:<keyid>:<base64url(nonce|ciphertext)>". The aad (associated data) is
// authenticated but not stored; pass something that names the secret's
// owner, such as "connection:42:pat", so a sealed value copied to another
// row will not open there.
func (s *Sealer) Seal(plaintext []byte, aad []byte) (string, error) {
	aead := s.aeads[s.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("auth: seal: %w", err)
	}
	out := aead.Seal(nonce, nonce, plaintext, s.fullAAD(s.current, aad))
	return sealVersion + ":" + s.current + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a string made by Seal with the same aad, under whichever of
// the Sealer's keys it names. Any failure wraps ErrSealBroken.
func (s *Sealer) Open(sealed string, aad []byte) ([]byte, error) {
	id, aead, data, err := s.parse(sealed)
	if err != nil {
		return nil, fmt.Errorf("auth: open sealed secret: %w", err)
	}
	ns := aead.NonceSize()
	if len(data) < ns+aead.Overhead() {
		return nil, fmt.Errorf("auth: open sealed secret: %w: too short", ErrSealBroken)
	}
	plain, err := aead.Open(nil, data[:ns], data[ns:], s.fullAAD(id, aad))
	if err != nil {
		return nil, fmt.Errorf("auth: open sealed secret: %w: wrong key, wrong associated data or altered", ErrSealBroken)
	}
	return plain, nil
}

// NeedsReseal reports whether sealed was made under a key other than the
// current one (or cannot be parsed), so a key rotation job can re-seal it.
func (s *Sealer) NeedsReseal(sealed string) bool {
	id, _, _, err := s.parse(sealed)
	return err != nil || id != s.current
}

func (s *Sealer) parse(sealed string) (string, cipher.AEAD, []byte, error) {
	parts := strings.Split(sealed, ":")
	if len(parts) != 3 || parts[0] != sealVersion {
		return "", nil, nil, fmt.Errorf("%w: not in %s:<keyid>:<data> form", ErrSealBroken, sealVersion)
	}
	aead, ok := s.aeads[parts[1]]
	if !ok {
		return "", nil, nil, fmt.Errorf("%w: unknown key id %q", ErrSealBroken, parts[1])
	}
	data, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return "", nil, nil, fmt.Errorf("%w: data is not base64url", ErrSealBroken)
	}
	return parts[1], aead, data, nil
}

// fullAAD binds the version and key id into the authenticated data, so the
// header of a sealed string cannot be swapped.
func (s *Sealer) fullAAD(id string, aad []byte) []byte {
	b := make([]byte, 0, len(sealVersion)+len(id)+2+len(aad))
	b = append(b, sealVersion...)
	b = append(b, ':')
	b = append(b, id...)
	b = append(b, ':')
	return append(b, aad...)
}

// SealedKeyID returns the id of the key a string made by Seal names, without opening it;
// ok is false when the string is not in Seal's form.
func SealedKeyID(sealed string) (id string, ok bool) {
	parts := strings.Split(sealed, ":")
	if len(parts) != 3 || parts[0] != sealVersion || validKeyID(parts[1]) != nil {
		return "", false
	}
	return parts[1], true
}

// KeyIDs returns the ids of the Sealer's keys, the current one first.
func (s *Sealer) KeyIDs() []string {
	ids := []string{s.current}
	for id := range s.aeads {
		if id != s.current {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids[1:])
	return ids
}
