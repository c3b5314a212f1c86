package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"github.com/cairn-okr/cairn"
)

const periodColumns = `id, org_id, name, start_date, end_date, closed_at, closing_note`

func scanPeriod(s interface{ Scan(...any) error }) (*cairn.Period, error) {
	var p cairn.Period
	var closed sql.NullTime
	if err := s.Scan(&p.ID, &p.OrgID, &p.Name, &p.Start, &p.End, &closed, &p.ClosingNote); err != nil {
		return nil, err
	}
	p.ClosedAt = timePtr(closed)
	return &p, nil
}

// CreatePeriod stores a period of an organization.
func (db *DB) CreatePeriod(ctx context.Context, p *cairn.Period) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.wrap("create period", insertPeriod(ctx, db.write(), p))
}

// insertPeriod stores a validated period.
func insertPeriod(ctx context.Context, r runner, p *cairn.Period) error {
	err := r.queryRow(ctx, `INSERT INTO periods (org_id, name, start_date, end_date, closed_at, closing_note)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, p.OrgID, p.Name, p.Start, p.End, nullTime(p.ClosedAt), p.ClosingNote).Scan(&p.ID)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.NotFound("organization", p.OrgID)
	}
	if err != nil {
		return err
	}
	p.ClosedAt = cleanPtr(p.ClosedAt)
	return nil
}

func periodByID(ctx context.Context, r runner, orgID, id int64) (*cairn.Period, error) {
	p, err := scanPeriod(r.queryRow(ctx, `SELECT `+periodColumns+` FROM periods WHERE id = ? AND org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("period", id)
	}
	return p, err
}

// PeriodByID returns a period of the organization.
func (db *DB) PeriodByID(ctx context.Context, orgID, id int64) (*cairn.Period, error) {
	p, err := periodByID(ctx, db.read(), orgID, id)
	if err != nil {
		return nil, db.wrap("period by id", err)
	}
	return p, nil
}

// ListPeriods lists an organization's periods, the latest start first.
func (db *DB) ListPeriods(ctx context.Context, orgID int64) ([]*cairn.Period, error) {
	periods, err := listPeriods(ctx, db.read(), orgID)
	if err != nil {
		return nil, db.wrap("list periods", err)
	}
	return periods, nil
}

