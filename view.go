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
// initiatives, its own initiatives, the objectives aligned to it or to its key results, and
// the key results of other objectives aligned to it. An item aligned to several parents
// appears under each of them.
type ObjectiveTree struct {
	ObjectiveView
	// AlignedWeight is, for an objective listed as aligned to the node above it, the weight
	// of that alignment.
	AlignedWeight     *float64          `json:"aligned_weight,omitempty"`
	KeyResults        []*KeyResultTree  `json:"key_results"`
	Initiatives       []*InitiativeView `json:"initiatives"`
	Children          []*ObjectiveTree  `json:"children"`
	AlignedKeyResults []*KeyResultTree  `json:"aligned_key_results"`
}

// KeyResultTree is a key result with its initiatives and the objectives and key results
// aligned to it.
type KeyResultTree struct {
	KeyResultView
	// AlignedWeight is, for a key result listed as aligned to the node above it (not under
	// its own objective), the weight of that alignment.
	AlignedWeight     *float64          `json:"aligned_weight,omitempty"`
	Initiatives       []*InitiativeView `json:"initiatives"`
	Children          []*ObjectiveTree  `json:"children"`
	AlignedKeyResults []*KeyResultTree  `json:"aligned_key_results"`
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

// tree builds the tree under the objective from the evaluated graph. path holds the items
// above, so that an alignment cycle in bad data stops instead of looping; an item aligned to
// two parents of the tree appears under both.
func (e *evaluator) tree(o *Objective, path map[Ref]bool) *ObjectiveTree {
	r := Ref{ItemObjective, o.ID}
	path[r] = true
	defer delete(path, r)
	t := &ObjectiveTree{ObjectiveView: *objectiveView(o, e.objective(o)), KeyResults: []*KeyResultTree{}, Initiatives: []*InitiativeView{}, Children: []*ObjectiveTree{}}
	for _, k := range e.krsByObjective[o.ID] {
		if !path[Ref{ItemKeyResult, k.ID}] {
			t.KeyResults = append(t.KeyResults, e.keyResultTree(k, path))
		}
	}
	for _, i := range e.initsByParent[r] {
		t.Initiatives = append(t.Initiatives, e.initiativeView(i))
	}
	t.Children, t.AlignedKeyResults = e.alignedTrees(r, path)
	return t
}

// keyResultTree builds the tree under a key result.
func (e *evaluator) keyResultTree(k *KeyResult, path map[Ref]bool) *KeyResultTree {
	r := Ref{ItemKeyResult, k.ID}
	path[r] = true
	defer delete(path, r)
	kt := &KeyResultTree{KeyResultView: *e.keyResultView(k), Initiatives: []*InitiativeView{}}
	for _, i := range e.initsByParent[r] {
		kt.Initiatives = append(kt.Initiatives, e.initiativeView(i))
	}
	kt.Children, kt.AlignedKeyResults = e.alignedTrees(r, path)
	return kt
}

// alignedTrees builds the trees of the objectives and key results aligned to parent, each
// marked with the weight of its alignment.
func (e *evaluator) alignedTrees(parent Ref, path map[Ref]bool) ([]*ObjectiveTree, []*KeyResultTree) {
	objs, krs := []*ObjectiveTree{}, []*KeyResultTree{}
	for _, a := range e.alignedByParent[parent] {
		if path[a.child] {
			continue
		}
		w := a.weight
		switch a.child.Type {
		case ItemObjective:
			if c := e.objectiveByID[a.child.ID]; c != nil {
				t := e.tree(c, path)
				t.AlignedWeight = &w
				objs = append(objs, t)
			}
		case ItemKeyResult:
			if k := e.keyResultByID[a.child.ID]; k != nil {
				t := e.keyResultTree(k, path)
				t.AlignedWeight = &w
				krs = append(krs, t)
			}
		}
	}
	return objs, krs
}
