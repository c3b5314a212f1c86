package web_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestConversationAPI goes through the JSON API: a check-in with a confidence, comments on
// an item and a check-in with their mentions, editing and deleting them, the people of a
// key result, and the history of the changes.
func TestConversationAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	kr := fmt.Sprintf("%s/key-results/%d", org, ids.keyResult)

	// The owner makes the member a check-in owner, who then checks in with a confidence.
	var k struct {
		EditorIDs       []int64 `json:"editor_ids"`
		CheckInOwnerIDs []int64 `json:"checkin_owner_ids"`
	}
	b.must(t, 200, "owner", "PATCH", kr, map[string]any{"checkin_owner_ids": []int64{b.users["member"].ID}}).json(t, &k)
	if !slices.Equal(k.CheckInOwnerIDs, []int64{b.users["member"].ID}) || k.EditorIDs == nil || len(k.EditorIDs) != 0 {
		t.Fatalf("key result people = %+v", k)
	}
	var ci cairn.CheckIn
	b.must(t, 201, "member", "POST", kr+"/check-ins", map[string]any{"value": 40, "confidence": 8, "note": "on our way"}).json(t, &ci)
	if ci.Confidence == nil || *ci.Confidence != 8 {
		t.Fatalf("check-in = %+v", ci)
	}
	b.must(t, 403, "member", "PATCH", kr, map[string]any{"title": "Mine now"})
	if p := b.must(t, 422, "member", "POST", kr+"/check-ins", map[string]any{"value": 41, "confidence": 11}).problem(t); p.Field != "confidence" {
		t.Fatalf("problem = %+v", p)
	}
	var cis struct {
		Items []cairn.CheckIn `json:"items"`
	}
	b.must(t, 200, "viewer", "GET", kr+"/check-ins", nil).json(t, &cis)
	if len(cis.Items) != 1 || cis.Items[0].Confidence == nil || *cis.Items[0].Confidence != 8 {
		t.Fatalf("check-ins = %+v", cis.Items)
	}

	// Comments, with mentions.
	var c cairn.Comment
	b.must(t, 201, "member", "POST", kr+"/comments", map[string]any{"body": "@owner can we raise the target? cc @Viewer"}).json(t, &c)
	want := []int64{b.users["owner"].ID, b.users["viewer"].ID}
	slices.Sort(want)
	if !slices.Equal(c.MentionedUserIDs, want) || c.AuthorID == nil || *c.AuthorID != b.users["member"].ID || c.Item.Type != cairn.ItemKeyResult {
		t.Fatalf("comment = %+v", c)
	}
	var reply cairn.Comment
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/check-ins/%d/comments", org, ci.ID), map[string]any{"body": "nice, @member"}).json(t, &reply)
	var list struct {
		Items []cairn.Comment `json:"items"`
		Count int             `json:"count"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/check-ins/%d/comments", org, ci.ID), nil).json(t, &list)
	if list.Count != 1 || list.Items[0].ID != reply.ID || !slices.Equal(list.Items[0].MentionedUserIDs, []int64{b.users["member"].ID}) {
		t.Fatalf("check-in comments = %+v", list)
	}
	b.must(t, 403, "viewer", "POST", kr+"/comments", map[string]any{"body": "me too"})
	if p := b.must(t, 422, "member", "POST", kr+"/comments", map[string]any{"body": ""}).problem(t); p.Field != "body" {
		t.Fatalf("problem = %+v", p)
	}
	b.must(t, 404, "member", "POST", org+"/check-ins/999999/comments", map[string]any{"body": "x"})

	comment := fmt.Sprintf("%s/comments/%d", org, c.ID)
	b.must(t, 403, "admin", "PATCH", comment, map[string]any{"body": "rewritten"})
	var edited cairn.Comment
	b.must(t, 200, "member", "PATCH", comment, map[string]any{"body": "never mind"}).json(t, &edited)
	if edited.Body != "never mind" || edited.EditedAt == nil || len(edited.MentionedUserIDs) != 0 {
		t.Fatalf("edited comment = %+v", edited)
	}
	b.must(t, 403, "owner", "DELETE", comment, nil)
	b.must(t, 204, "admin", "DELETE", comment, nil)
	b.must(t, 404, "member", "PATCH", comment, map[string]any{"body": "gone?"})
	b.must(t, 200, "viewer", "GET", kr+"/comments", nil).json(t, &list)
	if list.Count != 0 {
		t.Fatalf("comments after the deletion = %+v", list)
	}

	// The history tells who did what.
	var hist struct {
		Items []struct {
			Subject cairn.Ref           `json:"subject"`
			ActorID *int64              `json:"actor_id"`
			Action  string              `json:"action"`
			Changes []cairn.FieldChange `json:"changes"`
		} `json:"items"`
		Count int `json:"count"`
	}
	b.must(t, 200, "viewer", "GET", kr+"/history", nil).json(t, &hist)
	if hist.Count != 3 || hist.Items[0].Subject.Type != cairn.ItemCheckIn || hist.Items[1].Action != "updated" || hist.Items[2].Action != "created" {
		t.Fatalf("history = %+v", hist)
	}
	if hist.Items[0].ActorID == nil || *hist.Items[0].ActorID != b.users["member"].ID {
		t.Fatalf("check-in event by %v, want the member", hist.Items[0].ActorID)
	}
	change := hist.Items[1].Changes
	if len(change) != 1 || change[0].Field != "checkin_owner_ids" || string(change[0].Before) != "[]" ||
		string(change[0].After) != string(mustJSON(t, []int64{b.users["member"].ID})) {
		t.Fatalf("update changes = %+v", change)
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/check-ins/%d/history", org, ci.ID), nil).json(t, &hist)
	if hist.Count != 1 || hist.Items[0].Action != "created" {
		t.Fatalf("check-in history = %+v", hist)
	}
	b.must(t, 404, "outsider", "GET", kr+"/history", nil)
	b.must(t, 404, "viewer", "GET", org+"/check-ins/999999/history", nil)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
