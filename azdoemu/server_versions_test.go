package azdoemu_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
)

// serverLatest is each release's newest REST API version.
var serverLatest = map[string]string{"2019": "5.0", "2020": "6.0", "2022": "7.0"}

func setupServer(t *testing.T, release string) (*testBundle, string) {
	t.Helper()
	b := setup(t, azdoemu.Options{Server: release})
	return b, b.base + "/tfs/DefaultCollection"
}

func TestServerReleases(t *testing.T) {
	t.Parallel()
	got := strings.Join(azdoemu.ServerReleases(), ",")
	if got != "2019,2020,2022" {
		t.Fatalf("ServerReleases = %s", got)
	}
	if _, err := azdoemu.New(azdoemu.Options{Server: "2018"}); err == nil || !strings.Contains(err.Error(), "2019, 2020, 2022") {
		t.Fatalf("New with server 2018: %v", err)
	}
}

func TestServerModeCollectionURL(t *testing.T) {
	t.Parallel()
	for release, latest := range serverLatest {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			b, coll := setupServer(t, release)
			if got := b.srv.OrgURL(); got != coll {
				t.Errorf("OrgURL = %s, want %s", got, coll)
			}
			if got := b.srv.ServerRelease(); got != release {
				t.Errorf("ServerRelease = %q", got)
			}
			r := call(t, http.MethodGet, coll+"/_apis/projects?api-version="+latest, nil)
			m := mustOK(t, r)
			projects := list(t, m)
			if len(projects) == 0 {
				t.Fatal("no projects")
			}
			wantError(t, call(t, http.MethodGet, b.base+"/tfs/fabrikam/_apis/projects?api-version="+latest, nil), 404, "TF400813", "")
			u, _ := projects[0].(map[string]any)["url"].(string)
			if !strings.HasPrefix(u, coll+"/_apis/projects/") {
				t.Errorf("project url %q is not under the collection", u)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8; api-version="+latest {
				t.Errorf("Content-Type = %q", ct)
			}
			// The Services address and the profile service do not exist on Server.
			wantError(t, call(t, http.MethodGet, b.base+"/fabrikam/_apis/projects?api-version="+latest, nil), 404, "The controller", "ApiResourceNotFoundException")
			wantError(t, call(t, http.MethodGet, b.base+"/tfs/_vssps/_apis/profile/profiles/me?api-version="+latest, nil), 404, "The controller", "ApiResourceNotFoundException")
		})
	}
}

func TestServerModeRefusesNewerVersions(t *testing.T) {
	t.Parallel()
	for release, latest := range serverLatest {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			_, coll := setupServer(t, release)
			r := call(t, http.MethodGet, coll+"/_apis/projects?api-version=7.1", nil)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			want := `{"$id":"1","innerException":null,"message":"The requested REST API version of 7.1 is out of range for this server. The latest REST API version this server supports is ` +
				latest + `.","typeName":"Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi","typeKey":"VssVersionOutOfRangeException","errorCode":0,"eventId":3000}`
			if string(r.body) != want {
				t.Errorf("body\n%s\nwant\n%s", r.body, want)
			}
			// The release's own version and older ones work; so does 5.0-preview.
			mustOK(t, call(t, http.MethodGet, coll+"/_apis/projects?api-version="+latest, nil))
			mustOK(t, call(t, http.MethodGet, coll+"/_apis/projects", nil, "Accept", "application/json;api-version=5.0-preview.1"))
		})
	}
}

func TestServerModePreviewOnlyRoutes(t *testing.T) {
	t.Parallel()
	_, coll := setupServer(t, "2020")
	states := coll + "/Fabrikam%20Fiber/_apis/wit/workitemtypes/Bug/states"
	r := call(t, http.MethodGet, states+"?api-version=6.0", nil)
	wantError(t, r, 400, `The requested version "6.0" of the resource is under preview.`, "VssInvalidPreviewVersionException")
	m := mustOK(t, call(t, http.MethodGet, states+"?api-version=6.0-preview.1", nil))
	if len(list(t, m)) == 0 {
		t.Fatal("no states")
	}
	wantError(t, call(t, http.MethodGet, coll+"/_apis/connectionData?api-version=6.0", nil), 400, "The requested version", "VssInvalidPreviewVersionException")
	mustOK(t, call(t, http.MethodGet, coll+"/_apis/connectionData?api-version=6.0-preview", nil))
}

func TestResourceLocations(t *testing.T) {
	t.Parallel()
	read := func(t *testing.T, url string) map[string]azdo.ResourceLocation {
		t.Helper()
		out := map[string]azdo.ResourceLocation{}
		for _, l := range readLocations(t, url) {
			out[l.ID] = l
		}
		return out
	}
	const projects, states = "603fe2ac-9723-48b9-88ad-09305aa6c6e1", "7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa"
	t.Run("Services", func(t *testing.T) {
		t.Parallel()
		b := setup(t, azdoemu.Options{})
		got := read(t, b.org+"/_apis")
		if l := got[projects]; l.MaxVersion != "7.2" || l.ReleasedVersion != "7.1" || l.Area != "core" {
			t.Errorf("projects location %+v", l)
		}
		if l := got[states]; l.ReleasedVersion != "7.1" {
			t.Errorf("states location %+v", l)
		}
	})
	t.Run("Server2019", func(t *testing.T) {
		t.Parallel()
		_, coll := setupServer(t, "2019")
		got := read(t, coll+"/_apis")
		if l := got[projects]; l.MaxVersion != "5.0" || l.ReleasedVersion != "5.0" {
			t.Errorf("projects location %+v", l)
		}
		if l := got[states]; l.MaxVersion != "5.0" || l.ReleasedVersion != "0.0" {
			t.Errorf("states location %+v", l)
		}
	})
	t.Run("CountedAsOptions", func(t *testing.T) {
		t.Parallel()
		b, coll := setupServer(t, "2020")
		read(t, coll+"/_apis")
		if n := b.srv.Stats().Routes["options"]["200"]; n != 1 {
			t.Errorf("stats %v, want one options call", b.srv.Stats().Routes)
		}
	})
	t.Run("NeedsCredentials", func(t *testing.T) {
		t.Parallel()
		_, coll := setupServer(t, "2022")
		r := call(t, http.MethodOptions, coll+"/_apis", nil, "Authorization", "")
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status %d", r.status)
		}
	})
}

