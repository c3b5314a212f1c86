package azdoemu_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{PATs: []string{testPAT, "expired-pat", "cap-pat"}, BearerTokens: []string{"good-bearer"}})
	if err := b.srv.SetPATExpired("expired-pat", true); err != nil {
		t.Fatal(err)
	}
	if err := b.srv.SetCAP("cap-pat", true); err != nil {
		t.Fatal(err)
	}
	url := b.org + "/_apis/projects"
	tests := []struct {
		name   string
		auth   string
		status int
	}{
		{"MissingIs401", "", http.StatusUnauthorized},
		{"UnknownPATIs401", basic("nope"), http.StatusUnauthorized},
		{"MalformedBasicIs203", "Basic !!!not-base64", http.StatusNonAuthoritativeInfo},
		{"ExpiredPATIs203", basic("expired-pat"), http.StatusNonAuthoritativeInfo},
		{"UnknownBearerIs203", "Bearer nope", http.StatusNonAuthoritativeInfo},
		{"KnownBearerIs200", "Bearer good-bearer", http.StatusOK},
		{"KnownPATIs200", basic(testPAT), http.StatusOK},
		{"CAPTokenIs403", basic("cap-pat"), http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := call(t, http.MethodGet, url, nil, "Authorization", tc.auth)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			switch tc.status {
			case http.StatusUnauthorized:
				if len(r.body) != 0 {
					t.Errorf("401 body not empty: %q", r.body)
				}
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Basic realm="`) {
					t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
				}
			case http.StatusNonAuthoritativeInfo:
				if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Sign In") {
					t.Errorf("203 is not a sign-in page: %s %s", r.header.Get("Content-Type"), r.body)
				}
			case http.StatusForbidden:
				wantError(t, r, 403, "VS403463", "VssServiceException")
			}
		})
	}
	t.Run("CAPOnOrganizationIs403", func(t *testing.T) {
		t.Parallel()
		c := setup(t, azdoemu.Options{})
		if err := c.srv.SetCAP("fabrikam", true); err != nil {
			t.Fatal(err)
		}
		wantError(t, call(t, http.MethodGet, c.org+"/_apis/projects", nil), 403, "VS403463", "VssServiceException")
	})
}

func TestAPIVersion(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	t.Run("QueryStringAccepted", func(t *testing.T) {
		t.Parallel()
		r := call(t, http.MethodGet, b.org+"/_apis/projects?api-version=7.1", nil)
		mustOK(t, r)
		if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8; api-version=7.1" {
			t.Errorf("Content-Type = %q", ct)
		}
	})
	t.Run("AcceptHeaderAccepted", func(t *testing.T) {
		t.Parallel()
		mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"},
			"Accept", "application/json;api-version=7.1-preview.2"))
	})
	t.Run("MissingOnPostIs400", func(t *testing.T) {
		t.Parallel()
		r := call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"}, "Accept", "application/json")
		wantError(t, r, 400, "No api-version", "VssVersionNotSpecifiedException")
	})
	t.Run("TooNewIs400", func(t *testing.T) {
		t.Parallel()
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/projects?api-version=7.2", nil), 400, "VS800071", "")
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/projects?api-version=7.3-preview.1", nil), 400, "VS800071", "")
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/projects?api-version=10.0-preview", nil), 400, "VS800071", "")
	})
	t.Run("NextPreviewAccepted", func(t *testing.T) {
		// The locations offer 7.2 in preview (maxVersion 7.2), which the Node SDK asks for.
		t.Parallel()
		mustOK(t, call(t, http.MethodGet, b.org+"/_apis/projects?api-version=7.2-preview.4", nil))
		mustOK(t, call(t, http.MethodGet, b.org+"/_apis/projects", nil, "Accept", "application/json;api-version=7.2-preview"))
	})
}

