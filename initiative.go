package cairn

import "context"

// periodOfParent returns the period id of the objective or key result an item hangs from.
func (s *Service) periodOfParent(ctx context.Context, a *access, ref Ref) (int64, error) {
	switch ref.Type {
	case ItemObjective:
		o, err := s.store.ObjectiveByID(ctx, a.org.ID, ref.ID)
		if err != nil {
			return 0, err
		}
		return o.PeriodID, nil
	case ItemKeyResult:
		k, err := s.store.KeyResultByID(ctx, a.org.ID, ref.ID)
		if err != nil {
			return 0, err
		}
		o, err := s.store.ObjectiveByID(ctx, a.org.ID, k.ObjectiveID)
		if err != nil {
			return 0, err
		}
		return o.PeriodID, nil
	}
	return 0, FieldError("parent.type", "parent type must be key_result or objective, not %q", ref.Type)
}

// ListInitiatives lists initiatives, all or those under one parent, with progress.
func (s *Service) ListInitiatives(ctx context.Context, org string, parent *Ref) ([]*InitiativeView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	var periodID int64
	if parent != nil {
		if periodID, err = s.periodOfParent(ctx, a, *parent); err != nil {
			return nil, err
		}
	}
	periods, err := s.periodIDs(ctx, a, periodID)
	if err != nil {
		return nil, err
	}
	out := []*InitiativeView{}
	for _, pid := range periods {
		e, err := s.evalGraph(ctx, a, pid)
		if err != nil {
			return nil, err
		}
		for _, i := range e.g.Initiatives {
			if parent != nil && i.Parent != *parent {
				continue
			}
			out = append(out, e.initiativeView(i))
		}
	}
	return out, nil
}

// Initiative returns one initiative with progress.
func (s *Service) Initiative(ctx context.Context, org string, id int64) (*InitiativeView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.initiativeView(ctx, a, id)
}

func (s *Service) initiativeView(ctx context.Context, a *access, id int64) (*InitiativeView, error) {
	i, err := s.store.InitiativeByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	oid := i.Parent.ID
	if i.Parent.Type == ItemKeyResult {
		k, err := s.store.KeyResultByID(ctx, a.org.ID, i.Parent.ID)
		if err != nil {
			return nil, err
		}
		oid = k.ObjectiveID
	}
	e, err := s.evalObjective(ctx, a, oid)
	if err != nil {
		return nil, err
	}
	if ei, ok := e.initiativeByID[id]; ok {
		i = ei
	}
	return e.initiativeView(i), nil
}

// CreateInitiative creates an initiative under a key result or objective the user may edit,
// owned by the caller unless it names its owners.
func (s *Service) CreateInitiative(ctx context.Context, org string, i *Initiative) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireWriter("create initiatives"); err != nil {
		return err
	}
	i.ID, i.OrgID, i.LastCheckInAt, i.Score, i.ClosedAt = 0, a.org.ID, nil, nil, nil
	if i.OwnerIDs, err = s.defaultOwners(ctx, a, i.OwnerIDs); err != nil {
		return err
	}
	if err := i.Validate(); err != nil {
		return err
	}
	if err := s.checkInitiativeParent(ctx, a, i); err != nil {
		return err
	}
	if err := s.checkPeople(ctx, a, i.OwnerIDs, i.EditorIDs, i.CheckInOwnerIDs); err != nil {
		return err
	}
	i.Current = 0
	if i.Metric != nil {
		i.Current = i.Metric.Start
		i.Metric.Current = i.Metric.Start
	}
	i.CreatedAt = s.now().UTC()
	i.UpdatedAt = i.CreatedAt
	return s.store.CreateInitiative(ctx, i)
}

