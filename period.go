package cairn

import (
	"context"
	"slices"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

// ListPeriods lists the organization's periods.
func (s *Service) ListPeriods(ctx context.Context, org string) ([]*Period, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.ListPeriods(ctx, a.org.ID)
}

// Period returns one period.
func (s *Service) Period(ctx context.Context, org string, id int64) (*Period, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.PeriodByID(ctx, a.org.ID, id)
}

// CreatePeriod creates a period; organization admins may.
func (s *Service) CreatePeriod(ctx context.Context, org string, p *Period) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("create periods"); err != nil {
		return err
	}
	p.OrgID = a.org.ID
	p.ClosedAt = nil
	if err := p.Validate(); err != nil {
		return err
	}
	return s.store.CreatePeriod(ctx, p)
}

// PeriodUpdate is a partial update of a period.
type PeriodUpdate struct {
	Name  *string `json:"name"`
	Start *Date   `json:"start"`
	End   *Date   `json:"end"`
}

// UpdatePeriod changes a period that is still open; organization admins may.
func (s *Service) UpdatePeriod(ctx context.Context, org string, id int64, up PeriodUpdate) (*Period, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("change periods"); err != nil {
		return nil, err
	}
	p, err := s.store.PeriodByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	if p.Closed() {
		return nil, Errorf(ECONFLICT, "period %q is closed and cannot change: reopen it first", p.Name)
	}
	if up.Name != nil {
		p.Name = *up.Name
	}
	if up.Start != nil {
		p.Start = *up.Start
	}
	if up.End != nil {
		p.End = *up.End
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, s.store.UpdatePeriod(ctx, p)
}

// DeletePeriod deletes a period without objectives; organization admins may.
func (s *Service) DeletePeriod(ctx context.Context, org string, id int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("delete periods"); err != nil {
		return err
	}
	if _, err := s.store.PeriodByID(ctx, a.org.ID, id); err != nil {
		return err
	}
	return s.store.DeletePeriod(ctx, a.org.ID, id)
}

// ClosePeriod closes a period as ClosePeriodWith does, with overrides only: each gives an
// item's score and, unless empty, its closing status.
func (s *Service) ClosePeriod(ctx context.Context, org string, id int64, overrides []Score) (*Period, []Score, error) {
	in := PeriodClose{Scores: make([]ScoreOverride, 0, len(overrides))}
	for _, sc := range overrides {
		ov := ScoreOverride{Item: sc.Item, Value: &sc.Value}
		if sc.Status != "" {
			ov.Status = &sc.Status
		}
		in.Scores = append(in.Scores, ov)
	}
	c, err := s.ClosePeriodWith(ctx, org, id, in)
	if err != nil {
		return nil, nil, err
	}
	return c.Period, c.Scores, nil
}

// ScoreOverride is what a close is told about one objective or key result: its score, its
// closing status, or both. A nil field leaves that to the owners' choice or the
// suggestion; an empty Status makes the status the one the final score suggests.
type ScoreOverride struct {
	Item   Ref
	Value  *float64
	Status *progress.ClosingStatus
}

// PeriodClose is what an admin decides when closing a period.
type PeriodClose struct {
	// Scores override the score or the closing status of some objectives and key results;
	// see ClosePeriodWith for what the others get.
	Scores []ScoreOverride
	// Note is the closing note of the period.
	Note string
	// CarryForwardTo, when not 0, is the period that the unfinished key results are
	// carried into: an open period of the organization that starts after this one starts.
	CarryForwardTo int64
}

// ClosedPeriod is the outcome of a close.
type ClosedPeriod struct {
	Period *Period
	// Scores holds the final score and closing status of every objective and key result.
	Scores []Score
	// Carried lists the key results carried forward, with their copies.
	Carried []*CarryForward
}

// ClosePeriodWith closes a period; organization admins may. Every objective and key result
// gets a final score from 0 to 1 and a closing status, and the period's items are frozen:
// syncing stops for them and only admins may change them until the period reopens.
//
// An item's score is, in this order, the one in.Scores gives, the one its owners chose
// ahead of the close, or the suggested score: its progress capped at 1. Its status is
// likewise the one given, the one chosen, or the one its final score suggests
// (progress.ClosingStatusOf: 0.7 and above is achieved, 0.3 and above partially achieved,
// anything lower missed).
//
// With in.CarryForwardTo, each key result of the period whose progress is below 100 % and
// that was not carried forward before is copied into that period, under a copy of its
// objective (one per objective, linked to it). The copy starts where the original ended:
// its start and current value are the original's current value; a roll-up key result,
// whose value comes from its children, keeps its start, and so does a key result with a
// control goal (stay_above, stay_below), whose start is the floor or ceiling where progress
// is 0, a choice rather than a measurement. The original's Azure DevOps data
// source moves to the copy, so that the original keeps its last synced value.
func (s *Service) ClosePeriodWith(ctx context.Context, org string, id int64, in PeriodClose) (*ClosedPeriod, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("close periods"); err != nil {
		return nil, err
	}
	g, err := s.store.PeriodGraph(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	if g.Period.Closed() {
		return nil, Errorf(ECONFLICT, "period %q is closed already", g.Period.Name)
	}
	if len(in.Note) > MaxClosingNote {
		return nil, FieldError("closing_note", "closing note is longer than %d characters", MaxClosingNote)
	}
	ev := s.evaluate(g, a.org, s.now())
	given := map[Ref]ScoreOverride{}
	for i, ov := range in.Scores {
		if v := ov.Value; v != nil && (*v < 0 || *v > 1 || !finite(*v)) {
			return nil, FieldError("scores", "score %d must be between 0 and 1", i)
		}
		if st := ov.Status; st != nil && *st != "" && !st.Valid() {
			return nil, FieldError("scores", "closing status %d must be achieved, partially_achieved or missed, not %q", i, *st)
		}
		if _, ok := ev[ov.Item]; !ok || ov.Item.Type == ItemInitiative {
			return nil, FieldError("scores", "%s %d is not an objective or key result of this period", ov.Item.Type, ov.Item.ID)
		}
		if _, twice := given[ov.Item]; twice {
			return nil, FieldError("scores", "%s %d is scored twice", ov.Item.Type, ov.Item.ID)
		}
		given[ov.Item] = ov
	}
	c := &Closing{OrgID: a.org.ID, PeriodID: id, At: s.now().UTC(), Note: in.Note,
		Scores: make([]Score, 0, len(g.Objectives)+len(g.KeyResults))}
	add := func(r Ref, chosen *float64, status progress.ClosingStatus) {
		sc := Score{Item: r, Value: suggestedScore(ev[r].Progress), Status: status}
		if chosen != nil {
			sc.Value = *chosen
		}
		if ov, ok := given[r]; ok {
			if ov.Value != nil {
				sc.Value = *ov.Value
			}
			if ov.Status != nil {
				sc.Status = *ov.Status
			}
		}
		if sc.Status == "" {
			sc.Status = progress.ClosingStatusOf(sc.Value)
		}
		c.Scores = append(c.Scores, sc)
	}
	for _, o := range g.Objectives {
		add(Ref{ItemObjective, o.ID}, o.Score, o.ClosingStatus)
	}
	for _, k := range g.KeyResults {
		add(Ref{ItemKeyResult, k.ID}, k.Score, k.ClosingStatus)
	}
	if in.CarryForwardTo != 0 {
		if err := s.checkCarryTarget(ctx, a, g.Period, in.CarryForwardTo); err != nil {
			return nil, err
		}
		c.CarryTo = in.CarryForwardTo
		c.Carry = carryForwards(g, ev, s.now().UTC())
	}
	if err := s.store.ClosePeriod(ctx, c); err != nil {
		return nil, err
	}
	g.Period.ClosedAt, g.Period.ClosingNote = &c.At, c.Note
	return &ClosedPeriod{Period: g.Period, Scores: c.Scores, Carried: c.Carry}, nil
}

// checkCarryTarget checks the period that a close carries key results into.
func (s *Service) checkCarryTarget(ctx context.Context, a *access, closing *Period, id int64) error {
	next, err := s.store.PeriodByID(ctx, a.org.ID, id)
	if ErrorCode(err) == ENOTFOUND {
		return FieldError("carry_forward_to", "period %d not found in this organization", id)
	}
	if err != nil {
		return err
	}
	switch {
	case next.ID == closing.ID:
		return FieldError("carry_forward_to", "a period cannot carry its key results into itself")
	case next.Closed():
		return FieldError("carry_forward_to", "period %q is closed: carry forward into an open period", next.Name)
	case !closing.Start.Before(next.Start):
		return FieldError("carry_forward_to", "period %q starts %s, not after %q (%s): carry forward into a later period",
			next.Name, next.Start, closing.Name, closing.Start)
	}
	return nil
}

// carryForwards builds the copies of the period's unfinished key results that were not
// carried forward before, with a copy of each one's objective.
func carryForwards(g *Graph, ev map[Ref]Eval, now time.Time) []*CarryForward {
	objectives := make(map[int64]*Objective, len(g.Objectives))
	for _, o := range g.Objectives {
		objectives[o.ID] = o
	}
	copies := map[int64]*Objective{}
	var out []*CarryForward
	for _, k := range g.KeyResults {
		// A key result closed on its own is finished, whatever its progress.
		if k.CarriedToID != nil || k.ClosedAt != nil || ev[Ref{ItemKeyResult, k.ID}].Progress >= 1-progress.Epsilon {
			continue
		}
		if k.ProgressSource != SourceRollUp && k.Metric.Current == k.Metric.Target {
			continue // at its target, whatever the progress says: nothing is left to carry
		}
		oc, ok := copies[k.ObjectiveID]
		if !ok {
			o := *objectives[k.ObjectiveID]
			oc = &o
			// The parents stay in the closed period: the copy starts unaligned.
			oc.ID, oc.PeriodID, oc.Parent, oc.Parents, oc.Score, oc.ClosingStatus = 0, 0, nil, []Alignment{}, nil, ""
			oc.CarriedFromID, oc.CarriedToID = &o.ID, nil
			oc.StatedStatus, oc.ClosedAt = "", nil
			oc.OwnerIDs, oc.EditorIDs = slices.Clone(o.OwnerIDs), slices.Clone(o.EditorIDs)
			oc.CreatedAt, oc.UpdatedAt = now, now
			copies[k.ObjectiveID] = oc
		}
		kc := *k
		kc.ID, kc.ObjectiveID, kc.Score, kc.ClosingStatus, kc.LastCheckInAt = 0, 0, nil, "", nil
		kc.CarriedFromID, kc.CarriedToID, kc.ClosedAt = &k.ID, nil, nil
		kc.OwnerIDs = slices.Clone(k.OwnerIDs)
		// Further parents and dated milestones belong to the closed period.
		kc.Parents, kc.Metric.Milestones = []Alignment{}, nil
		// A control goal keeps its floor or ceiling: moving it to the last value would
		// change what every value of the next period is worth.
		if k.ProgressSource != SourceRollUp && !k.Metric.BaselinePending && !k.Metric.Goal.Control() {
			kc.Metric.Start = k.Metric.Current
		}
		kc.Metric.Current = kc.Metric.Start
		kc.CreatedAt, kc.UpdatedAt = now, now
		out = append(out, &CarryForward{From: k, Copy: &kc, Objective: oc})
	}
	return out
}

// ReopenPeriod opens a closed period again; organization admins may. Its items are no
// longer frozen and sync again, and their scores and closing statuses stay as the owners'
// choices for the next close. Key results carried forward stay where they went, with their
// data sources.
func (s *Service) ReopenPeriod(ctx context.Context, org string, id int64) (*Period, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("reopen periods"); err != nil {
		return nil, err
	}
	if err := s.store.ReopenPeriod(ctx, a.org.ID, id); err != nil {
		return nil, err
	}
	return s.store.PeriodByID(ctx, a.org.ID, id)
}

// periodIDs returns the one period asked for, or every period of the organization when
// periodID is 0.
func (s *Service) periodIDs(ctx context.Context, a *access, periodID int64) ([]int64, error) {
	if periodID != 0 {
		return []int64{periodID}, nil
	}
	ps, err := s.store.ListPeriods(ctx, a.org.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// requireWritablePeriod refuses changes to items of a closed period, except by
// organization admins, who may still correct them.
func (s *Service) requireWritablePeriod(ctx context.Context, a *access, periodID int64) (*Period, error) {
	p, err := s.store.PeriodByID(ctx, a.org.ID, periodID)
	if err != nil {
		return nil, err
	}
	if p.Closed() && !a.isAdmin() {
		return nil, closedError(p)
	}
	return p, nil
}

// requireOpenPeriod refuses changes to items of a closed period, whoever asks.
func (s *Service) requireOpenPeriod(ctx context.Context, orgID, periodID int64) (*Period, error) {
	p, err := s.store.PeriodByID(ctx, orgID, periodID)
	if err != nil {
		return nil, err
	}
	if p.Closed() {
		return nil, closedError(p)
	}
	return p, nil
}

// closedError refuses a change to an item of a closed period.
func closedError(p *Period) error {
	return Errorf(ECONFLICT, "period %q is closed: its items are frozen, and only an organization admin may change them or reopen the period", p.Name)
}
