package azdoemu_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu"
)

// openAPIDir finds Microsoft's OpenAPI 7.1 files: $CAIRN_AZDO_OPENAPI_DIR, or
// ../shared/azure-devops-openapi-7.1 relative to the repository root.
func openAPIDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CAIRN_AZDO_OPENAPI_DIR")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for root := wd; ; root = filepath.Dir(root) {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				dir = filepath.Join(root, "..", "shared", "azure-devops-openapi-7.1")
				break
			}
			if filepath.Dir(root) == root {
				break
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "workItemTracking.json")); err != nil {
		msg := fmt.Sprintf("Azure DevOps OpenAPI 7.1 files not found in %q (set CAIRN_AZDO_OPENAPI_DIR)", dir)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// spec is one OpenAPI 2.0 document.
type spec struct {
	Paths       map[string]map[string]json.RawMessage `json:"paths"`
	Definitions map[string]map[string]any             `json:"definitions"`
}

func loadSpec(t *testing.T, dir, file string) *spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &s); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &s
}

// responseSchema returns the 200 schema of an operation.
func (s *spec) responseSchema(t *testing.T, path, method string) map[string]any {
	t.Helper()
	ops, ok := s.Paths[path]
	if !ok {
		t.Fatalf("spec has no path %s", path)
	}
	var op struct {
		Responses map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(ops[strings.ToLower(method)], &op); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	r, ok := op.Responses["200"]
	if !ok || r.Schema == nil {
		t.Fatalf("%s %s has no 200 schema", method, path)
	}
	return r.Schema
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validate checks v against schema: types, required, declared properties,
// $ref, allOf, arrays (also wrapped as {count, value}), enums and the
// date-time and uuid formats. Additional properties and nulls are allowed,
// as the real service sends both.
func (s *spec) validate(schema map[string]any, v any, at string, depth int) []string {
	if v == nil || depth > 40 {
		return nil
	}
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/definitions/")
		def, ok := s.Definitions[name]
		if !ok {
			return []string{at + ": unresolved $ref " + ref}
		}
		return s.validate(def, v, at, depth+1)
	}
	var errs []string
	if all, ok := schema["allOf"].([]any); ok {
		for _, sub := range all {
			errs = append(errs, s.validate(sub.(map[string]any), v, at, depth+1)...)
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
		}
	}
	typ, _ := schema["type"].(string)
	if typ == "" && schema["properties"] != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T is not an object", at, v))
		}
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, has := m[r.(string)]; !has {
					errs = append(errs, fmt.Sprintf("%s: required property %v missing", at, r))
				}
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, pv := range m {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, s.validate(ps, pv, at+"."+k, depth+1)...)
			}
		}
	case "array":
		if m, ok := v.(map[string]any); ok {
			if inner, ok := m["value"]; ok {
				v = inner
			}
		}
		arr, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T is not an array", at, v))
		}
		items, _ := schema["items"].(map[string]any)
		for i, x := range arr {
			if items != nil {
				errs = append(errs, s.validate(items, x, fmt.Sprintf("%s[%d]", at, i), depth+1)...)
			}
		}
	case "string":
		if schema["format"] == "T" {
			break
		}
		str, ok := v.(string)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T is not a string", at, v))
		}
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", at, str))
			}
		case "uuid":
			if !uuidRE.MatchString(str) {
				errs = append(errs, fmt.Sprintf("%s: %q is not a uuid", at, str))
			}
		}
	case "integer":
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) {
			errs = append(errs, fmt.Sprintf("%s: %v is not an integer", at, v))
		}
	case "number":
		if _, ok := v.(float64); !ok {
			errs = append(errs, fmt.Sprintf("%s: %v is not a number", at, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Sprintf("%s: %v is not a boolean", at, v))
		}
	}
	return errs
}

func TestValidatorCatchesMismatches(t *testing.T) {
	t.Parallel()
	s := &spec{Definitions: map[string]map[string]any{
		"Ref": {"type": "object", "required": []any{"id"}, "properties": map[string]any{
			"id":   map[string]any{"type": "integer"},
			"kind": map[string]any{"enum": []any{"a", "b"}},
			"when": map[string]any{"type": "string", "format": "date-time"},
		}},
	}}
	arr := map[string]any{"type": "array", "items": map[string]any{"$ref": "#/definitions/Ref"}}
	cases := []struct {
		name string
		json string
		errs int
	}{
		{"ValidWrappedList", `{"count":1,"value":[{"id":1,"kind":"a","when":"2026-01-02T03:04:05.1Z","extra":true}]}`, 0},
		{"MissingRequired", `[{"kind":"a"}]`, 1},
		{"WrongType", `[{"id":"1"}]`, 1},
		{"BadEnum", `[{"id":1,"kind":"c"}]`, 1},
		{"BadDate", `[{"id":1,"when":"yesterday"}]`, 1},
		{"NotArray", `{"id":1}`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v any
			if err := json.Unmarshal([]byte(tc.json), &v); err != nil {
				t.Fatal(err)
			}
			if errs := s.validate(arr, v, "$", 0); len(errs) != tc.errs {
				t.Errorf("errors = %v, want %d", errs, tc.errs)
			}
		})
	}
}

