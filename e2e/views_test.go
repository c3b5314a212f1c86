package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserViewsExportAndDashboard filters the OKR list in a real browser, saves the
// filter as a shared view, exports it as CSV and XLSX from the page's links, and draws the
// dashboard's charts.
func TestBrowserViewsExportAndDashboard(t *testing.T) {
	needBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	s.signIn(t, ctx, s.email, s.password)

	var shown int
	t.Run("Filter", func(t *testing.T) {
		run(t, ctx, "filter to key results from Azure DevOps",
			chromedp.Navigate(s.base+"/o/fabrikam/okrs"),
			chromedp.WaitVisible(chromedp.ID("f-type")),
			chromedp.SetValue(chromedp.ID("f-type"), "key_result"),
			chromedp.SetValue(chromedp.ID("f-source"), "azure-devops"),
			chromedp.Submit(chromedp.ID("f-q")),
		)
		until(t, ctx, "the filtered list", `location.search.includes("type=key_result") && document.readyState === "complete" && document.querySelectorAll(".tree .row").length > 0`)
		shown = eval[int](t, ctx, `document.querySelectorAll(".tree .row").length`)
		if other := eval[int](t, ctx, `document.querySelectorAll(".tree .row .glyph:not(.g-key_result)").length`); other != 0 {
			t.Errorf("the key result filter shows %d rows of other kinds", other)
		}
		if manual := eval[int](t, ctx, `[...document.querySelectorAll(".tree .row")].filter(r => !r.querySelector(".azdo")).length`); manual != 0 {
			t.Errorf("the Azure DevOps filter shows %d rows without the Azure DevOps mark", manual)
		}
		var items struct {
			Count int `json:"count"`
		}
		period := eval[string](t, ctx, `new URLSearchParams(location.search).get("period") || ""`)
		path := "/api/v1/orgs/fabrikam/items?type=key_result&source=azure-devops"
		if period != "" {
			path += "&period_id=" + period
		}
		apiGet(t, ctx, path, &items)
		if items.Count != shown {
			t.Errorf("the page shows %d rows, the API lists %d such key results", shown, items.Count)
		}
		s.shot(t, ctx, "okr-list-filtered")
	})

	t.Run("SaveView", func(t *testing.T) {
		run(t, ctx, "save the filter as a shared view",
			click(chromedp.CSS(`details.save-view > summary`)),
			chromedp.WaitVisible(chromedp.ID("view-name")),
			chromedp.SendKeys(chromedp.ID("view-name"), "Synced key results"),
			click(chromedp.ID("view-shared")),
			click(chromedp.CSS(`[data-testid=save-view] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=current-view]`)),
		)
		if name := text(t, ctx, `[data-testid=current-view]`); name != "Synced key results" {
			t.Errorf("the page shows the view %q", name)
		}
		if !strings.Contains(eval[string](t, ctx, `location.search`), "view=") {
			t.Errorf("the saved view's page is %s, want ?view=…", eval[string](t, ctx, `location.href`))
		}
		if rows := eval[int](t, ctx, `document.querySelectorAll(".tree .row").length`); rows != shown {
			t.Errorf("the saved view shows %d rows, the filter showed %d", rows, shown)
		}
		var views struct {
			Items []struct {
				Name   string `json:"name"`
				Shared bool   `json:"shared"`
				Filter struct {
					Type   string `json:"type"`
					Source string `json:"source"`
				} `json:"filter"`
			} `json:"items"`
		}
		apiGet(t, ctx, "/api/v1/orgs/fabrikam/views", &views)
		if len(views.Items) != 1 || views.Items[0].Name != "Synced key results" || !views.Items[0].Shared ||
			views.Items[0].Filter.Type != "key_result" || views.Items[0].Filter.Source != "azure-devops" {
			t.Errorf("saved views %+v", views.Items)
		}
		// Reopening the list and choosing the view from the menu shows it again.
		run(t, ctx, "choose the view from the menu",
			chromedp.Navigate(s.base+"/o/fabrikam/okrs"),
			click(chromedp.CSS(`details.views-pick > summary`)),
			click(chromedp.CSS(`[data-testid=view-link]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=current-view]`)),
		)
	})

	t.Run("Export", func(t *testing.T) {
		csvURL := eval[string](t, ctx, `document.querySelector("[data-testid=export-csv]").getAttribute("href")`)
		res := fetch(t, ctx, "GET", csvURL, nil, "")
		if res.Status != 200 {
			t.Fatalf("GET %s: %d %s", csvURL, res.Status, res.Body)
		}
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(res.Body, "\ufeff")), "\n")
		if !strings.HasPrefix(lines[0], "Id,Title,Team,Creator,Owner,Period") {
			t.Errorf("the CSV's header is %q", lines[0])
		}
		if got := strings.Count(res.Body, ",Key Result,"); got != shown {
			t.Errorf("the CSV has %d key result rows, the page shows %d", got, shown)
		}
		if strings.Count(res.Body, "Azure DevOps") < shown {
			t.Errorf("the CSV does not mark the rows as tracked from Azure DevOps:\n%s", res.Body)
		}
		xlsxURL := eval[string](t, ctx, `document.querySelector("[data-testid=export-xlsx]").getAttribute("href")`)
		head := get(t, ctx, "fetch the XLSX", chromedp.Evaluate[string](`(async () => { const r = await fetch(`+"`"+`${document.querySelector("[data-testid=export-xlsx]").href}`+"`"+`); const b = new Uint8Array(await r.arrayBuffer()); return r.status + " " + r.headers.get("content-type") + " " + String.fromCharCode(b[0], b[1]); })()`, chromedp.EvalAwaitPromise))
		if !strings.HasPrefix(head, "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet PK") {
			t.Errorf("GET %s: %s, want a 200 workbook (a zip, PK…)", xlsxURL, head)
		}
	})

	t.Run("Dashboard", func(t *testing.T) {
		run(t, ctx, "open the dashboard",
			chromedp.Navigate(s.base+"/o/fabrikam/okrs"),
			click(chromedp.CSS(`.sidenav a[href$="/dashboard"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=progress-chart]`)),
		)
		for _, chart := range []string{"progress-chart", "status-chart", "source-chart"} {
			w := eval[float64](t, ctx, `document.querySelector("[data-testid=`+chart+`]").getBoundingClientRect().width`)
			h := eval[float64](t, ctx, `document.querySelector("[data-testid=`+chart+`]").getBoundingClientRect().height`)
			if w < 200 || h < 40 {
				t.Errorf("%s is drawn %v × %v px", chart, w, h)
			}
		}
		bars := eval[int](t, ctx, `[...document.querySelectorAll("[data-testid=progress-chart] rect.period-bar")].filter(r => r.getBoundingClientRect().height > 0).length`)
		if bars == 0 {
			t.Error("the progress chart draws no bar of height above 0")
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=status-chart] rect").length`); n == 0 {
			t.Error("the status chart draws no bar")
		}
		// The source chart's Azure DevOps bar counts what the filter found.
		tip := eval[string](t, ctx, `(document.querySelector("[data-testid=source-chart] rect.src-azdo title") || {}).textContent || ""`)
		if !strings.Contains(tip, "tracked from Azure DevOps") {
			t.Errorf("the source chart's Azure DevOps bar says %q", tip)
		}
		if c := text(t, ctx, `[data-testid=compliance]`); !strings.Contains(c, "manual key results are overdue: they missed their latest due check-in (weekly on Monday at 09:00 UTC)") {
			t.Errorf("compliance reads %q", c)
		}
		s.shot(t, ctx, "dashboard")
	})
}
