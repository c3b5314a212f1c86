package azdoemu_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu"
)

const testPAT = "test-pat-0123456789"

// fixedNow is the clock of every test server.
var fixedNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

type testBundle struct {
	srv  *azdoemu.Server
	base string
	org  string // base + "/fabrikam"
	proj string // base + "/fabrikam/Fabrikam%20Fiber"
}

// setup starts an emulator with the demo scenario (or opts.Scenario).
func setup(tb testing.TB, opts azdoemu.Options) *testBundle {
	tb.Helper()
	if opts.Scenario == nil && opts.Generate == "" {
		opts.Scenario = azdoemu.DemoScenario()
	}
	if opts.PATs == nil {
		opts.PATs = []string{testPAT}
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	s, err := azdoemu.New(opts)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(func() { ts.Close(); _ = s.Close() })
	s.SetBaseURL(ts.URL)
	return &testBundle{srv: s, base: ts.URL, org: ts.URL + "/fabrikam", proj: ts.URL + "/fabrikam/Fabrikam%20Fiber"}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimPrefix(r.body, []byte("\xef\xbb\xbf")), &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func basic(pat string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+pat))
}

// call sends a request with the test PAT and api-version=7.1 unless headers
// override them ("Authorization": "" removes auth).
func call(tb testing.TB, method, url string, body any, headers ...string) response {
	tb.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	if method == http.MethodPatch || strings.Contains(url, "/$") {
		ct = "application/json-patch+json"
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", basic(testPAT))
	if !strings.Contains(url, "api-version") {
		req.Header.Set("Accept", "application/json;api-version=7.1")
	}
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// mustOK fails unless the response is 200.
func mustOK(tb testing.TB, r response) map[string]any {
	tb.Helper()
	if r.status != http.StatusOK {
		tb.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	return r.json(tb)
}

// wantError checks an Azure DevOps error envelope.
func wantError(tb testing.TB, r response, status int, code, typeKey string) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.json(tb)
	msg, _ := m["message"].(string)
	if !strings.HasPrefix(msg, code) {
		tb.Errorf("message %q does not start with %s", msg, code)
	}
	if typeKey != "" && m["typeKey"] != typeKey {
		tb.Errorf("typeKey %v, want %s", m["typeKey"], typeKey)
	}
	for _, k := range []string{"$id", "innerException", "typeName", "errorCode", "eventId"} {
		if _, ok := m[k]; !ok {
			tb.Errorf("error body lacks %q: %s", k, r.body)
		}
	}
}

func list(tb testing.TB, m map[string]any) []any {
	tb.Helper()
	v, ok := m["value"].([]any)
	if !ok {
		tb.Fatalf("no value list in %v", m)
	}
	if c, _ := m["count"].(float64); int(c) != len(v) {
		tb.Fatalf("count %v but %d values", m["count"], len(v))
	}
	return v
}

func queryID(tb testing.TB, b *testBundle, path string) string {
	tb.Helper()
	id, err := b.srv.QueryID("fabrikam", "Fabrikam Fiber", path)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}
