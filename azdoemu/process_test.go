package azdoemu_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// typeStates reads a type's states as "Name=Category" over HTTP.
func typeStates(t *testing.T, b *testBundle, typ string) []string {
	t.Helper()
	m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitemtypes/"+url.PathEscape(typ)+"/states", nil))
	var out []string
	for _, v := range m["value"].([]any) {
		s := v.(map[string]any)
		out = append(out, fmt.Sprint(s["name"], "=", s["category"]))
	}
	return out
}

// typeFieldRefs reads the reference names of a type's fields over HTTP.
func typeFieldRefs(t *testing.T, b *testBundle, typ string) []string {
	t.Helper()
	m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitemtypes/"+url.PathEscape(typ)+"/fields", nil))
	var out []string
	for _, v := range m["value"].([]any) {
		out = append(out, v.(map[string]any)["referenceName"].(string))
	}
	return out
}

// fieldTypes reads the value type of every field of the project over HTTP.
func fieldTypes(t *testing.T, b *testBundle) map[string]string {
	t.Helper()
	m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/fields", nil))
	out := map[string]string{}
	for _, v := range m["value"].([]any) {
		f := v.(map[string]any)
		out[f["referenceName"].(string)] = f["type"].(string)
	}
	return out
}

func TestCMMIProcess(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{Generate: "epics=2,features=4,stories=8,tasks=8,bugs=2,seed=4,process=cmmi"})
	m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitemtypes", nil))
	var types []string
	for _, v := range m["value"].([]any) {
		types = append(types, v.(map[string]any)["name"].(string))
	}
	slices.Sort(types)
	if want := []string{"Bug", "Change Request", "Epic", "Feature", "Issue", "Requirement", "Review", "Risk", "Task"}; !slices.Equal(types, want) {
		t.Fatalf("CMMI types = %v, want %v", types, want)
	}
	cmmi := []string{"Proposed=Proposed", "Active=InProgress", "Resolved=Resolved", "Closed=Completed"}
	for _, typ := range []string{"Requirement", "Feature", "Epic", "Task", "Bug", "Issue", "Risk", "Change Request"} {
		if got := typeStates(t, b, typ); !slices.Equal(got, cmmi) {
			t.Errorf("%s states = %v, want %v", typ, got, cmmi)
		}
	}
	if got := typeStates(t, b, "Review"); !slices.Equal(got, []string{"Active=InProgress", "Closed=Completed"}) {
		t.Errorf("Review states = %v", got)
	}
	ft := fieldTypes(t, b)
	for typ, want := range map[string][]string{
		"Requirement": {"Microsoft.VSTS.Scheduling.Size", "Microsoft.VSTS.Scheduling.OriginalEstimate", "Microsoft.VSTS.Scheduling.RemainingWork", "Microsoft.VSTS.Scheduling.CompletedWork"},
		"Task":        {"Microsoft.VSTS.Scheduling.OriginalEstimate", "Microsoft.VSTS.Scheduling.RemainingWork", "Microsoft.VSTS.Scheduling.CompletedWork"},
	} {
		got := typeFieldRefs(t, b, typ)
		for _, f := range want {
			if !slices.Contains(got, f) || ft[f] != "double" {
				t.Errorf("%s: field %s on type %v, of value type %q", typ, f, slices.Contains(got, f), ft[f])
			}
		}
		if slices.Contains(got, "Microsoft.VSTS.Scheduling.StoryPoints") {
			t.Errorf("%s has Story Points, which CMMI does not", typ)
		}
	}
	// The generated items live in CMMI states only, and every field they hold is on their type.
	snaps, err := b.srv.WorkItems("fabrikam", "Fabrikam Fiber")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range snaps {
		seen[s.Type] = true
		if !slices.Contains([]string{"Proposed", "Active", "Resolved", "Closed"}, s.State) {
			t.Errorf("item %d (%s) is in state %q", s.ID, s.Type, s.State)
		}
		fields := typeFieldRefs(t, b, s.Type)
		for f := range s.Fields {
			if !strings.HasPrefix(f, "System.") && !slices.Contains(fields, f) && f != "Microsoft.VSTS.Common.StateChangeDate" {
				t.Errorf("item %d (%s) holds %s, which its type does not have", s.ID, s.Type, f)
			}
		}
	}
	for _, typ := range []string{"Requirement", "Risk", "Issue", "Change Request", "Review"} {
		if !seen[typ] {
			t.Errorf("the generated CMMI project has no %s", typ)
		}
	}
}

