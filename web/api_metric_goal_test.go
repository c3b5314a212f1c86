package web_test

import (
	"fmt"
	"math"
	"testing"
)

// keyResultJSON is a key result as the API answers it, with the fields goals add.
type keyResultJSON struct {
	Metric struct {
		Goal            string   `json:"goal"`
		Start           *float64 `json:"start"`
		Target          float64  `json:"target"`
		Current         *float64 `json:"current"`
		BaselinePending bool     `json:"baseline_pending"`
		Milestones      []struct {
			Date  string  `json:"date"`
			Value float64 `json:"value"`
		} `json:"milestones"`
	} `json:"metric"`
	Progress float64 `json:"progress"`
	Expected float64 `json:"expected_progress"`
	Status   string  `json:"status"`
	Trend    *struct {
		Direction string `json:"direction"`
		Effect    string `json:"effect"`
		Points    int    `json:"points"`
	} `json:"trend"`
}

// TestKeyResultGoalsOverTheAPI creates key results of each new kind through the JSON API
// and reads back their goal, baseline, milestones, progress, status and trend. The clock
// stands at 15 August 2026 noon in the period July–September.
func TestKeyResultGoalsOverTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	create := func(metric map[string]any) int64 {
		t.Helper()
		return b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "KR", "metric": metric}).id(t)
	}
	checkIn := func(id int64, v float64) {
		t.Helper()
		b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, id), map[string]any{"value": v})
	}
	get := func(id int64) keyResultJSON {
		t.Helper()
		var k keyResultJSON
		b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/key-results/%d", org, id), nil).json(t, &k)
		return k
	}

	t.Run("StayBelow", func(t *testing.T) {
		id := create(map[string]any{"kind": "number", "goal": "stay_below", "start": 500, "target": 300, "unit": "ms"})
		checkIn(id, 250)
		if k := get(id); k.Status != "on_track" || k.Progress != 1 || k.Trend != nil || k.Metric.Goal != "stay_below" {
			t.Fatalf("holding at 250 ms: %+v", k)
		}
		checkIn(id, 280)
		checkIn(id, 320)
		k := get(id)
		if k.Status != "at_risk" || math.Abs(k.Progress-0.9) > 1e-9 {
			t.Fatalf("at 320 ms: status %s, progress %v; want at_risk, 0.9", k.Status, k.Progress)
		}
		if k.Trend == nil || k.Trend.Direction != "up" || k.Trend.Effect != "worse" || k.Trend.Points != 3 {
			t.Fatalf("trend = %+v, want up, worse, over 3", k.Trend)
		}
	})

	t.Run("BaselinePending", func(t *testing.T) {
		id := create(map[string]any{"kind": "number", "goal": "decrease", "target": 800, "unit": "ms", "baseline_pending": true})
		k := get(id)
		if k.Metric.Start != nil || k.Metric.Current != nil || !k.Metric.BaselinePending || k.Status != "not_started" || k.Progress != 0 {
			t.Fatalf("pending baseline reads as %+v", k)
		}
		checkIn(id, 1500)
		checkIn(id, 1150)
		k = get(id)
		if k.Metric.BaselinePending || k.Metric.Start == nil || *k.Metric.Start != 1500 || math.Abs(k.Progress-0.5) > 1e-9 {
			t.Fatalf("after the baseline and a second check-in: %+v", k)
		}
	})

	t.Run("Milestones", func(t *testing.T) {
		// Due by the end of 31 July, 31 August and 30 September: on 15 August noon the line
		// stands 14.5 of the 31 days from 20 % to 50 %.
		id := create(map[string]any{"kind": "percentage", "start": 0, "target": 100, "unit": "%", "milestones": []map[string]any{
			{"date": "2026-07-31", "value": 20}, {"date": "2026-08-31", "value": 50}, {"date": "2026-09-30", "value": 100}}})
		checkIn(id, 35)
		k := get(id)
		want := 0.2 + 0.3*14.5/31
		if math.Abs(k.Expected-want) > 1e-9 || k.Status != "on_track" || k.Metric.Goal != "increase" {
			t.Fatalf("expected %v (want %v), status %s, goal %s", k.Expected, want, k.Status, k.Metric.Goal)
		}
		if len(k.Metric.Milestones) != 3 || k.Metric.Milestones[1].Date != "2026-08-31" || k.Metric.Milestones[1].Value != 50 {
			t.Fatalf("milestones = %+v", k.Metric.Milestones)
		}
		b.must(t, 200, "owner", "PATCH", fmt.Sprintf("%s/key-results/%d", org, id), map[string]any{"metric": map[string]any{"milestones": []any{}}})
		if k := get(id); len(k.Metric.Milestones) != 0 || k.Status != "behind" {
			t.Fatalf("without milestones: %+v", k)
		}
	})
}

// TestKeyResultGoalValidationNamesTheField checks that the API refuses bad goals,
// baselines and milestones with a 422 that names the field.
func TestKeyResultGoalValidationNamesTheField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	ms := func(pairs ...any) []map[string]any {
		var out []map[string]any
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, map[string]any{"date": pairs[i], "value": pairs[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		metric map[string]any
		field  string
	}{
		{"GoalUnknown", map[string]any{"kind": "number", "goal": "sideways", "start": 0, "target": 10}, "metric.goal"},
		{"GoalNotAString", map[string]any{"kind": "number", "goal": 5, "start": 0, "target": 10}, "metric.goal"},
		{"MilestoneAfterThePeriod", map[string]any{"kind": "number", "start": 0, "target": 10, "milestones": ms("2026-10-15", 5)}, "metric.milestones[0].date"},
		{"MilestoneBeforeThePeriod", map[string]any{"kind": "number", "start": 0, "target": 10, "milestones": ms("2026-06-30", 5)}, "metric.milestones[0].date"},
		{"MilestonesNotOrdered", map[string]any{"kind": "number", "start": 0, "target": 10, "milestones": ms("2026-08-31", 5, "2026-07-31", 6)}, "metric.milestones[1].date"},
		{"MilestonesGoBack", map[string]any{"kind": "number", "start": 0, "target": 10, "milestones": ms("2026-07-31", 6, "2026-08-31", 5)}, "metric.milestones[1].value"},
		{"MilestonesForAControlGoal", map[string]any{"kind": "number", "goal": "stay_above", "start": 0, "target": 10, "milestones": ms("2026-07-31", 6)}, "metric.milestones"},
		{"StartWithBaselinePending", map[string]any{"kind": "number", "goal": "increase", "start": 3, "target": 10, "baseline_pending": true}, "metric.start"},
		{"BaselinePendingWithoutGoal", map[string]any{"kind": "number", "target": 10, "baseline_pending": true}, "metric.goal"},
		{"StayBelowCeilingUnderThreshold", map[string]any{"kind": "number", "goal": "stay_below", "start": 200, "target": 300}, "metric.start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.must(t, 422, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "KR", "metric": tc.metric})
			if p := r.problem(t); p.Field != tc.field || p.Detail == "" {
				t.Fatalf("problem = %+v, want field %s", p, tc.field)
			}
		})
	}
	t.Run("UpdateMilestoneAfterThePeriod", func(t *testing.T) {
		r := b.must(t, 422, "owner", "PATCH", fmt.Sprintf("%s/key-results/%d", org, ids.keyResult),
			map[string]any{"metric": map[string]any{"milestones": ms("2026-12-01", 50)}})
		if p := r.problem(t); p.Field != "metric.milestones[0].date" {
			t.Fatalf("problem = %+v", p)
		}
	})
}
