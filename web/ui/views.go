package ui

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// saveForm is the "Save view" form as it was sent, with the reason it was refused.
type saveForm struct {
	Name   string
	Shared bool
	Err    string
}

// flatItems fills the page with the items of every kind that the filter selects, one row
// each, in the order of the tree: what a type or source filter shows.
func (u *UI) flatItems(ctx context.Context, q *request, d *okrPage, b *treeBuilder, f treeFilter, page int) (*okrPage, error) {
	items, err := u.svc.ListItems(ctx, q.org.Slug, f.viewFilter())
	if err != nil {
		return nil, err
	}
	var sum []*cairn.ObjectiveView
	for _, it := range items {
		var ev cairn.ObjectiveView
		switch {
		case it.Objective != nil:
			ev = *it.Objective
		case it.KeyResult != nil:
			ev = cairn.ObjectiveView{Objective: it.Owner, Progress: it.KeyResult.Progress, Status: it.KeyResult.Status}
		default:
			ev = cairn.ObjectiveView{Objective: it.Owner, Progress: it.Initiative.Progress, Status: it.Initiative.Status}
		}
		sum = append(sum, &ev)
	}
	d.Summary = summarize(sum, d.Current, d.Now)
	d.Summary.Noun = "items"
	d.Total = len(items)
	if page < 1 {
		page = 1
	}
	start := min((page-1)*rootsPerPage, len(items))
	end := min(start+rootsPerPage, len(items))
	for _, it := range items[start:end] {
		var n *node
		switch {
		case it.Objective != nil:
			o := it.Objective
			n = &node{Type: cairn.ItemObjective, ID: o.ID, Title: o.Title, Owners: people(o.OwnerIDs, b.names),
				Progress: o.Progress, Label: pct(o.Progress), Full: pct(o.Progress), Status: o.Status}
		case it.KeyResult != nil:
			n = b.keyResult(it.KeyResult, 0)
		default:
			n = b.initiative(it.Initiative, 0)
		}
		n.Children = nil
		d.Roots = append(d.Roots, n)
	}
	d.Shown = end
	if end < len(items) {
		d.NextURL = "/o/" + q.org.Slug + "/okrs/rows?" + f.query(page+1)
	}
	d.Query = template.URL(f.query(1))
	return d, nil
}

// viewQuery turns a saved view's filter into the OKR page's query.
func viewQuery(v *cairn.SavedView) url.Values {
	out := url.Values{}
	for _, p := range v.Filter.PeriodIDs {
		out.Add("period", strconv.FormatInt(p, 10))
	}
	set := func(k, s string) {
		if s != "" && s != "0" {
			out.Set(k, s)
		}
	}
	set("team", strconv.FormatInt(v.Filter.TeamID, 10))
	set("owner", strconv.FormatInt(v.Filter.OwnerID, 10))
	set("status", v.Filter.Status)
	set("q", v.Filter.Q)
	set("level", string(v.Filter.Level))
	set("type", string(v.Filter.Type))
	set("source", v.Filter.Source)
	return out
}

