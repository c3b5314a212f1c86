package azdoemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// queryTree builds, in Shared Queries, the folder "Undelete" holding the query "Q1",
// the folder "Sub" with the query "Q2", and the query "Q0" deleted on its own; then
// deletes "Undelete". It returns the ids by name.
func queryTree(t *testing.T, b *testBundle) map[string]string {
	t.Helper()
	q := b.proj + "/_apis/wit/queries/"
	wiql := "SELECT [System.Id] FROM WorkItems"
	ids := map[string]string{}
	ids["Undelete"] = mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries", map[string]any{"name": "Undelete", "isFolder": true}))["id"].(string)
	ids["Q0"] = mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries/Undelete", map[string]any{"name": "Q0", "wiql": wiql}))["id"].(string)
	ids["Q1"] = mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries/Undelete", map[string]any{"name": "Q1", "wiql": wiql}))["id"].(string)
	ids["Sub"] = mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries/Undelete", map[string]any{"name": "Sub", "isFolder": true}))["id"].(string)
	ids["Q2"] = mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries/Undelete/Sub", map[string]any{"name": "Q2", "wiql": wiql}))["id"].(string)
	for _, name := range []string{"Q0", "Undelete"} {
		if r := call(t, http.MethodDelete, q+ids[name], nil); r.status != http.StatusNoContent {
			t.Fatalf("delete %s: %d %s", name, r.status, r.body)
		}
	}
	// Deleting the folder deleted what it held: each item is deleted itself.
	for _, name := range []string{"Undelete", "Q0", "Q1", "Sub", "Q2"} {
		wantError(t, call(t, http.MethodGet, q+ids[name], nil), 404, "TF401243", "QueryItemNotFoundException")
		if got := mustOK(t, call(t, http.MethodGet, q+ids[name]+"?$includeDeleted=true", nil)); got["isDeleted"] != true {
			t.Errorf("%s with $includeDeleted = %v, want isDeleted", name, got)
		}
	}
	return ids
}

// live reports which of names are live query items.
func live(t *testing.T, b *testBundle, ids map[string]string, names ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, n := range names {
		r := call(t, http.MethodGet, b.proj+"/_apis/wit/queries/"+ids[n], nil)
		switch r.status {
		case http.StatusOK:
			out[n] = true
		case http.StatusNotFound:
			out[n] = false
		default:
			t.Fatalf("GET %s: %d %s", n, r.status, r.body)
		}
	}
	return out
}

