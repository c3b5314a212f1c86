package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cairn-okr/cairn"
)

// SignInThrottle returns the failed sign-ins of an account or address, or ENOTFOUND.
func (db *DB) SignInThrottle(ctx context.Context, scope cairn.ThrottleScope, subject string) (*cairn.SignInThrottle, error) {
	t := cairn.SignInThrottle{Scope: scope, Subject: subject}
	err := db.read().queryRow(ctx, `SELECT failures, last_failure_at, retry_at, locked FROM sign_in_throttles
		WHERE scope = ? AND subject = ?`, string(scope), subject).
		Scan(&t.Failures, &t.LastFailureAt, &t.RetryAt, &t.Locked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.Errorf(cairn.ENOTFOUND, "no failed sign-ins for this %s", scope)
	}
	if err != nil {
		return nil, db.wrap("sign-in throttle", err)
	}
	t.LastFailureAt, t.RetryAt = t.LastFailureAt.UTC(), t.RetryAt.UTC()
	return &t, nil
}

// SaveSignInThrottle inserts t when prev is nil, and otherwise updates the record only while
// it still holds prev's count and last failure. Either way a record changed meanwhile is
// ECONFLICT, for the caller to read again.
func (db *DB) SaveSignInThrottle(ctx context.Context, t, prev *cairn.SignInThrottle) error {
	if t.Scope != cairn.ThrottleAccount && t.Scope != cairn.ThrottleAddress {
		return cairn.FieldError("scope", "scope must be account or address, not %q", t.Scope)
	}
	if t.Subject == "" {
		return cairn.FieldError("subject", "subject is required")
	}
	if t.Failures < 0 {
		return cairn.FieldError("failures", "failures must not be negative")
	}
	if prev != nil && (prev.Scope != t.Scope || prev.Subject != t.Subject) {
		return cairn.Errorf(cairn.EINVALID, "the previous record is of another scope or subject")
	}
	t.LastFailureAt, t.RetryAt = clean(t.LastFailureAt), clean(t.RetryAt)
	var n int64
	var err error
	if prev == nil {
		n, err = db.write().affected(ctx, `INSERT INTO sign_in_throttles (scope, subject, failures, last_failure_at, retry_at, locked)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, subject) DO NOTHING`,
			string(t.Scope), t.Subject, t.Failures, t.LastFailureAt, t.RetryAt, t.Locked)
	} else {
		n, err = db.write().affected(ctx, `UPDATE sign_in_throttles SET failures = ?, last_failure_at = ?, retry_at = ?, locked = ?
			WHERE scope = ? AND subject = ? AND failures = ? AND last_failure_at = ?`,
			t.Failures, t.LastFailureAt, t.RetryAt, t.Locked, string(t.Scope), t.Subject, prev.Failures, clean(prev.LastFailureAt))
	}
	if err != nil {
		return db.wrap("save sign-in throttle", err)
	}
	if n == 0 {
		return cairn.Errorf(cairn.ECONFLICT, "the failed sign-ins of this %s changed meanwhile", t.Scope)
	}
	return nil
}

// DeleteSignInThrottle forgets the failed sign-ins of an account or address.
func (db *DB) DeleteSignInThrottle(ctx context.Context, scope cairn.ThrottleScope, subject string) error {
	_, err := db.write().exec(ctx, `DELETE FROM sign_in_throttles WHERE scope = ? AND subject = ?`, string(scope), subject)
	return db.wrap("delete sign-in throttle", err)
}

// DeleteStaleSignInThrottles removes the records whose last failure and retry time are both
// before the time.
func (db *DB) DeleteStaleSignInThrottles(ctx context.Context, before time.Time) (int64, error) {
	before = clean(before)
	n, err := db.write().affected(ctx, `DELETE FROM sign_in_throttles WHERE last_failure_at < ? AND retry_at < ?`, before, before)
	return n, db.wrap("delete stale sign-in throttles", err)
}
