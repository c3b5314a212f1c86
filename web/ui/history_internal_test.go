package ui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

// TestHistoryOfACarriedDataSource puts in words the event a close with carry-forward
// records when it moves a data source from the closed key result to its copy: in the
// original's history it moved to the copy, in the copy's it moved here; a change that
// keeps the target stays a change.
func TestHistoryOfACarriedDataSource(t *testing.T) {
	orig, cp := cairn.Ref{Type: cairn.ItemKeyResult, ID: 12}, cairn.Ref{Type: cairn.ItemKeyResult, ID: 40}
	admin := int64(7)
	moved := &cairn.AuditEvent{Item: orig, Subject: cairn.Ref{Type: cairn.ItemDataSource, ID: 3}, ActorID: &admin, Action: cairn.AuditUpdated,
		CreatedAt: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Changes: []cairn.FieldChange{
			{Field: "target", Before: json.RawMessage(`{"type":"key_result","id":12}`), After: json.RawMessage(`{"type":"key_result","id":40}`)}}}
	names := map[int64]string{admin: "Ada"}
	row := historyEntry(moved, orig, names)
	if row.Actor != "Ada" || row.What != "moved its data source to key result #40, its copy in the next period" {
		t.Fatalf("original's history: %q %q", row.Actor, row.What)
	}
	if len(row.Changes) != 1 || row.Changes[0].Field != "Target" || row.Changes[0].Before != "key result #12" || row.Changes[0].After != "key result #40" {
		t.Fatalf("original's history changes: %+v", row.Changes)
	}
	moved.Item = cp
	if row := historyEntry(moved, cp, names); row.What != "moved its data source here, from the key result it carried forward" {
		t.Fatalf("copy's history: %q", row.What)
	}
	paused := &cairn.AuditEvent{Item: orig, Subject: moved.Subject, Action: cairn.AuditUpdated, Changes: []cairn.FieldChange{
		{Field: "paused", Before: json.RawMessage(`false`), After: json.RawMessage(`true`)}}}
	if row := historyEntry(paused, orig, names); row.What != "changed its data source" || row.Actor != "Cairn" {
		t.Fatalf("pause: %q by %q", row.What, row.Actor)
	}
	created := &cairn.AuditEvent{Item: cp, Subject: cp, ActorID: &admin, Action: cairn.AuditCreated, Changes: []cairn.FieldChange{
		{Field: "carried_from_id", Before: json.RawMessage(`null`), After: json.RawMessage(`12`)},
		{Field: "closing_status", Before: json.RawMessage(`null`), After: json.RawMessage(`"missed"`)}}}
	row = historyEntry(created, cp, names)
	var labels []string
	for _, c := range row.Changes {
		labels = append(labels, c.Field+"="+c.After)
	}
	if row.What != "created this key result" || strings.Join(labels, ";") != "Carried forward from=12;Closing status=missed" {
		t.Fatalf("copy's creation: %q %v", row.What, labels)
	}
}
