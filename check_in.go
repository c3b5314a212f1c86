package cairn

import "context"

// CheckIn records a manual check-in on a key result or initiative the user may edit or is a
// check-in owner of, while its period is open. For a manual initiative or one measured by
// tasks, the value is a percentage from 0 to 100. The first check-in of a key result whose
// baseline is pending sets its start as well; it must lie short of the target.
func (s *Service) CheckIn(ctx context.Context, org string, c *CheckIn) error {
	return s.checkIn(ctx, org, c, false)
}

func (s *Service) checkIn(ctx context.Context, org string, c *CheckIn, pause bool) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireWriter("check in"); err != nil {
		return err
	}
	c.ID, c.OrgID, c.Source = 0, a.org.ID, CheckInManual
	uid := a.user.ID
	c.AuthorID = &uid
	if err := c.Validate(); err != nil {
		return err
	}
	var periodID int64
	switch c.Item.Type {
	case ItemKeyResult:
		k, err := s.store.KeyResultByID(ctx, a.org.ID, c.Item.ID)
		if err != nil {
			return err
		}
		if err := s.checkInAllowed(ctx, a, pause, "key result",
			func() (bool, error) { return s.canCheckInKeyResult(ctx, a, k) },
			func() (bool, error) { return s.canEditKeyResult(ctx, a, k) }); err != nil {
			return err
		}
		if k.ProgressSource == SourceRollUp {
			return Errorf(ECONFLICT, "key result %d rolls up from its children and takes no check-ins", k.ID)
		}
		if err := k.Metric.checkBaseline(c.Value); err != nil {
			return err
		}
		o, err := s.store.ObjectiveByID(ctx, a.org.ID, k.ObjectiveID)
		if err != nil {
			return err
		}
		periodID = o.PeriodID
	case ItemInitiative:
		i, err := s.store.InitiativeByID(ctx, a.org.ID, c.Item.ID)
		if err != nil {
			return err
		}
		if err := s.checkInAllowed(ctx, a, pause, "initiative",
			func() (bool, error) { return s.canCheckInInitiative(ctx, a, i) },
			func() (bool, error) { return s.canEditInitiative(ctx, a, i) }); err != nil {
			return err
		}
		if i.ProgressMode != ModeMetric && (c.Value < 0 || c.Value > 100) {
			return FieldError("value", "a %s initiative checks in a percentage from 0 to 100", i.ProgressMode)
		}
		if periodID, err = s.periodOfParent(ctx, a, i.Parent); err != nil {
			return err
		}
	default:
		return FieldError("item.type", "check-ins are for key results and initiatives, not %q", c.Item.Type)
	}
	if _, err := s.requireWritablePeriod(ctx, a, periodID); err != nil {
		return err
	}
	c.CreatedAt = s.now().UTC()
	if pause {
		is, err := s.integrationStore()
		if err != nil {
			return err
		}
		return is.CheckInAndPause(ctx, c, true)
	}
	return s.store.AddCheckIn(ctx, c)
}

// checkInAllowed refuses a check-in the user may not make. Pausing the item's data source
// with it changes the data source, which takes the right to edit the item: a check-in owner
// may only override the value until the next sync.
func (s *Service) checkInAllowed(ctx context.Context, a *access, pause bool, kind string, checkIn, edit func() (bool, error)) error {
	ok, err := checkIn()
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(EFORBIDDEN, "you may not check in on this %s: only its owners, its editors, its check-in owners and organization admins may", kind)
	}
	if !pause {
		return nil
	}
	if ok, err = edit(); err != nil {
		return err
	}
	if !ok {
		return Errorf(EFORBIDDEN, "you may check in on this %s but not pause its automatic updates: only its owners, its editors and organization admins may", kind)
	}
	return nil
}

// CheckInByID returns one check-in of the organization.
func (s *Service) CheckInByID(ctx context.Context, org string, id int64) (*CheckIn, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.CheckInByID(ctx, a.org.ID, id)
}

// ListCheckIns lists an item's check-ins, newest first.
func (s *Service) ListCheckIns(ctx context.Context, org string, item Ref, limit int) ([]*CheckIn, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	switch item.Type {
	case ItemKeyResult:
		_, err = s.store.KeyResultByID(ctx, a.org.ID, item.ID)
	case ItemInitiative:
		_, err = s.store.InitiativeByID(ctx, a.org.ID, item.ID)
	default:
		err = FieldError("item.type", "check-ins are for key results and initiatives")
	}
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return s.store.ListCheckIns(ctx, a.org.ID, item, limit)
}

// checkBaseline refuses a value that cannot be the baseline of a metric whose baseline is
// pending: one at or past the target, which would leave no way to go.
func (m *Metric) checkBaseline(v float64) error {
	if !m.BaselinePending {
		return nil
	}
	switch {
	case m.Goal == GoalIncrease && v >= m.Target:
		return FieldError("value", "this first check-in measures the baseline, which must be below the target %g for a metric that should increase", m.Target)
	case m.Goal == GoalDecrease && v <= m.Target:
		return FieldError("value", "this first check-in measures the baseline, which must be above the target %g for a metric that should decrease", m.Target)
	}
	return nil
}

// ItemCheckIns returns the check-ins of each key result and initiative of refs, newest
// first, at most limit (1 to 1000) each, checking access once: what an export of many
// items reads. Objectives, which take no check-ins, are left out.
func (s *Service) ItemCheckIns(ctx context.Context, org string, refs []Ref, limit int) (map[Ref][]*CheckIn, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := make(map[Ref][]*CheckIn, len(refs))
	for _, r := range refs {
		if r.Type != ItemKeyResult && r.Type != ItemInitiative {
			continue
		}
		cs, err := s.store.ListCheckIns(ctx, a.org.ID, r, limit)
		if err != nil {
			return nil, err
		}
		out[r] = cs
	}
	return out, nil
}
