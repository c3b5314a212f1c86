package cairn

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-okr/cairn/progress"
)

// ChainLink is one OKR item of an alignment chain, with its progress.
type ChainLink struct {
	Type     ItemType        `json:"type"`
	ID       int64           `json:"id"`
	Title    string          `json:"title"`
	Progress float64         `json:"progress"`
	Status   progress.Status `json:"status"`
	// Metric is the key result's or initiative's metric with its current value.
	Metric *Metric `json:"metric,omitempty"`
	// Current is a manual or task initiative's percentage.
	Current *float64 `json:"current,omitempty"`
	Period  string   `json:"period,omitempty"`
	// Closed says that the item's period is closed: its values are frozen.
	Closed bool `json:"closed,omitempty"`
	// Weight is the weight with which this item counts towards the next link of the chain;
	// the last link has none. 0 means aligned but not counted (an initiative that does not
	// contribute shows 0 too).
	Weight *float64 `json:"weight,omitempty"`
	// Trend is how a key result's or initiative's value moved over its latest check-ins
	// (see progress.TrendOf); nil with fewer than two, and for roll-ups and objectives.
	Trend *progress.Trend `json:"trend,omitempty"`
	// Expected is a key result's progress expected at the moment of evaluation, through its
	// milestones when it has any; nil for other items.
	Expected *float64 `json:"expected_progress,omitempty"`
	// Confidence is the newest confidence (1 to 10) that a check-in of the key result gave
	// among its latest confidenceWindow check-ins; nil when none gave one.
	Confidence *int `json:"confidence,omitempty"`
}

// confidenceWindow is how many of a key result's latest check-ins a chain looks through for
// the newest confidence.
const confidenceWindow = 20

// maxChain bounds an alignment chain, and maxChains the number of chains of one item;
// alignment cycles are refused on write, this only guards against bad data and against an
// alignment graph so wide that listing every path would not help a reader.
const (
	maxChain  = 32
	maxChains = 50
)

// AlignmentChain returns the primary chain of AlignmentChains: the one that follows each
// item's first parent.
func (s *Service) AlignmentChain(ctx context.Context, orgID int64, item Ref) ([]ChainLink, error) {
	chains, err := s.AlignmentChains(ctx, orgID, item)
	if err != nil {
		return nil, err
	}
	return chains[0], nil
}

