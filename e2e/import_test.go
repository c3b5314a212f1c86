package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// importedRow is a row of viva/testdata/explorer.csv and what the OKR tree and the drawer
// must show for it after the import. The values come from the file: its Start, Target,
// Actual Progress, Progress %, Status, Score and last check-in.
//
// The status chips, scores and progress of every row are compared with the file by
// checkTreeAgainstFile, which reads them from the file itself.
type importedRow struct {
	vivaID int
	title  string
	// row and full are the value as the tree and the drawer write it (web/ui/value.go).
	row, full string
	// progress is the file's Progress %.
	progress string
	// checkIn is the value and the status of the latest check-in, as its history lists it.
	checkIn string
	// score is the file's Score, for an item closed in Viva Goals.
	score string
}

var importedRows = []importedRow{
	// 1002: ARR from $200,000 to $1,200,000, actual $450,000, 25 %, last check-in Behind.
	{1002, "Grow ARR (new logos) to $1.2M", "$450k / $1.2M", "$450,000 / $1,200,000", "25 %", "$450,000 · Behind", ""},
	// 1003: a deliverable at 60 %, its check-ins by Azure DevOps, On Track.
	{1003, "Ship ADO integration (phase 1)", "60 %", "60 %", "60 %", "60 % · On track", ""},
	// 1005: churn from 8 % down to 5 %, actual 6.5 %, 50 %, closed with score 0.7.
	{1005, "Reduce churn", "6.5 / 5 %", "6.5 / 5 %", "50 %", "6.5 %", "0.70"},
	// 1006: 300 of 1,200 tickets, 25 %, At Risk, its value from Jira.
	{1006, "Support tickets resolved", "300 / 1.2k", "300 / 1,200", "25 %", "300 · At risk", ""},
}

// treeRows maps each row title of the tree to its value text, its tooltip and its status.
const treeRows = `(() => {
  const out = {};
  for (const r of document.querySelectorAll(".tree .row")) {
    const a = r.querySelector("a.title"), v = r.querySelector(".value"), c = r.querySelector(".chip");
    if (a) out[a.textContent.replace(/^(Key result|Objective|Initiative): /, "").trim()] = {text: v ? v.textContent : "", title: v ? v.title : "", status: c ? c.textContent.trim() : ""};
  }
  return out;
})()`

