package datasource

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/progress"
)

// baseFields are the fields the mirror keeps of every work item.
var baseFields = []string{"System.Id", "System.Rev", "System.WorkItemType", "System.State", "System.Title",
	"System.AssignedTo", "System.Parent"}

// measureFields returns the sorted numeric fields the data sources measure.
func measureFields(ds []*cairn.DataSource) []string {
	set := map[string]bool{}
	for _, d := range ds {
		if d.Measure != "" && d.Measure != cairn.MeasureCount {
			set[d.Measure] = true
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// subset reports whether every field of need is in have (case-insensitively).
func subset(need, have []string) bool {
	for _, n := range need {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, n) }) {
			return false
		}
	}
	return true
}

// mirrorItem turns a fetched work item into its mirror form. Its link is built from the
// connection (cairn.Connection.WorkItemURL), never taken from the item's url or _links.
func mirrorItem(w azdo.WorkItem, fields []string, conn *cairn.Connection) cairn.MirrorItem {
	m := cairn.MirrorItem{
		ID: w.ID, Rev: w.Rev, Type: w.String("System.WorkItemType"), State: w.String("System.State"),
		Title: w.String("System.Title"), AssignedTo: w.String("System.AssignedTo"), ParentID: w.ParentID(), URL: conn.WorkItemURL(w.ID),
	}
	if m.Rev == 0 {
		m.Rev, _ = w.Int("System.Rev")
	}
	for _, f := range fields {
		if v, ok := w.Float(f); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			if m.Fields == nil {
				m.Fields = map[string]float64{}
			}
			m.Fields[f] = v
		}
	}
	return m
}

// categories maps a work item type and state to its state category.
type categories map[string]map[string]string

func (c categories) add(typ, state, category string) {
	t := strings.ToLower(typ)
	if c[t] == nil {
		c[t] = map[string]string{}
	}
	c[t][strings.ToLower(state)] = category
}

func (c categories) of(typ, state string) (string, bool) {
	cat, ok := c[strings.ToLower(typ)][strings.ToLower(state)]
	return cat, ok
}

// rule returns the progress rule of a data source writing into a target of the kind.
func rule(d *cairn.DataSource, kind cairn.MetricKind) progress.Rule {
	k := progress.Tasks
	if d.Target.Type != cairn.TargetInitiativeTasks {
		k = progress.MetricKind(kind)
	}
	return progress.Rule{ProgressType: d.ProgressType, Measure: d.Measure, Kind: k,
		CountTotal: d.CountTotal, ResolvedIsComplete: d.ResolvedIsComplete}
}

// evaluation is a data source's value with what it shows.
type evaluation struct {
	Result progress.Result
	Tasks  []*cairn.Task
	Items  []progress.WorkItem
}

// evaluate computes a data source's value over its members from the mirror.
func evaluate(d *cairn.DataSource, kind cairn.MetricKind, items map[int]*cairn.MirrorItem, members []int, cats categories) (*evaluation, error) {
	r := rule(d, kind)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	ws := make([]progress.WorkItem, 0, len(members))
	for _, id := range members {
		m := items[id]
		if m == nil {
			continue
		}
		cat, _ := cats.of(m.Type, m.State)
		ws = append(ws, progress.WorkItem{ID: m.ID, Type: m.Type, State: m.State, Category: progress.StateCategory(cat),
			Title: m.Title, AssignedTo: m.AssignedTo, ParentID: m.ParentID, Fields: m.Fields})
	}
	res, err := progress.Evaluate(ws, r)
	if err != nil {
		return nil, err
	}
	ev := &evaluation{Result: res, Items: ws}
	if d.Target.Type == cairn.TargetInitiativeTasks {
		ev.Tasks = tasks(res.Visible, items, cats, d.Measure)
	}
	return ev, nil
}

// tasks builds the visible tasks; each one's parent is its nearest visible ancestor.
func tasks(visible []int, items map[int]*cairn.MirrorItem, cats categories, measure string) []*cairn.Task {
	shown := make(map[int]bool, len(visible))
	for _, id := range visible {
		shown[id] = true
	}
	out := make([]*cairn.Task, 0, len(visible))
	for _, id := range visible {
		m := items[id]
		if m == nil {
			continue
		}
		cat, _ := cats.of(m.Type, m.State)
		t := &cairn.Task{WorkItemID: m.ID, Title: m.Title, Type: m.Type, State: m.State, StateCategory: cat,
			AssignedTo: m.AssignedTo, URL: m.URL}
		if measure == "" || measure == cairn.MeasureCount {
			t.Measure = 1
		} else {
			t.Measure = m.Fields[measure]
		}
		seen := map[int]bool{id: true}
		for p := m.ParentID; p != 0 && !seen[p]; {
			seen[p] = true
			if shown[p] {
				pp := p
				t.ParentID = &pp
				break
			}
			pm := items[p]
			if pm == nil {
				break
			}
			p = pm.ParentID
		}
		out = append(out, t)
	}
	return out
}

// typeLabel is the singular display name of the progress type for notes.
func typeLabel(d *cairn.DataSource) string {
	if d.ProgressType == cairn.ProgressAll {
		return ""
	}
	return d.ProgressType
}

