package cairn

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"time"
)

// AuditAction is what a change did to its subject.
type AuditAction string

// The actions of the audit trail.
const (
	AuditCreated AuditAction = "created"
	AuditUpdated AuditAction = "updated"
	AuditDeleted AuditAction = "deleted"
)

// AuditEvent records one change: who made it, when, to what, and each field it changed with
// its value before and after. The store writes it in the same transaction as the change, so
// that the trail holds every change that happened and none that did not. It never holds a
// secret: only OKR items, check-ins and data sources are audited, and none of them has one.
type AuditEvent struct {
	ID    int64 `json:"id"`
	OrgID int64 `json:"org_id"`
	// Item is the objective, key result or initiative whose history shows the event: the
	// subject itself, the item of a check-in or data source, or for a deletion the item the
	// deleted one hung from (the deleted item itself when it hung from nothing).
	Item Ref `json:"item"`
	// Subject is what changed: an OKR item, a check-in or a data source.
	Subject Ref `json:"subject"`
	// ActorID is the user who made the change; nil for a change made by no signed-in user,
	// or by a user since deleted.
	ActorID   *int64        `json:"actor_id"`
	Action    AuditAction   `json:"action"`
	Changes   []FieldChange `json:"changes"`
	CreatedAt time.Time     `json:"created_at"`
}

// FieldChange is one field an audited change touched, named by its JSON path ("title",
// "metric.target"), with its JSON values before and after; null stands for a value that did
// not exist, before a creation or after a deletion.
type FieldChange struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// auditSkip lists, by type, the fields the audit trail leaves out: identities and times the
// event records itself, values that only check-ins and syncs change (they are audited as
// check-ins, or kept in the sync log), and what is computed on reads.
var auditSkip = map[reflect.Type][]string{
	reflect.TypeFor[*Objective](): {"id", "org_id", "created_at", "updated_at", "carried_to_id"},
	reflect.TypeFor[*KeyResult](): {"id", "org_id", "created_at", "updated_at", "last_check_in_at", "metric.current",
		"carried_to_id"},
	reflect.TypeFor[*Initiative](): {"id", "org_id", "created_at", "updated_at", "last_check_in_at", "current",
		"metric.current"},
	reflect.TypeFor[*DataSource](): {"id", "org_id", "created_at", "updated_at", "created_by", "value", "item_count",
		"measured_count", "complete_count", "complete_measure", "total_measure", "warning", "error", "last_attempt_at",
		"last_success_at", "next_sync_at", "status"},
}

// AuditChanges compares two versions of an objective, key result, initiative or data
// source and lists the fields that differ, sorted by name. Before is nil for a creation and
// after for a deletion; then every field with a value is listed. Nested objects are
// compared field by field ("metric.target"), except references ({"type", "id"}), which are
// compared whole.
func AuditChanges(before, after any) ([]FieldChange, error) {
	typ := reflect.TypeOf(after)
	if isNil(after) {
		typ = reflect.TypeOf(before)
	}
	skip, ok := auditSkip[typ]
	if !ok {
		return nil, Errorf(EINTERNAL, "the audit trail does not know %v", typ)
	}
	a, err := auditTree(before)
	if err != nil {
		return nil, err
	}
	b, err := auditTree(after)
	if err != nil {
		return nil, err
	}
	out := []FieldChange{}
	diffAudit("", a, b, skip, &out)
	if isNil(before) || isNil(after) {
		out = slices.DeleteFunc(out, func(c FieldChange) bool { return emptyJSON(c.Before) && emptyJSON(c.After) })
	}
	return out, nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// auditTree turns a value into its JSON tree; nil becomes an empty object.
func auditTree(v any) (map[string]any, error) {
	out := map[string]any{}
	if isNil(v) {
		return out, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, Internal("audit: encode", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, Internal("audit: decode", err)
	}
	return out, nil
}

// diffAudit appends the differences between two JSON objects under the path prefix.
func diffAudit(prefix string, a, b map[string]any, skip []string, out *[]FieldChange) {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if slices.Contains(skip, path) {
			continue
		}
		av, bv := a[k], b[k]
		ao, aObj := av.(map[string]any)
		bo, bObj := bv.(map[string]any)
		if (aObj || av == nil) && (bObj || bv == nil) && (aObj || bObj) && !isRef(ao) && !isRef(bo) {
			if ao == nil {
				ao = map[string]any{}
			}
			if bo == nil {
				bo = map[string]any{}
			}
			diffAudit(path, ao, bo, skip, out)
			continue
		}
		if reflect.DeepEqual(av, bv) {
			continue
		}
		*out = append(*out, FieldChange{Field: path, Before: rawJSON(av), After: rawJSON(bv)})
	}
}

// isRef reports whether an object is a reference to an item, {"type", "id"}.
func isRef(o map[string]any) bool {
	if len(o) != 2 {
		return false
	}
	_, t := o["type"]
	_, id := o["id"]
	return t && id
}

func rawJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return data
}

// emptyJSON reports whether a value says nothing: null, "" or [].
func emptyJSON(v json.RawMessage) bool {
	s := string(v)
	return s == "null" || s == `""` || s == "[]"
}

// History lists the audit trail of an objective, key result or initiative (its own changes,
// those of its check-ins and data source, and the deletion of what hung from it), of a
// check-in, or of a data source, newest first. Every member may read it.
func (s *Service) History(ctx context.Context, org string, ref Ref, limit int) ([]*AuditEvent, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	f := AuditFilter{OrgID: a.org.ID, Limit: limit}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	switch ref.Type {
	case ItemObjective:
		_, err = s.store.ObjectiveByID(ctx, a.org.ID, ref.ID)
		f.Item = &ref
	case ItemKeyResult:
		_, err = s.store.KeyResultByID(ctx, a.org.ID, ref.ID)
		f.Item = &ref
	case ItemInitiative:
		_, err = s.store.InitiativeByID(ctx, a.org.ID, ref.ID)
		f.Item = &ref
	case ItemCheckIn:
		_, err = s.store.CheckInByID(ctx, a.org.ID, ref.ID)
		f.Subject = &ref
	case ItemDataSource:
		is, ierr := s.integrationStore()
		if ierr != nil {
			return nil, ierr
		}
		_, err = is.DataSourceByID(ctx, a.org.ID, ref.ID)
		f.Subject = &ref
	default:
		err = FieldError("item.type", "history is kept for objectives, key results, initiatives, check-ins and data sources, not %q", ref.Type)
	}
	if err != nil {
		return nil, err
	}
	return s.store.ListAuditEvents(ctx, f)
}

// AuditFilter selects audit events of one organization: those in the history of an item, or
// those about one subject.
type AuditFilter struct {
	OrgID   int64
	Item    *Ref
	Subject *Ref
	Limit   int
}
