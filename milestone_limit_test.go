package cairn_test

import (
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// everyThirdDay returns n milestones of a metric from 0 to 100 in Q2 2026: the i-th (from 0)
// is due on 1 April + 3i days with value i + 1, so that 25 of them still fall in the period
// (the 25th on 12 June) and go up short of the target.
func everyThirdDay(n int) []cairn.Milestone {
	out := make([]cairn.Milestone, n)
	for i := range out {
		d := q2Start.Time().AddDate(0, 0, 3*i)
		out[i] = cairn.Milestone{Date: cairn.Date{Year: d.Year(), Month: d.Month(), Day: d.Day()}, Value: float64(i + 1)}
	}
	return out
}

// TestMilestoneLimit checks MaxMilestones (24) in the service: a key result takes 24
// milestones, on create and on change, and 25 are refused as invalid (a 422 over the API) naming
// metric.milestones, leaving what was stored as it was.
func TestMilestoneLimit(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		if cairn.MaxMilestones != 24 {
			t.Fatalf("MaxMilestones = %d, want 24", cairn.MaxMilestones)
		}
		last := everyThirdDay(25)[24]
		if last.Date != (cairn.Date{Year: 2026, Month: 6, Day: 12}) || last.Value != 25 {
			t.Fatalf("the 25th milestone is %+v, want 25 on 2026-06-12", last)
		}
		obj := b.objective(t, "Migrate the accounts")
		withMilestones := func(n int) func(*cairn.KeyResult) {
			return func(k *cairn.KeyResult) {
				k.Metric = cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%", Milestones: everyThirdDay(n)}
			}
		}
		wantMilestones := func(t *testing.T, id int64, n int) {
			t.Helper()
			v := b.keyResultView(t, id)
			ms := v.Metric.Milestones
			if len(ms) != n {
				t.Fatalf("key result %d has %d milestones, want %d", id, len(ms), n)
			}
			if n > 0 && (ms[0] != (cairn.Milestone{Date: q2Start, Value: 1}) || ms[n-1].Value != float64(n)) {
				t.Fatalf("milestones run from %+v to %+v, want from 1 on %s to %d", ms[0], ms[n-1], q2Start, n)
			}
		}

		t.Run("CreateWith24", func(t *testing.T) {
			k := b.keyResult(t, obj.ID, "Twenty-four", withMilestones(24))
			wantMilestones(t, k.ID, 24)
			// 24 milestones every third day from 1 April (the last on 9 June, at 24 %): on
			// 16 May noon the line runs from 15 % due by the end of 13 May to 16 % due by
			// the end of 16 May, 2.5 of its 3 days along.
			wantNear(t, "expected", b.keyResultView(t, k.ID).Expected, 0.15+0.01*2.5/3)
		})
		t.Run("ErrInvalidCreateWith25", func(t *testing.T) {
			k := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "Twenty-five"}
			withMilestones(25)(k)
			err := b.svc.CreateKeyResult(b.as("owner"), slug, k)
			wantField(t, err, "metric.milestones")
			if msg := cairn.ErrorMessage(err); !strings.Contains(msg, "at most 24 milestones, not 25") {
				t.Fatalf("message %q does not give the limit", msg)
			}
			krs, err := b.svc.ListKeyResults(b.as("admin"), slug, obj.ID, 0)
			must(t, err)
			for _, k := range krs {
				if k.Title == "Twenty-five" {
					t.Fatal("a refused key result was stored")
				}
			}
		})
		t.Run("UpdateTo24ThenErrInvalid25", func(t *testing.T) {
			k := b.keyResult(t, obj.ID, "Grows", withMilestones(1))
			ms := everyThirdDay(24)
			_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, k.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Milestones: &ms}})
			must(t, err)
			wantMilestones(t, k.ID, 24)
			more := everyThirdDay(25)
			_, err = b.svc.UpdateKeyResult(b.as("assignee"), slug, k.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Milestones: &more}})
			wantField(t, err, "metric.milestones")
			wantMilestones(t, k.ID, 24)
		})
	})
}
