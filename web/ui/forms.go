package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// choice is an option of a select.
type choice struct {
	Value string
	Label string
}

// itemForm is the create and edit form of objectives, key results and initiatives. It keeps
// the text as typed, so that a refused form comes back as the user left it.
type itemForm struct {
	Type         cairn.ItemType
	ID           int64
	FormID       string
	Title        string
	Description  string
	PeriodID     string
	Level        string
	TeamID       string
	OwnerIDs     []int64
	Parent       string
	Aspirational bool
	// StatedStatus is the status an objective's owners chose, empty to compute it.
	StatedStatus string
	ObjectiveID  string
	Kind         string
	Goal         string
	Start        string
	Target       string
	Unit         string
	// Pending says the start is to be measured by the first check-in (key results only).
	Pending bool
	// Milestones are the milestone rows as typed, blank rows dropped.
	Milestones  []milestoneInput
	Source      string
	Contributes bool
	Mode        string
	Weight      string
	// WorkItem is the Azure DevOps work item an initiative is being added for, from the
	// extension's "Add an initiative in Cairn", with its organization URL and project.
	WorkItem        string
	WorkItemOrgURL  string
	WorkItemProject string
	Errs            map[string]string
	General         string

	// EditorIDs are the chosen editors of the item, and CheckInOwnerIDs the chosen check-in
	// owners of a key result or an initiative; People says that the form had those fields.
	EditorIDs       []int64
	CheckInOwnerIDs []int64
	People          bool

	Periods []choice
	Teams   []choice
	Members []*cairn.Member
	Parents []choice
	// Also are the further parents, besides the primary parent (an objective's) or the own
	// objective (a key result's), each with its weight; the form adds one blank row.
	Also       []alsoRow
	Objectives []choice
	Action     string
	Cancel     string
}

// alsoRow is one further parent on the item form: "type:id" and the weight as typed.
type alsoRow struct {
	Value  string
	Weight string
}

// AlsoRows returns the further parents with one blank row to add another.
func (f *itemForm) AlsoRows() []alsoRow { return append(slices.Clone(f.Also), alsoRow{}) }

// readAlso reads the further parents of the posted form: rows whose parent is left empty
// are removed; an empty weight is the default 1.
func readAlso(v url.Values) []alsoRow {
	ps, ws := v["also_parent"], v["also_weight"]
	var out []alsoRow
	for n, p := range ps {
		if strings.TrimSpace(p) == "" {
			continue
		}
		r := alsoRow{Value: p}
		if n < len(ws) {
			r.Weight = strings.TrimSpace(ws[n])
		}
		out = append(out, r)
	}
	return out
}

// alignments turns the further parents into alignments, reporting bad rows in errs.
func (f *itemForm) alignments() []cairn.Alignment {
	out := []cairn.Alignment{}
	for _, r := range f.Also {
		ref, ok := parseParent(r.Value)
		if !ok || ref == nil {
			f.Errs["also_parent"] = "choose each further parent from the list"
			continue
		}
		w := 1.0
		if r.Weight != "" {
			w = formFloat(r.Weight, "also_weight", "weight", f.Errs)
		}
		out = append(out, cairn.Alignment{Type: ref.Type, ID: ref.ID, Weight: w})
	}
	return out
}

// alsoOf turns alignments into the form's rows.
func alsoOf(ps []cairn.Alignment) []alsoRow {
	out := make([]alsoRow, 0, len(ps))
	for _, a := range ps {
		out = append(out, alsoRow{Value: string(a.Type) + ":" + strconv.FormatInt(a.ID, 10), Weight: strconv.FormatFloat(a.Weight, 'f', -1, 64)})
	}
	return out
}

// milestoneInput is one milestone row of the form, as typed.
type milestoneInput struct {
	Index int
	Date  string
	Value string
}