func listPeriods(ctx context.Context, r runner, orgID int64) ([]*cairn.Period, error) {
	rows, err := r.query(ctx, `SELECT `+periodColumns+` FROM periods WHERE org_id = ?
		ORDER BY start_date DESC, id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	periods := []*cairn.Period{}
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return nil, err
		}
		periods = append(periods, p)
	}
	return periods, rows.Err()
}

// UpdatePeriod stores a period's name, dates, closing time and closing note; a nil ClosedAt
// reopens it.
func (db *DB) UpdatePeriod(ctx context.Context, p *cairn.Period) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.wrap("update period", updatePeriod(ctx, db.write(), p))
}

// updatePeriod stores a validated period's name, dates and closing time.
func updatePeriod(ctx context.Context, r runner, p *cairn.Period) error {
	n, err := r.affected(ctx, `UPDATE periods SET name = ?, start_date = ?, end_date = ?, closed_at = ?, closing_note = ?
		WHERE id = ? AND org_id = ?`, p.Name, p.Start, p.End, nullTime(p.ClosedAt), p.ClosingNote, p.ID, p.OrgID)
	if err != nil {
		return err
	}
	if n == 0 {
		return cairn.NotFound("period", p.ID)
	}
	p.ClosedAt = cleanPtr(p.ClosedAt)
	return nil
}

// DeletePeriod deletes a period. It fails with ECONFLICT while objectives use it.
func (db *DB) DeletePeriod(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete period", func(r runner) error {
		if ok, err := r.exists(ctx, `SELECT 1 FROM periods WHERE id = ? AND org_id = ?`, id, orgID); err != nil || !ok {
			return notFoundOr(err, "period", id)
		}
		if ok, err := r.exists(ctx, `SELECT 1 FROM objectives WHERE period_id = ? LIMIT 1`, id); err != nil || ok {
			if err != nil {
				return err
			}
			return cairn.Errorf(cairn.ECONFLICT, "period %d still has objectives; delete them first", id)
		}
		_, err := r.exec(ctx, `DELETE FROM periods WHERE id = ?`, id)
		return err
	})
}

// ClosePeriod closes a period in one transaction: it marks the period closed at c.At with
// c.Note, stores the score and closing status of each item c.Scores names, and carries
// c.Carry into c.CarryTo. It fails with ECONFLICT when the period is closed already, when
// c.CarryTo is closed or when a key result was carried forward before, and with EINVALID
// when a score names an item outside the period or c.CarryTo is no period of the
// organization.
func (db *DB) ClosePeriod(ctx context.Context, c *cairn.Closing) error {
	for _, s := range c.Scores {
		if math.IsNaN(s.Value) || s.Value < 0 || s.Value > 1 {
			return cairn.FieldError("scores", "score %g of %s %d must be between 0 and 1", s.Value, s.Item.Type, s.Item.ID)
		}
		if s.Item.Type != cairn.ItemObjective && s.Item.Type != cairn.ItemKeyResult {
			return cairn.FieldError("scores", "only objectives and key results are scored, not %q", s.Item.Type)
		}
		if !s.Status.Valid() {
			return cairn.FieldError("scores", "closing status %q of %s %d must be achieved, partially_achieved or missed", s.Status, s.Item.Type, s.Item.ID)
		}
	}
	if len(c.Note) > cairn.MaxClosingNote {
		return cairn.FieldError("closing_note", "closing note is longer than %d characters", cairn.MaxClosingNote)
	}
	if len(c.Carry) > 0 && c.CarryTo == 0 {
		return cairn.FieldError("carry_forward_to", "carrying key results forward needs a period to carry them into")
	}
	for _, cf := range c.Carry {
		cf.Copy.ID, cf.Objective.ID = 0, 0
		cf.Objective.OrgID, cf.Objective.PeriodID, cf.Copy.OrgID = c.OrgID, c.CarryTo, c.OrgID
		if cf.Copy.CarriedFromID == nil || *cf.Copy.CarriedFromID != cf.From.ID {
			return cairn.FieldError("carry_forward_to", "the copy of key result %d must link back to it", cf.From.ID)
		}
		if err := cf.Objective.Validate(); err != nil {
			return err
		}
	}
	at := clean(c.At)
	now := db.stamp()
	return db.tx(ctx, "close period", func(r runner) error {
		p, err := periodByID(ctx, r, c.OrgID, c.PeriodID)
		if err != nil {
			return err
		}
		if p.Closed() {
			return cairn.Errorf(cairn.ECONFLICT, "period %d is closed already", c.PeriodID)
		}
		if _, err := r.exec(ctx, `UPDATE periods SET closed_at = ?, closing_note = ? WHERE id = ?`, at, c.Note, c.PeriodID); err != nil {
			return err
		}
		for _, s := range c.Scores {
			if err := closeScore(ctx, r, c, s, now); err != nil {
				return err
			}
		}
		if c.CarryTo == 0 {
			return nil
		}
		next, err := periodByID(ctx, r, c.OrgID, c.CarryTo)
		if cairn.ErrorCode(err) == cairn.ENOTFOUND {
			return cairn.FieldError("carry_forward_to", "period %d not found in this organization", c.CarryTo)
		}
		if err != nil {
			return err
		}
		if next.Closed() {
			return cairn.Errorf(cairn.ECONFLICT, "period %q is closed: nothing can be carried into it", next.Name)
		}
		for _, cf := range c.Carry {
			if err := carryForward(ctx, r, c, cf, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// closeScore stores the score and closing status of one item of a closing period, and
// records the change in the item's audit trail.
func closeScore(ctx context.Context, r runner, c *cairn.Closing, s cairn.Score, now time.Time) error {
	notInPeriod := cairn.FieldError("scores", "%s %d is not in period %d", s.Item.Type, s.Item.ID, c.PeriodID)
	read := func() (any, error) {
		if s.Item.Type == cairn.ItemObjective {
			return objectiveByID(ctx, r, c.OrgID, s.Item.ID)
		}
		return keyResultByID(ctx, r, c.OrgID, s.Item.ID)
	}
	before, err := read()
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return notInPeriod
	}
	if err != nil {
		return err
	}
	var q string
	if s.Item.Type == cairn.ItemObjective {
		q = `UPDATE objectives SET score = ?, closing_status = ?, updated_at = ? WHERE id = ? AND period_id = ?`
	} else {
		q = `UPDATE key_results SET score = ?, closing_status = ?, updated_at = ? WHERE id = ?
			AND objective_id IN (SELECT id FROM objectives WHERE period_id = ?)`
	}
	n, err := r.affected(ctx, q, s.Value, s.Status, now, s.Item.ID, c.PeriodID)
	if err != nil {
		return err
	}
	if n == 0 {
		return notInPeriod
	}
	after, err := read()
	if err != nil {
		return err
	}
	return auditDiff(ctx, r, c.OrgID, s.Item, s.Item, before, after, now)
}

// carryForward stores one carried key result: under the next period's copy of its
// objective, made unless it exists, and with the original's data source, if any.
func carryForward(ctx context.Context, r runner, c *cairn.Closing, cf *cairn.CarryForward, now time.Time) error {
	from := cf.From.ObjectiveID
	err := r.queryRow(ctx, `SELECT id FROM objectives WHERE org_id = ? AND period_id = ? AND carried_from_id = ?
		ORDER BY id LIMIT 1`, c.OrgID, c.CarryTo, from).Scan(&cf.Objective.ID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		cf.Objective.CarriedFromID = &from
		if err := insertObjective(ctx, r, cf.Objective, now); err != nil {
			return err
		}
		ref := cairn.Ref{Type: cairn.ItemObjective, ID: cf.Objective.ID}
		if err := auditDiff(ctx, r, c.OrgID, ref, ref, nil, cf.Objective, now); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	cf.Copy.ObjectiveID = cf.Objective.ID
	if err := cf.Copy.Validate(); err != nil {
		return err
	}
	if err := insertKeyResult(ctx, r, cf.Copy, now); err != nil {
		return err
	}
	copyRef := cairn.Ref{Type: cairn.ItemKeyResult, ID: cf.Copy.ID}
	if err := auditDiff(ctx, r, c.OrgID, copyRef, copyRef, nil, cf.Copy, now); err != nil {
		return err
	}
	// The data source now writes into the copy. The original keeps its last value and,
	// with no data source left, takes manual check-ins again should its period reopen.
	fromRef := cairn.Ref{Type: cairn.ItemKeyResult, ID: cf.From.ID}
	before, err := scanDataSource(r.queryRow(ctx, `SELECT `+dataSourceColumns+` FROM azdo_data_sources d
		WHERE d.key_result_id = ? AND d.org_id = ?`, cf.From.ID, c.OrgID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	if _, err := r.exec(ctx, `UPDATE azdo_data_sources SET key_result_id = ?, updated_at = ? WHERE id = ?`, cf.Copy.ID, now, before.ID); err != nil {
		return err
	}
	cf.MovedDataSource = true
	after := *before
	after.Target, after.UpdatedAt = cairn.Target{Type: cairn.TargetKeyResult, ID: cf.Copy.ID}, now
	// Both histories show the move: the original's says where its data source went, and
	// the copy's where it came from.
	dsRef := cairn.Ref{Type: cairn.ItemDataSource, ID: before.ID}
	for _, item := range []cairn.Ref{fromRef, copyRef} {
		if err := auditDiff(ctx, r, c.OrgID, item, dsRef, before, &after, now); err != nil {
			return err
		}
	}
	origBefore, err := keyResultByID(ctx, r, c.OrgID, cf.From.ID)
	if err != nil {
		return err
	}
	if _, err := r.exec(ctx, `UPDATE key_results SET progress_source = ?, updated_at = ? WHERE id = ?`, cairn.SourceManual, now, cf.From.ID); err != nil {
		return err
	}
	origAfter, err := keyResultByID(ctx, r, c.OrgID, cf.From.ID)
	if err != nil {
		return err
	}
	return auditDiff(ctx, r, c.OrgID, fromRef, fromRef, origBefore, origAfter, now)
}

// ReopenPeriod opens a closed period again; scores, closing statuses and the note stay.
func (db *DB) ReopenPeriod(ctx context.Context, orgID, periodID int64) error {
	return db.tx(ctx, "reopen period", func(r runner) error {
		p, err := periodByID(ctx, r, orgID, periodID)
		if err != nil {
			return err
		}
		if !p.Closed() {
			return cairn.Errorf(cairn.ECONFLICT, "period %q is open", p.Name)
		}
		_, err = r.exec(ctx, `UPDATE periods SET closed_at = NULL WHERE id = ?`, periodID)
		return err
	})
}

// cleanPtr returns an optional time in UTC at microsecond precision.
func cleanPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := clean(*t)
	return &v
}
