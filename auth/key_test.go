package auth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/auth"
)

// roundTrip seals with a and opens with b.
func roundTrip(t *testing.T, a, b *auth.Sealer) {
	t.Helper()
	sealed, err := a.Seal([]byte("pat"), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Open(sealed, []byte("x"))
	if err != nil || string(got) != "pat" {
		t.Fatalf("Open = %q, %v; want pat", got, err)
	}
}

func TestLoadKeyFromEnv(t *testing.T) {
	t.Parallel()
	k1, k2 := key(1), key(2)
	ref := newSealer(t, map[string][]byte{auth.KeyID(k1): k1}, auth.KeyID(k1))
	tests := []struct {
		name    string
		env     string
		current string
	}{
		{"Base64Std", base64.StdEncoding.EncodeToString(k1), auth.KeyID(k1)},
		{"Base64RawURL", base64.RawURLEncoding.EncodeToString(k1), auth.KeyID(k1)},
		{"Hex", hex.EncodeToString(k1), auth.KeyID(k1)},
		{"HexWithSpace", " " + hex.EncodeToString(k1) + "\n", auth.KeyID(k1)},
		{"WithIDs", "new:" + base64.StdEncoding.EncodeToString(k2) + ", " + auth.KeyID(k1) + ":" + hex.EncodeToString(k1), "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := auth.LoadKey(tt.env, "")
			if err != nil {
				t.Fatalf("LoadKey: %v", err)
			}
			if s.CurrentKeyID() != tt.current {
				t.Fatalf("CurrentKeyID = %q, want %q", s.CurrentKeyID(), tt.current)
			}
			// Secrets sealed under k1 by id open with every variant.
			roundTrip(t, ref, s)
		})
	}
}

func TestLoadKeyEnvRefusals(t *testing.T) {
	t.Parallel()
	k := base64.StdEncoding.EncodeToString(key(1))
	tests := map[string]string{
		"Garbage":     "not a key!",
		"ShortBase64": base64.StdEncoding.EncodeToString(key(1)[:16]),
		"ShortHex":    hex.EncodeToString(key(1)[:16]),
		"EmptyEntry":  k + ",",
		"DuplicateID": "a:" + k + ",a:" + k,
		"BadID":       "a b:" + k,
	}
	for name, env := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.LoadKey(env, "")
			if !errors.Is(err, auth.ErrInvalidKey) {
				t.Fatalf("LoadKey = %v, want ErrInvalidKey", err)
			}
			if strings.Contains(err.Error(), k) {
				t.Fatalf("error %q reveals the key", err)
			}
		})
	}
}

func TestLoadKeyNothingConfigured(t *testing.T) {
	t.Parallel()
	if _, err := auth.LoadKey("", ""); !errors.Is(err, auth.ErrInvalidKey) {
		t.Fatalf("LoadKey = %v, want ErrInvalidKey", err)
	}
}

func TestLoadKeyFileCreatedThenReread(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	first, err := auth.LoadKey("", path)
	if err != nil {
		t.Fatalf("LoadKey (create): %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
	}
	second, err := auth.LoadKey("", path)
	if err != nil {
		t.Fatalf("LoadKey (reread): %v", err)
	}
	if first.CurrentKeyID() != second.CurrentKeyID() {
		t.Fatalf("key id changed from %q to %q", first.CurrentKeyID(), second.CurrentKeyID())
	}
	roundTrip(t, first, second)

	// The file's key, given through the environment without an id, keeps its id.
	data, _ := os.ReadFile(path)
	_, enc, _ := strings.Cut(strings.TrimSpace(string(data)), ":")
	fromEnv, err := auth.LoadKey(enc, "")
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, first, fromEnv)

	other, err := auth.LoadKey("", filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	if other.CurrentKeyID() == first.CurrentKeyID() {
		t.Fatal("two fresh key files got the same key id")
	}
}

func TestLoadKeyEnvWinsOverFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	if _, err := auth.LoadKey(hex.EncodeToString(key(3)), path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("key file created although the environment holds a key: %v", err)
	}
}

func TestLoadKeyFileRefusals(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	good := base64.StdEncoding.EncodeToString(key(1)) + "\n"
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    error
	}{
		{"ErrKeyFileModeGroupRead", good, 0o640, auth.ErrKeyFileMode},
		{"ErrKeyFileModeWorldRead", good, 0o604, auth.ErrKeyFileMode},
		{"ErrInvalidKeyMalformed", "hello\n", 0o600, auth.ErrInvalidKey},
		{"ErrInvalidKeyEmpty", "", 0o600, auth.ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "secret.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := auth.LoadKey("", path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("LoadKey = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	t.Run("Directory", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.LoadKey("", dir); err == nil {
			t.Fatal("LoadKey accepted a directory")
		}
	})
}

