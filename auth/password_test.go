package auth_test

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/auth"
)

// cheapParams keep tests fast; the defaults are exercised once and benchmarked.
var cheapParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newCheapHasher(t *testing.T) *auth.Hasher {
	t.Helper()
	h, err := auth.NewHasher(cheapParams)
	if err != nil {
		t.Fatalf("NewHasher: %v", err)
	}
	return h
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$`)

func TestHashPasswordDefault(t *testing.T) {
	t.Parallel()
	hash, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	m := phcPattern.FindStringSubmatch(hash)
	if m == nil {
		t.Fatalf("hash %q is not a PHC argon2id string", hash)
	}
	d := auth.DefaultParams()
	if want := []string{itoa(d.Memory), itoa(d.Time), itoa(uint32(d.Threads))}; m[1] != want[0] || m[2] != want[1] || m[3] != want[2] {
		t.Errorf("params m,t,p = %v, want %v", m[1:], want)
	}
	if err := auth.CheckPassword(hash, "correct horse battery staple"); err != nil {
		t.Errorf("CheckPassword(right) = %v, want nil", err)
	}
	if err := auth.CheckPassword(hash, "correct horse battery stapler"); !errors.Is(err, auth.ErrMismatch) {
		t.Errorf("CheckPassword(wrong) = %v, want ErrMismatch", err)
	}
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

func TestHasher(t *testing.T) {
	t.Parallel()
	h := newCheapHasher(t)
	hash, err := h.Hash("s3cret")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if !phcPattern.MatchString(hash) {
		t.Fatalf("hash %q is not a PHC argon2id string", hash)
	}
	again, err := h.Hash("s3cret")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if again == hash {
		t.Errorf("two hashes of the same password are equal; salt is not random")
	}

	tests := []struct {
		name string
		hash string
		pw   string
		want error
	}{
		{"Match", hash, "s3cret", nil},
		{"MatchSecondHash", again, "s3cret", nil},
		{"ErrMismatch", hash, "s3cret!", auth.ErrMismatch},
		{"ErrMismatchCase", hash, "S3cret", auth.ErrMismatch},
		{"ErrPasswordEmpty", hash, "", auth.ErrPasswordEmpty},
		{"ErrPasswordTooLong", hash, strings.Repeat("a", auth.MaxPasswordBytes+1), auth.ErrPasswordTooLong},
		{"ErrInvalidHashEmpty", "", "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashBcrypt", "$2a$10$abcdefghijklmnopqrstuu5Qf1nVd5D2fQWb2Sx2iD7iW0vqk8u3W", "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashArgon2i", strings.Replace(hash, "argon2id", "argon2i", 1), "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashVersion", strings.Replace(hash, "v=19", "v=16", 1), "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashHugeMemory", strings.Replace(hash, "m=64", "m=4294967295", 1), "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashZeroTime", strings.Replace(hash, "t=1", "t=0", 1), "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashMissingParam", strings.Replace(hash, ",p=1", "", 1), "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashUnknownParam", strings.Replace(hash, "p=1", "x=1", 1), "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashBadSalt", strings.Replace(hash, "$m=64,t=1,p=1$", "$m=64,t=1,p=1$!!", 1), "s3cret", auth.ErrInvalidHash},
		{"ErrInvalidHashTruncated", hash[:strings.LastIndex(hash, "$")], "s3cret", auth.ErrInvalidHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := h.Check(tt.hash, tt.pw)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHasherHashRefusesBadPasswords(t *testing.T) {
	t.Parallel()
	h := newCheapHasher(t)
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"ErrPasswordEmpty", "", auth.ErrPasswordEmpty},
		{"ErrPasswordTooLong", strings.Repeat("é", auth.MaxPasswordBytes/2+1), auth.ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := h.Hash(tt.pw); !errors.Is(err, tt.want) {
				t.Fatalf("Hash = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("MaxLengthAccepted", func(t *testing.T) {
		t.Parallel()
		pw := strings.Repeat("a", auth.MaxPasswordBytes)
		hash, err := h.Hash(pw)
		if err != nil {
			t.Fatalf("Hash = %v", err)
		}
		if err := h.Check(hash, pw); err != nil {
			t.Fatalf("Check = %v", err)
		}
	})
}

func TestNewHasherRefusesBadParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*auth.Params)
	}{
		{"ZeroTime", func(p *auth.Params) { p.Time = 0 }},
		{"ZeroThreads", func(p *auth.Params) { p.Threads = 0 }},
		{"TinyMemory", func(p *auth.Params) { p.Memory = 4 }},
		{"HugeMemory", func(p *auth.Params) { p.Memory = 1<<20 + 1 }},
		{"ShortSalt", func(p *auth.Params) { p.SaltLen = 4 }},
		{"ShortKey", func(p *auth.Params) { p.KeyLen = 8 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := cheapParams
			tt.mutate(&p)
			if _, err := auth.NewHasher(p); !errors.Is(err, auth.ErrInvalidParams) {
				t.Fatalf("NewHasher = %v, want ErrInvalidParams", err)
			}
		})
	}
}

func TestCheckPasswordUsesParamsFromHash(t *testing.T) {
	t.Parallel()
	hash, err := newCheapHasher(t).Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	// The package-level check uses the default parameters for hashing but
	// must read the cost from the stored hash.
	if err := auth.CheckPassword(hash, "pw"); err != nil {
		t.Fatalf("CheckPassword = %v, want nil", err)
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	h := newCheapHasher(t)
	hash, err := h.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	stronger := cheapParams
	stronger.Time = 2
	h2, err := auth.NewHasher(stronger)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		h    *auth.Hasher
		hash string
		want bool
	}{
		{"SameParams", h, hash, false},
		{"StrongerParams", h2, hash, true},
		{"Malformed", h, "garbage", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.h.NeedsRehash(tt.hash); got != tt.want {
				t.Fatalf("NeedsRehash = %v, want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := auth.HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	hash, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := auth.CheckPassword(hash, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
