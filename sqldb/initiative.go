package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

const initiativeColumns = `i.id, i.org_id, i.parent_key_result_id, i.parent_objective_id, i.title, i.contributes,
	i.progress_mode, i.metric_kind, i.start_value, i.target_value, i.unit, i.current_value, i.weight,
	i.last_check_in_at, i.created_at, i.updated_at, i.score, i.closed_at,
	EXISTS (SELECT 1 FROM azdo_data_sources d WHERE d.initiative_id = i.id)`

func scanInitiative(s interface{ Scan(...any) error }) (*cairn.Initiative, error) {
	var i cairn.Initiative
	var parentKR, parentObj sql.NullInt64
	var kind, unit sql.NullString
	var start, target sql.NullFloat64
	var last, closed sql.NullTime
	var score sql.NullFloat64
	err := s.Scan(&i.ID, &i.OrgID, &parentKR, &parentObj, &i.Title, &i.Contributes, &i.ProgressMode,
		&kind, &start, &target, &unit, &i.Current, &i.Weight, &last, &i.CreatedAt, &i.UpdatedAt, &score, &closed, &i.Automated)
	if err != nil {
		return nil, err
	}
	i.Score, i.ClosedAt = floatPtr(score), timePtr(closed)
	if parentKR.Valid {
		i.Parent = cairn.Ref{Type: cairn.ItemKeyResult, ID: parentKR.Int64}
	} else {
		i.Parent = cairn.Ref{Type: cairn.ItemObjective, ID: parentObj.Int64}
	}
	if kind.Valid {
		// Initiatives' metrics increase or decrease; the goal is the one start and target
		// say, so it needs no column.
		i.Metric = &cairn.Metric{Kind: cairn.MetricKind(kind.String), Start: start.Float64, Target: target.Float64,
			Unit: unit.String, Current: i.Current, Goal: cairn.MetricGoal(progress.InferGoal(start.Float64, target.Float64))}
	}
	i.LastCheckInAt = timePtr(last)
	i.CreatedAt, i.UpdatedAt = i.CreatedAt.UTC(), i.UpdatedAt.UTC()
	i.OwnerIDs, i.EditorIDs, i.CheckInOwnerIDs = []int64{}, []int64{}, []int64{}
	return &i, nil
}

func scanInitiatives(rows *sql.Rows) ([]*cairn.Initiative, map[int64]*cairn.Initiative, error) {
	defer rows.Close()
	out := []*cairn.Initiative{}
	byID := map[int64]*cairn.Initiative{}
	for rows.Next() {
		i, err := scanInitiative(rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, i)
		byID[i.ID] = i
	}
	return out, byID, rows.Err()
}

// initiativeColumnsOf returns the parent and metric columns of an initiative.
func initiativeColumnsOf(i *cairn.Initiative) (parentKR, parentObj, kind, start, target, unit any) {
	if i.Parent.Type == cairn.ItemKeyResult {
		parentKR = i.Parent.ID
	} else {
		parentObj = i.Parent.ID
	}
	if i.Metric != nil {
		kind, start, target, unit = string(i.Metric.Kind), i.Metric.Start, i.Metric.Target, i.Metric.Unit
	}
	return
}

func checkInitiativeRefs(ctx context.Context, r runner, i *cairn.Initiative) error {
	table, kind := "objectives", "objective"
	if i.Parent.Type == cairn.ItemKeyResult {
		table, kind = "key_results", "key result"
	}
	ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, i.Parent.ID, i.OrgID)
	if err != nil {
		return err
	}
	if !ok {
		return cairn.FieldError("parent.id", "%s %d does not exist", kind, i.Parent.ID)
	}
	return nil
}

// setInitiativeOwners replaces an initiative's owners; a new one, fresh, has none to delete.
func setInitiativeOwners(ctx context.Context, r runner, i *cairn.Initiative, fresh bool) error {
	if !fresh {
		if _, err := r.exec(ctx, `DELETE FROM initiative_owners WHERE initiative_id = ?`, i.ID); err != nil {
			return err
		}
	}
	if err := insertPairs(ctx, r, `INSERT INTO initiative_owners (initiative_id, user_id) VALUES `, i.ID, i.OwnerIDs, ""); err != nil {
		return peopleError(err, "owner_ids")
	}
	i.OwnerIDs = sortedIDs(i.OwnerIDs)
	return nil
}

