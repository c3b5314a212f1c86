package ui

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// drawer is the side panel of one item: header, chart, data source, check-ins.
type drawer struct {
	Type        cairn.ItemType
	ID          int64
	Title       string
	Description string
	Status      progress.Status
	Progress    float64
	Label       string
	Owners      []person
	ParentTitle string
	ParentURL   string
	// Parents lists what an objective, or a key result aligned beyond its own objective,
	// counts towards, with the weights.
	Parents    []parentRow
	Period     *cairn.Period
	Closed     bool
	CanEdit    bool
	CanCheckIn bool
	Automated  bool
	RollUp     bool
	Percent    bool // check-ins are percentages (manual and task initiatives)
	Unit       string
	Chart      template.HTML
	CheckIns   []checkInRow
	Children   []*node
	Form       checkInForm
	Source     *sourceCard
	Tasks      bool
	URL        string
	CloseURL   string
	Query      string
	Score      *float64
	Kind       cairn.MetricKind
	// Goal says a key result's goal in words; Holding whether a control goal holds its
	// threshold (Holds), once it has a value; Pending that its baseline is to be measured.
	Goal     string
	Holding  string
	Holds    bool
	Pending  bool
	Control  bool
	Trend    *trendMark
	Expected float64
	// Milestones are a key result's milestones as the drawer lists them.
	Milestones []milestoneRow
	// Closing is the closing score and status of an objective or key result.
	Closing *closingPanel
	// OOB marks the parts that a finished sync replaces out of band.
	OOB bool

	// Editors may change the item; CheckInOwners may check in on it.
	Editors       []person
	CheckInOwners []person
	// CanComment is whether the user may comment on the item and its check-ins.
	CanComment bool
	// The conversation: the item's comments, the form a refused comment comes back in, the
	// check-in whose thread is open, and the audit trail.
	Comments    []commentView
	CommentForm commentForm
	OpenThread  int64
	History     []historyRow
	// Org is the organization's slug, for the threads' addresses.
	Org string
	// Confidence is the newest confidence a check-in gave, if any.
	Confidence *int
}

// milestoneRow is one milestone in the drawer.
type milestoneRow struct {
	Date  string // YYYY-MM-DD
	Label string // "30 Apr"
	Value string // "20 %"
	Past  bool   // due already
}

// checkInRow is one line of the check-in list, with its thread of comments.
type checkInRow struct {
	At     time.Time
	Value  string
	Status progress.Status
	Note   string
	Author string
	Auto   bool

	ID         int64
	Confidence *int
	Comments   []commentView
}

// checkInForm keeps what the user typed when the check-in is refused.
type checkInForm struct {
	Value  string
	Status string
	Note   string
	Errs   map[string]string
	Saved  bool
	// Refused says why a check-in was refused when the drawer no longer offers the form
	// to show it at, as when the period closed while the form was open.
	Refused string

	Confidence string
}

func (d *drawer) ref() cairn.Ref { return cairn.Ref{Type: d.Type, ID: d.ID} }

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, cairn.Errorf(cairn.ENOTFOUND, "%q is not an item id", s)
	}
	return id, nil
}

// kindOf reads the item kind from the path segment after the organization.
func kindOf(r *http.Request) (cairn.ItemType, error) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for _, p := range parts[2:] {
		if t, ok := itemType(p); ok {
			return t, nil
		}
	}
	return "", notFound("page")
}