// saveView saves the filter the form carries as a named view, private or shared, and
// shows it.
func (u *UI) saveView(q *request) error {
	if err := parseForm(q); err != nil {
		return err
	}
	ctx := q.r.Context()
	periods, err := u.svc.ListPeriods(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	form := q.r.PostForm
	f := parseFilter(form, periods, u.now())
	if len(form["period"]) == 0 {
		// No period chosen: the view follows the current period rather than fixing one.
		f.Periods = nil
	}
	save := saveForm{Name: form.Get("name"), Shared: form.Get("shared") == "on"}
	v := &cairn.SavedView{Name: save.Name, Shared: save.Shared, Filter: f.viewFilter()}
	if err := u.svc.CreateView(ctx, q.org.Slug, v); err != nil {
		if cairn.ErrorField(err) == "" && cairn.ErrorCode(err) != cairn.EFORBIDDEN {
			return err
		}
		save.Err = cairn.ErrorMessage(err)
		if len(f.Periods) == 0 {
			f = parseFilter(form, periods, u.now())
		}
		d, derr := u.tree(ctx, q, f, 1, cairn.Ref{})
		if derr != nil {
			return derr
		}
		d.Save = save
		return u.render(q, http.StatusUnprocessableEntity, "okrs", "OKRs · "+q.org.Name, "okrs", d)
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/okrs?view="+strconv.FormatInt(v.ID, 10))
}

// deleteView deletes a saved view.
func (u *UI) deleteView(q *request) error {
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := u.svc.DeleteView(q.r.Context(), q.org.Slug, id); err != nil {
		return err
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/okrs")
}

// dashPage is the data of the dashboard page.
type dashPage struct {
	D        *cairn.Dashboard
	Teams    []*cairn.Team
	Team     int64
	TeamName string
	Periods  []*cairn.Period
	// ProgressChart, StatusChart and SourceChart are the dashboard's drawings.
	ProgressChart template.HTML
	StatusChart   template.HTML
	SourceChart   template.HTML
	Overdue       []overdueRow
	// Owners counts the overdue key results of each person, most first.
	Owners []ownerCount
}

// CadenceText describes the dashboard's cadence as people say it: "weekly on Monday at
// 09:00 UTC", "every other week on Tuesday at 09:00 Europe/Berlin", "monthly on day 14 at
// 10:00 UTC".
func (d dashPage) CadenceText() string {
	if d.D == nil {
		return ""
	}
	c := d.D.Cadence.Cadence
	at := fmt.Sprintf("at %02d:00 %s", c.Hour, d.D.Cadence.TimeZone)
	day := time.Weekday(c.Weekday).String()
	switch c.Frequency {
	case cairn.Biweekly:
		return "every other week on " + day + " " + at
	case cairn.Monthly:
		return fmt.Sprintf("monthly on day %d %s", c.MonthDay, at)
	}
	return "weekly on " + day + " " + at
}

type overdueRow struct {
	ID     int64
	Title  string
	Owners []person
	Last   string
	Days   int
}

type ownerCount struct {
	Person person
	Count  int
}

// dashboardPage shows the dashboard of the organization or of one team.
func (u *UI) dashboardPage(q *request) error {
	ctx := q.r.Context()
	v := q.r.URL.Query()
	team, _ := strconv.ParseInt(v.Get("team"), 10, 64)
	period, _ := strconv.ParseInt(v.Get("period"), 10, 64)
	teams, err := u.svc.ListTeams(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	d := &dashPage{Teams: teams}
	for _, t := range teams {
		if t.ID == team {
			d.Team, d.TeamName = t.ID, t.Name
		}
	}
	if d.Periods, err = u.svc.ListPeriods(ctx, q.org.Slug); err != nil {
		return err
	}
	known := false
	for _, p := range d.Periods {
		known = known || p.ID == period
	}
	if !known {
		period = 0
	}
	if d.D, err = u.svc.Dashboard(ctx, q.org.Slug, cairn.DashboardQuery{TeamID: d.Team, PeriodID: period}); err != nil {
		return err
	}
	members, err := u.svc.ListMembers(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	names := memberNames(members)
	now := u.now()
	counts := map[int64]int{}
	for _, o := range d.D.Overdue {
		row := overdueRow{ID: o.KeyResultID, Title: o.Title, Owners: people(o.OwnerIDs, names), Last: "never", Days: o.DaysOverdue}
		if o.LastCheckIn != nil {
			row.Last = ago(now, *o.LastCheckIn)
		}
		d.Overdue = append(d.Overdue, row)
		for _, id := range o.OwnerIDs {
			counts[id]++
		}
	}
	for id, n := range counts {
		d.Owners = append(d.Owners, ownerCount{Person: people([]int64{id}, names)[0], Count: n})
	}
	sortOwners(d.Owners)
	d.ProgressChart = progressBars(d.D.Periods)
	d.StatusChart = statusBars(d.D.Status)
	d.SourceChart = sourceBars(d.D.Sources, d.D.Compliance)
	title := "Dashboard · " + q.org.Name
	if d.TeamName != "" {
		title = "Dashboard · " + d.TeamName
	}
	return u.render(q, http.StatusOK, "dashboard", title, "dashboard", d)
}

// statusOrder is the order of statuses in the charts.
var statusOrder = []progress.Status{progress.OnTrack, progress.Behind, progress.AtRisk, progress.NotStarted}
