package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestKeyResultGoalsInTheUI creates key results with a goal, a pending baseline and
// milestones through the form, edits them, and reads them back in the tree and the drawer.
// The clock stands at 15 August 2026 noon in the period July–September.
func TestKeyResultGoalsInTheUI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	tctx := cairn.NewContext(context.Background(), b.users["tenant"])
	create := func(t *testing.T, kv ...string) *cairn.KeyResultView {
		t.Helper()
		form := url.Values{"title": {"p95 latency stays below 300 ms"}, "objective_id": {id(b.objective)}, "metric_kind": {"number"},
			"metric_start": {"500"}, "metric_target": {"300"}, "metric_unit": {"ms"}, "progress_source": {"manual"}}
		for i := 0; i+1 < len(kv); i += 2 {
			form[kv[i]] = append(form[kv[i]][:0:0], strings.Split(kv[i+1], "|")...)
		}
		res := admin.post(t, "/o/fabrikam/key-results", form)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create: status %d: %.1500s", res.status, res.body)
		}
		loc := res.header.Get("Location")
		n := loc[strings.LastIndex(loc, "/")+1:]
		var k *cairn.KeyResultView
		ks, err := b.svc.ListKeyResults(tctx, "fabrikam", b.objective, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ks {
			if id(x.ID) == n {
				k = x
			}
		}
		if k == nil {
			t.Fatalf("no key result behind %s", loc)
		}
		return k
	}
	checkIn := func(t *testing.T, k *cairn.KeyResultView, v string) response {
		t.Helper()
		return admin.hxTo(t, "POST", "/o/fabrikam/key-results/"+id(k.ID)+"/check-ins", "drawer", url.Values{"value": {v}})
	}

	t.Run("StayBelow", func(t *testing.T) {
		k := create(t, "metric_goal", "stay_below")
		if k.Metric.Goal != cairn.GoalStayBelow || k.Metric.Start != 500 || k.Metric.Target != 300 {
			t.Fatalf("metric = %+v", k.Metric)
		}
		checkIn(t, k, "250")
		res := checkIn(t, k, "320")
		for _, want := range []string{
			"Stay at or below 300 ms (progress falls to 0 at 500 ms)",
			"Not holding: 320 ms is above 300 ms",
			`class="goal-threshold"`,
			"Trend over the last 2 check-ins: up, worse for the goal",
			"At risk",
		} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the drawer lacks %q", want)
			}
		}
		page := admin.get(t, "/o/fabrikam/okrs?period="+id(b.period))
		row := page.body[strings.Index(page.body, `id="row-key_result-`+id(k.ID)+`"`):]
		row = row[:strings.Index(row, "</li>")]
		for _, want := range []string{"320 / ≤300 ms", `class="trend tr-worse"`, "↑", "At risk", `title="Goal: Stay at or below 300 ms (progress falls to 0 at 500 ms)"`} {
			if !strings.Contains(row, want) {
				t.Errorf("the tree row lacks %q: %s", want, row)
			}
		}
	})

	t.Run("BaselinePending", func(t *testing.T) {
		k := create(t, "title", "Checkout time", "metric_goal", "decrease", "metric_start", "", "metric_target", "800", "baseline_pending", "1")
		if !k.Metric.BaselinePending || k.Metric.Goal != cairn.GoalDecrease {
			t.Fatalf("metric = %+v", k.Metric)
		}
		drawer := admin.get(t, "/o/fabrikam/okrs/key-results/"+id(k.ID))
		for _, want := range []string{`data-testid="baseline-pending"`, "Baseline (the start)", "baseline pending", "Not started"} {
			if !strings.Contains(drawer.body, want) {
				t.Errorf("the drawer of a pending baseline lacks %q", want)
			}
		}
		if strings.Contains(drawer.body, `data-testid="chart"`) {
			t.Error("a pending baseline draws a chart from a start it does not have")
		}
		edit := admin.get(t, "/o/fabrikam/key-results/"+id(k.ID)+"/edit")
		if !strings.Contains(edit.body, `name="baseline_pending" value="1" checked`) || !strings.Contains(edit.body, `<option value="decrease" selected>`) {
			t.Error("the edit form does not show the pending baseline and its goal")
		}
		res := checkIn(t, k, "1500")
		if !strings.Contains(res.body, "Decrease from 1,500 ms to 800 ms") {
			t.Errorf("after the first check-in the drawer does not show the measured start: %.3000s", res.body)
		}
	})

	t.Run("Milestones", func(t *testing.T) {
		k := create(t, "title", "Accounts migrated", "metric_kind", "percentage", "metric_start", "0", "metric_target", "100", "metric_unit", "%",
			"metric_goal", "increase", "milestone_date", "2026-07-31||2026-08-31|2026-09-30", "milestone_value", "20||50|100")
		want := []cairn.Milestone{{Date: cairn.Date{Year: 2026, Month: 7, Day: 31}, Value: 20}, {Date: cairn.Date{Year: 2026, Month: 8, Day: 31}, Value: 50},
			{Date: cairn.Date{Year: 2026, Month: 9, Day: 30}, Value: 100}}
		if !reflect.DeepEqual(k.Metric.Milestones, want) {
			t.Fatalf("milestones = %+v, want %+v (the blank row dropped)", k.Metric.Milestones, want)
		}
		drawer := admin.get(t, "/o/fabrikam/okrs/key-results/"+id(k.ID))
		for _, want := range []string{`data-testid="item-milestones"`, "31 Jul</time> 20 %", "expected today 34 %", `class="milestone"`, "Milestone: 50 % by 31 Aug"} {
			if !strings.Contains(drawer.body, want) {
				t.Errorf("the drawer lacks %q", want)
			}
		}
		edit := admin.get(t, "/o/fabrikam/key-results/"+id(k.ID)+"/edit")
		if !strings.Contains(edit.body, `value="2026-08-31"`) || !strings.Contains(edit.body, `id="milestone_date_4"`) {
			t.Fatal("the edit form lacks the stored milestones or the blank rows after them")
		}
		res := admin.post(t, "/o/fabrikam/key-results/"+id(k.ID), url.Values{"title": {"Accounts migrated"}, "metric_kind": {"percentage"},
			"metric_goal": {"increase"}, "metric_start": {"0"}, "metric_target": {"100"}, "metric_unit": {"%"}, "owner_ids": {id(b.users["admin"].ID)},
			"milestone_date": {"2026-08-15", ""}, "milestone_value": {"40", ""}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("update: status %d: %.1500s", res.status, res.body)
		}
		got, err := b.svc.KeyResult(tctx, "fabrikam", k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Metric.Milestones) != 1 || got.Metric.Milestones[0].Value != 40 {
			t.Fatalf("milestones after the edit = %+v", got.Metric.Milestones)
		}
	})
}