func (u *UI) okrsPage(q *request) error {
	ctx := q.r.Context()
	periods, err := u.svc.ListPeriods(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	v := q.r.URL.Query()
	// A saved view gives the filter; the page then shows the view by name.
	var view *cairn.SavedView
	if id, err := strconv.ParseInt(v.Get("view"), 10, 64); err == nil && v.Get("part") == "" {
		if view, err = u.svc.View(ctx, q.org.Slug, id); err != nil {
			return err
		}
		v = viewQuery(view)
	}
	mine, err := u.myTeams(ctx, q)
	if err != nil {
		return err
	}
	// "My team" shows the user's first team, and offers the others when there are several.
	askedMine := v.Get("team") == "mine"
	if askedMine {
		v.Del("team")
		if len(mine) > 0 {
			v.Set("team", strconv.FormatInt(mine[0].ID, 10))
		}
	}
	f := parseFilter(v, periods, u.now())
	d, err := u.tree(ctx, q, f, 1, cairn.Ref{})
	if err != nil {
		return err
	}
	d.View = view
	nav := "okrs"
	if slices.ContainsFunc(mine, func(t *cairn.Team) bool { return t.ID == f.Team }) {
		nav = "team"
		if len(mine) > 1 {
			d.MyTeams = mine
		}
	}
	if d.NoTeam = askedMine && len(mine) == 0; d.NoTeam {
		nav = "team"
	}
	if q.htmx() && v.Get("part") == "tree" {
		return u.renderBlock(q, http.StatusOK, "okrs", "tree", u.view(q, "OKRs", nav, d))
	}
	return u.render(q, http.StatusOK, "okrs", "OKRs · "+q.org.Name, nav, d)
}

// myTeams lists the organization's teams the user belongs to, by name.
func (u *UI) myTeams(ctx context.Context, q *request) ([]*cairn.Team, error) {
	teams, err := u.svc.ListTeams(ctx, q.org.Slug)
	if err != nil {
		return nil, err
	}
	var mine []*cairn.Team
	for _, t := range teams {
		if slices.Contains(t.MemberIDs, q.user.ID) {
			mine = append(mine, t)
		}
	}
	slices.SortFunc(mine, func(a, b *cairn.Team) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return mine, nil
}

// okrRows answers "Show more" with the next page of rows.
func (u *UI) okrRows(q *request) error {
	ctx := q.r.Context()
	periods, err := u.svc.ListPeriods(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	f := parseFilter(q.r.URL.Query(), periods, u.now())
	page, _ := strconv.Atoi(q.r.URL.Query().Get("page"))
	d, err := u.tree(ctx, q, f, page, cairn.Ref{})
	if err != nil {
		return err
	}
	return u.renderBlock(q, http.StatusOK, "okrs", "rows", u.view(q, "OKRs", "okrs", d))
}

// itemPage shows an item's drawer: alone for htmx, or over its period's tree for a link
// that was shared or reloaded.
func (u *UI) itemPage(q *request) error {
	ctx := q.r.Context()
	t, err := kindOf(q.r)
	if err != nil {
		return err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	dr, err := u.loadDrawer(ctx, q, cairn.Ref{Type: t, ID: id})
	if err != nil {
		return err
	}
	u.ticketProgress(q, dr.ref(), dr.Source)
	if q.htmx() && q.r.Header.Get("HX-Target") == "drawer" {
		return u.renderBlock(q, http.StatusOK, "okrs", "drawer", u.view(q, dr.Title, "okrs", dr))
	}
	return u.itemFull(q, dr, http.StatusOK)
}

// itemFull renders the tree of the drawer's period with the drawer open.
func (u *UI) itemFull(q *request, dr *drawer, status int) error {
	ctx := q.r.Context()
	periods, err := u.svc.ListPeriods(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	v := q.r.URL.Query()
	if len(v["period"]) == 0 && dr.Period != nil {
		v.Set("period", strconv.FormatInt(dr.Period.ID, 10))
	}
	f := parseFilter(v, periods, u.now())
	d, err := u.tree(ctx, q, f, 1, dr.ref())
	if err != nil {
		return err
	}
	dr.CloseURL = "/o/" + q.org.Slug + "/okrs?" + string(d.Query)
	d.Drawer = dr
	return u.renderBlock(q, status, "okrs", "layout", u.view(q, dr.Title+" · "+q.org.Name, "okrs", d))
}

// loadDrawer gathers an item's drawer.
func (u *UI) loadDrawer(ctx context.Context, q *request, ref cairn.Ref) (*drawer, error) {
	org := q.org.Slug
	members, err := u.svc.ListMembers(ctx, org)
	if err != nil {
		return nil, err
	}
	names := memberNames(members)
	d := &drawer{Type: ref.Type, ID: ref.ID}
	acc, err := u.svc.ItemAccess(ctx, org, ref)
	if err != nil {
		return nil, err
	}
	d.CanEdit, d.CanComment = acc.Edit, acc.Comment
	var periodID int64
	var metric *cairn.Metric
	var checkable bool
	switch ref.Type {
	case cairn.ItemObjective:
		t, err := u.svc.ObjectiveTree(ctx, org, ref.ID)
		if err != nil {
			return nil, err
		}
		d.Title, d.Description, d.Status, d.Progress, d.Score = t.Title, t.Description, t.Status, t.Progress, t.Score
		d.Closing = newClosingPanel(org, ref.Type, t.Progress, t.Score, t.ClosingStatus, t.CarriedFromID, t.CarriedToID)
		d.Label = pct(t.Progress)
		d.Owners = people(t.OwnerIDs, names)
		d.Editors = people(t.EditorIDs, names)
		periodID = t.PeriodID
		b := &treeBuilder{names: names, auto: u.automated(ctx, q)}
		for _, k := range t.KeyResults {
			d.Children = append(d.Children, b.keyResult(&k.KeyResultView, 0))
		}
		for _, i := range t.Initiatives {
			d.Children = append(d.Children, b.initiative(i, 0))
		}
		for _, c := range t.Children {
			d.Children = append(d.Children, &node{Type: cairn.ItemObjective, ID: c.ID, Title: c.Title, Owners: people(c.OwnerIDs, names), Progress: c.Progress, Label: pct(c.Progress), Full: pct(c.Progress), Status: c.Status})
		}
		if t.Parent != nil {
			d.ParentTitle, d.ParentURL = u.parentLink(ctx, org, *t.Parent)
		}
		d.Parents = u.parentRows(ctx, org, t.Parents, true)
	case cairn.ItemKeyResult:
		k, err := u.svc.KeyResult(ctx, org, ref.ID)
		if err != nil {
			return nil, err
		}
		o, err := u.svc.Objective(ctx, org, k.ObjectiveID)
		if err != nil {
			return nil, err
		}
		d.Title, d.Description, d.Status, d.Progress, d.Score = k.Title, k.Description, k.Status, k.Progress, k.Score
		d.Closing = newClosingPanel(org, ref.Type, k.Progress, k.Score, k.ClosingStatus, k.CarriedFromID, k.CarriedToID)
		d.Label = metricLabel(k.Metric, roomFull)
		d.Owners = people(k.OwnerIDs, names)
		d.Editors, d.CheckInOwners = people(k.EditorIDs, names), people(k.CheckInOwnerIDs, names)
		d.Automated = k.Source == "azure-devops" || k.ProgressSource == cairn.SourceDataSource
		d.RollUp = k.ProgressSource == cairn.SourceRollUp
		d.ParentTitle, d.ParentURL = o.Title, itemURL(org, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID})
		if len(k.Parents) > 0 {
			own := cairn.Alignment{Type: cairn.ItemObjective, ID: o.ID, Weight: k.Weight}
			d.Parents = u.parentRows(ctx, org, append([]cairn.Alignment{own}, k.Parents...), true)
		}
		periodID = o.PeriodID
		m := k.Metric
		metric = &m
		checkable = !d.RollUp
		if !d.RollUp {
			d.Goal, d.Pending, d.Trend, d.Expected = goalSentence(m), m.BaselinePending, trendOf(k.Trend), k.Expected
			d.Control = m.Goal.Control()
			if m.Goal.Control() && k.LastCheckInAt != nil {
				d.Holding, d.Holds = holdingSentence(m), k.Status == progress.OnTrack
			}
			today := cairn.DateOf(u.now())
			for _, ms := range m.Milestones {
				d.Milestones = append(d.Milestones, milestoneRow{Date: ms.Date.String(), Label: ms.Date.Time().Format("2 Jan"),
					Value: metricValue(ms.Value, m, roomFull), Past: ms.Date.Before(today)})
			}
		}
	case cairn.ItemInitiative:
		i, err := u.svc.Initiative(ctx, org, ref.ID)
		if err != nil {
			return nil, err
		}
		d.Title, d.Status, d.Progress, d.Trend = i.Title, i.Status, i.Progress, trendOf(i.Trend)
		d.Label = initiativeLabel(i, roomFull)
		d.Owners = people(i.OwnerIDs, names)
		d.Editors, d.CheckInOwners = people(i.EditorIDs, names), people(i.CheckInOwnerIDs, names)
		d.Automated = i.Source == "azure-devops"
		d.Tasks = i.ProgressMode == cairn.ModeTasks
		d.ParentTitle, d.ParentURL = u.parentLink(ctx, org, i.Parent)
		switch i.Parent.Type {
		case cairn.ItemKeyResult:
			k, err := u.svc.KeyResult(ctx, org, i.Parent.ID)
			if err != nil {
				return nil, err
			}
			o, err := u.svc.Objective(ctx, org, k.ObjectiveID)
			if err != nil {
				return nil, err
			}
			periodID = o.PeriodID
		default:
			o, err := u.svc.Objective(ctx, org, i.Parent.ID)
			if err != nil {
				return nil, err
			}
			periodID = o.PeriodID
		}
		if i.ProgressMode == cairn.ModeMetric && i.Metric != nil {
			m := *i.Metric
			m.Current = i.Current
			metric = &m
		} else {
			d.Percent = true
			metric = &cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%", Current: i.Current}
		}
		checkable = true
	default:
		return nil, notFound("item")
	}
	p, err := u.svc.Period(ctx, org, periodID)
	if err != nil {
		return nil, err
	}
	d.Period, d.Closed = p, p.Closed()
	if d.Closed {
		d.Status = "closed"
		d.CanEdit = d.CanEdit && q.isAdmin()
	}
	if c := d.Closing; c != nil {
		c.Final, c.CanSet = d.Closed, d.CanEdit
		if c.Final && c.Label == "" && d.Score != nil {
			c.Label = closingLabel(progress.ClosingStatusOf(*d.Score))
		}
	}
	d.URL = itemURL(org, ref)
	d.CloseURL = "/o/" + org + "/okrs?period=" + strconv.FormatInt(p.ID, 10)
	if metric != nil {
		d.Unit = metric.Unit
		d.Kind = metric.Kind
		cis, err := u.svc.ListCheckIns(ctx, org, ref, 500)
		if err != nil {
			return nil, err
		}
		format := func(v float64) string { return metricValue(v, *metric, roomFull) }
		var pts []chartPoint
		var fpts []progress.Point
		for _, c := range cis {
			author := "Azure DevOps"
			if c.Source != cairn.CheckInAzureDevOps {
				author = "someone"
				if c.AuthorID != nil {
					author = names[*c.AuthorID]
				}
			}
			row := checkInRow{ID: c.ID, Confidence: c.Confidence, At: c.CreatedAt, Value: format(c.Value), Status: progress.Status(c.Status), Note: c.Note, Author: author, Auto: c.Source == cairn.CheckInAzureDevOps}
			d.CheckIns = append(d.CheckIns, row)
			if d.Confidence == nil {
				d.Confidence = c.Confidence
			}
			tip := format(c.Value) + " · " + author + " · " + c.CreatedAt.Format("2 Jan")
			if c.Note != "" {
				tip += " — " + c.Note
			}
			pts = append(pts, chartPoint{At: c.CreatedAt, Value: c.Value, Tip: tip})
			fpts = append(fpts, progress.Point{At: c.CreatedAt, Value: c.Value})
		}
		in := chartInput{Start: p.Start.Time(), End: p.End.Time(), Now: u.now(), From: metric.Start, To: metric.Target, Format: format,
			Axis: func(v float64) string { return metricValue(v, *metric, roomCompact) }, Points: pts}
		if ref.Type == cairn.ItemKeyResult && metric.Goal.Control() {
			in.Threshold = thresholdPhrase(*metric)
		}
		if ref.Type == cairn.ItemKeyResult {
			for _, ms := range metric.Milestones {
				in.Milestones = append(in.Milestones, chartMilestone{At: ms.Date.Time().AddDate(0, 0, 1), Value: ms.Value,
					Tip: "Milestone: " + format(ms.Value) + " by " + ms.Date.Time().Format("2 Jan")})
			}
		}
		if len(fpts) >= 2 && !d.Closed {
			fpts = append(fpts, progress.Point{At: p.Start.Time(), Value: metric.Start})
			if v, ok := progress.Forecast(fpts, p.Start.Time(), p.End.Time()); ok {
				in.Forecast = &v
			}
		}
		if !metric.BaselinePending {
			d.Chart = renderChart(in)
		}
		// Once the period is closed, only admins may still correct its values.
		d.CanCheckIn = checkable && acc.CheckIn && (!d.Closed || q.isAdmin())
	}
	if d.Automated || u.azdo != nil {
		card, err := u.sourceCard(ctx, q, ref)
		if err != nil {
			return nil, err
		}
		d.Source = card
		if card != nil {
			d.Automated = true
		}
	}
	if err := u.loadConversation(ctx, q, d, members); err != nil {
		return nil, err
	}
	return d, nil
}

func itemURL(org string, r cairn.Ref) string {
	return "/o/" + org + "/okrs/" + kindPath(r.Type) + "/" + strconv.FormatInt(r.ID, 10)
}

// parentRow is one parent of the drawer's item, with the weight of the alignment.
type parentRow struct {
	Type        cairn.ItemType
	Title, URL  string
	Weight      string
	WeightTitle string
	Primary     bool
}

// parentRows lists parents with their weights; the first is marked primary when first is.
func (u *UI) parentRows(ctx context.Context, org string, ps []cairn.Alignment, first bool) []parentRow {
	var out []parentRow
	for n, a := range ps {
		title, url := u.parentLink(ctx, org, a.Ref())
		if url == "" {
			continue
		}
		wt := "Weight " + strconv.FormatFloat(a.Weight, 'f', -1, 64) + " among the children that count towards it"
		if a.Weight == 0 {
			wt = "Weight 0: aligned, not counted"
		}
		out = append(out, parentRow{Type: a.Type, Title: title, URL: url, Weight: weightLabel(a.Weight), WeightTitle: wt, Primary: first && n == 0 && len(ps) > 1})
	}
	return out
}

func (u *UI) parentLink(ctx context.Context, org string, r cairn.Ref) (string, string) {
	switch r.Type {
	case cairn.ItemObjective:
		if o, err := u.svc.Objective(ctx, org, r.ID); err == nil {
			return o.Title, itemURL(org, r)
		}
	case cairn.ItemKeyResult:
		if k, err := u.svc.KeyResult(ctx, org, r.ID); err == nil {
			return k.Title, itemURL(org, r)
		}
	}
	return "", ""
}

// checkIn records a check-in from the drawer's form and answers with the refreshed drawer;
// the tree refreshes itself on the okrs-changed event.
func (u *UI) checkIn(q *request) error {
	ctx := q.r.Context()
	t, err := kindOf(q.r)
	if err != nil {
		return err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	ref := cairn.Ref{Type: t, ID: id}
	form := checkInForm{Value: strings.TrimSpace(q.r.PostForm.Get("value")), Status: q.r.PostForm.Get("status"), Note: q.r.PostForm.Get("note"),
		Confidence: strings.TrimSpace(q.r.PostForm.Get("confidence"))}
	formID := q.r.PostForm.Get("form_id")
	var ferr error
	value, perr := parseNumber(form.Value)
	var confidence *int
	if form.Confidence != "" {
		n, err := strconv.Atoi(form.Confidence)
		if err != nil {
			ferr = cairn.FieldError("confidence", "choose a confidence from %d to %d", cairn.MinConfidence, cairn.MaxConfidence)
		}
		confidence = &n
	}
	switch {
	case form.Value == "":
		ferr = cairn.FieldError("value", "enter the new value")
	case perr != nil:
		ferr = cairn.FieldError("value", "%q is not a number", form.Value)
	}
	if ferr == nil {
		if _, ok := u.forms.claim(formID); !ok {
			return u.redirect(q, itemURL(q.org.Slug, ref))
		}
		ferr = u.svc.CheckInAndPause(ctx, q.org.Slug, &cairn.CheckIn{Item: ref, Value: value, Status: form.Status, Note: form.Note, Confidence: confidence}, q.r.PostForm.Get("pause_sync") != "")
		if ferr != nil {
			u.forms.release(formID)
		} else {
			u.forms.done(formID, itemURL(q.org.Slug, ref))
		}
	}
	if ferr != nil {
		field := cairn.ErrorField(ferr)
		if field == "" {
			if code := cairn.ErrorCode(ferr); code != cairn.ECONFLICT && code != cairn.EINVALID {
				return ferr
			}
			field = "value"
		}
		form.Errs = map[string]string{field: cairn.ErrorMessage(ferr)}
	} else {
		form = checkInForm{Saved: true}
		q.w.Header().Set("HX-Trigger", "okrs-changed")
	}
	if !q.htmx() && ferr == nil {
		return u.redirect(q, itemURL(q.org.Slug, ref))
	}
	d, err := u.loadDrawer(ctx, q, ref)
	if err != nil {
		return err
	}
	d.Form = form
	status := http.StatusOK
	if ferr != nil {
		status = http.StatusUnprocessableEntity
		if !d.CanCheckIn {
			d.Form.Refused = cairn.ErrorMessage(ferr)
		}
	}
	if q.htmx() {
		return u.renderBlock(q, status, "okrs", "drawer", u.view(q, d.Title, "okrs", d))
	}
	return u.itemFull(q, d, status)
}

// parseNumber reads a number as people type it: "1,200", "3.5", "42 %".
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), "\u00a0", "")
	s = strings.ReplaceAll(s, "−", "-")
	s = strings.TrimPrefix(s, "$")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !finite(v) {
		return 0, cairn.Errorf(cairn.EINVALID, "%q is not a number", s)
	}
	return v, nil
}
