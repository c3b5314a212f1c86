package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/cairn-okr/cairn"
)

// objectiveColumns leaves out the parents, which live in alignments (loadParents); the
// objectives' own parent columns are no longer used.
const objectiveColumns = `o.id, o.org_id, o.period_id, o.team_id, o.title, o.description, o.level, o.aspirational,
	o.weight, o.score, o.created_at, o.updated_at, o.stated_status, o.closed_at, ` + objectiveClosingColumns

// objectiveClosingColumns are an objective's closing status and its carry-forward links
// both ways; the copy that a later period holds is the first one.
const objectiveClosingColumns = `o.closing_status, o.carried_from_id,
	(SELECT MIN(oc.id) FROM objectives oc WHERE oc.carried_from_id = o.id)`

func scanObjective(s interface{ Scan(...any) error }) (*cairn.Objective, error) {
	var o cairn.Objective
	var team sql.NullInt64
	var score sql.NullFloat64
	var from, to sql.NullInt64
	var closed sql.NullTime
	err := s.Scan(&o.ID, &o.OrgID, &o.PeriodID, &team, &o.Title, &o.Description, &o.Level, &o.Aspirational,
		&o.Weight, &score, &o.CreatedAt, &o.UpdatedAt, &o.StatedStatus, &closed, &o.ClosingStatus, &from, &to)
	if err != nil {
		return nil, err
	}
	o.ClosedAt = timePtr(closed)
	o.TeamID, o.Score = int64Ptr(team), floatPtr(score)
	o.Parents = []cairn.Alignment{}
	o.CarriedFromID, o.CarriedToID = int64Ptr(from), int64Ptr(to)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	o.OwnerIDs, o.EditorIDs = []int64{}, []int64{}
	return &o, nil
}

