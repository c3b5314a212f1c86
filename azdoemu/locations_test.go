package azdoemu_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
)

// readLocations sends OPTIONS as the SDKs do (no api-version) and returns the answer.
func readLocations(t *testing.T, u string) []azdo.ResourceLocation {
	t.Helper()
	r := call(t, http.MethodOptions, u, nil, "Accept", "application/json")
	if r.status != http.StatusOK {
		t.Fatalf("OPTIONS %s: %d %s", u, r.status, r.body)
	}
	var body struct {
		Count int                     `json:"count"`
		Value []azdo.ResourceLocation `json:"value"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.Count != len(body.Value) || body.Count == 0 {
		t.Fatalf("OPTIONS %s body %s: %v", u, r.body, err)
	}
	return body.Value
}

// recordingsDir finds the Azure DevOps recordings: ../shared/azure-devops-recordings
// relative to the repository root.
func recordingsDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for root := wd; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return filepath.Join(root, "..", "shared", "azure-devops-recordings")
		}
		if filepath.Dir(root) == root {
			return ""
		}
	}
}

// TestResourceLocationsMatchService compares every location the emulator lists, as
// Services, field by field with the one Azure DevOps Services answered in a recorded
// OPTIONS https://dev.azure.com/{org}/_apis.
func TestResourceLocationsMatchService(t *testing.T) {
	t.Parallel()
	file := filepath.Join(recordingsDir(t), "rec-options-apis-resource-locations.json")
	data, err := os.ReadFile(file)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("recording not found: %v", err)
	}
	var rec struct {
		Response struct {
			Body struct {
				Value []azdo.ResourceLocation `json:"value"`
			} `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	real := map[string]azdo.ResourceLocation{}
	for _, l := range rec.Response.Body.Value {
		real[l.ID] = l
	}
	b := setup(t, azdoemu.Options{})
	seen := map[string]bool{}
	for _, l := range readLocations(t, b.org+"/_apis") {
		if seen[l.ID] {
			t.Errorf("location %s listed twice", l.ID)
		}
		seen[l.ID] = true
		want, ok := real[l.ID]
		if !ok {
			t.Errorf("location %s (%s/%s) is not one Azure DevOps Services lists", l.ID, l.Area, l.ResourceName)
			continue
		}
		if l != want {
			t.Errorf("location %s\n got %+v\nwant %+v", l.ID, l, want)
		}
	}
	// The locations of the routes that tools probe at start are all there.
	for _, id := range []string{
		"a8c47e17-4d56-4a56-92bb-de7ea7dc65be", // distributedtask pools
		"225f7195-f9c7-4d14-ab28-a83f7ff77e1f", // git repositories
		"d30a3dd1-f8ba-442a-b86a-bd0c0c383e59", // core teams of a project
		"7a4d9ee9-3433-4347-b47a-7a80f1cf307e", // core teams of the organization
		"a70579d1-f53a-48ee-a5be-7be8659023b9", // wit classification node roots
		"5a172953-1b41-49d3-840a-33f79c3ce89f", // wit classification nodes
		"b51fd764-e5c2-4b9b-aaf7-3395cf4bdd94", // wit fields
		"6570bf97-d02c-4a91-8d93-3abe9895b1a9", // wit updates
		"a00c85a5-80fa-4565-99c3-bcd2181434bb", // wit revisions
		"f828fe59-dd87-495d-a17c-7a8d6211ca6c", // wit reporting work item revisions
		"bd293ce5-3d25-4192-8e67-e8092e879efb", // wit fields of a work item type
		"7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa", // wit states of a work item type
		"b70d8d39-926c-465e-b927-b1bf0e5ca0e0", // wit recycle bin
		"00d9565f-ed9c-4a06-9a50-00e7896ccab4", // Location ConnectionData
		"e81700f7-3be2-46de-8624-2eb35882fcaa", // Location ResourceAreas
	} {
		if !seen[id] {
			t.Errorf("location %s (%s) missing", id, real[id].ResourceName)
		}
	}
}

// expandRoute fills a route template as Microsoft's SDKs do: a segment that is one
// {value} (or {*value}) becomes the escaped value, other {value}s are replaced in place.
// Every value must be given, so that the whole route is exercised.
func expandRoute(t *testing.T, tmpl string, vals map[string]string) string {
	t.Helper()
	var out []string
	for _, seg := range strings.Split(tmpl, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && strings.Count(seg, "{") == 1 {
			name := strings.TrimPrefix(seg[1:len(seg)-1], "*")
			v, ok := vals[name]
			if !ok {
				t.Fatalf("template %s: no value for %s", tmpl, name)
			}
			out = append(out, url.PathEscape(v))
			continue
		}
		for k, v := range vals {
			seg = strings.ReplaceAll(seg, "{"+k+"}", url.PathEscape(v))
		}
		if strings.ContainsAny(seg, "{}") {
			t.Fatalf("template %s: segment %s left unexpanded", tmpl, seg)
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}

// TestResourceLocationsReachServedRoutes follows every location the emulator lists, as
// an SDK would: the route template expanded with real values, at the api-version the
// location offers. Every one must reach a served route, on Services and on each Azure
// DevOps Server release, and none may count as unserved.
func TestResourceLocationsReachServedRoutes(t *testing.T) {
	t.Parallel()
	for _, release := range append([]string{""}, azdoemu.ServerReleases()...) {
		name := release
		if name == "" {
			name = "Services"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, azdoemu.Options{Server: release})
			orgURL, latest := b.org, "7.1"
			if release != "" {
				orgURL, latest = b.base+"/tfs/DefaultCollection", serverLatest[release]
			}
			accept := "application/json;api-version=" + latest
			sub := mustOK(t, call(t, http.MethodPost, orgURL+"/_apis/hooks/subscriptions", map[string]any{
				"publisherId": "tfs", "eventType": "workitem.updated", "consumerId": "webHooks", "consumerActionId": "httpRequest",
				"publisherInputs": map[string]string{"projectId": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"},
				"consumerInputs":  map[string]string{"url": "http://127.0.0.1:1/hook"},
			}, "Accept", accept))
			gone, err := b.srv.CreateWorkItem("fabrikam", "Fabrikam Fiber", "Task", map[string]any{"System.Title": "Recycled"})
			if err != nil {
				t.Fatal(err)
			}
			if err := b.srv.DeleteWorkItem("fabrikam", "Fabrikam Fiber", gone); err != nil {
				t.Fatal(err)
			}
			vals := map[string]string{
				"project": "Fabrikam Fiber", "team": "Fabrikam Fiber Team",
				"projectId": "Fabrikam Fiber", "teamId": "Fabrikam Fiber Team",
				"poolId": "1", "repositoryId": "Fabrikam Fiber", "subscriptionId": sub["id"].(string),
				"query": "Shared Queries", "structureGroup": "Areas", "path": "Web",
				"fieldNameOrRefName": "System.State", "field": "System.State", "type": "Bug",
				"relation": "System.LinkTypes.Hierarchy-Forward", "revisionNumber": "1", "updateNumber": "1",
				"areaId": "5264459e-e5e0-4bd8-b118-0985e68a4ec5", "id": "1",
			}
			locs := readLocations(t, orgURL+"/_apis")
			for _, l := range locs {
				v := map[string]string{"area": l.Area, "resource": l.ResourceName}
				for k, x := range vals {
					v[k] = x
				}
				method, want := http.MethodGet, http.StatusOK
				var body any
				switch {
				case l.ResourceName == "wiql" && strings.HasSuffix(l.RouteTemplate, "{id}"):
					v["id"] = queryID(t, b, "Shared Queries/Checkout epic tree")
				case l.ResourceName == "wiql":
					method, body = http.MethodPost, map[string]string{"query": "SELECT [System.Id] FROM WorkItems"}
				case l.ResourceName == "recyclebin":
					v["id"] = fmt.Sprint(gone)
				case l.ResourceName == "workItems" && strings.Contains(l.RouteTemplate, "${type}"):
					method, v["type"] = http.MethodPost, "Task"
					body = []map[string]any{{"op": "add", "path": "/fields/System.Title", "value": "Located"}}
				case l.ResourceName == "workItemsBatch":
					method, body = http.MethodPost, map[string]any{"ids": []int{1}}
				case l.ResourceName == "ResourceAreas" && release != "":
					// Azure DevOps Server lists no resource areas: clients use the collection.
					want = http.StatusNotFound
				}
				version := latest
				if l.ReleasedVersion == "0.0" {
					version += "-preview"
				}
				u := orgURL + "/" + expandRoute(t, l.RouteTemplate, v)
				r := call(t, method, u, body, "Accept", "application/json;api-version="+version)
				if r.status != want {
					t.Errorf("%s %s/%s: %s %s: %d %s", l.ID, l.Area, l.ResourceName, method, u, r.status, r.body)
				}
			}
			if got := b.srv.Stats().Routes[azdoemu.RouteUnserved]; len(got) != 0 {
				t.Errorf("located routes counted as unserved: %v", got)
			}
		})
	}
}

// TestAreaResourceLocations: OPTIONS {org}/_apis/{area}, which the Node SDK sends, answers
// the locations of that area only, whatever the case of its name; an area the emulator
// serves nothing of answers the 404 of an unknown route and counts as unserved.
func TestAreaResourceLocations(t *testing.T) {
	t.Parallel()
	for _, release := range []string{"", "2020"} {
		t.Run("Server"+release, func(t *testing.T) {
			t.Parallel()
			b := setup(t, azdoemu.Options{Server: release})
			orgURL := b.org
			if release != "" {
				orgURL = b.base + "/tfs/DefaultCollection"
			}
			all := readLocations(t, orgURL+"/_apis")
			byArea := map[string][]string{}
			for _, l := range all {
				byArea[strings.ToLower(l.Area)] = append(byArea[strings.ToLower(l.Area)], l.ID)
			}
			for _, area := range []string{"core", "distributedtask", "git", "hooks", "Location", "wit"} {
				want := byArea[strings.ToLower(area)]
				if len(want) == 0 {
					t.Fatalf("no %s locations in %v", area, byArea)
				}
				sort.Strings(want)
				for _, asked := range []string{area, strings.ToUpper(area)} {
					var got []string
					for _, l := range readLocations(t, orgURL+"/_apis/"+asked) {
						if !strings.EqualFold(l.Area, area) {
							t.Errorf("OPTIONS _apis/%s lists %s of area %s", asked, l.ID, l.Area)
						}
						got = append(got, l.ID)
					}
					sort.Strings(got)
					if strings.Join(got, ",") != strings.Join(want, ",") {
						t.Errorf("OPTIONS _apis/%s = %v, want %v", asked, got, want)
					}
				}
			}
			r := call(t, http.MethodOptions, orgURL+"/_apis/nosucharea", nil, "Accept", "application/json")
			wantError(t, r, 404, "The controller for path", "ApiResourceNotFoundException")
			routes := b.srv.Stats().Routes
			if got := routes[azdoemu.RouteUnserved]["404"]; got != 1 {
				t.Errorf("unserved 404s = %d, want 1 (routes %v)", got, routes)
			}
			if got := routes["options"]["200"]; got != 13 {
				t.Errorf("options 200s = %d, want 13 (routes %v)", got, routes)
			}
		})
	}
}

// TestResourceAreas: GET _apis/ResourceAreas, which the Go SDK reads before it makes a
// client for an area, lists the served areas in the organization on Services, and none
// on Azure DevOps Server.
func TestResourceAreas(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	areas := list(t, mustOK(t, call(t, http.MethodGet, b.org+"/_apis/ResourceAreas", nil, "Accept", "application/json;api-version=5.1-preview.1")))
	names := map[string]string{}
	for _, a := range areas {
		m := a.(map[string]any)
		if m["locationUrl"] != b.org+"/" {
			t.Errorf("area %v locationUrl %v, want %s/", m["name"], m["locationUrl"], b.org)
		}
		names[m["id"].(string)] = m["name"].(string)
	}
	if names["5264459e-e5e0-4bd8-b118-0985e68a4ec5"] != "wit" || names["79134c72-4a58-4b42-976c-04e7115f32bf"] != "core" ||
		names["a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd"] != "distributedtask" || names["4e080c62-fa21-4fbc-8fef-2a10a2b38049"] != "git" {
		t.Errorf("resource areas = %v", names)
	}
	one := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/ResourceAreas/4E080C62-FA21-4FBC-8FEF-2A10A2B38049", nil))
	if one["name"] != "git" {
		t.Errorf("git area = %v", one)
	}
	wantError(t, call(t, http.MethodGet, b.org+"/_apis/ResourceAreas/00000000-0000-0000-0000-000000000001", nil), 404, "The resource area", "VssResourceNotFoundException")

	_, coll := setupServer(t, "2022")
	if got := list(t, mustOK(t, call(t, http.MethodGet, coll+"/_apis/ResourceAreas?api-version=7.0-preview.1", nil))); len(got) != 0 {
		t.Errorf("Server resource areas = %v, want none", got)
	}
	wantError(t, call(t, http.MethodGet, coll+"/_apis/ResourceAreas?api-version=7.0", nil), 400, "The requested version", "VssInvalidPreviewVersionException")
}

// TestRelationTypeAndRecycleBinList: the single relation type and the recycle bin list,
// routes of locations the emulator lists.
func TestRelationTypeAndRecycleBinList(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	rt := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitemrelationtypes/system.linktypes.hierarchy-reverse", nil))
	if rt["referenceName"] != "System.LinkTypes.Hierarchy-Reverse" || rt["name"] != "Parent" {
		t.Errorf("relation type = %v", rt)
	}
	wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitemrelationtypes/System.LinkTypes.Nope", nil), 404, "The work item relation type", "")

	bin := b.proj + "/_apis/wit/recyclebin"
	if got := list(t, mustOK(t, call(t, http.MethodGet, bin, nil))); len(got) != 0 {
		t.Fatalf("recycle bin = %v, want empty", got)
	}
	var ids []int
	for _, title := range []string{"Binned 1", "Binned 2"} {
		id, err := b.srv.CreateWorkItem("fabrikam", "Fabrikam Fiber", "Task", map[string]any{"System.Title": title})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.srv.DeleteWorkItem("fabrikam", "Fabrikam Fiber", id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	got := list(t, mustOK(t, call(t, http.MethodGet, bin, nil)))
	if len(got) != 2 || got[0].(map[string]any)["id"] != float64(ids[0]) ||
		!strings.HasSuffix(fmt.Sprint(got[1].(map[string]any)["url"]), fmt.Sprintf("/_apis/wit/recyclebin/%d", ids[1])) {
		t.Errorf("recycle bin = %v", got)
	}
	batch := list(t, mustOK(t, call(t, http.MethodGet, fmt.Sprintf("%s?ids=%d,1", bin, ids[0]), nil)))
	if len(batch) != 2 || batch[0].(map[string]any)["name"] != "Binned 1" || batch[1].(map[string]any)["code"] != 404.0 {
		t.Errorf("recycle bin ids = %v", batch)
	}
}
