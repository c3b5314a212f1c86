package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cairn-okr/cairn"
)

// memberSelect reads members with the end of any sign-in lock on their email that is still
// in force at the time given as its first argument.
const memberSelect = `SELECT m.org_id, m.user_id, u.email, u.name, m.role, m.created_at, t.retry_at, u.unclaimed
	FROM memberships m JOIN users u ON u.id = m.user_id
	LEFT JOIN sign_in_throttles t ON t.scope = 'account' AND t.subject = u.email AND t.locked AND t.retry_at > ?`

func scanMember(s interface{ Scan(...any) error }) (*cairn.Member, error) {
	var m cairn.Member
	if err := s.Scan(&m.OrgID, &m.UserID, &m.Email, &m.Name, &m.Role, &m.CreatedAt, optTime{&m.LockedUntil}, &m.Unclaimed); err != nil {
		return nil, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return &m, nil
}

// Membership returns a user's membership in an organization, or ENOTFOUND.
func (db *DB) Membership(ctx context.Context, orgID, userID int64) (*cairn.Member, error) {
	m, err := scanMember(db.read().queryRow(ctx, memberSelect+` WHERE m.org_id = ? AND m.user_id = ?`, db.stamp(), orgID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.Errorf(cairn.ENOTFOUND, "user %d is not a member of organization %d", userID, orgID)
	}
	if err != nil {
		return nil, db.wrap("membership", err)
	}
	return m, nil
}

// ListMembers lists an organization's members by email.
func (db *DB) ListMembers(ctx context.Context, orgID int64) ([]*cairn.Member, error) {
	members, err := listMembers(ctx, db.read(), orgID, db.stamp())
	if err != nil {
		return nil, db.wrap("list members", err)
	}
	return members, nil
}

func listMembers(ctx context.Context, r runner, orgID int64, now time.Time) ([]*cairn.Member, error) {
	rows, err := r.query(ctx, memberSelect+` WHERE m.org_id = ? ORDER BY u.email`, now, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	members := []*cairn.Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		members = append(members, m)
	}
	return members, rows.Err()
}

func validRole(r cairn.Role) error {
	if !r.Valid() {
		return cairn.FieldError("role", "role must be admin, member or viewer, not %q", r)
	}
	return nil
}

// AddMember adds a user to an organization and fills in the member's email and name. It
// fails with ECONFLICT when the user is a member already.
func (db *DB) AddMember(ctx context.Context, m *cairn.Member) error {
	if err := validRole(m.Role); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "add member", func(r runner) error {
		if ok, err := r.exists(ctx, `SELECT 1 FROM orgs WHERE id = ?`, m.OrgID); err != nil || !ok {
			return notFoundOr(err, "organization", m.OrgID)
		}
		err := r.queryRow(ctx, `SELECT email, name FROM users WHERE id = ?`, m.UserID).Scan(&m.Email, &m.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("user", m.UserID)
		}
		if err != nil {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
			m.OrgID, m.UserID, m.Role, now)
		if kind, _ := violation(err); kind == violUnique {
			return cairn.Errorf(cairn.ECONFLICT, "user %d is a member of organization %d already", m.UserID, m.OrgID)
		}
		if err != nil {
			return err
		}
		m.CreatedAt = now
		return nil
	})
}

// UpdateMember changes a member's role.
func (db *DB) UpdateMember(ctx context.Context, m *cairn.Member) error {
	if err := validRole(m.Role); err != nil {
		return err
	}
	n, err := db.write().affected(ctx, `UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`,
		m.Role, m.OrgID, m.UserID)
	if err != nil {
		return db.wrap("update member", err)
	}
	if n == 0 {
		return cairn.Errorf(cairn.ENOTFOUND, "user %d is not a member of organization %d", m.UserID, m.OrgID)
	}
	return nil
}

// RemoveMember removes a user from an organization and from its teams.
func (db *DB) RemoveMember(ctx context.Context, orgID, userID int64) error {
	return db.tx(ctx, "remove member", func(r runner) error {
		n, err := r.affected(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.Errorf(cairn.ENOTFOUND, "user %d is not a member of organization %d", userID, orgID)
		}
		_, err = r.exec(ctx, `DELETE FROM team_members WHERE user_id = ? AND team_id IN (SELECT id FROM teams WHERE org_id = ?)`,
			userID, orgID)
		return err
	})
}

// notFoundOr returns err when it is set, else ENOTFOUND for the kind and id.
func notFoundOr(err error, kind string, id any) error {
	if err != nil {
		return err
	}
	return cairn.NotFound(kind, id)
}