func TestProjects(t *testing.T) {
	t.Parallel()
	sc, err := azdoemu.ParseScenario([]byte(`
organizations:
  - name: contoso
    projects:
      - {name: Alpha, process: Agile}
      - {name: Beta, process: Scrum}
      - {name: Gamma, process: Basic}
`))
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, azdoemu.Options{Scenario: sc})
	org := b.base + "/contoso"
	t.Run("PagesWithContinuationToken", func(t *testing.T) {
		t.Parallel()
		var names []string
		url := org + "/_apis/projects?$top=2"
		for page := 0; page < 5; page++ {
			r := call(t, http.MethodGet, url, nil)
			for _, p := range list(t, mustOK(t, r)) {
				names = append(names, p.(map[string]any)["name"].(string))
			}
			tok := r.header.Get("X-MS-ContinuationToken")
			if tok == "" {
				break
			}
			url = org + "/_apis/projects?$top=2&continuationToken=" + tok
		}
		if got := strings.Join(names, ","); got != "Alpha,Beta,Gamma" {
			t.Fatalf("projects = %s", got)
		}
	})
	t.Run("ByNameAndIDMatch", func(t *testing.T) {
		t.Parallel()
		byName := mustOK(t, call(t, http.MethodGet, org+"/_apis/projects/Beta", nil))
		byID := mustOK(t, call(t, http.MethodGet, org+"/_apis/projects/"+byName["id"].(string), nil))
		if byID["name"] != "Beta" {
			t.Fatalf("by id name = %v", byID["name"])
		}
		caps := byName["capabilities"].(map[string]any)["processTemplate"].(map[string]any)
		if caps["templateName"] != "Scrum" {
			t.Errorf("process = %v", caps["templateName"])
		}
	})
	t.Run("UnknownProjectIs404TF200016", func(t *testing.T) {
		t.Parallel()
		wantError(t, call(t, http.MethodGet, org+"/Nope/_apis/wit/workitemtypes", nil), 404, "TF200016", "ProjectDoesNotExistWithNameException")
		wantError(t, call(t, http.MethodGet, org+"/_apis/projects/Nope", nil), 404, "TF200016", "ProjectDoesNotExistWithNameException")
	})
	t.Run("StatesHaveRealCategories", func(t *testing.T) {
		t.Parallel()
		cases := []struct{ project, typ, want string }{
			{"Alpha", "User%20Story", "New:Proposed,Active:InProgress,Resolved:Resolved,Closed:Completed,Removed:Removed"},
			{"Alpha", "Task", "New:Proposed,Active:InProgress,Closed:Completed,Removed:Removed"},
			{"Alpha", "Bug", "New:Proposed,Active:InProgress,Resolved:Resolved,Closed:Completed"},
			{"Beta", "Product%20Backlog%20Item", "New:Proposed,Approved:Proposed,Committed:InProgress,Done:Completed,Removed:Removed"},
			{"Beta", "Task", "To Do:Proposed,In Progress:InProgress,Done:Completed,Removed:Removed"},
			{"Gamma", "Issue", "To Do:Proposed,Doing:InProgress,Done:Completed"},
		}
		for _, tc := range cases {
			var got []string
			for _, s := range list(t, mustOK(t, call(t, http.MethodGet, org+"/"+tc.project+"/_apis/wit/workitemtypes/"+tc.typ+"/states", nil))) {
				m := s.(map[string]any)
				got = append(got, fmt.Sprintf("%v:%v", m["name"], m["category"]))
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("%s/%s states = %s, want %s", tc.project, tc.typ, strings.Join(got, ","), tc.want)
			}
		}
	})
	t.Run("TypesListAndOne", func(t *testing.T) {
		t.Parallel()
		types := list(t, mustOK(t, call(t, http.MethodGet, org+"/Gamma/_apis/wit/workitemtypes", nil)))
		if len(types) != 3 {
			t.Fatalf("Basic has %d types, want 3", len(types))
		}
		one := mustOK(t, call(t, http.MethodGet, org+"/Beta/_apis/wit/workitemtypes/Bug", nil))
		if one["name"] != "Bug" || one["referenceName"] != "Microsoft.VSTS.WorkItemTypes.Bug" {
			t.Errorf("type = %v %v", one["name"], one["referenceName"])
		}
		wantError(t, call(t, http.MethodGet, org+"/Beta/_apis/wit/workitemtypes/Nope", nil), 404, "TF401326", "")
	})
}

