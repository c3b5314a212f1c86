package ui

import (
	"context"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// rootsPerPage is how many top-level objectives one page of the tree shows; the rest load
// with "Show more", so that a period of thousands of objectives stays fast.
const rootsPerPage = 50

// node is one row of the OKR tree.
type node struct {
	Type      cairn.ItemType
	ID        int64
	Title     string
	Depth     int
	Owners    []person
	Progress  float64
	Label     string // the value as it fits the row: "1.1k / 60k"
	Full      string // the value spelled out, for the tooltip: "1,100 / 60,000"
	Status    progress.Status
	Automated bool
	SyncNote  string
	Children  []*node
	Selected  bool
	// Weight says, for an item shown under a parent it aligns to, its weight towards that
	// parent ("70 %", or "not counted" for weight 0); WeightTitle explains it.
	Weight      string
	WeightTitle string
	// Under is set on a further appearance of an item aligned to several parents: the
	// parent it appears under here, which keeps the row's DOM id unique.
	Under string
	// Trend is the arrow of the latest check-ins, when there are two or more.
	Trend *trendMark
	// Goal says a key result's goal in words when it is other than a plain increase.
	Goal string
	// Score is the score of an item closed on its own, as "0.70"; empty otherwise.
	Score string
}

// closedScore is what a row says of an item's score: the score, for an item closed on its
// own that has one.
func closedScore(st progress.Status, score *float64) string {
	if st != progress.Closed || score == nil {
		return ""
	}
	return strconv.FormatFloat(*score, 'f', 2, 64)
}

// Key is the row's DOM id.
func (n *node) Key() string {
	k := string(n.Type) + "-" + strconv.FormatInt(n.ID, 10)
	if n.Under != "" {
		k += "-in-" + n.Under
	}
	return k
}

// weightLabel shows an alignment weight: up to 1 as a percentage, 1 being 100 %, as Viva
// Goals and Cairn's importer count; above 1 as itself ("weight 70"), since weights are
// relative and 70 beside 30 means 70:30, not 7,000 %; and 0 is an alignment that does not
// count.
func weightLabel(w float64) string {
	switch {
	case w == 0:
		return "not counted"
	case w > 1:
		return "weight " + strconv.FormatFloat(math.Round(w*100)/100, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(w*10000)/100, 'f', -1, 64) + " %"
}

// alignedItem is an objective or key result shown under a parent it aligns to, with the
// weight of that alignment; primary says that this parent is the item's first.
type alignedItem struct {
	obj     *cairn.ObjectiveView
	kr      *cairn.KeyResultView
	weight  float64
	primary bool
}

// person is an owner or author as a page shows them.
type person struct {
	ID   int64
	Name string
}

// treeFilter is what the filter bar selects.
type treeFilter struct {
	Periods []int64
	Team    int64
	Owner   int64
	Status  string
	Q       string
	// Level is the objectives' level; Type and Source select items of any kind, which
	// shows them as a flat list rather than a tree.
	Level  cairn.Level
	Type   cairn.ItemType
	Source string
}

func (f treeFilter) active() bool {
	return f.Team != 0 || f.Owner != 0 || f.Status != "" || f.Q != "" || f.Level != "" || f.items()
}

// items reports whether the filter selects items of every kind rather than objectives.
func (f treeFilter) items() bool { return f.Type != "" || f.Source != "" }

// viewFilter is the filter as a saved view or the export takes it.
func (f treeFilter) viewFilter() cairn.ViewFilter {
	return cairn.ViewFilter{PeriodIDs: slices.Clone(f.Periods), TeamID: f.Team, OwnerID: f.Owner, Status: f.Status,
		Q: f.Q, Level: f.Level, Type: f.Type, Source: f.Source}
}

// exportQuery encodes the filter as the export's query parameters.
func (f treeFilter) exportQuery() string {
	v := url.Values{}
	for _, p := range f.Periods {
		v.Add("period_id", strconv.FormatInt(p, 10))
	}
	add := func(k, s string) {
		if s != "" && s != "0" {
			v.Set(k, s)
		}
	}
	add("team_id", strconv.FormatInt(f.Team, 10))
	add("owner_id", strconv.FormatInt(f.Owner, 10))
	add("status", f.Status)
	add("level", string(f.Level))
	add("type", string(f.Type))
	add("source", f.Source)
	add("q", f.Q)
	return v.Encode()
}

// query encodes the filter for links, with page when above 1.
func (f treeFilter) query(page int) string {
	v := url.Values{}
	for _, p := range f.Periods {
		v.Add("period", strconv.FormatInt(p, 10))
	}
	if f.Team != 0 {
		v.Set("team", strconv.FormatInt(f.Team, 10))
	}
	if f.Owner != 0 {
		v.Set("owner", strconv.FormatInt(f.Owner, 10))
	}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Level != "" {
		v.Set("level", string(f.Level))
	}
	if f.Type != "" {
		v.Set("type", string(f.Type))
	}
	if f.Source != "" {
		v.Set("source", f.Source)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

// okrPage is the data of the OKR tree page.
type okrPage struct {
	Periods  []*cairn.Period
	Selected map[int64]bool
	Current  *cairn.Period // the first selected period
	Teams    []*cairn.Team
	Members  []*cairn.Member
	Filter   treeFilter
	Query    template.URL
	Roots    []*node
	Total    int
	Shown    int
	NextURL  string
	Summary  summary
	Drawer   *drawer
	Statuses []statusOption
	Levels   []statusOption
	Types    []statusOption
	Sources  []statusOption
	// Views are the saved views the user sees; View is the one the page shows, if any.
	Views []*cairn.SavedView
	View  *cairn.SavedView
	// ExportQuery is the filter as the export's query string.
	ExportQuery template.URL
	// Save is the "Save view" form after a refusal.
	Save saveForm
	Now  time.Time
	// MyTeams are the teams the user belongs to, offered as a choice under "My team"
	// when there are several; NoTeam says "My team" found none.
	MyTeams []*cairn.Team
	NoTeam  bool
}

type statusOption struct {
	Value string
	Label string
}

var statusOptions = []statusOption{
	{"not_started", "Not started"}, {"on_track", "On track"}, {"behind", "Behind"}, {"at_risk", "At risk"},
}

// filterStatuses are the statuses the tree filters by: those a check-in may give, and
// Closed, which items closed on their own show.
var filterStatuses = append(slices.Clone(statusOptions), statusOption{"closed", "Closed"})

// summary is the picture above the tree: how many objectives in each status, the average
// progress and where progress should be today.
type summary struct {
	Objectives int
	// Noun names what Objectives counts: "objectives", or "items" in a flat list.
	Noun     string
	Average  float64
	Expected float64
	Segments []segment
}

type segment struct {
	Status progress.Status
	Count  int
	Width  float64 // percent of the bar
	X      float64 // percent offset
}

// parseFilter reads the tree filter from the query string. Unknown or foreign ids are
// dropped rather than failing the page, since they come from shared links.
func parseFilter(v url.Values, periods []*cairn.Period, now time.Time) treeFilter {
	var f treeFilter
	known := map[int64]bool{}
	for _, p := range periods {
		known[p.ID] = true
	}
	for _, s := range v["period"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && known[id] && !slices.Contains(f.Periods, id) {
			f.Periods = append(f.Periods, id)
		}
	}
	if len(f.Periods) == 0 {
		if p := defaultPeriod(periods, now); p != nil {
			f.Periods = []int64{p.ID}
		}
	}
	f.Team, _ = strconv.ParseInt(v.Get("team"), 10, 64)
	f.Owner, _ = strconv.ParseInt(v.Get("owner"), 10, 64)
	for _, s := range filterStatuses {
		if v.Get("status") == s.Value {
			f.Status = s.Value
		}
	}
	f.Q = strings.TrimSpace(v.Get("q"))
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	for _, o := range levelOptions {
		if v.Get("level") == o.Value {
			f.Level = cairn.Level(o.Value)
		}
	}
	for _, o := range typeOptions {
		if v.Get("type") == o.Value {
			f.Type = cairn.ItemType(o.Value)
		}
	}
	for _, o := range sourceOptions {
		if v.Get("source") == o.Value {
			f.Source = o.Value
		}
	}
	return f
}

// The choices of the level, type and source filters.
var (
	levelOptions  = []statusOption{{"organization", "Organization level"}, {"team", "Team level"}, {"individual", "Individual level"}}
	typeOptions   = []statusOption{{"objective", "Objectives"}, {"key_result", "Key results"}, {"initiative", "Initiatives"}}
	sourceOptions = []statusOption{{"azure-devops", "Azure DevOps"}, {"manual", "Manual"}}
)

// defaultPeriod is the open period that contains today, else the latest open one, else the
// latest.
func defaultPeriod(ps []*cairn.Period, now time.Time) *cairn.Period {
	today := cairn.DateOf(now)
	var best *cairn.Period
	for _, p := range ps {
		if !p.Closed() && !today.Before(p.Start) && !p.End.Before(today) {
			return p
		}
	}
	for _, p := range ps {
		if !p.Closed() && (best == nil || p.Start.Time().After(best.Start.Time())) {
			best = p
		}
	}
	if best != nil {
		return best
	}
	for _, p := range ps {
		if best == nil || p.Start.Time().After(best.Start.Time()) {
			best = p
		}
	}
	return best
}

// tree loads the selected periods and builds the rows of the page.
func (u *UI) tree(ctx context.Context, q *request, f treeFilter, page int, selected cairn.Ref) (*okrPage, error) {
	org := q.org.Slug
	periods, err := u.svc.ListPeriods(ctx, org)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(periods, func(a, b *cairn.Period) int { return b.Start.Time().Compare(a.Start.Time()) })
	members, err := u.svc.ListMembers(ctx, org)
	if err != nil {
		return nil, err
	}
	teams, err := u.svc.ListTeams(ctx, org)
	if err != nil {
		return nil, err
	}
	now := u.now()
	d := &okrPage{Periods: periods, Selected: map[int64]bool{}, Teams: teams, Members: members, Filter: f, Statuses: filterStatuses, Now: now,
		Levels: levelOptions, Types: typeOptions, Sources: sourceOptions, ExportQuery: template.URL(f.exportQuery())}
	if d.Views, err = u.svc.ListViews(ctx, org); err != nil {
		return nil, err
	}
	for _, id := range f.Periods {
		d.Selected[id] = true
	}
	for _, p := range periods {
		if d.Selected[p.ID] && d.Current == nil {
			d.Current = p
		}
	}
	names := memberNames(members)
	var objs []*cairn.ObjectiveView
	var krs []*cairn.KeyResultView
	for _, pid := range f.Periods {
		os, err := u.svc.ListObjectives(ctx, org, cairn.ObjectiveQuery{PeriodID: pid})
		if err != nil {
			return nil, err
		}
		objs = append(objs, os...)
		ks, err := u.svc.ListKeyResults(ctx, org, 0, pid)
		if err != nil {
			return nil, err
		}
		krs = append(krs, ks...)
	}
	var inits []*cairn.InitiativeView
	if len(objs) > 0 {
		if inits, err = u.svc.ListInitiatives(ctx, org, nil); err != nil {
			return nil, err
		}
	}
	auto := u.automated(ctx, q)
	b := &treeBuilder{names: names, auto: auto, selected: selected,
		krsByObj: map[int64][]*cairn.KeyResultView{}, initsByParent: map[cairn.Ref][]*cairn.InitiativeView{},
		aligned: map[cairn.Ref][]alignedItem{}, objIDs: map[int64]bool{}, krIDs: map[int64]bool{}}
	for _, o := range objs {
		b.objIDs[o.ID] = true
	}
	for _, k := range krs {
		b.krIDs[k.ID] = true
		b.krsByObj[k.ObjectiveID] = append(b.krsByObj[k.ObjectiveID], k)
	}
	for _, i := range inits {
		b.initsByParent[i.Parent] = append(b.initsByParent[i.Parent], i)
	}
	for _, k := range krs {
		for _, a := range k.Parents {
			if b.loaded(a.Ref()) {
				b.aligned[a.Ref()] = append(b.aligned[a.Ref()], alignedItem{kr: k, weight: a.Weight})
			}
		}
	}
	if f.items() {
		return u.flatItems(ctx, q, d, b, f, page)
	}
	var roots []*cairn.ObjectiveView
	for _, o := range objs {
		if f.active() {
			if matches(o, f) {
				roots = append(roots, o)
			}
			continue
		}
		// An objective shows under each of its parents that the page shows, and is a root
		// when it shows under none.
		under := false
		for n, a := range o.Parents {
			if b.loaded(a.Ref()) {
				b.aligned[a.Ref()] = append(b.aligned[a.Ref()], alignedItem{obj: o, weight: a.Weight, primary: n == 0})
				under = true
			}
		}
		if !under {
			roots = append(roots, o)
		}
	}
	b.flat = f.active()
	d.Summary = summarize(roots, d.Current, now)
	d.Total = len(roots)
	if page < 1 {
		page = 1
	}
	start := (page - 1) * rootsPerPage
	if start > len(roots) {
		start = len(roots)
	}
	end := min(start+rootsPerPage, len(roots))
	for _, o := range roots[start:end] {
		d.Roots = append(d.Roots, b.objective(o, 0, map[cairn.Ref]bool{}))
	}
	d.Shown = end
	if end < len(roots) {
		d.NextURL = "/o/" + org + "/okrs/rows?" + f.query(page+1)
	}
	d.Query = template.URL(f.query(1))
	return d, nil
}

func matches(o *cairn.ObjectiveView, f treeFilter) bool {
	if f.Team != 0 && (o.TeamID == nil || *o.TeamID != f.Team) {
		return false
	}
	if f.Owner != 0 && !slices.Contains(o.OwnerIDs, f.Owner) {
		return false
	}
	if f.Status != "" && string(o.Status) != f.Status {
		return false
	}
	if f.Q != "" && !strings.Contains(strings.ToLower(o.Title), strings.ToLower(f.Q)) {
		return false
	}
	if f.Level != "" && o.Level != f.Level {
		return false
	}
	return true
}

func summarize(roots []*cairn.ObjectiveView, p *cairn.Period, now time.Time) summary {
	s := summary{Objectives: len(roots), Noun: "objectives"}
	if p != nil {
		s.Expected = progress.Expected(p.Start.Time(), p.End.Time(), now)
	}
	counts := map[progress.Status]int{}
	for _, o := range roots {
		s.Average += min(o.Progress, 1)
		counts[o.Status]++
	}
	if len(roots) > 0 {
		s.Average /= float64(len(roots))
	}
	x := 0.0
	for _, st := range []progress.Status{progress.OnTrack, progress.Behind, progress.AtRisk, progress.NotStarted, progress.Closed} {
		if counts[st] == 0 {
			continue
		}
		w := 100 * float64(counts[st]) / float64(len(roots))
		s.Segments = append(s.Segments, segment{Status: st, Count: counts[st], Width: w, X: x})
		x += w
	}
	return s
}

func memberNames(ms []*cairn.Member) map[int64]string {
	out := make(map[int64]string, len(ms))
	for _, m := range ms {
		name := m.Name
		if name == "" {
			name = m.Email
		}
		out[m.UserID] = name
	}
	return out
}

func people(ids []int64, names map[int64]string) []person {
	out := make([]person, 0, len(ids))
	for _, id := range ids {
		n, ok := names[id]
		if !ok {
			n = "User " + strconv.FormatInt(id, 10)
		}
		out = append(out, person{ID: id, Name: n})
	}
	return out
}

// treeBuilder turns the loaded items into nested rows.
type treeBuilder struct {
	names         map[int64]string
	auto          map[cairn.Ref]string
	selected      cairn.Ref
	flat          bool
	krsByObj      map[int64][]*cairn.KeyResultView
	initsByParent map[cairn.Ref][]*cairn.InitiativeView
	// aligned lists, per parent, the objectives and key results aligned to it; a key
	// result's own objective is in krsByObj instead.
	aligned map[cairn.Ref][]alignedItem
	objIDs  map[int64]bool
	krIDs   map[int64]bool
}

// loaded reports whether the page shows the objective or key result.
func (b *treeBuilder) loaded(r cairn.Ref) bool {
	if r.Type == cairn.ItemObjective {
		return b.objIDs[r.ID]
	}
	return b.krIDs[r.ID]
}

// objective builds an objective's rows. path holds the items above, so that bad data with a
// cycle stops; an item aligned to two parents of the page appears under both.
func (b *treeBuilder) objective(o *cairn.ObjectiveView, depth int, path map[cairn.Ref]bool) *node {
	ref := cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}
	path[ref] = true
	defer delete(path, ref)
	n := &node{Type: cairn.ItemObjective, ID: o.ID, Title: o.Title, Depth: depth, Owners: people(o.OwnerIDs, b.names),
		Progress: o.Progress, Label: pct(o.Progress), Full: pct(o.Progress), Status: o.Status, Score: closedScore(o.Status, o.Score)}
	n.Selected = b.selected == cairn.Ref{Type: n.Type, ID: n.ID}
	for _, k := range b.krsByObj[o.ID] {
		if !path[cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}] {
			n.Children = append(n.Children, b.keyResultTree(k, depth+1, path))
		}
	}
	for _, i := range b.initsByParent[ref] {
		n.Children = append(n.Children, b.initiative(i, depth+1))
	}
	n.Children = append(n.Children, b.alignedRows(ref, o.Title, depth+1, path)...)
	return n
}

// keyResultTree builds a key result's row with its initiatives and what aligns to it.
func (b *treeBuilder) keyResultTree(k *cairn.KeyResultView, depth int, path map[cairn.Ref]bool) *node {
	ref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
	path[ref] = true
	defer delete(path, ref)
	n := b.keyResult(k, depth)
	n.Children = append(n.Children, b.alignedRows(ref, k.Title, depth+1, path)...)
	return n
}

// alignedRows builds the rows of the objectives and key results aligned to parent, each
// marked with its weight there. An appearance other than the item's main place (its first
// parent for an objective, its own objective for a key result) gets a row id of its own.
func (b *treeBuilder) alignedRows(parent cairn.Ref, title string, depth int, path map[cairn.Ref]bool) []*node {
	var out []*node
	under := string(parent.Type) + "-" + strconv.FormatInt(parent.ID, 10)
	for _, a := range b.aligned[parent] {
		var n *node
		switch {
		case a.obj != nil && !path[cairn.Ref{Type: cairn.ItemObjective, ID: a.obj.ID}]:
			n = b.objective(a.obj, depth, path)
		case a.kr != nil && !path[cairn.Ref{Type: cairn.ItemKeyResult, ID: a.kr.ID}]:
			n = b.keyResultTree(a.kr, depth, path)
		default:
			continue
		}
		if !a.primary {
			setUnder(n, under)
		}
		n.Weight = weightLabel(a.weight)
		n.WeightTitle = "Weight " + strconv.FormatFloat(a.weight, 'f', -1, 64) + " towards “" + title + "”"
		if a.weight == 0 {
			n.WeightTitle += ": aligned, not counted"
		}
		out = append(out, n)
	}
	return out
}

// setUnder gives a further appearance of a row, and the rows below it, ids of their own.
func setUnder(n *node, under string) {
	n.Under = under
	for _, c := range n.Children {
		setUnder(c, under)
	}
}

func (b *treeBuilder) keyResult(k *cairn.KeyResultView, depth int) *node {
	ref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
	n := &node{Type: cairn.ItemKeyResult, ID: k.ID, Title: k.Title, Depth: depth, Owners: people(k.OwnerIDs, b.names),
		Progress: k.Progress, Status: k.Status, Label: metricLabel(k.Metric, roomCompact), Full: metricLabel(k.Metric, roomFull),
		Trend: trendOf(k.Trend), Score: closedScore(k.Status, k.Score)}
	if k.ProgressSource != cairn.SourceRollUp && (k.Metric.Goal != cairn.GoalIncrease || k.Metric.BaselinePending) {
		// The row says "250 / ≤300 ms"; the progress cell's tooltip, and screen readers,
		// say what the goal is.
		n.Goal = "Goal: " + goalSentence(k.Metric)
	}
	note, auto := b.auto[ref]
	n.Automated = auto || k.Source == "azure-devops"
	n.SyncNote = note
	n.Selected = b.selected == ref
	for _, i := range b.initsByParent[ref] {
		n.Children = append(n.Children, b.initiative(i, depth+1))
	}
	return n
}

func (b *treeBuilder) initiative(i *cairn.InitiativeView, depth int) *node {
	ref := cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}
	n := &node{Type: cairn.ItemInitiative, ID: i.ID, Title: i.Title, Depth: depth, Owners: people(i.OwnerIDs, b.names),
		Progress: i.Progress, Status: i.Status, Label: initiativeLabel(i, roomCompact), Full: initiativeLabel(i, roomFull),
		Trend: trendOf(i.Trend), Score: closedScore(i.Status, i.Score)}
	note, auto := b.auto[ref]
	n.Automated = auto || i.Source == "azure-devops"
	n.SyncNote = note
	n.Selected = b.selected == ref
	return n
}

// initiativeLabel is what an initiative's row says: its metric against the target, or the
// share of its work done.
func initiativeLabel(i *cairn.InitiativeView, r room) string {
	if i.ProgressMode == cairn.ModeMetric && i.Metric != nil {
		m := *i.Metric
		m.Current = i.Current
		return metricLabel(m, r)
	}
	return pct(i.Progress)
}