func TestKeyID(t *testing.T) {
	t.Parallel()
	if auth.KeyID(key(1)) == auth.KeyID(key(2)) {
		t.Fatal("different keys share an id")
	}
	if id := auth.KeyID(key(1)); len(id) != 8 || bytes.ContainsAny([]byte(id), ":,") {
		t.Fatalf("KeyID = %q, want 8 hex digits", id)
	}
}

func TestLoadKeyFileConcurrentFirstStart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	const n = 8
	ids := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := auth.LoadKey("", path)
			if err != nil {
				errs <- err
				return
			}
			ids <- s.CurrentKeyID()
		}()
	}
	first := ""
	for range n {
		select {
		case err := <-errs:
			t.Fatalf("LoadKey: %v", err)
		case id := <-ids:
			if first == "" {
				first = id
			} else if id != first {
				t.Fatalf("replicas starting together got keys %q and %q", first, id)
			}
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".cairn-key-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary key files left behind: %v", leftovers)
	}
}

// TestKeyRotationThroughTheEnvironment rotates CAIRN_SECRET_KEY as an operator does: a
// secret sealed under "k1:OLD" opens once the value is "k2:NEW,k1:OLD", which seals new
// secrets under k2; re-sealed, it opens with "k2:NEW" alone, and the copy left under k1
// does not.
func TestKeyRotationThroughTheEnvironment(t *testing.T) {
	t.Parallel()
	oldKey, newKey := base64.StdEncoding.EncodeToString(key(7)), hex.EncodeToString(key(8))
	aad := []byte("azdo-credential:1:https://dev.azure.com/fabrikam:fabrikam fiber")
	load := func(env string) *auth.Sealer {
		t.Helper()
		s, err := auth.LoadKey(env, "")
		if err != nil {
			t.Fatalf("LoadKey(%q): %v", env, err)
		}
		return s
	}
	before := load("k1:" + oldKey)
	sealedOld, err := before.Seal([]byte("pat-1"), aad)
	if err != nil {
		t.Fatal(err)
	}

	rotating := load("k2:" + newKey + ",k1:" + oldKey)
	if rotating.CurrentKeyID() != "k2" || !rotating.NeedsReseal(sealedOld) {
		t.Fatalf("rotating sealer: current %q, NeedsReseal(old) %v; want k2 and true", rotating.CurrentKeyID(), rotating.NeedsReseal(sealedOld))
	}
	plain, err := rotating.Open(sealedOld, aad)
	if err != nil || string(plain) != "pat-1" {
		t.Fatalf("Open(old) while rotating = %q, %v", plain, err)
	}
	resealed, err := rotating.Seal(plain, aad)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resealed, "v1:k2:") || rotating.NeedsReseal(resealed) {
		t.Fatalf("re-sealed %q is not under k2", resealed)
	}

	after := load("k2:" + newKey)
	if got, err := after.Open(resealed, aad); err != nil || string(got) != "pat-1" {
		t.Fatalf("Open(re-sealed) with k1 dropped = %q, %v", got, err)
	}
	if _, err := after.Open(sealedOld, aad); !errors.Is(err, auth.ErrSealBroken) || !strings.Contains(err.Error(), `"k1"`) {
		t.Fatalf("Open(old) with k1 dropped = %v, want ErrSealBroken naming the unknown key k1", err)
	}
	if _, err := before.Open(resealed, aad); !errors.Is(err, auth.ErrSealBroken) {
		t.Fatalf("a server still on k1 alone opened the re-sealed secret: %v", err)
	}
}

// TestLoadKeyFileWithSeveralKeys: a key file holds a keyring one key per line, with
// comments and blank lines; the first key is current and the others still open.
func TestLoadKeyFileWithSeveralKeys(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	path := filepath.Join(t.TempDir(), "cairn.key")
	body := "# rotated in December\nk2:" + base64.StdEncoding.EncodeToString(k2) + "\n\nk1:" + hex.EncodeToString(k1) + "\r\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ring, err := auth.LoadKey("", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := ring.KeyIDs(); strings.Join(got, ",") != "k2,k1" {
		t.Fatalf("KeyIDs = %v, want k2 current then k1", got)
	}
	old, err := auth.NewSealer(map[string][]byte{"k1": k1}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, old, ring)
	sealed, err := ring.Seal([]byte("pat"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := auth.SealedKeyID(sealed); !ok || id != "k2" {
		t.Fatalf("SealedKeyID(%q) = %q, %v; want k2", sealed, id, ok)
	}
	if _, ok := auth.SealedKeyID("plain text"); ok {
		t.Fatal("SealedKeyID took a string that is not sealed")
	}
	// The environment takes the same lines.
	if _, err := auth.LoadKey(body, ""); err != nil {
		t.Fatalf("a keyring on several lines in the environment: %v", err)
	}
	if _, err := auth.LoadKey("k2:"+base64.StdEncoding.EncodeToString(k2)+",,k1:"+hex.EncodeToString(k1), ""); err == nil {
		t.Fatal("an empty entry between commas was accepted")
	}
}