func TestProfileAndAccounts(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	me := mustOK(t, call(t, http.MethodGet, b.base+"/_vssps/_apis/profile/profiles/me", nil))
	if me["displayName"] != "Jamal Hartnett" || me["emailAddress"] != "jamal.hartnett@fabrikam.example" {
		t.Fatalf("me = %v", me)
	}
	accts := list(t, mustOK(t, call(t, http.MethodGet, b.base+"/_vssps/_apis/accounts?memberId="+me["id"].(string), nil)))
	if len(accts) != 1 || accts[0].(map[string]any)["accountName"] != "fabrikam" {
		t.Fatalf("accounts = %v", accts)
	}
	other := list(t, mustOK(t, call(t, http.MethodGet, b.base+"/_vssps/_apis/accounts?memberId=00000000-0000-0000-0000-000000000000", nil)))
	if len(other) != 0 {
		t.Errorf("a stranger has accounts: %v", other)
	}
	cd := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/connectionData", nil))
	if cd["authenticatedUser"].(map[string]any)["providerDisplayName"] != "Jamal Hartnett" {
		t.Errorf("connectionData = %v", cd)
	}
}

func TestQueries(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	t.Run("TreeDepthControlsChildren", func(t *testing.T) {
		t.Parallel()
		d0 := list(t, mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries?$depth=0", nil)))
		if len(d0) != 2 || d0[0].(map[string]any)["name"] != "My Queries" || d0[1].(map[string]any)["name"] != "Shared Queries" {
			t.Fatalf("roots = %v", d0)
		}
		if _, ok := d0[1].(map[string]any)["children"]; ok {
			t.Errorf("depth 0 has children")
		}
		d2 := list(t, mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries?$depth=2&$expand=wiql", nil)))
		shared := d2[1].(map[string]any)
		var team map[string]any
		for _, ch := range shared["children"].([]any) {
			if c := ch.(map[string]any); c["name"] == "Team" {
				team = c
			}
		}
		if team == nil || team["isFolder"] != true || len(team["children"].([]any)) != 1 {
			t.Fatalf("Team folder = %v", team)
		}
		q := team["children"].([]any)[0].(map[string]any)
		if q["path"] != "Shared Queries/Team/Open bugs" || !strings.HasPrefix(q["wiql"].(string), "SELECT") {
			t.Errorf("nested query = %v", q)
		}
		wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries?$depth=3", nil), 400, "VS402371", "")
	})
	t.Run("ByPathAndIDAgree", func(t *testing.T) {
		t.Parallel()
		byPath := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/Shared%20Queries/Checkout%20epic%20tree?$expand=all", nil))
		if byPath["queryType"] != "tree" || byPath["isPublic"] != true {
			t.Fatalf("query = %v", byPath)
		}
		byID := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/"+byPath["id"].(string), nil))
		if byID["path"] != "Shared Queries/Checkout epic tree" {
			t.Errorf("by id path = %v", byID["path"])
		}
		if _, ok := byID["wiql"]; ok {
			t.Errorf("wiql present without $expand")
		}
	})
	t.Run("SearchFindsByName", func(t *testing.T) {
		t.Parallel()
		res := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries?$filter=feat&$top=10", nil))
		var names []string
		for _, v := range list(t, res) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		if strings.Join(names, ",") != "Q3 Features,Features with stories" {
			t.Errorf("search = %v", names)
		}
	})
	t.Run("UnknownIs404TF401243", func(t *testing.T) {
		t.Parallel()
		wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/queries/Shared%20Queries/Nope", nil), 404, "TF401243", "QueryItemNotFoundException")
		wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/7c9b8e3a-0000-4000-8000-000000000000", nil), 404, "TF401243", "QueryItemNotFoundException")
	})
	t.Run("DeletedQueryIs404", func(t *testing.T) {
		t.Parallel()
		c := setup(t, azdoemu.Options{})
		id := queryID(t, c, "Shared Queries/Q3 Features")
		if err := c.srv.DeleteQuery("fabrikam", "Fabrikam Fiber", id); err != nil {
			t.Fatal(err)
		}
		wantError(t, call(t, http.MethodGet, c.proj+"/_apis/wit/wiql/"+id, nil), 404, "TF401243", "")
	})
}

func TestWIQL(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	t.Run("FlatResultShape", func(t *testing.T) {
		t.Parallel()
		r := call(t, http.MethodPost, b.proj+"/_apis/wit/wiql?timePrecision=true", map[string]string{
			"query": "SELECT [System.Id], [System.Title] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.WorkItemType] = 'Epic' ORDER BY [System.Id] DESC"})
		m := mustOK(t, r)
		if m["queryType"] != "flat" || m["queryResultType"] != "workItem" {
			t.Fatalf("types = %v %v", m["queryType"], m["queryResultType"])
		}
		items := m["workItems"].([]any)
		if len(items) != 3 || items[0].(map[string]any)["id"].(float64) != 3 {
			t.Fatalf("workItems = %v", items)
		}
		if r.header.Get("X-Total-Count") != "3" {
			t.Errorf("x-total-count = %q", r.header.Get("X-Total-Count"))
		}
		cols := m["columns"].([]any)
		if c := cols[1].(map[string]any); c["referenceName"] != "System.Title" || c["name"] != "Title" || !strings.HasSuffix(c["url"].(string), "/_apis/wit/fields/System.Title") {
			t.Errorf("column = %v", c)
		}
		sc := m["sortColumns"].([]any)[0].(map[string]any)
		if sc["descending"] != true || sc["field"].(map[string]any)["referenceName"] != "System.Id" {
			t.Errorf("sortColumns = %v", sc)
		}
		if _, err := time.Parse(time.RFC3339, m["asOf"].(string)); err != nil {
			t.Errorf("asOf %v: %v", m["asOf"], err)
		}
	})
	t.Run("TreeRootsCarryOnlyTarget", func(t *testing.T) {
		t.Parallel()
		id := queryID(t, b, "Shared Queries/Checkout epic tree")
		m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+id, nil))
		rels := m["workItemRelations"].([]any)
		root := rels[0].(map[string]any)
		if len(root) != 1 || root["target"].(map[string]any)["id"].(float64) != 1 {
			t.Fatalf("root row = %v", root)
		}
		child := rels[1].(map[string]any)
		if child["rel"] != "System.LinkTypes.Hierarchy-Forward" || child["source"].(map[string]any)["id"].(float64) != 1 {
			t.Errorf("child row = %v", child)
		}
		if m["queryType"] != "tree" || m["queryResultType"] != "workItemLink" {
			t.Errorf("types = %v %v", m["queryType"], m["queryResultType"])
		}
	})
	t.Run("SavedQueryRunsAtOrgProjectAndTeamLevel", func(t *testing.T) {
		t.Parallel()
		id := queryID(t, b, "Shared Queries/Features with stories")
		var counts []int
		for _, u := range []string{b.org, b.proj, b.proj + "/Fabrikam%20Fiber%20Team"} {
			m := mustOK(t, call(t, http.MethodGet, u+"/_apis/wit/wiql/"+id+"?$top=5", nil))
			if m["queryType"] != "oneHop" {
				t.Fatalf("queryType = %v", m["queryType"])
			}
			counts = append(counts, len(m["workItemRelations"].([]any)))
		}
		if counts[0] == 0 || counts[0] != counts[1] || counts[1] != counts[2] {
			t.Errorf("row counts = %v", counts)
		}
	})
	t.Run("SyntaxErrorIs400", func(t *testing.T) {
		t.Parallel()
		wantError(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT FROM"}), 400, "VS402336", "")
	})
	t.Run("AsOfSeesOldState", func(t *testing.T) {
		t.Parallel()
		q := func(asOf string) int {
			wq := "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic' AND [System.State] = 'New'"
			if asOf != "" {
				wq += " ASOF '" + asOf + "'"
			}
			return len(mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": wq}))["workItems"].([]any))
		}
		if now, then := q(""), q(fixedNow.AddDate(0, 0, -160).Format(time.RFC3339)); now != 0 || then != 3 {
			t.Errorf("New epics now %d, 160 days ago %d; want 0 and 3", now, then)
		}
	})
}

func TestWIQLTooManyRows(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{Generate: "epics=1,features=1,stories=1,tasks=20001,seed=3"})
	r := call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"})
	wantError(t, r, 400, "VS402337", "WorkItemTrackingQueryResultSizeLimitExceededException")
	m := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql?$top=50", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"}))
	if n := len(m["workItems"].([]any)); n != 50 {
		t.Errorf("$top=50 returned %d", n)
	}
}

