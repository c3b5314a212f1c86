package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
)

// resultBundle is an emulator with the demo data plus items made for the
// listing tests, and a way to run `cairn azdo` against it over HTTP.
type resultBundle struct {
	emu    *azdoemu.Server
	base   string
	common []string
}

// Tags of the items setupResult adds, so that WIQL can select exactly them.
const (
	tagFormat = "cli-format"
	tagMany   = "cli-many"
	manyItems = 230 // more than one work items batch of 200
)

func setupResult(t *testing.T) *resultBundle {
	t.Helper()
	// A fixed clock keeps asOf equal between runs, so raw output can be compared byte for byte.
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	emu, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{"demo-pat"},
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	const proj = "Fabrikam Fiber"
	for _, f := range []map[string]any{
		{"System.Title": strings.Repeat("A very long title that goes on ", 5) + "END", "System.AssignedTo": "Priya Raman <priya.raman@fabrikam.example>"},
		{"System.Title": "Nobody owns this one"},
		{"System.Title": "Tab\there and\nnewline", "System.AssignedTo": "Mateo Silva <mateo.silva@fabrikam.example>"},
		{"System.Title": "結帳頁面的價格顯示", "System.AssignedTo": "Christie Church <christie.church@fabrikam.example>"},
	} {
		f["System.Tags"] = tagFormat
		if _, err := emu.CreateWorkItem("fabrikam", proj, "Task", f); err != nil {
			t.Fatal(err)
		}
	}
	for i := range manyItems {
		if _, err := emu.CreateWorkItem("fabrikam", proj, "Task", map[string]any{
			"System.Title": fmt.Sprintf("Bulk task %d", i), "System.Tags": tagMany}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := emu.AddQuery("fabrikam", proj, "Shared Queries", "Nothing here",
		"SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Title] = 'no such title'"); err != nil {
		t.Fatal(err)
	}
	return &resultBundle{emu: emu, base: base,
		common: []string{"--org-url", base + "/fabrikam", "--project", proj, "--pat", "demo-pat"}}
}

// run runs `cairn azdo args…` and returns the exit code, stdout and stderr.
func (b *resultBundle) run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(append(append([]string{"azdo"}, args...), b.common...), &out, &errb)
	return code, out.String(), errb.String()
}

// mustRun runs a command that has to succeed.
func (b *resultBundle) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errb := b.run(args...)
	if code != 0 {
		t.Fatalf("cairn azdo %q: exit %d: %s", args, code, errb)
	}
	return out
}

// rawIDs runs a command with --raw and returns the distinct work item IDs in the order
// the WIQL result lists them: flat rows, or each link's source then target.
func (b *resultBundle) rawIDs(t *testing.T, args ...string) (ids []int, rows int) {
	t.Helper()
	var r struct {
		WorkItems         []struct{ ID int } `json:"workItems"`
		WorkItemRelations []struct {
			Source *struct{ ID int } `json:"source"`
			Target *struct{ ID int } `json:"target"`
		} `json:"workItemRelations"`
	}
	if err := json.Unmarshal([]byte(b.mustRun(t, append(args, "--raw")...)), &r); err != nil {
		t.Fatal(err)
	}
	add := func(id int) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, w := range r.WorkItems {
		add(w.ID)
	}
	for _, l := range r.WorkItemRelations {
		if l.Source != nil {
			add(l.Source.ID)
		}
		add(l.Target.ID)
	}
	return ids, len(r.WorkItems) + len(r.WorkItemRelations)
}

// expectedRow is what the emulator holds for an item, in the JSON output's shape.
func (b *resultBundle) expectedRow(t *testing.T, id int) resultRow {
	t.Helper()
	w, err := b.emu.WorkItem("fabrikam", id)
	if err != nil {
		t.Fatal(err)
	}
	row := resultRow{ID: id, Type: w.Type, State: w.State, Title: w.Title}
	if s, ok := w.Fields["System.AssignedTo"].(string); ok {
		who, _ := azdo.ParseIdentity(s)
		row.AssignedTo = &resultIdentity{DisplayName: who.DisplayName, UniqueName: who.UniqueName}
	}
	return row
}

