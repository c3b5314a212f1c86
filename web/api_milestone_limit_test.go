package web_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// milestonesEveryThirdDay returns n milestones in Q3 2026 as the API takes them: the i-th
// (from 0) due on 1 July + 3i days with value i + 1, so that 25 still fall in the period
// (the 25th on 11 September) and go up short of the target 100.
func milestonesEveryThirdDay(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"date": time.Date(2026, 7, 1+3*i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), "value": i + 1}
	}
	return out
}

// TestMilestoneLimitOverTheAPI checks the limit of 24 milestones (cairn.MaxMilestones) over
// the API: a key result is created with 24 and reads them back, 25 are refused with a 422
// whose field is metric.milestones, on create and on change, and a refused change leaves the
// 24 stored. The clock stands at 15 August noon.
func TestMilestoneLimitOverTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	if ms := milestonesEveryThirdDay(25); ms[23]["date"] != "2026-09-08" || ms[24]["date"] != "2026-09-11" {
		t.Fatalf("the 24th and 25th milestones fall on %v and %v, want 2026-09-08 and 2026-09-11", ms[23]["date"], ms[24]["date"])
	}
	metric := func(n int) map[string]any {
		return map[string]any{"kind": "percentage", "start": 0, "target": 100, "unit": "%", "milestones": milestonesEveryThirdDay(n)}
	}
	wantRefused := func(t *testing.T, r response) {
		t.Helper()
		p := r.problem(t)
		if p.Field != "metric.milestones" || !strings.Contains(p.Detail, "at most 24 milestones, not 25") {
			t.Fatalf("problem = %+v, want field metric.milestones and the limit in the detail", p)
		}
	}
	get := func(t *testing.T, id int64) keyResultJSON {
		t.Helper()
		var k keyResultJSON
		b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/key-results/%d", org, id), nil).json(t, &k)
		return k
	}

	id := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "24 milestones", "metric": metric(24)}).id(t)
	k := get(t, id)
	if n := len(k.Metric.Milestones); n != 24 || k.Metric.Milestones[0].Date != "2026-07-01" || k.Metric.Milestones[0].Value != 1 ||
		k.Metric.Milestones[23].Date != "2026-09-08" || k.Metric.Milestones[23].Value != 24 {
		t.Fatalf("read back %d milestones: %+v", n, k.Metric.Milestones)
	}
	// On 15 August noon the line runs from 15 % due by the end of 12 August to 16 % due by
	// the end of 15 August, 2.5 of its 3 days along.
	if want := 0.15 + 0.01*2.5/3; math.Abs(k.Expected-want) > 1e-9 {
		t.Fatalf("expected progress %v, want %v", k.Expected, want)
	}

	t.Run("CreateWith25", func(t *testing.T) {
		wantRefused(t, b.must(t, 422, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "25 milestones", "metric": metric(25)}))
	})
	t.Run("UpdateTo25", func(t *testing.T) {
		wantRefused(t, b.must(t, 422, "owner", "PATCH", fmt.Sprintf("%s/key-results/%d", org, id),
			map[string]any{"metric": map[string]any{"milestones": milestonesEveryThirdDay(25)}}))
		if n := len(get(t, id).Metric.Milestones); n != 24 {
			t.Fatalf("%d milestones after a refused change, want the 24 stored", n)
		}
	})
	t.Run("UpdateTo24", func(t *testing.T) {
		other := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "Grows", "metric": metric(2)}).id(t)
		b.must(t, 200, "owner", "PATCH", fmt.Sprintf("%s/key-results/%d", org, other), map[string]any{"metric": map[string]any{"milestones": milestonesEveryThirdDay(24)}})
		if n := len(get(t, other).Metric.Milestones); n != 24 {
			t.Fatalf("%d milestones after the change, want 24", n)
		}
	})
}
