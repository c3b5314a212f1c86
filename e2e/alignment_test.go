package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserItemUnderTwoParents aligns a new objective to two objectives of the demo tree
// with weights 0.7 and 0.3, and checks in Chromium that the tree shows it under both with
// its weight there, and that its drawer lists both parents.
func TestBrowserItemUnderTwoParents(t *testing.T) {
	needBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	s.signIn(t, ctx, s.email, s.password)
	run(t, ctx, "tree", chromedp.Navigate(s.base+"/o/fabrikam/okrs"), chromedp.WaitVisible(chromedp.CSS(`.tree .row`)))

	// Two top-level objectives of the tree become the parents.
	roots := eval[[]string](t, ctx, `[...document.querySelectorAll(".tree li.node.depth-0")].map(li => li.id).filter(id => /^row-objective-\d+$/.test(id))`)
	if len(roots) < 2 {
		t.Fatalf("the demo tree has %d top-level objectives, want 2", len(roots))
	}
	var a, b int64
	fmt.Sscanf(roots[0], "row-objective-%d", &a)
	fmt.Sscanf(roots[1], "row-objective-%d", &b)
	var pa struct {
		PeriodID int64 `json:"period_id"`
	}
	apiGet(t, ctx, fmt.Sprintf("/api/v1/orgs/fabrikam/objectives/%d", a), &pa)
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	apiGet(t, ctx, "/api/v1/me", &me)
	body, _ := json.Marshal(map[string]any{"period_id": pa.PeriodID, "title": "Shared platform uptime",
		"parents": []map[string]any{{"type": "objective", "id": a, "weight": 0.7}, {"type": "objective", "id": b, "weight": 0.3}}})
	res := fetch(t, ctx, "POST", "/api/v1/orgs/fabrikam/objectives", map[string]string{"Content-Type": "application/json", "X-CSRF-Token": me.CSRF}, string(body))
	if res.Status != http.StatusCreated {
		t.Fatalf("creating the objective: %d %s", res.Status, res.Body)
	}
	var created struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(res.Body), &created); err != nil {
		t.Fatal(err)
	}

	run(t, ctx, "reload", chromedp.Navigate(s.base+"/o/fabrikam/okrs"), chromedp.WaitVisible(chromedp.CSS(`.tree .row`)))
	js := fmt.Sprintf(`[...document.querySelectorAll('.tree li[id^="row-objective-%d"]')].filter(li => /^row-objective-%d(-in-.*)?$/.test(li.id)).map(li => li.parentElement.closest("li").id + " " + li.querySelector(":scope > .row [data-testid=align-weight]").textContent)`, created.ID, created.ID)
	got := eval[[]string](t, ctx, js)
	want := []string{fmt.Sprintf("row-objective-%d 70 %%", a), fmt.Sprintf("row-objective-%d 30 %%", b)}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("the objective shows as %v, want under both parents: %v", got, want)
	}
	s.shot(t, ctx, "two-parents")

	run(t, ctx, "open from under the second parent",
		click(chromedp.CSS(fmt.Sprintf(`#row-objective-%d-in-objective-%d > .row a.title`, created.ID, b))),
		chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=parents]`)),
	)
	parents := text(t, ctx, `#drawer [data-testid=parents]`)
	if !strings.Contains(parents, "70 %") || !strings.Contains(parents, "30 %") || !strings.Contains(parents, "primary") {
		t.Fatalf("the drawer lists parents %q, want both with their weights", parents)
	}
}