func TestInheritedProcessCustomStates(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{Generate: "epics=2,features=6,stories=30,tasks=10,bugs=6,seed=2,process=custom"})
	info, err := b.srv.Project("fabrikam", "Fabrikam Fiber")
	if err != nil || info.Process != azdoemu.CustomProcessName {
		t.Fatalf("project = %+v, %v", info, err)
	}
	cases := map[string][]string{
		"User Story":       {"New=Proposed", "Active=InProgress", "Ready for QA=InProgress", "Resolved=Resolved", "Closed=Completed", "Removed=Removed", "Won't fix=Removed"},
		"Customer Request": {"New=Proposed", "Triaged=Proposed", "Active=InProgress", "Ready for QA=InProgress", "Verified=Resolved", "Shipped=Completed", "Won't fix=Removed"},
		"Bug":              {"New=Proposed", "Triaged=Proposed", "Active=InProgress", "Ready for QA=InProgress", "Resolved=Resolved", "Closed=Completed", "Won't fix=Removed"},
	}
	for typ, want := range cases {
		if got := typeStates(t, b, typ); !slices.Equal(got, want) {
			t.Errorf("%s states = %v, want %v", typ, got, want)
		}
	}
	if ft := fieldTypes(t, b); ft[azdoemu.FieldCustomerImpact] != "double" {
		t.Errorf("%s has value type %q", azdoemu.FieldCustomerImpact, ft[azdoemu.FieldCustomerImpact])
	}
	if got := typeFieldRefs(t, b, "Customer Request"); !slices.Contains(got, azdoemu.FieldCustomerImpact) || !slices.Contains(got, "Microsoft.VSTS.Scheduling.StoryPoints") {
		t.Errorf("Customer Request fields = %v", got)
	}
	one := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitemtypes/Customer%20Request/fields/"+azdoemu.FieldCustomerImpact, nil))
	if one["referenceName"] != azdoemu.FieldCustomerImpact || one["name"] != "Customer Impact" {
		t.Errorf("one field = %v", one)
	}
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitemtypes/Task/fields/"+azdoemu.FieldCustomerImpact, nil), 400, "TF51535", "")
	// Every third generated story is a Customer Request, and the generator walks items
	// through the custom states.
	snaps, err := b.srv.WorkItems("fabrikam", "Fabrikam Fiber")
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]bool{}
	requests := 0
	for _, s := range snaps {
		states[s.State] = true
		if s.Type == "Customer Request" {
			requests++
		}
	}
	if requests != 10 {
		t.Errorf("%d customer requests, want 10", requests)
	}
	if !states["Shipped"] {
		t.Errorf("no generated item reached Shipped: %v", states)
	}
	// A state outside the type's is refused, whatever its name means elsewhere.
	wantError(t, call(t, http.MethodPatch, b.proj+"/_apis/wit/workitems/"+fmt.Sprint(firstOfType(snaps, "Customer Request")),
		[]map[string]any{{"op": "add", "path": "/fields/System.State", "value": "Closed"}}, "Content-Type", "application/json-patch+json"), 400, "TF401320", "")
}

func firstOfType(snaps []azdoemu.WorkItemSnapshot, typ string) int {
	for _, s := range snaps {
		if s.Type == typ {
			return s.ID
		}
	}
	return 0
}

// TestProcessRoutesMatchOpenAPI validates the states, fields and work item type fields
// answers of every process against Microsoft's OpenAPI 7.1 document.
func TestProcessRoutesMatchOpenAPI(t *testing.T) {
	t.Parallel()
	sp := loadSpec(t, openAPIDir(t), "workItemTracking.json")
	for _, process := range []string{"agile", "scrum", "basic", "cmmi", "custom"} {
		t.Run(process, func(t *testing.T) {
			t.Parallel()
			b := setup(t, azdoemu.Options{Generate: "epics=1,features=1,stories=1,process=" + process})
			m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitemtypes", nil))
			urls := map[string]string{
				"/{organization}/{project}/_apis/wit/workitemtypes": b.proj + "/_apis/wit/workitemtypes",
				"/{organization}/{project}/_apis/wit/fields":        b.proj + "/_apis/wit/fields",
			}
			cases := [][2]string{{"/{organization}/{project}/_apis/wit/workitemtypes", urls["/{organization}/{project}/_apis/wit/workitemtypes"]},
				{"/{organization}/{project}/_apis/wit/fields", urls["/{organization}/{project}/_apis/wit/fields"]}}
			for _, v := range m["value"].([]any) {
				typ := url.PathEscape(v.(map[string]any)["name"].(string))
				cases = append(cases,
					[2]string{"/{organization}/{project}/_apis/wit/workitemtypes/{type}", b.proj + "/_apis/wit/workitemtypes/" + typ},
					[2]string{"/{organization}/{project}/_apis/wit/workitemtypes/{type}/states", b.proj + "/_apis/wit/workitemtypes/" + typ + "/states"},
					[2]string{"/{organization}/{project}/_apis/wit/workitemtypes/{type}/fields", b.proj + "/_apis/wit/workitemtypes/" + typ + "/fields?$expand=all"},
					[2]string{"/{organization}/{project}/_apis/wit/workitemtypes/{type}/fields/{field}", b.proj + "/_apis/wit/workitemtypes/" + typ + "/fields/System.State?$expand=allowedValues"})
			}
			for _, c := range cases {
				r := call(t, http.MethodGet, c[1], nil)
				if r.status != http.StatusOK {
					t.Fatalf("%s: status %d: %s", c[1], r.status, r.body)
				}
				var v any
				if err := json.Unmarshal(r.body, &v); err != nil {
					t.Fatal(err)
				}
				for _, e := range sp.validate(sp.responseSchema(t, c[0], "GET"), v, "$", 0) {
					t.Errorf("%s: %s", c[1], e)
				}
			}
		})
	}
}