func scanObjectives(rows *sql.Rows) ([]*cairn.Objective, error) {
	defer rows.Close()
	out := []*cairn.Objective{}
	for rows.Next() {
		o, err := scanObjective(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// checkObjectiveRefs checks that the period, team and parents of o belong to o's
// organization, and that the parents close no cycle of alignments.
func checkObjectiveRefs(ctx context.Context, r runner, o *cairn.Objective) error {
	if ok, err := r.exists(ctx, `SELECT 1 FROM periods WHERE id = ? AND org_id = ?`, o.PeriodID, o.OrgID); err != nil || !ok {
		if err != nil {
			return err
		}
		return cairn.FieldError("period_id", "period %d does not exist", o.PeriodID)
	}
	if o.TeamID != nil {
		if ok, err := r.exists(ctx, `SELECT 1 FROM teams WHERE id = ? AND org_id = ?`, *o.TeamID, o.OrgID); err != nil || !ok {
			if err != nil {
				return err
			}
			return cairn.FieldError("team_id", "team %d does not exist", *o.TeamID)
		}
	}
	f := o.ParentsField()
	return checkParents(ctx, r, o.OrgID, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, f, f == "parent", o.Parents)
}

// setObjectivePeople replaces an objective's owners and editors; a new objective, fresh,
// has none to delete.
func setObjectivePeople(ctx context.Context, r runner, o *cairn.Objective, fresh bool) error {
	if !fresh {
		if _, err := r.exec(ctx, `DELETE FROM objective_people WHERE objective_id = ?`, o.ID); err != nil {
			return err
		}
	}
	const q = `INSERT INTO objective_people (objective_id, user_id, role) VALUES `
	if err := insertPairs(ctx, r, q, o.ID, o.OwnerIDs, "owner"); err != nil {
		return peopleError(err, "owner_ids")
	}
	if err := insertPairs(ctx, r, q, o.ID, o.EditorIDs, "editor"); err != nil {
		return peopleError(err, "editor_ids")
	}
	o.OwnerIDs, o.EditorIDs = sortedIDs(o.OwnerIDs), sortedIDs(o.EditorIDs)
	return nil
}

func peopleError(err error, field string) error {
	if kind, _ := violation(err); kind == violForeign {
		return cairn.FieldError(field, "a listed user does not exist")
	}
	return err
}

// CreateObjective stores an objective with its owners and editors, and records it in the
// audit trail. Its period, team and parent must belong to the same organization.
func (db *DB) CreateObjective(ctx context.Context, o *cairn.Objective) error {
	if err := o.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "create objective", func(r runner) error {
		if err := insertObjective(ctx, r, o, now); err != nil {
			return err
		}
		ref := cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}
		return auditDiff(ctx, r, o.OrgID, ref, ref, nil, o, now)
	})
}

// insertObjective stores a validated objective with its owners and editors.
func insertObjective(ctx context.Context, r runner, o *cairn.Objective, now time.Time) error {
	o.ID = 0
	if err := checkObjectiveRefs(ctx, r, o); err != nil {
		return err
	}
	err := r.queryRow(ctx, `INSERT INTO objectives (org_id, period_id, team_id, title, description, level,
		aspirational, weight, score, created_at, updated_at, closing_status, carried_from_id, stated_status, closed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.OrgID, o.PeriodID, nullInt(o.TeamID), o.Title, o.Description, o.Level, o.Aspirational,
		o.Weight, nullFloat(o.Score), now, now, o.ClosingStatus, nullInt(o.CarriedFromID), o.StatedStatus, nullTime(o.ClosedAt)).Scan(&o.ID)
	if err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt = now, now
	if err := setParents(ctx, r, o.OrgID, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, o.Parents, true); err != nil {
		return err
	}
	return setObjectivePeople(ctx, r, o, true)
}

// ObjectiveByID returns an objective of the organization with its owners and editors.
func (db *DB) ObjectiveByID(ctx context.Context, orgID, id int64) (*cairn.Objective, error) {
	var o *cairn.Objective
	err := db.snapshot(ctx, "objective by id", func(r runner) error {
		var err error
		o, err = objectiveByID(ctx, r, orgID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func objectiveByID(ctx context.Context, r runner, orgID, id int64) (*cairn.Objective, error) {
	o, err := scanObjective(r.queryRow(ctx, `SELECT `+objectiveColumns+` FROM objectives o WHERE o.id = ? AND o.org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("objective", id)
	}
	if err != nil {
		return nil, err
	}
	err = loadObjectivePeople(ctx, r, []*cairn.Objective{o},
		`SELECT objective_id, user_id, role FROM objective_people WHERE objective_id = ?`, id)
	if err != nil {
		return nil, err
	}
	err = loadParents(ctx, r, []*cairn.Objective{o}, nil,
		`SELECT `+alignmentColumns+` FROM alignments a WHERE a.child_objective_id = ? ORDER BY a.position`, id)
	return o, err
}

// loadObjectivePeople runs a query of (objective_id, user_id, role) rows and fills in the
// owners and editors of objs, sorted.
func loadObjectivePeople(ctx context.Context, r runner, objs []*cairn.Objective, q string, args ...any) error {
	byID := make(map[int64]*cairn.Objective, len(objs))
	for _, o := range objs {
		byID[o.ID] = o
	}
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var objID, userID int64
		var role string
		if err := rows.Scan(&objID, &userID, &role); err != nil {
			return err
		}
		o := byID[objID]
		if o == nil {
			continue
		}
		if role == "owner" {
			o.OwnerIDs = append(o.OwnerIDs, userID)
		} else {
			o.EditorIDs = append(o.EditorIDs, userID)
		}
	}
	for _, o := range objs {
		slices.Sort(o.OwnerIDs)
		slices.Sort(o.EditorIDs)
	}
	return rows.Err()
}