// MilestoneRows returns the milestone rows to show: those typed or stored, and blank ones
// to add more, three rows at least and cairn.MaxMilestones at most.
func (f *itemForm) MilestoneRows() []milestoneInput {
	rows := append([]milestoneInput(nil), f.Milestones...)
	n := min(max(len(rows)+2, 3), cairn.MaxMilestones)
	for len(rows) < n {
		rows = append(rows, milestoneInput{})
	}
	for i := range rows {
		rows[i].Index = i
	}
	return rows
}

// Goals are the choices of a key result's goal.
func (f *itemForm) Goals() []choice {
	return []choice{
		{string(cairn.GoalIncrease), "Increase to the target"},
		{string(cairn.GoalDecrease), "Decrease to the target"},
		{string(cairn.GoalStayAbove), "Stay above a threshold"},
		{string(cairn.GoalStayBelow), "Stay below a threshold"},
	}
}

// milestones reads the milestone rows into milestones, recording a field error for a row
// with a date but no value or the other way round.
func (f *itemForm) milestones() []cairn.Milestone {
	out := []cairn.Milestone{}
	for i, row := range f.Milestones {
		field := func(part string) string { return "metric.milestones[" + strconv.Itoa(i) + "]." + part }
		var ms cairn.Milestone
		if strings.TrimSpace(row.Date) == "" {
			f.Errs[field("date")] = "give the date of this milestone, or clear its value"
		} else if d, err := cairn.ParseDate(strings.TrimSpace(row.Date)); err != nil {
			f.Errs[field("date")] = err.Error()
		} else {
			ms.Date = d
		}
		ms.Value = formFloat(row.Value, field("value"), "the value due by this date", f.Errs)
		out = append(out, ms)
	}
	return out
}

// Err returns the message for a field, for the template.
func (f *itemForm) Err(field string) string { return f.Errs[field] }

// Owner reports whether the user id is among the chosen owners.
func (f *itemForm) Owner(id int64) bool {
	for _, o := range f.OwnerIDs {
		if o == id {
			return true
		}
	}
	return false
}

// Editor reports whether the user id is among the chosen editors.
func (f *itemForm) Editor(id int64) bool { return slices.Contains(f.EditorIDs, id) }

// CheckInOwner reports whether the user id is among the chosen check-in owners.
func (f *itemForm) CheckInOwner(id int64) bool { return slices.Contains(f.CheckInOwnerIDs, id) }

// IsNew reports whether the form creates an item.
func (f *itemForm) IsNew() bool { return f.ID == 0 }

// formErr records a field error on the form, or returns err when it is not about a field.
func (f *itemForm) fail(err error) error {
	code := cairn.ErrorCode(err)
	field := cairn.ErrorField(err)
	if f.Errs == nil {
		f.Errs = map[string]string{}
	}
	switch {
	case field != "":
		// Nested names such as parent.id and metric.target are shown at their inputs.
		switch field {
		case "parent.type":
			field = "parent.id"
		case "metric":
			field = "metric.kind"
		default:
			field = f.parentsField(field)
		}
		f.Errs[field] = cairn.ErrorMessage(err)
	case code == cairn.EINVALID || code == cairn.ECONFLICT:
		f.General = cairn.ErrorMessage(err)
	default:
		return err
	}
	return nil
}

// parentsField names the input that shows an error about parents[i].id or parents[i].weight
// (a cycle, an unknown parent, a bad weight): an objective's first parent is its primary
// parent, chosen with the parent field and its weight; every other parent, and each parent
// of a key result (its own objective is not among them), is a further parent. Any other
// field is returned as it is.
func (f *itemForm) parentsField(field string) string {
	rest, ok := strings.CutPrefix(field, "parents[")
	if !ok {
		return field
	}
	index, attr, ok := strings.Cut(rest, "]")
	n, err := strconv.Atoi(index)
	if !ok || err != nil || n < 0 {
		return field
	}
	weight := attr == ".weight"
	switch {
	case f.Type == cairn.ItemObjective && n == 0 && f.Parent != "" && weight:
		return "weight"
	case f.Type == cairn.ItemObjective && n == 0 && f.Parent != "":
		return "parent.id"
	case weight:
		return "also_weight"
	}
	return "also_parent"
}

