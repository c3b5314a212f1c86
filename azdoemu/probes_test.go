package azdoemu_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// TestProbedAreasAnswer covers the routes that common Azure DevOps tools call when
// they start: each answers 200 with the organization's generated contents, and a
// missing item answers the service's 404.
func TestProbedAreasAnswer(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	names := func(m map[string]any) []string {
		var out []string
		for _, v := range list(t, m) {
			out = append(out, fmt.Sprint(v.(map[string]any)["name"]))
		}
		return out
	}
	t.Run("Pools", func(t *testing.T) {
		// The exporter that motivated this route calls it with api-version 5.1.
		m := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/distributedtask/pools?api-version=5.1", nil))
		if got := strings.Join(names(m), ","); got != "Default,Azure Pipelines" {
			t.Errorf("pools = %s", got)
		}
		if got := names(mustOK(t, call(t, http.MethodGet, b.org+"/_apis/distributedtask/pools?poolName=default", nil))); len(got) != 1 {
			t.Errorf("poolName filter = %v", got)
		}
		if p := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/distributedtask/pools/9", nil)); p["isHosted"] != true {
			t.Errorf("pool 9 = %v", p)
		}
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/distributedtask/pools/42", nil), 404, "No agent pool found with identifier 42", "TaskAgentPoolNotFoundException")
	})
	t.Run("Repositories", func(t *testing.T) {
		if got := names(mustOK(t, call(t, http.MethodGet, b.org+"/_apis/git/repositories", nil))); len(got) == 0 {
			t.Fatal("no repositories at organization scope")
		}
		m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/git/repositories", nil))
		if got := names(m); len(got) != 1 || got[0] != "Fabrikam Fiber" {
			t.Fatalf("project repositories = %v", got)
		}
		id := list(t, m)[0].(map[string]any)["id"].(string)
		if r := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/git/repositories/"+id, nil)); r["name"] != "Fabrikam Fiber" {
			t.Errorf("repository by id = %v", r)
		}
		wantError(t, call(t, http.MethodGet, b.proj+"/_apis/git/repositories/nope", nil), 404, "TF401019", "GitRepositoryNotFoundException")
	})
	t.Run("Teams", func(t *testing.T) {
		m := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/projects/Fabrikam%20Fiber/teams", nil))
		got := names(m)
		if len(got) != 1 || got[0] != "Fabrikam Fiber Team" {
			t.Fatalf("teams = %v", got)
		}
		id := list(t, m)[0].(map[string]any)["id"].(string)
		mustOK(t, call(t, http.MethodGet, b.org+"/_apis/projects/Fabrikam%20Fiber/teams/"+id, nil))
		mustOK(t, call(t, http.MethodGet, b.org+"/_apis/projects/Fabrikam%20Fiber/teams/Fabrikam%20Fiber%20Team", nil))
		if all := names(mustOK(t, call(t, http.MethodGet, b.org+"/_apis/teams", nil))); len(all) == 0 {
			t.Error("no teams at organization scope")
		}
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/projects/Nope/teams", nil), 404, "TF200016", "")
	})
	t.Run("ClassificationNodes", func(t *testing.T) {
		m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/classificationnodes?$depth=2", nil))
		roots := list(t, m)
		if len(roots) != 2 {
			t.Fatalf("roots = %v", roots)
		}
		area := roots[0].(map[string]any)
		if area["structureType"] != "area" || area["path"] != `\Fabrikam Fiber\Area` {
			t.Errorf("area root = %v", area)
		}
		kids, _ := area["children"].([]any)
		var kidNames []string
		for _, k := range kids {
			kidNames = append(kidNames, k.(map[string]any)["name"].(string))
		}
		if strings.Join(kidNames, ",") != "Billing,Mobile,Web" {
			t.Errorf("area children = %v", kidNames)
		}
		it := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/classificationnodes/Iterations/Sprint%202", nil))
		if it["path"] != `\Fabrikam Fiber\Iteration\Sprint 2` || it["structureType"] != "iteration" {
			t.Errorf("iteration node = %v", it)
		}
		wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/classificationnodes/Areas/Nope", nil), 404, "TF200014", "")
	})
	t.Run("Fields", func(t *testing.T) {
		if got := names(mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/fields", nil))); len(got) < 10 {
			t.Errorf("project fields = %v", got)
		}
		f := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/wit/fields/System.State", nil))
		if f["referenceName"] != "System.State" {
			t.Errorf("field = %v", f)
		}
		mustOK(t, call(t, http.MethodGet, b.org+"/_apis/wit/fields/"+url.PathEscape("Story Points"), nil))
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/fields/Custom.Nope", nil), 404, "TF51535", "")
	})
}

