package azdo_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
)

// TestContractProcesses reads, for every process the emulator serves, each type's states
// with their categories, its fields, and the fields' value types.
func TestContractProcesses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		process, typ string
		// states are "name=category" in order; numeric are fields the type must have as numbers.
		states  []string
		numeric []string
	}{
		{"agile", "User Story", []string{"New=Proposed", "Active=InProgress", "Resolved=Resolved", "Closed=Completed", "Removed=Removed"},
			[]string{"Microsoft.VSTS.Scheduling.StoryPoints"}},
		{"scrum", "Product Backlog Item", []string{"New=Proposed", "Approved=Proposed", "Committed=InProgress", "Done=Completed", "Removed=Removed"},
			[]string{"Microsoft.VSTS.Scheduling.Effort"}},
		{"basic", "Issue", []string{"To Do=Proposed", "Doing=InProgress", "Done=Completed"},
			[]string{"Microsoft.VSTS.Scheduling.Effort"}},
		{"cmmi", "Requirement", []string{"Proposed=Proposed", "Active=InProgress", "Resolved=Resolved", "Closed=Completed"},
			[]string{"Microsoft.VSTS.Scheduling.Size", "Microsoft.VSTS.Scheduling.OriginalEstimate", "Microsoft.VSTS.Scheduling.RemainingWork", "Microsoft.VSTS.Scheduling.CompletedWork"}},
		{"custom", "Customer Request", []string{"New=Proposed", "Triaged=Proposed", "Active=InProgress", "Ready for QA=InProgress", "Verified=Resolved", "Shipped=Completed", "Won't fix=Removed"},
			[]string{"Microsoft.VSTS.Scheduling.StoryPoints", azdoemu.FieldCustomerImpact}},
	}
	for _, c := range cases {
		t.Run(c.process, func(t *testing.T) {
			t.Parallel()
			b := setupEmu(t, azdoemu.Options{Generate: "epics=1,features=1,stories=3,process=" + c.process}, nil)
			ctx := context.Background()
			states, err := b.client.States(ctx, emuProject, c.typ)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range states {
				got = append(got, s.Name+"="+s.Category)
			}
			if !slices.Equal(got, c.states) {
				t.Errorf("states of %s = %v, want %v", c.typ, got, c.states)
			}
			tfs, err := b.client.WorkItemTypeFields(ctx, emuProject, c.typ)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := b.client.Fields(ctx, emuProject)
			if err != nil {
				t.Fatal(err)
			}
			numeric := map[string]bool{}
			for _, f := range fs {
				numeric[f.ReferenceName] = f.Numeric()
			}
			for _, want := range c.numeric {
				if !slices.ContainsFunc(tfs, func(f azdo.WorkItemTypeField) bool { return f.ReferenceName == want }) || !numeric[want] {
					t.Errorf("%s: field %s missing or not numeric (numeric %v)", c.typ, want, numeric[want])
				}
			}
			if numeric["System.Title"] || !numeric["System.Id"] {
				t.Errorf("value types: Title numeric %v, Id numeric %v", numeric["System.Title"], numeric["System.Id"])
			}
			if b.calls("wit/workitemtypes/{type}/fields") != 1 || b.calls("wit/fields") != 1 {
				t.Errorf("calls: %v", b.routes)
			}
			if _, err := b.client.WorkItemTypeFields(ctx, emuProject, "Spaceship"); !errors.Is(err, azdo.ErrNotFound) {
				t.Errorf("fields of an unknown type: %v", err)
			}
		})
	}
}