func formInt(v url.Values, field string, errs map[string]string) int64 {
	s := strings.TrimSpace(v.Get(field))
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		errs[field] = "choose a valid option"
		return 0
	}
	return id
}

func formFloat(s, field, what string, errs map[string]string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		errs[field] = what + " is required"
		return 0
	}
	v, err := parseNumber(s)
	if err != nil {
		errs[field] = what + ": " + strconv.Quote(s) + " is not a number"
	}
	return v
}

// readItemForm reads the posted form.
func readItemForm(q *request, t cairn.ItemType) *itemForm {
	v := q.r.PostForm
	f := &itemForm{Type: t, FormID: v.Get("form_id"), Title: v.Get("title"), Description: v.Get("description"),
		PeriodID: v.Get("period_id"), Level: v.Get("level"), TeamID: v.Get("team_id"), Parent: v.Get("parent"),
		Aspirational: v.Get("aspirational") != "", StatedStatus: v.Get("stated_status"), ObjectiveID: v.Get("objective_id"), Kind: v.Get("metric_kind"),
		Start: v.Get("metric_start"), Target: v.Get("metric_target"), Unit: v.Get("metric_unit"), Source: v.Get("progress_source"),
		Contributes: v.Get("contributes") != "", Mode: v.Get("progress_mode"), Weight: v.Get("weight"), Also: readAlso(v), Errs: map[string]string{}}
	if t == cairn.ItemInitiative {
		f.setWorkItem(v.Get("azdo_work_item"), v.Get("azdo_org_url"), v.Get("azdo_project"))
	}
	if t == cairn.ItemKeyResult {
		f.Goal, f.Pending = v.Get("metric_goal"), v.Get("baseline_pending") != ""
		dates, values := v["milestone_date"], v["milestone_value"]
		for i := range max(len(dates), len(values)) {
			var row milestoneInput
			if i < len(dates) {
				row.Date = dates[i]
			}
			if i < len(values) {
				row.Value = values[i]
			}
			if strings.TrimSpace(row.Date) != "" || strings.TrimSpace(row.Value) != "" {
				f.Milestones = append(f.Milestones, row)
			}
		}
	}
	f.OwnerIDs = formIDs(v, "owner_ids", "choose owners from the list", f.Errs)
	if v.Get("people_present") != "" {
		f.People = true
		f.EditorIDs = formIDs(v, "editor_ids", "choose editors from the list", f.Errs)
		if t != cairn.ItemObjective {
			f.CheckInOwnerIDs = formIDs(v, "checkin_owner_ids", "choose check-in owners from the list", f.Errs)
		}
	}
	return f
}

// formIDs reads the user ids a form's checkboxes chose.
func formIDs(v url.Values, field, problem string, errs map[string]string) []int64 {
	var out []int64
	for _, s := range v[field] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			errs[field] = problem
			continue
		}
		out = append(out, id)
	}
	return out
}

func parseParent(s string) (*cairn.Ref, bool) {
	if s == "" {
		return nil, true
	}
	t, id, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 {
		return nil, false
	}
	switch cairn.ItemType(t) {
	case cairn.ItemObjective, cairn.ItemKeyResult:
		return &cairn.Ref{Type: cairn.ItemType(t), ID: n}, true
	}
	return nil, false
}

