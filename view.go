package cairn

import "github.com/cairn-okr/cairn/progress"

// ObjectiveView is an objective with its computed progress and status.
type ObjectiveView struct {
	*Objective
	Progress float64         `json:"progress"`
	Status   progress.Status `json:"status"`
}

// KeyResultView is a key result with its computed progress and status.
type KeyResultView struct {
	*KeyResult
	Progress float64         `json:"progress"`
	Status   progress.Status `json:"status"`
	Source   string          `json:"source"`
	// Expected is the progress expected today, through the milestones when there are any.
	Expected float64 `json:"expected_progress"`
	// Trend is how the value moved over the latest check-ins; nil with fewer than two.
	Trend *progress.Trend `json:"trend"`
}

// InitiativeView is an initiative with its computed progress and status.
type InitiativeView struct {
	*Initiative
	Progress float64         `json:"progress"`
	Status   progress.Status `json:"status"`
	Source   string          `json:"source"`
	// Trend is how the value moved over the latest check-ins; nil with fewer than two.
	Trend *progress.Trend `json:"trend"`
}

// ObjectiveTree is an objective with everything below it: its key results, their
// initiatives, its own initiatives and the objectives aligned to it or to its key results.
type ObjectiveTree struct {
	ObjectiveView
	KeyResults  []*KeyResultTree  `json:"key_results"`
	Initiatives []*InitiativeView `json:"initiatives"`
	Children    []*ObjectiveTree  `json:"children"`
}

// KeyResultTree is a key result with its initiatives and the objectives aligned to it.
type KeyResultTree struct {
	KeyResultView
	Initiatives []*InitiativeView `json:"initiatives"`
	Children    []*ObjectiveTree  `json:"children"`
}

func objectiveView(o *Objective, ev Eval) *ObjectiveView {
	return &ObjectiveView{Objective: o, Progress: ev.Progress, Status: ev.Status}
}

// keyResultView evaluates a key result for display.
func (e *evaluator) keyResultView(k *KeyResult) *KeyResultView {
	ev := e.keyResult(k)
	src := "manual"
	switch k.ProgressSource {
	case SourceDataSource:
		src = "azure-devops"
	case SourceRollUp:
		src = "roll_up"
	}
	v := &KeyResultView{KeyResult: k, Progress: ev.Progress, Status: ev.Status, Source: src, Expected: ev.Expected}
	if k.ProgressSource != SourceRollUp {
		v.Trend = e.trend(Ref{ItemKeyResult, k.ID}, k.Metric)
	}
	return v
}

// initiativeView evaluates an initiative for display.
func (e *evaluator) initiativeView(i *Initiative) *InitiativeView {
	ev := e.initiative(i)
	if i.Metric != nil {
		m := *i.Metric
		m.Current = i.Current
		i.Metric = &m
	}
	src := "manual"
	if i.Automated {
		src = "azure-devops"
	}
	v := &InitiativeView{Initiative: i, Progress: ev.Progress, Status: ev.Status, Source: src}
	m := Metric{Start: 0, Target: 100}
	if i.Metric != nil {
		m = *i.Metric
	}
	v.Trend = e.trend(Ref{ItemInitiative, i.ID}, m)
	return v
}

// tree builds the tree under the objective from the evaluated graph.
func (e *evaluator) tree(o *Objective, seen map[int64]bool) *ObjectiveTree {
	seen[o.ID] = true
	t := &ObjectiveTree{ObjectiveView: *objectiveView(o, e.objective(o)), KeyResults: []*KeyResultTree{}, Initiatives: []*InitiativeView{}, Children: []*ObjectiveTree{}}
	r := Ref{ItemObjective, o.ID}
	for _, k := range e.krsByObjective[o.ID] {
		kt := &KeyResultTree{KeyResultView: *e.keyResultView(k), Initiatives: []*InitiativeView{}, Children: []*ObjectiveTree{}}
		kr := Ref{ItemKeyResult, k.ID}
		for _, i := range e.initsByParent[kr] {
			kt.Initiatives = append(kt.Initiatives, e.initiativeView(i))
		}
		for _, c := range e.alignedByParent[kr] {
			if !seen[c.ID] {
				kt.Children = append(kt.Children, e.tree(c, seen))
			}
		}
		t.KeyResults = append(t.KeyResults, kt)
	}
	for _, i := range e.initsByParent[r] {
		t.Initiatives = append(t.Initiatives, e.initiativeView(i))
	}
	for _, c := range e.alignedByParent[r] {
		if !seen[c.ID] {
			t.Children = append(t.Children, e.tree(c, seen))
		}
	}
	return t
}
