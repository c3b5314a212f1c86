package cairn

import (
	"context"

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
}

// maxChain bounds an alignment chain; alignment cycles are refused on write, this only
// guards against bad data.
const maxChain = 32

// AlignmentChain returns the chain from an item up through what it counts towards: an
// initiative, its key result or objective, and each objective's parent objectives and key
// results, each with progress and status. It acts for no user: the caller has decided
// that the reader may see the organization's OKRs.
func (s *Service) AlignmentChain(ctx context.Context, orgID int64, item Ref) ([]ChainLink, error) {
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	a := &access{org: org}
	evals := map[int64]*evaluator{}
	evalFor := func(periodID int64) (*evaluator, error) {
		if e := evals[periodID]; e != nil {
			return e, nil
		}
		e, err := s.evalGraph(ctx, a, periodID)
		if err != nil {
			return nil, err
		}
		evals[periodID] = e
		return e, nil
	}
	var out []ChainLink
	seen := map[Ref]bool{}
	cur := &item
	for cur != nil && len(out) < maxChain && !seen[*cur] {
		seen[*cur] = true
		var next *Ref
		switch cur.Type {
		case ItemInitiative:
			i, err := s.store.InitiativeByID(ctx, orgID, cur.ID)
			if err != nil {
				return nil, err
			}
			pid, err := s.periodOfParent(ctx, a, i.Parent)
			if err != nil {
				return nil, err
			}
			e, err := evalFor(pid)
			if err != nil {
				return nil, err
			}
			if ei := e.initiativeByID[i.ID]; ei != nil {
				i = ei
			}
			ev := e.initiative(i)
			l := ChainLink{Type: ItemInitiative, ID: i.ID, Title: i.Title, Progress: ev.Progress, Status: ev.Status, Period: e.g.Period.Name}
			if i.Metric != nil {
				m := *i.Metric
				m.Current = i.Current
				l.Metric = &m
			} else {
				c := i.Current
				l.Current = &c
			}
			out = append(out, l)
			p := i.Parent
			next = &p
		case ItemKeyResult:
			k, err := s.store.KeyResultByID(ctx, orgID, cur.ID)
			if err != nil {
				return nil, err
			}
			o, err := s.store.ObjectiveByID(ctx, orgID, k.ObjectiveID)
			if err != nil {
				return nil, err
			}
			e, err := evalFor(o.PeriodID)
			if err != nil {
				return nil, err
			}
			if ek := e.keyResultByID[k.ID]; ek != nil {
				k = ek
			}
			ev := e.keyResult(k)
			m := k.Metric
			out = append(out, ChainLink{Type: ItemKeyResult, ID: k.ID, Title: k.Title, Progress: ev.Progress, Status: ev.Status, Metric: &m, Period: e.g.Period.Name})
			next = &Ref{Type: ItemObjective, ID: k.ObjectiveID}
		case ItemObjective:
			o, err := s.store.ObjectiveByID(ctx, orgID, cur.ID)
			if err != nil {
				return nil, err
			}
			e, err := evalFor(o.PeriodID)
			if err != nil {
				return nil, err
			}
			ev := e.objective(o)
			out = append(out, ChainLink{Type: ItemObjective, ID: o.ID, Title: o.Title, Progress: ev.Progress, Status: ev.Status, Period: e.g.Period.Name})
			next = o.Parent
		default:
			return nil, FieldError("item.type", "unknown item type %q", cur.Type)
		}
		cur = next
	}
	return out, nil
}

// CanEdit reports whether the signed-in user may check in on the key result or initiative of
// the organization (its check-in owners may, as may whoever may change it), or change the
// objective; false without a user or for any failure.
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
	var ok bool
	switch item.Type {
	case ItemKeyResult:
		k, err := s.store.KeyResultByID(ctx, orgID, item.ID)
		if err != nil {
			return false
		}
		ok, err = s.canCheckInKeyResult(ctx, a, k)
		return ok && err == nil
	case ItemInitiative:
		i, err := s.store.InitiativeByID(ctx, orgID, item.ID)
		if err != nil {
			return false
		}
		ok, err = s.canCheckInInitiative(ctx, a, i)
		return ok && err == nil
	case ItemObjective:
		o, err := s.store.ObjectiveByID(ctx, orgID, item.ID)
		if err != nil {
			return false
		}
		return a.canEditObjective(o)
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
