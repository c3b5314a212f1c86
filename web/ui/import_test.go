package ui_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/web/ui"
)

// explorerCSV is the Explorer export the import tests upload.
const explorerCSV = "../../viva/testdata/explorer.csv"

// upload sends the import form as the page does: the CSRF token first, then the file and
// the fields, as a multipart body; with htmx set, as htmx sends it.
func (br *browser) upload(tb testing.TB, name string, file []byte, fields url.Values, htmx bool) response {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("csrf_token", br.csrf); err != nil {
		tb.Fatal(err)
	}
	w, err := mw.CreateFormFile("export", name)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(file); err != nil {
		tb.Fatal(err)
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, br.b.srv.URL+"/o/fabrikam/admin/import", &body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", br.b.srv.URL)
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "main")
	}
	return br.do(tb, req)
}

func readFixture(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var uploadIDRE = regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`)

// uploadID reads the upload id from the dry run's Confirm form.
func uploadID(tb testing.TB, page string) string {
	tb.Helper()
	m := uploadIDRE.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("the dry run has no Confirm form: %.2000s", page)
	}
	return m[1]
}

// tableRows counts the rows of every table of the database but those of sign-ins, which
// the tests' own sign-ins change.
func (b *testBundle) tableRows(tb testing.TB) map[string]int {
	tb.Helper()
	rows, err := b.db.SQL().Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('sessions', 'sign_in_throttles')`)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := b.db.SQL().QueryRow(`SELECT count(*) FROM "` + n + `"`).Scan(&c); err != nil {
			tb.Fatal(err)
		}
		out[n] = c
	}
	if len(out) < 10 {
		tb.Fatalf("only %d tables: %v", len(out), out)
	}
	return out
}

// sameRows fails when a table's row count changed.
func sameRows(tb testing.TB, what string, before, after map[string]int) {
	tb.Helper()
	for n, c := range after {
		if before[n] != c {
			tb.Errorf("%s: table %s has %d rows, %d before", what, n, c, before[n])
		}
	}
}

