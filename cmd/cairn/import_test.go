package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

// importDB makes a SQLite database with the organization fabrikam and returns its path.
func importDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cairn.db")
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := &cairn.User{Email: "admin@example.com", Name: "Admin"}
	if err := db.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(ctx, &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}, admin.ID); err != nil {
		t.Fatal(err)
	}
	return path
}

// zipDir writes the files of a folder into a new .zip archive.
func zipDir(t *testing.T, dir, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// countRows counts the rows of a table of the database at path.
func countRows(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sqldb.Open(context.Background(), path, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// importRunner runs `cairn import viva` on the database db and returns the exit code,
// stdout and stderr.
func importRunner(db string) func(args ...string) (int, string, string) {
	return func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"import", "viva", "--database", db}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
}

// TestImportVivaCommand runs `cairn import viva`: a dry run writes nothing and says what it
// would do, the import writes it with progress lines, a second one changes nothing, and a
// file that is not an export fails naming its row and column.
func TestImportVivaCommand(t *testing.T) {
	db := importDB(t)
	fixture := filepath.Join("..", "..", "viva", "testdata", "explorer.csv")
	runImport := importRunner(db)

	code, out, errOut := runImport("--dry-run", fixture)
	if code != 0 {
		t.Fatalf("dry run exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Dry run, nothing written. Would import 6 items into fabrikam (csv export)",
		"key results                                 3", "check-ins                                   7",
		`row 7, column "Aligned To": Id 1006`} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if n := countRows(t, db, "objectives"); n != 0 {
		t.Fatalf("the dry run wrote %d objectives", n)
	}

	// Flags may follow the path.
	code, out, errOut = runImport(fixture, "--org", "fabrikam")
	if code != 0 {
		t.Fatalf("import exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "Imported 6 items into fabrikam") {
		t.Errorf("import output:\n%s", out)
	}
	if !strings.Contains(errOut, "rows read: 7 of 7") || !strings.Contains(errOut, "items written: 6 of 6") {
		t.Errorf("progress lines:\n%s", errOut)
	}
	if n := countRows(t, db, "check_ins"); n != 7 {
		t.Fatalf("the import wrote %d check-ins, want 7", n)
	}

	code, out, _ = runImport("--json", fixture)
	if code != 0 || !strings.Contains(out, `"unchanged": 7`) || strings.Contains(out, `"created": 1`) {
		t.Errorf("second import (exit %d):\n%s", code, out)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("Id,Title,Object Type,Start Date\n1,A,Objective,2025-13-45\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runImport(bad)
	if code != 1 || !strings.Contains(errOut, `row 2, column "Start Date"`) || !strings.Contains(errOut, "nothing was imported") {
		t.Errorf("bad file: exit %d\n%s", code, errOut)
	}

	// The JSON bundle, as a folder and as a .zip, is found again: nothing new but FY 2025.
	bundle := filepath.Join("..", "..", "viva", "testdata", "bundle")
	zipped := filepath.Join(t.TempDir(), "viva.zip")
	zipDir(t, bundle, zipped)
	for _, path := range []string{bundle, zipped} {
		code, out, errOut = runImport("--dry-run", path)
		if code != 0 || !strings.Contains(out, "Would import 5 items into fabrikam (bundle export)") ||
			!strings.Contains(out, "periods                                     1        0        0         1") {
			t.Errorf("dry run of %s (exit %d):\n%s%s", path, code, out, errOut)
		}
	}

	code, _, errOut = runImport("--org", "contoso", fixture)
	if code != 1 || !strings.Contains(errOut, `no organization "contoso"`) {
		t.Errorf("unknown organization: exit %d\n%s", code, errOut)
	}
	code, _, errOut = runImport()
	if code != 2 || !strings.Contains(errOut, "PATH is required") {
		t.Errorf("no path: exit %d\n%s", code, errOut)
	}
}

// TestImportVivaCommandListsChanges imports the Explorer export, then a copy in which a
// status, a target and a title changed and a check-in and a key result are new: the output
// lists each after the counts, bounded by --changes, and --json lists them all with their
// fields.
func TestImportVivaCommandListsChanges(t *testing.T) {
	db := importDB(t)
	fixture := filepath.Join("..", "..", "viva", "testdata", "explorer.csv")
	runImport := importRunner(db)
	if code, out, errOut := runImport(fixture); code != 0 || strings.Contains(out, "since the last import") {
		t.Fatalf("first import (exit %d) lists changes:\n%s%s", code, out, errOut)
	}

	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.NewReplacer(
		"40%,,On Track,,,kept", "40%,,At Risk,,,kept",
		`"$1,200,000.00",Key result`, `"$1,500,000.00",Key result`,
		"1004,Improve retention (EMEA),", "1004,Improve retention (EMEA and APAC),",
		`Activity Date: 2025-03-10 20:57:08 UTC;",`,
		`Activity Date: 2025-03-10 20:57:08 UTC;","Checkin Date: 2025-03-25; User: Roland Green; Note: Back on track; Metric Name: ARR; Status: On Track; Current Value: $600,000; Activity Date: 2025-03-25 16:00:00 UTC;",`,
	).Replace(string(raw))
	changed = strings.Replace(changed, "\n,,,", "\n1007,Cut onboarding time,Sales,Ram Sagoo,Ram Sagoo,Q1 2025,2025-01-01,2025-03-31,,\"Drive expansion leveraging our AI offering(weight: 20%, Id: 1001)\",Days,Number,10,Key result,Decrease,30\n,,,", 1)
	path := filepath.Join(t.TempDir(), "explorer.csv")
	if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`Objective 1001 "Drive expansion leveraging our AI offering": status`,
		`Key result 1002 "Grow ARR (new logos) to $1.2M": target, check-ins`,
		`New check-in of 2025-03-25 by Roland Green on key result 1002 "Grow ARR (new logos) to $1.2M"`,
		`Objective 1004 "Improve retention (EMEA and APAC)": title`,
		`New key result 1007 "Cut onboarding time"`,
	}

	code, out, errOut := runImport("--dry-run", path)
	if code != 0 || !strings.Contains(out, "Would change since the last import (5):\n  "+strings.Join(want, "\n  ")+"\n") {
		t.Errorf("dry run (exit %d) does not list the changes:\n%s%s", code, out, errOut)
	}
	if counts := strings.Index(out, "key results "); counts < 0 || counts > strings.Index(out, "since the last import") {
		t.Errorf("the changes do not follow the counts:\n%s", out)
	}

	code, out, errOut = runImport("--changes", "2", path)
	if code != 0 || !strings.Contains(out, "Changed since the last import (5):\n  "+want[0]+"\n  "+want[1]+"\n  … and 3 more\n") {
		t.Errorf("import with --changes 2 (exit %d):\n%s%s", code, out, errOut)
	}

	// Nothing changed since: nothing is listed. The copy once more, as JSON, after the
	// fixture again: the changes back, each with its kind, Viva Id and fields.
	if code, out, _ = runImport(path); code != 0 || strings.Contains(out, "since the last import") {
		t.Errorf("the same copy again (exit %d) lists changes:\n%s", code, out)
	}
	if code, _, errOut = runImport(fixture); code != 0 {
		t.Fatalf("the fixture again: exit %d\n%s", code, errOut)
	}
	code, out, errOut = runImport("--json", path)
	var sum struct {
		Changes []struct {
			Kind    string   `json:"kind"`
			Outcome string   `json:"outcome"`
			VivaID  int64    `json:"viva_id"`
			Title   string   `json:"title"`
			Fields  []string `json:"fields"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &sum); code != 0 || err != nil {
		t.Fatalf("--json (exit %d, %v):\n%s%s", code, err, out, errOut)
	}
	var got []string
	for _, c := range sum.Changes {
		got = append(got, fmt.Sprintf("%s %s %d %s %v", c.Outcome, c.Kind, c.VivaID, c.Title, c.Fields))
	}
	// The fixture undid the title, status and target and kept 1007 and the new check-in,
	// which it does not hold: the copy changes the three back.
	wantJSON := []string{
		"updated objective 1001 Drive expansion leveraging our AI offering [status]",
		"updated key_result 1002 Grow ARR (new logos) to $1.2M [target]",
		"updated objective 1004 Improve retention (EMEA and APAC) [title]",
	}
	if strings.Join(got, "\n") != strings.Join(wantJSON, "\n") {
		t.Errorf("--json changes:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantJSON, "\n"))
	}
}
