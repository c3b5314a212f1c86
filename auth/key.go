package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// SecretKeyEnv is the environment variable that holds Cairn's sealing keys.
const SecretKeyEnv = "CAIRN_SECRET_KEY"

// ErrKeyFileMode reports a key file that users other than its owner may
// access.
var ErrKeyFileMode = errors.New("key file permissions too wide")

// LoadKey returns a Sealer built from env, the value of CAIRN_SECRET_KEY, or,
// when env is empty, from keyFile.
//
// env holds one key, 32 bytes in base64 (standard or URL alphabet, padded or
// not) or hex, or several as "id1:key1,id2:key2" (or one per line) where the
// first is current.
// A key given without an id gets one derived from the key itself (see
// KeyID), so moving a key between the file and the environment keeps its id.
//
// keyFile, when it does not exist, is created with mode 0600 holding a fresh
// random key; later starts read it back. It uses the same format as env. A
// key file that group or others may access is refused, since anyone who can
// read it can open every stored secret.
func LoadKey(env string, keyFile string) (*Sealer, error) {
	if strings.TrimSpace(env) != "" {
		s, err := parseKeys(env)
		if err != nil {
			return nil, fmt.Errorf("auth: load key from %s: %w", SecretKeyEnv, err)
		}
		return s, nil
	}
	if keyFile == "" {
		return nil, fmt.Errorf("auth: load key: %w: neither %s nor a key file is set", ErrInvalidKey, SecretKeyEnv)
	}
	data, err := readKeyFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = createKeyFile(keyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: load key file %s: %w", keyFile, err)
	}
	s, err := parseKeys(string(data))
	if err != nil {
		return nil, fmt.Errorf("auth: load key file %s: %w", keyFile, err)
	}
	return s, nil
}

// KeyID returns the id Cairn derives for a key given without one: the first
// eight hex digits of the key's SHA-256. It identifies the key without
// revealing it.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrInvalidKey)
	}
	// Windows has no Unix permission bits to check.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: mode %04o lets other users read it; run chmod 600 on it", ErrKeyFileMode, fi.Mode().Perm())
	}
	return os.ReadFile(path)
}

// createKeyFile writes a fresh key. The key is written to a temporary file
// and hard-linked into place, so a replica starting at the same moment reads
// either no file or a complete one, and never both create a key.
func createKeyFile(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create key file directory: %w", err)
	}
	key := make([]byte, SecretKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	data := []byte(KeyID(key) + ":" + base64.StdEncoding.EncodeToString(key) + "\n")
	tmp, err := os.CreateTemp(dir, ".cairn-key-*")
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		return nil, fmt.Errorf("create key file: %w", err)
	}
	return data, nil
}

// parseKeys parses "key" or "id1:key1,id2:key2", the entries also one per line (as in a
// key file, where blank lines and lines starting with '#' are skipped); the first entry is
// current.
func parseKeys(s string) (*Sealer, error) {
	keys := map[string][]byte{}
	current := ""
	var entries []string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || (line == "" && strings.Contains(s, "\n")) {
			continue
		}
		entries = append(entries, strings.Split(line, ",")...)
	}
	for i, entry := range entries {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("%w: entry %d is empty", ErrInvalidKey, i+1)
		}
		id, enc, hasID := strings.Cut(entry, ":")
		if !hasID {
			enc, id = entry, ""
		}
		key, err := decodeKey(strings.TrimSpace(enc))
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		if !hasID {
			id = KeyID(key)
		}
		id = strings.TrimSpace(id)
		if err := validKeyID(id); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("%w: key id %q appears twice", ErrInvalidKey, id)
		}
		keys[id] = key
		if i == 0 {
			current = id
		}
	}
	return NewSealer(keys, current)
}

// decodeKey accepts 32 bytes as hex or as base64 in any common variant.
func decodeKey(s string) ([]byte, error) {
	if len(s) == 2*SecretKeyLen {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != SecretKeyLen {
				return nil, fmt.Errorf("%w: key decodes to %d bytes, want %d", ErrInvalidKey, len(b), SecretKeyLen)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: key is neither hex nor base64 of %d bytes (generate one with: openssl rand -base64 32)", ErrInvalidKey, SecretKeyLen)
}
