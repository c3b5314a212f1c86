package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// CreateAPIToken stores a personal API token by its hash.
func (db *DB) CreateAPIToken(ctx context.Context, t *cairn.APIToken) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Hash == "" {
		return cairn.FieldError("hash", "token hash is required")
	}
	if t.Name == "" {
		return cairn.FieldError("name", "name is required")
	}
	now := db.stamp()
	err := db.write().queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, t.UserID, t.Name, t.Hash, now).Scan(&t.ID)
	switch kind, _ := violation(err); kind {
	case violForeign:
		return cairn.NotFound("user", t.UserID)
	case violUnique:
		return cairn.Errorf(cairn.ECONFLICT, "the token exists already")
	}
	if err != nil {
		return db.wrap("create api token", err)
	}
	t.CreatedAt, t.LastUsedAt = now, nil
	return nil
}

// APITokenByHash returns the token with the hash.
func (db *DB) APITokenByHash(ctx context.Context, hash string) (*cairn.APIToken, error) {
	var t cairn.APIToken
	var used sql.NullTime
	err := db.read().queryRow(ctx, `SELECT id, user_id, name, token_hash, created_at, last_used_at
		FROM api_tokens WHERE token_hash = ?`, hash).
		Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.Errorf(cairn.ENOTFOUND, "API token not found")
	}
	if err != nil {
		return nil, db.wrap("api token by hash", err)
	}
	t.CreatedAt, t.LastUsedAt = t.CreatedAt.UTC(), timePtr(used)
	return &t, nil
}

// TouchAPIToken records when a token was last used.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	n, err := db.write().affected(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, clean(at), id)
	if err != nil {
		return db.wrap("touch api token", err)
	}
	if n == 0 {
		return cairn.NotFound("API token", id)
	}
	return nil
}

// ListAPITokens lists the user's tokens, newest first.
func (db *DB) ListAPITokens(ctx context.Context, userID int64) ([]*cairn.APIToken, error) {
	rows, err := db.read().query(ctx, `SELECT id, user_id, name, token_hash, created_at, last_used_at
		FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, db.wrap("list api tokens", err)
	}
	defer rows.Close()
	tokens := []*cairn.APIToken{}
	for rows.Next() {
		var t cairn.APIToken
		var used sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &used); err != nil {
			return nil, db.wrap("list api tokens", err)
		}
		t.CreatedAt, t.LastUsedAt = t.CreatedAt.UTC(), timePtr(used)
		tokens = append(tokens, &t)
	}
	return tokens, db.wrap("list api tokens", rows.Err())
}

// DeleteAPIToken revokes one of the user's tokens. The next request with it finds no row:
// tokens are looked up on every request and never cached.
func (db *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	n, err := db.write().affected(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return db.wrap("delete api token", err)
	}
	if n == 0 {
		return cairn.NotFound("API token", id)
	}
	return nil
}
