package cairn

import (
	"context"
	"slices"

	"github.com/cairn-okr/cairn/progress"
)

// ListKeyResults lists key results, of one objective or of one period, with progress.
func (s *Service) ListKeyResults(ctx context.Context, org string, objectiveID, periodID int64) ([]*KeyResultView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if objectiveID != 0 {
		o, err := s.store.ObjectiveByID(ctx, a.org.ID, objectiveID)
		if err != nil {
			return nil, err
		}
		periodID = o.PeriodID
	}
	periods, err := s.periodIDs(ctx, a, periodID)
	if err != nil {
		return nil, err
	}
	out := []*KeyResultView{}
	for _, pid := range periods {
		e, err := s.evalGraph(ctx, a, pid)
		if err != nil {
			return nil, err
		}
		for _, k := range e.g.KeyResults {
			if objectiveID != 0 && k.ObjectiveID != objectiveID {
				continue
			}
			out = append(out, e.keyResultView(k))
		}
	}
	return out, nil
}

// KeyResult returns one key result with progress.
func (s *Service) KeyResult(ctx context.Context, org string, id int64) (*KeyResultView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.keyResultView(ctx, a, id)
}

func (s *Service) keyResultView(ctx context.Context, a *access, id int64) (*KeyResultView, error) {
	k, err := s.store.KeyResultByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	e, err := s.evalObjective(ctx, a, k.ObjectiveID)
	if err != nil {
		return nil, err
	}
	if ek, ok := e.keyResultByID[id]; ok {
		k = ek
	}
	return e.keyResultView(k), nil
}

// CreateKeyResult creates a key result under an objective the user may edit, owned by the
// caller unless it names its owners. Its current value starts at the metric's start; with
// a baseline pending, the first check-in sets both. Milestones must fall in the period.
func (s *Service) CreateKeyResult(ctx context.Context, org string, k *KeyResult) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireWriter("create key results"); err != nil {
		return err
	}
	k.ID, k.OrgID, k.Score, k.LastCheckInAt, k.ClosedAt = 0, a.org.ID, nil, nil, nil
	if k.OwnerIDs, err = s.defaultOwners(ctx, a, k.OwnerIDs); err != nil {
		return err
	}
	if err := k.Validate(); err != nil {
		return err
	}
	o, err := s.store.ObjectiveByID(ctx, a.org.ID, k.ObjectiveID)
	if ErrorCode(err) == ENOTFOUND {
		return FieldError("objective_id", "objective %d not found in this organization", k.ObjectiveID)
	}
	if err != nil {
		return err
	}
	if !a.canEditObjective(o) {
		return forbidden("add key results to this objective")
	}
	p, err := s.requireWritablePeriod(ctx, a, o.PeriodID)
	if err != nil {
		return err
	}
	if err := k.Metric.ValidateMilestonesIn("metric", p); err != nil {
		return err
	}
	if err := s.checkPeople(ctx, a, k.OwnerIDs, k.EditorIDs, k.CheckInOwnerIDs); err != nil {
		return err
	}
	if err := s.checkParents(ctx, a, Ref{ItemKeyResult, 0}, "parents", k.Parents); err != nil {
		return err
	}
	k.Metric.Current = k.Metric.Start
	k.CreatedAt = s.now().UTC()
	k.UpdatedAt = k.CreatedAt
	return s.store.CreateKeyResult(ctx, k)
}

// KeyResultUpdate is a partial update of a key result.
type KeyResultUpdate struct {
	Title          *string         `json:"title"`
	Description    *string         `json:"description"`
	Metric         *MetricUpdate   `json:"metric"`
	ProgressSource *ProgressSource `json:"progress_source"`
	OwnerIDs       *[]int64        `json:"owner_ids"`
	Weight         *float64        `json:"weight"`
	// Parents replaces the other parents the key result counts towards (see
	// KeyResult.Parents); an empty list removes them all.
	Parents *[]Alignment `json:"parents"`
	// Score and ClosingStatus set the closing score and status: ahead of the close while
	// the period is open, or the final ones after it (admins only). ClearScore drops a
	// score chosen ahead of the close.
	Score         *float64                `json:"score"`
	ClearScore    bool                    `json:"clear_score"`
	ClosingStatus *progress.ClosingStatus `json:"closing_status"`
	// EditorIDs and CheckInOwnerIDs replace the key result's editors and check-in owners.
	EditorIDs       *[]int64 `json:"editor_ids"`
	CheckInOwnerIDs *[]int64 `json:"checkin_owner_ids"`
}

// MetricUpdate is a partial update of a metric. Its current value changes only by check-in.
type MetricUpdate struct {
	Kind   *MetricKind `json:"kind"`
	Goal   *MetricGoal `json:"goal"`
	Start  *float64    `json:"start"`
	Target *float64    `json:"target"`
	Unit   *string     `json:"unit"`
	// BaselinePending marks the start as still to be measured (true), or gives it up with
	// the start in the same update (false).
	BaselinePending *bool `json:"baseline_pending"`
	// Milestones replaces every milestone; an empty list removes them.
	Milestones *[]Milestone `json:"milestones"`
}