// choices fills the form's selects.
func (u *UI) choices(ctx context.Context, q *request, f *itemForm) error {
	org := q.org.Slug
	periods, err := u.svc.ListPeriods(ctx, org)
	if err != nil {
		return err
	}
	var periodID int64
	for _, p := range periods {
		if !p.Closed() {
			f.Periods = append(f.Periods, choice{strconv.FormatInt(p.ID, 10), p.Name})
		}
	}
	periodID, _ = strconv.ParseInt(f.PeriodID, 10, 64)
	if !slices.ContainsFunc(periods, func(p *cairn.Period) bool { return p.ID == periodID }) {
		periodID = 0 // another organization's, or gone: offer the default period's items
	}
	if periodID == 0 {
		if p := defaultPeriod(periods, u.now()); p != nil {
			periodID = p.ID
			if f.PeriodID == "" {
				f.PeriodID = strconv.FormatInt(p.ID, 10)
			}
		}
	}
	teams, err := u.svc.ListTeams(ctx, org)
	if err != nil {
		return err
	}
	for _, t := range teams {
		f.Teams = append(f.Teams, choice{strconv.FormatInt(t.ID, 10), t.Name})
	}
	if f.Members, err = u.svc.ListMembers(ctx, org); err != nil {
		return err
	}
	if periodID != 0 {
		objs, err := u.svc.ListObjectives(ctx, org, cairn.ObjectiveQuery{PeriodID: periodID, Limit: 2000})
		if err != nil {
			return err
		}
		krs, err := u.svc.ListKeyResults(ctx, org, 0, periodID)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if f.Type == cairn.ItemObjective && o.ID == f.ID {
				continue
			}
			c := choice{"objective:" + strconv.FormatInt(o.ID, 10), "Objective · " + o.Title}
			f.Parents = append(f.Parents, c)
			f.Objectives = append(f.Objectives, choice{strconv.FormatInt(o.ID, 10), o.Title})
		}
		for _, k := range krs {
			f.Parents = append(f.Parents, choice{"key_result:" + strconv.FormatInt(k.ID, 10), "Key result · " + k.Title})
		}
	}
	f.Cancel = "/o/" + org + "/okrs"
	return nil
}

func (u *UI) newItemPage(q *request) error {
	t, err := kindOf(q.r)
	if err != nil {
		return err
	}
	if !q.canWrite() {
		return cairn.Errorf(cairn.EFORBIDDEN, "viewers may not create OKRs")
	}
	v := q.r.URL.Query()
	f := &itemForm{Type: t, FormID: newFormID(), PeriodID: v.Get("period"), ObjectiveID: v.Get("objective"), Parent: v.Get("parent"),
		Level: "organization", Kind: "percentage", Mode: "manual", Contributes: true, Source: "manual", OwnerIDs: []int64{q.user.ID}}
	if t == cairn.ItemKeyResult {
		f.Start, f.Target, f.Unit, f.Goal = "0", "100", "%", string(cairn.GoalIncrease)
	}
	if t == cairn.ItemInitiative && f.setWorkItem(v.Get("work-item"), v.Get("org-url"), v.Get("project")) {
		f.Mode = string(cairn.ModeTasks)
		f.Title = strings.TrimSpace(v.Get("title"))
		if len([]rune(f.Title)) > 300 {
			f.Title = string([]rune(f.Title)[:300])
		}
	}
	f.Action = "/o/" + q.org.Slug + "/" + kindPath(t)
	return u.showItemForm(q, f, http.StatusOK)
}

// setWorkItem records the Azure DevOps work item an initiative is added for, keeping only
// a valid id; it reports whether there is one.
func (f *itemForm) setWorkItem(id, orgURL, project string) bool {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(id), "#"))
	if err != nil || n <= 0 {
		return false
	}
	f.WorkItem = strconv.Itoa(n)
	f.WorkItemOrgURL = clip(strings.TrimSpace(orgURL), 500)
	f.WorkItemProject = clip(strings.TrimSpace(project), 200)
	return true
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// workItemWizard is where a new initiative added for a work item goes next: the data
// source wizard at the work-items step, with the connection to that organization and
// project chosen when there is one, and the work item selected.
func (u *UI) workItemWizard(q *request, f *itemForm, ref cairn.Ref) string {
	v := url.Values{"method": {string(cairn.MethodWorkItems)}, "work_item_ids": {f.WorkItem}, "step": {"connection"}}
	if u.azdo != nil {
		conns, err := u.azdo.ListConnections(q.r.Context(), q.org.Slug)
		want, _ := cairn.NormalizeOrgURL(f.WorkItemOrgURL)
		if err == nil && want != "" {
			for _, c := range conns {
				if strings.EqualFold(c.OrganizationURL, want) && strings.EqualFold(c.Project, f.WorkItemProject) {
					v.Set("connection_id", strconv.FormatInt(c.ID, 10))
					v.Set("step", "items")
					break
				}
			}
		}
	}
	return dsBase(q.org.Slug, ref) + "?" + v.Encode()
}

