package e2e_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/internal/pgtest"
	"github.com/chromedp/chromedp"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// fileRow is one item of an Explorer export as the file writes it: what the OKR tree must show
// for it. The test reads it from the fixture itself.
type fileRow struct {
	id, title, kind, status, score, progress, actual, target string
}

// readExplorer reads the items of an Explorer export by its header, as a person reads the file.
func readExplorer(t *testing.T, path string) []fileRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for n, h := range recs[0] {
		if _, dup := col[h]; !dup && h != "" {
			col[h] = n
		}
	}
	cell := func(rec []string, h string) string {
		n, ok := col[h]
		if !ok {
			t.Fatalf("%s has no column %q", path, h)
		}
		if n >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[n])
	}
	var out []fileRow
	for _, rec := range recs[1:] {
		if cell(rec, "Id") == "" {
			continue
		}
		out = append(out, fileRow{id: cell(rec, "Id"), title: cell(rec, "Title"), kind: cell(rec, "Object Type"),
			status: cell(rec, "Status"), score: cell(rec, "Score"), progress: cell(rec, "Progress %"),
			actual: cell(rec, "Actual Progress"), target: cell(rec, "Target")})
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no items", path)
	}
	return out
}

var numberRE = regexp.MustCompile(`-?[0-9][0-9,]*(\.[0-9]+)?`)

// firstNumber is the first number written in s, without its thousands separators: 450000
// for "$450,000 / $1,200,000".
func firstNumber(s string) (float64, bool) {
	m := numberRE.FindString(s)
	if m == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", ""), 64)
	return v, err == nil
}

// chipLabel is how the tree's status chip writes a status of the file: "On Track" is
// "On track".
func chipLabel(status string) string {
	if status == "" {
		return ""
	}
	s := strings.ToLower(status)
	return strings.ToUpper(s[:1]) + s[1:]
}

// dryRunProblems lists the problems of the import page's dry run, each as "row | column |
// message".
func dryRunProblems(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `[...document.querySelectorAll("[data-testid=dry-run] [data-testid=import-problem]")].map(r => [...r.cells].map(c => c.textContent.trim()).join(" | "))`)
}

// checkTreeAgainstFile opens the OKR tree at okrs and checks every item of the export at path:
// its status chip is the file's Status (Closed for an item closed in Viva Goals), its row shows
// the file's Score when it was closed, its value the file's Actual Progress against its
// Target, and its drawer the file's Progress % — or, where Cairn's rules give another
// progress, the import said so, naming the file's value, among the dry run's problems.
func checkTreeAgainstFile(t *testing.T, ctx context.Context, s *server, okrs, path string, problems []string) {
	t.Helper()
	run(t, ctx, "open the imported OKRs", chromedp.Navigate(s.base+okrs), chromedp.WaitVisible(chromedp.CSS(".tree .row")))
	rows := eval[map[string]struct {
		Text, Title, Status, Score string
	}](t, ctx, `(() => {
  const out = {};
  for (const r of document.querySelectorAll(".tree .row")) {
    const a = r.querySelector("a.title"), v = r.querySelector(".value"), c = r.querySelector(".chip"), sc = r.querySelector("[data-testid=row-score]");
    if (a) out[a.textContent.replace(/^(Key result|Objective|Initiative): /, "").trim()] = {Text: v ? v.textContent : "", Title: v ? v.title : "", Status: c ? c.textContent.trim() : "", Score: sc ? sc.textContent.trim() : ""};
  }
  return out;
})()`)
	for _, want := range readExplorer(t, path) {
		got, ok := rows[want.title]
		if !ok {
			t.Errorf("%s %q is not in the tree (%d rows)", want.id, want.title, len(rows))
			continue
		}
		if chip := chipLabel(want.status); got.Status != chip {
			t.Errorf("%s %q: the chip says %q, the file %q", want.id, want.title, got.Status, want.status)
		}
		closed := strings.EqualFold(want.status, "Closed")
		switch score, err := strconv.ParseFloat(want.score, 64); {
		case closed && err == nil:
			if w := "score " + strconv.FormatFloat(score, 'f', 2, 64); got.Score != w {
				t.Errorf("%s %q: the row says %q, the file's score is %s", want.id, want.title, got.Score, want.score)
			}
		case got.Score != "":
			t.Errorf("%s %q: the row shows %q, but the file closed it with no score", want.id, want.title, got.Score)
		}
		full := got.Title
		if full == "" {
			full = got.Text
		}
		if want.actual != "" {
			value, _, _ := strings.Cut(full, " / ")
			wv, _ := firstNumber(want.actual)
			if gv, ok := firstNumber(value); !ok || gv != wv {
				t.Errorf("%s %q: the tree's value is %q, the file's Actual Progress %q", want.id, want.title, full, want.actual)
			}
			if _, target, ok := strings.Cut(full, " / "); ok && want.target != "" {
				wt, _ := firstNumber(want.target)
				if gt, _ := firstNumber(target); gt != wt {
					t.Errorf("%s %q: the tree's target is %q, the file's %q", want.id, want.title, full, want.target)
				}
			}
		}
		if want.progress == "" {
			continue
		}
		kind := "Key result"
		switch strings.ToLower(want.kind) {
		case "objective":
			kind = "Objective"
		case "deliverable", "project", "initiative":
			kind = "Initiative"
		}
		run(t, ctx, "open "+want.title,
			click(fmt.Sprintf(`//a[contains(@class,"title")][normalize-space(.)=%q]`, kind+": "+want.title)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer .headline .muted`)),
		)
		until(t, ctx, "drawer of "+want.title, fmt.Sprintf(`document.querySelector("#drawer .drawer-title").textContent === %q`, want.title))
		head := text(t, ctx, `#drawer .headline .muted`)
		wp, _ := firstNumber(want.progress)
		gp, ok := firstNumber(head)
		if ok && gp == wp {
			continue
		}
		said := fmt.Sprintf("Id %s: progress %s %% in Viva Goals", want.id, strconv.FormatFloat(wp, 'f', -1, 64))
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "Progress %") && strings.Contains(p, said) }) {
			t.Errorf("%s %q: the drawer says %q, the file's Progress %% is %s, and the import did not say why (problems %q)", want.id, want.title, head, want.progress, problems)
		}
	}
}

