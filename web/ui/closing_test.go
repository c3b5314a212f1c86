package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestClosePeriodPages walks through a close in the UI: the owner chooses a score in the
// drawer ahead of the close, the admin reviews suggested scores, changes a score and a
// status, writes a note and carries the unfinished key result forward; the results show
// the final scores with a link to the copy; members can no longer change the closed items;
// the admin reopens the period.
func TestClosePeriodPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := cairn.NewContext(context.Background(), b.users["tenant"])
	q4 := &cairn.Period{Name: "Q4 2026", Start: cairn.DateOf(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)), End: cairn.DateOf(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC))}
	if err := b.svc.CreatePeriod(ctx, "fabrikam", q4); err != nil {
		t.Fatal(err)
	}
	member, admin := b.signIn(t, "member"), b.signIn(t, "admin")
	// The key result runs from 2 % to 4 %: 3 % is half way.
	if err := b.svc.CheckIn(cairn.NewContext(context.Background(), b.users["member"]), "fabrikam", &cairn.CheckIn{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: b.keyResult}, Value: 3}); err != nil {
		t.Fatal(err)
	}
	krPath := fmt.Sprintf("/o/fabrikam/key-results/%d/closing", b.keyResult)
	closePath := fmt.Sprintf("/o/fabrikam/admin/periods/%d/close", b.period)

	t.Run("OwnerChoosesInTheDrawer", func(t *testing.T) {
		res := member.hx(t, "GET", fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", b.keyResult), nil)
		if res.status != http.StatusOK || !strings.Contains(res.body, "Score at the close") || !strings.Contains(res.body, `placeholder="0.50 suggested"`) {
			t.Fatalf("drawer: %d %.2000s", res.status, res.body)
		}
		res = member.hx(t, "POST", krPath, url.Values{"score": {"2"}, "closing_status": {""}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "a score is a number from 0 to 1") {
			t.Fatalf("a score of 2: %d %.2000s", res.status, res.body)
		}
		res = member.post(t, krPath, url.Values{"score": {"0.6"}, "closing_status": {""}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("choosing 0.6: %d %.500s", res.status, res.body)
		}
		k, err := b.svc.KeyResult(ctx, "fabrikam", b.keyResult)
		if err != nil {
			t.Fatal(err)
		}
		if k.Score == nil || *k.Score != 0.6 || k.ClosingStatus != "" {
			t.Fatalf("chosen score %v status %q, want 0.6 and none", k.Score, k.ClosingStatus)
		}
		if res := b.signIn(t, "viewer").post(t, krPath, url.Values{"score": {"0.1"}}); res.status != http.StatusForbidden {
			t.Fatalf("viewer's choice: %d, want 403", res.status)
		}
	})

	t.Run("ReviewShowsSuggestionsAndChoices", func(t *testing.T) {
		res := admin.get(t, closePath)
		for _, want := range []string{
			`name="score-objective-` + fmt.Sprint(b.objective) + `" inputmode="decimal" value="0.50"`,
			`name="score-key_result-` + fmt.Sprint(b.keyResult) + `" inputmode="decimal" value="0.60"`,
			"(chosen by its owners)", "Follow the score", `name="closing_note"`,
			`<option value="` + fmt.Sprint(q4.ID) + `">Q4 2026`, "1 key result is below 100 %",
		} {
			if !strings.Contains(res.body, want) {
				t.Fatalf("close page lacks %q: %.4000s", want, res.body)
			}
		}
		if res := member.get(t, closePath); res.status != http.StatusForbidden {
			t.Fatalf("member's close page: %d, want 403", res.status)
		}
	})

	t.Run("ErrInvalidFormChangesNothing", func(t *testing.T) {
		res := admin.post(t, closePath, url.Values{"score-key_result-" + fmt.Sprint(b.keyResult): {"lots"}, "carry_forward_to": {fmt.Sprint(q4.ID)}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "a score is a number from 0 to 1") {
			t.Fatalf("a score of lots: %d %.3000s", res.status, res.body)
		}
		res = admin.post(t, closePath, url.Values{"carry_forward_to": {fmt.Sprint(b.period)}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "cannot carry its key results into itself") {
			t.Fatalf("carrying into itself: %d %.3000s", res.status, res.body)
		}
		if p, err := b.svc.Period(ctx, "fabrikam", b.period); err != nil || p.Closed() {
			t.Fatalf("a refused close: %v %v", p, err)
		}
	})

	t.Run("CloseShowsResults", func(t *testing.T) {
		objKey := "objective-" + fmt.Sprint(b.objective)
		res := admin.post(t, closePath, url.Values{
			"score-" + objKey:   {"0.9"},
			"closing-" + objKey: {"missed"},
			"score-key_result-" + fmt.Sprint(b.keyResult): {"0.60"},
			"closing_note":     {"Conversion moved; the rest goes on in Q4."},
			"carry_forward_to": {fmt.Sprint(q4.ID)},
		})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != closePath {
			t.Fatalf("close: %d to %q: %.2000s", res.status, res.header.Get("Location"), res.body)
		}
		o, err := b.svc.Objective(ctx, "fabrikam", b.objective)
		if err != nil {
			t.Fatal(err)
		}
		k, err := b.svc.KeyResult(ctx, "fabrikam", b.keyResult)
		if err != nil {
			t.Fatal(err)
		}
		if o.Score == nil || *o.Score != 0.9 || o.ClosingStatus != progress.Missed || k.Score == nil || *k.Score != 0.6 ||
			k.ClosingStatus != progress.PartiallyAchieved || k.CarriedToID == nil {
			t.Fatalf("objective %v %q, key result %v %q carried to %v", o.Score, o.ClosingStatus, k.Score, k.ClosingStatus, k.CarriedToID)
		}
		copyURL := fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", *k.CarriedToID)
		res = admin.get(t, closePath)
		for _, want := range []string{"Q3 2026 results", "Conversion moved; the rest goes on in Q4.", "0.90", "Missed", "0.60", "Partially achieved",
			`href="` + copyURL + `">Q4 2026 →`, "Reopen Q3 2026"} {
			if !strings.Contains(res.body, want) {
				t.Fatalf("results lack %q: %.4000s", want, res.body)
			}
		}
		res = member.hx(t, "GET", fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", b.keyResult), nil)
		if !strings.Contains(res.body, `href="`+copyURL+`" data-testid="carried-to"`) || !strings.Contains(res.body, "Partially achieved") ||
			strings.Contains(res.body, "Save for the close") || strings.Contains(res.body, "Change the final score") {
			t.Fatalf("member's drawer of the closed key result: %.4000s", res.body)
		}
		res = member.hx(t, "GET", copyURL, nil)
		if !strings.Contains(res.body, `data-testid="carried-from"`) || !strings.Contains(res.body, "Save for the close") {
			t.Fatalf("member's drawer of the copy: %.4000s", res.body)
		}
		history := regexp.MustCompile(`(?s)<details class="history".*?</details>`).FindString(res.body)
		for _, want := range []string{"<strong>Admin</strong> created this key result", "<dt>Carried forward from</dt><dd><ins>" + fmt.Sprint(b.keyResult) + "</ins>"} {
			if !strings.Contains(history, want) {
				t.Fatalf("the copy's history lacks %s: %.3000s", want, history)
			}
		}
		if res := admin.hx(t, "GET", fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", b.keyResult), nil); !strings.Contains(res.body, "Change the final score") {
			t.Fatalf("admin's drawer of the closed key result: %.4000s", res.body)
		}
	})

	t.Run("ClosedDrawerIsReadOnlyButForAdmins", func(t *testing.T) {
		drawer := fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", b.keyResult)
		edit := fmt.Sprintf("/o/fabrikam/key-results/%d/edit", b.keyResult)
		owner := member.get(t, drawer)
		if strings.Contains(owner.body, `id="ci-value"`) || strings.Contains(owner.body, `href="`+edit+`"`) {
			t.Fatalf("the owner's drawer of a closed key result offers check-in %v, edit %v", strings.Contains(owner.body, `id="ci-value"`), strings.Contains(owner.body, `href="`+edit+`"`))
		}
		if res := member.post(t, fmt.Sprintf("/o/fabrikam/key-results/%d/check-ins", b.keyResult), url.Values{"value": {"3.5"}}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, `data-testid="checkin-refused">Your check-in was not saved: period &#34;Q3 2026&#34; is closed`) {
			t.Fatalf("the owner's check-in on a closed key result: %d, want 422 saying the period is closed: %.3000s", res.status, res.body)
		}
		res := admin.get(t, drawer)
		if !strings.Contains(res.body, `id="ci-value"`) || !strings.Contains(res.body, `href="`+edit+`"`) {
			t.Fatalf("the admin's drawer of a closed key result offers check-in %v, edit %v", strings.Contains(res.body, `id="ci-value"`), strings.Contains(res.body, `href="`+edit+`"`))
		}
	})

	t.Run("MembersCannotChangeClosedItems", func(t *testing.T) {
		res := member.post(t, krPath, url.Values{"score": {"0.1"}, "closing_status": {""}})
		if res.status != http.StatusConflict || !strings.Contains(res.body, "only an organization admin may change them") {
			t.Fatalf("member's change of a closed score: %d %.2000s", res.status, res.body)
		}
		res = admin.hx(t, "POST", krPath, url.Values{"score": {"0.2"}, "closing_status": {""}})
		if res.status != http.StatusOK || !strings.Contains(res.body, "Missed") {
			t.Fatalf("admin's change of a closed score: %d %.2000s", res.status, res.body)
		}
	})

	t.Run("AdminReopens", func(t *testing.T) {
		reopen := fmt.Sprintf("/o/fabrikam/admin/periods/%d/reopen", b.period)
		if res := member.post(t, reopen, url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("member's reopen: %d, want 403", res.status)
		}
		res := admin.get(t, "/o/fabrikam/admin/periods")
		if !strings.Contains(res.body, `action="`+reopen+`"`) {
			t.Fatalf("periods page has no reopen button: %.3000s", res.body)
		}
		res = admin.post(t, reopen, url.Values{})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/o/fabrikam/admin/periods" {
			t.Fatalf("reopen: %d to %q", res.status, res.header.Get("Location"))
		}
		if p, err := b.svc.Period(ctx, "fabrikam", b.period); err != nil || p.Closed() {
			t.Fatalf("after reopening: %+v %v", p, err)
		}
		if res := admin.post(t, reopen, url.Values{}); res.status != http.StatusConflict {
			t.Fatalf("reopening an open period: %d, want 409", res.status)
		}
	})
}