func (u *UI) showItemForm(q *request, f *itemForm, status int) error {
	if err := u.choices(q.r.Context(), q, f); err != nil {
		return err
	}
	title := "New " + strings.ToLower(kindName(f.Type))
	if !f.IsNew() {
		title = "Edit " + strings.ToLower(kindName(f.Type))
		f.Cancel = itemURL(q.org.Slug, cairn.Ref{Type: f.Type, ID: f.ID})
	}
	return u.render(q, status, "item_form", title, "okrs", f)
}

func (u *UI) createItem(q *request) error {
	t, err := kindOf(q.r)
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	if !q.canWrite() {
		return cairn.Errorf(cairn.EFORBIDDEN, "viewers may not create OKRs")
	}
	f := readItemForm(q, t)
	f.Action = "/o/" + q.org.Slug + "/" + kindPath(t)
	if to, ok := u.forms.claim(f.FormID); !ok {
		return u.redirect(q, orDefault(to, "/o/"+q.org.Slug+"/okrs"))
	}
	ref, err := u.saveItem(q, f)
	if err != nil {
		u.forms.release(f.FormID)
		return err
	}
	if len(f.Errs) > 0 || f.General != "" {
		u.forms.release(f.FormID)
		return u.showItemForm(q, f, http.StatusUnprocessableEntity)
	}
	to := itemURL(q.org.Slug, ref)
	if f.WorkItem != "" && ref.Type == cairn.ItemInitiative && u.azdo != nil {
		to = u.workItemWizard(q, f, ref)
	}
	u.forms.done(f.FormID, to)
	return u.redirect(q, to)
}

