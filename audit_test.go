package cairn_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/cairn-okr/cairn"
)

// history returns an item's audit trail as the viewer reads it, newest first.
func (b *testBundle) history(tb testing.TB, ref cairn.Ref) []*cairn.AuditEvent {
	tb.Helper()
	es, err := b.svc.History(b.as("viewer"), b.org.Slug, ref, 0)
	must(tb, err)
	return es
}

// wantEvent fails the test unless e is the action on the subject by the actor ("" for no
// one) and changes exactly the fields of want, each from its before to its after JSON.
func (b *testBundle) wantEvent(tb testing.TB, e *cairn.AuditEvent, actor string, action cairn.AuditAction, subject cairn.Ref, want map[string][2]string) {
	tb.Helper()
	switch {
	case e.Action != action || e.Subject != subject || e.OrgID != b.org.ID:
		tb.Fatalf("event = %s %s %d in org %d, want %s %s %d", e.Action, e.Subject.Type, e.Subject.ID, e.OrgID, action, subject.Type, subject.ID)
	case actor == "" && e.ActorID != nil:
		tb.Fatalf("event by user %d, want by no one", *e.ActorID)
	case actor != "" && (e.ActorID == nil || *e.ActorID != b.id(actor)):
		tb.Fatalf("event by %v, want %s (%d)", e.ActorID, actor, b.id(actor))
	case !e.CreatedAt.Equal(b.clock.Now()):
		tb.Fatalf("event at %v, want the clock's %v", e.CreatedAt, b.clock.Now())
	}
	got := map[string][2]string{}
	for _, c := range e.Changes {
		got[c.Field] = [2]string{compact(tb, c.Before), compact(tb, c.After)}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		tb.Fatalf("changes of %s %s:\n got %v\nwant %v", e.Action, e.Subject.Type, got, want)
	}
}

