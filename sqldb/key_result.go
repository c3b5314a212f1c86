package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-okr/cairn"
)

const keyResultColumns = `k.id, k.org_id, k.objective_id, k.title, k.metric_kind, k.start_value, k.target_value,
	k.unit, k.current_value, k.progress_source, k.weight, k.score, k.last_check_in_at, k.created_at, k.updated_at,
	k.metric_goal, k.baseline_pending, k.milestones, k.description, k.closed_at, ` + keyResultClosingColumns

// keyResultClosingColumns are a key result's closing status and its carry-forward links
// both ways; a key result is carried forward at most once.
const keyResultClosingColumns = `k.closing_status, k.carried_from_id,
	(SELECT kc.id FROM key_results kc WHERE kc.carried_from_id = k.id)`

func scanKeyResult(s interface{ Scan(...any) error }) (*cairn.KeyResult, error) {
	var k cairn.KeyResult
	var score sql.NullFloat64
	var last sql.NullTime
	var milestones string
	var from, to sql.NullInt64
	var closed sql.NullTime
	err := s.Scan(&k.ID, &k.OrgID, &k.ObjectiveID, &k.Title, &k.Metric.Kind, &k.Metric.Start, &k.Metric.Target,
		&k.Metric.Unit, &k.Metric.Current, &k.ProgressSource, &k.Weight, &score, &last, &k.CreatedAt, &k.UpdatedAt,
		&k.Metric.Goal, &k.Metric.BaselinePending, &milestones, &k.Description, &closed, &k.ClosingStatus, &from, &to)
	if err != nil {
		return nil, err
	}
	k.ClosedAt = timePtr(closed)
	if k.Metric.Milestones, err = decodeMilestones(milestones); err != nil {
		return nil, fmt.Errorf("key result %d: %w", k.ID, err)
	}
	k.Score, k.LastCheckInAt = floatPtr(score), timePtr(last)
	k.CarriedFromID, k.CarriedToID = int64Ptr(from), int64Ptr(to)
	k.CreatedAt, k.UpdatedAt = k.CreatedAt.UTC(), k.UpdatedAt.UTC()
	k.OwnerIDs, k.EditorIDs, k.CheckInOwnerIDs = []int64{}, []int64{}, []int64{}
	k.Parents = []cairn.Alignment{}
	return &k, nil
}

func scanKeyResults(rows *sql.Rows) ([]*cairn.KeyResult, map[int64]*cairn.KeyResult, error) {
	defer rows.Close()
	out := []*cairn.KeyResult{}
	byID := map[int64]*cairn.KeyResult{}
	for rows.Next() {
		k, err := scanKeyResult(rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, k)
		byID[k.ID] = k
	}
	return out, byID, rows.Err()
}

// encodeMilestones writes milestones as the JSON array of the milestones column.
func encodeMilestones(ms []cairn.Milestone) (string, error) {
	if ms == nil {
		ms = []cairn.Milestone{}
	}
	b, err := json.Marshal(ms)
	return string(b), err
}

// decodeMilestones reads the milestones column; no milestones are nil.
func decodeMilestones(s string) ([]cairn.Milestone, error) {
	var ms []cairn.Milestone
	if err := json.Unmarshal([]byte(s), &ms); err != nil {
		return nil, fmt.Errorf("milestones %q: %w", s, err)
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return ms, nil
}

func checkKeyResultRefs(ctx context.Context, r runner, k *cairn.KeyResult) error {
	ok, err := r.exists(ctx, `SELECT 1 FROM objectives WHERE id = ? AND org_id = ?`, k.ObjectiveID, k.OrgID)
	if err != nil {
		return err
	}
	if !ok {
		return cairn.FieldError("objective_id", "objective %d does not exist", k.ObjectiveID)
	}
	return checkParents(ctx, r, k.OrgID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, "parents", false, k.Parents)
}

// setKeyResultOwners replaces a key result's owners; a new one, fresh, has none to delete.
func setKeyResultOwners(ctx context.Context, r runner, k *cairn.KeyResult, fresh bool) error {
	if !fresh {
		if _, err := r.exec(ctx, `DELETE FROM key_result_owners WHERE key_result_id = ?`, k.ID); err != nil {
			return err
		}
	}
	if err := insertPairs(ctx, r, `INSERT INTO key_result_owners (key_result_id, user_id) VALUES `, k.ID, k.OwnerIDs, ""); err != nil {
		return peopleError(err, "owner_ids")
	}
	k.OwnerIDs = sortedIDs(k.OwnerIDs)
	return nil
}

// CreateKeyResult stores a key result with its people under an objective of the same
// organization, and records it in the audit trail. The metric's current value is the
// starting current value.
func (db *DB) CreateKeyResult(ctx context.Context, k *cairn.KeyResult) error {
	if err := k.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "create key result", func(r runner) error {
		if err := insertKeyResult(ctx, r, k, now); err != nil {
			return err
		}
		ref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
		return auditDiff(ctx, r, k.OrgID, ref, ref, nil, k, now)
	})
}

