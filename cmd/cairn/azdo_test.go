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
	t.Run("QueryWrites", func(t *testing.T) {
		folder := runJSON(t, "queries", "create", "--folder", "Shared Queries", "--name", "Cairn", "--is-folder").(map[string]any)
		if folder["path"] != "Shared Queries/Cairn" || folder["isFolder"] != true {
			t.Fatalf("folder = %v", folder)
		}
		q := runJSON(t, "queries", "create", "--folder", "Shared Queries/Cairn", "--name", "Epics",
			"--wiql", "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic'").(map[string]any)
		id := q["id"].(string)
		upd := runJSON(t, "queries", "update", "--query", "Shared Queries/Cairn/Epics", "--name", "All epics",
			"--wiql", "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic' ORDER BY [System.Id]").(map[string]any)
		if upd["id"] != id || upd["path"] != "Shared Queries/Cairn/All epics" {
			t.Fatalf("updated = %v", upd)
		}
		moved := runJSON(t, "queries", "update", "--query", id, "--move-to", "My Queries").(map[string]any)
		if moved["path"] != "My Queries/All epics" {
			t.Fatalf("moved = %v", moved)
		}
		if !strings.Contains(mustJSON(t, runJSON(t, "run-query", "--query", id, "--raw")), `"workItems"`) {
			t.Fatal("the created query does not run")
		}
		var out, errb bytes.Buffer
		if code := run(append([]string{"azdo", "queries", "delete", "--query", "My Queries/All epics"}, common...), &out, &errb); code != 0 {
			t.Fatalf("delete: exit %d: %s", code, errb.String())
		}
		restored := runJSON(t, "queries", "undelete", "--query", id).(map[string]any)
		if restored["path"] != "My Queries/All epics" {
			t.Fatalf("restored = %v", restored)
		}
		for _, bad := range []struct {
			args []string
			want string
		}{
			{[]string{"queries", "create", "--name", "X"}, "give --wiql for a query, or --is-folder"},
			{[]string{"queries", "create", "--folder", "Shared Queries/Cairn", "--name", "Bad", "--wiql", "SELECT FROM"}, "400"},
			{[]string{"queries", "create", "--folder", "Shared Queries", "--name", "Cairn", "--is-folder"}, "TF237018"},
			{[]string{"queries", "update", "--query", id}, "nothing to change"},
			{[]string{"queries", "delete"}, "missing --query"},
			{[]string{"queries", "undelete", "--query", "My Queries/All epics"}, "must be the deleted query's ID"},
			{[]string{"queries", "rename"}, "unknown queries action"},
		} {
			out.Reset()
			errb.Reset()
			if code := run(append(append([]string{"azdo"}, bad.args...), common...), &out, &errb); code == 0 || !strings.Contains(errb.String(), bad.want) {
				t.Errorf("cairn azdo %v: exit %d, stderr %q, want it to mention %q", bad.args, code, errb.String(), bad.want)
			}
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
