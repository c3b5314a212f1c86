package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

var _ cairn.IntegrationStore = (*DB)(nil)

// txHook runs fn and then hook in one write transaction. The hook gets the *sql.Tx, so
// that a job queue can insert its job in the same commit.
func (db *DB) txHook(ctx context.Context, op string, fn func(r runner) error, hook cairn.TxHook) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return db.wrap(op, err)
	}
	if err := fn(runner{db, tx}); err != nil {
		_ = tx.Rollback()
		return db.wrap(op, err)
	}
	if hook != nil {
		if err := hook(ctx, tx); err != nil {
			_ = tx.Rollback()
			return db.wrap(op, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return db.wrap(op, err)
	}
	return nil
}

// OrgIntegration returns the organization's integration settings; an organization that
// never set them gets the defaults (off, hourly).
func (db *DB) OrgIntegration(ctx context.Context, orgID int64) (*cairn.OrgIntegration, error) {
	o := &cairn.OrgIntegration{OrgID: orgID}
	err := db.read().queryRow(ctx, `SELECT enabled, sync_interval_minutes, updated_at FROM azdo_org_settings WHERE org_id = ?`, orgID).
		Scan(&o.Enabled, &o.SyncIntervalMinutes, &o.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		ok, err := db.read().exists(ctx, `SELECT 1 FROM orgs WHERE id = ?`, orgID)
		if err != nil {
			return nil, db.wrap("org integration", err)
		}
		if !ok {
			return nil, cairn.NotFound("organization", orgID)
		}
		o.SyncIntervalMinutes = int(cairn.DefaultSyncInterval / time.Minute)
		return o, nil
	}
	if err != nil {
		return nil, db.wrap("org integration", err)
	}
	o.UpdatedAt = o.UpdatedAt.UTC()
	return o, nil
}

// SetOrgIntegration stores the organization's integration settings.
func (db *DB) SetOrgIntegration(ctx context.Context, o *cairn.OrgIntegration) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = db.stamp()
	}
	o.UpdatedAt = clean(o.UpdatedAt)
	_, err := db.write().exec(ctx, `INSERT INTO azdo_org_settings (org_id, enabled, sync_interval_minutes, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET enabled = excluded.enabled, sync_interval_minutes = excluded.sync_interval_minutes, updated_at = excluded.updated_at`,
		o.OrgID, o.Enabled, o.SyncIntervalMinutes, o.UpdatedAt)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.NotFound("organization", o.OrgID)
	}
	return db.wrap("set org integration", err)
}

const connectionColumns = `id, org_id, owner_id, name, organization_url, project, project_id, visibility, auth_type,
	credential, hook_username, hook_secret_hash, hook_status, hook_subscriptions, hook_message, watermark_token,
	watermark_time, mirror_fields, sync_requested_at, last_sync_at, created_at, updated_at, api_version, deployment, mirror_version`