// TestUnservedRoutesAreCounted: a route the emulator does not serve answers the
// service's 404 for an unknown route and shows under "unserved" in the stats; a served
// route's own 404 does not.
func TestUnservedRoutesAreCounted(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	for _, u := range []string{
		b.org + "/_apis/build/definitions",
		b.proj + "/_apis/release/releases",
		b.org + "/_apis/distributedtask/agentclouds",
		b.proj + "/_apis/wit/nonsense",
	} {
		wantError(t, call(t, http.MethodGet, u, nil), 404, "The controller for path", "ApiResourceNotFoundException")
	}
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitems/99999", nil), 404, "TF401232", "")
	routes := b.srv.Stats().Routes
	if got := routes[azdoemu.RouteUnserved]["404"]; got != 4 {
		t.Errorf("unserved 404s = %d, want 4 (routes %v)", got, routes)
	}
	if got := routes["wit/workitems"]["404"]; got != 1 {
		t.Errorf("served 404 counted as %d under wit/workitems, want 1", got)
	}
}

// TestSavedQueryLifecycle creates, renames, moves, changes, deletes and restores saved
// queries and folders, with the validation errors of each.
func TestSavedQueryLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	q := b.proj + "/_apis/wit/queries/"
	flat := "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Bug'"

	folder := mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries", map[string]any{"name": "OKRs", "isFolder": true}))
	if folder["isFolder"] != true || folder["path"] != "Shared Queries/OKRs" {
		t.Fatalf("folder = %v", folder)
	}
	created := mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries/OKRs", map[string]any{"name": "Bugs", "wiql": flat}))
	id := created["id"].(string)
	if created["path"] != "Shared Queries/OKRs/Bugs" || created["queryType"] != "flat" || created["wiql"] != flat {
		t.Fatalf("created = %v", created)
	}
	// The new query runs.
	if r := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+id, nil)); len(r["workItems"].([]any)) == 0 {
		t.Errorf("the saved query found nothing: %v", r)
	}

	t.Run("Errors", func(t *testing.T) {
		wantError(t, call(t, http.MethodPost, q+"Shared%20Queries/OKRs", map[string]any{"name": "bugs", "wiql": flat}), 409, "TF237018", "QueryItemNameConflictException")
		r := call(t, http.MethodPost, q+"Shared%20Queries/OKRs", map[string]any{"name": "Broken", "wiql": "SELECT FROM"})
		if r.status != http.StatusBadRequest {
			t.Errorf("bad WIQL status %d: %s", r.status, r.body)
		}
		wantError(t, call(t, http.MethodPost, q+"Shared%20Queries/Missing", map[string]any{"name": "X", "wiql": flat}), 404, "TF401243", "QueryItemNotFoundException")
		wantError(t, call(t, http.MethodPost, q+id, map[string]any{"name": "X", "wiql": flat}), 400, "TF401259", "")
		wantError(t, call(t, http.MethodPost, q+"Shared%20Queries", map[string]any{"name": "a/b", "wiql": flat}), 400, "TF237012", "")
		wantError(t, call(t, http.MethodPost, q+"Shared%20Queries", map[string]any{"name": "No WIQL"}), 400, "TF401262", "")
		wantError(t, call(t, http.MethodPost, q+"Shared%20Queries/OKRs", map[string]any{"id": folder["id"]}), 400, "TF401261", "")
		wantError(t, call(t, http.MethodPatch, q+"Shared%20Queries", map[string]any{"name": "Renamed"}), 400, "TF401264", "")
		// validateWiqlOnly checks without saving.
		mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries?validateWiqlOnly=true", map[string]any{"name": "Dry", "wiql": flat}))
		wantError(t, call(t, http.MethodGet, q+"Shared%20Queries/Dry", nil), 404, "TF401243", "")
	})

	// Rename and change the WIQL.
	newWIQL := "SELECT [System.Id] FROM WorkItems WHERE [System.State] = 'Active'"
	upd := mustOK(t, call(t, http.MethodPatch, q+id, map[string]any{"name": "Active", "wiql": newWIQL}, "Content-Type", "application/json"))
	if upd["path"] != "Shared Queries/OKRs/Active" || upd["wiql"] != newWIQL {
		t.Fatalf("updated = %v", upd)
	}
	if got := mustOK(t, call(t, http.MethodGet, q+id+"?$expand=wiql", nil)); got["wiql"] != newWIQL {
		t.Errorf("stored WIQL = %v", got["wiql"])
	}
	// Move into My Queries.
	moved := mustOK(t, call(t, http.MethodPost, q+"My%20Queries", map[string]any{"id": id}))
	if moved["path"] != "My Queries/Active" {
		t.Fatalf("moved = %v", moved)
	}
	mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries/OKRs", map[string]any{"id": id}))

	// Delete the folder: it and its query disappear, then come back together.
	if r := call(t, http.MethodDelete, q+"Shared%20Queries/OKRs", nil); r.status != http.StatusNoContent {
		t.Fatalf("delete status %d: %s", r.status, r.body)
	}
	wantError(t, call(t, http.MethodGet, q+id, nil), 404, "TF401243", "")
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+id, nil), 404, "TF401243", "")
	del := mustOK(t, call(t, http.MethodGet, q+"Shared%20Queries/OKRs?$includeDeleted=true", nil))
	if del["isDeleted"] != true {
		t.Errorf("deleted folder = %v", del)
	}
	// A new item may take the deleted one's name, and then the restore conflicts.
	other := mustOK(t, call(t, http.MethodPost, q+"Shared%20Queries", map[string]any{"name": "OKRs", "isFolder": true}))
	wantError(t, call(t, http.MethodPatch, q+folder["id"].(string)+"?$undeleteDescendants=true", map[string]any{"isDeleted": false}, "Content-Type", "application/json"), 409, "TF237018", "")
	if r := call(t, http.MethodDelete, q+other["id"].(string), nil); r.status != http.StatusNoContent {
		t.Fatalf("delete status %d", r.status)
	}
	mustOK(t, call(t, http.MethodPatch, q+folder["id"].(string)+"?$undeleteDescendants=true", map[string]any{"isDeleted": false}, "Content-Type", "application/json"))
	if got := mustOK(t, call(t, http.MethodGet, q+id, nil)); got["path"] != "Shared Queries/OKRs/Active" {
		t.Errorf("restored = %v", got)
	}
}

