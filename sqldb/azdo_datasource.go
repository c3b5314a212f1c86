package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cairn-okr/cairn"
)

const dataSourceColumns = `d.id, d.org_id, d.connection_id, d.target_type, d.key_result_id, d.initiative_id, d.method,
	d.query_id, d.query_name, d.work_item_type, d.work_item_ids, d.progress_type, d.measure, d.count_total,
	d.resolved_is_complete, d.paused, d.created_by, d.value, d.item_count, d.measured_count, d.complete_count,
	d.complete_measure, d.total_measure, d.warning, d.error_kind, d.error_message, d.error_guidance, d.error_at,
	d.last_attempt_at, d.last_success_at, d.created_at, d.updated_at`

func scanDataSource(s interface{ Scan(...any) error }, extra ...any) (*cairn.DataSource, error) {
	var d cairn.DataSource
	var kr, in, createdBy sql.NullInt64
	var value sql.NullFloat64
	var ids, ekind, emsg, eguide string
	var eat, attempt, success sql.NullTime
	dest := []any{&d.ID, &d.OrgID, &d.ConnectionID, &d.Target.Type, &kr, &in, &d.Method, &d.QueryID, &d.QueryName,
		&d.WorkItemType, &ids, &d.ProgressType, &d.Measure, &d.CountTotal, &d.ResolvedIsComplete, &d.Paused, &createdBy,
		&value, &d.ItemCount, &d.MeasuredCount, &d.CompleteCount, &d.CompleteMeasure, &d.TotalMeasure, &d.Warning,
		&ekind, &emsg, &eguide, &eat, &attempt, &success, &d.CreatedAt, &d.UpdatedAt}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if kr.Valid {
		d.Target.ID = kr.Int64
	} else {
		d.Target.ID = in.Int64
	}
	d.WorkItemIDs = parseIntList(ids)
	d.CreatedBy = int64Ptr(createdBy)
	d.Value = floatPtr(value)
	if ekind != "" {
		d.Error = &cairn.SyncError{Kind: ekind, Message: emsg, Guidance: eguide}
		if eat.Valid {
			d.Error.At = eat.Time.UTC()
		}
	}
	d.LastAttemptAt, d.LastSuccessAt = timePtr(attempt), timePtr(success)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

// targetColumns returns the key_result_id and initiative_id columns of a target.
func targetColumns(t cairn.Target) (kr, in any) {
	if t.Type == cairn.TargetKeyResult {
		return t.ID, nil
	}
	return nil, t.ID
}

// CreateDataSource stores a data source, hands its target to Azure DevOps (a key result's
// progress source becomes data_source; a manual initiative becomes a tasks initiative for
// the tasks target), marks the target's re-bind entry done and runs hook, in one
// transaction.
func (db *DB) CreateDataSource(ctx context.Context, d *cairn.DataSource, hook cairn.TxHook) error {
	if err := d.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	d.CreatedAt, d.UpdatedAt = now, now
	kr, in := targetColumns(d.Target)
	return db.txHook(ctx, "create data source", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM azdo_connections WHERE id = ? AND org_id = ?`, d.ConnectionID, d.OrgID)
		if err != nil {
			return err
		}
		if !ok {
			return cairn.FieldError("connection_id", "connection %d not found in this organization", d.ConnectionID)
		}
		switch d.Target.Type {
		case cairn.TargetKeyResult:
			n, err := r.affected(ctx, `UPDATE key_results SET progress_source = 'data_source' WHERE id = ? AND org_id = ?`, d.Target.ID, d.OrgID)
			if err != nil {
				return err
			}
			if n == 0 {
				return cairn.FieldError("target.id", "key result %d not found in this organization", d.Target.ID)
			}
		case cairn.TargetInitiativeTasks:
			n, err := r.affected(ctx, `UPDATE initiatives SET progress_mode = 'tasks' WHERE id = ? AND org_id = ? AND progress_mode <> 'metric'`, d.Target.ID, d.OrgID)
			if err != nil {
				return err
			}
			if n == 0 {
				return cairn.FieldError("target.id", "initiative %d not found in this organization, or it measures a metric", d.Target.ID)
			}
		case cairn.TargetInitiativeMetric:
			ok, err := r.exists(ctx, `SELECT 1 FROM initiatives WHERE id = ? AND org_id = ? AND progress_mode = 'metric'`, d.Target.ID, d.OrgID)
			if err != nil {
				return err
			}
			if !ok {
				return cairn.FieldError("target.id", "initiative %d not found in this organization, or it has no metric", d.Target.ID)
			}
		}
		err = r.queryRow(ctx, `INSERT INTO azdo_data_sources (org_id, connection_id, target_type, key_result_id, initiative_id,
			method, query_id, query_name, work_item_type, work_item_ids, progress_type, measure, count_total, resolved_is_complete,
			paused, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.OrgID, d.ConnectionID, d.Target.Type, kr, in, d.Method, d.QueryID, d.QueryName, d.WorkItemType,
			intList(d.WorkItemIDs), d.ProgressType, d.Measure, d.CountTotal, d.ResolvedIsComplete, d.Paused,
			nullInt(d.CreatedBy), now, now).Scan(&d.ID)
		if kind, _ := violation(err); kind == violUnique {
			return &cairn.Error{Code: cairn.ECONFLICT, Field: "target.id", Message: "this item is connected to Azure DevOps already: change or delete its data source"}
		}
		if err != nil {
			return err
		}
		if err := auditDiff(ctx, r, d.OrgID, d.Target.Ref(), cairn.Ref{Type: cairn.ItemDataSource, ID: d.ID}, nil, d, now); err != nil {
			return err
		}
		return rebindDone(ctx, r, d.OrgID, d.Target.Ref(), now)
	}, hook)
}

