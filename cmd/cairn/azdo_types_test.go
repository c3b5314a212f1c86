package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// TestAzdoTypesCommand prints a CMMI project's and an inherited process's types with their
// states' categories and numeric fields, and refuses a type the project lacks.
func TestAzdoTypesCommand(t *testing.T) {
	emu, err := azdoemu.New(azdoemu.Options{Generate: "epics=1,process=cmmi", PATs: []string{"demo-pat"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.AddProject("fabrikam", "Support", "custom"); err != nil {
		t.Fatal(err)
	}
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	types := func(t *testing.T, project, typ string) (int, string, []azdoTypeView) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run([]string{"azdo", "types", "--type", typ, "--org-url", base + "/fabrikam", "--project", project, "--pat", "demo-pat"}, &out, &errb)
		var v []azdoTypeView
		if code == 0 {
			if err := json.Unmarshal(out.Bytes(), &v); err != nil {
				t.Fatalf("no JSON: %v\n%s", err, out.String())
			}
		}
		return code, errb.String(), v
	}
	code, _, v := types(t, "Fabrikam Fiber", "Requirement")
	if code != 0 || len(v) != 1 {
		t.Fatalf("exit %d, %d types", code, len(v))
	}
	var states, fields []string
	for _, s := range v[0].States {
		states = append(states, s.Name+"="+s.Category)
	}
	for _, f := range v[0].NumericFields {
		fields = append(fields, f.ReferenceName)
	}
	if got := strings.Join(states, ","); got != "Proposed=Proposed,Active=InProgress,Resolved=Resolved,Closed=Completed" {
		t.Errorf("Requirement states = %s", got)
	}
	if got := strings.Join(fields, ","); !strings.Contains(got, "Microsoft.VSTS.Scheduling.Size") || strings.Contains(got, "StoryPoints") {
		t.Errorf("Requirement numeric fields = %s", got)
	}
	code, _, v = types(t, "Support", "Customer Request")
	if code != 0 || len(v) != 1 || !strings.Contains(mustJSON(t, v), `"name":"Shipped","color":"5688e0","category":"Completed"`) ||
		!strings.Contains(mustJSON(t, v), azdoemu.FieldCustomerImpact) {
		t.Errorf("Customer Request: exit %d, %s", code, mustJSON(t, v))
	}
	if code, stderr, _ := types(t, "Fabrikam Fiber", "User Story"); code == 0 || !strings.Contains(stderr, `no work item type "User Story"`) {
		t.Errorf("a type CMMI lacks: exit %d, %q", code, stderr)
	}
}
