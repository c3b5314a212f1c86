package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cairn-okr/cairn"
)

// Tenant returns the installation's tenant, or ENOTFOUND before first start.
func (db *DB) Tenant(ctx context.Context) (*cairn.Tenant, error) {
	var t cairn.Tenant
	err := db.read().queryRow(ctx, `SELECT id, name, created_at FROM tenants WHERE id = 1`).
		Scan(&t.ID, &t.Name, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.Errorf(cairn.ENOTFOUND, "the tenant is not set up yet")
	}
	if err != nil {
		return nil, db.wrap("tenant", err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// CreateTenant creates the tenant and its first tenant admin in one transaction. It fails
// with ECONFLICT when a tenant exists already.
func (db *DB) CreateTenant(ctx context.Context, t *cairn.Tenant, admin *cairn.User) error {
	if t == nil || admin == nil {
		return cairn.Errorf(cairn.EINVALID, "a tenant and its admin are required")
	}
	if t.Name == "" {
		return cairn.FieldError("name", "name is required")
	}
	if err := admin.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "create tenant", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM tenants WHERE id = 1`)
		if err != nil {
			return err
		}
		if ok {
			return cairn.Errorf(cairn.ECONFLICT, "the tenant exists already")
		}
		if _, err := r.exec(ctx, `INSERT INTO tenants (id, name, created_at) VALUES (1, ?, ?)`, t.Name, now); err != nil {
			if kind, _ := violation(err); kind == violUnique {
				return cairn.Errorf(cairn.ECONFLICT, "the tenant exists already")
			}
			return err
		}
		admin.TenantAdmin = true
		if err := insertUser(ctx, r, admin, now); err != nil {
			return err
		}
		t.ID, t.CreatedAt = 1, now
		return nil
	})
}

// SetSetting stores a small named value, replacing any earlier one.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return cairn.FieldError("key", "key is required")
	}
	_, err := db.write().exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return db.wrap("set setting", err)
}

// Setting returns a named value, or ENOTFOUND.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read().queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", cairn.NotFound("setting", key)
	}
	if err != nil {
		return "", db.wrap("setting", err)
	}
	return v, nil
}

// DeleteSetting removes a named value; removing a missing one is not an error.
func (db *DB) DeleteSetting(ctx context.Context, key string) error {
	_, err := db.write().exec(ctx, `DELETE FROM settings WHERE key = ?`, key)
	return db.wrap("delete setting", err)
}

// SettingsWithPrefix returns every setting whose key starts with prefix, by key.
func (db *DB) SettingsWithPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	rows, err := db.read().query(ctx, `SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?`, len(prefix), prefix)
	if err != nil {
		return nil, db.wrap("settings with prefix", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, db.wrap("settings with prefix", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap("settings with prefix", err)
	}
	return out, nil
}

// SwapSetting replaces a setting's value with value only while it still holds old, and
// reports whether it did.
func (db *DB) SwapSetting(ctx context.Context, key, old, value string) (bool, error) {
	n, err := db.write().affected(ctx, `UPDATE settings SET value = ? WHERE key = ? AND value = ?`, value, key, old)
	if err != nil {
		return false, db.wrap("swap setting", err)
	}
	return n == 1, nil
}
