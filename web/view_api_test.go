package web_test

import (
	"fmt"
	"testing"
	"time"
)

// TestSavedViewsAPI checks who may save, see, change and delete views: anyone saves private
// views, sharing takes a writer, a private view is its owner's alone, and a shared one its
// owner's and the admins' to change.
func TestSavedViewsAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	filter := map[string]any{"period_ids": []int64{ids.period}, "status": "at_risk", "type": "key_result", "source": "manual", "level": "team"}
	private := b.must(t, 201, "viewer", "POST", org+"/views", map[string]any{"name": "My risks", "filter": filter}).id(t)
	b.must(t, 403, "viewer", "POST", org+"/views", map[string]any{"name": "For all", "shared": true})
	b.must(t, 409, "viewer", "POST", org+"/views", map[string]any{"name": "My risks"})
	shared := b.must(t, 201, "member", "POST", org+"/views", map[string]any{"name": "Team board", "shared": true, "filter": map[string]any{"owner_id": b.users["owner"].ID}}).id(t)

	var got struct {
		Name   string `json:"name"`
		Shared bool   `json:"shared"`
		Filter struct {
			PeriodIDs []int64 `json:"period_ids"`
			Status    string  `json:"status"`
			Type      string  `json:"type"`
			Source    string  `json:"source"`
			Level     string  `json:"level"`
		} `json:"filter"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/views/%d", org, private), nil).json(t, &got)
	if got.Name != "My risks" || got.Shared || len(got.Filter.PeriodIDs) != 1 || got.Filter.Status != "at_risk" || got.Filter.Type != "key_result" || got.Filter.Source != "manual" || got.Filter.Level != "team" {
		t.Errorf("the private view reads back as %+v", got)
	}
	for _, who := range []string{"member", "owner", "admin", "tenant"} {
		b.must(t, 404, who, "GET", fmt.Sprintf("%s/views/%d", org, private), nil)
	}
	b.must(t, 404, "outsider", "GET", fmt.Sprintf("%s/views/%d", org, shared), nil)
	var list struct {
		Count int `json:"count"`
	}
	b.must(t, 200, "viewer", "GET", org+"/views", nil).json(t, &list)
	if list.Count != 2 {
		t.Errorf("the viewer lists %d views, want their own and the shared one", list.Count)
	}
	b.must(t, 200, "owner", "GET", org+"/views", nil).json(t, &list)
	if list.Count != 1 {
		t.Errorf("the owner lists %d views, want only the shared one", list.Count)
	}
	b.must(t, 403, "owner", "PATCH", fmt.Sprintf("%s/views/%d", org, shared), map[string]any{"name": "Mine now"})
	b.must(t, 403, "viewer", "PATCH", fmt.Sprintf("%s/views/%d", org, private), map[string]any{"shared": true})
	b.must(t, 200, "admin", "PATCH", fmt.Sprintf("%s/views/%d", org, shared), map[string]any{"name": "Renamed by admin"})
	b.must(t, 422, "member", "PATCH", fmt.Sprintf("%s/views/%d", org, shared), map[string]any{"filter": map[string]any{"status": "done"}})
	b.must(t, 422, "member", "PATCH", fmt.Sprintf("%s/views/%d", org, shared), map[string]any{"filter": map[string]any{"team_id": 999999}})
	b.must(t, 422, "member", "PATCH", fmt.Sprintf("%s/views/%d", org, shared), map[string]any{"colour": "red"})
	b.must(t, 400, "member", "PATCH", fmt.Sprintf("%s/views/%d", org, shared), "{not json")
	b.must(t, 422, "member", "POST", org+"/views", map[string]any{"name": "  "})
	b.must(t, 403, "owner", "DELETE", fmt.Sprintf("%s/views/%d", org, shared), nil)
	b.must(t, 204, "admin", "DELETE", fmt.Sprintf("%s/views/%d", org, shared), nil)
	b.must(t, 204, "viewer", "DELETE", fmt.Sprintf("%s/views/%d", org, private), nil)
	b.must(t, 404, "viewer", "GET", fmt.Sprintf("%s/views/%d", org, private), nil)
}

// TestDashboardAPI checks the dashboard's figures: progress by period, status counts,
// check-in compliance with the default cadence (weekly on Mondays at 9:00 UTC) and with a
// team's own, and sources, for the organization and for one team.
func TestDashboardAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := "/api/v1/orgs/fabrikam"
	start := b.now
	b.now = time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	period := b.must(t, 201, "admin", "POST", org+"/periods", map[string]any{"name": "Q3 2026", "start": "2026-07-01", "end": "2026-09-30"}).id(t)
	b.must(t, 201, "admin", "POST", org+"/periods", map[string]any{"name": "Q2 2026", "start": "2026-04-01", "end": "2026-06-30"})
	team := b.must(t, 201, "admin", "POST", org+"/teams", map[string]any{"name": "Web"}).id(t)
	o1 := b.must(t, 201, "owner", "POST", org+"/objectives", map[string]any{"period_id": period, "title": "Team goal", "level": "team", "team_id": team}).id(t)
	o2 := b.must(t, 201, "owner", "POST", org+"/objectives", map[string]any{"period_id": period, "title": "Org goal"}).id(t)
	kr := func(obj int64, title string) int64 {
		return b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": obj, "title": title, "metric": map[string]any{"kind": "number", "start": 0, "target": 10}}).id(t)
	}
	stale := kr(o1, "Checked in two weeks ago")
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, stale), map[string]any{"value": 4})
	never := kr(o2, "Never checked in")
	b.now = time.Date(2026, 8, 14, 12, 0, 0, 0, time.UTC)
	fresh := kr(o1, "Checked in yesterday")
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, fresh), map[string]any{"value": 6})
	b.now = start // 2026-08-15 noon

	type dash struct {
		Periods []struct {
			Name       string  `json:"name"`
			Objectives int     `json:"objectives"`
			Progress   float64 `json:"progress"`
		} `json:"periods"`
		Period struct {
			ID int64 `json:"id"`
		} `json:"period"`
		Status []struct {
			Status     string `json:"status"`
			Objectives int    `json:"objectives"`
			KeyResults int    `json:"key_results"`
		} `json:"status"`
		Cadence struct {
			TimeZone string `json:"time_zone"`
			Cadence  struct {
				Frequency string `json:"frequency"`
				Weekday   int    `json:"weekday"`
				MonthDay  int    `json:"month_day"`
				Hour      int    `json:"hour"`
			} `json:"cadence"`
		} `json:"cadence"`
		Compliance struct {
			Tracked int `json:"tracked"`
			Overdue int `json:"overdue"`
		} `json:"compliance"`
		Overdue []struct {
			KeyResultID int64     `json:"key_result_id"`
			Due         time.Time `json:"due"`
			DaysOverdue int       `json:"days_overdue"`
		} `json:"overdue"`
		Sources struct {
			AzureDevOps int `json:"azure_devops"`
			Manual      int `json:"manual"`
		} `json:"sources"`
	}
	var d dash
	b.must(t, 200, "viewer", "GET", org+"/dashboard", nil).json(t, &d)
	if c := d.Cadence; d.Period.ID != period || c.TimeZone != "UTC" || c.Cadence.Frequency != "weekly" || c.Cadence.Weekday != 1 || c.Cadence.Hour != 9 {
		t.Errorf("dashboard period %d cadence %+v, want %d and weekly on Mondays at 9 UTC", d.Period.ID, d.Cadence, period)
	}
	if len(d.Periods) != 2 || d.Periods[0].Name != "Q2 2026" || d.Periods[1].Objectives != 2 {
		t.Errorf("periods %+v, want Q2 then Q3 with 2 objectives", d.Periods)
	}
	// Team goal: 40 % and 60 % → 50 %; org goal 0 %: average 25 %.
	if p := d.Periods[1].Progress; p < 0.2499 || p > 0.2501 {
		t.Errorf("Q3 progress %v, want 0.25", p)
	}
	if d.Compliance.Tracked != 3 || d.Compliance.Overdue != 2 || len(d.Overdue) != 2 {
		t.Fatalf("compliance %+v overdue %+v, want 2 of 3 overdue", d.Compliance, d.Overdue)
	}
	// Saturday 15 August: both missed Monday 10 August's check-in (the stale one's came on 1
	// August, before the due time before, 3 August), five days ago; the one made on 14 August
	// was not due yet.
	due := time.Date(2026, 8, 10, 9, 0, 0, 0, time.UTC)
	if d.Overdue[0].KeyResultID != stale || d.Overdue[1].KeyResultID != never || d.Overdue[0].DaysOverdue != 5 || !d.Overdue[0].Due.Equal(due) {
		t.Errorf("overdue %+v, want %d then %d, due %s, 5 days overdue", d.Overdue, stale, never, due)
	}
	total := 0
	for _, s := range d.Status {
		total += s.Objectives + s.KeyResults
	}
	if total != 5 || d.Sources.Manual != 3 || d.Sources.AzureDevOps != 0 {
		t.Errorf("status %+v (total %d, want 5), sources %+v (want 3 manual)", d.Status, total, d.Sources)
	}

	var td dash
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/dashboard?team_id=%d", org, team), nil).json(t, &td)
	if td.Compliance.Tracked != 2 || td.Compliance.Overdue != 1 || td.Periods[1].Objectives != 1 {
		t.Errorf("team dashboard compliance %+v, periods %+v; want 1 of 2 overdue, 1 objective", td.Compliance, td.Periods)
	}

	// The team checks in monthly on the 14th at 10:00: its last due time, 14 August, asks
	// for a check-in since 14 July, which the stale key result has (1 August), and the fresh
	// one was made after it. The team is compliant, and the organization's count drops to
	// the key result without a check-in.
	b.must(t, 200, "admin", "PUT", fmt.Sprintf("%s/teams/%d/cadence", org, team), map[string]any{"cadence": map[string]any{"frequency": "monthly", "month_day": 14, "hour": 10}})
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/dashboard?team_id=%d", org, team), nil).json(t, &td)
	if td.Compliance.Tracked != 2 || td.Compliance.Overdue != 0 || td.Cadence.Cadence.Frequency != "monthly" || td.Cadence.Cadence.MonthDay != 14 {
		t.Errorf("team dashboard on its monthly cadence: compliance %+v, cadence %+v; want none of 2 overdue, monthly on the 14th", td.Compliance, td.Cadence)
	}
	d = dash{}
	b.must(t, 200, "viewer", "GET", org+"/dashboard", nil).json(t, &d)
	if d.Compliance.Tracked != 3 || d.Compliance.Overdue != 1 || len(d.Overdue) != 1 || d.Overdue[0].KeyResultID != never {
		t.Errorf("organization dashboard with the team's cadence: compliance %+v, overdue %+v; want only %d overdue", d.Compliance, d.Overdue, never)
	}
	b.must(t, 422, "viewer", "GET", org+"/dashboard?team_id=999999", nil)
	b.must(t, 422, "viewer", "GET", org+"/dashboard?period_id=x", nil)
	b.must(t, 404, "outsider", "GET", org+"/dashboard", nil)
}
