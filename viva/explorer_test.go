package viva_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
)

func date(y int, m time.Month, d int) cairn.Date { return cairn.Date{Year: y, Month: m, Day: d} }

func mustItem(t *testing.T, e *viva.Export, id int64) *viva.Item {
	t.Helper()
	it, ok := e.Lookup(id)
	if !ok {
		t.Fatalf("item %d is missing", id)
	}
	return it
}

func names(ps []viva.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func refNames(rs []viva.Ref) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// checkExplorerExport asserts what testdata/explorer.csv holds; the XLSX test writes the same
// rows into a workbook and expects the same.
func checkExplorerExport(t *testing.T, e *viva.Export) {
	t.Helper()
	if len(e.Items) != 6 {
		t.Fatalf("got %d items, want 6 (the blank row skipped)", len(e.Items))
	}
	if got := len(e.Objectives()); got != 2 {
		t.Errorf("objectives = %d, want 2", got)
	}
	if got := len(e.KeyResults()); got != 3 {
		t.Errorf("key results = %d, want 3", got)
	}
	if got := len(e.Initiatives()); got != 1 {
		t.Errorf("initiatives = %d, want 1", got)
	}

	o := mustItem(t, e, 1001)
	if o.Kind != viva.KindObjective || o.Title != "Drive expansion leveraging our AI offering" || o.Pos.Row != 2 {
		t.Errorf("objective 1001 = %q %q row %d", o.Kind, o.Title, o.Pos.Row)
	}
	if got := names(o.Owners); !reflect.DeepEqual(got, []string{"Ram Sagoo", "Roland Green"}) {
		t.Errorf("owners = %q", got)
	}
	if got := refNames(o.Teams); !reflect.DeepEqual(got, []string{"Sales", "Marketing, EMEA"}) {
		t.Errorf("teams = %q", got)
	}
	if o.Description != "Grow where AI helps.\nTwo lines; with a semicolon." {
		t.Errorf("description = %q", o.Description)
	}
	if o.Start != date(2025, 1, 1) || o.End != date(2025, 3, 31) || o.Period.Name != "Q1 2025" {
		t.Errorf("dates %v–%v period %q", o.Start, o.End, o.Period.Name)
	}
	if !o.CreatedAt.Equal(time.Date(2024, 12, 15, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("created at %v", o.CreatedAt)
	}
	if deref(o.Progress) != 40.0 || o.Status != viva.StatusOnTrack || o.Metric != nil || o.Aspirational {
		t.Errorf("progress %v status %q metric %+v aspirational %v", deref(o.Progress), o.Status, o.Metric, o.Aspirational)
	}
	if o.Extra["Custom Field"] != "kept" {
		t.Errorf("extra = %v, want the unknown column kept", o.Extra)
	}

	kr := mustItem(t, e, 1002)
	if kr.Kind != viva.KindKeyResult || kr.Start != date(2025, 1, 1) || kr.End != date(2025, 3, 31) {
		t.Errorf("key result 1002 kind %q dates %v–%v", kr.Kind, kr.Start, kr.End)
	}
	if len(kr.Alignments) != 1 || kr.Alignments[0].ParentID != 1001 || deref(kr.Alignments[0].Weight) != 14.29 {
		t.Errorf("alignments = %+v", kr.Alignments)
	}
	m := kr.Metric
	if m == nil || m.Name != "ARR" || m.Unit != "$" || m.Kind != viva.MetricCurrency ||
		deref(m.Start) != 200000.0 || deref(m.Target) != 1200000.0 || deref(m.Current) != 450000.0 || m.Direction != viva.DirectionIncrease {
		t.Errorf("metric = %+v", m)
	}
	if kr.Status != viva.StatusBehind || kr.LastCheckInNote != "Two deals slipped" {
		t.Errorf("status %q last note %q", kr.Status, kr.LastCheckInNote)
	}
	if len(kr.CheckIns) != 3 {
		t.Fatalf("check-ins = %d, want 3", len(kr.CheckIns))
	}
	var dates []cairn.Date
	for _, c := range kr.CheckIns {
		dates = append(dates, c.Date)
	}
	if !reflect.DeepEqual(dates, []cairn.Date{date(2025, 1, 15), date(2025, 2, 10), date(2025, 3, 10)}) {
		t.Errorf("check-in dates = %v, want oldest first", dates)
	}
	mid := kr.CheckIns[1]
	if mid.Note != "Met with team; Status: green on our side\nNext steps: renewals;" || mid.Status != viva.StatusAtRisk ||
		deref(mid.Value) != 350000.0 || mid.Author.Name != "Ram Sagoo" || mid.Pos.Row != 3 {
		t.Errorf("middle check-in = %+v", mid)
	}
	if kr.ProgressSource != viva.ProgressUnknown || kr.DataSource != "" {
		t.Errorf("people checked in, yet progress source %q data source %q", kr.ProgressSource, kr.DataSource)
	}

	d := mustItem(t, e, 1003)
	if d.Kind != viva.KindInitiative || d.TypeText != "Deliverable" {
		t.Errorf("deliverable kind %q type %q", d.Kind, d.TypeText)
	}
	if d.ProgressSource != viva.ProgressIntegration || d.DataSource != "Azure DevOps" || !d.AzureDevOps() {
		t.Errorf("deliverable progress source %q data source %q", d.ProgressSource, d.DataSource)
	}
	if d.Metric == nil || d.Metric.Kind != viva.MetricPercentage || deref(d.Metric.Target) != 100.0 {
		t.Errorf("deliverable metric = %+v", d.Metric)
	}
	for _, c := range d.CheckIns {
		if c.Integration != "Azure DevOps" {
			t.Errorf("check-in by %q has integration %q", c.Author.Name, c.Integration)
		}
	}

	o2 := mustItem(t, e, 1004)
	if len(o2.Alignments) != 2 || o2.Alignments[0].ParentID != 1002 || o2.Alignments[0].Counted() ||
		o2.Alignments[1].ParentID != 1001 || !o2.Alignments[1].Counted() {
		t.Errorf("objective aligned to a key result: %+v", o2.Alignments)
	}
	if !o2.Aspirational {
		t.Errorf("Goal Type Aspirational not read")
	}

	closed := mustItem(t, e, 1005)
	if !closed.Closed() || deref(closed.Score) != 0.7 {
		t.Errorf("closed %v score %v", closed.Closed(), deref(closed.Score))
	}
	if closed.Metric.Direction != viva.DirectionDecrease || closed.Metric.Kind != viva.MetricPercentage {
		t.Errorf("churn metric = %+v", closed.Metric)
	}
	if got := names(closed.Owners); !reflect.DeepEqual(got, []string{"Roland Green", "Ram Sagoo"}) {
		t.Errorf("owners = %q", got)
	}

	tickets := mustItem(t, e, 1006)
	if tickets.Metric.Direction != viva.DirectionIncrease || tickets.Metric.Kind != viva.MetricNumber || deref(tickets.Metric.Target) != 1200.0 {
		t.Errorf("tickets metric = %+v", tickets.Metric)
	}
	if tickets.DataSource != "Jira" || tickets.ProgressSource != viva.ProgressIntegration {
		t.Errorf("a note saying it was updated automatically from Jira: data source %q", tickets.DataSource)
	}

	if got := names(e.People); !reflect.DeepEqual(got, []string{"Ram Sagoo", "Roland Green", "Dev Lead"}) {
		t.Errorf("people = %q, want each once and no integration", got)
	}
	var teams []string
	for _, tm := range e.Teams {
		teams = append(teams, tm.Name)
	}
	if !reflect.DeepEqual(teams, []string{"Sales", "Marketing, EMEA", "Engineering"}) {
		t.Errorf("teams = %q", teams)
	}
	if len(e.Periods) != 2 || e.Periods[0].Name != "Q1 2025" || !e.Periods[0].Derived ||
		e.Periods[0].Start != date(2025, 1, 1) || e.Periods[0].End != date(2025, 3, 31) ||
		e.Periods[1].Name != "Q2 2025" || e.Periods[1].End != date(2025, 6, 30) {
		t.Errorf("periods = %+v", e.Periods)
	}
	if len(e.Warnings) != 0 {
		t.Errorf("warnings = %v", e.Warnings)
	}
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/explorer.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls [][2]int
	e, err := viva.ReadCSV(f, viva.Options{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if e.Format != viva.FormatCSV {
		t.Errorf("format = %q", e.Format)
	}
	checkExplorerExport(t, e)

	// Progress: 0 first, then once per data row (the blank row too), ending at the total.
	if len(calls) != 8 || calls[0] != [2]int{0, 7} || calls[7] != [2]int{7, 7} {
		t.Errorf("progress calls = %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] != calls[i-1][0]+1 {
			t.Errorf("progress went from %v to %v", calls[i-1], calls[i])
		}
	}

	var order []int64
	for _, it := range e.ParentsFirst() {
		order = append(order, it.ID)
	}
	if !reflect.DeepEqual(order, []int64{1001, 1002, 1003, 1004, 1005, 1006}) {
		t.Errorf("parents first = %v", order)
	}
	if got := e.Children(1004); len(got) != 2 || got[0].ID != 1005 || got[1].ID != 1006 {
		t.Errorf("children of 1004 = %v", got)
	}
}

// csvOf builds a small Explorer CSV: the header of the required and a few more columns, then
// rows of cells in that order.
func csvOf(rows ...string) string {
	return "Id,Title,Object Type,Owner,Start Date,End Date,\"Aligned To (weight, Objective ID)\",Target,Status,Score,Checkins,,\n" +
		strings.Join(rows, "\n") + "\n"
}

func TestReadCSVErrors(t *testing.T) {
	t.Parallel()
	type where struct {
		row    int
		column string
		cell   string
		msg    string
	}
	tests := []struct {
		name string
		csv  string
		want []where
	}{
		{name: "ErrEmptyFile", csv: "", want: []where{{1, "", "", "empty"}}},
		{name: "ErrNotAnExport", csv: "Name,Email\nAda,ada@example.com\n", want: []where{
			{1, "Id", "", "missing"}, {1, "Title", "", "missing"}, {1, "Object Type", "", "missing"}}},
		{name: "ErrDuplicateColumn", csv: "Id,Title,Object Type,Title\n", want: []where{{1, "Title", "D1", "appears twice"}}},
		{name: "ErrBadValues", csv: csvOf(
			`1,Ok,Objective,,2025-01-01,2025-03-31,,,,,,,`,
			`2,Bad date,Key result,,2025-02-30,2025-03-31,,,,,,,`,
			`3,Bad number,Key result,,,,,lots,,,,,`,
			`x,Bad id,Key result,,,,,,,,,,`,
			`4,Bad type,Milestone,,,,,,,,,,`,
			`5,Bad status,Objective,,,,,,Groovy,,,,`,
			`6,Bad score,Objective,,,,,,Closed,1.7,,,`,
			`7,Backwards,Objective,,2025-03-31,2025-01-01,,,,,,,`,
			`8,,Objective,,,,,,,,,,`,
			`9,Bad alignment,Objective,,,,Parent (Id 1),,,,,,`,
		), want: []where{
			{3, "Start Date", "E3", `"2025-02-30" is not a real date`},
			{4, "Target", "H4", `"lots" is not a number`},
			{5, "Id", "A5", `Id "x" is not a whole number`},
			{6, "Object Type", "C6", `object type "Milestone"`},
			{7, "Status", "I7", `status "Groovy"`},
			{8, "Score", "J8", "not between 0 and 1"},
			{9, "End Date", "F9", "before the start date"},
			{10, "Title", "B10", "title is empty"},
			{11, "Aligned To (weight, Objective ID)", "G11", "cannot read alignment"},
		}},
		{name: "ErrBadCheckIns", csv: csvOf(
			`1,Ok,Key result,,,,,,,,"Checkin Date: 2025-01-01; User: A;","Checkin Date: someday; User: B;",`,
			`2,Ok too,Key result,,,,,,,,,,"User: C; Note: no date"`,
		), want: []where{
			{2, "Checkins", "L2", `"someday" is not a date`},
			{3, "Checkins", "M3", `must start with "Checkin Date:"`},
		}},
		{name: "ErrUnknownAlignment", csv: csvOf(
			`1,Parent,Objective,,,,,,,,,,`,
			`2,Child,Key result,,,,"Parent(weight: 50%, Id: 1); Gone(weight: 50%, Id: 99)",,,,,,`,
		), want: []where{{3, "Aligned To (weight, Objective ID)", "", "aligns to Id 99 (\"Gone\"), which is not in the export"}}},
		{name: "ErrOnlyTheBadRow", csv: csvOf(
			`1,Parent,Objective,,2025-01-99,,,,,,,,`,
			`2,Child,Key result,,,,"Parent(weight: 50%, Id: 1)",,,,,,`,
		), want: []where{{2, "Start Date", "E2", "not a real date"}}},
		{name: "ErrSelfAlignment", csv: csvOf(
			`1,Me,Objective,,,,"Me(weight: 10%, Id: 1)",,,,,,`,
		), want: []where{{2, "Aligned To (weight, Objective ID)", "", "aligns to itself"}}},
		{name: "ErrCycle", csv: csvOf(
			`1,A,Objective,,,,"C(weight: 10%, Id: 3)",,,,,,`,
			`2,B,Objective,,,,"A(weight: 10%, Id: 1)",,,,,,`,
			`3,C,Objective,,,,"B(weight: 10%, Id: 2)",,,,,,`,
			`4,D,Objective,,,,"C(weight: 10%, Id: 3)",,,,,,`,
		), want: []where{{2, "Aligned To (weight, Objective ID)", "", "cycle: 1 → 3 → 2 → 1"}}},
		{name: "ErrDuplicateId", csv: csvOf(
			`1,A,Objective,,,,,,,,,,`,
			`1,B,Objective,,,,,,,,,,`,
		), want: []where{{3, "Id", "", "Id 1 is used twice: also by row 2"}}},
		{name: "ErrTextWithoutHeader", csv: "Id,Title,Object Type,,Checkins,\n1,A,Objective,stray,,\n",
			want: []where{{2, "", "D2", "no column header"}}},
		{name: "ErrMalformedCSV", csv: "Id,Title,Object Type\n1,\"A,Objective\n2,\"B\"x,Objective\n",
			want: []where{{2, "", "", "malformed"}}},
		{name: "ErrNotUTF8", csv: "Id,Title,Object Type\n1,Caf\xe9,Objective\n",
			want: []where{{2, "", "B2", "not UTF-8"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := viva.ReadCSV(strings.NewReader(tt.csv), viva.Options{})
			if e != nil {
				t.Errorf("got an export with the error")
			}
			var pe *viva.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *viva.ParseError", err)
			}
			if len(pe.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(pe.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				p := pe.Problems[i]
				if p.Row != w.row || p.Column != w.column || (w.cell != "" && p.Cell != w.cell) || !strings.Contains(p.Message, w.msg) {
					t.Errorf("problem %d = %+v\nwant row %d column %q cell %q message containing %q", i, p, w.row, w.column, w.cell, w.msg)
				}
			}
			var re *viva.RowError
			if !errors.As(err, &re) || re != pe.Problems[0] {
				t.Errorf("errors.As does not find the first *viva.RowError")
			}
		})
	}
}

func TestReadCSVErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := viva.ReadCSV(strings.NewReader(csvOf(`1,A,Objective,,,,,lots,,,,,`)), viva.Options{})
	want := `the file is not a Viva Goals export Cairn can read: row 2, column "Target" (cell H2): "lots" is not a number`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestReadCSVMaxProblems(t *testing.T) {
	t.Parallel()
	var rows []string
	for i := 0; i < 50; i++ {
		rows = append(rows, `x,A,Objective,,,,,,,,,,`)
	}
	_, err := viva.ReadCSV(strings.NewReader(csvOf(rows...)), viva.Options{MaxProblems: 10})
	var pe *viva.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v", err)
	}
	if len(pe.Problems) != 10 || !pe.Truncated {
		t.Errorf("problems = %d, truncated %v; want 10 and truncated", len(pe.Problems), pe.Truncated)
	}
	if !strings.Contains(err.Error(), "10 or more problems") {
		t.Errorf("message = %q", err)
	}
}

func TestReadCSVOptions(t *testing.T) {
	t.Parallel()
	t.Run("SemicolonDelimitedWithBOM", func(t *testing.T) {
		t.Parallel()
		in := "\ufeffId;Title;Object Type;Start Date;Owner\n7;Grow; fast?;Objective;10/03/2025;\"A, B\"\n"
		in = strings.Replace(in, "Grow; fast?", "\"Grow; fast?\"", 1)
		e, err := viva.ReadCSV(strings.NewReader(in), viva.Options{DayFirst: true})
		if err != nil {
			t.Fatal(err)
		}
		it := mustItem(t, e, 7)
		if it.Title != "Grow; fast?" || it.Start != date(2025, 3, 10) || len(it.Owners) != 2 {
			t.Errorf("item = %+v", it)
		}
	})
	t.Run("RenamedObjectTypes", func(t *testing.T) {
		t.Parallel()
		in := "Id,Title,Object Type\n1,A,Big rock\n2,B,KPI\n"
		e, err := viva.ReadCSV(strings.NewReader(in), viva.Options{KindNames: map[string]viva.Kind{"big rock": viva.KindObjective, "Kpi": viva.KindKeyResult}})
		if err != nil {
			t.Fatal(err)
		}
		if mustItem(t, e, 1).Kind != viva.KindObjective || mustItem(t, e, 2).Kind != viva.KindKeyResult {
			t.Errorf("kinds not mapped")
		}
	})
	t.Run("DropDangling", func(t *testing.T) {
		t.Parallel()
		in := csvOf(`2,Child,Key result,,,,"Gone(weight: 50%, Id: 99)",,,,,,`)
		e, err := viva.ReadCSV(strings.NewReader(in), viva.Options{DropDangling: true})
		if err != nil {
			t.Fatal(err)
		}
		if it := mustItem(t, e, 2); len(it.Alignments) != 0 {
			t.Errorf("alignments = %+v, want the dangling one dropped", it.Alignments)
		}
		if len(e.Warnings) != 1 || e.Warnings[0].Row != 2 || !strings.Contains(e.Warnings[0].Message, "Id 99") {
			t.Errorf("warnings = %v", e.Warnings)
		}
	})
	t.Run("UnknownGoalTypeWarns", func(t *testing.T) {
		t.Parallel()
		in := "Id,Title,Object Type,Goal Type\n1,A,Objective,Moonshot-ish\n"
		e, err := viva.ReadCSV(strings.NewReader(in), viva.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Warnings) != 1 || e.Warnings[0].Column != "Goal Type" || mustItem(t, e, 1).GoalType != "Moonshot-ish" {
			t.Errorf("warnings = %v", e.Warnings)
		}
	})
	t.Run("HyperlinkTextId", func(t *testing.T) {
		t.Parallel()
		in := "Id,Title,Object Type\n\"=HYPERLINK(\"\"https://goals.microsoft.com/x/5\"\",\"\"5\"\")\",A,Objective\n"
		e, err := viva.ReadCSV(strings.NewReader(in), viva.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if it := mustItem(t, e, 5); it.URL != "https://goals.microsoft.com/x/5" {
			t.Errorf("url = %q", it.URL)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		t.Parallel()
		_, err := viva.ReadCSV(strings.NewReader(csvOf(`1,A,Objective,,,,,,,,,,`)), viva.Options{MaxFileSize: 20})
		if err == nil || !strings.Contains(err.Error(), "larger than 20 bytes") {
			t.Errorf("error = %v", err)
		}
	})
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	e, err := viva.ReadFile("testdata/explorer.csv", viva.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Format != viva.FormatCSV || len(e.Items) != 6 {
		t.Errorf("format %q items %d", e.Format, len(e.Items))
	}
	e, err = viva.ReadFile("testdata/bundle", viva.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Format != viva.FormatBundle {
		t.Errorf("format %q", e.Format)
	}
	if _, err := viva.ReadFile(filepath.Join("testdata", "bundle", "objectives_1.json"), viva.Options{}); err == nil ||
		!strings.Contains(err.Error(), "one file of a bundle") {
		t.Errorf("error = %v", err)
	}
	if _, err := viva.ReadFile("testdata/nothing-here.csv", viva.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v", err)
	}
}
