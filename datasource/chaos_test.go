package datasource_test

import (
	"math/rand/v2"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

// TestChaos runs 200 syncs (40 with -short) against the emulator behind 10 % 5xx, 5 % 429 and 2 % connection
// resets while Azure DevOps changes between syncs. A sync either fails as "unavailable"
// and keeps the last value, or shows exactly the value computed from the emulator's own
// state; and in the end every value matches.
func TestChaos(t *testing.T) {
	t.Parallel()
	syncs := 200
	if testing.Short() {
		syncs = 40
	}
	// One retry instead of six, so that some syncs do fail and must keep their values.
	b := setup(t, bundleOptions{maxRetries: 1})
	f := b.newFront(t, "*:5xx@10%,*:429=1s@5%,*:reset@2%", 42)
	var conn *datasource.ConnectionView
	for range 20 { // creating the connection verifies it live, through the faults too
		c, err := b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{
			Name: "chaos", OrganizationURL: f.url + "/" + emuOrg, Project: emuProject,
			Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: testPAT}})
		if err == nil {
			conn = c
			break
		}
	}
	if conn == nil {
		t.Fatal("could not create the connection through the faults")
	}
	type bound struct {
		d      *cairn.DataSource
		kind   string
		items  func() []int
		ptype  string
		m      string
		resolv bool
	}
	var all []*bound
	add := func(target cairn.Target, kind string, in datasource.DataSourceInput, items func() []int) {
		in.Target, in.ConnectionID = target, conn.ID
		var d *cairn.DataSource
		var err error
		for range 20 {
			if d, err = b.ds.CreateDataSource(b.actx, b.org.Slug, in); err == nil {
				break
			}
		}
		must(t, err)
		if in.Measure == "" {
			in.Measure = "count"
		}
		all = append(all, &bound{d: d, kind: kind, items: items, ptype: in.ProgressType, m: in.Measure, resolv: in.ResolvedIsComplete})
	}
	k1 := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	add(cairn.Target{Type: cairn.TargetKeyResult, ID: k1.ID}, "percentage",
		datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: b.queryID(t, "Shared Queries/Features with stories"), ProgressType: "User Story"},
		func() []int { return b.queryItems(t, "Shared Queries/Features with stories") })
	k2 := b.keyResult(t, cairn.MetricNumber, 0, 100)
	add(cairn.Target{Type: cairn.TargetKeyResult, ID: k2.ID}, "number",
		datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1, 2, 3}, ProgressType: "User Story", Measure: "Microsoft.VSTS.Scheduling.StoryPoints"},
		func() []int { return b.descendants(t, 1, 2, 3) })
	i1 := b.initiative(t, nil)
	add(cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i1.ID}, "tasks",
		datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "*", ResolvedIsComplete: true},
		func() []int { return b.descendants(t, 1) })

	rng := rand.New(rand.NewPCG(42, 7))
	check := func(step int, strict bool) int {
		mismatches := 0
		for _, bd := range all {
			got := b.get(t, bd.d.ID)
			want := b.expect(t, bd.items(), bd.ptype, bd.m, bd.kind, false, bd.resolv)
			switch {
			case got.Error != nil && strict:
				mismatches++
			case got.Error != nil:
				if got.Error.Kind != cairn.SyncErrUnavailable {
					t.Fatalf("step %d: data source %d failed with %+v, want only unavailable under faults", step, bd.d.ID, got.Error)
				}
			case got.Value == nil || !near(*got.Value, want.value):
				if got.LastAttemptAt != nil && got.LastSuccessAt != nil && got.LastAttemptAt.Equal(*got.LastSuccessAt) {
					t.Fatalf("step %d: data source %d shows %v after a successful sync, the emulator says %v", step, bd.d.ID, got.Value, want.value)
				}
				mismatches++
			}
		}
		return mismatches
	}
	failed := 0
	for step := range syncs {
		mutate(t, b, rng)
		rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
		must(t, err)
		for _, sr := range rep.Sources {
			if sr.Error != nil {
				failed++
				break
			}
		}
		check(step, false)
	}
	// In the end, with Azure DevOps still faulty but quiet, syncs converge on its state.
	for range 20 {
		_, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
		must(t, err)
		if check(syncs, true) == 0 {
			t.Logf("%d syncs, %d failed under faults and kept their last values; every final value matches", syncs, failed)
			return
		}
	}
	t.Fatal("the values never converged on the emulator's state")
}

// mutate changes Azure DevOps the way a team does between syncs.
func mutate(t *testing.T, b *testBundle, rng *rand.Rand) {
	t.Helper()
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(t, err)
	var stories, features []int
	for _, s := range snaps {
		switch {
		case s.Deleted:
		case s.Type == "User Story":
			stories = append(stories, s.ID)
		case s.Type == "Feature":
			features = append(features, s.ID)
		}
	}
	pick := func(ids []int) int { return ids[rng.IntN(len(ids))] }
	states := []string{"New", "Active", "Resolved", "Closed"}
	switch rng.IntN(6) {
	case 0, 1:
		must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, pick(stories), map[string]any{"System.State": states[rng.IntN(len(states))]}))
	case 2:
		must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, pick(stories), map[string]any{"Microsoft.VSTS.Scheduling.StoryPoints": rng.IntN(13) + 1}))
	case 3:
		_, err := b.emu.CreateWorkItem(emuOrg, emuProject, "User Story", map[string]any{"System.Title": "New story", "System.Parent": pick(features),
			"Microsoft.VSTS.Scheduling.StoryPoints": rng.IntN(8) + 1})
		must(t, err)
	case 4:
		if len(stories) > 20 {
			must(t, b.emu.DeleteWorkItem(emuOrg, emuProject, pick(stories)))
		}
	case 5:
		// No change: the sync must write nothing.
	}
}
