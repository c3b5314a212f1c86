package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// rowChip returns the label of the status chip in the tree row of an item.
func rowChip(t *testing.T, body, rowID string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(rowID) + `".*?class="chip [^"]*"><span class="chip-dot" aria-hidden="true"></span>([^<]*)</span>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no row %s with a status chip in the tree", rowID)
	}
	return m[1]
}

// TestCheckInFormStatusHoldsInTheTree checks in through the drawer's form with a status, and
// the tree shows that status on the key result's row until a check-in without a status lets
// Cairn work it out again; the objective's edit form states a status that the tree shows
// until it is cleared.
func TestCheckInFormStatusHoldsInTheTree(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	kr := fmt.Sprintf("/o/fabrikam/key-results/%d/check-ins", b.keyResult)
	tree := fmt.Sprintf("/o/fabrikam/okrs?period=%d", b.period)
	krRow := fmt.Sprintf("row-key_result-%d", b.keyResult)
	objRow := fmt.Sprintf("row-objective-%d", b.objective)

	// The target is 4: 3.9 is ahead of any pace, yet the person says it is at risk.
	if res := admin.post(t, kr, url.Values{"value": {"3.9"}, "status": {"at_risk"}}); res.status != http.StatusSeeOther {
		t.Fatalf("check-in: %d %.300s", res.status, res.body)
	}
	if got := rowChip(t, admin.get(t, tree).body, krRow); got != "At risk" {
		t.Fatalf("after a check-in that says at risk the row says %q", got)
	}
	if res := admin.post(t, kr, url.Values{"value": {"3.9"}}); res.status != http.StatusSeeOther {
		t.Fatalf("check-in: %d %.300s", res.status, res.body)
	}
	computed := rowChip(t, admin.get(t, tree).body, krRow)
	if computed == "At risk" {
		t.Fatalf("after a check-in with no status the row still says %q", computed)
	}

	edit := fmt.Sprintf("/o/fabrikam/objectives/%d", b.objective)
	form := admin.get(t, edit+"/edit")
	if form.status != http.StatusOK || !regexp.MustCompile(`<select id="stated_status" name="stated_status"`).MatchString(form.body) {
		t.Fatalf("the objective's edit form has no status field: %d", form.status)
	}
	objective := func(status string) url.Values {
		return url.Values{"title": {"Objective stated"}, "level": {"organization"}, "owner_ids": {id(b.users["admin"].ID)}, "stated_status": {status}}
	}
	if res := admin.post(t, edit, objective("behind")); res.status != http.StatusSeeOther {
		t.Fatalf("save the objective: %d %.500s", res.status, res.body)
	}
	if got := rowChip(t, admin.get(t, tree).body, objRow); got != "Behind" {
		t.Fatalf("after stating behind the objective's row says %q", got)
	}
	if res := admin.post(t, kr, url.Values{"value": {"4"}}); res.status != http.StatusSeeOther {
		t.Fatalf("check-in: %d", res.status)
	}
	if got := rowChip(t, admin.get(t, tree).body, objRow); got != "Behind" {
		t.Fatalf("after a key result's check-in the objective's row says %q, want Behind still", got)
	}
	if res := admin.post(t, edit, objective("")); res.status != http.StatusSeeOther {
		t.Fatalf("save the objective: %d %.500s", res.status, res.body)
	}
	if got := rowChip(t, admin.get(t, tree).body, objRow); got == "Behind" {
		t.Fatalf("after clearing the stated status the objective's row says %q", got)
	}
}
