package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRequestsAreLoggedAsJSONWithRequestIDs checks the log line of a request, and that an
// API token never reaches the log.
func TestRequestsAreLoggedAsJSONWithRequestIDs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv, err := web.New(web.Config{Service: cairn.NewService(db, cairn.ServiceOptions{}), Store: db, Log: log, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: cheapHasher(t)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/orgs/nope", nil)
	req.Header.Set("Authorization", "Bearer cairn_pat_secret-value-that-must-not-leak")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	id := res.Header.Get("X-Request-Id")
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["msg"] == "request" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no request log line in %s", logs.String())
	}
	if line["request_id"] != id || line["status"] != float64(401) || line["route"] != "unmatched" && line["route"] != "GET /api/v1/orgs/{org}" {
		t.Fatalf("log line %v, want request id %s and status 401", line, id)
	}
	if strings.Contains(logs.String(), "secret-value-that-must-not-leak") {
		t.Fatal("the API token reached the log")
	}
}
