package cairn

import (
	"context"
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
		return nil, Errorf(ECONFLICT, "period %q is closed and cannot change", p.Name)
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

// ClosePeriod closes a period: every objective and key result gets its suggested score,
// unless overrides gives another, and the period's items are frozen. Organization admins may.
func (s *Service) ClosePeriod(ctx context.Context, org string, id int64, overrides []Score) (*Period, []Score, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	if err := a.requireAdmin("close periods"); err != nil {
		return nil, nil, err
	}
	g, err := s.store.PeriodGraph(ctx, a.org.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if g.Period.Closed() {
		return nil, nil, Errorf(ECONFLICT, "period %q is closed already", g.Period.Name)
	}
	ev := s.evaluate(g, a.org, s.now())
	scores := make([]Score, 0, len(g.Objectives)+len(g.KeyResults))
	given := map[Ref]float64{}
	for i, sc := range overrides {
		if sc.Value < 0 || sc.Value > 1 || !finite(sc.Value) {
			return nil, nil, FieldError("scores", "score %d must be between 0 and 1", i)
		}
		if _, ok := ev[sc.Item]; !ok || sc.Item.Type == ItemInitiative {
			return nil, nil, FieldError("scores", "%s %d is not an objective or key result of this period", sc.Item.Type, sc.Item.ID)
		}
		given[sc.Item] = sc.Value
	}
	add := func(r Ref) {
		v, ok := given[r]
		if !ok {
			v = suggestedScore(ev[r].Progress)
		}
		scores = append(scores, Score{Item: r, Value: v})
	}
	for _, o := range g.Objectives {
		add(Ref{ItemObjective, o.ID})
	}
	for _, k := range g.KeyResults {
		add(Ref{ItemKeyResult, k.ID})
	}
	now := s.now().UTC()
	if err := s.store.ClosePeriod(ctx, a.org.ID, id, now, scores); err != nil {
		return nil, nil, err
	}
	g.Period.ClosedAt = &now
	return g.Period, scores, nil
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

// requireOpenPeriod refuses changes to items of a closed period.
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
	return Errorf(ECONFLICT, "period %q is closed: its items are frozen", p.Name)
}