func scanConnection(s interface{ Scan(...any) error }) (*cairn.Connection, error) {
	var c cairn.Connection
	var subs, fields string
	var wm, req, last sql.NullTime
	err := s.Scan(&c.ID, &c.OrgID, &c.OwnerID, &c.Name, &c.OrganizationURL, &c.Project, &c.ProjectID, &c.Visibility,
		&c.AuthType, &c.Credential, &c.HookUsername, &c.HookSecretHash, &c.HookStatus, &subs, &c.HookMessage,
		&c.WatermarkToken, &wm, &fields, &req, &last, &c.CreatedAt, &c.UpdatedAt, &c.APIVersion, &c.Deployment, &c.MirrorVersion)
	if err != nil {
		return nil, err
	}
	c.HookSubscriptions = splitList(subs)
	c.MirrorFields = splitList(fields)
	c.WatermarkTime, c.SyncRequestedAt, c.LastSyncAt = timePtr(wm), timePtr(req), timePtr(last)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

func joinList(l []string) string { return strings.Join(l, "\n") }

// CreateConnection stores a new connection.
func (db *DB) CreateConnection(ctx context.Context, c *cairn.Connection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Credential == "" {
		return cairn.FieldError("auth", "the connection has no credential")
	}
	now := db.stamp()
	c.CreatedAt, c.UpdatedAt = now, now
	err := db.write().queryRow(ctx, `INSERT INTO azdo_connections (org_id, owner_id, name, organization_url, project, project_id,
		visibility, auth_type, credential, hook_username, hook_secret_hash, hook_status, hook_subscriptions, hook_message,
		created_at, updated_at, api_version, deployment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, c.OwnerID, c.Name, c.OrganizationURL, c.Project, c.ProjectID, c.Visibility, c.AuthType, c.Credential,
		c.HookUsername, c.HookSecretHash, c.HookStatus, joinList(c.HookSubscriptions), c.HookMessage, now, now,
		c.APIVersion, c.Deployment).Scan(&c.ID)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.Errorf(cairn.EINVALID, "the organization or the owner does not exist")
	}
	return db.wrap("create connection", err)
}

// ConnectionByID returns a connection of the organization.
func (db *DB) ConnectionByID(ctx context.Context, orgID, id int64) (*cairn.Connection, error) {
	c, err := scanConnection(db.read().queryRow(ctx, `SELECT `+connectionColumns+` FROM azdo_connections WHERE id = ? AND org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("connection", id)
	}
	return c, db.wrap("connection by id", err)
}

// ConnectionForSync returns a connection of any organization, for the sync engine and the
// webhook receiver.
func (db *DB) ConnectionForSync(ctx context.Context, id int64) (*cairn.Connection, error) {
	c, err := scanConnection(db.read().queryRow(ctx, `SELECT `+connectionColumns+` FROM azdo_connections WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("connection", id)
	}
	return c, db.wrap("connection for sync", err)
}

// ListConnections lists the organization's connections by name.
func (db *DB) ListConnections(ctx context.Context, orgID int64) ([]*cairn.Connection, error) {
	if orgID == 0 {
		return nil, cairn.FieldError("org_id", "org_id is required")
	}
	rows, err := db.read().query(ctx, `SELECT `+connectionColumns+` FROM azdo_connections WHERE org_id = ? ORDER BY name, id`, orgID)
	if err != nil {
		return nil, db.wrap("list connections", err)
	}
	defer rows.Close()
	out := []*cairn.Connection{}
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, db.wrap("list connections", err)
		}
		out = append(out, c)
	}
	return out, db.wrap("list connections", rows.Err())
}

// UpdateConnection stores a connection's name, visibility, credential and service-hook
// fields.
func (db *DB) UpdateConnection(ctx context.Context, c *cairn.Connection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.UpdatedAt = db.stamp()
	n, err := db.write().affected(ctx, `UPDATE azdo_connections SET name = ?, visibility = ?, auth_type = ?, credential = ?,
		project_id = ?, hook_username = ?, hook_secret_hash = ?, hook_status = ?, hook_subscriptions = ?, hook_message = ?, updated_at = ?,
		api_version = ?, deployment = ?
		WHERE id = ? AND org_id = ?`,
		c.Name, c.Visibility, c.AuthType, c.Credential, c.ProjectID, c.HookUsername, c.HookSecretHash, c.HookStatus,
		joinList(c.HookSubscriptions), c.HookMessage, c.UpdatedAt, c.APIVersion, c.Deployment, c.ID, c.OrgID)
	if err != nil {
		return db.wrap("update connection", err)
	}
	if n == 0 {
		return cairn.NotFound("connection", c.ID)
	}
	return nil
}

// SwapConnectionCredential replaces the connection's sealed credential with sealed if it is
// still old, and reports whether it did.
func (db *DB) SwapConnectionCredential(ctx context.Context, id int64, old, sealed string) (bool, error) {
	n, err := db.write().affected(ctx, `UPDATE azdo_connections SET credential = ?, updated_at = ? WHERE id = ? AND credential = ?`,
		sealed, db.stamp(), id, old)
	if err != nil {
		return false, db.wrap("swap connection credential", err)
	}
	return n == 1, nil
}

// DeleteConnection deletes a connection with its data sources, mirror and sync log. The
// targets of its data sources go back to manual check-ins.
func (db *DB) DeleteConnection(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete connection", func(r runner) error {
		if err := auditDeletedSources(ctx, r, orgID, id, db.stamp()); err != nil {
			return err
		}
		if err := releaseTargets(ctx, r, `connection_id = ? AND org_id = ?`, id, orgID); err != nil {
			return err
		}
		n, err := r.affected(ctx, `DELETE FROM azdo_connections WHERE id = ? AND org_id = ?`, id, orgID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("connection", id)
		}
		return nil
	})
}

// auditDeletedSources records, in the history of each item, that deleting the connection
// deletes the item's data source.
func auditDeletedSources(ctx context.Context, r runner, orgID, connectionID int64, at time.Time) error {
	rows, err := r.query(ctx, `SELECT `+dataSourceColumns+` FROM azdo_data_sources d WHERE d.connection_id = ? AND d.org_id = ?`, connectionID, orgID)
	if err != nil {
		return err
	}
	var gone []*cairn.DataSource
	for rows.Next() {
		d, err := scanDataSource(rows)
		if err != nil {
			rows.Close()
			return err
		}
		gone = append(gone, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range gone {
		if err := auditDiff(ctx, r, orgID, d.Target.Ref(), cairn.Ref{Type: cairn.ItemDataSource, ID: d.ID}, d, nil, at); err != nil {
			return err
		}
	}
	return nil
}

// RequestSync records a sync request on the connection and runs hook in the same
// transaction.
func (db *DB) RequestSync(ctx context.Context, connectionID int64, at time.Time, hook cairn.TxHook) error {
	return db.txHook(ctx, "request sync", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE azdo_connections SET sync_requested_at = ? WHERE id = ?`, clean(at), connectionID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("connection", connectionID)
		}
		return nil
	}, hook)
}

// DueConnections returns connections with at least one unpaused data source whose
// organization has the integration on and whose interval has passed since their last
// sync, or that have a sync request no applied sync has answered yet, the longest waiting
// first.
func (db *DB) DueConnections(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.read().query(ctx, `SELECT c.id, c.last_sync_at, s.sync_interval_minutes, c.sync_requested_at IS NOT NULL
		FROM azdo_connections c JOIN azdo_org_settings s ON s.org_id = c.org_id
		WHERE s.enabled = ? AND EXISTS (SELECT 1 FROM azdo_data_sources d WHERE d.connection_id = c.id AND d.paused = ?)
		ORDER BY c.last_sync_at IS NOT NULL, c.last_sync_at, c.id`, true, false)
	if err != nil {
		return nil, db.wrap("due connections", err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		var last sql.NullTime
		var minutes int
		var requested bool
		if err := rows.Scan(&id, &last, &minutes, &requested); err != nil {
			return nil, db.wrap("due connections", err)
		}
		if !requested && last.Valid && now.Sub(last.Time) < time.Duration(minutes)*time.Minute {
			continue
		}
		out = append(out, id)
		if len(out) >= limit {
			break
		}
	}
	return out, db.wrap("due connections", rows.Err())
}

// intList renders ids as "1,2,3".
func intList(ids []int) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(id))
	}
	return b.String()
}

// parseIntList reads "1,2,3".
func parseIntList(s string) []int {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}