// uploadsLeft lists the files the UI keeps in its upload folder.
func (b *testBundle) uploadsLeft(tb testing.TB) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(b.importDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// importFixture uploads explorer.csv and confirms the import as the admin.
func (b *testBundle) importFixture(tb testing.TB, admin *browser) string {
	tb.Helper()
	plan := admin.upload(tb, "explorer.csv", readFixture(tb, explorerCSV), nil, true)
	if plan.status != http.StatusOK {
		tb.Fatalf("dry run: %d %.1500s", plan.status, mainOf(plan.body))
	}
	res := admin.hxTo(tb, http.MethodPost, "/o/fabrikam/admin/import/confirm", "main", url.Values{"upload": {uploadID(tb, plan.body)}})
	if res.status != http.StatusOK || !strings.Contains(res.body, `data-testid="import-result"`) {
		tb.Fatalf("confirm: %d %.1500s", res.status, mainOf(res.body))
	}
	return res.body
}

// TestImportDryRunThenConfirm uploads the Explorer export: the dry run shows the counts, the
// problems with their rows and columns, the items with several parents, the people who will
// be unclaimed members and the items for the re-bind checklist, and writes nothing; the
// confirmation imports and shows the checklist with links into the data source wizard.
func TestImportDryRunThenConfirm(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	admin := b.signIn(t, "admin")
	page := admin.get(t, "/o/fabrikam/admin/import")
	if page.status != http.StatusOK || !strings.Contains(page.body, `enctype="multipart/form-data"`) || !strings.Contains(page.body, `href="/o/fabrikam/admin/import" aria-current="page"`) {
		t.Fatalf("import page: %d %.1500s", page.status, page.body)
	}
	before := b.tableRows(t)

	plan := admin.upload(t, "explorer.csv", readFixture(t, explorerCSV), nil, true)
	if plan.status != http.StatusOK || strings.Contains(plan.body, "<html") {
		t.Fatalf("dry run: %d, want the page's content for htmx: %.1500s", plan.status, mainOf(plan.body))
	}
	assertPolicy(t, "the dry run", plan)
	t.Run("DryRunWritesNothing", func(t *testing.T) {
		sameRows(t, "after the dry run", before, b.tableRows(t))
		if files := b.uploadsLeft(t); len(files) != 1 {
			t.Errorf("upload folder holds %v, want the one upload", files)
		}
	})
	t.Run("DryRunShowsThePlan", func(t *testing.T) {
		for _, want := range []string{
			"Dry run: nothing has been written yet.",
			"holds 6 objectives, key results and initiatives",
			countRow("periods", 2, 0, 0, 0), countRow("people", 3, 0, 0, 0), countRow("objectives", 2, 0, 0, 0),
			countRow("key results", 3, 0, 0, 0), countRow("initiatives", 1, 0, 0, 0), countRow("check-ins", 7, 0, 0, 0),
			// Problems with row and column.
			`<td class="num nowrap">2</td>` + "\n    <td>Team</td>",
			`<td class="num nowrap">7</td>` + "\n    <td>Aligned To</td>",
			// The people who will be unclaimed members.
			"3 people have no account in Cairn yet and will become unclaimed members",
			"Ram Sagoo", "Roland Green", "Dev Lead",
			// Several parents, with the one Cairn keeps.
			"<strong>Improve retention (EMEA)</strong> <span class=\"muted small\">row 5</span>",
			"<strong>Drive expansion leveraging our AI offering</strong> (50 %, the parent)",
			"Grow ARR (new logos) to $1.2M (0 %)",
			// The items for the re-bind checklist.
			"2 items took their progress from an integration",
			"Ship ADO integration (phase 1) <span class=\"muted small\">row 4 · Azure DevOps</span>",
			"Support tickets resolved <span class=\"muted small\">row 7 · Jira</span>",
			`data-testid="confirm-import"`,
		} {
			if !strings.Contains(plan.body, want) {
				t.Errorf("the dry run lacks %q", want)
			}
		}
	})

	id := uploadID(t, plan.body)
	t.Run("AnotherAdminCannotConfirmIt", func(t *testing.T) {
		tenant := b.signIn(t, "tenant")
		res := tenant.post(t, "/o/fabrikam/admin/import/confirm", url.Values{"upload": {id}})
		if res.status != http.StatusGone || !strings.Contains(res.body, "Upload the export again") {
			t.Fatalf("the tenant admin confirms the admin's upload: %d, want 410: %.600s", res.status, mainOf(res.body))
		}
		sameRows(t, "after another admin's confirmation", before, b.tableRows(t))
	})

	result := admin.hxTo(t, http.MethodPost, "/o/fabrikam/admin/import/confirm", "main", url.Values{"upload": {id}})
	if result.status != http.StatusOK {
		t.Fatalf("confirm: %d %.1500s", result.status, mainOf(result.body))
	}
	assertPolicy(t, "the import's result", result)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	entries, err := b.svc.RebindChecklist(ctx, "fabrikam", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ConfirmImports", func(t *testing.T) {
		after := b.tableRows(t)
		for table, grew := range map[string]int{"objectives": 2, "key_results": 3, "initiatives": 1, "periods": 2, "import_rebinds": 2} {
			if after[table]-before[table] != grew {
				t.Errorf("table %s grew by %d, want %d", table, after[table]-before[table], grew)
			}
		}
		for _, want := range []string{"Imported 6 objectives, key results and initiatives from explorer.csv into Fabrikam.", countRow("key results", 3, 0, 0, 0), "became unclaimed members"} {
			if !strings.Contains(result.body, want) {
				t.Errorf("the result lacks %q", want)
			}
		}
		if files := b.uploadsLeft(t); len(files) != 0 {
			t.Errorf("the imported upload is still kept: %v", files)
		}
	})
	t.Run("ResultShowsTheChecklistWithWizardLinks", func(t *testing.T) {
		if len(entries) != 2 {
			t.Fatalf("checklist %+v, want 2 entries", entries)
		}
		for _, e := range entries {
			kind := map[cairn.ItemType]string{cairn.ItemKeyResult: "key-results", cairn.ItemInitiative: "initiatives"}[e.Item.Type]
			link := fmt.Sprintf(`href="/o/fabrikam/%s/%d/data-source" data-testid="rebind-connect"`, kind, e.Item.ID)
			if !strings.Contains(result.body, link) || !strings.Contains(result.body, e.Title) {
				t.Errorf("the result's checklist lacks %s for %q", link, e.Title)
			}
			wizard := admin.get(t, fmt.Sprintf("/o/fabrikam/%s/%d/data-source", kind, e.Item.ID))
			if wizard.status != http.StatusOK || !strings.Contains(wizard.body, e.Title) {
				t.Errorf("the wizard of %q: %d", e.Title, wizard.status)
			}
		}
	})
	t.Run("SecondConfirmIsRefused", func(t *testing.T) {
		rows := b.tableRows(t)
		res := admin.post(t, "/o/fabrikam/admin/import/confirm", url.Values{"upload": {id}})
		if res.status != http.StatusGone || !strings.Contains(res.body, "is no longer here") {
			t.Fatalf("second confirmation: %d %.600s", res.status, mainOf(res.body))
		}
		sameRows(t, "after the second confirmation", rows, b.tableRows(t))
	})
	t.Run("AgainChangesNothing", func(t *testing.T) {
		again := admin.upload(t, "explorer.csv", readFixture(t, explorerCSV), nil, false)
		if again.status != http.StatusOK || !strings.Contains(again.body, "Nothing would change") || !strings.Contains(again.body, countRow("key results", 0, 0, 0, 3)) {
			t.Fatalf("dry run of the imported export: %d %.2000s", again.status, mainOf(again.body))
		}
	})
}

