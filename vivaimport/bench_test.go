package vivaimport_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/vivaimport"
)

// writeExplorerCSV writes an Explorer export of rows items: objectives of four quarters, five
// key results under each, and initiatives under most key results, with 200 people, 20 teams,
// weighted alignments (every tenth objective aligned to another) and three check-ins per key
// result, two per initiative.
func writeExplorerCSV(w io.Writer, rows int) error {
	cw := csv.NewWriter(w)
	header := []string{"Id", "Title", "Team", "Creator", "Owner", "Period", "Start Date", "End Date", "Description",
		"Aligned To (weight, Objective ID)", "Metric Name", "Unit", "Target", "Object Type", "Goal Type", "Start",
		"Created At", "Last Check-in", "Progress %", "Actual Progress", "Status", "Last Check-in Note", "Score", "Checkins", "", ""}
	if err := cw.Write(header); err != nil {
		return err
	}
	quarters := []struct{ name, start, end string }{
		{"Q1 2025", "2025-01-01", "2025-03-31"}, {"Q2 2025", "2025-04-01", "2025-06-30"},
		{"Q3 2025", "2025-07-01", "2025-09-30"}, {"Q4 2025", "2025-10-01", "2025-12-31"},
	}
	person := func(n int) string { return fmt.Sprintf("Person %03d", n%200) }
	checkIn := func(date, user string, value int, note string) string {
		return fmt.Sprintf("Checkin Date: %s; User: %s; Note: %s; Metric Name: Count; Status: On Track; Current Value: %d; Activity Date: %s 09:30:00 UTC;",
			date, user, note, value, date)
	}
	id := 100000
	written := 0
	var lastObjective int
	row := func(r []string) error {
		for len(r) < len(header) {
			r = append(r, "")
		}
		written++
		return cw.Write(r)
	}
	for o := 0; written < rows; o++ {
		q := quarters[o%len(quarters)]
		id++
		oid, otitle := id, fmt.Sprintf("Objective %d", o)
		align := ""
		if o%10 == 9 && lastObjective != 0 {
			align = fmt.Sprintf("Objective %d(weight: 50%%, Id: %d)", o-1, lastObjective)
		}
		lastObjective = oid
		if err := row([]string{fmt.Sprint(oid), otitle, fmt.Sprintf("Team %02d", o%20), person(o), person(o) + ", " + person(o+1),
			q.name, q.start, q.end, "Why objective " + fmt.Sprint(o) + " matters", align, "", "", "", "Objective", "Committed",
			"", q.start, "", "30%", "", "On Track"}); err != nil {
			return err
		}
		for k := 0; k < 5 && written < rows; k++ {
			id++
			kid, ktitle := id, fmt.Sprintf("Key result %d.%d", o, k)
			cells := []string{fmt.Sprint(kid), ktitle, "", person(o + k), person(o + k), q.name, q.start, q.end, "",
				fmt.Sprintf("%s(weight: 20%%, Id: %d)", otitle, oid), "Count", "Number", "100", "Key result", "Increase",
				"0", q.start, "", "30%", "30", "On Track", "", "",
				checkIn(q.start, person(o+k), 10, "started"), checkIn(q.start, person(o+k+1), 20, "going"), checkIn(q.end, person(o+k), 30, "steady")}
			if err := row(cells); err != nil {
				return err
			}
			if k == 4 || written >= rows {
				continue
			}
			id++
			if err := row([]string{fmt.Sprint(id), fmt.Sprintf("Deliverable %d.%d", o, k), "", person(o), person(o + 2), q.name,
				q.start, q.end, "", fmt.Sprintf("%s(weight: 50%%, Id: %d)", ktitle, kid), "Progress", "%", "100%",
				"Deliverable", "", "0%", q.start, "", "50%", "50%", "On Track", "", "",
				checkIn(q.start, person(o+2), 25, "begun"), checkIn(q.end, person(o+2), 50, "half")}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// TestGeneratedExportImports checks the benchmark's generator on a small export: everything
// it writes is read and imported.
func TestGeneratedExportImports(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "gen.csv")
	f, err := os.Create(path)
	must(t, err)
	must(t, writeExplorerCSV(f, 200))
	must(t, f.Close())
	exp := read(t, path)
	if len(exp.Items) != 200 {
		t.Fatalf("read %d items, want 200", len(exp.Items))
	}
	b := setup(t, sqldb.DialectSQLite)
	sum := b.apply(t, exp)
	w := b.load(t)
	if n := w.rows["objectives"] + w.rows["key_results"] + w.rows["initiatives"]; n != 200 {
		t.Fatalf("imported %d items, want 200 (%v)", n, sum.Counts)
	}
	if counts(sum, cairn.MappingPerson)[0] != len(exp.People) || len(sum.Problems) != 0 {
		t.Fatalf("people %v, problems %v", counts(sum, cairn.MappingPerson), sum.Problems)
	}
}

// BenchmarkImport20000Rows imports a generated Explorer export of 20,000 rows into a fresh
// SQLite database, then again (nothing changed), and plans it (a dry run).
func BenchmarkImport20000Rows(b *testing.B) {
	path := filepath.Join(b.TempDir(), "viva.csv")
	f, err := os.Create(path)
	must(b, err)
	must(b, writeExplorerCSV(f, 20000))
	must(b, f.Close())
	start := time.Now()
	exp, err := vivaimport.ReadFile(path, vivaimport.Options{})
	must(b, err)
	b.Logf("read %d items and %d people in %v", len(exp.Items), len(exp.People), time.Since(start).Round(time.Millisecond))
	opts := vivaimport.Options{Now: func() time.Time { return now }}
	checkIns := 0
	for _, it := range exp.Items {
		checkIns += len(it.CheckIns)
	}

	b.Run("First", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			tb := setup(b, sqldb.DialectSQLite)
			b.StartTimer()
			sum, err := vivaimport.Apply(ctx, tb.db, tb.org, exp, opts)
			must(b, err)
			if sum.Count(cairn.MappingCheckIn).Created != checkIns {
				b.Fatalf("created %d check-ins, want %d", sum.Count(cairn.MappingCheckIn).Created, checkIns)
			}
		}
		b.ReportMetric(float64(len(exp.Items)), "items/op")
	})
	tb := setup(b, sqldb.DialectSQLite)
	_, err = vivaimport.Apply(ctx, tb.db, tb.org, exp, opts)
	must(b, err)
	b.Run("Again", func(b *testing.B) {
		for b.Loop() {
			sum, err := vivaimport.Apply(ctx, tb.db, tb.org, exp, opts)
			must(b, err)
			if sum.Changed() {
				b.Fatal("the second import changed something")
			}
		}
	})
	b.Run("DryRun", func(b *testing.B) {
		fresh := setup(b, sqldb.DialectSQLite)
		for b.Loop() {
			_, err := vivaimport.Plan(ctx, fresh.db, fresh.org, exp, opts)
			must(b, err)
		}
	})
}
