package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/cairn-okr/cairn"
)

// itemTable returns the table of a checkable item type.
func itemTable(t cairn.ItemType) (string, error) {
	switch t {
	case cairn.ItemKeyResult:
		return "key_results", nil
	case cairn.ItemInitiative:
		return "initiatives", nil
	}
	return "", cairn.FieldError("item.type", "check-ins are for key results and initiatives, not %q", t)
}

func itemKind(t cairn.ItemType) string {
	if t == cairn.ItemKeyResult {
		return "key result"
	}
	return string(t)
}

// setCheckedIn sets an item's current value and last check-in time from a check-in, and
// reports whether the item exists in the organization. A key result whose baseline is
// pending takes the value as its start too, in the same statement, so that two first
// check-ins racing cannot both set it.
func setCheckedIn(ctx context.Context, r runner, item cairn.Ref, orgID int64, value float64, at time.Time) (bool, error) {
	table, err := itemTable(item.Type)
	if err != nil {
		return false, err
	}
	q, args := `UPDATE `+table+` SET current_value = ?, last_check_in_at = ? WHERE id = ? AND org_id = ?`,
		[]any{value, at, item.ID, orgID}
	if item.Type == cairn.ItemKeyResult {
		q = `UPDATE key_results SET start_value = CASE WHEN baseline_pending THEN ? ELSE start_value END,
			baseline_pending = ?, current_value = ?, last_check_in_at = ? WHERE id = ? AND org_id = ?`
		args = []any{value, false, value, at, item.ID, orgID}
	}
	n, err := r.affected(ctx, q, args...)
	return n > 0, err
}

// AddCheckIn stores the check-in and, in the same transaction, sets the item's current
// value and last check-in time, and the start of a key result whose baseline is pending.
// A zero CreatedAt is set from the clock.
func (db *DB) AddCheckIn(ctx context.Context, c *cairn.CheckIn) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := itemTable(c.Item.Type); err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.stamp()
	}
	c.CreatedAt = clean(c.CreatedAt)
	return db.tx(ctx, "add check-in", func(r runner) error {
		ok, err := setCheckedIn(ctx, r, c.Item, c.OrgID, c.Value, c.CreatedAt)
		if err != nil {
			return err
		}
		if !ok {
			return cairn.NotFound(itemKind(c.Item.Type), c.Item.ID)
		}
		return insertCheckInRow(ctx, r, c)
	})
}

// insertCheckInRow stores a validated check-in row as it is, without touching its item.
func insertCheckInRow(ctx context.Context, r runner, c *cairn.CheckIn) error {
	err := r.queryRow(ctx, `INSERT INTO check_ins (org_id, item_type, item_id, value, status, note, author_id, source, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, c.Item.Type, c.Item.ID, c.Value, c.Status, c.Note, nullInt(c.AuthorID), c.Source, c.CreatedAt).Scan(&c.ID)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.FieldError("author_id", "user %d does not exist", *c.AuthorID)
	}
	return err
}

// ListCheckIns lists an item's check-ins, the newest first; a limit of 0 lists them all.
func (db *DB) ListCheckIns(ctx context.Context, orgID int64, item cairn.Ref, limit int) ([]*cairn.CheckIn, error) {
	table, err := itemTable(item.Type)
	if err != nil {
		return nil, err
	}
	q, args, err := db.limitOffset(`SELECT id, org_id, item_type, item_id, value, status, note, author_id, source, created_at
		FROM check_ins WHERE org_id = ? AND item_type = ? AND item_id = ? ORDER BY created_at DESC, id DESC`,
		[]any{orgID, item.Type, item.ID}, limit, 0)
	if err != nil {
		return nil, err
	}
	out := []*cairn.CheckIn{}
	err = db.snapshot(ctx, "list check-ins", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, item.ID, orgID)
		if err != nil || !ok {
			return notFoundOr(err, itemKind(item.Type), item.ID)
		}
		rows, err := r.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := &cairn.CheckIn{}
			var author sql.NullInt64
			err := rows.Scan(&c.ID, &c.OrgID, &c.Item.Type, &c.Item.ID, &c.Value, &c.Status, &c.Note,
				&author, &c.Source, &c.CreatedAt)
			if err != nil {
				return err
			}
			c.AuthorID, c.CreatedAt = int64Ptr(author), c.CreatedAt.UTC()
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ImportCheckIns stores a history of check-ins in one transaction, as when moving OKRs from
// another tool, and sets each item's current value and last check-in time from its newest
// check-in. Either every check-in is stored or none is.
func (db *DB) ImportCheckIns(ctx context.Context, cs []*cairn.CheckIn) error {
	latest := map[cairn.Ref]*cairn.CheckIn{}
	for i, c := range cs {
		if err := c.Validate(); err != nil {
			return cairn.FieldError("check_ins", "check-in %d: %v", i, err)
		}
		if _, err := itemTable(c.Item.Type); err != nil {
			return err
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = db.stamp()
		}
		c.CreatedAt = clean(c.CreatedAt)
		if l := latest[c.Item]; l == nil || !c.CreatedAt.Before(l.CreatedAt) {
			latest[c.Item] = c
		}
	}
	return db.tx(ctx, "import check-ins", func(r runner) error {
		for _, c := range cs {
			if err := insertCheckInRow(ctx, r, c); err != nil {
				return err
			}
		}
		for ref, c := range latest {
			table, _ := itemTable(ref.Type)
			n, err := r.affected(ctx, `UPDATE `+table+` SET current_value = ?, last_check_in_at = ? WHERE id = ? AND org_id = ?`,
				c.Value, c.CreatedAt, ref.ID, c.OrgID)
			if err != nil {
				return err
			}
			if n == 0 {
				return cairn.NotFound(itemKind(ref.Type), ref.ID)
			}
		}
		return nil
	})
}