// TestWorkItemHistory: updates and revisions agree with the PATCHes applied.
func TestWorkItemHistory(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	created := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/workitems/$Task", []map[string]any{
		{"op": "add", "path": "/fields/System.Title", "value": "History"}}))
	id := fmt.Sprint(created["id"])
	item := b.proj + "/_apis/wit/workitems/" + id
	mustOK(t, call(t, http.MethodPatch, item, []map[string]any{{"op": "add", "path": "/fields/System.State", "value": "Active"}}))
	mustOK(t, call(t, http.MethodPatch, item, []map[string]any{
		{"op": "add", "path": "/fields/System.Title", "value": "History, renamed"},
		{"op": "add", "path": "/relations/-", "value": map[string]any{"rel": "System.LinkTypes.Hierarchy-Reverse", "url": b.proj + "/_apis/wit/workitems/1"}},
	}))

	ups := list(t, mustOK(t, call(t, http.MethodGet, item+"/updates", nil)))
	if len(ups) != 3 {
		t.Fatalf("%d updates, want 3", len(ups))
	}
	first := ups[0].(map[string]any)["fields"].(map[string]any)
	if first["System.Title"].(map[string]any)["newValue"] != "History" || first["System.Title"].(map[string]any)["oldValue"] != nil {
		t.Errorf("update 1 title = %v", first["System.Title"])
	}
	second := ups[1].(map[string]any)["fields"].(map[string]any)
	if st := second["System.State"].(map[string]any); st["oldValue"] != "To Do" && st["oldValue"] != "New" || st["newValue"] != "Active" {
		t.Errorf("update 2 state = %v", st)
	}
	if _, ok := second["System.Title"]; ok {
		t.Errorf("update 2 lists the unchanged title: %v", second)
	}
	third := ups[2].(map[string]any)
	if third["fields"].(map[string]any)["System.Title"].(map[string]any)["oldValue"] != "History" {
		t.Errorf("update 3 = %v", third["fields"])
	}
	if added, _ := third["relations"].(map[string]any)["added"].([]any); len(added) != 1 {
		t.Errorf("update 3 relations = %v", third["relations"])
	}
	if third["revisedDate"] != "9999-01-01T00:00:00Z" {
		t.Errorf("last update revisedDate = %v", third["revisedDate"])
	}
	if page := list(t, mustOK(t, call(t, http.MethodGet, item+"/updates?$skip=1&$top=1", nil))); len(page) != 1 || page[0].(map[string]any)["id"] != 2.0 {
		t.Errorf("paged updates = %v", page)
	}
	if one := mustOK(t, call(t, http.MethodGet, item+"/updates/2", nil)); one["rev"] != 2.0 {
		t.Errorf("update 2 = %v", one)
	}
	wantError(t, call(t, http.MethodGet, item+"/updates/9", nil), 404, "VS402323", "")

	revs := list(t, mustOK(t, call(t, http.MethodGet, item+"/revisions", nil)))
	if len(revs) != 3 {
		t.Fatalf("%d revisions, want 3", len(revs))
	}
	if page := list(t, mustOK(t, call(t, http.MethodGet, item+"/revisions?$skip=1&$top=1", nil))); len(page) != 1 || page[0].(map[string]any)["rev"] != 2.0 {
		t.Errorf("paged revisions = %v", page)
	}
	wantError(t, call(t, http.MethodGet, item+"/revisions?$top=-1", nil), 400, "", "")
	r2 := mustOK(t, call(t, http.MethodGet, item+"/revisions/2", nil))
	if r2["fields"].(map[string]any)["System.State"] != "Active" || r2["fields"].(map[string]any)["System.Title"] != "History" {
		t.Errorf("revision 2 = %v", r2["fields"])
	}
	wantError(t, call(t, http.MethodGet, item+"/revisions/7", nil), 404, "VS402324", "")
}