func compact(tb testing.TB, raw json.RawMessage) string {
	tb.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("change value %q: %v", raw, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// TestAuditTrail checks that every change of an objective, key result, initiative or
// check-in records who made it, when, and each changed field's value before and after, in
// the history of the right item; that a change of nothing records nothing; and that a
// refused change records nothing either.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		ids := func(actors ...string) string {
			var out []int64
			for _, a := range actors {
				out = append(out, b.id(a))
			}
			slices.Sort(out)
			data, _ := json.Marshal(out)
			return string(data)
		}
		obj := b.objective(t, "Delight customers", func(o *cairn.Objective) { o.EditorIDs = []int64{b.id("editor")} })
		oref := objRef(obj.ID)

		t.Run("ObjectiveCreated", func(t *testing.T) {
			es := b.history(t, oref)
			if len(es) != 1 {
				t.Fatalf("%d events, want 1", len(es))
			}
			b.wantEvent(t, es[0], "admin", cairn.AuditCreated, oref, map[string][2]string{
				"title": {"null", `"Delight customers"`}, "period_id": {"null", fmt.Sprint(b.period.ID)},
				"level": {"null", `"organization"`}, "aspirational": {"null", "false"}, "weight": {"null", "1"},
				"owner_ids": {"null", ids("owner")}, "editor_ids": {"null", ids("editor")},
			})
		})

		t.Run("ObjectiveUpdated", func(t *testing.T) {
			title, desc := "Delight every customer", "Why it matters"
			_, err := b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, cairn.ObjectiveUpdate{Title: &title, Description: &desc,
				EditorIDs: &[]int64{b.id("editor"), b.id("member")}})
			must(t, err)
			es := b.history(t, oref)
			if len(es) != 2 {
				t.Fatalf("%d events, want 2", len(es))
			}
			b.wantEvent(t, es[0], "owner", cairn.AuditUpdated, oref, map[string][2]string{
				"title": {`"Delight customers"`, `"Delight every customer"`}, "description": {`""`, `"Why it matters"`},
				"editor_ids": {ids("editor"), ids("editor", "member")},
			})
		})

		t.Run("NothingChangedRecordsNothing", func(t *testing.T) {
			title := "Delight every customer"
			_, err := b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, cairn.ObjectiveUpdate{Title: &title})
			must(t, err)
			if n := len(b.history(t, oref)); n != 2 {
				t.Fatalf("%d events after a change of nothing, want 2", n)
			}
		})

		t.Run("RefusedChangesRecordNothing", func(t *testing.T) {
			title, empty := "Hijacked", ""
			_, err := b.svc.UpdateObjective(b.as("assignee"), slug, obj.ID, cairn.ObjectiveUpdate{Title: &title})
			wantCode(t, err, cairn.EFORBIDDEN)
			_, err = b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, cairn.ObjectiveUpdate{Title: &empty})
			wantField(t, err, "title")
			wantCode(t, b.svc.DeleteObjective(b.as("viewer"), slug, obj.ID), cairn.EFORBIDDEN)
			// A change the store itself refuses rolls back with its event: user 999999
			// does not exist.
			o, err := b.db.ObjectiveByID(ctx, b.org.ID, obj.ID)
			must(t, err)
			o.Title, o.OwnerIDs = "Rolled back", []int64{999999}
			if err := b.db.UpdateObjective(b.as("admin"), o); err == nil {
				t.Fatal("the store stored an owner who does not exist")
			}
			if n := len(b.history(t, oref)); n != 2 {
				t.Fatalf("%d events after refused changes, want 2", n)
			}
			wantCode(t, b.svc.CheckIn(b.as("viewer"), slug, &cairn.CheckIn{Item: krRef(999999), Value: 1}), cairn.EFORBIDDEN)
		})

		kr := b.keyResult(t, obj.ID, "NPS to 50")
		kref := krRef(kr.ID)
		t.Run("KeyResultCreatedAndUpdated", func(t *testing.T) {
			es := b.history(t, kref)
			if len(es) != 1 || es[0].Action != cairn.AuditCreated || !slices.ContainsFunc(es[0].Changes, func(c cairn.FieldChange) bool {
				return c.Field == "metric.target" && string(c.After) == "100"
			}) {
				t.Fatalf("history of a new key result = %+v", es)
			}
			target := 120.0
			_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, kr.ID, cairn.KeyResultUpdate{Metric: &cairn.MetricUpdate{Target: &target},
				OwnerIDs: &[]int64{b.id("assignee")}, CheckInOwnerIDs: &[]int64{b.id("member")}})
			must(t, err)
			es = b.history(t, kref)
			b.wantEvent(t, es[0], "assignee", cairn.AuditUpdated, kref, map[string][2]string{
				"metric.target": {"100", "120"}, "owner_ids": {ids("assignee", "viewer"), ids("assignee")},
				"checkin_owner_ids": {"[]", ids("member")},
			})
		})

		t.Run("CheckInsWithTheValueBefore", func(t *testing.T) {
			first := &cairn.CheckIn{Item: kref, Value: 40, Note: "survey in"}
			must(t, b.svc.CheckIn(b.as("member"), slug, first))
			es := b.history(t, kref)
			b.wantEvent(t, es[0], "member", cairn.AuditCreated, cairn.Ref{Type: cairn.ItemCheckIn, ID: first.ID}, map[string][2]string{
				"value": {"0", "40"}, "note": {"null", `"survey in"`},
			})
			six := 6
			second := &cairn.CheckIn{Item: kref, Value: 55, Status: "on_track", Confidence: &six}
			must(t, b.svc.CheckIn(b.as("assignee"), slug, second))
			sref := cairn.Ref{Type: cairn.ItemCheckIn, ID: second.ID}
			es = b.history(t, kref)
			b.wantEvent(t, es[0], "assignee", cairn.AuditCreated, sref, map[string][2]string{
				"value": {"40", "55"}, "status": {"null", `"on_track"`}, "confidence": {"null", "6"},
			})
			own, err := b.svc.History(b.as("viewer"), slug, sref, 0)
			must(t, err)
			if len(own) != 1 || own[0].ID != es[0].ID {
				t.Fatalf("history of the check-in = %+v", own)
			}
		})

		t.Run("InitiativeLifeInItsParentsHistory", func(t *testing.T) {
			ini := b.initiative(t, kref, "Interview users")
			iref := initRef(ini.ID)
			no := false
			_, err := b.svc.UpdateInitiative(b.as("assignee"), slug, ini.ID, cairn.InitiativeUpdate{Contributes: &no})
			must(t, err)
			es := b.history(t, iref)
			if len(es) != 2 {
				t.Fatalf("%d events of the initiative, want 2", len(es))
			}
			b.wantEvent(t, es[0], "assignee", cairn.AuditUpdated, iref, map[string][2]string{"contributes": {"true", "false"}})
			must(t, b.svc.DeleteInitiative(b.as("assignee"), slug, ini.ID))
			es = b.history(t, kref)
			if es[0].Action != cairn.AuditDeleted || es[0].Subject != iref || es[0].ActorID == nil || *es[0].ActorID != b.id("assignee") {
				t.Fatalf("last event of the key result = %+v", es[0])
			}
			title := slices.IndexFunc(es[0].Changes, func(c cairn.FieldChange) bool { return c.Field == "title" })
			if title < 0 || string(es[0].Changes[title].Before) != `"Interview users"` || string(es[0].Changes[title].After) != "null" {
				t.Fatalf("deletion changes = %+v", es[0].Changes)
			}
			_, err = b.svc.History(b.as("viewer"), slug, iref, 0)
			wantCode(t, err, cairn.ENOTFOUND)
		})

		t.Run("KeyResultDeletedInItsObjectivesHistory", func(t *testing.T) {
			must(t, b.svc.DeleteKeyResult(b.as("editor"), slug, kr.ID))
			es := b.history(t, oref)
			if es[0].Action != cairn.AuditDeleted || es[0].Subject != kref || es[0].Item != oref || *es[0].ActorID != b.id("editor") {
				t.Fatalf("last event of the objective = %+v", es[0])
			}
		})

		t.Run("ChangeByNoOne", func(t *testing.T) {
			o, err := b.db.ObjectiveByID(ctx, b.org.ID, obj.ID)
			must(t, err)
			o.Aspirational = true
			must(t, b.db.UpdateObjective(ctx, o))
			b.wantEvent(t, b.history(t, oref)[0], "", cairn.AuditUpdated, oref, map[string][2]string{"aspirational": {"false", "true"}})
		})

		t.Run("WhoReadsIt", func(t *testing.T) {
			_, err := b.svc.History(b.as("outsider"), slug, oref, 0)
			wantCode(t, err, cairn.ENOTFOUND)
			_, err = b.svc.History(b.as("anonymous"), slug, oref, 0)
			wantCode(t, err, cairn.EUNAUTHORIZED)
			_, err = b.svc.History(b.as("viewer"), slug, cairn.Ref{Type: "team", ID: 1}, 0)
			wantField(t, err, "item.type")
			es, err := b.svc.History(b.as("viewer"), slug, oref, 1)
			must(t, err)
			if len(es) != 1 {
				t.Fatalf("limit 1 gave %d events", len(es))
			}
		})
	})
}

