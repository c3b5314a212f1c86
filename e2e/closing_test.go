package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestClosePeriodInTheBrowser closes a past quarter through its close page in Chromium: the
// admin changes a closing status, writes a note and carries the unfinished key result into
// the next quarter; the results link to the copy, which links back; and the admin reopens
// the quarter.
func TestClosePeriodInTheBrowser(t *testing.T) {
	needBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	s.signIn(t, ctx, s.email, s.password)

	type idOf struct {
		ID int64 `json:"id"`
	}
	var me struct {
		User idOf `json:"user"`
	}
	apiGet(t, ctx, "/api/v1/me", &me)
	var past, next, obj, kr idOf
	apiPost(t, ctx, "/api/v1/orgs/fabrikam/periods", map[string]any{"name": "Q1 2025", "start": "2025-01-01", "end": "2025-03-31"}, &past)
	apiPost(t, ctx, "/api/v1/orgs/fabrikam/periods", map[string]any{"name": "Q2 2025", "start": "2025-04-01", "end": "2025-06-30"}, &next)
	apiPost(t, ctx, "/api/v1/orgs/fabrikam/objectives", map[string]any{"period_id": past.ID, "title": "Win the spring launch", "owner_ids": []int64{me.User.ID}}, &obj)
	apiPost(t, ctx, "/api/v1/orgs/fabrikam/key-results", map[string]any{"objective_id": obj.ID, "title": "Signed launch partners",
		"metric": map[string]any{"kind": "number", "start": 0, "target": 10}, "owner_ids": []int64{me.User.ID}}, &kr)
	apiPost(t, ctx, fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d/check-ins", kr.ID), map[string]any{"value": 4}, nil)

	closePage := fmt.Sprintf("%s/o/fabrikam/admin/periods/%d/close", s.base, past.ID)
	run(t, ctx, "review",
		chromedp.Navigate(closePage),
		chromedp.WaitVisible(chromedp.ID("carry-to")),
		chromedp.SetValue(chromedp.ID(fmt.Sprintf("closing-objective-%d", obj.ID)), "missed"),
		chromedp.SendKeys(chromedp.ID("closing-note"), "Four partners signed; the rest carry on in Q2."),
		chromedp.SetValue(chromedp.ID("carry-to"), fmt.Sprint(next.ID)),
	)
	if v := eval[string](t, ctx, fmt.Sprintf(`document.getElementById("score-key_result-%d").value`, kr.ID)); v != "0.40" {
		t.Fatalf("suggested score in the form = %q, want 0.40", v)
	}
	s.shot(t, ctx, "close-period")
	run(t, ctx, "close",
		click(`//button[contains(.,"Close the period")]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=results]`)),
	)
	s.shot(t, ctx, "close-period-results")
	results := text(t, ctx, `[data-testid=results]`)
	for _, want := range []string{"Win the spring launch", "Missed", "Signed launch partners", "0.40", "Partially achieved", "Q2 2025 →"} {
		if !strings.Contains(results, want) {
			t.Fatalf("results %q lack %q", results, want)
		}
	}
	if note := text(t, ctx, `[data-testid=closing-note]`); note != "Four partners signed; the rest carry on in Q2." {
		t.Fatalf("closing note %q", note)
	}

	run(t, ctx, "follow the copy",
		click(`//table[@data-testid="results"]//tr[.//a[contains(.,"Signed launch partners")]]//a[contains(.,"Q2 2025")]`),
		chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=carried-from]`)),
	)
	s.shot(t, ctx, "carried-forward-drawer")
	if title := text(t, ctx, `#drawer .drawer-title`); title != "Signed launch partners" {
		t.Fatalf("the copy's drawer shows %q", title)
	}
	if value := text(t, ctx, `[data-testid=item-value]`); !strings.Contains(value, "4") || !strings.Contains(value, "10") {
		t.Fatalf("the copy's value %q, want 4 of 10", value)
	}

	run(t, ctx, "reopen",
		chromedp.Navigate(closePage),
		click(`//button[contains(.,"Reopen Q1 2025")]`),
		chromedp.WaitVisible(`//h1[.="Periods"]`),
	)
	var p struct {
		ClosedAt *string `json:"closed_at"`
	}
	apiGet(t, ctx, fmt.Sprintf("/api/v1/orgs/fabrikam/periods/%d", past.ID), &p)
	if p.ClosedAt != nil {
		t.Fatalf("Q1 2025 is still closed at %s after reopening", *p.ClosedAt)
	}
}
