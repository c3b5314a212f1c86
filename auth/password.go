package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// MaxPasswordBytes is the longest password accepted, in bytes. The cap keeps a
// single sign-in attempt from costing unbounded hashing work.
const MaxPasswordBytes = 1024

var (
	// ErrMismatch reports that a password does not match its stored hash.
	ErrMismatch = errors.New("password does not match")
	// ErrPasswordEmpty reports an empty password.
	ErrPasswordEmpty = errors.New("password is empty")
	// ErrPasswordTooLong reports a password longer than MaxPasswordBytes.
	ErrPasswordTooLong = fmt.Errorf("password is longer than %d bytes", MaxPasswordBytes)
	// ErrInvalidHash reports a stored password hash that is not a well-formed
	// argon2id PHC string with acceptable parameters.
	ErrInvalidHash = errors.New("malformed argon2id password hash")
	// ErrInvalidParams reports argon2id parameters outside the accepted range.
	ErrInvalidParams = errors.New("invalid argon2id parameters")
)

// Limits on argon2id parameters. They bound both what a Hasher may be
// configured with and what a stored hash may demand, so a corrupted or
// planted hash cannot make a check allocate gigabytes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 128
)

// Params are the argon2id cost parameters.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key in bytes.
	KeyLen uint32
}

// DefaultParams returns the parameters HashPassword uses: 19 MiB of memory,
// two passes and one thread, the OWASP baseline for argon2id. That costs tens
// of milliseconds per hash, cheap enough for a busy sign-in page and slow
// enough to make offline guessing expensive.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Validate reports whether the parameters are within the accepted range.
func (p Params) Validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d outside 1..%d", ErrInvalidParams, p.Time, maxTime)
	case p.Threads < 1:
		return fmt.Errorf("%w: threads must be at least 1", ErrInvalidParams)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB outside %d..%d", ErrInvalidParams, p.Memory, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d outside %d..%d", ErrInvalidParams, p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d outside %d..%d", ErrInvalidParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and checks passwords with fixed argon2id parameters.
type Hasher struct {
	params Params
}

// NewHasher returns a Hasher that hashes with p. Tests use it with cheap
// parameters; production code calls HashPassword.
func NewHasher(p Params) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("auth: new hasher: %w", err)
	}
	return &Hasher{params: p}, nil
}

// HashPassword hashes pw with DefaultParams and returns a PHC string of the
// form $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func HashPassword(pw string) (string, error) {
	return (&Hasher{params: DefaultParams()}).Hash(pw)
}

// CheckPassword reports whether pw matches hash. It returns nil on a match,
// ErrMismatch on a wrong password and ErrInvalidHash when hash is malformed.
// The parameters come from the hash itself, so hashes made with older
// parameters keep working.
func CheckPassword(hash, pw string) error {
	return (&Hasher{params: DefaultParams()}).Check(hash, pw)
}

// Hash hashes pw with a fresh random salt and returns the PHC string.
func (h *Hasher) Hash(pw string) (string, error) {
	if err := checkPasswordInput(pw); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	p := h.params
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key)), nil
}

// Check reports whether pw matches hash, comparing in constant time. It
// returns nil on a match, ErrMismatch on a wrong password and ErrInvalidHash
// when hash is malformed.
func (h *Hasher) Check(hash, pw string) error {
	if err := checkPasswordInput(pw); err != nil {
		return fmt.Errorf("auth: check password: %w", err)
	}
	p, salt, want, err := decodeHash(hash)
	if err != nil {
		return fmt.Errorf("auth: check password: %w", err)
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// NeedsRehash reports whether hash was made with parameters other than the
// Hasher's, so a caller can re-hash the password after a successful sign-in.
// A malformed hash needs rehashing too.
func (h *Hasher) NeedsRehash(hash string) bool {
	p, salt, key, err := decodeHash(hash)
	if err != nil {
		return true
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p != h.params
}

func checkPasswordInput(pw string) error {
	switch {
	case pw == "":
		return ErrPasswordEmpty
	case len(pw) > MaxPasswordBytes:
		return ErrPasswordTooLong
	}
	return nil
}

// decodeHash parses a PHC argon2id string.
func decodeHash(s string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: want 5 $-separated fields", ErrInvalidHash)
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q, want argon2id", ErrInvalidHash, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q, want v=%d", ErrInvalidHash, parts[2], argon2.Version)
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrInvalidHash, kv)
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %q is not a number", ErrInvalidHash, kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: parallelism %d above 255", ErrInvalidHash, n)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("%w: unknown parameter %q", ErrInvalidHash, k)
		}
	}
	if len(seen) != 3 {
		return p, nil, nil, fmt.Errorf("%w: want parameters m, t and p", ErrInvalidHash)
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt is not base64", ErrInvalidHash)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash is not base64", ErrInvalidHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.Validate(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %w", ErrInvalidHash, err)
	}
	return p, salt, key, nil
}
