package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"github.com/cairn-okr/cairn"
)

const periodColumns = `id, org_id, name, start_date, end_date, closed_at`

func scanPeriod(s interface{ Scan(...any) error }) (*cairn.Period, error) {
	var p cairn.Period
	var closed sql.NullTime
	if err := s.Scan(&p.ID, &p.OrgID, &p.Name, &p.Start, &p.End, &closed); err != nil {
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
	err := r.queryRow(ctx, `INSERT INTO periods (org_id, name, start_date, end_date, closed_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, p.OrgID, p.Name, p.Start, p.End, nullTime(p.ClosedAt)).Scan(&p.ID)
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

// UpdatePeriod stores a period's name, dates and closing time; a nil ClosedAt reopens it.
func (db *DB) UpdatePeriod(ctx context.Context, p *cairn.Period) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.wrap("update period", updatePeriod(ctx, db.write(), p))
}

// updatePeriod stores a validated period's name, dates and closing time.
func updatePeriod(ctx context.Context, r runner, p *cairn.Period) error {
	n, err := r.affected(ctx, `UPDATE periods SET name = ?, start_date = ?, end_date = ?, closed_at = ?
		WHERE id = ? AND org_id = ?`, p.Name, p.Start, p.End, nullTime(p.ClosedAt), p.ID, p.OrgID)
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

// ClosePeriod marks the period closed at the time and stores the closing scores of its
// objectives and key results, in one transaction. It fails with ECONFLICT when the period
// is closed already and with EINVALID when a score names an item outside the period.
func (db *DB) ClosePeriod(ctx context.Context, orgID, periodID int64, at time.Time, scores []cairn.Score) error {
	for _, s := range scores {
		if math.IsNaN(s.Value) || s.Value < 0 || s.Value > 1 {
			return cairn.FieldError("scores", "score %g of %s %d must be between 0 and 1", s.Value, s.Item.Type, s.Item.ID)
		}
		if s.Item.Type != cairn.ItemObjective && s.Item.Type != cairn.ItemKeyResult {
			return cairn.FieldError("scores", "only objectives and key results are scored, not %q", s.Item.Type)
		}
	}
	at = clean(at)
	now := db.stamp()
	return db.tx(ctx, "close period", func(r runner) error {
		p, err := periodByID(ctx, r, orgID, periodID)
		if err != nil {
			return err
		}
		if p.Closed() {
			return cairn.Errorf(cairn.ECONFLICT, "period %d is closed already", periodID)
		}
		if _, err := r.exec(ctx, `UPDATE periods SET closed_at = ? WHERE id = ?`, at, periodID); err != nil {
			return err
		}
		for _, s := range scores {
			var q string
			if s.Item.Type == cairn.ItemObjective {
				q = `UPDATE objectives SET score = ?, updated_at = ? WHERE id = ? AND period_id = ?`
			} else {
				q = `UPDATE key_results SET score = ?, updated_at = ? WHERE id = ?
					AND objective_id IN (SELECT id FROM objectives WHERE period_id = ?)`
			}
			n, err := r.affected(ctx, q, s.Value, now, s.Item.ID, periodID)
			if err != nil {
				return err
			}
			if n == 0 {
				return cairn.FieldError("scores", "%s %d is not in period %d", s.Item.Type, s.Item.ID, periodID)
			}
		}
		return nil
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
