package cairn

import (
	"context"
	"strings"
)

// ListMembers lists the organization's members.
func (s *Service) ListMembers(ctx context.Context, org string) ([]*Member, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.ListMembers(ctx, a.org.ID)
}

// Member returns one member by user id.
func (s *Service) Member(ctx context.Context, org string, userID int64) (*Member, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.Membership(ctx, a.org.ID, userID)
}

// NewMember is the input that adds a person to an organization. A user with that email is
// created when none exists; with a password the user can sign in locally at once.
type NewMember struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Password string `json:"password"`
}

// AddMember adds a person to the organization; organization admins may.
func (s *Service) AddMember(ctx context.Context, org string, in NewMember) (*Member, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("add members"); err != nil {
		return nil, err
	}
	if in.Role == "" {
		in.Role = RoleMember
	}
	if !in.Role.Valid() {
		return nil, FieldError("role", "role must be admin, member or viewer, not %q", in.Role)
	}
	u := &User{Email: in.Email, Name: in.Name}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	existing, err := s.store.UserByEmail(ctx, u.Email)
	switch {
	case err == nil:
		u = existing
	case ErrorCode(err) == ENOTFOUND:
		if in.Password != "" {
			if s.hashPassword == nil {
				return nil, Errorf(ENOTIMPLEMENTED, "local passwords are not configured")
			}
			h, err := s.hashPassword(in.Password)
			if err != nil {
				return nil, FieldError("password", "%s", strings.TrimPrefix(err.Error(), "auth: "))
			}
			u.PasswordHash = h
		}
		if u.Name == "" {
			u.Name = u.Email
		}
		u.CreatedAt = s.now().UTC()
		if err := s.store.CreateUser(ctx, u); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	m := &Member{OrgID: a.org.ID, UserID: u.ID, Email: u.Email, Name: u.Name, Role: in.Role, CreatedAt: s.now().UTC()}
	if err := s.store.AddMember(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// MemberUpdate changes a member's role.
type MemberUpdate struct {
	Role *Role `json:"role"`
}

// UpdateMember changes a member's role; organization admins may. The last admin cannot be
// demoted, so that an organization always has one.
func (s *Service) UpdateMember(ctx context.Context, org string, userID int64, up MemberUpdate) (*Member, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("change roles"); err != nil {
		return nil, err
	}
	m, err := s.store.Membership(ctx, a.org.ID, userID)
	if err != nil {
		return nil, err
	}
	if up.Role == nil {
		return m, nil
	}
	if !up.Role.Valid() {
		return nil, FieldError("role", "role must be admin, member or viewer, not %q", *up.Role)
	}
	if m.Role == RoleAdmin && *up.Role != RoleAdmin {
		if err := s.keepOneAdmin(ctx, a.org.ID); err != nil {
			return nil, err
		}
	}
	m.Role = *up.Role
	return m, s.store.UpdateMember(ctx, m)
}

// RemoveMember removes a person from the organization; organization admins may.
func (s *Service) RemoveMember(ctx context.Context, org string, userID int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("remove members"); err != nil {
		return err
	}
	m, err := s.store.Membership(ctx, a.org.ID, userID)
	if err != nil {
		return err
	}
	if m.Role == RoleAdmin {
		if err := s.keepOneAdmin(ctx, a.org.ID); err != nil {
			return err
		}
	}
	return s.store.RemoveMember(ctx, a.org.ID, userID)
}

// UnlockMember clears the sign-in failures of a member's email, lifting a lock at once;
// organization admins may, and so tenant admins for the members of every organization.
func (s *Service) UnlockMember(ctx context.Context, org string, userID int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("unlock members' sign-in"); err != nil {
		return err
	}
	m, err := s.store.Membership(ctx, a.org.ID, userID)
	if err != nil {
		return err
	}
	return s.store.DeleteSignInThrottle(ctx, ThrottleAccount, AccountSubject(m.Email))
}

func (s *Service) keepOneAdmin(ctx context.Context, orgID int64) error {
	ms, err := s.store.ListMembers(ctx, orgID)
	if err != nil {
		return err
	}
	admins := 0
	for _, m := range ms {
		if m.Role == RoleAdmin {
			admins++
		}
	}
	if admins <= 1 {
		return Errorf(ECONFLICT, "an organization needs at least one admin")
	}
	return nil
}