func (s *Service) checkInitiativeParent(ctx context.Context, a *access, i *Initiative) error {
	pid, err := s.periodOfParent(ctx, a, i.Parent)
	if ErrorCode(err) == ENOTFOUND {
		return FieldError("parent.id", "%s %d not found in this organization", i.Parent.Type, i.Parent.ID)
	}
	if err != nil {
		return err
	}
	ok, err := s.canEditParent(ctx, a, i.Parent)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("add initiatives to this " + string(i.Parent.Type))
	}
	_, err = s.requireWritablePeriod(ctx, a, pid)
	return err
}

// InitiativeUpdate is a partial update of an initiative.
type InitiativeUpdate struct {
	Title        *string       `json:"title"`
	Parent       *Ref          `json:"parent"`
	Contributes  *bool         `json:"contributes"`
	ProgressMode *ProgressMode `json:"progress_mode"`
	Metric       *MetricUpdate `json:"metric"`
	OwnerIDs     *[]int64      `json:"owner_ids"`
	Weight       *float64      `json:"weight"`

	EditorIDs       *[]int64 `json:"editor_ids"`
	CheckInOwnerIDs *[]int64 `json:"checkin_owner_ids"`
}

// UpdateInitiative changes an initiative; its owners and editors, its parent's editors and
// admins may. Its check-in owners may not.
func (s *Service) UpdateInitiative(ctx context.Context, org string, id int64, up InitiativeUpdate) (*InitiativeView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	i, err := s.initiativeForChange(ctx, a, id, "change this initiative")
	if err != nil {
		return nil, err
	}
	if up.Title != nil {
		i.Title = *up.Title
	}
	if up.Contributes != nil {
		i.Contributes = *up.Contributes
	}
	if up.ProgressMode != nil && *up.ProgressMode != i.ProgressMode {
		i.ProgressMode = *up.ProgressMode
		if i.ProgressMode != ModeMetric {
			i.Metric = nil
		} else if i.Metric == nil {
			i.Metric = &Metric{}
		}
	}
	if up.Metric != nil {
		if i.Metric == nil {
			return nil, FieldError("metric", "metric is only for progress_mode metric")
		}
		if err := up.Metric.apply(i.Metric, i.LastCheckInAt != nil); err != nil {
			return nil, err
		}
	}
	if up.OwnerIDs != nil {
		i.OwnerIDs = *up.OwnerIDs
	}
	if up.Weight != nil {
		i.Weight = *up.Weight
	}
	if up.EditorIDs != nil {
		i.EditorIDs = *up.EditorIDs
	}
	if up.CheckInOwnerIDs != nil {
		i.CheckInOwnerIDs = *up.CheckInOwnerIDs
	}
	if up.Parent != nil {
		i.Parent = *up.Parent
	}
	if i.Metric != nil {
		i.Metric.Current = i.Current
	}
	if err := i.Validate(); err != nil {
		return nil, err
	}
	if up.Parent != nil {
		if err := s.checkInitiativeParent(ctx, a, i); err != nil {
			return nil, err
		}
	}
	if err := s.checkPeople(ctx, a, i.OwnerIDs, i.EditorIDs, i.CheckInOwnerIDs); err != nil {
		return nil, err
	}
	i.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateInitiative(ctx, i); err != nil {
		return nil, err
	}
	return s.initiativeView(ctx, a, id)
}

// DeleteInitiative deletes an initiative and its check-ins.
func (s *Service) DeleteInitiative(ctx context.Context, org string, id int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if _, err := s.initiativeForChange(ctx, a, id, "delete this initiative"); err != nil {
		return err
	}
	return s.store.DeleteInitiative(ctx, a.org.ID, id)
}

// initiativeForChange loads an initiative that the user may change while its period is
// open.
func (s *Service) initiativeForChange(ctx context.Context, a *access, id int64, what string) (*Initiative, error) {
	i, err := s.store.InitiativeByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.canEditInitiative(ctx, a, i)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, forbidden(what)
	}
	pid, err := s.periodOfParent(ctx, a, i.Parent)
	if err != nil {
		return nil, err
	}
	if _, err := s.requireWritablePeriod(ctx, a, pid); err != nil {
		return nil, err
	}
	return i, nil
}
