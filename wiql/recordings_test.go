package wiql_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/wiql"
)

// sharedDirEnv names the variable that points at the shared specification
// folder (holding azure-devops-recordings/); by default it is ../shared
// next to the repository root.
const sharedDirEnv = "CAIRN_SHARED_DIR"

func recordingsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(sharedDirEnv)
	if dir == "" {
		root, err := os.Getwd()
		if err != nil {
			t.Fatalf("getwd: %v", err)
		}
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				t.Fatalf("no go.mod above the test directory")
			}
			root = parent
		}
		dir = filepath.Join(root, "..", "shared")
	}
	rec := filepath.Join(dir, "azure-devops-recordings")
	if _, err := os.Stat(rec); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("recordings folder %s missing (set %s): %v", rec, sharedDirEnv, err)
		}
		t.Skipf("recordings folder %s missing; set %s to the shared folder to run this test", rec, sharedDirEnv)
	}
	return rec
}

// recordedQueries returns every WIQL text in the recordings: .wiql files and
// "wiql" or "query" strings in JSON files that start with SELECT.
func recordedQueries(t *testing.T) map[string]string {
	t.Helper()
	dir := recordingsDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	out := map[string]string{}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch filepath.Ext(e.Name()) {
		case ".wiql":
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read %s: %v", path, err)
			}
			out[e.Name()] = string(b)
		case ".json":
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read %s: %v", path, err)
			}
			var doc any
			if err := json.Unmarshal(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), &doc); err != nil {
				continue // not every recording is one JSON document
			}
			n := 0
			collectWIQL(doc, func(s string) {
				n++
				out[e.Name()+"#"+strings.Repeat("i", n)] = s
			})
		}
	}
	return out
}

func collectWIQL(v any, add func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if s, ok := child.(string); ok && (k == "wiql" || k == "query") &&
				strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "select") {
				add(s)
				continue
			}
			collectWIQL(child, add)
		}
	case []any:
		for _, child := range x {
			collectWIQL(child, add)
		}
	}
}

func TestRecordedQueriesParse(t *testing.T) {
	t.Parallel()
	queries := recordedQueries(t)
	if len(queries) < 8 {
		t.Fatalf("found %d recorded WIQL texts, want at least 8", len(queries))
	}
	sawTree := false
	for name, src := range queries {
		t.Run(name, func(t *testing.T) {
			q, err := wiql.Parse(src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", src, err)
			}
			if len(q.Fields) == 0 {
				t.Errorf("Parse(%q) has no fields", src)
			}
			if _, err := wiql.Parse(q.String()); err != nil {
				t.Errorf("Parse(String()) of %q: %v", q.String(), err)
			}
			if q.QueryType() == "tree" {
				sawTree = true
			}
		})
	}
	if !sawTree {
		t.Errorf("no recorded tree query found")
	}
}