// previous returns the last sync's result, for the note's "since last sync".
func previous(d *cairn.DataSource) *progress.Result {
	if d.Value == nil {
		return nil
	}
	return &progress.Result{Value: *d.Value, ItemCount: d.ItemCount, MeasuredCount: d.MeasuredCount,
		CompleteCount: d.CompleteCount, CompleteMeasure: d.CompleteMeasure, TotalMeasure: d.TotalMeasure}
}

// describe names what a data source reads, for error messages.
func describe(d *cairn.DataSource) string {
	if d.Method == cairn.MethodSharedQuery {
		name := d.QueryName
		if name == "" {
			name = d.QueryID
		}
		return fmt.Sprintf("the shared query %q", name)
	}
	ids := make([]string, len(d.WorkItemIDs))
	for i, id := range d.WorkItemIDs {
		ids[i] = strconv.Itoa(id)
	}
	return fmt.Sprintf("the %s work items %s", d.WorkItemType, strings.Join(ids, ", "))
}

// members asks Azure DevOps which work items make up a data source's item set: every item
// a saved query returns (both ends of each link for tree and one-hop queries), or the
// chosen items with all their descendants through Hierarchy-Forward links.
func members(ctx context.Context, c *azdo.Client, project string, d *cairn.DataSource) ([]int, error) {
	switch d.Method {
	case cairn.MethodSharedQuery:
		res, err := runSavedQuery(ctx, c, project, d.QueryID)
		if err != nil {
			return nil, err
		}
		if len(res.WorkItemRelations) > 0 || strings.EqualFold(res.QueryResultType, "workItemLink") {
			rows := make([]progress.Relation, 0, len(res.WorkItemRelations))
			for _, l := range res.WorkItemRelations {
				var r progress.Relation
				if l.Source != nil {
					r.Source = l.Source.ID
				}
				if l.Target != nil {
					r.Target = l.Target.ID
				}
				r.Rel = l.Rel
				rows = append(rows, r)
			}
			return nonZero(progress.LinkEnds(rows)), nil
		}
		ids := make([]int, 0, len(res.WorkItems))
		for _, w := range res.WorkItems {
			ids = append(ids, w.ID)
		}
		return dedup(ids), nil
	case cairn.MethodWorkItems:
		if len(d.WorkItemIDs) == 0 {
			return []int{}, nil
		}
		ids := make([]string, len(d.WorkItemIDs))
		for i, id := range d.WorkItemIDs {
			ids[i] = strconv.Itoa(id)
		}
		q := "SELECT [System.Id] FROM WorkItemLinks WHERE ([Source].[System.Id] IN (" + strings.Join(ids, ", ") +
			")) AND ([System.Links.LinkType] = '" + azdo.LinkChild + "') AND ([Target].[System.TeamProject] = @project) MODE (Recursive)"
		res, err := c.WIQL(ctx, project, q, azdo.WIQLOptions{})
		if err != nil {
			return nil, err
		}
		children := map[int][]int{}
		var roots []int
		chosen := map[int]bool{}
		for _, id := range d.WorkItemIDs {
			chosen[id] = true
		}
		for _, l := range res.WorkItemRelations {
			if l.Target == nil {
				continue
			}
			if l.Source == nil || l.Source.ID == 0 {
				if chosen[l.Target.ID] {
					roots = append(roots, l.Target.ID)
				}
				continue
			}
			if l.Rel == "" || strings.EqualFold(l.Rel, azdo.LinkChild) {
				children[l.Source.ID] = append(children[l.Source.ID], l.Target.ID)
			}
		}
		sort.Ints(roots)
		return progress.Descendants(roots, children), nil
	}
	return nil, fmt.Errorf("datasource: unknown method %q", d.Method)
}

func nonZero(ids []int) []int {
	out := ids[:0]
	for _, id := range ids {
		if id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func dedup(ids []int) []int {
	seen := make(map[int]bool, len(ids))
	out := make([]int, 0, len(ids))
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

var missingFieldRE = regexp.MustCompile(`TF51535: Cannot find field ([^\s]+?)\.?$`)

// missingField returns the field a TF51535 error names.
func missingField(err error) (string, bool) {
	var ae *azdo.Error
	if !errors.As(err, &ae) {
		return "", false
	}
	m := missingFieldRE.FindStringSubmatch(strings.TrimSpace(ae.Message))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// fetchItems fetches work items in batches of 200. Measured fields that Azure DevOps no
// longer knows are dropped and reported, so that one removed field does not stop the
// data sources that do not use it.
func fetchItems(ctx context.Context, c *azdo.Client, project string, ids []int, fields []string) ([]azdo.WorkItem, []string, error) {
	var removed []string
	for {
		if len(ids) == 0 {
			return nil, removed, nil
		}
		ws, err := c.WorkItems(ctx, project, ids, azdo.WorkItemsOptions{
			Fields: append(slices.Clone(baseFields), fields...), ErrorPolicy: azdo.ErrorPolicyOmit})
		if err == nil {
			return ws, removed, nil
		}
		f, ok := missingField(err)
		if !ok {
			return nil, removed, err
		}
		i := slices.IndexFunc(fields, func(x string) bool { return strings.EqualFold(x, f) })
		if i < 0 {
			return nil, removed, err
		}
		removed = append(removed, fields[i])
		fields = slices.Delete(slices.Clone(fields), i, i+1)
	}
}