// TestImportBundleZip uploads the JSON data export as a .zip: the dry run reads it as a
// bundle and points at its records by file.
func TestImportBundleZip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	dir := "../../viva/testdata/bundle"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(readFixture(t, filepath.Join(dir, e.Name()))); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	before := b.tableRows(t)
	res := admin.upload(t, "viva-export.zip", zipped.Bytes(), nil, false)
	if res.status != http.StatusOK || !strings.Contains(res.body, "JSON data export") || !strings.Contains(res.body, `data-testid="confirm-import"`) {
		t.Fatalf("dry run of the bundle: %d %.2000s", res.status, mainOf(res.body))
	}
	if !strings.Contains(res.body, "record ") || !strings.Contains(res.body, ".json") {
		t.Errorf("the dry run does not point at the bundle's records by file: %.3000s", mainOf(res.body))
	}
	sameRows(t, "after the bundle's dry run", before, b.tableRows(t))
}

// TestImportDayFirstDates reads slashed dates day first when the form says so, in the dry
// run and again at the confirmation.
func TestImportDayFirstDates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	file := []byte("Id,Title,Object Type,Period,Start Date,End Date\n1,Ship the day-first release,Objective,FY25 H1,31/01/2025,30/06/2025\n")
	if res := admin.upload(t, "eu.csv", file, nil, false); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "is not a month/day/year date") {
		t.Fatalf("month first: %d, want the date refused: %.1500s", res.status, mainOf(res.body))
	}
	plan := admin.upload(t, "eu.csv", file, url.Values{"day_first": {"1"}}, false)
	if plan.status != http.StatusOK || !strings.Contains(plan.body, countRow("objectives", 1, 0, 0, 0)) {
		t.Fatalf("day first: %d %.2000s", plan.status, mainOf(plan.body))
	}
	res := admin.post(t, "/o/fabrikam/admin/import/confirm", url.Values{"upload": {uploadID(t, plan.body)}})
	if res.status != http.StatusOK || !strings.Contains(res.body, "Imported 1 objective, key result or initiative") {
		t.Fatalf("confirm: %d %.1500s", res.status, mainOf(res.body))
	}
	ps, err := b.svc.ListPeriods(cairn.NewContext(context.Background(), b.users["admin"]), "fabrikam")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range ps {
		if p.Name == "FY25 H1" {
			found = p.Start.String() == "2025-01-31" && p.End.String() == "2025-06-30"
			if !found {
				t.Errorf("period %s from %s to %s, want 2025-01-31 to 2025-06-30", p.Name, p.Start, p.End)
			}
		}
	}
	if !found {
		t.Error("the import made no period FY25 H1")
	}
}