// insertKeyResult stores a validated key result with its owners, editors and check-in
// owners.
func insertKeyResult(ctx context.Context, r runner, k *cairn.KeyResult, now time.Time) error {
	if err := checkKeyResultRefs(ctx, r, k); err != nil {
		return err
	}
	milestones, err := encodeMilestones(k.Metric.Milestones)
	if err != nil {
		return err
	}
	err = r.queryRow(ctx, `INSERT INTO key_results (org_id, objective_id, title, metric_kind, start_value,
		target_value, unit, current_value, progress_source, weight, score, last_check_in_at, created_at, updated_at,
		metric_goal, baseline_pending, milestones, closing_status, carried_from_id, description, closed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		k.OrgID, k.ObjectiveID, k.Title, k.Metric.Kind, k.Metric.Start, k.Metric.Target, k.Metric.Unit,
		k.Metric.Current, k.ProgressSource, k.Weight, nullFloat(k.Score), nullTime(k.LastCheckInAt), now, now,
		k.Metric.Goal, k.Metric.BaselinePending, milestones, k.ClosingStatus, nullInt(k.CarriedFromID),
		k.Description, nullTime(k.ClosedAt)).Scan(&k.ID)
	if kind, _ := violation(err); kind == violUnique && k.CarriedFromID != nil {
		return cairn.Errorf(cairn.ECONFLICT, "key result %d was carried forward already", *k.CarriedFromID)
	}
	if err != nil {
		return err
	}
	k.CreatedAt, k.UpdatedAt, k.LastCheckInAt = now, now, cleanPtr(k.LastCheckInAt)
	if err := setParents(ctx, r, k.OrgID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, k.Parents, true); err != nil {
		return err
	}
	if err := setKeyResultOwners(ctx, r, k, true); err != nil {
		return err
	}
	if err := setDelegates(ctx, r, cairn.ItemKeyResult, k.ID, k.EditorIDs, k.CheckInOwnerIDs, true); err != nil {
		return err
	}
	k.EditorIDs, k.CheckInOwnerIDs = sortedIDs(k.EditorIDs), sortedIDs(k.CheckInOwnerIDs)
	return nil
}

// KeyResultByID returns a key result of the organization with its people.
func (db *DB) KeyResultByID(ctx context.Context, orgID, id int64) (*cairn.KeyResult, error) {
	var k *cairn.KeyResult
	err := db.snapshot(ctx, "key result by id", func(r runner) error {
		var err error
		k, err = keyResultByID(ctx, r, orgID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

func keyResultByID(ctx context.Context, r runner, orgID, id int64) (*cairn.KeyResult, error) {
	k, err := scanKeyResult(r.queryRow(ctx, `SELECT `+keyResultColumns+` FROM key_results k WHERE k.id = ? AND k.org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("key result", id)
	}
	if err != nil {
		return nil, err
	}
	ps, err := loadPeople(ctx, r, peopleQuery(cairn.ItemKeyResult, "?"), id, id)
	if err != nil {
		return nil, err
	}
	setKeyResultPeople(map[int64]*cairn.KeyResult{id: k}, ps)
	err = loadParents(ctx, r, nil, []*cairn.KeyResult{k},
		`SELECT `+alignmentColumns+` FROM alignments a WHERE a.child_key_result_id = ? ORDER BY a.position`, id)
	return k, err
}

