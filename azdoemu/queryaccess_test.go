package azdoemu_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

const otherPAT = "other-person-pat"

// names lists the names of a folder's children at depth 1.
func names(t *testing.T, folder map[string]any) []string {
	t.Helper()
	var out []string
	ch, _ := folder["children"].([]any)
	for _, c := range ch {
		out = append(out, c.(map[string]any)["name"].(string))
	}
	return out
}

func TestMyQueriesArePrivateToTheirOwner(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	b.srv.AddPATFor(otherPAT, "Other Person <other.person@fabrikam.example>")
	mine, err := b.srv.AddQuery("fabrikam", "Fabrikam Fiber", "My Queries", "My open bugs", "SELECT [System.Id] FROM WorkItems WHERE [System.AssignedTo] = @Me")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := b.srv.AddQueryAs("fabrikam", "Fabrikam Fiber", "My Queries/Drafts", "Their query", "SELECT [System.Id] FROM WorkItems", "other.person@fabrikam.example")
	if err != nil {
		t.Fatal(err)
	}
	other := []string{"Authorization", basic(otherPAT)}

	mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/"+mine, nil))
	mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+mine, nil))
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/"+mine, nil, other...), 404, "TF401243", "QueryItemNotFoundException")
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+mine, nil, other...), 404, "TF401243", "QueryItemNotFoundException")
	wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/wiql/"+mine, nil, other...), 404, "TF401243", "QueryItemNotFoundException")
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/"+url.PathEscape("My Queries")+"/My%20open%20bugs", nil, other...), 404, "TF401243", "QueryItemNotFoundException")

	mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+theirs, nil, other...))
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+theirs, nil), 404, "TF401243", "QueryItemNotFoundException")

	rootsOf := func(headers ...string) map[string][]string {
		m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries?$depth=1", nil, headers...))
		out := map[string][]string{}
		for _, r := range list(t, m) {
			f := r.(map[string]any)
			out[f["name"].(string)] = names(t, f)
		}
		return out
	}
	if got := strings.Join(rootsOf()["My Queries"], ","); !strings.Contains(got, "My open bugs") || strings.Contains(got, "Drafts") {
		t.Errorf("the owner's My Queries lists %v, want My open bugs and not the other person's Drafts", got)
	}
	if got := rootsOf(other...)["My Queries"]; strings.Join(got, ",") != "Drafts" {
		t.Errorf("the other person's My Queries lists %v, want only Drafts", got)
	}
	found := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries?$filter=query", nil, other...))
	for _, q := range list(t, found) {
		if p := q.(map[string]any)["path"].(string); strings.Contains(p, "My open bugs") {
			t.Errorf("search shows another person's private query %s", p)
		}
	}
}

func TestSharedQueryWithoutReadPermission(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	b.srv.AddPATFor(otherPAT, "Other Person <other.person@fabrikam.example>")
	id := queryID(t, b, "Shared Queries/Checkout epic tree")
	if err := b.srv.SetQueryReadable("fabrikam", "Fabrikam Fiber", "Shared Queries", "other.person@fabrikam.example", false); err != nil {
		t.Fatal(err)
	}
	other := []string{"Authorization", basic(otherPAT)}
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+id, nil, other...), 404, "TF401243", "QueryItemNotFoundException")
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/"+id, nil, other...), 404, "TF401243", "QueryItemNotFoundException")
	mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+id, nil))
	if err := b.srv.SetQueryReadable("fabrikam", "Fabrikam Fiber", "Shared Queries", "other.person@fabrikam.example", true); err != nil {
		t.Fatal(err)
	}
	mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+id, nil, other...))
}

func TestMeIsTheTokenOwner(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	b.srv.AddPATFor(otherPAT, "Other Person <other.person@fabrikam.example>")
	q := map[string]string{"query": "SELECT [System.Id] FROM WorkItems WHERE [System.AssignedTo] = @Me"}
	mine := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", q))
	theirs := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", q, "Authorization", basic(otherPAT)))
	if len(mine["workItems"].([]any)) == 0 {
		t.Fatal("@Me matched nothing for the scenario's first identity")
	}
	if n := len(theirs["workItems"].([]any)); n != 0 {
		t.Errorf("@Me for a person with no items matched %d items", n)
	}
}

func TestTreeQueryFilterModes(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{Generate: "epics=1,features=1,stories=1,tasks=2,bugs=0,seed=1"})
	const where = "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.WorkItemType] = 'Task' "
	rows := func(mode string) (roots, links int) {
		m := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": where + mode}))
		for _, r := range m["workItemRelations"].([]any) {
			if r.(map[string]any)["source"] == nil {
				roots++
			} else {
				links++
			}
		}
		return roots, links
	}
	if r, l := rows("MODE (Recursive)"); r != 1 || l != 0 {
		t.Errorf("top-level first: %d roots and %d links, want the epic alone (the feature does not match and hides the tasks)", r, l)
	}
	if r, l := rows("MODE (Recursive, ReturnMatchingChildren)"); r != 1 || l != 4 {
		t.Errorf("linked first: %d roots and %d links, want the epic with feature, story and 2 tasks", r, l)
	}
}

func TestQueryLimitAnswersVS402337(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	b.srv.SetQueryLimit(3)
	r := call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"})
	wantError(t, r, 400, "VS402337", "WorkItemTrackingQueryResultSizeLimitExceededException")
	if want := "VS402337: The number of work items returned exceeds the size limit of 3. Change the query to return fewer items."; r.json(t)["message"] != want {
		t.Errorf("message %q, want %q", r.json(t)["message"], want)
	}
	mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems WHERE [System.Id] <= 2"}))
	b.srv.SetQueryLimit(0)
	mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"}))
}
