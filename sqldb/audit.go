package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/cairn-okr/cairn"
)

// actorOf returns the id of the user the context carries, as a query argument: the person an
// audit event names.
func actorOf(ctx context.Context) any {
	if u := cairn.UserFromContext(ctx); u != nil && u.ID > 0 {
		return u.ID
	}
	return nil
}

// audit records one audit event inside the transaction of the change it describes.
func audit(ctx context.Context, r runner, orgID int64, item, subject cairn.Ref, action cairn.AuditAction, changes []cairn.FieldChange, at time.Time) error {
	if changes == nil {
		changes = []cairn.FieldChange{}
	}
	data, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	_, err = r.exec(ctx, `INSERT INTO audit_events (org_id, item_type, item_id, subject_type, subject_id, actor_id, action, changes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		orgID, item.Type, item.ID, subject.Type, subject.ID, actorOf(ctx), action, string(data), clean(at))
	return err
}

// auditDiff records the change from before to after (nil before for a creation, nil after
// for a deletion). An update that changed no audited field records nothing.
func auditDiff(ctx context.Context, r runner, orgID int64, item, subject cairn.Ref, before, after any, at time.Time) error {
	changes, err := cairn.AuditChanges(before, after)
	if err != nil {
		return err
	}
	action := cairn.AuditUpdated
	switch {
	case before == nil:
		action = cairn.AuditCreated
	case after == nil:
		action = cairn.AuditDeleted
	case len(changes) == 0:
		return nil
	}
	return audit(ctx, r, orgID, item, subject, action, changes, at)
}

// deletedFrom returns the item whose history shows the deletion of an item: the one it hung
// from, or the item itself when it hung from nothing.
func deletedFrom(self cairn.Ref, parent *cairn.Ref) cairn.Ref {
	if parent != nil {
		return *parent
	}
	return self
}

// ListAuditEvents lists the audit events the filter selects, newest first.
func (db *DB) ListAuditEvents(ctx context.Context, f cairn.AuditFilter) ([]*cairn.AuditEvent, error) {
	if f.OrgID <= 0 {
		return nil, cairn.FieldError("org_id", "org_id is required")
	}
	q := `SELECT id, org_id, item_type, item_id, subject_type, subject_id, actor_id, action, changes, created_at
		FROM audit_events WHERE org_id = ?`
	args := []any{f.OrgID}
	if f.Item != nil {
		q += ` AND item_type = ? AND item_id = ?`
		args = append(args, f.Item.Type, f.Item.ID)
	}
	if f.Subject != nil {
		q += ` AND subject_type = ? AND subject_id = ?`
		args = append(args, f.Subject.Type, f.Subject.ID)
	}
	q, args, err := db.limitOffset(q+` ORDER BY id DESC`, args, f.Limit, 0)
	if err != nil {
		return nil, err
	}
	rows, err := db.read().query(ctx, q, args...)
	if err != nil {
		return nil, db.wrap("list audit events", err)
	}
	defer rows.Close()
	out := []*cairn.AuditEvent{}
	for rows.Next() {
		e := &cairn.AuditEvent{}
		var actor sql.NullInt64
		var changes string
		err := rows.Scan(&e.ID, &e.OrgID, &e.Item.Type, &e.Item.ID, &e.Subject.Type, &e.Subject.ID, &actor, &e.Action,
			&changes, &e.CreatedAt)
		if err != nil {
			return nil, db.wrap("list audit events", err)
		}
		if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
			return nil, db.wrap("list audit events", err)
		}
		e.ActorID, e.CreatedAt = int64Ptr(actor), e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, db.wrap("list audit events", rows.Err())
}