// table splits a printed table into its header and rows of cells, cutting each line at the
// header's column starts. It needs one-cell-per-rune text, which the demo data is.
func table(t *testing.T, out string) (header []string, rows [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	names := []string{"ID", "TYPE", "STATE", "TITLE", "ASSIGNED TO"}
	starts := make([]int, len(names))
	for i, n := range names {
		starts[i] = strings.Index(lines[0], n)
		if starts[i] < 0 || (i > 0 && starts[i] <= starts[i-1]) {
			t.Fatalf("header %q lacks %s in order", lines[0], n)
		}
	}
	cut := func(text string) []string {
		line := []rune(text)
		cells := make([]string, len(starts))
		for i, s := range starts {
			if s >= len(line) {
				continue
			}
			end := len(line)
			if i+1 < len(starts) && starts[i+1] < end {
				end = starts[i+1]
				if line[end-1] != ' ' {
					t.Fatalf("cell %d of %q runs into the next column", i, text)
				}
			}
			cells[i] = strings.TrimSpace(string(line[s:end]))
		}
		return cells
	}
	for _, l := range lines[1:] {
		rows = append(rows, cut(l))
	}
	return cut(lines[0]), rows
}

// sameTitle reports whether a table cell shows title, whole or cut with an ellipsis.
func sameTitle(cell, title string) bool {
	if short, ok := strings.CutSuffix(cell, "…"); ok {
		return len(short) > 0 && strings.HasPrefix(title, short) && len(title) > len(short)
	}
	return cell == title
}

// TestAzdoQueryListsWorkItems runs run-query and wiql against the emulator over HTTP and
// checks the work item table, the JSON rows, --raw, empty and link results and bad flags.
func TestAzdoQueryListsWorkItems(t *testing.T) {
	t.Parallel()
	b := setupResult(t)

	t.Run("TableByDefault", func(t *testing.T) {
		t.Parallel()
		q := []string{"run-query", "--query", "Shared Queries/Q3 Features"}
		ids, _ := b.rawIDs(t, q...)
		if len(ids) == 0 {
			t.Fatal("the demo's Q3 Features query returns nothing")
		}
		header, rows := table(t, b.mustRun(t, q...))
		if want := []string{"ID", "TYPE", "STATE", "TITLE", "ASSIGNED TO"}; !slices.Equal(header, want) {
			t.Fatalf("header = %q, want %q", header, want)
		}
		if len(rows) != len(ids) {
			t.Fatalf("%d rows, want %d (the query's items)", len(rows), len(ids))
		}
		for i, id := range ids {
			want := b.expectedRow(t, id)
			who := ""
			if want.AssignedTo != nil {
				who = want.AssignedTo.DisplayName
			}
			wantCells := []string{strconv.Itoa(id), want.Type, want.State, want.Title, who}
			if !sameTitle(rows[i][3], want.Title) {
				t.Errorf("row %d title %q, want %q", i, rows[i][3], want.Title)
			}
			rows[i][3] = want.Title
			if !slices.Equal(rows[i], wantCells) {
				t.Errorf("row %d = %q, want %q", i, rows[i], wantCells)
			}
		}
		// --output table says the same.
		if got, want := b.mustRun(t, append(q, "--output", "table")...), b.mustRun(t, q...); got != want {
			t.Errorf("--output table printed\n%s\nthe default printed\n%s", got, want)
		}
	})

	t.Run("TableKeepsColumnsAligned", func(t *testing.T) {
		t.Parallel()
		out := b.mustRun(t, "wiql", "SELECT [System.Id] FROM WorkItems WHERE [System.Tags] CONTAINS '"+tagFormat+"' ORDER BY [System.Id]")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 5 {
			t.Fatalf("want a header and 4 rows, got\n%s", out)
		}
		// Count display cells independently of the code: Han characters take two.
		cells := func(s string) int {
			n := 0
			for _, r := range s {
				n++
				if unicode.Is(unicode.Han, r) {
					n++
				}
			}
			return n
		}
		col := cells(lines[0][:strings.Index(lines[0], "ASSIGNED TO")])
		titleCol := cells(lines[0][:strings.Index(lines[0], "TITLE")])
		for _, tc := range []struct {
			line, title, who string
		}{
			{lines[1], "", "Priya Raman"},
			{lines[2], "Nobody owns this one", ""},
			{lines[3], "Tab here and newline", "Mateo Silva"},
			{lines[4], "結帳頁面的價格顯示", "Christie Church"},
		} {
			if tc.who == "" {
				if !strings.HasSuffix(tc.line, tc.title) {
					t.Errorf("unassigned row %q should end with its title and an empty cell", tc.line)
				}
				continue
			}
			i := strings.Index(tc.line, tc.who)
			if i < 0 || !strings.HasSuffix(tc.line, tc.who) {
				t.Fatalf("row %q lacks assignee %q at its end", tc.line, tc.who)
			}
			if got := cells(tc.line[:i]); got != col {
				t.Errorf("in %q ASSIGNED TO starts at cell %d, the header's at %d", tc.line, got, col)
			}
			if tc.title != "" && !strings.Contains(tc.line, tc.title) {
				t.Errorf("row %q lacks title %q", tc.line, tc.title)
			}
		}
		long := strings.TrimSpace(lines[1][len(lines[0][:strings.Index(lines[0], "TITLE")]):strings.Index(lines[1], "Priya Raman")])
		if !strings.HasPrefix(long, "A very long title") || !strings.HasSuffix(long, "…") || strings.Contains(long, "END") {
			t.Errorf("long title printed as %q, want it cut with an ellipsis", long)
		}
		if n := utf8.RuneCountInString(long); n > 60 || col-titleCol > 62 {
			t.Errorf("long title takes %d cells and its column %d, want at most 60 and 62", n, col-titleCol)
		}
	})

	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		q := []string{"wiql", "SELECT [System.Id] FROM WorkItems WHERE [System.Tags] CONTAINS '" + tagFormat + "' OR [System.Tags] CONTAINS 'Q3' ORDER BY [System.Id]"}
		ids, _ := b.rawIDs(t, q...)
		out := b.mustRun(t, append(q, "--output", "json")...)
		var objs []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &objs); err != nil {
			t.Fatalf("not a JSON array: %v\n%s", err, out)
		}
		for _, o := range objs {
			keys := make([]string, 0, len(o))
			for k := range o {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"assigned_to", "id", "state", "title", "type"}; !slices.Equal(keys, want) {
				t.Fatalf("object keys = %q, want %q", keys, want)
			}
		}
		var got []resultRow
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Fatalf("%d objects, want %d", len(got), len(ids))
		}
		unassigned := 0
		for i, id := range ids {
			want := b.expectedRow(t, id)
			if got[i].ID != want.ID || got[i].Type != want.Type || got[i].State != want.State || got[i].Title != want.Title {
				t.Errorf("object %d = %+v, want %+v", i, got[i], want)
			}
			switch {
			case want.AssignedTo == nil:
				unassigned++
				if got[i].AssignedTo != nil || !bytes.Equal(objs[i]["assigned_to"], []byte("null")) {
					t.Errorf("unassigned item %d has assigned_to %s", id, objs[i]["assigned_to"])
				}
			case got[i].AssignedTo == nil || *got[i].AssignedTo != *want.AssignedTo:
				t.Errorf("item %d assigned_to = %+v, want %+v", id, got[i].AssignedTo, *want.AssignedTo)
			}
		}
		if unassigned == 0 {
			t.Error("the query should include an unassigned item")
		}
		// The full title, not the table's shortened one.
		if !strings.Contains(out, "goes on END") {
			t.Error("JSON lacks the long title in full")
		}
	})

	t.Run("MoreThanOneBatch", func(t *testing.T) {
		t.Parallel()
		q := []string{"wiql", "SELECT [System.Id] FROM WorkItems WHERE [System.Tags] CONTAINS '" + tagMany + "' ORDER BY [System.Id]"}
		ids, _ := b.rawIDs(t, q...)
		if len(ids) != manyItems {
			t.Fatalf("query returns %d items, want %d", len(ids), manyItems)
		}
		var got []resultRow
		if err := json.Unmarshal([]byte(b.mustRun(t, append(q, "--output", "json")...)), &got); err != nil {
			t.Fatal(err)
		}
		gotIDs := make([]int, len(got))
		for i, r := range got {
			gotIDs[i] = r.ID
			if want := b.expectedRow(t, r.ID); r.Title != want.Title {
				t.Fatalf("item %d title %q, want %q", r.ID, r.Title, want.Title)
			}
		}
		if !slices.Equal(gotIDs, ids) {
			t.Fatalf("ids = %v, want %v", gotIDs, ids)
		}
	})

	t.Run("Raw", func(t *testing.T) {
		t.Parallel()
		c, err := azdo.New(azdo.Config{OrgURL: b.base + "/fabrikam", Auth: azdo.PAT("demo-pat")})
		if err != nil {
			t.Fatal(err)
		}
		q, err := c.Query(t.Context(), "Fabrikam Fiber", "Shared Queries/Checkout epic tree", "")
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.RunSavedQuery(t.Context(), "Fabrikam Fiber", q.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"run-query", "--query", "Shared Queries/Checkout epic tree", "--raw"},
			{"run-query", "--query", q.ID, "--raw", "--output", "json"},
		} {
			if got := b.mustRun(t, args...); got != string(want)+"\n" {
				t.Errorf("%q printed\n%s\nwant the WIQL result\n%s", args, got, want)
			}
		}
		out := b.mustRun(t, "wiql", "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic' ORDER BY [System.Id]", "--raw")
		if !strings.Contains(out, `"workItems"`) || strings.Contains(out, "assigned_to") || strings.Contains(out, "System.Title") {
			t.Errorf("wiql --raw printed more or less than the WIQL result:\n%s", out)
		}
	})

	t.Run("LinkQuery", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"Shared Queries/Features with stories", "Shared Queries/Checkout epic tree"} {
			q := []string{"run-query", "--query", name}
			ids, links := b.rawIDs(t, q...)
			if len(ids) == 0 || links == 0 {
				t.Fatalf("%s returns no links", name)
			}
			_, rows := table(t, b.mustRun(t, q...))
			gotIDs := make([]int, len(rows))
			for i, r := range rows {
				gotIDs[i], _ = strconv.Atoi(r[0])
				if want := b.expectedRow(t, gotIDs[i]); r[1] != want.Type || !sameTitle(r[3], want.Title) {
					t.Errorf("%s row %q, want type %q title %q", name, r, want.Type, want.Title)
				}
			}
			if !slices.Equal(gotIDs, ids) {
				t.Errorf("%s lists %v, want the distinct sources and targets %v", name, gotIDs, ids)
			}
		}
		// A one-hop query repeats its sources: each is listed once.
		ids, links := b.rawIDs(t, "run-query", "--query", "Shared Queries/Features with stories")
		if len(ids) >= 2*links {
			t.Errorf("%d distinct items for %d links: the test query repeats no source", len(ids), links)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		wiql := "SELECT [System.Id] FROM WorkItems WHERE [System.Title] = 'no such title'"
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"wiql", wiql}, "no work items match the query\n"},
			{[]string{"run-query", "--query", "Shared Queries/Nothing here"}, "no work items match the query\n"},
			{[]string{"wiql", wiql, "--output", "json"}, "[]\n"},
			{[]string{"run-query", "--query", "Shared Queries/Nothing here", "--output", "json"}, "[]\n"},
		} {
			if got := b.mustRun(t, tc.args...); got != tc.want {
				t.Errorf("%q printed %q, want %q", tc.args, got, tc.want)
			}
		}
	})

	t.Run("ErrBadOutput", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"run-query", "--query", "Shared Queries/Q3 Features", "--output", "yaml"}, `--output "yaml" is not a format: use table or json`},
			{[]string{"wiql", "SELECT [System.Id] FROM WorkItems", "--output", "csv"}, `--output "csv" is not a format: use table or json`},
			{[]string{"run-query", "--query", "Shared Queries/Q3 Features", "--raw", "--output", "table"}, "--raw prints the WIQL result as JSON"},
		} {
			code, out, errb := b.run(tc.args...)
			if code != 2 || out != "" || !strings.Contains(errb, tc.want) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errb, tc.want)
			}
		}
	})
}

// TestTruncateCells checks how table cells are cut and cleaned.
func TestTruncateCells(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"Short", "Fix login", 10, "Fix login"},
		{"Exact", "0123456789", 10, "0123456789"},
		{"Long", "0123456789A", 10, "012345678…"},
		{"NoSpaceBeforeEllipsis", "abcd efghij", 6, "abcd…"},
		{"Wide", "結帳頁面的價格顯示", 8, "結帳頁…"},
		{"WideOddBoundary", "結帳頁面", 6, "結帳…"},
		{"CombiningMarksTakeNoCell", "e\u0301e\u0301e\u0301", 3, "e\u0301e\u0301e\u0301"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := truncateCells(tc.in, tc.n); got != tc.want {
				t.Errorf("truncateCells(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, in, want string }{
		{"Tabs", "a\tb", "a b"},
		{"Newlines", "a\r\n\nb", "a b"},
		{"EscapeSequence", "red\x1b[31m", "red [31m"},
		{"Padding", "  a  b ", "a b"},
	} {
		t.Run("CellText"+tc.name, func(t *testing.T) {
			t.Parallel()
			if got := cellText(tc.in); got != tc.want {
				t.Errorf("cellText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
