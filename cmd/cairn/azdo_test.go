package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// TestAzdoCommandsAgainstTheEmulator runs every `cairn azdo` subcommand against the emulator
// over HTTP and checks the JSON it prints, and the errors for bad credentials and flags.
func TestAzdoCommandsAgainstTheEmulator(t *testing.T) {
	emu, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{"demo-pat"}})
	if err != nil {
		t.Fatal(err)
	}
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	common := []string{"--org-url", base + "/fabrikam", "--project", "Fabrikam Fiber", "--pat", "demo-pat"}
	runJSON := func(t *testing.T, args ...string) any {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(append(append([]string{"azdo"}, args...), common...), &out, &errb); code != 0 {
			t.Fatalf("cairn azdo %v: exit %d: %s", args, code, errb.String())
		}
		var v any
		if err := json.Unmarshal(out.Bytes(), &v); err != nil {
			t.Fatalf("cairn azdo %v printed no JSON: %v\n%s", args, err, out.String())
		}
		return v
	}
	t.Run("Projects", func(t *testing.T) {
		if !strings.Contains(mustJSON(t, runJSON(t, "projects")), "Fabrikam Fiber") {
			t.Fatal("project missing")
		}
	})
	t.Run("Queries", func(t *testing.T) {
		if !strings.Contains(mustJSON(t, runJSON(t, "queries", "--search", "Q3")), "Q3 Features") {
			t.Fatal("query missing")
		}
	})
	t.Run("RunQuery", func(t *testing.T) {
		v := runJSON(t, "run-query", "--query", "Shared Queries/Checkout epic tree", "--raw")
		if !strings.Contains(mustJSON(t, v), "workItemRelations") {
			t.Fatalf("tree query result lacks relations: %s", mustJSON(t, v))
		}
	})
	t.Run("WIQL", func(t *testing.T) {
		v := runJSON(t, "wiql", "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic' ORDER BY [System.Id]", "--raw")
		if !strings.Contains(mustJSON(t, v), `"workItems"`) {
			t.Fatalf("flat result lacks workItems: %s", mustJSON(t, v))
		}
	})
	t.Run("Items", func(t *testing.T) {
		v := runJSON(t, "items", "--ids", "1,2", "--fields", "System.Title,System.State")
		items, ok := v.([]any)
		if !ok || len(items) != 2 {
			t.Fatalf("items = %s, want an array of 2", mustJSON(t, v))
		}
		first := items[0].(map[string]any)
		fields := first["fields"].(map[string]any)
		want, err := emu.WorkItem("fabrikam", 1)
		if err != nil {
			t.Fatal(err)
		}
		if first["id"] != float64(1) || first["rev"] == nil || fields["System.Title"] != want.Fields["System.Title"] {
			t.Fatalf("item 1 = %v, want title %v", first, want.Fields["System.Title"])
		}
	})
	t.Run("BadPAT", func(t *testing.T) {
		var out, errb bytes.Buffer
		args := []string{"azdo", "projects", "--org-url", base + "/fabrikam", "--pat", "wrong"}
		if code := run(args, &out, &errb); code == 0 || out.Len() != 0 || errb.Len() == 0 {
			t.Fatalf("bad PAT: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
		}
	})
	t.Run("MissingOrgURL", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := run([]string{"azdo", "projects", "--pat", "x"}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "org-url") {
			t.Fatalf("missing --org-url: exit %d, stderr %q", code, errb.String())
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
