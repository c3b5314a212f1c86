package cairn

import (
	"context"
	"fmt"
	"slices"

	"github.com/cairn-okr/cairn/progress"
)

// ObjectiveQuery selects objectives of an organization for a list.
type ObjectiveQuery struct {
	PeriodID int64
	TeamID   int64
	OwnerID  int64
	Status   string
	Limit    int
	Offset   int
}

// ListObjectives lists objectives with progress. With a period the whole period is loaded
// in a fixed number of queries and evaluated once; filters then apply in memory.
func (s *Service) ListObjectives(ctx context.Context, org string, q ObjectiveQuery) ([]*ObjectiveView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > 5000 {
		q.Limit = 5000
	}
	if q.PeriodID != 0 {
		if _, err := s.store.PeriodByID(ctx, a.org.ID, q.PeriodID); err != nil {
			return nil, err
		}
	}
	periods, err := s.periodIDs(ctx, a, q.PeriodID)
	if err != nil {
		return nil, err
	}
	out := []*ObjectiveView{}
	skipped := 0
	for _, pid := range periods {
		g, err := s.store.PeriodGraph(ctx, a.org.ID, pid)
		if err != nil {
			return nil, err
		}
		ev := s.evaluate(g, a.org, s.now())
		for _, o := range g.Objectives {
			if q.TeamID != 0 && (o.TeamID == nil || *o.TeamID != q.TeamID) {
				continue
			}
			if q.OwnerID != 0 && !slices.Contains(o.OwnerIDs, q.OwnerID) {
				continue
			}
			e := ev[Ref{ItemObjective, o.ID}]
			if q.Status != "" && string(e.Status) != q.Status {
				continue
			}
			if skipped < q.Offset {
				skipped++
				continue
			}
			if len(out) >= q.Limit {
				return out, nil
			}
			out = append(out, objectiveView(o, e))
		}
	}
	return out, nil
}

// evalGraph evaluates a whole period.
func (s *Service) evalGraph(ctx context.Context, a *access, periodID int64) (*evaluator, error) {
	g, err := s.store.PeriodGraph(ctx, a.org.ID, periodID)
	if err != nil {
		return nil, err
	}
	return newEvaluator(g, a.org, s.now()), nil
}

// evalObjective evaluates one objective and what lies below it, which is all its progress
// and that of its key results and initiatives depend on.
func (s *Service) evalObjective(ctx context.Context, a *access, objectiveID int64) (*evaluator, error) {
	g, err := s.store.ObjectiveGraph(ctx, a.org.ID, objectiveID)
	if err != nil {
		return nil, err
	}
	return newEvaluator(g, a.org, s.now()), nil
}

// Objective returns one objective with progress.
func (s *Service) Objective(ctx context.Context, org string, id int64) (*ObjectiveView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	e, err := s.evalObjective(ctx, a, id)
	if err != nil {
		return nil, err
	}
	o, ok := e.objectiveByID[id]
	if !ok {
		return nil, NotFound("objective", id)
	}
	return objectiveView(o, e.objective(o)), nil
}

// ObjectiveTree returns the objective with its key results, initiatives and aligned
// children, each with progress and status.
func (s *Service) ObjectiveTree(ctx context.Context, org string, id int64) (*ObjectiveTree, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	e, err := s.evalObjective(ctx, a, id)
	if err != nil {
		return nil, err
	}
	o, ok := e.objectiveByID[id]
	if !ok {
		return nil, NotFound("objective", id)
	}
	return e.tree(o, map[Ref]bool{}), nil
}

// CreateObjective creates an objective. Members and admins may; the owners must be members,
// and without owners the caller owns it.
func (s *Service) CreateObjective(ctx context.Context, org string, o *Objective) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireWriter("create objectives"); err != nil {
		return err
	}
	// Only an import closes an item on its own, and the owners state a status on the
	// objective once it exists.
	o.ID, o.OrgID, o.Score, o.ClosedAt, o.StatedStatus = 0, a.org.ID, nil, nil, ""
	if o.OwnerIDs, err = s.defaultOwners(ctx, a, o.OwnerIDs); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := s.checkObjectiveRefs(ctx, a, o); err != nil {
		return err
	}
	o.CreatedAt = s.now().UTC()
	o.UpdatedAt = o.CreatedAt
	return s.store.CreateObjective(ctx, o)
}

// checkObjectiveRefs checks that every id an objective names lives in the organization.
func (s *Service) checkObjectiveRefs(ctx context.Context, a *access, o *Objective) error {
	if _, err := s.requireWritablePeriod(ctx, a, o.PeriodID); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return FieldError("period_id", "period %d not found in this organization", o.PeriodID)
		}
		return err
	}
	if o.TeamID != nil {
		if _, err := s.store.TeamByID(ctx, a.org.ID, *o.TeamID); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return FieldError("team_id", "team %d not found in this organization", *o.TeamID)
			}
			return err
		}
	}
	if err := s.checkMembers(ctx, a, "owner_ids", o.OwnerIDs); err != nil {
		return err
	}
	if err := s.checkMembers(ctx, a, "editor_ids", o.EditorIDs); err != nil {
		return err
	}
	return s.checkParents(ctx, a, Ref{ItemObjective, o.ID}, o.ParentsField(), o.Parents)
}

