package cairn

import (
	"slices"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

// Eval is an item's computed progress and status.
type Eval struct {
	// Progress is a fraction: 0.42 for 42 %. Over-achievement is above 1.
	Progress float64
	// Status is not_started, on_track, behind or at_risk, or closed for an item closed on
	// its own. A status a person stated (see hold) replaces the computed one.
	Status progress.Status
	// Active reports whether anything has happened yet (a check-in, or an active child).
	Active bool
	// Expected is the progress expected today: on the straight line across the period, or
	// on the line through a key result's milestones.
	Expected float64
}

// evaluator computes progress and status for every item of a period graph, each item once.
type evaluator struct {
	g        *Graph
	expected float64
	th       progress.Thresholds
	// now is the instant progress is evaluated at: the clock, or the closing time of a
	// closed period.
	now      time.Time
	out      map[Ref]Eval
	visiting map[Ref]bool

	krsByObjective map[int64][]*KeyResult
	initsByParent  map[Ref][]*Initiative
	// alignedByParent lists, per parent, the objectives and key results aligned to it, each
	// with the weight of that edge. A key result's own objective is not an alignment: it is
	// in krsByObjective.
	alignedByParent map[Ref][]aligned
	objectiveByID   map[int64]*Objective
	keyResultByID   map[int64]*KeyResult
	initiativeByID  map[int64]*Initiative
}

// evaluate computes every item of g as of now, with the organization's thresholds.
func (s *Service) evaluate(g *Graph, org *Org, now time.Time) map[Ref]Eval {
	return EvaluateGraph(g, org, now)
}

// EvaluateGraph computes the progress and status of every item of g as of now, with the
// organization's thresholds, by the rules of docs/progress.md: what the OKR tree shows. An
// importer uses it to compare what it wrote with what the export said.
func EvaluateGraph(g *Graph, org *Org, now time.Time) map[Ref]Eval {
	e := newEvaluator(g, org, now)
	for _, o := range g.Objectives {
		e.objective(o)
	}
	for _, k := range g.KeyResults {
		e.keyResult(k)
	}
	for _, i := range g.Initiatives {
		e.initiative(i)
	}
	return e.out
}

// aligned is one edge of the alignment graph seen from its parent: the child and the weight
// it counts with there.
type aligned struct {
	child  Ref
	weight float64
}

func newEvaluator(g *Graph, org *Org, now time.Time) *evaluator {
	e := &evaluator{
		g:               g,
		th:              progress.Thresholds{AtRiskGap: org.AtRiskGap},
		out:             make(map[Ref]Eval, len(g.Objectives)+len(g.KeyResults)+len(g.Initiatives)),
		visiting:        map[Ref]bool{},
		krsByObjective:  map[int64][]*KeyResult{},
		initsByParent:   map[Ref][]*Initiative{},
		alignedByParent: map[Ref][]aligned{},
		objectiveByID:   make(map[int64]*Objective, len(g.Objectives)),
		keyResultByID:   make(map[int64]*KeyResult, len(g.KeyResults)),
		initiativeByID:  make(map[int64]*Initiative, len(g.Initiatives)),
	}
	p := g.Period
	end := p.End.Time()
	if p.ClosedAt != nil && p.ClosedAt.Before(now) {
		now = *p.ClosedAt
	}
	e.now = now
	e.expected = progress.Expected(p.Start.Time(), end, now)
	for _, o := range g.Objectives {
		e.objectiveByID[o.ID] = o
		for _, a := range o.Parents {
			e.alignedByParent[a.Ref()] = append(e.alignedByParent[a.Ref()], aligned{Ref{ItemObjective, o.ID}, a.Weight})
		}
	}
	for _, k := range g.KeyResults {
		e.keyResultByID[k.ID] = k
		e.krsByObjective[k.ObjectiveID] = append(e.krsByObjective[k.ObjectiveID], k)
		for _, a := range k.Parents {
			e.alignedByParent[a.Ref()] = append(e.alignedByParent[a.Ref()], aligned{Ref{ItemKeyResult, k.ID}, a.Weight})
		}
	}
	for _, i := range g.Initiatives {
		e.initiativeByID[i.ID] = i
		e.initsByParent[i.Parent] = append(e.initsByParent[i.Parent], i)
	}
	return e
}

func (e *evaluator) finish(r Ref, p float64, active bool) Eval {
	ev := Eval{Progress: p, Active: active, Status: progress.StatusOf(p, active, e.expected, e.th), Expected: e.expected}
	e.out[r] = ev
	return ev
}

// finishMetric evaluates an item measured by a metric whose value is current, following
// the metric's goal and milestones (docs/progress.md). A baseline still to be measured
// has no progress and has not started.
func (e *evaluator) finishMetric(r Ref, m Metric, current float64, active bool) Eval {
	if m.BaselinePending {
		ev := Eval{Status: progress.NotStarted, Expected: e.expected}
		e.out[r] = ev
		return ev
	}
	pm := m.Progress()
	p, err := progress.MetricProgress(pm, current)
	if err != nil {
		p = 0
	}
	exp := progress.ExpectedFor(pm, e.g.Period.Start.Time(), e.g.Period.End.Time(), e.now)
	ev := Eval{Progress: p, Active: active, Expected: exp, Status: progress.MetricStatus(pm, current, active, exp, e.th)}
	e.out[r] = ev
	return ev
}

// trend returns the trend of an item's latest check-ins against its metric, or nil when it
// has fewer than two.
func (e *evaluator) trend(r Ref, m Metric) *progress.Trend {
	if m.BaselinePending {
		return nil
	}
	t, ok := progress.TrendOf(m.Progress(), e.g.Recent[r])
	if !ok {
		return nil
	}
	return &t
}

// alignedChildren adds to children the items aligned to parent whose type is in types, each
// with the weight of its edge; an edge of weight 0 is aligned but not counted. It reports
// whether a counted one is active.
func (e *evaluator) alignedChildren(parent Ref, children []progress.Child, types ...ItemType) ([]progress.Child, bool) {
	active := false
	for _, a := range e.alignedByParent[parent] {
		var ev Eval
		switch {
		case a.child.Type == ItemObjective && slices.Contains(types, ItemObjective) && e.objectiveByID[a.child.ID] != nil:
			ev = e.objective(e.objectiveByID[a.child.ID])
		case a.child.Type == ItemKeyResult && slices.Contains(types, ItemKeyResult) && e.keyResultByID[a.child.ID] != nil:
			ev = e.keyResult(e.keyResultByID[a.child.ID])
		default:
			continue
		}
		counted := a.weight > 0
		children = append(children, progress.Child{Progress: ev.Progress, Weight: a.weight, Contributes: counted})
		active = active || (ev.Active && counted)
	}
	return children, active
}

// objective rolls up an objective from its own key results (with their weights), its
// contributing initiatives and the key results aligned to it (with the weights of their
// edges). Objectives aligned to an objective do not count towards it (PRODUCT.md §1: an
// objective's progress comes from key results and initiatives); they count towards a
// parent key result that rolls up.
func (e *evaluator) objective(o *Objective) Eval {
	r := Ref{ItemObjective, o.ID}
	if ev, ok := e.out[r]; ok {
		return ev
	}
	if e.visiting[r] {
		return Eval{Status: progress.NotStarted}
	}
	e.visiting[r] = true
	defer delete(e.visiting, r)
	var children []progress.Child
	active := false
	for _, k := range e.krsByObjective[o.ID] {
		ev := e.keyResult(k)
		children = append(children, progress.Child{Progress: ev.Progress, Weight: k.Weight, Contributes: true})
		active = active || ev.Active
	}
	for _, i := range e.initsByParent[r] {
		ev := e.initiative(i)
		children = append(children, progress.Child{Progress: ev.Progress, Weight: i.Weight, Contributes: i.Contributes})
		active = active || (ev.Active && i.Contributes)
	}
	children, act := e.alignedChildren(r, children, ItemKeyResult)
	p, _ := progress.RollUp(children)
	e.finish(r, p, active || act)
	return e.hold(r, o.ClosedAt, o.StatedStatus)
}

// hold replaces an item's computed status by the one people gave it (docs/progress.md):
// closed for an item closed on its own; else the status stated with its latest check-in, or
// for an objective by its owners, which holds until the next check-in (or, on an objective,
// until they change it). Progress stays computed.
func (e *evaluator) hold(r Ref, closedAt *time.Time, stated progress.Status) Eval {
	ev := e.out[r]
	switch {
	case closedAt != nil:
		ev.Status = progress.Closed
	case stated != "":
		ev.Status = stated
	default:
		return ev
	}
	e.out[r] = ev
	return ev
}

// keyResult computes a key result: from its metric, or, rolling up, from its contributing
// initiatives and the objectives and key results aligned to it, each with its edge's weight.
func (e *evaluator) keyResult(k *KeyResult) Eval {
	r := Ref{ItemKeyResult, k.ID}
	if ev, ok := e.out[r]; ok {
		return ev
	}
	if k.ProgressSource == SourceRollUp {
		if e.visiting[r] {
			return Eval{Status: progress.NotStarted}
		}
		e.visiting[r] = true
		defer delete(e.visiting, r)
		var children []progress.Child
		active := false
		for _, i := range e.initsByParent[r] {
			ev := e.initiative(i)
			children = append(children, progress.Child{Progress: ev.Progress, Weight: i.Weight, Contributes: i.Contributes})
			active = active || (ev.Active && i.Contributes)
		}
		children, act := e.alignedChildren(r, children, ItemObjective, ItemKeyResult)
		p, _ := progress.RollUp(children)
		e.finish(r, p, active || act)
		return e.hold(r, k.ClosedAt, "")
	}
	e.finishMetric(r, k.Metric, k.Metric.Current, k.LastCheckInAt != nil)
	return e.hold(r, k.ClosedAt, e.g.Stated[r])
}

func (e *evaluator) initiative(i *Initiative) Eval {
	r := Ref{ItemInitiative, i.ID}
	if ev, ok := e.out[r]; ok {
		return ev
	}
	var p float64
	switch i.ProgressMode {
	case ModeMetric:
		if i.Metric != nil {
			e.finishMetric(r, *i.Metric, i.Current, i.LastCheckInAt != nil)
			return e.hold(r, i.ClosedAt, e.g.Stated[r])
		}
	default:
		// Manual and task initiatives hold a percentage.
		p = i.Current / 100
		if p < 0 {
			p = 0
		}
	}
	e.finish(r, p, i.LastCheckInAt != nil)
	return e.hold(r, i.ClosedAt, e.g.Stated[r])
}

func suggestedScore(p float64) float64 { return progress.SuggestedScore(p) }