// saveItem creates the item the form describes, or records why not on the form.
func (u *UI) saveItem(q *request, f *itemForm) (cairn.Ref, error) {
	ctx := q.r.Context()
	org := q.org.Slug
	v := q.r.PostForm
	weight := 0.0
	if strings.TrimSpace(f.Weight) != "" {
		weight = formFloat(f.Weight, "weight", "weight", f.Errs)
	}
	switch f.Type {
	case cairn.ItemObjective:
		o := &cairn.Objective{Title: f.Title, Description: f.Description, Level: cairn.Level(f.Level), Aspirational: f.Aspirational, OwnerIDs: f.OwnerIDs, Weight: weight,
			EditorIDs: f.EditorIDs}
		o.PeriodID = formInt(v, "period_id", f.Errs)
		if team := formInt(v, "team_id", f.Errs); team != 0 {
			o.TeamID = &team
		}
		parent, ok := parseParent(f.Parent)
		if !ok {
			f.Errs["parent.id"] = "choose a parent from the list"
		}
		o.Parent = parent
		if also := f.alignments(); len(also) > 0 {
			var ps []cairn.Alignment
			if parent != nil {
				w := weight
				if w == 0 {
					w = 1
				}
				ps = append(ps, cairn.Alignment{Type: parent.Type, ID: parent.ID, Weight: w})
			}
			o.SetParents(append(ps, also...))
		}
		if len(f.Errs) > 0 {
			return cairn.Ref{}, nil
		}
		if err := u.svc.CreateObjective(ctx, org, o); err != nil {
			return cairn.Ref{}, f.fail(err)
		}
		return cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, nil
	case cairn.ItemKeyResult:
		k := &cairn.KeyResult{Title: f.Title, Description: f.Description, OwnerIDs: f.OwnerIDs, Weight: weight, ProgressSource: cairn.ProgressSource(f.Source),
			EditorIDs: f.EditorIDs, CheckInOwnerIDs: f.CheckInOwnerIDs}
		k.ObjectiveID = formInt(v, "objective_id", f.Errs)
		if k.ObjectiveID == 0 && f.Errs["objective_id"] == "" {
			f.Errs["objective_id"] = "choose the objective this key result measures"
		}
		k.Metric = cairn.Metric{Kind: cairn.MetricKind(f.Kind), Goal: cairn.MetricGoal(f.Goal), Unit: f.Unit, BaselinePending: f.Pending,
			Target: formFloat(f.Target, "metric.target", "target", f.Errs), Milestones: f.milestones()}
		if !f.Pending {
			k.Metric.Start = formFloat(f.Start, "metric.start", "start", f.Errs)
		}
		k.Parents = f.alignments()
		if len(f.Errs) > 0 {
			return cairn.Ref{}, nil
		}
		if err := u.svc.CreateKeyResult(ctx, org, k); err != nil {
			return cairn.Ref{}, f.fail(err)
		}
		return cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, nil
	case cairn.ItemInitiative:
		i := &cairn.Initiative{Title: f.Title, Contributes: f.Contributes, ProgressMode: cairn.ProgressMode(f.Mode), OwnerIDs: f.OwnerIDs, Weight: weight,
			EditorIDs: f.EditorIDs, CheckInOwnerIDs: f.CheckInOwnerIDs}
		parent, ok := parseParent(f.Parent)
		if !ok || parent == nil {
			f.Errs["parent.id"] = "choose the objective or key result this initiative serves"
		} else {
			i.Parent = *parent
		}
		if i.ProgressMode == cairn.ModeMetric {
			i.Metric = &cairn.Metric{Kind: cairn.MetricKind(f.Kind), Unit: f.Unit,
				Start: formFloat(f.Start, "metric.start", "start", f.Errs), Target: formFloat(f.Target, "metric.target", "target", f.Errs)}
		}
		if len(f.Errs) > 0 {
			return cairn.Ref{}, nil
		}
		if err := u.svc.CreateInitiative(ctx, org, i); err != nil {
			return cairn.Ref{}, f.fail(err)
		}
		return cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}, nil
	}
	return cairn.Ref{}, notFound("item kind")
}

