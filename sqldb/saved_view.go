package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/cairn-okr/cairn"
)

// CreateView stores a saved view with its filter as JSON.
func (db *DB) CreateView(ctx context.Context, v *cairn.SavedView) error {
	if err := v.Validate(); err != nil {
		return err
	}
	filter, err := json.Marshal(v.Filter)
	if err != nil {
		return err
	}
	v.CreatedAt, v.UpdatedAt = clean(v.CreatedAt), clean(v.UpdatedAt)
	return db.tx(ctx, "create view", func(r runner) error {
		err := r.queryRow(ctx, `INSERT INTO saved_views (org_id, owner_id, name, shared, filter, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			v.OrgID, v.OwnerID, v.Name, v.Shared, string(filter), v.CreatedAt, v.UpdatedAt).Scan(&v.ID)
		return viewError(err, v)
	})
}

// viewError turns a constraint violation of saved_views into the error a caller can act on.
func viewError(err error, v *cairn.SavedView) error {
	switch kind, _ := violation(err); kind {
	case violUnique:
		return &cairn.Error{Code: cairn.ECONFLICT, Field: "name", Message: "you have a view named " + v.Name + " already"}
	case violForeign:
		return cairn.Errorf(cairn.ENOTFOUND, "the organization or the view's owner does not exist")
	}
	return err
}

const viewColumns = `id, org_id, owner_id, name, shared, filter, created_at, updated_at`

func scanView(sc interface{ Scan(...any) error }) (*cairn.SavedView, error) {
	var v cairn.SavedView
	var filter string
	if err := sc.Scan(&v.ID, &v.OrgID, &v.OwnerID, &v.Name, &v.Shared, &filter, &v.CreatedAt, &v.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(filter), &v.Filter); err != nil {
		return nil, err
	}
	if v.Filter.PeriodIDs == nil {
		v.Filter.PeriodIDs = []int64{}
	}
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return &v, nil
}

// ViewByID returns a saved view of the organization.
func (db *DB) ViewByID(ctx context.Context, orgID, id int64) (*cairn.SavedView, error) {
	v, err := scanView(db.read().queryRow(ctx, `SELECT `+viewColumns+` FROM saved_views WHERE id = ? AND org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("view", id)
	}
	return v, err
}

// ListViews lists the user's views and the organization's shared views, by name.
func (db *DB) ListViews(ctx context.Context, orgID, userID int64) ([]*cairn.SavedView, error) {
	rows, err := db.read().query(ctx, `SELECT `+viewColumns+` FROM saved_views
		WHERE org_id = ? AND (owner_id = ? OR shared = ?) ORDER BY name, id`, orgID, userID, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*cairn.SavedView{}
	for rows.Next() {
		v, err := scanView(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// UpdateView stores a view's name, sharing, filter and update time.
func (db *DB) UpdateView(ctx context.Context, v *cairn.SavedView) error {
	if err := v.Validate(); err != nil {
		return err
	}
	filter, err := json.Marshal(v.Filter)
	if err != nil {
		return err
	}
	v.UpdatedAt = clean(v.UpdatedAt)
	return db.tx(ctx, "update view", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE saved_views SET name = ?, shared = ?, filter = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
			v.Name, v.Shared, string(filter), v.UpdatedAt, v.ID, v.OrgID)
		if err != nil {
			return viewError(err, v)
		}
		if n == 0 {
			return cairn.NotFound("view", v.ID)
		}
		return nil
	})
}

// DeleteView deletes a saved view of the organization.
func (db *DB) DeleteView(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete view", func(r runner) error {
		n, err := r.affected(ctx, `DELETE FROM saved_views WHERE id = ? AND org_id = ?`, id, orgID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("view", id)
		}
		return nil
	})
}