// ListKeyResults lists the key results that match the filter, oldest first. The filter
// must name the organization.
func (db *DB) ListKeyResults(ctx context.Context, f cairn.KeyResultFilter) ([]*cairn.KeyResult, error) {
	if f.OrgID <= 0 {
		return nil, cairn.FieldError("org_id", "org_id is required")
	}
	q := `SELECT ` + keyResultColumns + ` FROM key_results k WHERE k.org_id = ?`
	args := []any{f.OrgID}
	if f.ObjectiveID != 0 {
		q += ` AND k.objective_id = ?`
		args = append(args, f.ObjectiveID)
	}
	if f.PeriodID != 0 {
		q += ` AND k.objective_id IN (SELECT id FROM objectives WHERE period_id = ?)`
		args = append(args, f.PeriodID)
	}
	q, args, err := db.limitOffset(q+` ORDER BY k.id`, args, f.Limit, f.Offset)
	if err != nil {
		return nil, err
	}
	var krs []*cairn.KeyResult
	err = db.snapshot(ctx, "list key results", func(r runner) error {
		rows, err := r.query(ctx, q, args...)
		if err != nil {
			return err
		}
		var byID map[int64]*cairn.KeyResult
		if krs, byID, err = scanKeyResults(rows); err != nil {
			return err
		}
		ids := make([]int64, len(krs))
		for i, k := range krs {
			ids[i] = k.ID
		}
		for _, part := range chunks(ids, 500) {
			ps, err := loadPeople(ctx, r, peopleQuery(cairn.ItemKeyResult, placeholders(len(part))), twice(int64Args(part))...)
			if err != nil {
				return err
			}
			setKeyResultPeople(byID, ps)
			err = loadParents(ctx, r, nil, krs, `SELECT `+alignmentColumns+` FROM alignments a
				WHERE a.child_key_result_id IN (`+placeholders(len(part))+`) ORDER BY a.child_key_result_id, a.position`, int64Args(part)...)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return krs, nil
}

// UpdateKeyResult stores a key result's objective, title, metric definition (goal,
// baseline mark and milestones included), progress source, weight, parents, score, closing
// status, owners, editors and check-in owners, and records what changed in the audit trail;
// the carry-forward links never change. The current value and last check-in time change
// only through AddCheckIn, so that a stale copy cannot undo a check-in; only a change of the
// baseline mark sets the current value to the start, as creating the key result would have.
func (db *DB) UpdateKeyResult(ctx context.Context, k *cairn.KeyResult) error {
	if err := k.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "update key result", func(r runner) error {
		before, err := keyResultByID(ctx, r, k.OrgID, k.ID)
		if err != nil {
			return err
		}
		if err := updateKeyResult(ctx, r, k, now); err != nil {
			return err
		}
		if err := setDelegates(ctx, r, cairn.ItemKeyResult, k.ID, k.EditorIDs, k.CheckInOwnerIDs, false); err != nil {
			return err
		}
		k.EditorIDs, k.CheckInOwnerIDs = sortedIDs(k.EditorIDs), sortedIDs(k.CheckInOwnerIDs)
		ref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
		return auditDiff(ctx, r, k.OrgID, ref, ref, before, k, now)
	})
}

// updateKeyResult stores a validated key result's fields and owners; an import, which knows
// no editors or check-in owners, leaves those as they are.
func updateKeyResult(ctx context.Context, r runner, k *cairn.KeyResult, now time.Time) error {
	if err := checkKeyResultRefs(ctx, r, k); err != nil {
		return err
	}
	milestones, err := encodeMilestones(k.Metric.Milestones)
	if err != nil {
		return err
	}
	var wasPending bool
	err = r.queryRow(ctx, `SELECT baseline_pending FROM key_results WHERE id = ? AND org_id = ?`, k.ID, k.OrgID).Scan(&wasPending)
	if errors.Is(err, sql.ErrNoRows) {
		return cairn.NotFound("key result", k.ID)
	}
	if err != nil {
		return err
	}
	_, err = r.exec(ctx, `UPDATE key_results SET objective_id = ?, title = ?, metric_kind = ?, start_value = ?,
		target_value = ?, unit = ?, progress_source = ?, weight = ?, score = ?, updated_at = ?,
		metric_goal = ?, baseline_pending = ?, milestones = ?, closing_status = ?, description = ?, closed_at = ?
		WHERE id = ? AND org_id = ?`,
		k.ObjectiveID, k.Title, k.Metric.Kind, k.Metric.Start, k.Metric.Target, k.Metric.Unit, k.ProgressSource,
		k.Weight, nullFloat(k.Score), now, k.Metric.Goal, k.Metric.BaselinePending, milestones, k.ClosingStatus,
		k.Description, nullTime(k.ClosedAt), k.ID, k.OrgID)
	if err != nil {
		return err
	}
	if wasPending != k.Metric.BaselinePending {
		// A start given in place of a pending baseline is where the value stands until the
		// first check-in, as at creation; a baseline pending again has no value yet.
		if _, err := r.exec(ctx, `UPDATE key_results SET current_value = ? WHERE id = ?`, k.Metric.Start, k.ID); err != nil {
			return err
		}
	}
	err = r.queryRow(ctx, `SELECT current_value, last_check_in_at FROM key_results WHERE id = ?`, k.ID).
		Scan(&k.Metric.Current, optTime{&k.LastCheckInAt})
	if err != nil {
		return err
	}
	k.UpdatedAt = now
	if err := setParents(ctx, r, k.OrgID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, k.Parents, false); err != nil {
		return err
	}
	return setKeyResultOwners(ctx, r, k, false)
}

// DeleteKeyResult deletes a key result with its initiatives and their check-ins, and
// records the deletion in its objective's history; the alignments from and to it go with
// it.
func (db *DB) DeleteKeyResult(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete key result", func(r runner) error {
		before, err := keyResultByID(ctx, r, orgID, id)
		if err != nil {
			return err
		}
		err = deleteCheckIns(ctx, r, orgID, `(item_type = 'key_result' AND item_id = ?)
			OR (item_type = 'initiative' AND item_id IN (SELECT id FROM initiatives WHERE parent_key_result_id = ?))`, id, id)
		if err != nil {
			return err
		}
		err = deleteAttached(ctx, r, orgID, `(item_type = 'key_result' AND item_id = ?)
			OR (item_type = 'initiative' AND item_id IN (SELECT id FROM initiatives WHERE parent_key_result_id = ?))`, id, id)
		if err != nil {
			return err
		}
		if _, err = r.exec(ctx, `DELETE FROM key_results WHERE id = ?`, id); err != nil {
			return err
		}
		parent := cairn.Ref{Type: cairn.ItemObjective, ID: before.ObjectiveID}
		return auditDiff(ctx, r, orgID, parent, cairn.Ref{Type: cairn.ItemKeyResult, ID: id}, before, nil, db.stamp())
	})
}