// TestQueryFolderUndelete: deleting a folder deletes its descendants too; an undelete
// without $undeleteDescendants restores the folder alone, and with it the folder and
// what was deleted with it, but not what had been deleted on its own before.
func TestQueryFolderUndelete(t *testing.T) {
	t.Parallel()
	undelete := func(t *testing.T, b *testBundle, id string, descendants bool) map[string]any {
		t.Helper()
		u := b.proj + "/_apis/wit/queries/" + id
		if descendants {
			u += "?$undeleteDescendants=true"
		}
		return mustOK(t, call(t, http.MethodPatch, u, map[string]any{"isDeleted": false}, "Content-Type", "application/json"))
	}
	all := []string{"Undelete", "Q0", "Q1", "Sub", "Q2"}

	t.Run("WithoutDescendants", func(t *testing.T) {
		t.Parallel()
		b := setup(t, azdoemu.Options{})
		ids := queryTree(t, b)
		folder := undelete(t, b, ids["Undelete"], false)
		if folder["isDeleted"] != nil || folder["hasChildren"] != false {
			t.Errorf("undeleted folder = %v, want live and empty", folder)
		}
		if got := live(t, b, ids, all...); !got["Undelete"] || got["Q0"] || got["Q1"] || got["Sub"] || got["Q2"] {
			t.Errorf("live after undeleting the folder alone: %v", got)
		}
		kids := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/Shared%20Queries/Undelete?$depth=1&$includeDeleted=true", nil))["children"].([]any)
		if len(kids) != 3 {
			t.Errorf("children with $includeDeleted = %v, want Q0, Q1 and Sub", kids)
		}
		// Each child then comes back on its own; a folder with what was deleted with it.
		undelete(t, b, ids["Q1"], false)
		undelete(t, b, ids["Sub"], true)
		if got := live(t, b, ids, all...); !got["Q1"] || !got["Sub"] || !got["Q2"] || got["Q0"] {
			t.Errorf("live after undeleting Q1 and Sub: %v", got)
		}
	})

	t.Run("WithDescendants", func(t *testing.T) {
		t.Parallel()
		b := setup(t, azdoemu.Options{})
		ids := queryTree(t, b)
		folder := undelete(t, b, ids["Undelete"], true)
		if folder["hasChildren"] != true {
			t.Errorf("undeleted folder = %v, want children", folder)
		}
		if got := live(t, b, ids, all...); !got["Undelete"] || !got["Q1"] || !got["Sub"] || !got["Q2"] || got["Q0"] {
			t.Errorf("live after undeleting with descendants: %v (Q0 was deleted before the folder)", got)
		}
	})

	t.Run("ChildOfDeletedFolder", func(t *testing.T) {
		t.Parallel()
		b := setup(t, azdoemu.Options{})
		ids := queryTree(t, b)
		r := call(t, http.MethodPatch, b.proj+"/_apis/wit/queries/"+ids["Q1"], map[string]any{"isDeleted": false}, "Content-Type", "application/json")
		wantError(t, r, 400, "TF401263", "QueryItemParentDeletedException")
	})

	t.Run("GoDeleteQuery", func(t *testing.T) {
		t.Parallel()
		b := setup(t, azdoemu.Options{})
		folder := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/queries/Shared%20Queries", map[string]any{"name": "Go", "isFolder": true}))
		child := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/queries/Shared%20Queries/Go", map[string]any{"name": "Child", "wiql": "SELECT [System.Id] FROM WorkItems"}))
		if err := b.srv.DeleteQuery("fabrikam", "Fabrikam Fiber", "Shared Queries/Go"); err != nil {
			t.Fatal(err)
		}
		undelete(t, b, folder["id"].(string), false)
		wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/"+child["id"].(string), nil), 404, "TF401243", "")
	})
}

// TestQueryCreateBadWIQL: a query saved with WIQL that does not parse answers the same
// 400 as POST wiql, and nothing is saved.
func TestQueryCreateBadWIQL(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	const typeName = "Microsoft.TeamFoundation.WorkItemTracking.Server.Common.SyntaxException, Microsoft.TeamFoundation.WorkItemTracking.Server"
	for name, r := range map[string]response{
		"Create": call(t, http.MethodPost, b.proj+"/_apis/wit/queries/Shared%20Queries", map[string]any{"name": "Broken", "wiql": "SELECT FROM"}),
		"Wiql":   call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]any{"query": "SELECT FROM"}),
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, r, 400, "VS402336: ", "SyntaxException")
			if got := r.json(t)["typeName"]; got != typeName {
				t.Errorf("typeName %v, want %s", got, typeName)
			}
		})
	}
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/Shared%20Queries/Broken", nil), 404, "TF401243", "")
}

// TestStatsHTTPCountsUnserved: the unserved routes show in GET /_emulator/stats, the
// HTTP answer tools read, not only in Stats().
func TestStatsHTTPCountsUnserved(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	for _, u := range []string{b.org + "/_apis/build/definitions", b.proj + "/_apis/wit/nonsense", b.org + "/_apis/wit/workitems/1/comments"} {
		wantError(t, call(t, http.MethodGet, u, nil), 404, "The controller for path", "ApiResourceNotFoundException")
	}
	mustOK(t, call(t, http.MethodGet, b.org+"/_apis/projects", nil))
	resp, err := http.Get(b.base + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var stats struct {
		Total  int64                       `json:"total"`
		Routes map[string]map[string]int64 `json:"routes"`
	}
	if err := json.Unmarshal(data, &stats); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stats %d %s: %v", resp.StatusCode, data, err)
	}
	if got := stats.Routes[azdoemu.RouteUnserved]["404"]; got != 3 {
		t.Errorf("unserved 404s = %d, want 3: %s", got, data)
	}
	if got := stats.Routes["core/projects"]["200"]; got != 1 || stats.Total != 4 {
		t.Errorf("projects 200s = %d, total = %d, want 1 and 4: %s", got, stats.Total, data)
	}
}
