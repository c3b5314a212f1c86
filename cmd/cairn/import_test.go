package main

import (
	"archive/zip"
	"bytes"
	"context"
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

// TestImportVivaCommand runs `cairn import viva`: a dry run writes nothing and says what it
// would do, the import writes it with progress lines, a second one changes nothing, and a
// file that is not an export fails naming its row and column.
func TestImportVivaCommand(t *testing.T) {
	db := importDB(t)
	fixture := filepath.Join("..", "..", "viva", "testdata", "explorer.csv")
	runImport := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"import", "viva", "--database", db}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

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
