package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestDrawerConversation walks through the drawer: a check-in with a confidence, a comment
// that mentions a member, a reply in the check-in's thread, an edit and a deletion, and the
// history that records the check-in.
func TestDrawerConversation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	member := b.signIn(t, "member")
	kr := "/o/fabrikam/key-results/" + id(b.keyResult)
	drawer := "/o/fabrikam/okrs/key-results/" + id(b.keyResult)

	page := member.get(t, drawer)
	for _, want := range []string{`id="ci-confidence"`, `name="confidence"`, `id="comments-h"`, `action="` + kr + `/comments"`, "Type @ and a name"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the member's drawer lacks %s", want)
		}
	}

	res := member.hx(t, http.MethodPost, kr+"/check-ins", url.Values{"value": {"3"}, "confidence": {"11"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="err-confidence"`) {
		t.Fatalf("a confidence of 11: %d, want 422 with the error at the field: %.1500s", res.status, res.body)
	}
	res = member.hx(t, http.MethodPost, kr+"/check-ins", url.Values{"value": {"3"}, "confidence": {"7"}, "note": {"steady"}})
	if res.status != http.StatusOK || !strings.Contains(res.body, `data-testid="confidence"`) || !strings.Contains(res.body, `data-testid="item-confidence" title="The confidence of the newest check-in that gave one">confidence 7/10`) {
		t.Fatalf("check-in with a confidence: %d: %.1500s", res.status, res.body)
	}
	checkInID := regexp.MustCompile(`id="check-in-(\d+)"`).FindStringSubmatch(res.body)
	if checkInID == nil {
		t.Fatal("the check-in list has no check-in with an id")
	}

	t.Run("CommentWithAMention", func(t *testing.T) {
		res := member.hx(t, http.MethodPost, kr+"/comments", url.Values{"body": {"Thanks @Admin, see <b>this</b>"}})
		if res.status != http.StatusOK {
			t.Fatalf("comment: %d: %.1500s", res.status, res.body)
		}
		for _, want := range []string{`<mark class="mention" title="Admin">@Admin</mark>`, "see &lt;b&gt;this&lt;/b&gt;"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the drawer lacks %s: %.3000s", want, res.body)
			}
		}
		res = member.hx(t, http.MethodPost, kr+"/comments", url.Values{"body": {"   "}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="comment-body-err"`) || !strings.Contains(res.body, `aria-invalid="true"`) {
			t.Fatalf("an empty comment: %d, want 422 with the error at the field: %.1500s", res.status, res.body)
		}
		plain := member.post(t, kr+"/comments", url.Values{"body": {"without htmx"}})
		if plain.status != http.StatusSeeOther || plain.header.Get("Location") != drawer+"#comments" {
			t.Fatalf("a plain comment form: %d to %q", plain.status, plain.header.Get("Location"))
		}
	})

	t.Run("ReplyInTheCheckInsThread", func(t *testing.T) {
		res := member.hx(t, http.MethodPost, "/o/fabrikam/check-ins/"+checkInID[1]+"/comments", url.Values{"body": {"why 7?"}})
		if res.status != http.StatusOK {
			t.Fatalf("reply: %d: %.1500s", res.status, res.body)
		}
		thread := regexp.MustCompile(`(?s)<li id="check-in-` + checkInID[1] + `">.*?</li>\s*</ol>`).FindString(res.body)
		if !strings.Contains(thread, `<details class="thread" open>`) || !strings.Contains(thread, "why 7?") || !strings.Contains(thread, "1 comment") {
			t.Fatalf("the check-in's thread after a reply: %.3000s", thread)
		}
	})

	t.Run("EditAndDelete", func(t *testing.T) {
		cs, err := b.svc.ListComments(cairn.NewContext(context.Background(), b.users["member"]), "fabrikam", cairn.Ref{Type: cairn.ItemKeyResult, ID: b.keyResult})
		if err != nil || len(cs) == 0 {
			t.Fatalf("comments: %v, %v", cs, err)
		}
		c := id(cs[0].ID)
		admin := b.signIn(t, "admin")
		if res := admin.hx(t, http.MethodPost, "/o/fabrikam/comments/"+c, url.Values{"body": {"rewritten"}}); res.status != http.StatusForbidden {
			t.Fatalf("the admin edits the member's comment: %d", res.status)
		}
		res := member.hx(t, http.MethodPost, "/o/fabrikam/comments/"+c, url.Values{"body": {"Thanks, all sorted"}})
		if res.status != http.StatusOK || !strings.Contains(res.body, "Thanks, all sorted") || !strings.Contains(res.body, "edited") {
			t.Fatalf("edit: %d: %.2000s", res.status, res.body)
		}
		if strings.Count(res.body, `action="/o/fabrikam/comments/`+c+`"`) != 1 {
			t.Error("the author's comment has no edit form")
		}
		res = admin.hx(t, http.MethodPost, "/o/fabrikam/comments/"+c+"/delete", nil)
		if res.status != http.StatusOK || strings.Contains(res.body, "Thanks, all sorted") {
			t.Fatalf("the admin deletes the comment: %d: %.2000s", res.status, res.body)
		}
	})

	t.Run("History", func(t *testing.T) {
		page := member.get(t, drawer)
		history := regexp.MustCompile(`(?s)<details class="history".*?</details>`).FindString(page.body)
		for _, want := range []string{"Member</strong> checked in", "Confidence", "<ins>7</ins>", "Tenant Admin</strong> created this key result", "<ins>Checkout conversion</ins>"} {
			if !strings.Contains(history, want) {
				t.Errorf("the history lacks %s: %.3000s", want, history)
			}
		}
	})

	t.Run("ViewerReadsOnly", func(t *testing.T) {
		page := b.signIn(t, "viewer").get(t, drawer)
		if !strings.Contains(page.body, "why 7?") || strings.Contains(page.body, `name="body"`) {
			t.Fatalf("the viewer's drawer: threads shown %v, comment form shown %v", strings.Contains(page.body, "why 7?"), strings.Contains(page.body, `name="body"`))
		}
	})
}