// apply changes the metric. checkedIn says whether the item has check-ins, which means its
// baseline has been measured and cannot be pending again.
//
// Without a goal in the update, a change of start or target of an increase or decrease
// metric lets the goal follow the numbers, as it did before goals were explicit.
func (m *MetricUpdate) apply(to *Metric, checkedIn bool) error {
	if m.Kind != nil {
		to.Kind = *m.Kind
	}
	if m.Unit != nil {
		to.Unit = *m.Unit
	}
	if m.Target != nil {
		to.Target = *m.Target
	}
	if m.Milestones != nil {
		to.Milestones = *m.Milestones
	}
	if m.BaselinePending != nil && *m.BaselinePending != to.BaselinePending {
		switch {
		case *m.BaselinePending && checkedIn:
			return FieldError("metric.baseline_pending", "the baseline was measured by a check-in already; change the start instead")
		case !*m.BaselinePending && m.Start == nil:
			return FieldError("metric.start", "give the start, now that the baseline is no longer pending")
		}
		to.BaselinePending = *m.BaselinePending
	}
	if m.Start != nil {
		if to.BaselinePending {
			return FieldError("metric.start", "leave the start out while the baseline is pending: the first check-in sets it")
		}
		to.Start = *m.Start
	}
	switch {
	case m.Goal != nil:
		to.Goal = *m.Goal
	case (m.Start != nil || m.Target != nil) && !to.Goal.Control() && !to.BaselinePending:
		to.Goal = ""
	}
	return nil
}

// UpdateKeyResult changes a key result; its owners and editors, its objective's owners and
// editors, and admins may, and once its period is closed only admins. Its check-in owners
// may not.
func (s *Service) UpdateKeyResult(ctx context.Context, org string, id int64, up KeyResultUpdate) (*KeyResultView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	k, p, err := s.keyResultForChange(ctx, a, id, "change this key result")
	if err != nil {
		return nil, err
	}
	if p.Closed() && !a.isAdmin() {
		return nil, closedError(p)
	}
	if up.Title != nil {
		k.Title = *up.Title
	}
	if up.Description != nil {
		k.Description = *up.Description
	}
	if up.Metric != nil {
		if err := up.Metric.apply(&k.Metric, k.LastCheckInAt != nil); err != nil {
			return nil, err
		}
	}
	if up.ProgressSource != nil {
		k.ProgressSource = *up.ProgressSource
	}
	if up.OwnerIDs != nil {
		k.OwnerIDs = *up.OwnerIDs
	}
	if up.Weight != nil {
		k.Weight = *up.Weight
	}
	if up.EditorIDs != nil {
		k.EditorIDs = *up.EditorIDs
	}
	if up.CheckInOwnerIDs != nil {
		k.CheckInOwnerIDs = *up.CheckInOwnerIDs
	}
	if up.Parents != nil {
		k.Parents = slices.Clone(*up.Parents)
		if k.Parents == nil {
			k.Parents = []Alignment{}
		}
	}
	if err := applyClosing(&k.Score, &k.ClosingStatus, closingUpdate{up.Score, up.ClearScore, up.ClosingStatus}, p.Closed()); err != nil {
		return nil, err
	}
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if err := k.Metric.ValidateMilestonesIn("metric", p); err != nil {
		return nil, err
	}
	if err := s.checkPeople(ctx, a, k.OwnerIDs, k.EditorIDs, k.CheckInOwnerIDs); err != nil {
		return nil, err
	}
	if err := s.checkParents(ctx, a, Ref{ItemKeyResult, k.ID}, "parents", k.Parents); err != nil {
		return nil, err
	}
	k.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateKeyResult(ctx, k); err != nil {
		return nil, err
	}
	return s.keyResultView(ctx, a, id)
}

// DeleteKeyResult deletes a key result with its initiatives and check-ins.
func (s *Service) DeleteKeyResult(ctx context.Context, org string, id int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	k, p, err := s.keyResultForChange(ctx, a, id, "delete this key result")
	if err != nil {
		return err
	}
	if p.Closed() && !a.isAdmin() {
		return closedError(p)
	}
	return s.store.DeleteKeyResult(ctx, a.org.ID, k.ID)
}

// keyResultForChange loads a key result that the user may change, with its period.
func (s *Service) keyResultForChange(ctx context.Context, a *access, id int64, what string) (*KeyResult, *Period, error) {
	k, err := s.store.KeyResultByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, nil, err
	}
	ok, err := s.canEditKeyResult(ctx, a, k)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, forbidden(what)
	}
	o, err := s.store.ObjectiveByID(ctx, a.org.ID, k.ObjectiveID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.store.PeriodByID(ctx, a.org.ID, o.PeriodID)
	if err != nil {
		return nil, nil, err
	}
	return k, p, nil
}