func (u *UI) editItemPage(q *request) error {
	ctx := q.r.Context()
	t, err := kindOf(q.r)
	if err != nil {
		return err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	f := &itemForm{Type: t, ID: id, Action: "/o/" + q.org.Slug + "/" + kindPath(t) + "/" + strconv.FormatInt(id, 10)}
	org := q.org.Slug
	ff := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	switch t {
	case cairn.ItemObjective:
		o, err := u.svc.Objective(ctx, org, id)
		if err != nil {
			return err
		}
		f.Title, f.Description, f.PeriodID, f.Level, f.Aspirational, f.OwnerIDs = o.Title, o.Description, strconv.FormatInt(o.PeriodID, 10), string(o.Level), o.Aspirational, o.OwnerIDs
		f.EditorIDs = o.EditorIDs
		f.Weight, f.StatedStatus = ff(o.Weight), string(o.StatedStatus)
		if o.TeamID != nil {
			f.TeamID = strconv.FormatInt(*o.TeamID, 10)
		}
		if o.Parent != nil {
			f.Parent = string(o.Parent.Type) + ":" + strconv.FormatInt(o.Parent.ID, 10)
			f.Also = alsoOf(o.Parents[1:])
		}
	case cairn.ItemKeyResult:
		k, err := u.svc.KeyResult(ctx, org, id)
		if err != nil {
			return err
		}
		o, err := u.svc.Objective(ctx, org, k.ObjectiveID)
		if err != nil {
			return err
		}
		f.Title, f.Description, f.OwnerIDs, f.ObjectiveID, f.PeriodID = k.Title, k.Description, k.OwnerIDs, strconv.FormatInt(k.ObjectiveID, 10), strconv.FormatInt(o.PeriodID, 10)
		f.EditorIDs, f.CheckInOwnerIDs = k.EditorIDs, k.CheckInOwnerIDs
		f.Kind, f.Start, f.Target, f.Unit, f.Source, f.Weight = string(k.Metric.Kind), ff(k.Metric.Start), ff(k.Metric.Target), k.Metric.Unit, string(k.ProgressSource), ff(k.Weight)
		f.Also = alsoOf(k.Parents)
		f.Goal, f.Pending = string(k.Metric.Goal), k.Metric.BaselinePending
		if f.Pending {
			f.Start = ""
		}
		for _, ms := range k.Metric.Milestones {
			f.Milestones = append(f.Milestones, milestoneInput{Date: ms.Date.String(), Value: ff(ms.Value)})
		}
	case cairn.ItemInitiative:
		i, err := u.svc.Initiative(ctx, org, id)
		if err != nil {
			return err
		}
		f.Title, f.OwnerIDs, f.Contributes, f.Mode, f.Weight = i.Title, i.OwnerIDs, i.Contributes, string(i.ProgressMode), ff(i.Weight)
		f.EditorIDs, f.CheckInOwnerIDs = i.EditorIDs, i.CheckInOwnerIDs
		f.Parent = string(i.Parent.Type) + ":" + strconv.FormatInt(i.Parent.ID, 10)
		f.Kind = "percentage"
		if i.Metric != nil {
			f.Kind, f.Start, f.Target, f.Unit = string(i.Metric.Kind), ff(i.Metric.Start), ff(i.Metric.Target), i.Metric.Unit
		}
	}
	return u.showItemForm(q, f, http.StatusOK)
}

func (u *UI) updateItem(q *request) error {
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
	f := readItemForm(q, t)
	f.ID = id
	f.Action = "/o/" + q.org.Slug + "/" + kindPath(t) + "/" + strconv.FormatInt(id, 10)
	org := q.org.Slug
	v := q.r.PostForm
	title, owners := f.Title, f.OwnerIDs
	if owners == nil {
		owners = []int64{}
	}
	var weight *float64
	if strings.TrimSpace(f.Weight) != "" {
		w := formFloat(f.Weight, "weight", "weight", f.Errs)
		weight = &w
	}
	var saveErr error
	switch t {
	case cairn.ItemObjective:
		level := cairn.Level(f.Level)
		stated := progress.Status(f.StatedStatus)
		up := cairn.ObjectiveUpdate{Title: &title, Description: &f.Description, Level: &level, Aspirational: &f.Aspirational, OwnerIDs: &owners, Weight: weight,
			StatedStatus: &stated}
		up.EditorIDs, _ = f.delegates()
		if team := formInt(v, "team_id", f.Errs); team != 0 {
			up.TeamID = &team
		}
		parent, ok := parseParent(f.Parent)
		if !ok {
			f.Errs["parent.id"] = "choose a parent from the list"
		}
		also := f.alignments()
		switch {
		case len(also) > 0:
			// The primary parent keeps the weight typed, else the one it has.
			var ps []cairn.Alignment
			if parent != nil {
				w := 1.0
				if cur, err := u.svc.Objective(ctx, org, id); err == nil && cur.Parent != nil && *cur.Parent == *parent {
					w = cur.Weight
				}
				if weight != nil && *weight != 0 {
					w = *weight
				}
				ps = append(ps, cairn.Alignment{Type: parent.Type, ID: parent.ID, Weight: w})
			}
			ps = append(ps, also...)
			up.Parents, up.Weight = &ps, nil
		case parent != nil:
			up.Parent = parent
		default:
			up.ClearParent = true
		}
		if len(f.Errs) == 0 {
			_, saveErr = u.svc.UpdateObjective(ctx, org, id, up)
		}
	case cairn.ItemKeyResult:
		kind, goal := cairn.MetricKind(f.Kind), cairn.MetricGoal(f.Goal)
		target := formFloat(f.Target, "metric.target", "target", f.Errs)
		ms := f.milestones()
		mu := &cairn.MetricUpdate{Kind: &kind, Target: &target, Unit: &f.Unit, BaselinePending: &f.Pending, Milestones: &ms}
		if goal != "" {
			mu.Goal = &goal
		}
		if !f.Pending {
			start := formFloat(f.Start, "metric.start", "start", f.Errs)
			mu.Start = &start
		}
		also := f.alignments()
		up := cairn.KeyResultUpdate{Title: &title, Description: &f.Description, OwnerIDs: &owners, Weight: weight, Parents: &also, Metric: mu}
		up.EditorIDs, up.CheckInOwnerIDs = f.delegates()
		if f.Source == string(cairn.SourceManual) || f.Source == string(cairn.SourceRollUp) {
			src := cairn.ProgressSource(f.Source)
			up.ProgressSource = &src
		}
		if len(f.Errs) == 0 {
			_, saveErr = u.svc.UpdateKeyResult(ctx, org, id, up)
		}
	case cairn.ItemInitiative:
		mode := cairn.ProgressMode(f.Mode)
		up := cairn.InitiativeUpdate{Title: &title, OwnerIDs: &owners, Weight: weight, Contributes: &f.Contributes, ProgressMode: &mode}
		up.EditorIDs, up.CheckInOwnerIDs = f.delegates()
		if mode == cairn.ModeMetric {
			kind := cairn.MetricKind(f.Kind)
			start := formFloat(f.Start, "metric.start", "start", f.Errs)
			target := formFloat(f.Target, "metric.target", "target", f.Errs)
			up.Metric = &cairn.MetricUpdate{Kind: &kind, Start: &start, Target: &target, Unit: &f.Unit}
		}
		if len(f.Errs) == 0 {
			_, saveErr = u.svc.UpdateInitiative(ctx, org, id, up)
		}
	}
	if saveErr != nil {
		if err := f.fail(saveErr); err != nil {
			return err
		}
	}
	if len(f.Errs) > 0 || f.General != "" {
		return u.showItemForm(q, f, http.StatusUnprocessableEntity)
	}
	return u.redirect(q, itemURL(org, cairn.Ref{Type: t, ID: id}))
}

// delegates returns the editors and check-in owners to store: none to change when the form
// had no such fields, else the chosen ones (none chosen is none).
func (f *itemForm) delegates() (editors, checkInOwners *[]int64) {
	if !f.People {
		return nil, nil
	}
	e, c := append([]int64{}, f.EditorIDs...), append([]int64{}, f.CheckInOwnerIDs...)
	return &e, &c
}

func (u *UI) deleteItem(q *request) error {
	ctx := q.r.Context()
	t, err := kindOf(q.r)
	if err != nil {
		return err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	org := q.org.Slug
	back := "/o/" + org + "/okrs"
	switch t {
	case cairn.ItemObjective:
		if o, err := u.svc.Objective(ctx, org, id); err == nil {
			back += "?period=" + strconv.FormatInt(o.PeriodID, 10)
		}
		err = u.svc.DeleteObjective(ctx, org, id)
	case cairn.ItemKeyResult:
		err = u.svc.DeleteKeyResult(ctx, org, id)
	case cairn.ItemInitiative:
		err = u.svc.DeleteInitiative(ctx, org, id)
	}
	if err != nil {
		return err
	}
	return u.redirect(q, back)
}

// dateInput formats a date for an <input type="date">.
func dateInput(t time.Time) string { return t.Format("2006-01-02") }
