package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cairn-okr/cairn"
)

// rebindSelect reads re-bind entries with their item's title; an entry whose item is gone has
// no title and the queries leave it out.
const rebindSelect = `SELECT r.id, r.org_id, r.item_type, r.item_id, r.viva_id, r.reason, r.created_at, r.done_at,
	COALESCE(o.title, k.title, i.title)
	FROM import_rebinds r
	LEFT JOIN objectives o ON r.item_type = 'objective' AND o.id = r.item_id AND o.org_id = r.org_id
	LEFT JOIN key_results k ON r.item_type = 'key_result' AND k.id = r.item_id AND k.org_id = r.org_id
	LEFT JOIN initiatives i ON r.item_type = 'initiative' AND i.id = r.item_id AND i.org_id = r.org_id
	WHERE COALESCE(o.id, k.id, i.id) IS NOT NULL`

func scanRebind(s interface{ Scan(...any) error }) (*cairn.RebindEntry, error) {
	var e cairn.RebindEntry
	err := s.Scan(&e.ID, &e.OrgID, &e.Item.Type, &e.Item.ID, &e.VivaID, &e.Reason, &e.CreatedAt, optTime{&e.DoneAt}, &e.Title)
	if err != nil {
		return nil, err
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return &e, nil
}

// ListRebinds lists the organization's re-bind checklist, oldest first: the open entries, or
// all of them.
func (db *DB) ListRebinds(ctx context.Context, orgID int64, all bool) ([]*cairn.RebindEntry, error) {
	q := rebindSelect + ` AND r.org_id = ?`
	if !all {
		q += ` AND r.done_at IS NULL`
	}
	rows, err := db.read().query(ctx, q+` ORDER BY r.created_at, r.id`, orgID)
	if err != nil {
		return nil, db.wrap("list re-bind entries", err)
	}
	defer rows.Close()
	out := []*cairn.RebindEntry{}
	for rows.Next() {
		e, err := scanRebind(rows)
		if err != nil {
			return nil, db.wrap("list re-bind entries", err)
		}
		out = append(out, e)
	}
	return out, db.wrap("list re-bind entries", rows.Err())
}

// AddRebind stores a re-bind entry, or with reopen opens the item's entry again with the new
// reason. An item with a data source is done at once.
func (db *DB) AddRebind(ctx context.Context, e *cairn.RebindEntry, reopen bool) error {
	if err := e.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "add re-bind entry", func(r runner) error {
		_, err := addRebind(ctx, r, e, reopen, now)
		return err
	})
}

// addRebind stores a validated entry and fills it in from the stored row. It reports whether
// it stored or opened one.
func addRebind(ctx context.Context, r runner, e *cairn.RebindEntry, reopen bool, now time.Time) (bool, error) {
	table, kind, err := okrTable(e.Item.Type)
	if err != nil {
		return false, err
	}
	ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, e.Item.ID, e.OrgID)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, cairn.FieldError("item.id", "%s %d not found in this organization", kind, e.Item.ID)
	}
	var doneAt *time.Time
	if e.Item.Type != cairn.ItemObjective {
		col := "key_result_id"
		if e.Item.Type == cairn.ItemInitiative {
			col = "initiative_id"
		}
		bound, err := r.exists(ctx, `SELECT 1 FROM azdo_data_sources WHERE `+col+` = ? AND org_id = ?`, e.Item.ID, e.OrgID)
		if err != nil {
			return false, err
		}
		if bound {
			doneAt = &now
		}
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	conflict := `DO NOTHING`
	if reopen {
		conflict = `DO UPDATE SET reason = excluded.reason, viva_id = excluded.viva_id, created_at = excluded.created_at,
			done_at = excluded.done_at`
	}
	n, err := r.affected(ctx, `INSERT INTO import_rebinds (org_id, item_type, item_id, viva_id, reason, created_at, done_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, item_type, item_id) `+conflict,
		e.OrgID, e.Item.Type, e.Item.ID, e.VivaID, e.Reason, clean(e.CreatedAt), nullTime(doneAt))
	if err != nil {
		return false, err
	}
	got, err := scanRebind(r.queryRow(ctx, rebindSelect+` AND r.org_id = ? AND r.item_type = ? AND r.item_id = ?`,
		e.OrgID, e.Item.Type, e.Item.ID))
	if err != nil {
		return false, err
	}
	*e = *got
	return n > 0, nil
}

// MarkRebindDone marks an entry done at the time, unless it is done already, and returns it.
func (db *DB) MarkRebindDone(ctx context.Context, orgID, id int64, at time.Time) (*cairn.RebindEntry, error) {
	var e *cairn.RebindEntry
	err := db.tx(ctx, "mark re-bind entry done", func(r runner) error {
		_, err := r.exec(ctx, `UPDATE import_rebinds SET done_at = ? WHERE id = ? AND org_id = ? AND done_at IS NULL`,
			clean(at), id, orgID)
		if err != nil {
			return err
		}
		e, err = scanRebind(r.queryRow(ctx, rebindSelect+` AND r.id = ? AND r.org_id = ?`, id, orgID))
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("re-bind entry", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// rebindDone marks the open re-bind entry of an item that just got a data source done.
func rebindDone(ctx context.Context, r runner, orgID int64, item cairn.Ref, at time.Time) error {
	_, err := r.exec(ctx, `UPDATE import_rebinds SET done_at = ? WHERE org_id = ? AND item_type = ? AND item_id = ?
		AND done_at IS NULL`, at, orgID, item.Type, item.ID)
	return err
}
