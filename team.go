package cairn

import "context"

// ListTeams lists the organization's teams.
func (s *Service) ListTeams(ctx context.Context, org string) ([]*Team, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.ListTeams(ctx, a.org.ID)
}

// Team returns one team.
func (s *Service) Team(ctx context.Context, org string, id int64) (*Team, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.TeamByID(ctx, a.org.ID, id)
}

// CreateTeam creates a team; organization admins may.
func (s *Service) CreateTeam(ctx context.Context, org string, t *Team) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("create teams"); err != nil {
		return err
	}
	t.OrgID = a.org.ID
	if err := t.Validate(); err != nil {
		return err
	}
	if err := s.checkMembers(ctx, a, "member_ids", t.MemberIDs); err != nil {
		return err
	}
	t.CreatedAt = s.now().UTC()
	return s.store.CreateTeam(ctx, t)
}

// TeamUpdate is a partial update of a team.
type TeamUpdate struct {
	Name      *string  `json:"name"`
	MemberIDs *[]int64 `json:"member_ids"`
}

// UpdateTeam changes a team; organization admins may.
func (s *Service) UpdateTeam(ctx context.Context, org string, id int64, up TeamUpdate) (*Team, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("change teams"); err != nil {
		return nil, err
	}
	t, err := s.store.TeamByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	if up.Name != nil {
		t.Name = *up.Name
	}
	if up.MemberIDs != nil {
		t.MemberIDs = *up.MemberIDs
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkMembers(ctx, a, "member_ids", t.MemberIDs); err != nil {
		return nil, err
	}
	return t, s.store.UpdateTeam(ctx, t)
}

// DeleteTeam deletes a team; organization admins may.
func (s *Service) DeleteTeam(ctx context.Context, org string, id int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("delete teams"); err != nil {
		return err
	}
	if _, err := s.store.TeamByID(ctx, a.org.ID, id); err != nil {
		return err
	}
	return s.store.DeleteTeam(ctx, a.org.ID, id)
}

// checkPeople checks that the owners, editors and check-in owners of a key result or an
// initiative are members of the organization.
func (s *Service) checkPeople(ctx context.Context, a *access, owners, editors, checkInOwners []int64) error {
	if err := s.checkMembers(ctx, a, "owner_ids", owners); err != nil {
		return err
	}
	if err := s.checkMembers(ctx, a, "editor_ids", editors); err != nil {
		return err
	}
	return s.checkMembers(ctx, a, "checkin_owner_ids", checkInOwners)
}

// checkMembers makes sure every id is a member of the organization.
func (s *Service) checkMembers(ctx context.Context, a *access, field string, ids []int64) error {
	if err := validIDs(field, ids); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.store.Membership(ctx, a.org.ID, id); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return FieldError(field, "user %d is not a member of this organization", id)
			}
			return err
		}
	}
	return nil
}