// ListObjectives lists the objectives that match the filter, oldest first. The filter
// must name the organization.
func (db *DB) ListObjectives(ctx context.Context, f cairn.ObjectiveFilter) ([]*cairn.Objective, error) {
	if f.OrgID <= 0 {
		return nil, cairn.FieldError("org_id", "org_id is required")
	}
	q := `SELECT ` + objectiveColumns + ` FROM objectives o WHERE o.org_id = ?`
	args := []any{f.OrgID}
	if f.PeriodID != 0 {
		q += ` AND o.period_id = ?`
		args = append(args, f.PeriodID)
	}
	if f.TeamID != 0 {
		q += ` AND o.team_id = ?`
		args = append(args, f.TeamID)
	}
	if f.ParentID != 0 {
		q += ` AND EXISTS (SELECT 1 FROM alignments a WHERE a.child_objective_id = o.id AND a.parent_objective_id = ?)`
		args = append(args, f.ParentID)
	}
	if f.OwnerID != 0 {
		q += ` AND EXISTS (SELECT 1 FROM objective_people p WHERE p.objective_id = o.id AND p.user_id = ? AND p.role = 'owner')`
		args = append(args, f.OwnerID)
	}
	q, args, err := db.limitOffset(q+` ORDER BY o.id`, args, f.Limit, f.Offset)
	if err != nil {
		return nil, err
	}
	var objs []*cairn.Objective
	err = db.snapshot(ctx, "list objectives", func(r runner) error {
		rows, err := r.query(ctx, q, args...)
		if err != nil {
			return err
		}
		if objs, err = scanObjectives(rows); err != nil {
			return err
		}
		for _, part := range chunks(objectiveIDs(objs), 500) {
			err := loadObjectivePeople(ctx, r, objs, `SELECT objective_id, user_id, role FROM objective_people
				WHERE objective_id IN (`+placeholders(len(part))+`)`, int64Args(part)...)
			if err != nil {
				return err
			}
			err = loadParents(ctx, r, objs, nil, `SELECT `+alignmentColumns+` FROM alignments a
				WHERE a.child_objective_id IN (`+placeholders(len(part))+`) ORDER BY a.child_objective_id, a.position`, int64Args(part)...)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return objs, nil
}

func objectiveIDs(objs []*cairn.Objective) []int64 {
	ids := make([]int64, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	return ids
}

// UpdateObjective stores an objective's fields, parents, score, closing status, owners and
// editors, and records what changed in the audit trail; the carry-forward links never
// change. Its period, team and parents must belong to the same organization, and its
// parents must not make a cycle.
func (db *DB) UpdateObjective(ctx context.Context, o *cairn.Objective) error {
	if err := o.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "update objective", func(r runner) error {
		before, err := objectiveByID(ctx, r, o.OrgID, o.ID)
		if err != nil {
			return err
		}
		if err := updateObjective(ctx, r, o, now); err != nil {
			return err
		}
		ref := cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}
		return auditDiff(ctx, r, o.OrgID, ref, ref, before, o, now)
	})
}

// updateObjective stores a validated objective's fields, owners and editors.
func updateObjective(ctx context.Context, r runner, o *cairn.Objective, now time.Time) error {
	if ok, err := r.exists(ctx, `SELECT 1 FROM objectives WHERE id = ? AND org_id = ?`, o.ID, o.OrgID); err != nil || !ok {
		return notFoundOr(err, "objective", o.ID)
	}
	if err := checkObjectiveRefs(ctx, r, o); err != nil {
		return err
	}
	_, err := r.exec(ctx, `UPDATE objectives SET period_id = ?, team_id = ?, title = ?, description = ?, level = ?,
		aspirational = ?, weight = ?, score = ?, updated_at = ?, closing_status = ?, stated_status = ?, closed_at = ?
		WHERE id = ?`,
		o.PeriodID, nullInt(o.TeamID), o.Title, o.Description, o.Level, o.Aspirational,
		o.Weight, nullFloat(o.Score), now, o.ClosingStatus, o.StatedStatus, nullTime(o.ClosedAt), o.ID)
	if err != nil {
		return err
	}
	o.UpdatedAt = now
	if err := setParents(ctx, r, o.OrgID, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, o.Parents, false); err != nil {
		return err
	}
	return setObjectivePeople(ctx, r, o, false)
}

// DeleteObjective deletes the objective with its key results, initiatives and their
// check-ins, and records the deletion in the history of its primary parent (its own when it
// aligned to nothing; the other parents' histories do not show it); the alignments to it or
// to its key results go with it.
func (db *DB) DeleteObjective(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete objective", func(r runner) error {
		before, err := objectiveByID(ctx, r, orgID, id)
		if err != nil {
			return err
		}
		err = deleteCheckIns(ctx, r, orgID, `(item_type = 'key_result' AND item_id IN (SELECT id FROM key_results WHERE objective_id = ?))
			OR (item_type = 'initiative' AND item_id IN (SELECT id FROM initiatives WHERE parent_objective_id = ?
				OR parent_key_result_id IN (SELECT id FROM key_results WHERE objective_id = ?)))`, id, id, id)
		if err != nil {
			return err
		}
		err = deleteAttached(ctx, r, orgID, `(item_type = 'objective' AND item_id = ?)
			OR (item_type = 'key_result' AND item_id IN (SELECT id FROM key_results WHERE objective_id = ?))
			OR (item_type = 'initiative' AND item_id IN (SELECT id FROM initiatives WHERE parent_objective_id = ?
				OR parent_key_result_id IN (SELECT id FROM key_results WHERE objective_id = ?)))`, id, id, id, id)
		if err != nil {
			return err
		}
		if _, err = r.exec(ctx, `DELETE FROM objectives WHERE id = ?`, id); err != nil {
			return err
		}
		self := cairn.Ref{Type: cairn.ItemObjective, ID: id}
		return auditDiff(ctx, r, orgID, deletedFrom(self, before.Parent), self, before, nil, db.stamp())
	})
}
