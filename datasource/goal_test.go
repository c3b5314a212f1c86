package datasource_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/progress"
)

// TestSyncFollowsTheMetricGoal binds key results with a pending baseline and with a
// threshold to Azure DevOps: the first sync measures the baseline, and a threshold's
// status follows the synced value whatever the date.
func TestSyncFollowsTheMetricGoal(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	bind := func(t *testing.T, k *cairn.KeyResult, in datasource.DataSourceInput) *cairn.DataSource {
		t.Helper()
		in.Target, in.ConnectionID = cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}, conn.ID
		d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, in)
		must(t, err)
		if d.Error != nil || d.Value == nil {
			t.Fatalf("first sync: value %v, error %+v", d.Value, d.Error)
		}
		return d
	}
	read := func(t *testing.T, id int64) *cairn.KeyResultView {
		t.Helper()
		v, err := b.svc.KeyResult(b.actx, b.org.Slug, id)
		must(t, err)
		return v
	}
	sync := func(t *testing.T) {
		t.Helper()
		if _, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule); err != nil {
			t.Fatal(err)
		}
	}
	// The stories under epic 1, and one of them still open.
	var stories []int
	open := 0
	for _, id := range b.descendants(t, 1) {
		s, err := b.emu.WorkItem(emuOrg, id)
		must(t, err)
		if s.Type == "User Story" {
			stories = append(stories, id)
			if open == 0 && s.State != "Closed" && s.State != "Removed" && s.State != "Resolved" {
				open = id
			}
		}
	}
	if open == 0 {
		t.Fatal("epic 1 has no open user story")
	}

	t.Run("BaselineFromTheFirstSync", func(t *testing.T) {
		k := &cairn.KeyResult{ObjectiveID: b.obj.ID, Title: "Stories closed", OwnerIDs: []int64{b.admin.ID},
			Metric: cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalIncrease, Target: 1000, BaselinePending: true}}
		must(t, b.svc.CreateKeyResult(b.actx, b.org.Slug, k))
		d := bind(t, k, datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1},
			ProgressType: "User Story", Measure: "count"})
		v := read(t, k.ID)
		if v.Metric.BaselinePending || v.Metric.Start != *d.Value || v.Metric.Current != *d.Value || v.Progress != 0 {
			t.Fatalf("after the first sync of %v: %+v, progress %v", *d.Value, v.Metric, v.Progress)
		}
		must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, open, map[string]any{"System.State": "Closed"}))
		sync(t)
		v = read(t, k.ID)
		if v.Metric.Start != *d.Value || v.Metric.Current != *d.Value+1 || !near(v.Progress, 1/(1000-*d.Value)) {
			t.Fatalf("after one more story closed: %+v, progress %v", v.Metric, v.Progress)
		}
	})

	t.Run("ThresholdHeldThenBroken", func(t *testing.T) {
		// Closed stories under epic 1 should stay at or above a threshold.
		k := &cairn.KeyResult{ObjectiveID: b.obj.ID, Title: "Closed stories stay many", OwnerIDs: []int64{b.admin.ID},
			Metric: cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalStayAbove, Start: 0, Target: 1}}
		must(t, b.svc.CreateKeyResult(b.actx, b.org.Slug, k))
		d := bind(t, k, datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1},
			ProgressType: "User Story", Measure: "count"})
		closed := *d.Value
		// The threshold is what is closed now, the floor ten below: holding, and on track
		// whatever the date.
		floor, threshold := closed-10, closed
		if _, err := b.svc.UpdateKeyResult(b.actx, b.org.Slug, k.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Start: &floor, Target: &threshold}}); err != nil {
			t.Fatal(err)
		}
		if v := read(t, k.ID); v.Status != progress.OnTrack || v.Progress != 1 {
			t.Fatalf("at the threshold: status %s, progress %v", v.Status, v.Progress)
		}
		// A story opened again: one under the threshold, nine tenths of the way up from the floor.
		reopened := 0
		for _, id := range stories {
			s, err := b.emu.WorkItem(emuOrg, id)
			must(t, err)
			if s.State == "Closed" {
				reopened = id
				break
			}
		}
		if reopened == 0 {
			t.Fatal("epic 1 has no closed user story")
		}
		must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, reopened, map[string]any{"System.State": "Active"}))
		sync(t)
		v := read(t, k.ID)
		if v.Metric.Current != closed-1 || v.Status != progress.AtRisk || !near(v.Progress, 0.9) {
			t.Fatalf("one under the threshold: current %v, status %s, progress %v", v.Metric.Current, v.Status, v.Progress)
		}
	})
}
