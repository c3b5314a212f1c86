package azdo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdo"
)

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// recordingsDir returns the recordings folder, skipping the test when it
// is absent (failing under CI=true).
func recordingsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CAIRN_AZDO_RECORDINGS_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "..", "shared", "azure-devops-recordings")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("recordings folder %s is missing (set CAIRN_AZDO_RECORDINGS_DIR): %v", dir, err)
		}
		t.Skipf("recordings folder %s is absent; set CAIRN_AZDO_RECORDINGS_DIR to run these tests", dir)
	}
	return dir
}

// fakeClock is a clock that Sleep advances, so backoff costs no real time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// newClient returns a client for srv's organization "fabrikam" with a fake
// clock.
func newClient(t testing.TB, srv *httptest.Server, mod func(*azdo.Config)) (*azdo.Client, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	cfg := azdo.Config{
		OrgURL:     srv.URL + "/fabrikam",
		VSSPSURL:   srv.URL + "/_vssps",
		Auth:       azdo.PAT("test-pat"),
		HTTPClient: srv.Client(),
		Sleep:      clk.Sleep,
		Now:        clk.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := azdo.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, clk
}

// writeJSON answers with a JSON body as Azure DevOps does.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8; api-version=7.1")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// readTestdata returns a file from testdata.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// generic decodes JSON (minus a BOM) into plain Go values.
func generic(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

// values returns the "value" array of a list body.
func values(t testing.TB, v any) []any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("list body is %T, want an object", v)
	}
	arr, ok := m["value"].([]any)
	if !ok {
		t.Fatalf("list body has no value array")
	}
	return arr
}

func str(v any, key string) string {
	m, _ := v.(map[string]any)
	s, _ := m[key].(string)
	return s
}

func num(v any, key string) int {
	m, _ := v.(map[string]any)
	n, _ := m[key].(json.Number)
	i, _ := n.Int64()
	return int(i)
}

func hasSuffixFold(s, suffix string) bool {
	return strings.HasSuffix(strings.ToLower(s), strings.ToLower(suffix))
}
