package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestWizardOffersTheProcessMeasures connects key results to CMMI and inherited-process
// projects and checks that the measure step offers the numeric fields of the chosen type in
// that process, and no other, and that a process's own field gives the preview's value.
func TestWizardOffersTheProcessMeasures(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	admin := b.signIn(t, "admin")
	cases := []struct {
		process, project, root, progress string
		children                         []map[string]any
		offered, absent                  []string
		rootOffered                      string // the measures of the root's type, in order
		measure                          string
		want                             string // the preview's value
	}{
		{
			process: "CMMI", project: "Fabrikam CMMI", root: "Epic", progress: "Requirement",
			children: []map[string]any{
				{"System.Title": "Sign in", "System.State": "Closed", "Microsoft.VSTS.Scheduling.Size": 5.0},
				{"System.Title": "Pay", "System.State": "Resolved", "Microsoft.VSTS.Scheduling.Size": 8.0},
				{"System.Title": "Ship", "System.State": "Active", "Microsoft.VSTS.Scheduling.Size": 3.0},
			},
			offered:     []string{"Size", "Original Estimate", "Completed Work", "Remaining Work"},
			absent:      []string{"Microsoft.VSTS.Scheduling.StoryPoints", "Microsoft.VSTS.Scheduling.Effort"},
			rootOffered: "Count of work items, Business Value, Size, Time Criticality",
			measure:     "Microsoft.VSTS.Scheduling.Size", want: "5",
		},
		{
			process: "custom", project: "Fabrikam Custom", root: "Feature", progress: "Customer Request",
			children: []map[string]any{
				{"System.Title": "Export", "System.State": "Shipped", "Custom.CustomerImpact": 7.0},
				{"System.Title": "Import", "System.State": "Ready for QA", "Custom.CustomerImpact": 4.0},
				{"System.Title": "Print", "System.State": "Won't fix", "Custom.CustomerImpact": 9.0},
			},
			offered:     []string{"Customer Impact", "Story Points"},
			absent:      []string{"Microsoft.VSTS.Scheduling.Effort", "Microsoft.VSTS.Scheduling.RemainingWork"},
			rootOffered: "Count of work items, Business Value, Customer Impact, Effort",
			measure:     "Custom.CustomerImpact", want: "7",
		},
	}
	for _, c := range cases {
		if err := b.emu.AddProject("fabrikam", c.project, c.process); err != nil {
			t.Fatal(err)
		}
		root, err := b.emu.CreateWorkItem("fabrikam", c.project, c.root, map[string]any{"System.Title": "Root"})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.children {
			f["System.Parent"] = root
			if _, err := b.emu.CreateWorkItem("fabrikam", c.project, c.progress, f); err != nil {
				t.Fatal(err)
			}
		}
		k := &cairn.KeyResult{ObjectiveID: b.objective, Title: "Done in " + c.process, Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 20}}
		if err := b.svc.CreateKeyResult(ctx, "fabrikam", k); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/o/fabrikam/key-results/%d/data-source", k.ID)
		res := admin.post(t, base, url.Values{"new_name": {c.project}, "organization_url": {b.emuURL + "/fabrikam"}, "pat": {emulatorPAT},
			"project": {c.project}, "step": {"create-connection"}})
		m := regexp.MustCompile(`name="connection_id" value="(\d+)"`).FindStringSubmatch(res.body)
		if stepOf(t, res) != "method" || m == nil {
			t.Fatalf("%s: creating the connection: %.1500s", c.process, res.body)
		}
		state := url.Values{"connection_id": {m[1]}, "method": {"work_items"}, "work_item_type": {c.root}, "work_item_ids": {fmt.Sprint(root)},
			"progress_type": {c.progress}, "step": {"progress"}}
		res = admin.post(t, base, state)
		if stepOf(t, res) != "progress" {
			t.Fatalf("%s: progress step: %.1500s", c.process, res.body)
		}
		sel := regexp.MustCompile(`(?s)<select id="measure".*?</select>`).FindString(res.body)
		for _, name := range c.offered {
			if !strings.Contains(sel, ">"+name+"</option>") {
				t.Errorf("%s: the measures %s lack %s", c.process, sel, name)
			}
		}
		for _, ref := range c.absent {
			if strings.Contains(sel, `value="`+ref+`"`) {
				t.Errorf("%s: the measures offer %s, which %s does not have", c.process, ref, c.progress)
			}
		}
		if strings.Contains(sel, "Priority") {
			t.Errorf("%s: the measures offer Priority: %s", c.process, sel)
		}
		// Choosing another progress type shows that type's fields (the radios ask for the
		// step again as they change).
		if !strings.Contains(res.body, `hx-trigger="change" hx-vals='{"step":"progress"}'`) {
			t.Errorf("%s: the progress types do not refresh the measures", c.process)
		}
		other := url.Values{}
		for k, v := range state {
			other[k] = v
		}
		other.Set("progress_type", c.root)
		sel = regexp.MustCompile(`(?s)<select id="measure".*?</select>`).FindString(admin.post(t, base, other).body)
		var names []string
		for _, m := range regexp.MustCompile(`>([^<]+)</option>`).FindAllStringSubmatch(sel, -1) {
			names = append(names, m[1])
		}
		if got := strings.Join(names, ", "); got != c.rootOffered {
			t.Errorf("%s: the measures of %s are %s, want %s", c.process, c.root, got, c.rootOffered)
		}
		state.Set("measure", c.measure)
		state.Set("step", "preview")
		res = admin.post(t, base, state)
		got := regexp.MustCompile(`data-testid="preview-value">([^<]*)<`).FindStringSubmatch(res.body)
		if stepOf(t, res) != "preview" || got == nil || got[1] != c.want {
			t.Errorf("%s: preview by %s = %v, want %s: %.1500s", c.process, c.measure, got, c.want, res.body)
		}
	}
}