type treeRow struct {
	Text   string `json:"text"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

// TestImportFromVivaGoals imports viva/testdata/explorer.csv through the import page as the
// demo admin: the dry run shows what the import would do and writes nothing, the
// confirmation imports, the OKR tree shows the file's values, statuses and scores, and the re-bind
// checklist lists the items an integration drove with links into the data source wizard.
func TestImportFromVivaGoals(t *testing.T) {
	needBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	s.signIn(t, ctx, s.email, s.password)
	fixture := filepath.Join(repoRoot(t), "viva", "testdata", "explorer.csv")

	run(t, ctx, "open the import page from the admin navigation",
		chromedp.Navigate(s.base+"/o/fabrikam/admin"),
		click(`nav.sidenav a[href="/o/fabrikam/admin/import"]`),
		chromedp.WaitVisible(chromedp.ID("export")),
	)
	t.Run("TooLargeFileIsRefusedAtOnce", func(t *testing.T) {
		big := filepath.Join(t.TempDir(), "big.csv")
		f, err := os.Create(big)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(65 << 20); err != nil { // sparse: 65 MiB on paper only
			t.Fatal(err)
		}
		f.Close()
		run(t, ctx, "choose a file over 64 MiB",
			chromedp.SetUploadFiles(chromedp.ID("export"), []string{big}),
			chromedp.WaitVisible(chromedp.ID("export-size-error")),
			click(`[data-testid=import-upload] button[type=submit]`),
			chromedp.Sleep(300*time.Millisecond),
		)
		if eval[bool](t, ctx, `!!document.querySelector("[data-testid=dry-run], [data-testid=import-problems], #err-export") || document.getElementById("export").getAttribute("aria-invalid") !== "true"`) {
			t.Error("a file over the limit was sent, or its field is not marked invalid")
		}
		if got := text(t, ctx, "#export-size-error"); !strings.Contains(got, "larger than 64 MiB") {
			t.Errorf("the field says %q", got)
		}
	})

	// What the page shows while the request runs, seen just before htmx sends it.
	eval[bool](t, ctx, `document.body.addEventListener("htmx:beforeSend", () => {
		window.importBusy = {shown: getComputedStyle(document.getElementById("import-busy")).display !== "none",
			disabled: document.querySelector("[data-testid=import-upload] button[type=submit]").disabled};
	}, {once: true}), true`)
	run(t, ctx, "upload the export",
		chromedp.SetUploadFiles(chromedp.ID("export"), []string{fixture}),
		chromedp.WaitNotVisible(chromedp.ID("export-size-error")),
		click(`[data-testid=import-upload] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=dry-run]`)),
	)
	if busy := eval[map[string]bool](t, ctx, `window.importBusy || {}`); !busy["shown"] || !busy["disabled"] {
		t.Errorf("while the upload ran: %v, want the progress indicator shown and the button disabled", busy)
	}
	// The whole dry run in one picture: a window as tall as the page.
	height := eval[int](t, ctx, `document.documentElement.scrollHeight`)
	run(t, ctx, "grow the window", chromedp.EmulateViewport(1280, int64(min(height, 2400))))
	s.shot(t, ctx, "import-dry-run")
	run(t, ctx, "restore the window", chromedp.EmulateViewport(1280, 800))
	t.Run("DryRunShowsThePlan", func(t *testing.T) {
		counts := eval[map[string][]string](t, ctx, `Object.fromEntries([...document.querySelectorAll("[data-testid=count-row]")].map(r => [r.querySelector("th").textContent, [...r.querySelectorAll("td")].map(td => td.textContent)]))`)
		for kind, want := range map[string]string{"periods": "2 0 0 0", "people": "3 0 0 0", "objectives": "2 0 0 0", "key results": "3 0 0 0", "initiatives": "1 0 0 0", "check-ins": "7 0 0 0"} {
			if got := strings.Join(counts[kind], " "); got != want {
				t.Errorf("%s: created, matched, updated, unchanged = %q, want %q", kind, got, want)
			}
		}
		problems := eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=dry-run] [data-testid=import-problem]")].map(r => [...r.cells].map(c => c.textContent.trim()).join(" | "))`)
		for _, want := range []string{"2 | Team | Id 1001: 2 teams", "7 | Period | Id 1006", "7 | Aligned To | Id 1006: every alignment has weight 0 %"} {
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, want) }) {
				t.Errorf("no problem %q among %q", want, problems)
			}
		}
		for sel, want := range map[string]string{
			"[data-testid=import-people]":      "Ram Sagoo",
			"[data-testid=import-multiparent]": "Improve retention (EMEA)",
			"[data-testid=import-rebind]":      "Ship ADO integration (phase 1)",
		} {
			if got := text(t, ctx, sel); !strings.Contains(got, want) {
				t.Errorf("%s says %q, want it to name %q", sel, got, want)
			}
		}
	})
	t.Run("DryRunWritesNothing", func(t *testing.T) {
		if names := periodNames(t, ctx); slices.Contains(names, "Q1 2025") {
			t.Errorf("the dry run created periods: %q", names)
		}
		var rebind struct {
			Items []json.RawMessage `json:"items"`
		}
		apiGet(t, ctx, "/api/v1/orgs/fabrikam/imports/rebind", &rebind)
		if len(rebind.Items) != 0 {
			t.Errorf("the dry run filled the re-bind checklist: %d entries", len(rebind.Items))
		}
	})

	problems := dryRunProblems(t, ctx)
	run(t, ctx, "confirm",
		click(`[data-testid=confirm-import]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=import-result]`)),
	)
	if got := text(t, ctx, `[data-testid=import-result] .notice.ok`); !strings.Contains(got, "Imported 6 objectives, key results and initiatives") {
		t.Fatalf("the result says %q", got)
	}
	entries := eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=rebind-entry] td:first-child a")].map(a => a.textContent)`)
	slices.Sort(entries)
	if want := []string{"Ship ADO integration (phase 1)", "Support tickets resolved"}; !slices.Equal(entries, want) {
		t.Fatalf("the re-bind checklist lists %q, want %q", entries, want)
	}
	okrs := get(t, ctx, "link to the imported OKRs", chromedp.AttributeValue(`[data-testid=open-imported]`, "href")).Value

	t.Run("ChecklistLinkOpensTheWizard", func(t *testing.T) {
		link := `//tr[@data-testid="rebind-entry"][.//a[text()="Ship ADO integration (phase 1)"]]//a[@data-testid="rebind-connect"]`
		href := get(t, ctx, "wizard link", chromedp.AttributeValue(link, "href")).Value
		if !regexp.MustCompile(`^/o/fabrikam/initiatives/\d+/data-source$`).MatchString(href) {
			t.Fatalf("the checklist links %q, want the initiative's data source wizard", href)
		}
		run(t, ctx, "open the wizard", click(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid=wizard]`)))
		if loc := get(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, href) {
			t.Errorf("the link led to %s, want %s", loc, href)
		}
		if got := text(t, ctx, `[data-testid=wizard]`); !strings.Contains(got, "Ship ADO integration (phase 1)") {
			t.Errorf("the wizard does not name the item: %.300s", got)
		}
	})

	t.Run("TreeShowsTheFilesValues", func(t *testing.T) {
		run(t, ctx, "open the imported OKRs", chromedp.Navigate(s.base+okrs), chromedp.WaitVisible(chromedp.CSS(".tree .row")))
		if title := text(t, ctx, "#page-title"); title != "Q1 2025" {
			t.Errorf("the result's link opens the tree of %q, want Q1 2025, where the file's items are", title)
		}
		rows := eval[map[string]treeRow](t, ctx, treeRows)
		for _, want := range importedRows {
			got, ok := rows[want.title]
			if !ok {
				t.Errorf("%d %q is not in the tree: %v", want.vivaID, want.title, rows)
				continue
			}
			full := got.Title
			if full == "" {
				full = got.Text
			}
			if got.Text != want.row || full != want.full {
				t.Errorf("%d %q: the tree shows %q (%q), want %q (%q)", want.vivaID, want.title, got.Text, full, want.row, want.full)
			}
		}
		for _, want := range importedRows {
			run(t, ctx, "open "+want.title,
				click(fmt.Sprintf(`//a[contains(@class,"title")][normalize-space(.)=%q]`, "Key result: "+want.title+"")+" | "+fmt.Sprintf(`//a[contains(@class,"title")][normalize-space(.)=%q]`, "Initiative: "+want.title)),
				chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=item-value]`)),
			)
			until(t, ctx, "drawer of "+want.title, fmt.Sprintf(`document.querySelector("#drawer .drawer-title").textContent === %q`, want.title))
			if got := text(t, ctx, `#drawer [data-testid=item-value]`); got != want.full {
				t.Errorf("%d: the drawer shows %q, want %q", want.vivaID, got, want.full)
			}
			head := text(t, ctx, `#drawer .headline .muted`)
			if !strings.HasPrefix(head, want.progress+" of the way") {
				t.Errorf("%d: the drawer says %q, want %s of the way", want.vivaID, head, want.progress)
			}
			if want.score != "" && !strings.Contains(head, "score "+want.score) {
				t.Errorf("%d: the drawer says %q, want score %s", want.vivaID, head, want.score)
			}
			if got := text(t, ctx, `#drawer [data-testid=checkins] li:first-child .ci-body p`); !strings.HasPrefix(got, want.checkIn) {
				t.Errorf("%d: the latest check-in reads %q, want %q", want.vivaID, got, want.checkIn)
			}
		}
		// Every row of the file, objectives too: status chip, score, value and progress.
		checkTreeAgainstFile(t, ctx, s, okrs, fixture, problems)
	})

	t.Run("SettingsChecklistMarksDone", func(t *testing.T) {
		run(t, ctx, "open the settings page",
			chromedp.Navigate(s.base+"/o/fabrikam/admin"),
			chromedp.WaitVisible(chromedp.ID("rebind")),
			click(`#rebind .add-rebind > summary`),
			chromedp.WaitVisible(chromedp.ID("rebind-item")),
		)
		eval[bool](t, ctx, `window.scrollTo(0, document.getElementById("rebind").getBoundingClientRect().top + window.scrollY - 72), true`)
		s.shot(t, ctx, "import-rebind-checklist")
		if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=rebind-entry]").length`); n != 2 {
			t.Fatalf("the settings page lists %d entries, want 2", n)
		}
		run(t, ctx, "mark the Jira item done",
			click(`//tr[@data-testid="rebind-entry"][.//a[text()="Support tickets resolved"]]//button[@data-testid="rebind-done"]`),
			settled(),
		)
		until(t, ctx, "the entry leaves the checklist", `document.querySelectorAll("[data-testid=rebind-entry]").length === 1`)
		var open struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
		}
		apiGet(t, ctx, "/api/v1/orgs/fabrikam/imports/rebind", &open)
		if len(open.Items) != 1 || open.Items[0].Title != "Ship ADO integration (phase 1)" {
			t.Errorf("open entries after Mark done: %+v", open.Items)
		}
	})
}

type period struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// periods lists the demo organization's periods through the JSON API.
func periods(t *testing.T, ctx context.Context) []period {
	t.Helper()
	var out struct {
		Items []period `json:"items"`
	}
	apiGet(t, ctx, "/api/v1/orgs/fabrikam/periods", &out)
	return out.Items
}

func periodNames(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var names []string
	for _, p := range periods(t, ctx) {
		names = append(names, p.Name)
	}
	return names
}
