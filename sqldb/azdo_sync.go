package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// SyncPlan loads a connection with its data sources, their targets, the cached state
// categories and the revision of every mirrored item, in one read snapshot. The
// revisions are left out when heldMirror is the connection's mirror version.
func (db *DB) SyncPlan(ctx context.Context, connectionID int64, heldMirror int64) (*cairn.SyncPlan, error) {
	p := &cairn.SyncPlan{}
	err := db.snapshot(ctx, "sync plan", func(r runner) error {
		c, err := scanConnection(r.queryRow(ctx, `SELECT `+connectionColumns+` FROM azdo_connections WHERE id = ?`, connectionID))
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("connection", connectionID)
		}
		if err != nil {
			return err
		}
		p.Connection = c
		oi := &cairn.OrgIntegration{OrgID: c.OrgID, SyncIntervalMinutes: 60}
		err = r.queryRow(ctx, `SELECT enabled, sync_interval_minutes, updated_at FROM azdo_org_settings WHERE org_id = ?`, c.OrgID).
			Scan(&oi.Enabled, &oi.SyncIntervalMinutes, &oi.UpdatedAt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		p.Integration = oi
		var v string
		err = r.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, cairn.TenantIntegrationSetting).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		p.TenantEnabled = v == "true"
		oi.TenantEnabled, oi.Active = p.TenantEnabled, p.TenantEnabled && oi.Enabled

		rows, err := r.query(ctx, `SELECT `+dataSourceColumns+`,
				COALESCE(k.metric_kind, i.metric_kind, ''), COALESCE(k.current_value, i.current_value, 0),
				CASE WHEN kp.closed_at IS NOT NULL OR ip.closed_at IS NOT NULL THEN 1 ELSE 0 END
			FROM azdo_data_sources d
			LEFT JOIN key_results k ON k.id = d.key_result_id
			LEFT JOIN objectives ko ON ko.id = k.objective_id
			LEFT JOIN periods kp ON kp.id = ko.period_id
			LEFT JOIN initiatives i ON i.id = d.initiative_id
			LEFT JOIN key_results ik ON ik.id = i.parent_key_result_id
			LEFT JOIN objectives iko ON iko.id = ik.objective_id
			LEFT JOIN objectives io ON io.id = i.parent_objective_id
			LEFT JOIN periods ip ON ip.id = COALESCE(iko.period_id, io.period_id)
			WHERE d.connection_id = ? ORDER BY d.id`, connectionID)
		if err != nil {
			return err
		}
		byID := map[int64]*cairn.PlannedSource{}
		for rows.Next() {
			ps := &cairn.PlannedSource{}
			var kind string
			var closed int
			d, err := scanDataSource(rows, &kind, &ps.Current, &closed)
			if err != nil {
				rows.Close()
				return err
			}
			ps.DataSource, ps.MetricKind, ps.PeriodClosed = d, cairn.MetricKind(kind), closed == 1
			if d.Target.Type == cairn.TargetInitiativeTasks {
				ps.MetricKind = ""
			}
			p.Sources = append(p.Sources, ps)
			byID[d.ID] = ps
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = r.query(ctx, `SELECT data_source_id, work_item_id FROM azdo_memberships WHERE connection_id = ? ORDER BY data_source_id, work_item_id`, connectionID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ds int64
			var id int
			if err := rows.Scan(&ds, &id); err != nil {
				rows.Close()
				return err
			}
			if ps := byID[ds]; ps != nil {
				ps.Members = append(ps.Members, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = r.query(ctx, `SELECT work_item_type, state, category FROM azdo_state_categories WHERE connection_id = ?`, connectionID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sc cairn.StateCategory
			if err := rows.Scan(&sc.Type, &sc.State, &sc.Category); err != nil {
				rows.Close()
				return err
			}
			p.Categories = append(p.Categories, sc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		if heldMirror != 0 && heldMirror == c.MirrorVersion {
			return nil
		}
		p.MirrorRevs = map[int]int{}
		rows, err = r.query(ctx, `SELECT id, rev FROM azdo_work_items WHERE connection_id = ?`, connectionID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, rev int
			if err := rows.Scan(&id, &rev); err != nil {
				return err
			}
			p.MirrorRevs[id] = rev
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// MirrorItems returns mirrored work items of the connection: those with the given ids, or
// all of them when ids is nil.
func (db *DB) MirrorItems(ctx context.Context, connectionID int64, ids []int) ([]cairn.MirrorItem, error) {
	const cols = `id, rev, work_item_type, state, title, assigned_to, parent_id, url, fields`
	out := []cairn.MirrorItem{}
	scan := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var m cairn.MirrorItem
			var fields string
			if err := rows.Scan(&m.ID, &m.Rev, &m.Type, &m.State, &m.Title, &m.AssignedTo, &m.ParentID, &m.URL, &fields); err != nil {
				return err
			}
			if fields != "" && fields != "{}" {
				if err := json.Unmarshal([]byte(fields), &m.Fields); err != nil {
					return err
				}
			}
			out = append(out, m)
		}
		return rows.Err()
	}
	err := db.snapshot(ctx, "mirror items", func(r runner) error {
		if ids == nil {
			rows, err := r.query(ctx, `SELECT `+cols+` FROM azdo_work_items WHERE connection_id = ? ORDER BY id`, connectionID)
			if err != nil {
				return err
			}
			return scan(rows)
		}
		for _, chunk := range chunks(toInt64(ids), 500) {
			rows, err := r.query(ctx, `SELECT `+cols+` FROM azdo_work_items WHERE connection_id = ? AND id IN (`+placeholders(len(chunk))+`)`,
				append([]any{connectionID}, int64Args(chunk)...)...)
			if err != nil {
				return err
			}
			if err := scan(rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func toInt64(ids []int) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// ApplySync writes one connection sync in one transaction. Data sources deleted while the
// sync ran are skipped; a connection deleted meanwhile answers ENOTFOUND and writes nothing.
func (db *DB) ApplySync(ctx context.Context, w *cairn.SyncWrite) error {
	started, finished := clean(w.StartedAt), clean(w.FinishedAt)
	return db.tx(ctx, "apply sync", func(r runner) error {
		var wmTime any
		if w.WatermarkTime != nil {
			wmTime = clean(*w.WatermarkTime)
		}
		q := `UPDATE azdo_connections SET last_sync_at = ?`
		args := []any{started}
		w.MirrorVersionAfter = 0
		if len(w.Upserts) > 0 || len(w.Deletes) > 0 {
			q += `, mirror_version = mirror_version + 1`
		}
		if w.WatermarkToken != "" || w.WatermarkTime != nil {
			q += `, watermark_token = ?, watermark_time = ?`
			args = append(args, w.WatermarkToken, wmTime)
		}
		if w.MirrorFields != nil {
			q += `, mirror_fields = ?`
			args = append(args, joinList(w.MirrorFields))
		}
		if w.APIVersion != "" {
			q += `, api_version = ?`
			args = append(args, w.APIVersion)
		}
		// A sync that started before the last applied one read Azure DevOps earlier: it
		// must not overwrite newer values. (Replicas may sync one connection at once.)
		n, err := r.affected(ctx, q+` WHERE id = ? AND (last_sync_at IS NULL OR last_sync_at <= ?)`, append(args, w.ConnectionID, started)...)
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			if err := r.queryRow(ctx, `SELECT 1 FROM azdo_connections WHERE id = ?`, w.ConnectionID).Scan(&one); err == nil {
				return cairn.ErrSyncSuperseded
			}
			return cairn.NotFound("connection", w.ConnectionID)
		}
		var after int64
		if err := r.queryRow(ctx, `SELECT mirror_version FROM azdo_connections WHERE id = ?`, w.ConnectionID).Scan(&after); err != nil {
			return err
		}
		bump := int64(0)
		if len(w.Upserts) > 0 || len(w.Deletes) > 0 {
			bump = 1
		}
		if after == w.MirrorVersion+bump {
			w.MirrorVersionAfter = after
		}
		if w.ClearRequest {
			if _, err := r.exec(ctx, `UPDATE azdo_connections SET sync_requested_at = NULL WHERE id = ? AND sync_requested_at <= ?`,
				w.ConnectionID, started); err != nil {
				return err
			}
		}
		if err := applyMirror(ctx, r, w); err != nil {
			return err
		}
		live := map[int64]bool{}
		rows, err := r.query(ctx, `SELECT id FROM azdo_data_sources WHERE connection_id = ?`, w.ConnectionID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			live[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, s := range w.Sources {
			if !live[s.DataSourceID] {
				continue
			}
			if err := applySource(ctx, r, w.ConnectionID, s, started, finished); err != nil {
				return err
			}
		}
		return nil
	})
}

func applyMirror(ctx context.Context, r runner, w *cairn.SyncWrite) error {
	for _, chunk := range chunks(toInt64(w.Deletes), 500) {
		if _, err := r.exec(ctx, `DELETE FROM azdo_work_items WHERE connection_id = ? AND id IN (`+placeholders(len(chunk))+`)`,
			append([]any{w.ConnectionID}, int64Args(chunk)...)...); err != nil {
			return err
		}
	}
	const perRow = 10
	for start := 0; start < len(w.Upserts); start += 100 {
		end := min(start+100, len(w.Upserts))
		var b strings.Builder
		args := make([]any, 0, (end-start)*perRow)
		for i, m := range w.Upserts[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			fields := "{}"
			if len(m.Fields) > 0 {
				data, err := json.Marshal(m.Fields)
				if err != nil {
					return err
				}
				fields = string(data)
			}
			args = append(args, w.ConnectionID, m.ID, m.Rev, m.Type, m.State, m.Title, m.AssignedTo, m.ParentID, m.URL, fields)
		}
		if _, err := r.exec(ctx, `INSERT INTO azdo_work_items (connection_id, id, rev, work_item_type, state, title, assigned_to, parent_id, url, fields)
			VALUES `+b.String()+` ON CONFLICT (connection_id, id) DO UPDATE SET rev = excluded.rev, work_item_type = excluded.work_item_type,
			state = excluded.state, title = excluded.title, assigned_to = excluded.assigned_to, parent_id = excluded.parent_id,
			url = excluded.url, fields = excluded.fields`, args...); err != nil {
			return err
		}
	}
	for _, t := range w.CategoryTypes {
		if _, err := r.exec(ctx, `DELETE FROM azdo_state_categories WHERE connection_id = ? AND work_item_type = ?`, w.ConnectionID, t); err != nil {
			return err
		}
	}
	seen := map[[2]string]bool{}
	for _, sc := range w.Categories {
		k := [2]string{sc.Type, sc.State}
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, err := r.exec(ctx, `INSERT INTO azdo_state_categories (connection_id, work_item_type, state, category) VALUES (?, ?, ?, ?)
			ON CONFLICT (connection_id, work_item_type, state) DO UPDATE SET category = excluded.category`,
			w.ConnectionID, sc.Type, sc.State, sc.Category); err != nil {
			return err
		}
	}
	return nil
}

func applySource(ctx context.Context, r runner, connectionID int64, s *cairn.SourceWrite, started, finished time.Time) error {
	for _, chunk := range chunks(toInt64(s.RemoveMembers), 500) {
		if _, err := r.exec(ctx, `DELETE FROM azdo_memberships WHERE data_source_id = ? AND work_item_id IN (`+placeholders(len(chunk))+`)`,
			append([]any{s.DataSourceID}, int64Args(chunk)...)...); err != nil {
			return err
		}
	}
	for _, chunk := range chunks(toInt64(s.AddMembers), 300) {
		var b strings.Builder
		args := make([]any, 0, 3*len(chunk))
		for i, id := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?)")
			args = append(args, s.DataSourceID, connectionID, id)
		}
		if _, err := r.exec(ctx, `INSERT INTO azdo_memberships (data_source_id, connection_id, work_item_id) VALUES `+b.String()+
			` ON CONFLICT (data_source_id, work_item_id) DO NOTHING`, args...); err != nil {
			return err
		}
	}
	var checkInID any
	if c := s.CheckIn; c != nil {
		// Two syncs of one connection racing (replicas, a follow-up) must not write the same
		// change twice: skip a check-in that the data source and its item already show.
		table, err := itemTable(c.Item.Type)
		if err != nil {
			return err
		}
		var prev sql.NullFloat64
		var cur float64
		if err := r.queryRow(ctx, `SELECT d.value, t.current_value FROM azdo_data_sources d, `+table+` t WHERE d.id = ? AND t.id = ?`,
			s.DataSourceID, c.Item.ID).Scan(&prev, &cur); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if prev.Valid && prev.Float64 == c.Value && cur == c.Value {
			s.CheckIn = nil
		}
	}
	if c := s.CheckIn; c != nil {
		if c.CreatedAt.IsZero() {
			c.CreatedAt = finished
		}
		c.CreatedAt = clean(c.CreatedAt)
		if err := insertCheckIn(ctx, r, c); err != nil {
			return err
		}
		checkInID = c.ID
	}
	if s.Tasks != nil && s.Target.Type == cairn.TargetInitiativeTasks {
		if err := replaceTasks(ctx, r, s.Target.ID, s.Tasks); err != nil {
			return err
		}
	}
	switch {
	case s.Success != nil:
		st := s.Success
		if _, err := r.exec(ctx, `UPDATE azdo_data_sources SET value = ?, item_count = ?, measured_count = ?, complete_count = ?,
			complete_measure = ?, total_measure = ?, warning = ?, error_kind = '', error_message = '', error_guidance = '',
			error_at = NULL, last_attempt_at = ?, last_success_at = ? WHERE id = ?`,
			st.Value, st.ItemCount, st.MeasuredCount, st.CompleteCount, st.CompleteMeasure, st.TotalMeasure, st.Warning,
			started, finished, s.DataSourceID); err != nil {
			return err
		}
	case s.Error != nil:
		e := s.Error
		if _, err := r.exec(ctx, `UPDATE azdo_data_sources SET error_kind = ?, error_message = ?, error_guidance = ?, error_at = ?,
			last_attempt_at = ? WHERE id = ?`, e.Kind, e.Message, e.Guidance, clean(e.At), started, s.DataSourceID); err != nil {
			return err
		}
	}
	if run := s.Run; run != nil {
		calls, err := json.Marshal(run.APICalls)
		if err != nil {
			return err
		}
		var ek, em, eg string
		if run.Error != nil {
			ek, em, eg = run.Error.Kind, run.Error.Message, run.Error.Guidance
		}
		if err := r.queryRow(ctx, `INSERT INTO azdo_sync_runs (data_source_id, trigger_kind, started_at, finished_at, api_calls, api_call_count,
			items_fetched, item_count, value_before, value_after, check_in_id, error_kind, error_message, error_guidance)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.DataSourceID, run.Trigger, started, finished, string(calls), run.APICallCount, run.ItemsFetched, run.ItemCount,
			nullFloat(run.ValueBefore), nullFloat(run.ValueAfter), checkInID, ek, em, eg).Scan(&run.ID); err != nil {
			return err
		}
		if run.ID%100 == 0 {
			// Keep the newest runs of each data source; the log is for audit, not forever.
			if _, err := r.exec(ctx, `DELETE FROM azdo_sync_runs WHERE data_source_id = ? AND id <= ?`, s.DataSourceID, run.ID-int64(maxRunsKept)*4); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxRunsKept is roughly how many runs per data source the log keeps; older ones are
// pruned now and then.
const maxRunsKept = 1000

func replaceTasks(ctx context.Context, r runner, initiativeID int64, tasks []*cairn.Task) error {
	if _, err := r.exec(ctx, `DELETE FROM initiative_tasks WHERE initiative_id = ?`, initiativeID); err != nil {
		return err
	}
	const perRow = 11
	for start := 0; start < len(tasks); start += 80 {
		end := min(start+80, len(tasks))
		var b strings.Builder
		args := make([]any, 0, (end-start)*perRow)
		for i, t := range tasks[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			var parent any
			if t.ParentID != nil {
				parent = *t.ParentID
			}
			args = append(args, initiativeID, t.WorkItemID, start+i, t.Title, t.Type, t.State, t.StateCategory, t.AssignedTo, parent, t.Measure, t.URL)
		}
		if _, err := r.exec(ctx, `INSERT INTO initiative_tasks (initiative_id, work_item_id, position, title, work_item_type, state,
			state_category, assigned_to, parent_id, measure, url) VALUES `+b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// ListTasks lists an initiative's synced tasks in display order.
func (db *DB) ListTasks(ctx context.Context, orgID, initiativeID int64) ([]*cairn.Task, error) {
	out := []*cairn.Task{}
	err := db.snapshot(ctx, "list tasks", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM initiatives WHERE id = ? AND org_id = ?`, initiativeID, orgID)
		if err != nil || !ok {
			return notFoundOr(err, "initiative", initiativeID)
		}
		rows, err := r.query(ctx, `SELECT work_item_id, title, work_item_type, state, state_category, assigned_to, parent_id, measure, url
			FROM initiative_tasks WHERE initiative_id = ? ORDER BY position`, initiativeID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t := &cairn.Task{}
			var parent sql.NullInt64
			if err := rows.Scan(&t.WorkItemID, &t.Title, &t.Type, &t.State, &t.StateCategory, &t.AssignedTo, &parent, &t.Measure, &t.URL); err != nil {
				return err
			}
			if parent.Valid {
				p := int(parent.Int64)
				t.ParentID = &p
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListSyncRuns lists a data source's sync log, newest first; a limit of 0 means 100.
func (db *DB) ListSyncRuns(ctx context.Context, orgID, dataSourceID int64, limit int) ([]*cairn.SyncRun, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	out := []*cairn.SyncRun{}
	err := db.snapshot(ctx, "list sync runs", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM azdo_data_sources WHERE id = ? AND org_id = ?`, dataSourceID, orgID)
		if err != nil || !ok {
			return notFoundOr(err, "data source", dataSourceID)
		}
		rows, err := r.query(ctx, `SELECT id, data_source_id, trigger_kind, started_at, finished_at, api_calls, api_call_count,
			items_fetched, item_count, value_before, value_after, check_in_id, error_kind, error_message, error_guidance
			FROM azdo_sync_runs WHERE data_source_id = ? ORDER BY id DESC LIMIT ?`, dataSourceID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			run := &cairn.SyncRun{}
			var calls, ek, em, eg string
			var before, after sql.NullFloat64
			var checkIn sql.NullInt64
			if err := rows.Scan(&run.ID, &run.DataSourceID, &run.Trigger, &run.StartedAt, &run.FinishedAt, &calls, &run.APICallCount,
				&run.ItemsFetched, &run.ItemCount, &before, &after, &checkIn, &ek, &em, &eg); err != nil {
				return err
			}
			run.StartedAt, run.FinishedAt = run.StartedAt.UTC(), run.FinishedAt.UTC()
			if err := json.Unmarshal([]byte(calls), &run.APICalls); err != nil {
				return err
			}
			run.ValueBefore, run.ValueAfter, run.CheckInID = floatPtr(before), floatPtr(after), int64Ptr(checkIn)
			if ek != "" {
				run.Error = &cairn.SyncError{Kind: ek, Message: em, Guidance: eg, At: run.FinishedAt}
			}
			out = append(out, run)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Alignment returns the data sources of connections to the organization URL and project
// (name or id) whose item set contains the work item.
func (db *DB) Alignment(ctx context.Context, orgURL, project string, workItemID int) ([]*cairn.AlignedSource, error) {
	u, err := cairn.NormalizeOrgURL(orgURL)
	if err != nil {
		return nil, err
	}
	rows, err := db.read().query(ctx, `SELECT d.id, d.org_id, o.slug, o.name, d.connection_id, d.target_type,
			COALESCE(d.key_result_id, d.initiative_id), d.progress_type, COALESCE(w.work_item_type, '')
		FROM azdo_connections c
		JOIN azdo_memberships m ON m.connection_id = c.id AND m.work_item_id = ?
		JOIN azdo_data_sources d ON d.id = m.data_source_id
		JOIN orgs o ON o.id = d.org_id
		LEFT JOIN azdo_work_items w ON w.connection_id = c.id AND w.id = m.work_item_id
		WHERE lower(c.organization_url) = lower(?) AND (lower(c.project) = lower(?) OR lower(c.project_id) = lower(?))
		ORDER BY d.org_id, d.id`, workItemID, u, project, project)
	if err != nil {
		return nil, db.wrap("alignment", err)
	}
	defer rows.Close()
	out := []*cairn.AlignedSource{}
	for rows.Next() {
		a := &cairn.AlignedSource{}
		var typ string
		if err := rows.Scan(&a.DataSourceID, &a.OrgID, &a.OrgSlug, &a.OrgName, &a.ConnectionID, &a.Target.Type, &a.Target.ID, &a.ProgressType, &typ); err != nil {
			return nil, db.wrap("alignment", err)
		}
		a.Measured = a.ProgressType == cairn.ProgressAll || strings.EqualFold(a.ProgressType, typ)
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].OrgID < out[j].OrgID })
	return out, db.wrap("alignment", rows.Err())
}