// syncCurrent makes Current and Metric.Current agree: a metric's current value wins.
func syncCurrent(i *cairn.Initiative) {
	if i.Metric != nil {
		i.Current = i.Metric.Current
	}
}

// CreateInitiative stores an initiative with its people under a key result or objective
// of the same organization, and records it in the audit trail. For a metric initiative,
// the metric's current value is the starting current value.
func (db *DB) CreateInitiative(ctx context.Context, i *cairn.Initiative) error {
	if err := i.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "create initiative", func(r runner) error {
		if err := insertInitiative(ctx, r, i, now); err != nil {
			return err
		}
		ref := cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}
		return auditDiff(ctx, r, i.OrgID, ref, ref, nil, i, now)
	})
}

// insertInitiative stores a validated initiative with its owners, editors and check-in
// owners.
func insertInitiative(ctx context.Context, r runner, i *cairn.Initiative, now time.Time) error {
	syncCurrent(i)
	if err := checkInitiativeRefs(ctx, r, i); err != nil {
		return err
	}
	pk, po, kind, start, target, unit := initiativeColumnsOf(i)
	err := r.queryRow(ctx, `INSERT INTO initiatives (org_id, parent_key_result_id, parent_objective_id, title,
		contributes, progress_mode, metric_kind, start_value, target_value, unit, current_value, weight,
		last_check_in_at, created_at, updated_at, score, closed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		i.OrgID, pk, po, i.Title, i.Contributes, i.ProgressMode, kind, start, target, unit, i.Current, i.Weight,
		nullTime(i.LastCheckInAt), now, now, nullFloat(i.Score), nullTime(i.ClosedAt)).Scan(&i.ID)
	if err != nil {
		return err
	}
	i.CreatedAt, i.UpdatedAt, i.LastCheckInAt = now, now, cleanPtr(i.LastCheckInAt)
	if err := setInitiativeOwners(ctx, r, i, true); err != nil {
		return err
	}
	if err := setDelegates(ctx, r, cairn.ItemInitiative, i.ID, i.EditorIDs, i.CheckInOwnerIDs, true); err != nil {
		return err
	}
	i.EditorIDs, i.CheckInOwnerIDs = sortedIDs(i.EditorIDs), sortedIDs(i.CheckInOwnerIDs)
	return nil
}

// InitiativeByID returns an initiative of the organization with its people.
func (db *DB) InitiativeByID(ctx context.Context, orgID, id int64) (*cairn.Initiative, error) {
	var i *cairn.Initiative
	err := db.snapshot(ctx, "initiative by id", func(r runner) error {
		var err error
		i, err = initiativeByID(ctx, r, orgID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return i, nil
}

func initiativeByID(ctx context.Context, r runner, orgID, id int64) (*cairn.Initiative, error) {
	i, err := scanInitiative(r.queryRow(ctx, `SELECT `+initiativeColumns+` FROM initiatives i WHERE i.id = ? AND i.org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("initiative", id)
	}
	if err != nil {
		return nil, err
	}
	ps, err := loadPeople(ctx, r, peopleQuery(cairn.ItemInitiative, "?"), id, id)
	setInitiativePeople(map[int64]*cairn.Initiative{id: i}, ps)
	return i, err
}

