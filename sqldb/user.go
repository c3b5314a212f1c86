package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

const userColumns = `id, email, name, tenant_admin, password_hash, oidc_subject, created_at`

func scanUser(s interface{ Scan(...any) error }) (*cairn.User, error) {
	var u cairn.User
	var subject sql.NullString
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &u.TenantAdmin, &u.PasswordHash, &subject, &u.CreatedAt); err != nil {
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
	err := r.queryRow(ctx, `INSERT INTO users (email, name, tenant_admin, password_hash, oidc_subject, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, u.TenantAdmin, u.PasswordHash, nullString(u.OIDCSubject), now).Scan(&u.ID)
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

// UpdateUser stores a user's email, name, admin flag, password hash and sign-in subject.
func (db *DB) UpdateUser(ctx context.Context, u *cairn.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	n, err := db.write().affected(ctx, `UPDATE users SET email = ?, name = ?, tenant_admin = ?,
		password_hash = ?, oidc_subject = ? WHERE id = ?`,
		u.Email, u.Name, u.TenantAdmin, u.PasswordHash, nullString(u.OIDCSubject), u.ID)
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
