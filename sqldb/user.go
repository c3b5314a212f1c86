package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

const userColumns = `id, email, name, tenant_admin, password_hash, oidc_subject, unclaimed, created_at`

func scanUser(s interface{ Scan(...any) error }) (*cairn.User, error) {
	var u cairn.User
	var subject sql.NullString
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &u.TenantAdmin, &u.PasswordHash, &subject, &u.Unclaimed, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.OIDCSubject = subject.String
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

func userConflict(err error, u *cairn.User) error {
	if kind, col := violation(err); kind == violUnique {
		if col == "oidc_subject" {
			return &cairn.Error{Code: cairn.ECONFLICT, Field: "oidc_subject", Message: "another user has this sign-in identity"}
		}
		return &cairn.Error{Code: cairn.ECONFLICT, Field: "email", Message: "a user with email " + u.Email + " exists already"}
	}
	return err
}

func insertUser(ctx context.Context, r runner, u *cairn.User, now time.Time) error {
	err := r.queryRow(ctx, `INSERT INTO users (email, name, tenant_admin, password_hash, oidc_subject, unclaimed, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, u.TenantAdmin, u.PasswordHash, nullString(u.OIDCSubject), u.Unclaimed, now).Scan(&u.ID)
	if err != nil {
		return userConflict(err, u)
	}
	u.CreatedAt = now
	return nil
}

// CreateUser stores a new user; the email is lower-cased. It fails with ECONFLICT on a
// duplicate email or sign-in subject.
func (db *DB) CreateUser(ctx context.Context, u *cairn.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return db.wrap("create user", insertUser(ctx, db.write(), u, db.stamp()))
}

func (db *DB) userBy(ctx context.Context, op, where string, arg any) (*cairn.User, error) {
	u, err := scanUser(db.read().queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("user", arg)
	}
	if err != nil {
		return nil, db.wrap(op, err)
	}
	return u, nil
}

// UserByID returns a user by id.
func (db *DB) UserByID(ctx context.Context, id int64) (*cairn.User, error) {
	return db.userBy(ctx, "user by id", `id = ?`, id)
}

// UserByEmail returns a user by email, compared without regard to case.
func (db *DB) UserByEmail(ctx context.Context, email string) (*cairn.User, error) {
	return db.userBy(ctx, "user by email", `email = ?`, normEmail(email))
}

// UserByOIDCSubject returns the user who signs in with the OpenID Connect subject.
func (db *DB) UserByOIDCSubject(ctx context.Context, subject string) (*cairn.User, error) {
	if subject == "" {
		return nil, cairn.NotFound("user with subject", `""`)
	}
	return db.userBy(ctx, "user by subject", `oidc_subject = ?`, subject)
}

// UpdateUser stores a user's email, name, admin flag, password hash, sign-in subject and
// unclaimed mark.
func (db *DB) UpdateUser(ctx context.Context, u *cairn.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	n, err := db.write().affected(ctx, `UPDATE users SET email = ?, name = ?, tenant_admin = ?,
		password_hash = ?, oidc_subject = ?, unclaimed = ? WHERE id = ?`,
		u.Email, u.Name, u.TenantAdmin, u.PasswordHash, nullString(u.OIDCSubject), u.Unclaimed, u.ID)
	if err != nil {
		return db.wrap("update user", userConflict(err, u))
	}
	if n == 0 {
		return cairn.NotFound("user", u.ID)
	}
	return nil
}

// ChangePassword sets the user's password hash and deletes every session of the user in the
// same transaction.
func (db *DB) ChangePassword(ctx context.Context, userID int64, hash string) error {
	if hash == "" {
		return cairn.FieldError("password_hash", "password hash is required")
	}
	return db.tx(ctx, "change password", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("user", userID)
		}
		_, err = r.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	})
}

// ListUsers lists every user by email.
func (db *DB) ListUsers(ctx context.Context) ([]*cairn.User, error) {
	rows, err := db.read().query(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, db.wrap("list users", err)
	}
	defer rows.Close()
	users := []*cairn.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, db.wrap("list users", err)
		}
		users = append(users, u)
	}
	return users, db.wrap("list users", rows.Err())
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// UnclaimedUsersByName lists the unclaimed users named name, compared without regard to case
// and surrounding spaces, oldest first.
func (db *DB) UnclaimedUsersByName(ctx context.Context, name string) ([]*cairn.User, error) {
	name = strings.TrimSpace(name)
	// lower() in SQLite folds ASCII only, so the database narrows by ASCII case and Go
	// compares the rest.
	rows, err := db.read().query(ctx, `SELECT `+userColumns+` FROM users WHERE unclaimed = ? AND lower(trim(name)) = lower(?)
		ORDER BY id`, true, name)
	if err != nil {
		return nil, db.wrap("unclaimed users by name", err)
	}
	defer rows.Close()
	users := []*cairn.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, db.wrap("unclaimed users by name", err)
		}
		if strings.EqualFold(strings.TrimSpace(u.Name), name) {
			users = append(users, u)
		}
	}
	return users, db.wrap("unclaimed users by name", rows.Err())
}

// MergeUsers merges unclaimed users into an account, creating it first when its id is 0, in
// one transaction. The account keeps its own role in an organization both belong to.
func (db *DB) MergeUsers(ctx context.Context, into *cairn.User, from []int64) error {
	if into.Unclaimed {
		return cairn.FieldError("user_id", "users are merged into a real account, not an unclaimed one")
	}
	if into.ID == 0 {
		if err := into.Validate(); err != nil {
			return err
		}
	}
	now := db.stamp()
	return db.tx(ctx, "merge users", func(r runner) error {
		if into.ID == 0 {
			if err := insertUser(ctx, r, into, now); err != nil {
				return err
			}
		} else if ok, err := r.exists(ctx, `SELECT 1 FROM users WHERE id = ?`, into.ID); err != nil || !ok {
			return notFoundOr(err, "user", into.ID)
		}
		for _, id := range from {
			if err := mergeUser(ctx, r, into.ID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeUser moves everything of the unclaimed user from to the user into and deletes from.
func mergeUser(ctx context.Context, r runner, into, from int64) error {
	if from == into {
		return cairn.FieldError("user_id", "user %d cannot be merged into itself", from)
	}
	var unclaimed bool
	err := r.queryRow(ctx, `SELECT unclaimed FROM users WHERE id = ?`, from).Scan(&unclaimed)
	if errors.Is(err, sql.ErrNoRows) {
		return cairn.NotFound("user", from)
	}
	if err != nil {
		return err
	}
	if !unclaimed {
		return cairn.Errorf(cairn.ECONFLICT, "user %d has an account of its own and cannot be merged", from)
	}
	for _, q := range []string{
		// Rows keyed by the user: move those the account lacks; the rest go with the user.
		`UPDATE memberships SET user_id = ? WHERE user_id = ?
			AND org_id NOT IN (SELECT org_id FROM memberships WHERE user_id = ?)`,
		`UPDATE team_members SET user_id = ? WHERE user_id = ?
			AND team_id NOT IN (SELECT team_id FROM team_members WHERE user_id = ?)`,
		`UPDATE key_result_owners SET user_id = ? WHERE user_id = ?
			AND key_result_id NOT IN (SELECT key_result_id FROM key_result_owners WHERE user_id = ?)`,
		`UPDATE initiative_owners SET user_id = ? WHERE user_id = ?
			AND initiative_id NOT IN (SELECT initiative_id FROM initiative_owners WHERE user_id = ?)`,
	} {
		if _, err := r.exec(ctx, q, into, from, into); err != nil {
			return err
		}
	}
	for _, t := range []struct{ table, col string }{
		{"objective_people", "objective_id"}, {"key_result_people", "key_result_id"}, {"initiative_people", "initiative_id"},
	} {
		_, err = r.exec(ctx, `UPDATE `+t.table+` SET user_id = ? WHERE user_id = ? AND NOT EXISTS (
			SELECT 1 FROM `+t.table+` q WHERE q.`+t.col+` = `+t.table+`.`+t.col+`
				AND q.role = `+t.table+`.role AND q.user_id = ?)`, into, from, into)
		if err != nil {
			return err
		}
	}
	_, err = r.exec(ctx, `UPDATE comment_mentions SET user_id = ? WHERE user_id = ?
		AND comment_id NOT IN (SELECT comment_id FROM comment_mentions WHERE user_id = ?)`, into, from, into)
	if err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE check_ins SET author_id = ? WHERE author_id = ?`,
		`UPDATE item_comments SET author_id = ? WHERE author_id = ?`,
		`UPDATE audit_events SET actor_id = ? WHERE actor_id = ?`,
		`UPDATE azdo_connections SET owner_id = ? WHERE owner_id = ?`,
		`UPDATE azdo_data_sources SET created_by = ? WHERE created_by = ?`,
		`UPDATE viva_mappings SET cairn_id = ? WHERE kind = 'person' AND cairn_id = ?`,
	} {
		if _, err := r.exec(ctx, q, into, from); err != nil {
			return err
		}
	}
	_, err = r.exec(ctx, `DELETE FROM users WHERE id = ?`, from)
	return err
}