// TestImportedTreeMatchesTheFile imports vivaimport/testdata/platform.csv, a quarter of a
// platform team with every goal Cairn knows, descriptions, two owners, weighted alignments, and
// a key result and a deliverable closed on their own in an open period, through the import
// page, and compares the tree, row by row, with the file: values, status chips, scores and
// progress. The drawer shows a key result's description and its latest check-in's status.
func TestImportedTreeMatchesTheFile(t *testing.T) {
	needBrowser(t)
	t.Run("SQLite", func(t *testing.T) { importedTreeMatchesTheFile(t, startServer(t)) })
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		importedTreeMatchesTheFile(t, startServerWith(t, serverOptions{database: postgresSchema(t)}))
	})
}

// postgresSchema returns the URL of a fresh schema of the PostgreSQL server of the tests,
// dropped when the test ends (see pgtest.SchemaURL).
func postgresSchema(t *testing.T) string {
	t.Helper()
	return pgtest.SchemaURL(t, "e2e")
}

func importedTreeMatchesTheFile(t *testing.T, s *server) {
	ctx := browser(t)
	s.signIn(t, ctx, s.email, s.password)
	fixture := filepath.Join(repoRoot(t), "vivaimport", "testdata", "platform.csv")

	run(t, ctx, "upload the export",
		chromedp.Navigate(s.base+"/o/fabrikam/admin/import"),
		chromedp.WaitVisible(chromedp.ID("export")),
		chromedp.SetUploadFiles(chromedp.ID("export"), []string{fixture}),
		click(`[data-testid=import-upload] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=dry-run]`)),
	)
	problems := dryRunProblems(t, ctx)
	run(t, ctx, "confirm",
		click(`[data-testid=confirm-import]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=import-result]`)),
	)
	okrs := get(t, ctx, "link to the imported OKRs", chromedp.AttributeValue(`[data-testid=open-imported]`, "href")).Value
	checkTreeAgainstFile(t, ctx, s, okrs, fixture, problems)
	s.shot(t, ctx, "import-closed-items")

	t.Run("DrawerShowsDescriptionAndCheckInStatus", func(t *testing.T) {
		const title = "Availability stays above 99.5%"
		run(t, ctx, "open "+title,
			click(fmt.Sprintf(`//a[contains(@class,"title")][normalize-space(.)=%q]`, "Key result: "+title)),
		)
		until(t, ctx, "drawer of "+title, fmt.Sprintf(`document.querySelector("#drawer .drawer-title").textContent === %q`, title))
		if got := text(t, ctx, `#drawer .desc`); got != "Measured monthly on the SRE dashboard, excluding planned maintenance." {
			t.Errorf("the drawer describes the key result as %q", got)
		}
		if got := text(t, ctx, `#drawer [data-testid=checkins] li:first-child .ci-body p`); !strings.Contains(got, "On track") {
			t.Errorf("the latest check-in reads %q, want its status On track", got)
		}
		if got := text(t, ctx, `#drawer [data-testid=item-goal]`); !strings.Contains(got, "99.5") {
			t.Errorf("the drawer states the goal as %q", got)
		}
	})
}
