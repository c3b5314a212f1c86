package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
// value and last check-in time, and the start of a key result whose baseline is pending,
// and records the check-in in the audit trail. A zero CreatedAt is set from the clock.
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
	return db.tx(ctx, "add check-in", func(r runner) error { return recordCheckIn(ctx, r, c) })
}

// recordCheckIn stores a person's validated check-in, sets its item's current value and
// records the change, from the value before, in the audit trail.
func recordCheckIn(ctx context.Context, r runner, c *cairn.CheckIn) error {
	table, err := itemTable(c.Item.Type)
	if err != nil {
		return err
	}
	var before, start float64
	pending := false
	if c.Item.Type == cairn.ItemKeyResult {
		err = r.queryRow(ctx, `SELECT current_value, start_value, baseline_pending FROM key_results WHERE id = ? AND org_id = ?`,
			c.Item.ID, c.OrgID).Scan(&before, &start, &pending)
	} else {
		err = r.queryRow(ctx, `SELECT current_value FROM `+table+` WHERE id = ? AND org_id = ?`, c.Item.ID, c.OrgID).Scan(&before)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return cairn.NotFound(itemKind(c.Item.Type), c.Item.ID)
	}
	if err != nil {
		return err
	}
	if err := insertCheckIn(ctx, r, c); err != nil {
		return err
	}
	changes := []cairn.FieldChange{{Field: "value", Before: jsonValue(before), After: jsonValue(c.Value)}}
	if pending {
		// The first check-in measured the pending baseline: the start changed with it.
		changes = append(changes, cairn.FieldChange{Field: "metric.start", Before: jsonValue(start), After: jsonValue(c.Value)},
			cairn.FieldChange{Field: "metric.baseline_pending", Before: jsonValue(true), After: jsonValue(false)})
	}
	if c.Status != "" {
		changes = append(changes, cairn.FieldChange{Field: "status", Before: jsonNull, After: jsonValue(c.Status)})
	}
	if c.Note != "" {
		changes = append(changes, cairn.FieldChange{Field: "note", Before: jsonNull, After: jsonValue(c.Note)})
	}
	if c.Confidence != nil {
		changes = append(changes, cairn.FieldChange{Field: "confidence", Before: jsonNull, After: jsonValue(*c.Confidence)})
	}
	return audit(ctx, r, c.OrgID, c.Item, cairn.Ref{Type: cairn.ItemCheckIn, ID: c.ID}, cairn.AuditCreated, changes, c.CreatedAt)
}

// insertCheckInRow stores a validated check-in row as it is, without touching its item.
func insertCheckInRow(ctx context.Context, r runner, c *cairn.CheckIn) error {
	err := r.queryRow(ctx, `INSERT INTO check_ins (org_id, item_type, item_id, value, status, note, author_id, source, confidence, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, c.Item.Type, c.Item.ID, c.Value, c.Status, c.Note, nullInt(c.AuthorID), c.Source, nullConfidence(c.Confidence), c.CreatedAt).Scan(&c.ID)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.FieldError("author_id", "user %d does not exist", *c.AuthorID)
	}
	return err
}

// nullConfidence converts an optional confidence into a query argument.
func nullConfidence(c *int) any {
	if c == nil {
		return nil
	}
	return *c
}

const checkInColumns = `id, org_id, item_type, item_id, value, status, note, author_id, source, confidence, created_at`

func scanCheckIn(s interface{ Scan(...any) error }) (*cairn.CheckIn, error) {
	c := &cairn.CheckIn{}
	var author, confidence sql.NullInt64
	if err := s.Scan(&c.ID, &c.OrgID, &c.Item.Type, &c.Item.ID, &c.Value, &c.Status, &c.Note, &author, &c.Source,
		&confidence, &c.CreatedAt); err != nil {
		return nil, err
	}
	c.AuthorID, c.CreatedAt = int64Ptr(author), c.CreatedAt.UTC()
	if confidence.Valid {
		v := int(confidence.Int64)
		c.Confidence = &v
	}
	return c, nil
}

// CheckInByID returns a check-in of the organization.
func (db *DB) CheckInByID(ctx context.Context, orgID, id int64) (*cairn.CheckIn, error) {
	c, err := scanCheckIn(db.read().queryRow(ctx, `SELECT `+checkInColumns+` FROM check_ins WHERE id = ? AND org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("check-in", id)
	}
	if err != nil {
		return nil, db.wrap("check-in by id", err)
	}
	return c, nil
}

// ListCheckIns lists an item's check-ins, the newest first; a limit of 0 lists them all.
func (db *DB) ListCheckIns(ctx context.Context, orgID int64, item cairn.Ref, limit int) ([]*cairn.CheckIn, error) {
	table, err := itemTable(item.Type)
	if err != nil {
		return nil, err
	}
	q, args, err := db.limitOffset(`SELECT `+checkInColumns+`
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
			c, err := scanCheckIn(rows)
			if err != nil {
				return err
			}
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

// jsonNull is the JSON of a value that did not exist.
var jsonNull = json.RawMessage("null")

// jsonValue returns the JSON of a value for an audit event.
func jsonValue(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		return jsonNull
	}
	return data
}
