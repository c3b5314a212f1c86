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

// TestObjectiveAndInitiativeDelegatesInTheUI sets an objective's editors with its form, which
// offers editors and no check-in owners, and an initiative's check-in owner and editor with
// its form; it checks that the drawers list them, that the objective's editor may then
// change the objective, that the initiative's check-in owner may check in on it but not
// change it, and that its editor may change it.
func TestObjectiveAndInitiativeDelegatesInTheUI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tctx := cairn.NewContext(context.Background(), b.users["tenant"])
	for _, name := range []string{"Casey", "Dana"} {
		m, err := b.svc.AddMember(tctx, "fabrikam", cairn.NewMember{Email: strings.ToLower(name) + "@example.com", Name: name, Role: cairn.RoleMember, Password: "correct-horse"})
		if err != nil {
			t.Fatal(err)
		}
		if b.users[strings.ToLower(name)], err = b.db.UserByID(context.Background(), m.UserID); err != nil {
			t.Fatal(err)
		}
	}
	casey, dana := b.users["casey"].ID, b.users["dana"].ID
	member := b.signIn(t, "member")
	objPath := "/o/fabrikam/objectives/" + id(b.objective)
	objectiveForm := func(title string, extra url.Values) url.Values {
		v := url.Values{"title": {title}, "period_id": {id(b.period)}, "level": {"organization"}, "owner_ids": {id(b.users["member"].ID)}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}

	t.Run("ObjectiveEditors", func(t *testing.T) {
		// Before: Casey may not change the objective.
		c := b.signIn(t, "casey")
		if res := c.post(t, objPath, objectiveForm("Casey's", nil)); res.status != http.StatusForbidden {
			t.Fatalf("a member with no part saves the objective: %d, want 403", res.status)
		}
		edit := member.get(t, objPath+"/edit")
		form := regexp.MustCompile(`(?s)<details class="more-opts"[^>]*data-testid="delegates">.*?</details>`).FindString(edit.body)
		for _, want := range []string{"<summary>Editors</summary>", `name="editor_ids" value="` + id(casey) + `"`, "its key results and its initiatives"} {
			if !strings.Contains(form, want) {
				t.Errorf("the objective's form lacks %s: %.2000s", want, form)
			}
		}
		if !strings.Contains(edit.body, `name="people_present"`) {
			t.Error("the objective's form does not say that it carries the editors")
		}
		if strings.Contains(form, "checkin_owner_ids") {
			t.Error("the objective's form offers check-in owners, which objectives do not have")
		}
		res := member.post(t, objPath, objectiveForm("Delight shoppers", url.Values{"people_present": {"1"}, "editor_ids": {id(casey)}}))
		if res.status != http.StatusSeeOther {
			t.Fatalf("save the objective's form: %d: %.2000s", res.status, res.body)
		}
		o, err := b.svc.Objective(tctx, "fabrikam", b.objective)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.EditorIDs) != 1 || o.EditorIDs[0] != casey {
			t.Fatalf("objective editors = %v, want Casey (%d)", o.EditorIDs, casey)
		}
		people := regexp.MustCompile(`(?s)<dl class="facts people-facts".*?</dl>`).FindString(member.get(t, "/o/fabrikam/okrs/objectives/"+id(b.objective)).body)
		if !strings.Contains(people, "<dt>Editors</dt><dd>Casey</dd>") {
			t.Fatalf("the objective's drawer people: %q", people)
		}
		if !strings.Contains(member.get(t, objPath+"/edit").body, `name="editor_ids" value="`+id(casey)+`" checked`) {
			t.Fatal("the objective's form does not show Casey chosen as editor")
		}
		// The editor may now change the objective, and save its form.
		if res := c.post(t, objPath, objectiveForm("Delight shoppers everywhere", url.Values{"people_present": {"1"}, "editor_ids": {id(casey)}})); res.status != http.StatusSeeOther {
			t.Fatalf("the editor saves the objective: %d: %.1000s", res.status, res.body)
		}
		// A form without the field leaves the editors alone; one with none chosen clears them.
		if res := member.post(t, objPath, objectiveForm("Delight shoppers", nil)); res.status != http.StatusSeeOther {
			t.Fatalf("save without editors: %d", res.status)
		}
		if o, _ := b.svc.Objective(tctx, "fabrikam", b.objective); len(o.EditorIDs) != 1 || o.Title != "Delight shoppers" {
			t.Fatalf("after a form without editors: editors %v, title %q", o.EditorIDs, o.Title)
		}
		if res := member.post(t, objPath, objectiveForm("Delight shoppers", url.Values{"people_present": {"1"}})); res.status != http.StatusSeeOther {
			t.Fatalf("save with no editor chosen: %d", res.status)
		}
		if o, _ := b.svc.Objective(tctx, "fabrikam", b.objective); len(o.EditorIDs) != 0 {
			t.Fatalf("after choosing no editor: editors %v", o.EditorIDs)
		}
		if res := c.post(t, objPath, objectiveForm("Casey's again", nil)); res.status != http.StatusForbidden {
			t.Fatalf("a former editor saves the objective: %d, want 403", res.status)
		}
	})

	t.Run("InitiativeCheckInOwnerAndEditor", func(t *testing.T) {
		iniPath := "/o/fabrikam/initiatives/" + id(b.initiative)
		initiativeForm := func(title string, extra url.Values) url.Values {
			v := url.Values{"title": {title}, "owner_ids": {id(b.users["member"].ID)}, "contributes": {"on"}, "progress_mode": {"manual"}}
			for k, vs := range extra {
				v[k] = vs
			}
			return v
		}
		res := member.post(t, iniPath, initiativeForm("One-page checkout", url.Values{"people_present": {"1"}, "editor_ids": {id(dana)}, "checkin_owner_ids": {id(casey)}}))
		if res.status != http.StatusSeeOther {
			t.Fatalf("save the initiative's form: %d: %.2000s", res.status, res.body)
		}
		people := regexp.MustCompile(`(?s)<dl class="facts people-facts".*?</dl>`).FindString(member.get(t, "/o/fabrikam/okrs/initiatives/"+id(b.initiative)).body)
		if !strings.Contains(people, "<dt>Editors</dt><dd>Dana</dd>") || !strings.Contains(people, "<dt>Check-in owners</dt><dd>Casey</dd>") {
			t.Fatalf("the initiative's drawer people: %q", people)
		}
		c := b.signIn(t, "casey")
		drawer := c.get(t, "/o/fabrikam/okrs/initiatives/"+id(b.initiative))
		if !strings.Contains(drawer.body, `id="ci-value"`) || strings.Contains(drawer.body, iniPath+"/edit") {
			t.Fatalf("the check-in owner's drawer: check-in form %v, edit link %v", strings.Contains(drawer.body, `id="ci-value"`), strings.Contains(drawer.body, iniPath+"/edit"))
		}
		if res := c.post(t, iniPath+"/check-ins", url.Values{"value": {"40"}}); res.status != http.StatusSeeOther {
			t.Fatalf("the check-in owner checks in on the initiative: %d: %.1000s", res.status, res.body)
		}
		if res := c.post(t, iniPath, initiativeForm("Casey's", nil)); res.status != http.StatusForbidden {
			t.Fatalf("the check-in owner saves the initiative: %d, want 403", res.status)
		}
		d := b.signIn(t, "dana")
		if !strings.Contains(d.get(t, "/o/fabrikam/okrs/initiatives/"+id(b.initiative)).body, iniPath+"/edit") {
			t.Fatal("the editor's drawer offers no edit")
		}
		if res := d.post(t, iniPath, initiativeForm("One-page checkout, by Dana", nil)); res.status != http.StatusSeeOther {
			t.Fatalf("the editor saves the initiative: %d: %.1000s", res.status, res.body)
		}
		i, err := b.svc.Initiative(tctx, "fabrikam", b.initiative)
		if err != nil {
			t.Fatal(err)
		}
		if i.Title != "One-page checkout, by Dana" || i.Current != 40 || len(i.EditorIDs) != 1 || len(i.CheckInOwnerIDs) != 1 {
			t.Fatalf("initiative = %q at %v, editors %v, check-in owners %v", i.Title, i.Current, i.EditorIDs, i.CheckInOwnerIDs)
		}
	})
}