// TestServer2019LacksParentField: Azure DevOps Server 2019 predates System.Parent.
func TestServer2019LacksParentField(t *testing.T) {
	t.Parallel()
	b, coll := setupServer(t, "2019")
	snaps, err := b.srv.WorkItems("fabrikam", "Fabrikam Fiber")
	if err != nil {
		t.Fatal(err)
	}
	child := ""
	for _, s := range snaps {
		if s.Parent != 0 {
			child = strconv.Itoa(s.ID)
			break
		}
	}
	items := coll + "/Fabrikam%20Fiber/_apis/wit/workitems?ids=" + child + "&api-version=5.0"
	wantError(t, call(t, http.MethodGet, items+"&fields=System.Parent", nil), 400, "TF51535", "WorkItemFieldInvalidException")
	fields, _ := mustOK(t, call(t, http.MethodGet, items, nil))["value"].([]any)[0].(map[string]any)["fields"].(map[string]any)
	if _, ok := fields["System.Parent"]; ok || fields["System.Title"] == nil {
		t.Errorf("2019 fields %v", fields)
	}
	by, _ := fields["System.CreatedBy"].(map[string]any)
	if u, _ := by["url"].(string); !strings.HasPrefix(u, coll+"/_apis/Identities/") {
		t.Errorf("identity url %q is not in the collection", u)
	}
	_, coll20 := setupServer(t, "2020")
	fields, _ = mustOK(t, call(t, http.MethodGet, coll20+"/Fabrikam%20Fiber/_apis/wit/workitems?ids="+child+"&api-version=6.0", nil))["value"].([]any)[0].(map[string]any)["fields"].(map[string]any)
	if _, ok := fields["System.Parent"]; !ok {
		t.Errorf("2020 fields lack System.Parent: %v", fields)
	}
}

// TestOpenAPIConformanceServer checks the answers of an emulated Azure DevOps Server 2020
// to the reads Cairn makes, at 6.0, against the 7.1 OpenAPI: their shapes are the same
// in 6.0.
func TestOpenAPIConformanceServer(t *testing.T) {
	t.Parallel()
	dir := openAPIDir(t)
	specs := map[string]*spec{}
	for _, f := range []string{"workItemTracking.json", "core.json", "serviceHooks.json"} {
		specs[f] = loadSpec(t, dir, f)
	}
	b, coll := setupServer(t, "2020")
	proj := coll + "/Fabrikam%20Fiber"
	id, err := b.srv.QueryID("fabrikam", "Fabrikam Fiber", "Shared Queries/Checkout epic tree")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file, path, method, url string
		body                          any
	}{
		{"Projects", "core.json", "/{organization}/_apis/projects", "GET", coll + "/_apis/projects?api-version=6.0", nil},
		{"Project", "core.json", "/{organization}/_apis/projects/{projectId}", "GET", coll + "/_apis/projects/Fabrikam%20Fiber?api-version=6.0", nil},
		{"WorkItemTypes", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitemtypes", "GET", proj + "/_apis/wit/workitemtypes?api-version=6.0", nil},
		{"States", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitemtypes/{type}/states", "GET", proj + "/_apis/wit/workitemtypes/Task/states?api-version=6.0-preview.1", nil},
		{"QueryTree", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries", "GET", proj + "/_apis/wit/queries?$depth=2&$expand=all&api-version=6.0", nil},
		{"WIQLFlat", "workItemTracking.json", "/{organization}/{project}/{team}/_apis/wit/wiql", "POST", proj + "/_apis/wit/wiql?api-version=6.0", map[string]string{"query": "SELECT [System.Id] FROM WorkItems"}},
		{"WIQLTree", "workItemTracking.json", "/{organization}/{project}/{team}/_apis/wit/wiql/{id}", "GET", proj + "/_apis/wit/wiql/" + id + "?api-version=6.0", nil},
		{"WorkItemsBatch", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitemsbatch", "POST", proj + "/_apis/wit/workitemsbatch?api-version=6.0", map[string]any{"ids": []int{1, 2, 4}, "$expand": "relations"}},
		{"ReportingRevisions", "workItemTracking.json", "/{organization}/{project}/_apis/wit/reporting/workitemrevisions", "GET", proj + "/_apis/wit/reporting/workitemrevisions?$maxPageSize=5&api-version=6.0", nil},
		{"Subscriptions", "serviceHooks.json", "/{organization}/_apis/hooks/subscriptions", "GET", coll + "/_apis/hooks/subscriptions?api-version=6.0", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, tc.url, tc.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "api-version=6.0") {
				t.Errorf("Content-Type %q", ct)
			}
			var v any
			if err := json.Unmarshal(r.body, &v); err != nil {
				t.Fatal(err)
			}
			sp := specs[tc.file]
			for _, e := range sp.validate(sp.responseSchema(t, tc.path, tc.method), v, "$", 0) {
				t.Error(e)
			}
		})
	}
}