// checkParents checks that every parent lives in the organization and that an objective
// does not align to its own key result. Cycles through longer paths are refused by the store,
// inside the write.
func (s *Service) checkParents(ctx context.Context, a *access, child Ref, field string, parents []Alignment) error {
	for n, p := range parents {
		f := field
		if field != "parent" {
			f = fmt.Sprintf("%s[%d]", field, n)
		}
		var err error
		switch p.Type {
		case ItemObjective:
			_, err = s.store.ObjectiveByID(ctx, a.org.ID, p.ID)
		case ItemKeyResult:
			var k *KeyResult
			k, err = s.store.KeyResultByID(ctx, a.org.ID, p.ID)
			if err == nil && child.Type == ItemObjective && child.ID != 0 && k.ObjectiveID == child.ID {
				return FieldError(f+".id", "an objective cannot align to its own key result")
			}
		}
		if ErrorCode(err) == ENOTFOUND {
			return FieldError(f+".id", "%s %d not found in this organization", kindName(p.Type), p.ID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ObjectiveUpdate is a partial update of an objective.
type ObjectiveUpdate struct {
	Title        *string  `json:"title"`
	Description  *string  `json:"description"`
	Level        *Level   `json:"level"`
	TeamID       *int64   `json:"team_id"`
	Aspirational *bool    `json:"aspirational"`
	OwnerIDs     *[]int64 `json:"owner_ids"`
	EditorIDs    *[]int64 `json:"editor_ids"`
	// Parent replaces the parents with this one, weighted with Weight if given, else with
	// the weight the primary parent had.
	Parent      *Ref `json:"parent"`
	ClearParent bool `json:"clear_parent"`
	// Weight is the weight towards the primary parent; 0 means the default 1.
	Weight *float64 `json:"weight"`
	// Parents replaces every parent, primary first, each with its weight (see Alignment);
	// an empty list removes them all. It cannot come with Parent, ClearParent or Weight.
	Parents *[]Alignment `json:"parents"`
	// Score, ClearScore and ClosingStatus change the closing score and status, as on
	// KeyResultUpdate.
	Score         *float64                `json:"score"`
	ClearScore    bool                    `json:"clear_score"`
	ClosingStatus *progress.ClosingStatus `json:"closing_status"`
	// StatedStatus states the objective's status, which it shows instead of the computed
	// one until changed; "" clears it and lets Cairn compute the status again.
	StatedStatus *progress.Status `json:"stated_status"`
}

// UpdateObjective changes an objective; its owners, editors and admins may. Items of a
// closed period are frozen: only admins may change them.
func (s *Service) UpdateObjective(ctx context.Context, org string, id int64, up ObjectiveUpdate) (*ObjectiveView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	o, err := s.store.ObjectiveByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	if !a.canEditObjective(o) {
		return nil, forbidden("change this objective")
	}
	p, err := s.store.PeriodByID(ctx, a.org.ID, o.PeriodID)
	if err != nil {
		return nil, err
	}
	if p.Closed() && !a.isAdmin() {
		return nil, closedError(p)
	}
	if up.Title != nil {
		o.Title = *up.Title
	}
	if up.Description != nil {
		o.Description = *up.Description
	}
	if up.Level != nil {
		o.Level = *up.Level
	}
	if up.TeamID != nil {
		o.TeamID = up.TeamID
	}
	if up.Aspirational != nil {
		o.Aspirational = *up.Aspirational
	}
	if up.StatedStatus != nil {
		o.StatedStatus = *up.StatedStatus
	}
	if up.OwnerIDs != nil {
		o.OwnerIDs = *up.OwnerIDs
	}
	if up.EditorIDs != nil {
		o.EditorIDs = *up.EditorIDs
	}
	switch {
	case up.Parents != nil && (up.Parent != nil || up.ClearParent || up.Weight != nil):
		return nil, FieldError("parents", "give parents alone, with each parent's weight in it, not with parent, clear_parent or weight")
	case up.Parents != nil:
		o.SetParents(append([]Alignment{}, *up.Parents...))
	case up.ClearParent || up.Parent != nil:
		if up.Weight != nil {
			o.Weight = *up.Weight
		}
		o.Parent = up.Parent
		o.SetParents(nil) // Validate makes the one parent of Parent and Weight
	case up.Weight != nil && len(o.Parents) > 0:
		w := *up.Weight
		if w == 0 {
			w = 1
		}
		ps := slices.Clone(o.Parents)
		ps[0].Weight = w
		o.SetParents(ps)
	case up.Weight != nil:
		o.Weight = *up.Weight
	}
	if err := applyClosing(&o.Score, &o.ClosingStatus, closingUpdate{up.Score, up.ClearScore, up.ClosingStatus}, p.Closed()); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkObjectiveRefs(ctx, a, o); err != nil {
		return nil, err
	}
	o.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateObjective(ctx, o); err != nil {
		return nil, err
	}
	return s.Objective(ctx, org, id)
}

// DeleteObjective deletes an objective with its key results and initiatives; its owners,
// editors and admins may while the period is open, and only admins once it is closed.
func (s *Service) DeleteObjective(ctx context.Context, org string, id int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	o, err := s.store.ObjectiveByID(ctx, a.org.ID, id)
	if err != nil {
		return err
	}
	if !a.canEditObjective(o) {
		return forbidden("delete this objective")
	}
	if _, err := s.requireWritablePeriod(ctx, a, o.PeriodID); err != nil {
		return err
	}
	return s.store.DeleteObjective(ctx, a.org.ID, id)
}