// ListInitiatives lists the initiatives that match the filter, oldest first. The filter
// must name the organization.
func (db *DB) ListInitiatives(ctx context.Context, f cairn.InitiativeFilter) ([]*cairn.Initiative, error) {
	if f.OrgID <= 0 {
		return nil, cairn.FieldError("org_id", "org_id is required")
	}
	q := `SELECT ` + initiativeColumns + ` FROM initiatives i WHERE i.org_id = ?`
	args := []any{f.OrgID}
	if f.Parent != nil {
		switch f.Parent.Type {
		case cairn.ItemKeyResult:
			q += ` AND i.parent_key_result_id = ?`
		case cairn.ItemObjective:
			q += ` AND i.parent_objective_id = ?`
		default:
			return nil, cairn.FieldError("parent.type", "parent type must be key_result or objective, not %q", f.Parent.Type)
		}
		args = append(args, f.Parent.ID)
	}
	q, args, err := db.limitOffset(q+` ORDER BY i.id`, args, f.Limit, f.Offset)
	if err != nil {
		return nil, err
	}
	var inits []*cairn.Initiative
	err = db.snapshot(ctx, "list initiatives", func(r runner) error {
		rows, err := r.query(ctx, q, args...)
		if err != nil {
			return err
		}
		var byID map[int64]*cairn.Initiative
		if inits, byID, err = scanInitiatives(rows); err != nil {
			return err
		}
		ids := make([]int64, len(inits))
		for n, i := range inits {
			ids[n] = i.ID
		}
		for _, part := range chunks(ids, 500) {
			ps, err := loadPeople(ctx, r, peopleQuery(cairn.ItemInitiative, placeholders(len(part))), twice(int64Args(part))...)
			if err != nil {
				return err
			}
			setInitiativePeople(byID, ps)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return inits, nil
}

// UpdateInitiative stores an initiative's parent, title, contribution, progress mode,
// metric definition, weight, owners, editors and check-in owners, and records what changed
// in the audit trail. The current value and last check-in time change only through
// AddCheckIn.
func (db *DB) UpdateInitiative(ctx context.Context, i *cairn.Initiative) error {
	if err := i.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "update initiative", func(r runner) error {
		before, err := initiativeByID(ctx, r, i.OrgID, i.ID)
		if err != nil {
			return err
		}
		if err := updateInitiative(ctx, r, i, now); err != nil {
			return err
		}
		if err := setDelegates(ctx, r, cairn.ItemInitiative, i.ID, i.EditorIDs, i.CheckInOwnerIDs, false); err != nil {
			return err
		}
		i.EditorIDs, i.CheckInOwnerIDs = sortedIDs(i.EditorIDs), sortedIDs(i.CheckInOwnerIDs)
		ref := cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}
		return auditDiff(ctx, r, i.OrgID, ref, ref, before, i, now)
	})
}

// updateInitiative stores a validated initiative's fields and owners; an import, which
// knows no editors or check-in owners, leaves those as they are.
func updateInitiative(ctx context.Context, r runner, i *cairn.Initiative, now time.Time) error {
	if err := checkInitiativeRefs(ctx, r, i); err != nil {
		return err
	}
	pk, po, kind, start, target, unit := initiativeColumnsOf(i)
	n, err := r.affected(ctx, `UPDATE initiatives SET parent_key_result_id = ?, parent_objective_id = ?, title = ?,
		contributes = ?, progress_mode = ?, metric_kind = ?, start_value = ?, target_value = ?, unit = ?,
		weight = ?, updated_at = ?, score = ?, closed_at = ? WHERE id = ? AND org_id = ?`,
		pk, po, i.Title, i.Contributes, i.ProgressMode, kind, start, target, unit, i.Weight, now,
		nullFloat(i.Score), nullTime(i.ClosedAt), i.ID, i.OrgID)
	if err != nil {
		return err
	}
	if n == 0 {
		return cairn.NotFound("initiative", i.ID)
	}
	err = r.queryRow(ctx, `SELECT current_value, last_check_in_at FROM initiatives WHERE id = ?`, i.ID).
		Scan(&i.Current, optTime{&i.LastCheckInAt})
	if err != nil {
		return err
	}
	if i.Metric != nil {
		i.Metric.Current = i.Current
	}
	i.UpdatedAt = now
	return setInitiativeOwners(ctx, r, i, false)
}

// DeleteInitiative deletes an initiative with its check-ins, and records the deletion in
// its parent's history.
func (db *DB) DeleteInitiative(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete initiative", func(r runner) error {
		before, err := initiativeByID(ctx, r, orgID, id)
		if err != nil {
			return err
		}
		if err := deleteCheckIns(ctx, r, orgID, `item_type = 'initiative' AND item_id = ?`, id); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `DELETE FROM initiatives WHERE id = ? AND org_id = ?`, id, orgID); err != nil {
			return err
		}
		if err := deleteAttached(ctx, r, orgID, `item_type = 'initiative' AND item_id = ?`, id); err != nil {
			return err
		}
		return auditDiff(ctx, r, orgID, before.Parent, cairn.Ref{Type: cairn.ItemInitiative, ID: id}, before, nil, db.stamp())
	})
}