// TestImportShowsChanges imports the Explorer export, then uploads a copy in which a status,
// a target and a title changed and a key result is new: the dry run lists each with the
// fields that changed, and so does the result of the confirmation.
func TestImportShowsChanges(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	first := b.importFixture(t, admin)
	if strings.Contains(first, `data-testid="import-changes"`) {
		t.Errorf("the first import lists changes: %.2000s", mainOf(first))
	}
	changed := strings.NewReplacer(
		"40%,,On Track,,,kept", "40%,,At Risk,,,kept",
		`"$1,200,000.00",Key result`, `"$1,500,000.00",Key result`,
		"1004,Improve retention (EMEA),", "1004,Improve retention (EMEA and APAC),",
		"\n,,,", "\n1007,Cut onboarding time,Sales,Ram Sagoo,Ram Sagoo,Q1 2025,2025-01-01,2025-03-31,,\"Drive expansion leveraging our AI offering(weight: 20%, Id: 1001)\",Days,Number,10,Key result,Decrease,30\n,,,",
	).Replace(string(readFixture(t, explorerCSV)))
	want := []string{
		"What would change since the last import (4)",
		`Objective 1001 &#34;Drive expansion leveraging our AI offering&#34;: <strong>status</strong> <span class="muted small">row 2</span>`,
		`Key result 1002 &#34;Grow ARR (new logos) to $1.2M&#34;: <strong>target</strong> <span class="muted small">row 3</span>`,
		`Objective 1004 &#34;Improve retention (EMEA and APAC)&#34;: <strong>title</strong> <span class="muted small">row 5</span>`,
		`New key result 1007 &#34;Cut onboarding time&#34; <span class="muted small">row 8</span>`,
	}
	plan := admin.upload(t, "explorer.csv", []byte(changed), nil, true)
	if plan.status != http.StatusOK {
		t.Fatalf("dry run: %d %.1500s", plan.status, mainOf(plan.body))
	}
	for _, w := range want {
		if !strings.Contains(plan.body, w) {
			t.Errorf("the dry run lacks %q: %.3000s", w, mainOf(plan.body))
		}
	}
	res := admin.hxTo(t, http.MethodPost, "/o/fabrikam/admin/import/confirm", "main", url.Values{"upload": {uploadID(t, plan.body)}})
	if res.status != http.StatusOK {
		t.Fatalf("confirm: %d %.1500s", res.status, mainOf(res.body))
	}
	want[0] = "What changed since the last import (4)"
	for _, w := range want {
		if !strings.Contains(res.body, w) {
			t.Errorf("the result lacks %q: %.3000s", w, mainOf(res.body))
		}
	}
}

// countRow is the row of the counts table for a kind.
func countRow(kind string, created, matched, updated, unchanged int) string {
	return fmt.Sprintf(`<th scope="row">%s</th><td class="num">%d</td><td class="num">%d</td><td class="num">%d</td><td class="num">%d</td>`, kind, created, matched, updated, unchanged)
}