// TestEditorsAndCheckInOwnersInTheUI sets a key result's editors and check-in owners with its
// form, sees the drawer list them, and checks that a check-in owner is offered the check-in
// and not the edit.
func TestEditorsAndCheckInOwnersInTheUI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tctx := cairn.NewContext(context.Background(), b.users["tenant"])
	casey, err := b.svc.AddMember(tctx, "fabrikam", cairn.NewMember{Email: "casey@example.com", Name: "Casey", Role: cairn.RoleMember, Password: "correct-horse"})
	if err != nil {
		t.Fatal(err)
	}
	b.users["casey"], err = b.db.UserByID(context.Background(), casey.UserID)
	if err != nil {
		t.Fatal(err)
	}
	member := b.signIn(t, "member")
	edit := member.get(t, "/o/fabrikam/key-results/"+id(b.keyResult)+"/edit")
	for _, want := range []string{"Editors and check-in owners", `name="editor_ids"`, `name="checkin_owner_ids"`, `name="people_present"`} {
		if !strings.Contains(edit.body, want) {
			t.Errorf("the key result's form lacks %s", want)
		}
	}
	res := member.post(t, "/o/fabrikam/key-results/"+id(b.keyResult), url.Values{"title": {"Checkout conversion"}, "owner_ids": {id(b.users["member"].ID)},
		"metric_kind": {"percentage"}, "metric_start": {"2"}, "metric_target": {"4"}, "metric_unit": {"%"}, "progress_source": {"manual"},
		"people_present": {"1"}, "editor_ids": {id(b.users["admin"].ID)}, "checkin_owner_ids": {id(casey.UserID)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save the form: %d: %.2000s", res.status, res.body)
	}
	page := member.get(t, res.header.Get("Location"))
	people := regexp.MustCompile(`(?s)<dl class="facts people-facts".*?</dl>`).FindString(page.body)
	if !strings.Contains(people, "<dt>Editors</dt><dd>Admin</dd>") || !strings.Contains(people, "<dt>Check-in owners</dt><dd>Casey</dd>") {
		t.Fatalf("the drawer's people: %q", people)
	}
	// A form without the fields leaves the lists alone.
	res = member.post(t, "/o/fabrikam/key-results/"+id(b.keyResult), url.Values{"title": {"Checkout conversion rate"}, "owner_ids": {id(b.users["member"].ID)},
		"metric_kind": {"percentage"}, "metric_start": {"2"}, "metric_target": {"4"}, "metric_unit": {"%"}, "progress_source": {"manual"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save the form without its people: %d", res.status)
	}

	c := b.signIn(t, "casey")
	drawer := c.get(t, "/o/fabrikam/okrs/key-results/"+id(b.keyResult))
	if !strings.Contains(drawer.body, `id="ci-value"`) || strings.Contains(drawer.body, "/key-results/"+id(b.keyResult)+"/edit") {
		t.Fatalf("the check-in owner's drawer: check-in form %v, edit link %v", strings.Contains(drawer.body, `id="ci-value"`),
			strings.Contains(drawer.body, "/edit\""))
	}
	if res := c.post(t, "/o/fabrikam/key-results/"+id(b.keyResult)+"/check-ins", url.Values{"value": {"3.2"}}); res.status != http.StatusSeeOther {
		t.Fatalf("the check-in owner checks in: %d: %.1000s", res.status, res.body)
	}
	if res := c.post(t, "/o/fabrikam/key-results/"+id(b.keyResult), url.Values{"title": {"Mine"}, "owner_ids": {id(casey.UserID)},
		"metric_kind": {"percentage"}, "metric_start": {"2"}, "metric_target": {"4"}}); res.status != http.StatusForbidden {
		t.Fatalf("the check-in owner saves the key result's form: %d, want 403", res.status)
	}
	v, err := b.svc.KeyResult(tctx, "fabrikam", b.keyResult)
	if err != nil {
		t.Fatal(err)
	}
	if v.Title != "Checkout conversion rate" || v.Metric.Current != 3.2 || len(v.CheckInOwnerIDs) != 1 || len(v.EditorIDs) != 1 {
		t.Fatalf("key result = %q at %v, editors %v, check-in owners %v", v.Title, v.Metric.Current, v.EditorIDs, v.CheckInOwnerIDs)
	}
}
