package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Token prefixes name what a token is for, so a leaked token is recognisable
// (for example by secret scanners) and cannot be mistaken for another kind.
const (
	// PrefixAPIToken starts personal API tokens.
	PrefixAPIToken = "cairn_pat_"
	// PrefixSession starts session ids.
	PrefixSession = "cairn_ses_"
	// PrefixSetup starts one-time setup and invitation links.
	PrefixSetup = "cairn_setup_"
)

// tokenBytes is the number of random bytes in a token: 256 bits.
const tokenBytes = 32

// maxPrefixLen bounds token prefixes; they are labels, not payload.
const maxPrefixLen = 32

// NewToken returns a fresh opaque token, prefix followed by 32 random bytes in
// unpadded base64url, and its digest from HashToken. Store only the digest;
// hand the plain token to its owner once. The prefix may be empty and may hold
// only ASCII letters, digits, '_' and '-', so tokens are safe in URLs,
// cookies and headers.
func NewToken(prefix string) (plain string, hash string, err error) {
	if len(prefix) > maxPrefixLen {
		return "", "", fmt.Errorf("auth: new token: prefix longer than %d bytes", maxPrefixLen)
	}
	for i := 0; i < len(prefix); i++ {
		if !isTokenChar(prefix[i]) {
			return "", "", fmt.Errorf("auth: new token: prefix %q may only hold letters, digits, '_' and '-'", prefix)
		}
	}
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: new token: %w", err)
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain), nil
}

// HashToken returns the hex SHA-256 digest of a plain token, the form in which
// tokens are stored and looked up. A fast hash is right here, unlike for
// passwords: a token carries 256 random bits, so no amount of guessing speed
// makes brute force feasible, and a slow hash would only cost every request.
// Looking tokens up by digest also means a stolen database yields no usable
// tokens.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