// TestImportRefusesWhatItCannotRead uploads files that are not exports: each shows why, with
// the row and column of every problem, offers no Confirm, keeps no file and writes nothing.
func TestImportRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	before := b.tableRows(t)
	tests := []struct {
		name, file string
		body       []byte
		status     int
		want       []string
	}{
		{"BadCellsShowRowAndColumn", "bad.csv", []byte("Id,Title,Object Type,Start Date,\"Aligned To (weight, Objective ID)\"\n1,A,Objective,31/31/2025,\n2,B,Objective,2025-01-01,\"Z(weight: 50%, Id: 99)\"\n"),
			http.StatusUnprocessableEntity, []string{"bad.csv cannot be imported", `<td class="num nowrap">2</td>` + "\n    <td>Start Date <span class=\"muted small\">(D2)</span></td>", "is not a month/day/year date", `<td class="num nowrap">3</td>` + "\n    <td>Aligned To (weight, Objective ID)</td>"}},
		{"MissingColumnsNamed", "notes.csv", []byte("Name,Value\nx,1\n"), http.StatusUnprocessableEntity, []string{"notes.csv cannot be imported", "<td>Id</td>"}},
		{"DamagedZipSaysSo", "bundle.zip", []byte("PK\x03\x04not really a zip"), http.StatusUnprocessableEntity, []string{"bundle.zip is not a Viva Goals export Cairn can read", "damaged zip"}},
		{"EmptyFileSaysSo", "empty.csv", nil, http.StatusUnprocessableEntity, []string{"empty.csv is empty", `id="err-export"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := admin.upload(t, tt.file, tt.body, nil, false)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %.1500s", res.status, tt.status, res.body)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.body, want) {
					t.Errorf("the page lacks %q: %.3000s", want, mainOf(res.body))
				}
			}
			if strings.Contains(res.body, "/admin/import/confirm") {
				t.Error("the page offers to confirm an import of an unreadable file")
			}
			if !strings.Contains(res.body, `name="export" type="file"`) {
				t.Error("the page offers no upload of another file")
			}
		})
	}
	t.Run("NoFileAsksForOne", func(t *testing.T) {
		res := admin.post(t, "/o/fabrikam/admin/import", url.Values{"day_first": {"1"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "choose the export file to upload") {
			t.Fatalf("a form without a file: %d %.600s", res.status, mainOf(res.body))
		}
	})
	sameRows(t, "after unreadable uploads", before, b.tableRows(t))
	if files := b.uploadsLeft(t); len(files) != 0 {
		t.Errorf("unreadable uploads are kept: %v", files)
	}
}

// TestImportRefusesTooLargeFiles sends a file over the limit, with its length announced and
// without: both get a 413 page that says the limit, and nothing is kept.
func TestImportRefusesTooLargeFiles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	big := bytes.Repeat([]byte("1,x,Objective\n"), ui.MaxImportSize/14+10)
	t.Run("KnownLength", func(t *testing.T) {
		res := admin.upload(t, "big.csv", big, nil, false)
		if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "larger than 64 MiB") {
			t.Fatalf("status %d: %.600s", res.status, mainOf(res.body))
		}
	})
	t.Run("Streamed", func(t *testing.T) {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			_ = mw.WriteField("csrf_token", admin.csrf)
			w, _ := mw.CreateFormFile("export", "big.csv")
			_, _ = w.Write(big)
			pw.CloseWithError(mw.Close())
		}()
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/o/fabrikam/admin/import", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", b.srv.URL)
		res := admin.do(t, req)
		if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "larger than 64 MiB") {
			t.Fatalf("status %d: %.600s", res.status, mainOf(res.body))
		}
	})
	if files := b.uploadsLeft(t); len(files) != 0 {
		t.Errorf("too large uploads are kept: %v", files)
	}
}

// TestImportIsForAdmins refuses the import page and the upload to members and viewers, who
// also see no link to it, and writes nothing for them.
func TestImportIsForAdmins(t *testing.T) {
	t.Parallel()
	b := setup(t)
	before := b.tableRows(t)
	for _, who := range []string{"member", "viewer"} {
		t.Run(who, func(t *testing.T) {
			br := b.signIn(t, who)
			if res := br.get(t, "/o/fabrikam/admin/import"); res.status != http.StatusForbidden {
				t.Errorf("GET the import page: %d, want 403", res.status)
			}
			res := br.upload(t, "explorer.csv", readFixture(t, explorerCSV), nil, false)
			if res.status != http.StatusForbidden || !strings.Contains(res.body, "only an organization admin may import OKRs") {
				t.Errorf("upload: %d, want 403 saying why: %.400s", res.status, res.body)
			}
			if res := br.post(t, "/o/fabrikam/admin/import/confirm", url.Values{"upload": {"0123"}}); res.status != http.StatusForbidden {
				t.Errorf("confirm: %d, want 403", res.status)
			}
			if page := br.get(t, "/o/fabrikam/okrs"); strings.Contains(page.body, "/admin/import") {
				t.Error("the navigation links to the import page")
			}
		})
	}
	sameRows(t, "after refused uploads", before, b.tableRows(t))
	if files := b.uploadsLeft(t); len(files) != 0 {
		t.Errorf("refused uploads are kept: %v", files)
	}
}

// TestRebindChecklist shows the checklist on the settings page with a link into the wizard
// for each entry, ticks an entry off with "Mark done" and adds an item with the form.
func TestRebindChecklist(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	admin := b.signIn(t, "admin")
	b.importFixture(t, admin)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	entries, err := b.svc.RebindChecklist(ctx, "fabrikam", false)
	if err != nil || len(entries) != 2 {
		t.Fatalf("checklist %+v, %v", entries, err)
	}
	page := admin.get(t, "/o/fabrikam/admin")
	if page.status != http.StatusOK || strings.Count(page.body, `data-testid="rebind-entry"`) != 2 {
		t.Fatalf("settings page: %d with %d entries, want 2", page.status, strings.Count(page.body, `data-testid="rebind-entry"`))
	}
	for _, e := range entries {
		kind := map[cairn.ItemType]string{cairn.ItemKeyResult: "key-results", cairn.ItemInitiative: "initiatives"}[e.Item.Type]
		if !strings.Contains(page.body, fmt.Sprintf(`href="/o/fabrikam/%s/%d/data-source"`, kind, e.Item.ID)) {
			t.Errorf("no wizard link for %q", e.Title)
		}
		if !strings.Contains(page.body, "Viva Goals Id "+e.VivaID) {
			t.Errorf("no Viva Goals id for %q", e.Title)
		}
	}

	t.Run("AddFormOffersOpenItemsNotListed", func(t *testing.T) {
		if want := fmt.Sprintf(`<option value="key_result:%d">Checkout conversion · Q3 2026</option>`, b.keyResult); !strings.Contains(page.body, want) {
			t.Errorf("the add form does not offer %s", want)
		}
		if want := fmt.Sprintf(`<option value="initiative:%d">One-page checkout · Q3 2026</option>`, b.initiative); !strings.Contains(page.body, want) {
			t.Errorf("the add form does not offer %s", want)
		}
		for _, e := range entries {
			if strings.Contains(page.body, fmt.Sprintf(`<option value="%s:%d">`, e.Item.Type, e.Item.ID)) {
				t.Errorf("the add form offers %q, which is on the checklist", e.Title)
			}
		}
		if strings.Contains(page.body, "Contoso KR") {
			t.Error("the add form offers another organization's key result")
		}
	})
	t.Run("MarkDoneTicksOff", func(t *testing.T) {
		done := entries[0]
		res := admin.hxTo(t, http.MethodPost, fmt.Sprintf("/o/fabrikam/admin/rebind/%d/done", done.ID), "rebind", nil)
		if res.status != http.StatusOK || strings.Contains(res.body, "<html") || strings.Count(res.body, `data-testid="rebind-entry"`) != 1 || strings.Contains(res.body, fmt.Sprintf("/admin/rebind/%d/done", done.ID)) {
			t.Fatalf("mark done: %d, want the checklist without the entry: %.2000s", res.status, mainOf(res.body))
		}
		open, err := b.svc.RebindChecklist(ctx, "fabrikam", false)
		if err != nil || len(open) != 1 || open[0].ID == done.ID {
			t.Fatalf("open entries after mark done: %+v, %v", open, err)
		}
	})
	t.Run("PlainFormGoesBack", func(t *testing.T) {
		res := admin.post(t, fmt.Sprintf("/o/fabrikam/admin/rebind/%d/done", entries[1].ID), url.Values{})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/o/fabrikam/admin#rebind" {
			t.Fatalf("mark done without htmx: %d to %q", res.status, res.header.Get("Location"))
		}
		page := admin.get(t, "/o/fabrikam/admin")
		if strings.Contains(page.body, `data-testid="rebind-entry"`) || !strings.Contains(page.body, "Every item on the checklist has a data source again") {
			t.Fatal("the settings page still lists entries after every one is done")
		}
	})
	t.Run("AddAnItem", func(t *testing.T) {
		res := admin.hxTo(t, http.MethodPost, "/o/fabrikam/admin/rebind", "rebind", url.Values{"item": {"key_result:" + id(b.keyResult)}, "reason": {"was on Jira"}})
		if res.status != http.StatusOK || !strings.Contains(res.body, "Checkout conversion") || !strings.Contains(res.body, "was on Jira") ||
			!strings.Contains(res.body, fmt.Sprintf(`href="/o/fabrikam/key-results/%d/data-source"`, b.keyResult)) {
			t.Fatalf("add: %d %.2000s", res.status, mainOf(res.body))
		}
	})
	t.Run("AddAnotherOrganizationsItemRefused", func(t *testing.T) {
		res := admin.hxTo(t, http.MethodPost, "/o/fabrikam/admin/rebind", "rebind", url.Values{"item": {"key_result:" + id(b.otherKeyResult)}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "not found in this organization") || strings.Contains(res.body, "Contoso KR") {
			t.Fatalf("add another organization's key result: %d %.1500s", res.status, mainOf(res.body))
		}
	})
	t.Run("AddNothingRefused", func(t *testing.T) {
		res := admin.hxTo(t, http.MethodPost, "/o/fabrikam/admin/rebind", "rebind", url.Values{"item": {""}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "choose the key result or initiative") {
			t.Fatalf("add nothing: %d %.1500s", res.status, mainOf(res.body))
		}
	})
	t.Run("MembersCannot", func(t *testing.T) {
		member := b.signIn(t, "member")
		open, _ := b.svc.RebindChecklist(ctx, "fabrikam", false)
		if res := member.post(t, fmt.Sprintf("/o/fabrikam/admin/rebind/%d/done", open[0].ID), url.Values{}); res.status != http.StatusForbidden {
			t.Errorf("member marks done: %d, want 403", res.status)
		}
		if after, _ := b.svc.RebindChecklist(ctx, "fabrikam", false); len(after) != len(open) {
			t.Errorf("a member's mark done changed the checklist")
		}
	})
}

// TestClaimImportedMember shows the members an import made as unclaimed and claims them,
// for a member picked from the list and for an email.
func TestClaimImportedMember(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	b.importFixture(t, admin)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	unclaimed := map[string]*cairn.Member{}
	ms, err := b.svc.ListMembers(ctx, "fabrikam")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Unclaimed {
			unclaimed[m.Name] = m
		}
	}
	if len(unclaimed) != 3 {
		t.Fatalf("unclaimed members %v, want 3", unclaimed)
	}
	page := admin.get(t, "/o/fabrikam/admin/members")
	if n := strings.Count(page.body, "Imported from Viva Goals — not yet claimed"); n != 3 {
		t.Fatalf("the members page marks %d members unclaimed, want 3", n)
	}
	if strings.Contains(page.body, cairn.UnclaimedDomain) {
		t.Error("the members page shows the placeholder emails")
	}
	for _, m := range unclaimed {
		if !strings.Contains(page.body, fmt.Sprintf(`action="/o/fabrikam/admin/members/%d/claim"`, m.UserID)) {
			t.Errorf("no claim form for %s", m.Name)
		}
	}

	t.Run("ByPickingAMember", func(t *testing.T) {
		ram := unclaimed["Ram Sagoo"]
		res := admin.post(t, fmt.Sprintf("/o/fabrikam/admin/members/%d/claim", ram.UserID), url.Values{"user_id": {id(b.users["member"].ID)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("claim: %d %.600s", res.status, mainOf(res.body))
		}
		if _, err := b.svc.Member(ctx, "fabrikam", ram.UserID); cairn.ErrorCode(err) != cairn.ENOTFOUND {
			t.Errorf("the unclaimed member is still there: %v", err)
		}
		objs, err := b.svc.ListObjectives(ctx, "fabrikam", cairn.ObjectiveQuery{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range objs {
			if o.Title == "Drive expansion leveraging our AI offering" {
				found = true
				if !contains(o.OwnerIDs, b.users["member"].ID) {
					t.Errorf("the objective's owners %v do not include the member who claimed Ram Sagoo", o.OwnerIDs)
				}
			}
		}
		if !found {
			t.Error("the imported objective is missing")
		}
		page := admin.get(t, res.header.Get("Location"))
		if !strings.Contains(page.body, "Claimed: the account has") || strings.Count(page.body, "not yet claimed") != 2 {
			t.Errorf("after the claim the page does not say so or still lists Ram Sagoo as unclaimed")
		}
	})
	t.Run("ByEmail", func(t *testing.T) {
		dev := unclaimed["Dev Lead"]
		res := admin.post(t, fmt.Sprintf("/o/fabrikam/admin/members/%d/claim", dev.UserID), url.Values{"email": {"dev.lead@example.com"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("claim: %d %.600s", res.status, mainOf(res.body))
		}
		u, err := b.db.UserByEmail(context.Background(), "dev.lead@example.com")
		if err != nil || u.Unclaimed || u.Name != "Dev Lead" {
			t.Fatalf("the account of the email: %+v, %v", u, err)
		}
	})
	t.Run("NeitherRefused", func(t *testing.T) {
		res := admin.post(t, fmt.Sprintf("/o/fabrikam/admin/members/%d/claim", unclaimed["Roland Green"].UserID), url.Values{})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "choose a member from the list or enter an email") {
			t.Fatalf("claim for nothing: %d %.600s", res.status, mainOf(res.body))
		}
	})
	t.Run("AnAccountRefused", func(t *testing.T) {
		res := admin.post(t, fmt.Sprintf("/o/fabrikam/admin/members/%d/claim", b.users["viewer"].ID), url.Values{"user_id": {id(b.users["member"].ID)}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "only unclaimed members can be claimed") {
			t.Fatalf("claim a member with an account: %d %.600s", res.status, mainOf(res.body))
		}
	})
}

// mainOf is the main element of a page, for messages.
func mainOf(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	return page
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