func TestOpenAPIConformance(t *testing.T) {
	t.Parallel()
	dir := openAPIDir(t)
	specs := map[string]*spec{}
	for _, f := range []string{"workItemTracking.json", "core.json", "serviceHooks.json", "accounts.json", "profile.json"} {
		specs[f] = loadSpec(t, dir, f)
	}
	// The areas outside the five files above: extracts of Microsoft's published
	// specifications, kept in testdata/openapi (see its README).
	for _, f := range []string{"taskAgent.json", "git.json"} {
		specs[f] = loadSpec(t, filepath.Join("testdata", "openapi"), f)
	}
	b := setup(t, azdoemu.Options{})
	me := mustOK(t, call(t, http.MethodGet, b.base+"/_vssps/_apis/profile/profiles/me", nil))
	sub := mustOK(t, call(t, http.MethodPost, b.org+"/_apis/hooks/subscriptions", map[string]any{
		"publisherId": "tfs", "eventType": "workitem.updated", "consumerId": "webHooks", "consumerActionId": "httpRequest",
		"publisherInputs": map[string]string{"projectId": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"},
		"consumerInputs":  map[string]string{"url": "http://127.0.0.1:1/hook", "basicAuthUsername": "u", "basicAuthPassword": "p"},
	}))
	created := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/workitems/$Task", []map[string]any{
		{"op": "add", "path": "/fields/System.Title", "value": "Conformance"}}))
	newID := fmt.Sprint(created["id"])
	tree := queryID(t, b, "Shared Queries/Checkout epic tree")
	mustOK(t, call(t, http.MethodPatch, b.proj+"/_apis/wit/workitems/4", []map[string]any{{"op": "add", "path": "/fields/System.Title", "value": "Renamed for history"}}))
	saved := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/queries/Shared%20Queries", map[string]any{"name": "Conformance", "wiql": "SELECT [System.Id] FROM WorkItems"}))
	repos := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/git/repositories", nil))
	repoID := repos["value"].([]any)[0].(map[string]any)["id"].(string)
	linkedFirst, err := b.srv.AddQuery("fabrikam", "Fabrikam Fiber", "My Queries", "Epics of my tasks",
		"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.AssignedTo] = @Me MODE (Recursive, ReturnMatchingChildren)")
	if err != nil {
		t.Fatal(err)
	}
	b.srv.AddPATFor(otherPAT, "Other Person <other.person@fabrikam.example>")
	movable := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/queries/Shared%20Queries", map[string]any{"name": "Conformance movable", "wiql": "SELECT [System.Id] FROM WorkItems"}))
	binned := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/queries/Shared%20Queries", map[string]any{"name": "Conformance binned", "isFolder": true}))
	mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/queries/Shared%20Queries/Conformance%20binned", map[string]any{"name": "Inside", "wiql": "SELECT [System.Id] FROM WorkItems"}))
	if r := call(t, http.MethodDelete, b.proj+"/_apis/wit/queries/"+binned["id"].(string), nil); r.status != http.StatusNoContent {
		t.Fatalf("delete query folder: %d %s", r.status, r.body)
	}
	wiql := "/{organization}/{project}/{team}/_apis/wit/wiql"
	cases := []struct {
		name, file, path, method, url string
		body                          any
	}{
		{"ProfileMe", "profile.json", "/_apis/profile/profiles/{id}", "GET", b.base + "/_vssps/_apis/profile/profiles/me", nil},
		{"Accounts", "accounts.json", "/_apis/accounts", "GET", b.base + "/_vssps/_apis/accounts?memberId=" + me["id"].(string), nil},
		{"Projects", "core.json", "/{organization}/_apis/projects", "GET", b.org + "/_apis/projects?$top=1", nil},
		{"Project", "core.json", "/{organization}/_apis/projects/{projectId}", "GET", b.org + "/_apis/projects/Fabrikam%20Fiber", nil},
		{"WorkItemTypes", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitemtypes", "GET", b.proj + "/_apis/wit/workitemtypes", nil},
		{"WorkItemType", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitemtypes/{type}", "GET", b.proj + "/_apis/wit/workitemtypes/Bug", nil},
		{"States", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitemtypes/{type}/states", "GET", b.proj + "/_apis/wit/workitemtypes/Task/states", nil},
		{"QueryTree", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries", "GET", b.proj + "/_apis/wit/queries?$depth=2&$expand=all", nil},
		{"QuerySearch", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries", "GET", b.proj + "/_apis/wit/queries?$filter=a&$expand=minimal", nil},
		{"QueryByPath", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "GET", b.proj + "/_apis/wit/queries/Shared%20Queries/Q3%20Features?$expand=clauses", nil},
		{"WIQLFlat", "workItemTracking.json", wiql, "POST", b.proj + "/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id], [System.Title] FROM WorkItems ORDER BY [System.Title]"}},
		{"QueryTreeClauses", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "GET", b.proj + "/_apis/wit/queries/" + tree + "?$expand=clauses", nil},
		{"QueryLinkedFirstClauses", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "GET", b.proj + "/_apis/wit/queries/" + linkedFirst + "?$expand=all", nil},
		{"WIQLLinkedFirst", "workItemTracking.json", wiql, "POST", b.proj + "/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [Target].[System.WorkItemType] = 'Task' MODE (Recursive, ReturnMatchingChildren)"}},
		{"WIQLOneHopDoesNotContain", "workItemTracking.json", wiql, "POST", b.proj + "/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Feature' AND [Target].[System.State] = 'Closed' MODE (DoesNotContain)"}},
		{"QueryTreeOtherOwner", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries", "GET", b.proj + "/_apis/wit/queries?$depth=2&$expand=all", nil},
		{"WIQLTree", "workItemTracking.json", "/{organization}/{project}/{team}/_apis/wit/wiql/{id}", "GET", b.proj + "/_apis/wit/wiql/" + tree, nil},
		{"WorkItemsBatch", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitemsbatch", "POST", b.proj + "/_apis/wit/workitemsbatch", map[string]any{"ids": []int{1, 2, 999}, "$expand": "all", "errorPolicy": "omit"}},
		{"WorkItemsList", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitems", "GET", b.proj + "/_apis/wit/workitems?ids=1,4&$expand=relations", nil},
		{"WorkItem", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitems/{id}", "GET", b.proj + "/_apis/wit/workitems/4?$expand=all", nil},
		{"Revisions", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workItems/{id}/revisions", "GET", b.proj + "/_apis/wit/workItems/4/revisions", nil},
		{"Update", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitems/{id}", "PATCH", b.proj + "/_apis/wit/workitems/" + newID, []map[string]any{{"op": "add", "path": "/fields/System.State", "value": "Active"}}},
		{"Delete", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitems/{id}", "DELETE", b.proj + "/_apis/wit/workitems/" + newID, nil},
		{"RecycleBin", "workItemTracking.json", "/{organization}/{project}/_apis/wit/recyclebin/{id}", "GET", b.proj + "/_apis/wit/recyclebin/" + newID, nil},
		{"Restore", "workItemTracking.json", "/{organization}/{project}/_apis/wit/recyclebin/{id}", "PATCH", b.proj + "/_apis/wit/recyclebin/" + newID, map[string]any{"IsDeleted": false}},
		{"ReportingRevisions", "workItemTracking.json", "/{organization}/{project}/_apis/wit/reporting/workitemrevisions", "GET", b.proj + "/_apis/wit/reporting/workitemrevisions?$maxPageSize=5", nil},
		{"Subscriptions", "serviceHooks.json", "/{organization}/_apis/hooks/subscriptions", "GET", b.org + "/_apis/hooks/subscriptions", nil},
		{"Subscription", "serviceHooks.json", "/{organization}/_apis/hooks/subscriptions/{subscriptionId}", "GET", b.org + "/_apis/hooks/subscriptions/" + sub["id"].(string), nil},
		{"Create", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workitems/${type}", "POST", b.proj + "/_apis/wit/workitems/$Bug", []map[string]any{{"op": "add", "path": "/fields/System.Title", "value": "B"}}},
		{"Pools", "taskAgent.json", "/{organization}/_apis/distributedtask/pools", "GET", b.org + "/_apis/distributedtask/pools?api-version=5.1", nil},
		{"Pool", "taskAgent.json", "/{organization}/_apis/distributedtask/pools/{poolId}", "GET", b.org + "/_apis/distributedtask/pools/1", nil},
		{"Repositories", "git.json", "/{organization}/{project}/_apis/git/repositories", "GET", b.proj + "/_apis/git/repositories", nil},
		{"Repository", "git.json", "/{organization}/{project}/_apis/git/repositories/{repositoryId}", "GET", b.proj + "/_apis/git/repositories/" + repoID, nil},
		{"Teams", "core.json", "/{organization}/_apis/projects/{projectId}/teams", "GET", b.org + "/_apis/projects/Fabrikam%20Fiber/teams", nil},
		{"Team", "core.json", "/{organization}/_apis/projects/{projectId}/teams/{teamId}", "GET", b.org + "/_apis/projects/Fabrikam%20Fiber/teams/Fabrikam%20Fiber%20Team", nil},
		{"AllTeams", "core.json", "/{organization}/_apis/teams", "GET", b.org + "/_apis/teams", nil},
		{"ClassificationRoots", "workItemTracking.json", "/{organization}/{project}/_apis/wit/classificationnodes", "GET", b.proj + "/_apis/wit/classificationnodes?$depth=3", nil},
		{"ClassificationNode", "workItemTracking.json", "/{organization}/{project}/_apis/wit/classificationnodes/{structureGroup}/{path}", "GET", b.proj + "/_apis/wit/classificationnodes/Areas/Web?$depth=1", nil},
		{"Fields", "workItemTracking.json", "/{organization}/{project}/_apis/wit/fields", "GET", b.proj + "/_apis/wit/fields", nil},
		{"Field", "workItemTracking.json", "/{organization}/{project}/_apis/wit/fields/{fieldNameOrRefName}", "GET", b.proj + "/_apis/wit/fields/System.State", nil},
		{"Updates", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workItems/{id}/updates", "GET", b.proj + "/_apis/wit/workItems/4/updates", nil},
		{"UpdateOne", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workItems/{id}/updates/{updateNumber}", "GET", b.proj + "/_apis/wit/workItems/4/updates/2", nil},
		{"Revision", "workItemTracking.json", "/{organization}/{project}/_apis/wit/workItems/{id}/revisions/{revisionNumber}", "GET", b.proj + "/_apis/wit/workItems/4/revisions/1", nil},
		{"RelationTypes", "workItemTracking.json", "/{organization}/_apis/wit/workitemrelationtypes", "GET", b.org + "/_apis/wit/workitemrelationtypes", nil},
		{"SubscriptionCreate", "serviceHooks.json", "/{organization}/_apis/hooks/subscriptions", "POST", b.org + "/_apis/hooks/subscriptions", map[string]any{
			"publisherId": "tfs", "eventType": "workitem.created", "consumerId": "webHooks", "consumerActionId": "httpRequest",
			"publisherInputs": map[string]string{"projectId": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"},
			"consumerInputs":  map[string]string{"url": "http://127.0.0.1:1/hook2"},
		}},
		{"QueryCreate", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "POST", b.proj + "/_apis/wit/queries/Shared%20Queries", map[string]any{"name": "Folder", "isFolder": true}},
		{"QueryUpdate", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "PATCH", b.proj + "/_apis/wit/queries/" + saved["id"].(string), map[string]any{"name": "Conformance renamed"}},
		{"QueryCreateQuery", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "POST", b.proj + "/_apis/wit/queries/Shared%20Queries", map[string]any{
			"name": "Conformance flat", "wiql": "SELECT [System.Id], [System.Title] FROM WorkItems WHERE [System.State] = 'Active' ORDER BY [System.Id]"}},
		{"QueryMove", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "POST", b.proj + "/_apis/wit/queries/My%20Queries", map[string]any{"id": movable["id"]}},
		{"QueryUndelete", "workItemTracking.json", "/{organization}/{project}/_apis/wit/queries/{query}", "PATCH", b.proj + "/_apis/wit/queries/" + binned["id"].(string) + "?$undeleteDescendants=true", map[string]any{"isDeleted": false}},
		{"ReportingRevisionsPost", "workItemTracking.json", "/{organization}/{project}/_apis/wit/reporting/workitemrevisions", "POST", b.proj + "/_apis/wit/reporting/workitemrevisions?$maxPageSize=5", map[string]any{
			"fields": []string{"System.Title", "System.State", "System.AssignedTo"}, "types": []string{"Epic", "Bug"}, "includeIdentityRef": true}},
		{"RelationType", "workItemTracking.json", "/{organization}/_apis/wit/workitemrelationtypes/{relation}", "GET", b.org + "/_apis/wit/workitemrelationtypes/System.LinkTypes.Hierarchy-Forward", nil},
		{"RecycleBinList", "workItemTracking.json", "/{organization}/{project}/_apis/wit/recyclebin", "GET", b.proj + "/_apis/wit/recyclebin", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{}
			if tc.name == "Restore" || tc.name == "QueryUpdate" || tc.name == "QueryUndelete" {
				headers = []string{"Content-Type", "application/json"}
			}
			if tc.name == "QueryTreeOtherOwner" {
				headers = []string{"Authorization", basic(otherPAT)}
			}
			r := call(t, tc.method, tc.url, tc.body, headers...)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
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