func TestWorkItemsRead(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	t.Run("BatchReturnsFieldsInOrder", func(t *testing.T) {
		t.Parallel()
		m := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/workitemsbatch", map[string]any{
			"ids": []int{5, 1}, "fields": []string{"System.Id", "System.Title", "System.AssignedTo"}}))
		v := list(t, m)
		first := v[0].(map[string]any)
		if first["id"].(float64) != 5 || len(first["fields"].(map[string]any)) != 3 {
			t.Fatalf("first = %v", first)
		}
		who := first["fields"].(map[string]any)["System.AssignedTo"].(map[string]any)
		for _, k := range []string{"displayName", "url", "_links", "id", "uniqueName", "imageUrl", "descriptor"} {
			if _, ok := who[k]; !ok {
				t.Errorf("identity lacks %s: %v", k, who)
			}
		}
	})
	t.Run("Over200IdsIs400VS403474", func(t *testing.T) {
		t.Parallel()
		ids := make([]int, 201)
		var s []string
		for i := range ids {
			ids[i] = i + 1
			s = append(s, strconv.Itoa(i+1))
		}
		wantError(t, call(t, http.MethodPost, b.proj+"/_apis/wit/workitemsbatch", map[string]any{"ids": ids}), 400, "VS403474", "")
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitems?ids="+strings.Join(s, ","), nil), 400, "VS403474", "")
	})
	t.Run("MissingIdFailsOrOmits", func(t *testing.T) {
		t.Parallel()
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitems?ids=1,12345", nil), 404, "TF401232", "WorkItemUnauthorizedAccessException")
		v := list(t, mustOK(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitems?ids=1,12345&errorPolicy=omit", nil)))
		if len(v) != 2 || v[1] != nil || v[0] == nil {
			t.Fatalf("omit = %v", v)
		}
		v = list(t, mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/workitemsbatch", map[string]any{"ids": []int{12345, 2}, "errorPolicy": "omit"})))
		if v[0] != nil || v[1] == nil {
			t.Fatalf("batch omit = %v", v)
		}
	})
	t.Run("SingleItemHasWebLinkAndRelations", func(t *testing.T) {
		t.Parallel()
		m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitems/4?$expand=relations", nil))
		want := b.org + "/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c/_workitems/edit/4"
		if got := m["_links"].(map[string]any)["html"].(map[string]any)["href"]; got != want {
			t.Errorf("html = %v, want %s", got, want)
		}
		var parent bool
		for _, r := range m["relations"].([]any) {
			rel := r.(map[string]any)
			if rel["rel"] == "System.LinkTypes.Hierarchy-Reverse" && strings.HasSuffix(rel["url"].(string), "/workItems/1") {
				parent = rel["attributes"].(map[string]any)["name"] == "Parent"
			}
		}
		if !parent {
			t.Errorf("feature 4 has no Parent relation to epic 1: %v", m["relations"])
		}
		if m["fields"].(map[string]any)["System.Parent"].(float64) != 1 {
			t.Errorf("System.Parent = %v", m["fields"].(map[string]any)["System.Parent"])
		}
		wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitems/12345", nil), 404, "TF401232", "")
	})
	t.Run("UnsetFieldsAreAbsent", func(t *testing.T) {
		t.Parallel()
		c := setup(t, azdoemu.Options{})
		id, err := c.srv.CreateWorkItem("fabrikam", "Fabrikam Fiber", "Task", map[string]any{"Title": "Unassigned"})
		if err != nil {
			t.Fatal(err)
		}
		m := mustOK(t, call(t, http.MethodGet, c.proj+"/_apis/wit/workitems/"+strconv.Itoa(id), nil))
		f := m["fields"].(map[string]any)
		if _, ok := f["System.AssignedTo"]; ok {
			t.Errorf("unassigned item has System.AssignedTo: %v", f["System.AssignedTo"])
		}
		for k, v := range f {
			if v == nil {
				t.Errorf("field %s is null", k)
			}
		}
	})
	t.Run("AsOfReturnsEarlierRevision", func(t *testing.T) {
		t.Parallel()
		old := fixedNow.AddDate(0, 0, -160).Format(time.RFC3339)
		v := list(t, mustOK(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitems?ids=1&asOf="+old, nil)))
		it := v[0].(map[string]any)
		if it["rev"].(float64) != 1 || it["fields"].(map[string]any)["System.State"] != "New" {
			t.Errorf("asOf item = rev %v state %v", it["rev"], it["fields"].(map[string]any)["System.State"])
		}
	})
	t.Run("FieldsWithExpandIs400", func(t *testing.T) {
		t.Parallel()
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitems?ids=1&fields=System.Title&$expand=all", nil), 400, "VS403437", "")
		wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitems?ids=1&fields=Nope.Field", nil), 400, "TF51535", "")
	})
}

func TestReportingRevisions(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	all, err := b.srv.WorkItems("fabrikam", "Fabrikam Fiber")
	if err != nil {
		t.Fatal(err)
	}
	read := func(url string) (seen map[int]int, token string) {
		seen = map[int]int{}
		for page := 0; page < 100; page++ {
			m := mustOK(t, call(t, http.MethodGet, url, nil))
			for _, v := range m["values"].([]any) {
				it := v.(map[string]any)
				seen[int(it["id"].(float64))]++
				if _, ok := it["fields"].(map[string]any)["System.AssignedTo"].(string); !ok && it["fields"].(map[string]any)["System.AssignedTo"] != nil {
					t.Fatalf("reporting identity is not a string: %v", it["fields"])
				}
			}
			token = m["continuationToken"].(string)
			if m["isLastBatch"] == true {
				return seen, token
			}
			if !strings.Contains(m["nextLink"].(string), "continuationToken="+token) {
				t.Fatalf("nextLink %v lacks the token", m["nextLink"])
			}
			url = b.proj + "/_apis/wit/reporting/workitemrevisions?includeLatestOnly=true&$maxPageSize=7&continuationToken=" + token
		}
		t.Fatal("no last batch after 100 pages")
		return nil, ""
	}
	seen, token := read(b.proj + "/_apis/wit/reporting/workitemrevisions?includeLatestOnly=true&$maxPageSize=7")
	if len(seen) != len(all) {
		t.Fatalf("saw %d items, want %d", len(seen), len(all))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("item %d seen %d times with includeLatestOnly", id, n)
		}
	}
	if err := b.srv.UpdateWorkItem("fabrikam", "Fabrikam Fiber", 7, map[string]any{"System.State": "Active"}); err != nil {
		t.Fatal(err)
	}
	again, _ := read(b.proj + "/_apis/wit/reporting/workitemrevisions?includeLatestOnly=true&continuationToken=" + token)
	if len(again) != 1 || again[7] != 1 {
		t.Errorf("changes since token = %v, want only item 7", again)
	}
}

func TestEmulatorRoutes(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{Faults: "wit/wiql:503"})
	wantError(t, call(t, http.MethodPost, b.proj+"/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"}), 503, "", "")
	mustOK(t, call(t, http.MethodGet, b.org+"/_apis/projects", nil))
	st := call(t, http.MethodGet, b.base+"/_emulator/stats", nil, "Authorization", "")
	m := mustOK(t, st)
	routes := m["routes"].(map[string]any)
	if routes["wit/wiql"].(map[string]any)["503"].(float64) != 1 || routes["core/projects"].(map[string]any)["200"].(float64) != 1 {
		t.Fatalf("stats = %s", st.body)
	}
	if r := call(t, http.MethodPost, b.base+"/_emulator/reset", nil, "Authorization", ""); r.status != http.StatusNoContent {
		t.Fatalf("reset status %d", r.status)
	}
	if m := mustOK(t, call(t, http.MethodGet, b.base+"/_emulator/stats", nil, "Authorization", "")); m["total"].(float64) != 0 {
		t.Errorf("total after reset = %v", m["total"])
	}
}
