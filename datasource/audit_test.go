package datasource_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestDataSourceAuditTrail checks that binding an item to Azure DevOps, changing, pausing,
// resuming and removing the binding each record who did it and what changed in the item's
// history, and that a refused change records nothing.
func TestDataSourceAuditTrail(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{dialect: dialect})
			conn := b.connect(t)
			k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
			kref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
			history := func(t *testing.T, ref cairn.Ref) []*cairn.AuditEvent {
				t.Helper()
				es, err := b.svc.History(b.actx, b.org.Slug, ref, 0)
				must(t, err)
				return es
			}
			changes := func(e *cairn.AuditEvent) map[string]string {
				out := map[string]string{}
				for _, c := range e.Changes {
					out[c.Field] = string(c.Before) + " → " + string(c.After)
				}
				return out
			}
			wantEvent := func(t *testing.T, e *cairn.AuditEvent, action cairn.AuditAction, subject cairn.Ref, want map[string]string) {
				t.Helper()
				if e.Action != action || e.Subject != subject || e.ActorID == nil || *e.ActorID != b.admin.ID {
					t.Fatalf("event = %s %+v by %v, want %s %+v by the admin", e.Action, e.Subject, e.ActorID, action, subject)
				}
				got := changes(e)
				for f, w := range want {
					if got[f] != w {
						t.Fatalf("%s %s: %s changed %q, want %q (all: %v)", action, subject.Type, f, got[f], w, got)
					}
				}
			}

			d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
				ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
			must(t, err)
			dref := cairn.Ref{Type: cairn.ItemDataSource, ID: d.ID}
			// The first sync ran and wrote its check-in: a sync's writes are in its check-ins
			// and sync log, not in the audit trail.
			es := history(t, kref)
			if len(es) != 2 || es[1].Subject != kref {
				t.Fatalf("%d events after creating and syncing a data source, want 2 (the key result's and the data source's)", len(es))
			}
			if cs, err := b.svc.ListCheckIns(b.actx, b.org.Slug, kref, 0); err != nil || len(cs) == 0 {
				t.Fatalf("the first sync wrote no check-in (%v): the test proves nothing about syncs", err)
			}
			wantEvent(t, es[0], cairn.AuditCreated, dref, map[string]string{
				"method": `null → "work_items"`, "work_item_ids": "null → [1]", "progress_type": `null → "User Story"`,
				"connection_id": fmt.Sprintf("null → %d", conn.ID), "target": fmt.Sprintf(`null → {"id":%d,"type":"key_result"}`, k.ID),
			})
			for _, c := range es[0].Changes {
				switch c.Field {
				case "value", "item_count", "last_success_at", "status", "created_by":
					t.Fatalf("the audit trail records the sync state field %s", c.Field)
				}
			}

			paused, resumed := true, false
			_, err = b.ds.UpdateDataSource(b.actx, b.org.Slug, d.ID, datasource.DataSourceUpdate{Paused: &paused})
			must(t, err)
			wantEvent(t, history(t, kref)[0], cairn.AuditUpdated, dref, map[string]string{"paused": "false → true"})
			if n := len(history(t, kref)[0].Changes); n != 1 {
				t.Fatalf("pausing changed %d fields: %v", n, changes(history(t, kref)[0]))
			}
			_, err = b.ds.UpdateDataSource(b.actx, b.org.Slug, d.ID, datasource.DataSourceUpdate{Paused: &resumed})
			must(t, err)
			wantEvent(t, history(t, kref)[0], cairn.AuditUpdated, dref, map[string]string{"paused": "true → false"})

			t.Run("CheckInThatPauses", func(t *testing.T) {
				before := len(history(t, kref))
				kv, err := b.svc.KeyResult(b.actx, b.org.Slug, k.ID)
				must(t, err)
				synced, _ := json.Marshal(kv.Metric.Current)
				c := &cairn.CheckIn{Item: kref, Value: 12, Note: "hand count"}
				must(t, b.svc.CheckInAndPause(b.actx, b.org.Slug, c, true))
				es := history(t, kref)
				if len(es) != before+2 {
					t.Fatalf("%d events after a check-in that pauses, want %d", len(es), before+2)
				}
				wantEvent(t, es[0], cairn.AuditUpdated, dref, map[string]string{"paused": "false → true"})
				// The value before is what the last sync wrote.
				wantEvent(t, es[1], cairn.AuditCreated, cairn.Ref{Type: cairn.ItemCheckIn, ID: c.ID}, map[string]string{
					"value": string(synced) + " → 12", "note": `null → "hand count"`})
				own, err := b.svc.History(b.actx, b.org.Slug, dref, 0)
				must(t, err)
				for _, e := range own {
					if e.Subject != dref {
						t.Fatalf("the data source's history holds %+v", e.Subject)
					}
				}
				if len(own) != 4 {
					t.Fatalf("%d events of the data source, want 4 (created, paused, resumed, paused)", len(own))
				}
			})

			t.Run("RefusedChangeRecordsNothing", func(t *testing.T) {
				m, err := b.svc.AddMember(b.actx, b.org.Slug, cairn.NewMember{Email: "member@example.com", Name: "Member", Role: cairn.RoleMember})
				must(t, err)
				u, err := b.db.UserByID(ctx, m.UserID)
				must(t, err)
				before := len(history(t, kref))
				_, err = b.ds.UpdateDataSource(cairn.NewContext(ctx, u), b.org.Slug, d.ID, datasource.DataSourceUpdate{Paused: &resumed})
				if cairn.ErrorCode(err) != cairn.EFORBIDDEN {
					t.Fatalf("a member who may not edit the key result changed its data source: %v", err)
				}
				if err := b.ds.DeleteDataSource(cairn.NewContext(ctx, u), b.org.Slug, d.ID); cairn.ErrorCode(err) != cairn.EFORBIDDEN {
					t.Fatalf("a member who may not edit the key result deleted its data source: %v", err)
				}
				if n := len(history(t, kref)); n != before {
					t.Fatalf("%d events after refused changes, want %d", n, before)
				}
			})

			must(t, b.ds.DeleteDataSource(b.actx, b.org.Slug, d.ID))
			wantEvent(t, history(t, kref)[0], cairn.AuditDeleted, dref, map[string]string{"method": `"work_items" → null`, "paused": "true → null"})

			t.Run("DeletingTheConnectionRecordsItsBindings", func(t *testing.T) {
				i := b.initiative(t, nil)
				_, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i.ID},
					ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
				must(t, err)
				must(t, b.ds.DeleteConnection(b.actx, b.org.Slug, conn.ID))
				es := history(t, cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID})
				if es[0].Action != cairn.AuditDeleted || es[0].Subject.Type != cairn.ItemDataSource {
					t.Fatalf("last event of the initiative after its connection went = %s %+v", es[0].Action, es[0].Subject)
				}
			})
		})
	}
}