// DataSourceByID returns a data source of the organization.
func (db *DB) DataSourceByID(ctx context.Context, orgID, id int64) (*cairn.DataSource, error) {
	d, err := scanDataSource(db.read().queryRow(ctx, `SELECT `+dataSourceColumns+` FROM azdo_data_sources d WHERE d.id = ? AND d.org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("data source", id)
	}
	return d, db.wrap("data source by id", err)
}

// DataSourceForTarget returns the data source bound to a key result or an initiative.
func (db *DB) DataSourceForTarget(ctx context.Context, orgID int64, target cairn.Ref) (*cairn.DataSource, error) {
	col := "d.key_result_id"
	if target.Type == cairn.ItemInitiative {
		col = "d.initiative_id"
	} else if target.Type != cairn.ItemKeyResult {
		return nil, cairn.FieldError("item.type", "only key results and initiatives have data sources")
	}
	d, err := scanDataSource(db.read().queryRow(ctx, `SELECT `+dataSourceColumns+` FROM azdo_data_sources d WHERE `+col+` = ? AND d.org_id = ?`, target.ID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("data source of "+string(target.Type), target.ID)
	}
	return d, db.wrap("data source for target", err)
}

// ListDataSources lists data sources of an organization or of a connection, oldest first.
func (db *DB) ListDataSources(ctx context.Context, f cairn.DataSourceFilter) ([]*cairn.DataSource, error) {
	q := `SELECT ` + dataSourceColumns + ` FROM azdo_data_sources d WHERE 1 = 1`
	var args []any
	if f.OrgID == 0 && f.ConnectionID == 0 {
		return nil, cairn.FieldError("org_id", "org_id or connection_id is required")
	}
	if f.OrgID != 0 {
		q += ` AND d.org_id = ?`
		args = append(args, f.OrgID)
	}
	if f.ConnectionID != 0 {
		q += ` AND d.connection_id = ?`
		args = append(args, f.ConnectionID)
	}
	rows, err := db.read().query(ctx, q+` ORDER BY d.id`, args...)
	if err != nil {
		return nil, db.wrap("list data sources", err)
	}
	defer rows.Close()
	out := []*cairn.DataSource{}
	for rows.Next() {
		d, err := scanDataSource(rows)
		if err != nil {
			return nil, db.wrap("list data sources", err)
		}
		out = append(out, d)
	}
	return out, db.wrap("list data sources", rows.Err())
}

// UpdateDataSource stores a data source's configuration and paused flag and runs hook in
// the same transaction. The target never changes.
func (db *DB) UpdateDataSource(ctx context.Context, d *cairn.DataSource, hook cairn.TxHook) error {
	if err := d.Validate(); err != nil {
		return err
	}
	d.UpdatedAt = db.stamp()
	return db.txHook(ctx, "update data source", func(r runner) error {
		before, err := scanDataSource(r.queryRow(ctx, `SELECT `+dataSourceColumns+` FROM azdo_data_sources d WHERE d.id = ? AND d.org_id = ?`, d.ID, d.OrgID))
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("data source", d.ID)
		}
		if err != nil {
			return err
		}
		n, err := r.affected(ctx, `UPDATE azdo_data_sources SET method = ?, query_id = ?, query_name = ?, work_item_type = ?,
			work_item_ids = ?, progress_type = ?, measure = ?, count_total = ?, resolved_is_complete = ?, paused = ?, updated_at = ?
			WHERE id = ? AND org_id = ?`,
			d.Method, d.QueryID, d.QueryName, d.WorkItemType, intList(d.WorkItemIDs), d.ProgressType, d.Measure, d.CountTotal,
			d.ResolvedIsComplete, d.Paused, d.UpdatedAt, d.ID, d.OrgID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("data source", d.ID)
		}
		// The target and connection never change here, whatever d says.
		after := *d
		after.Target, after.ConnectionID = before.Target, before.ConnectionID
		return auditDiff(ctx, r, d.OrgID, before.Target.Ref(), cairn.Ref{Type: cairn.ItemDataSource, ID: d.ID}, before, &after, d.UpdatedAt)
	}, hook)
}

// releaseTargets gives the targets of the data sources matching where back to manual
// check-ins and removes synced initiative tasks.
func releaseTargets(ctx context.Context, r runner, where string, args ...any) error {
	if _, err := r.exec(ctx, `UPDATE key_results SET progress_source = 'manual' WHERE progress_source = 'data_source'
		AND id IN (SELECT key_result_id FROM azdo_data_sources WHERE `+where+`)`, args...); err != nil {
		return err
	}
	_, err := r.exec(ctx, `DELETE FROM initiative_tasks WHERE initiative_id IN (SELECT initiative_id FROM azdo_data_sources WHERE `+where+`)`, args...)
	return err
}

// DeleteDataSource deletes a data source; its target goes back to manual check-ins and an
// initiative's synced tasks are removed. Check-ins stay as history.
func (db *DB) DeleteDataSource(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete data source", func(r runner) error {
		before, err := scanDataSource(r.queryRow(ctx, `SELECT `+dataSourceColumns+` FROM azdo_data_sources d WHERE d.id = ? AND d.org_id = ?`, id, orgID))
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("data source", id)
		}
		if err != nil {
			return err
		}
		ref := cairn.Ref{Type: cairn.ItemDataSource, ID: id}
		if err := auditDiff(ctx, r, orgID, before.Target.Ref(), ref, before, nil, db.stamp()); err != nil {
			return err
		}
		if err := releaseTargets(ctx, r, `id = ? AND org_id = ?`, id, orgID); err != nil {
			return err
		}
		n, err := r.affected(ctx, `DELETE FROM azdo_data_sources WHERE id = ? AND org_id = ?`, id, orgID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("data source", id)
		}
		return nil
	})
}

// CheckInAndPause stores a check-in and, when pause is set, pauses the item's data source,
// in one transaction.
func (db *DB) CheckInAndPause(ctx context.Context, c *cairn.CheckIn, pause bool) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.stamp()
	}
	c.CreatedAt = clean(c.CreatedAt)
	return db.tx(ctx, "check in and pause", func(r runner) error {
		if err := recordCheckIn(ctx, r, c); err != nil {
			return err
		}
		if !pause {
			return nil
		}
		col := "d.key_result_id"
		if c.Item.Type == cairn.ItemInitiative {
			col = "d.initiative_id"
		}
		before, err := scanDataSource(r.queryRow(ctx, `SELECT `+dataSourceColumns+` FROM azdo_data_sources d WHERE `+col+` = ? AND d.org_id = ?`,
			c.Item.ID, c.OrgID))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && before.Paused) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := r.exec(ctx, `UPDATE azdo_data_sources SET paused = ?, updated_at = ? WHERE id = ?`, true, c.CreatedAt, before.ID); err != nil {
			return err
		}
		after := *before
		after.Paused = true
		ref := cairn.Ref{Type: cairn.ItemDataSource, ID: before.ID}
		return auditDiff(ctx, r, c.OrgID, c.Item, ref, before, &after, c.CreatedAt)
	})
}

// insertCheckIn stores a check-in and sets its item's current value (and a pending
// baseline, see setCheckedIn), inside a transaction.
func insertCheckIn(ctx context.Context, r runner, c *cairn.CheckIn) error {
	ok, err := setCheckedIn(ctx, r, c.Item, c.OrgID, c.Value, c.CreatedAt)
	if err != nil {
		return err
	}
	if !ok {
		return cairn.NotFound(itemKind(c.Item.Type), c.Item.ID)
	}
	return insertCheckInRow(ctx, r, c)
}
