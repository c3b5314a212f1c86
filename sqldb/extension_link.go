package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// CreateExtensionLinkCode stores a one-time code, by its hash, that links the Azure DevOps
// user azureID (shown as azureName) to whichever Cairn user confirms it before expiresAt.
// Codes that have expired are purged on the way.
func (db *DB) CreateExtensionLinkCode(ctx context.Context, codeHash, azureID, azureName string, expiresAt time.Time) error {
	if codeHash == "" {
		return cairn.FieldError("code", "code hash is required")
	}
	if strings.TrimSpace(azureID) == "" {
		return cairn.FieldError("azure_user_id", "the Azure DevOps user id is required")
	}
	return db.tx(ctx, "create extension link code", func(r runner) error {
		if _, err := r.exec(ctx, `DELETE FROM extension_link_codes WHERE expires_at < ?`, db.stamp()); err != nil {
			return err
		}
		_, err := r.exec(ctx, `INSERT INTO extension_link_codes (code_hash, azure_user_id, azure_user_name, expires_at)
			VALUES (?, ?, ?, ?)`, codeHash, azureID, azureName, clean(expiresAt))
		if kind, _ := violation(err); kind == violUnique {
			return cairn.Errorf(cairn.ECONFLICT, "the link code exists already")
		}
		return err
	})
}

// ExtensionLinkCode returns the Azure DevOps user id and name of an unexpired link code
// without using it up; ENOTFOUND when the code is unknown, used or expired at now.
func (db *DB) ExtensionLinkCode(ctx context.Context, codeHash string, now time.Time) (azureID, azureName string, err error) {
	err = db.read().queryRow(ctx, `SELECT azure_user_id, azure_user_name FROM extension_link_codes
		WHERE code_hash = ? AND expires_at >= ?`, codeHash, clean(now)).Scan(&azureID, &azureName)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", cairn.Errorf(cairn.ENOTFOUND, "the link code is unknown, used or expired")
	}
	if err != nil {
		return "", "", db.wrap("extension link code", err)
	}
	return azureID, azureName, nil
}

// ConsumeExtensionLinkCode deletes an unexpired link code and links its Azure DevOps user to
// the Cairn user userID, replacing any earlier link of that Azure DevOps user, in one
// transaction. It returns the Azure DevOps user id; ENOTFOUND when the code is unknown, used
// or expired at now, so that a code works once.
func (db *DB) ConsumeExtensionLinkCode(ctx context.Context, codeHash string, userID int64, now time.Time) (string, error) {
	var azureID string
	err := db.tx(ctx, "consume extension link code", func(r runner) error {
		err := r.queryRow(ctx, `DELETE FROM extension_link_codes WHERE code_hash = ? AND expires_at >= ?
			RETURNING azure_user_id`, codeHash, clean(now)).Scan(&azureID)
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.Errorf(cairn.ENOTFOUND, "the link code is unknown, used or expired")
		}
		if err != nil {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO extension_links (azure_user_id, user_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (azure_user_id) DO UPDATE SET user_id = excluded.user_id, created_at = excluded.created_at`,
			azureID, userID, db.stamp())
		if kind, _ := violation(err); kind == violForeign {
			return cairn.NotFound("user", userID)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return azureID, nil
}

// ExtensionLinkUserID returns the Cairn user linked to the Azure DevOps user azureID, or
// ENOTFOUND when none is.
func (db *DB) ExtensionLinkUserID(ctx context.Context, azureID string) (int64, error) {
	var id int64
	err := db.read().queryRow(ctx, `SELECT user_id FROM extension_links WHERE azure_user_id = ?`, azureID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cairn.Errorf(cairn.ENOTFOUND, "no Cairn account is linked to this Azure DevOps user")
	}
	if err != nil {
		return 0, db.wrap("extension link", err)
	}
	return id, nil
}

// DeleteExtensionLink removes the link of the Azure DevOps user azureID; removing a link
// that does not exist is not an error.
func (db *DB) DeleteExtensionLink(ctx context.Context, azureID string) error {
	_, err := db.write().exec(ctx, `DELETE FROM extension_links WHERE azure_user_id = ?`, azureID)
	return db.wrap("delete extension link", err)
}
