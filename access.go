package cairn

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// access is what the signed-in user may do in one organization.
type access struct {
	org  *Org
	user *User
	role Role
}

func (a *access) isAdmin() bool  { return a.role == RoleAdmin }
func (a *access) canWrite() bool { return a.role == RoleAdmin || a.role == RoleMember }

func (a *access) requireAdmin(what string) error {
	if !a.isAdmin() {
		return Errorf(EFORBIDDEN, "only an organization admin may %s", what)
	}
	return nil
}

func (a *access) requireWriter(what string) error {
	if !a.canWrite() {
		return Errorf(EFORBIDDEN, "viewers may not %s", what)
	}
	return nil
}

// defaultOwners returns owners when the request named them, and otherwise the caller, as the
// one owner of what they create. A tenant admin who is not a member of the organization
// cannot own its items, so they must name the owners.
func (s *Service) defaultOwners(ctx context.Context, a *access, owners []int64) ([]int64, error) {
	if owners != nil {
		return owners, nil
	}
	if _, err := s.store.Membership(ctx, a.org.ID, a.user.ID); err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, FieldError("owner_ids", "you are not a member of %s, so you cannot own its items: name at least one owner in owner_ids", a.org.Name)
		}
		return nil, err
	}
	return []int64{a.user.ID}, nil
}

// currentUser returns the signed-in user or EUNAUTHORIZED.
func currentUser(ctx context.Context) (*User, error) {
	u := UserFromContext(ctx)
	if u == nil {
		return nil, Errorf(EUNAUTHORIZED, "sign in first")
	}
	return u, nil
}

// access resolves an organization reference (id or slug) for the signed-in user. An
// organization the user does not belong to is reported as not found, so that its existence
// does not leak.
func (s *Service) access(ctx context.Context, ref string) (*access, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	ref = strings.TrimSpace(ref)
	var org *Org
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		org, err = s.store.OrgByID(ctx, id)
	} else {
		org, err = s.store.OrgBySlug(ctx, strings.ToLower(ref))
	}
	if ErrorCode(err) == ENOTFOUND {
		return nil, NotFound("organization", ref)
	}
	if err != nil {
		return nil, err
	}
	if u.TenantAdmin {
		return &access{org: org, user: u, role: RoleAdmin}, nil
	}
	m, err := s.store.Membership(ctx, org.ID, u.ID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, NotFound("organization", ref)
	}
	if err != nil {
		return nil, err
	}
	return &access{org: org, user: u, role: m.Role}, nil
}

// canEditObjective reports whether the user may edit the objective and what hangs below it.
func (a *access) canEditObjective(o *Objective) bool {
	if a.isAdmin() {
		return true
	}
	if a.role != RoleMember {
		return false
	}
	return slices.Contains(o.OwnerIDs, a.user.ID) || slices.Contains(o.EditorIDs, a.user.ID)
}

// canEditKeyResult: admins, the key result's owners and editors, and the owners and editors
// of its objective.
func (s *Service) canEditKeyResult(ctx context.Context, a *access, k *KeyResult) (bool, error) {
	if a.isAdmin() {
		return true, nil
	}
	if a.role != RoleMember {
		return false, nil
	}
	if slices.Contains(k.OwnerIDs, a.user.ID) || slices.Contains(k.EditorIDs, a.user.ID) {
		return true, nil
	}
	o, err := s.store.ObjectiveByID(ctx, a.org.ID, k.ObjectiveID)
	if err != nil {
		return false, err
	}
	return a.canEditObjective(o), nil
}

// canCheckInKeyResult: whoever may edit the key result, and its check-in owners, who may
// check in on it and change nothing else.
func (s *Service) canCheckInKeyResult(ctx context.Context, a *access, k *KeyResult) (bool, error) {
	if a.role == RoleMember && slices.Contains(k.CheckInOwnerIDs, a.user.ID) {
		return true, nil
	}
	return s.canEditKeyResult(ctx, a, k)
}

// canEditInitiative: admins, the initiative's owners and editors, and the editors of its
// parent.
func (s *Service) canEditInitiative(ctx context.Context, a *access, i *Initiative) (bool, error) {
	if a.isAdmin() {
		return true, nil
	}
	if a.role != RoleMember {
		return false, nil
	}
	if slices.Contains(i.OwnerIDs, a.user.ID) || slices.Contains(i.EditorIDs, a.user.ID) {
		return true, nil
	}
	return s.canEditParent(ctx, a, i.Parent)
}

// canCheckInInitiative: whoever may edit the initiative, and its check-in owners.
func (s *Service) canCheckInInitiative(ctx context.Context, a *access, i *Initiative) (bool, error) {
	if a.role == RoleMember && slices.Contains(i.CheckInOwnerIDs, a.user.ID) {
		return true, nil
	}
	return s.canEditInitiative(ctx, a, i)
}

// canEditParent reports whether the user may add or change children of the item.
func (s *Service) canEditParent(ctx context.Context, a *access, ref Ref) (bool, error) {
	switch ref.Type {
	case ItemObjective:
		o, err := s.store.ObjectiveByID(ctx, a.org.ID, ref.ID)
		if err != nil {
			return false, err
		}
		return a.canEditObjective(o), nil
	case ItemKeyResult:
		k, err := s.store.KeyResultByID(ctx, a.org.ID, ref.ID)
		if err != nil {
			return false, err
		}
		return s.canEditKeyResult(ctx, a, k)
	}
	return false, FieldError("parent.type", "unknown parent type %q", ref.Type)
}

func forbidden(what string) error {
	return Errorf(EFORBIDDEN, "you may not %s: only its owners, its editors and organization admins may", what)
}

// ItemAccess is what the signed-in user may do with one item, for pages that offer only
// what will be allowed. The service checks again on every change.
type ItemAccess struct {
	// Edit is changing or deleting the item, and adding items under it.
	Edit bool `json:"edit"`
	// CheckIn is checking in on a key result or initiative.
	CheckIn bool `json:"check_in"`
	// Comment is commenting on it and its check-ins.
	Comment bool `json:"comment"`
}

// ItemAccess returns what the signed-in user may do with an objective, key result or
// initiative, whatever the state of its period.
func (s *Service) ItemAccess(ctx context.Context, org string, ref Ref) (*ItemAccess, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	out := &ItemAccess{Comment: a.canWrite()}
	switch ref.Type {
	case ItemObjective:
		o, err := s.store.ObjectiveByID(ctx, a.org.ID, ref.ID)
		if err != nil {
			return nil, err
		}
		out.Edit = a.canEditObjective(o)
	case ItemKeyResult:
		k, err := s.store.KeyResultByID(ctx, a.org.ID, ref.ID)
		if err != nil {
			return nil, err
		}
		if out.Edit, err = s.canEditKeyResult(ctx, a, k); err != nil {
			return nil, err
		}
		if out.CheckIn, err = s.canCheckInKeyResult(ctx, a, k); err != nil {
			return nil, err
		}
	case ItemInitiative:
		i, err := s.store.InitiativeByID(ctx, a.org.ID, ref.ID)
		if err != nil {
			return nil, err
		}
		if out.Edit, err = s.canEditInitiative(ctx, a, i); err != nil {
			return nil, err
		}
		if out.CheckIn, err = s.canCheckInInitiative(ctx, a, i); err != nil {
			return nil, err
		}
	default:
		return nil, FieldError("item.type", "item type must be objective, key_result or initiative, not %q", ref.Type)
	}
	return out, nil
}
