package auth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/auth"
)

func TestNewToken(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{auth.PrefixAPIToken, auth.PrefixSession, auth.PrefixSetup, ""} {
		t.Run("Prefix"+prefix, func(t *testing.T) {
			t.Parallel()
			plain, hash, err := auth.NewToken(prefix)
			if err != nil {
				t.Fatalf("NewToken: %v", err)
			}
			body, ok := strings.CutPrefix(plain, prefix)
			if !ok {
				t.Fatalf("token %q lacks prefix %q", plain, prefix)
			}
			raw, err := base64.RawURLEncoding.DecodeString(body)
			if err != nil || len(raw) != 32 {
				t.Fatalf("token body %q: %d bytes, err %v; want 32 base64url bytes", body, len(raw), err)
			}
			sum := sha256.Sum256([]byte(plain))
			if want := hex.EncodeToString(sum[:]); hash != want {
				t.Errorf("hash = %q, want %q", hash, want)
			}
			if got := auth.HashToken(plain); got != hash {
				t.Errorf("HashToken = %q, want the hash NewToken returned %q", got, hash)
			}
			other, _, err := auth.NewToken(prefix)
			if err != nil {
				t.Fatal(err)
			}
			if other == plain {
				t.Errorf("two tokens are equal: %q", plain)
			}
		})
	}
}

func TestNewTokenRefusesBadPrefix(t *testing.T) {
	t.Parallel()
	for name, prefix := range map[string]string{
		"Space":     "cairn pat",
		"Semicolon": "cairn;",
		"NonASCII":  "cairné_",
		"TooLong":   strings.Repeat("a", 33),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plain, hash, err := auth.NewToken(prefix)
			if err == nil {
				t.Fatalf("NewToken(%q) = %q, %q, nil; want an error", prefix, plain, hash)
			}
		})
	}
}

func TestHashTokenDistinguishes(t *testing.T) {
	t.Parallel()
	if auth.HashToken("cairn_pat_a") == auth.HashToken("cairn_pat_b") {
		t.Fatal("different tokens hash alike")
	}
	if len(auth.HashToken("")) != 64 {
		t.Fatal("digest is not 64 hex characters")
	}
}