// TestAuditChanges pins how two versions of an item compare: nested objects field by field,
// references whole, times and computed values left out, and a creation listing only what
// has a value.
func TestAuditChanges(t *testing.T) {
	t.Parallel()
	base := cairn.KeyResult{ID: 3, OrgID: 1, ObjectiveID: 9, Title: "NPS", Metric: cairn.Metric{Kind: cairn.MetricNumber, Target: 50},
		OwnerIDs: []int64{2}, EditorIDs: []int64{}, CheckInOwnerIDs: []int64{}, Weight: 1}
	obj := cairn.Objective{ID: 4, Title: "Grow", OwnerIDs: []int64{2}, EditorIDs: []int64{}, Weight: 1, Level: cairn.LevelTeam}
	for _, tc := range []struct {
		name          string
		before, after any
		want          string
	}{
		{"NestedFieldByField", &base, func() *cairn.KeyResult {
			k := base
			k.Metric.Target, k.Metric.Current, k.UpdatedAt = 60, 33, midQ2
			return &k
		}(), `[metric.target 50 60]`},
		{"ReferenceWhole", &obj, func() *cairn.Objective {
			o := obj
			o.Parent = &cairn.Ref{Type: cairn.ItemKeyResult, ID: 8}
			return &o
		}(), `[parent null {"id":8,"type":"key_result"}]`},
		{"ListsWhole", &base, func() *cairn.KeyResult {
			k := base
			k.CheckInOwnerIDs = []int64{5, 6}
			return &k
		}(), `[checkin_owner_ids [] [5,6]]`},
		{"NothingChanged", &base, func() *cairn.KeyResult { k := base; k.LastCheckInAt = &midQ2; return &k }(), `[]`},
		// Only null, "" and [] say nothing: false and 0 are values.
		{"CreationListsWhatHasAValue", nil, &obj, `[aspirational null false] [level null "team"] [owner_ids null [2]] [period_id null 0] [title null "Grow"] [weight null 1]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cs, err := cairn.AuditChanges(tc.before, tc.after)
			must(t, err)
			got := "[]"
			if len(cs) > 0 {
				got = ""
				for n, c := range cs {
					if n > 0 {
						got += " "
					}
					got += fmt.Sprintf("[%s %s %s]", c.Field, c.Before, c.After)
				}
			}
			if got != tc.want {
				t.Fatalf("changes = %s, want %s", got, tc.want)
			}
		})
	}
	t.Run("ErrInternalUnknownType", func(t *testing.T) {
		t.Parallel()
		_, err := cairn.AuditChanges(nil, &cairn.Team{Name: "x"})
		wantCode(t, err, cairn.EINTERNAL)
	})
}