// AlignmentChains returns every chain from an item up through what it counts towards: an
// initiative, its key result or objective, a key result's own objective and the other
// parents it aligns to, and each objective's parents, each link with progress and status
// and the weight towards the next. An item with several parents starts one chain per
// parent, primary first, so the first chain follows first parents all the way up. It acts
// for no user: the caller has decided that the reader may see the organization's OKRs.
func (s *Service) AlignmentChains(ctx context.Context, orgID int64, item Ref) ([][]ChainLink, error) {
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	c := &chainer{s: s, a: &access{org: org}, evals: map[int64]*evaluator{}, nodes: map[Ref]*chainNode{}}
	if _, err := c.node(ctx, item); err != nil {
		return nil, err
	}
	var out [][]ChainLink
	var walk func(r Ref, prefix []ChainLink, on map[Ref]bool) error
	walk = func(r Ref, prefix []ChainLink, on map[Ref]bool) error {
		if len(out) >= maxChains {
			return nil
		}
		n, err := c.node(ctx, r)
		if err != nil {
			return err
		}
		link := n.link
		chain := append(slices.Clip(prefix), link)
		var ups []Alignment
		if len(chain) < maxChain {
			for _, p := range n.parents {
				if !on[p.Ref()] {
					ups = append(ups, p)
				}
			}
		}
		if len(ups) == 0 {
			out = append(out, chain)
			return nil
		}
		on[r] = true
		defer delete(on, r)
		for _, p := range ups {
			w := p.Weight
			chain[len(chain)-1].Weight = &w
			if err := walk(p.Ref(), chain, on); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(item, nil, map[Ref]bool{}); err != nil {
		return nil, err
	}
	return out, nil
}

// chainNode is one item of the alignment graph as chains show it: its link, and the parents
// it counts towards with their weights, primary first.
type chainNode struct {
	link    ChainLink
	parents []Alignment
}

// chainer loads the items of alignment chains, each once, and evaluates each period once.
type chainer struct {
	s     *Service
	a     *access
	evals map[int64]*evaluator
	nodes map[Ref]*chainNode
}

func (c *chainer) eval(ctx context.Context, periodID int64) (*evaluator, error) {
	if e := c.evals[periodID]; e != nil {
		return e, nil
	}
	e, err := c.s.evalGraph(ctx, c.a, periodID)
	if err != nil {
		return nil, err
	}
	c.evals[periodID] = e
	return e, nil
}

// node loads an item of a chain.
func (c *chainer) node(ctx context.Context, r Ref) (*chainNode, error) {
	if n := c.nodes[r]; n != nil {
		return n, nil
	}
	orgID := c.a.org.ID
	n := &chainNode{}
	switch r.Type {
	case ItemInitiative:
		i, err := c.s.store.InitiativeByID(ctx, orgID, r.ID)
		if err != nil {
			return nil, err
		}
		pid, err := c.s.periodOfParent(ctx, c.a, i.Parent)
		if err != nil {
			return nil, err
		}
		e, err := c.eval(ctx, pid)
		if err != nil {
			return nil, err
		}
		if ei := e.initiativeByID[i.ID]; ei != nil {
			i = ei
		}
		ev := e.initiative(i)
		n.link = ChainLink{Type: ItemInitiative, ID: i.ID, Title: i.Title, Progress: ev.Progress, Status: ev.Status, Period: e.g.Period.Name, Closed: e.g.Period.Closed()}
		tm := Metric{Start: 0, Target: 100}
		if i.Metric != nil {
			m := *i.Metric
			m.Current = i.Current
			n.link.Metric = &m
			tm = m
		} else {
			cur := i.Current
			n.link.Current = &cur
		}
		n.link.Trend = e.trend(r, tm)
		w := i.Weight
		if !i.Contributes {
			w = 0
		}
		n.parents = []Alignment{{Type: i.Parent.Type, ID: i.Parent.ID, Weight: w}}
	case ItemKeyResult:
		k, err := c.s.store.KeyResultByID(ctx, orgID, r.ID)
		if err != nil {
			return nil, err
		}
		o, err := c.s.store.ObjectiveByID(ctx, orgID, k.ObjectiveID)
		if err != nil {
			return nil, err
		}
		e, err := c.eval(ctx, o.PeriodID)
		if err != nil {
			return nil, err
		}
		if ek := e.keyResultByID[k.ID]; ek != nil {
			k = ek
		}
		ev := e.keyResult(k)
		m := k.Metric
		expected := ev.Expected
		n.link = ChainLink{Type: ItemKeyResult, ID: k.ID, Title: k.Title, Progress: ev.Progress, Status: ev.Status, Metric: &m, Period: e.g.Period.Name,
			Closed: e.g.Period.Closed(), Expected: &expected}
		if k.ProgressSource != SourceRollUp {
			n.link.Trend = e.trend(r, k.Metric)
		}
		cs, err := c.s.store.ListCheckIns(ctx, orgID, r, confidenceWindow)
		if err != nil {
			return nil, err
		}
		for _, ci := range cs {
			if ci.Confidence != nil {
				n.link.Confidence = ci.Confidence
				break
			}
		}
		n.parents = append([]Alignment{{Type: ItemObjective, ID: k.ObjectiveID, Weight: k.Weight}}, k.Parents...)
	case ItemObjective:
		o, err := c.s.store.ObjectiveByID(ctx, orgID, r.ID)
		if err != nil {
			return nil, err
		}
		e, err := c.eval(ctx, o.PeriodID)
		if err != nil {
			return nil, err
		}
		ev := e.objective(o)
		n.link = ChainLink{Type: ItemObjective, ID: o.ID, Title: o.Title, Progress: ev.Progress, Status: ev.Status, Period: e.g.Period.Name, Closed: e.g.Period.Closed()}
		n.parents = o.Parents
	default:
		return nil, FieldError("item.type", "unknown item type %q", r.Type)
	}
	c.nodes[r] = n
	return n, nil
}

// AlignmentEdge is one edge of an organization's alignment graph: Child counts towards
// Parent. A key result's place under its own objective is an edge too.
type AlignmentEdge struct {
	Child, Parent Ref
}

// AlignmentCycle returns the cycle that giving child the parents would close, as the path
// child → parent → … → child, or nil when there is none. edges are the organization's
// edges; those of child itself are ignored, since the new parents replace them, except a key
// result's edge to its own objective, which stays. The path found is a shortest one.
func AlignmentCycle(edges []AlignmentEdge, child Ref, parents []Ref) []Ref {
	up := map[Ref][]Ref{}
	for _, e := range edges {
		if e.Child == child {
			continue
		}
		up[e.Child] = append(up[e.Child], e.Parent)
	}
	// Breadth first from the new parents, remembering how each item was reached.
	from := map[Ref]Ref{}
	seen := map[Ref]bool{}
	var queue []Ref
	for _, p := range parents {
		if p == child {
			return []Ref{child, child}
		}
		if !seen[p] {
			seen[p] = true
			queue = append(queue, p)
		}
	}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, p := range up[r] {
			if p == child {
				path := []Ref{child}
				for at := r; ; at = from[at] {
					path = append(path, at)
					if _, ok := from[at]; !ok {
						break
					}
				}
				// path is child, r, …, first parent: the walk went from the parent up to r.
				slices.Reverse(path[1:])
				return append(path, child)
			}
			if !seen[p] {
				seen[p] = true
				from[p] = r
				queue = append(queue, p)
			}
		}
	}
	return nil
}

// CycleError is the error for an alignment that would close the cycle path (child → parent
// → … → child), reported on field; title names an item for the message, or returns "" when
// it cannot.
func CycleError(field string, path []Ref, title func(Ref) string) error {
	name := func(r Ref) string {
		if t := title(r); t != "" {
			return fmt.Sprintf("%s %d %q", kindName(r.Type), r.ID, t)
		}
		return fmt.Sprintf("%s %d", kindName(r.Type), r.ID)
	}
	steps := make([]string, len(path))
	for n, r := range path {
		steps[n] = name(r)
	}
	return FieldError(field, "aligning %s to %s would make a cycle: %s", name(path[0]), name(path[1]), strings.Join(steps, " → "))
}

// CanEdit reports whether the signed-in user may check in on the key result or initiative of
// the organization (its check-in owners may, as may whoever may change it), or change the
// objective; false once the item's period is closed, unless the user is an admin, and false
// without a user or for any failure.
func (s *Service) CanEdit(ctx context.Context, orgID int64, item Ref) bool {
	u := UserFromContext(ctx)
	if u == nil {
		return false
	}
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return false
	}
	a, err := s.access(ctx, org.Slug)
	if err != nil {
		return false
	}
	// A closed period's items are frozen to all but admins.
	open := func(periodID int64, err error) bool {
		if err != nil {
			return false
		}
		p, err := s.store.PeriodByID(ctx, orgID, periodID)
		return err == nil && (!p.Closed() || a.isAdmin())
	}
	var ok bool
	switch item.Type {
	case ItemKeyResult:
		k, err := s.store.KeyResultByID(ctx, orgID, item.ID)
		if err != nil {
			return false
		}
		if ok, err = s.canCheckInKeyResult(ctx, a, k); !ok || err != nil {
			return false
		}
		o, err := s.store.ObjectiveByID(ctx, orgID, k.ObjectiveID)
		if err != nil {
			return false
		}
		return open(o.PeriodID, nil)
	case ItemInitiative:
		i, err := s.store.InitiativeByID(ctx, orgID, item.ID)
		if err != nil {
			return false
		}
		if ok, err = s.canCheckInInitiative(ctx, a, i); !ok || err != nil {
			return false
		}
		return open(s.periodOfParent(ctx, a, i.Parent))
	case ItemObjective:
		o, err := s.store.ObjectiveByID(ctx, orgID, item.ID)
		if err != nil {
			return false
		}
		return a.canEditObjective(o) && open(o.PeriodID, nil)
	}
	return false
}

// MemberOf reports whether the signed-in user may read the organization.
func (s *Service) MemberOf(ctx context.Context, orgID int64) bool {
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return false
	}
	_, err = s.access(ctx, org.Slug)
	return err == nil
}
