package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cairn-okr/cairn"
)

// CreateSession stores a session. A zero CreatedAt is set from the clock.
func (db *DB) CreateSession(ctx context.Context, s *cairn.Session) error {
	if s.IDHash == "" {
		return cairn.FieldError("id_hash", "session id hash is required")
	}
	if s.ExpiresAt.IsZero() {
		return cairn.FieldError("expires_at", "session expiry is required")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.stamp()
	}
	s.CreatedAt, s.ExpiresAt = clean(s.CreatedAt), clean(s.ExpiresAt)
	_, err := db.write().exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		s.IDHash, s.UserID, s.CreatedAt, s.ExpiresAt)
	switch kind, _ := violation(err); kind {
	case violForeign:
		return cairn.NotFound("user", s.UserID)
	case violUnique:
		return cairn.Errorf(cairn.ECONFLICT, "the session exists already")
	}
	return db.wrap("create session", err)
}

// SessionByHash returns the session with the id hash, or ENOTFOUND when it is missing or
// expired by the clock.
func (db *DB) SessionByHash(ctx context.Context, hash string) (*cairn.Session, error) {
	var s cairn.Session
	err := db.read().queryRow(ctx, `SELECT id_hash, user_id, created_at, expires_at FROM sessions
		WHERE id_hash = ? AND expires_at > ?`, hash, db.stamp()).
		Scan(&s.IDHash, &s.UserID, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.Errorf(cairn.ENOTFOUND, "session not found or expired")
	}
	if err != nil {
		return nil, db.wrap("session by hash", err)
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// DeleteSession removes a session; removing a missing one is not an error, so that signing
// out twice works.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.write().exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hash)
	return db.wrap("delete session", err)
}

// DeleteUserSessions ends every session of the user: signing out everywhere.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := db.write().exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return db.wrap("delete user sessions", err)
}

// DeleteExpiredSessions removes the sessions that expired by the clock and returns how many
// it removed.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	n, err := db.write().affected(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, db.stamp())
	return n, db.wrap("delete expired sessions", err)
}
