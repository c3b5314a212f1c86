package auth_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/auth"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func newSealer(t *testing.T, keys map[string][]byte, current string) *auth.Sealer {
	t.Helper()
	s, err := auth.NewSealer(keys, current)
	if err != nil {
		t.Fatalf("NewSealer: %v", err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	s := newSealer(t, map[string][]byte{"k1": key(1)}, "k1")
	secret := []byte("azure-devops-pat-value")
	aad := []byte("connection:42:pat")
	sealed, err := s.Seal(secret, aad)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if !strings.HasPrefix(sealed, "v1:k1:") {
		t.Fatalf("sealed = %q, want prefix v1:k1:", sealed)
	}
	if strings.Contains(sealed, string(secret)) {
		t.Fatal("sealed string contains the plaintext")
	}
	got, err := s.Open(sealed, aad)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, want %q", got, secret)
	}
	again, _ := s.Seal(secret, aad)
	if again == sealed {
		t.Fatal("sealing twice gives the same string; nonce is not random")
	}
	empty, err := s.Seal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open(empty, nil); err != nil || len(got) != 0 {
		t.Fatalf("Open(empty) = %q, %v", got, err)
	}
}

func TestSealerRotation(t *testing.T) {
	t.Parallel()
	old := newSealer(t, map[string][]byte{"old": key(1)}, "old")
	sealedOld, err := old.Seal([]byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rotated := newSealer(t, map[string][]byte{"old": key(1), "new": key(2)}, "new")
	got, err := rotated.Open(sealedOld, nil)
	if err != nil || string(got) != "secret" {
		t.Fatalf("Open(old) = %q, %v; want secret", got, err)
	}
	if !rotated.NeedsReseal(sealedOld) {
		t.Error("NeedsReseal(old) = false, want true")
	}
	sealedNew, err := rotated.Seal([]byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealedNew, "v1:new:") || rotated.NeedsReseal(sealedNew) {
		t.Errorf("new seal %q should use the current key and need no reseal", sealedNew)
	}
	if rotated.CurrentKeyID() != "new" {
		t.Errorf("CurrentKeyID = %q, want new", rotated.CurrentKeyID())
	}
}

func TestOpenRefusals(t *testing.T) {
	t.Parallel()
	s := newSealer(t, map[string][]byte{"k1": key(1), "k2": key(2)}, "k1")
	aad := []byte("connection:1")
	sealed, err := s.Seal([]byte("secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	payload := strings.TrimPrefix(sealed, "v1:k1:")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return "v1:k1:" + base64.RawURLEncoding.EncodeToString(b)
	}
	otherKeySameID := newSealer(t, map[string][]byte{"k1": key(9)}, "k1")
	tests := []struct {
		name   string
		s      *auth.Sealer
		sealed string
		aad    []byte
	}{
		{"WrongAAD", s, sealed, []byte("connection:2")},
		{"MissingAAD", s, sealed, nil},
		{"WrongKeyID", s, "v1:k2:" + payload, aad},
		{"UnknownKeyID", s, "v1:k3:" + payload, aad},
		{"WrongKeySameID", otherKeySameID, sealed, aad},
		{"TamperedNonce", s, flip(0), aad},
		{"TamperedCiphertext", s, flip(len(raw) / 2), aad},
		{"TamperedTag", s, flip(len(raw) - 1), aad},
		{"Truncated", s, "v1:k1:" + base64.RawURLEncoding.EncodeToString(raw[:10]), aad},
		{"WrongVersion", s, "v2:k1:" + payload, aad},
		{"NotBase64", s, "v1:k1:" + payload + "!", aad},
		{"Empty", s, "", aad},
		{"ExtraField", s, sealed + ":x", aad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.s.Open(tt.sealed, tt.aad)
			if !errors.Is(err, auth.ErrSealBroken) {
				t.Fatalf("Open = %q, %v; want ErrSealBroken", got, err)
			}
		})
	}
}

func TestNewSealerRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		keys    map[string][]byte
		current string
	}{
		{"NoKeys", nil, "k1"},
		{"CurrentMissing", map[string][]byte{"k1": key(1)}, "k2"},
		{"ShortKey", map[string][]byte{"k1": key(1)[:16]}, "k1"},
		{"EmptyID", map[string][]byte{"": key(1)}, ""},
		{"IDWithColon", map[string][]byte{"a:b": key(1)}, "a:b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := auth.NewSealer(tt.keys, tt.current); !errors.Is(err, auth.ErrInvalidKey) {
				t.Fatalf("NewSealer = %v, want ErrInvalidKey", err)
			}
		})
	}
}

func BenchmarkSeal(b *testing.B) {
	s, err := auth.NewSealer(map[string][]byte{"k": key(1)}, "k")
	if err != nil {
		b.Fatal(err)
	}
	pt := bytes.Repeat([]byte("x"), 52)
	for b.Loop() {
		if _, err := s.Seal(pt, []byte("aad")); err != nil {
			b.Fatal(err)
		}
	}
}
