package vivaimport_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

// TestImportClosedPeriod imports a period whose items were all closed: the period closes, and
// objectives and key results keep the scores Viva Goals closed them with.
func TestImportClosedPeriod(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		sum := b.apply(t, read(t, "testdata/closed.csv"))
		w := b.load(t)
		o := w.objectives["2001"]
		p := w.periods[o.PeriodID]
		if !p.Closed() || !p.ClosedAt.Equal(now) || len(sum.ClosedPeriods) != 1 || sum.ClosedPeriods[0] != "Q4 2024" {
			t.Fatalf("period %+v, closed %v: want Q4 2024 closed by the import", p, sum.ClosedPeriods)
		}
		if !ptrEq(o.Score, 0.8) || !ptrEq(w.keyResults["2002"].Score, 0.6) || !ptrEq(w.keyResults["2004"].Score, 1) {
			t.Errorf("scores = %v %v %v", o.Score, w.keyResults["2002"].Score, w.keyResults["2004"].Score)
		}
		// The objective's check-ins are comments on it.
		cms, err := b.db.ListComments(ctx, b.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID})
		must(t, err)
		if len(cms) != 2 || cms[0].Body != "Viva Goals check-in of 2024-11-15: 50% · On Track\n\nHalf-way there" ||
			cms[1].CreatedAt.Format(time.RFC3339) != "2024-12-20T16:30:00Z" || cms[0].AuthorID == nil ||
			w.members[*cms[0].AuthorID].Name != "Mia Chen" {
			t.Errorf("objective check-ins as comments = %+v", cms)
		}
		if got := counts(sum, cairn.MappingObjectiveCheckIn); got != [4]int{2, 0, 0, 0} {
			t.Errorf("objective check-ins = %v", got)
		}
		// The key result that aligned to nothing sits under the period's holding objective,
		// owned by its creator, and Azure DevOps drove it.
		k4 := w.keyResults["2004"]
		holder, err := b.db.ObjectiveByID(ctx, b.org.ID, k4.ObjectiveID)
		must(t, err)
		if holder.PeriodID != p.ID || !strings.Contains(holder.Title, "without an objective") || w.names(holder.OwnerIDs)[0] != "Omar Haddad" {
			t.Errorf("holding objective = %+v", holder)
		}
		if counts(sum, cairn.MappingHolder) != [4]int{1, 0, 0, 0} || sum.Rebind != 1 {
			t.Errorf("holders %v, re-bind %d", counts(sum, cairn.MappingHolder), sum.Rebind)
		}
		if !reflect.DeepEqual(k4.Metric, cairn.Metric{Kind: cairn.MetricPercentage, Goal: cairn.GoalIncrease, Start: 99, Target: 99.9, Unit: "%", Current: 99.95}) {
			t.Errorf("metric of 2004 = %+v", k4.Metric)
		}

		t.Run("AgainChangesNothing", func(t *testing.T) {
			again := b.apply(t, read(t, "testdata/closed.csv"))
			if again.Changed() || len(again.ClosedPeriods) != 0 {
				t.Fatalf("a second import changed something: %+v", again.Counts)
			}
		})
	})
}

// TestImportAgain imports the same export twice, then a changed one: the second run creates
// nothing, and the third updates what changed and adds what is new, without duplicates.
func TestImportAgain(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		first := b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		before := b.load(t)

		second := b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		if second.Changed() {
			t.Errorf("the second import changed something: %+v", second.Counts)
		}
		for _, c := range first.Counts {
			if got := second.Count(c.Kind); got.Unchanged != c.Total() || got.Total() != c.Total() {
				t.Errorf("%s: second run %+v, want all %d unchanged", c.Kind, got, c.Total())
			}
		}
		if after := b.load(t); !equalRows(after.rows, before.rows) {
			t.Errorf("rows after the second import %v, before %v", after.rows, before.rows)
		}

		// Someone checks in on Cairn between the imports: a changed export must not undo it.
		k5 := before.keyResults["1005"]
		must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: b.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k5.ID},
			Value: 6, CreatedAt: now}))

		raw, err := os.ReadFile("../viva/testdata/explorer.csv")
		must(t, err)
		changed := strings.NewReplacer(
			"Grow ARR (new logos) to $1.2M,Sales", "Grow ARR (new logos) to $1.5M,Sales",
			`"$1,200,000.00",Key result`, `"$1,500,000.00",Key result`,
			"Note: First deal;", "Note: First deal, signed;",
			"Note: Closing at 6.5%;", "Note: Closing at 6.5% (final);",
			`Activity Date: 2025-02-01 06:00:00 UTC;,Checkin Date: 2025-03-01`,
			`Activity Date: 2025-02-01 06:00:00 UTC;,"Checkin Date: 2025-03-20; User: Dev Lead; Note: Shipped; Metric Name: Progress; Status: On Track; Current Value: 100%; Activity Date: 2025-03-20 12:00:00 UTC;",Checkin Date: 2025-03-01`,
		).Replace(string(raw))
		if changed == string(raw) {
			t.Fatal("the replacements changed nothing")
		}
		path := filepath.Join(t.TempDir(), "explorer.csv")
		must(t, os.WriteFile(path, []byte(changed), 0o600))
		third := b.apply(t, read(t, path))
		for kind, want := range map[cairn.MappingKind][4]int{
			cairn.MappingPeriod:    {0, 0, 0, 2},
			cairn.MappingPerson:    {0, 0, 0, 3},
			cairn.MappingObjective: {0, 0, 0, 2},
			cairn.MappingKeyResult: {0, 0, 1, 2},
			// A spreadsheet says an integration drove an item when its latest check-in is
			// the integration's: Dev Lead's new one makes 1003 an item people check in on.
			cairn.MappingInitiative: {0, 0, 1, 0},
			cairn.MappingCheckIn:    {1, 0, 2, 5},
		} {
			if got := counts(third, kind); got != want {
				t.Errorf("third run, %s: created, matched, updated, unchanged = %v, want %v", kind, got, want)
			}
		}
		after := b.load(t)
		k2 := after.keyResults["1002"]
		if k2.ID != before.keyResults["1002"].ID || k2.Title != "Grow ARR (new logos) to $1.5M" || k2.Metric.Target != 1500000 {
			t.Errorf("key result 1002 after the change = %+v", k2)
		}
		if after.rows["key_results"] != before.rows["key_results"] || after.rows["check_ins"] != before.rows["check_ins"]+2 {
			t.Errorf("rows %v, before %v: want one new check-in besides the one made in Cairn", after.rows, before.rows)
		}
		cs := b.checkIns(t, cairn.Ref{Type: cairn.ItemKeyResult, ID: k2.ID})
		if len(cs) != 3 || cs[0].Note != "First deal, signed" {
			t.Errorf("check-ins of 1002 = %+v", cs)
		}
		if got := after.keyResults["1005"]; got.Metric.Current != 6 {
			t.Errorf("current of 1005 = %v, want the value checked in on Cairn after the import", got.Metric.Current)
		}
		i3 := after.initiatives["1003"]
		if len(b.checkIns(t, cairn.Ref{Type: cairn.ItemInitiative, ID: i3.ID})) != 3 {
			t.Errorf("initiative 1003 lacks the new check-in")
		}
	})
}

func equalRows(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestImportSpreadsheetThenBundle finds the check-ins of a spreadsheet export again in the
// bundle of the same OKRs, by date, author and value, so that they are not doubled.
func TestImportSpreadsheetThenBundle(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		before := b.load(t)
		sum := b.apply(t, read(t, "../viva/testdata/bundle"))
		after := b.load(t)
		if got := counts(sum, cairn.MappingCheckIn); got[0] != 0 {
			t.Errorf("the bundle created %d check-ins the spreadsheet had brought already (%v)", got[0], got)
		}
		if after.rows["check_ins"] != before.rows["check_ins"] || after.rows["users"] != before.rows["users"] {
			t.Errorf("rows after the bundle %v, before %v", after.rows, before.rows)
		}
		if after.rows["periods"] != before.rows["periods"]+1 {
			t.Errorf("periods %d → %d, want FY 2025 added", before.rows["periods"], after.rows["periods"])
		}
		if got := counts(sum, cairn.MappingPeriod); got != [4]int{1, 0, 0, 1} {
			t.Errorf("periods = %v, want Q1 2025 recognized as the import's own", got)
		}
	})
}

// TestDryRunWritesNothing plans an import: the summary is that of the real import, and the
// database is as it was.
func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		before := b.load(t)
		plan, err := vivaimport.Plan(ctx, b.db, b.org, read(t, "../viva/testdata/bundle"), vivaimport.Options{Now: func() time.Time { return now }})
		must(t, err)
		if after := b.load(t); !equalRows(after.rows, before.rows) {
			t.Fatalf("a dry run wrote: rows %v, before %v", after.rows, before.rows)
		}
		if !plan.DryRun || plan.PeriodIDs != nil {
			t.Errorf("the plan does not say it is a dry run, or names periods %v", plan.PeriodIDs)
		}
		real := b.apply(t, read(t, "../viva/testdata/bundle"))
		for _, c := range real.Counts {
			if got := plan.Count(c.Kind); *got != *c {
				t.Errorf("%s: plan %+v, import %+v", c.Kind, got, c)
			}
		}
		if len(plan.Problems) != len(real.Problems) || plan.Rebind != real.Rebind || len(plan.RebindItems) != plan.Rebind || len(plan.MultiParent) != len(real.MultiParent) {
			t.Errorf("plan %d problems, %d re-bind; import %d, %d", len(plan.Problems), plan.Rebind, len(real.Problems), real.Rebind)
		}
		again, err := vivaimport.Plan(ctx, b.db, b.org, read(t, "../viva/testdata/bundle"), vivaimport.Options{})
		must(t, err)
		if again.Changed() {
			for _, c := range again.Counts {
				t.Logf("%+v", *c)
			}
			t.Errorf("planning the imported export again would change something (re-bind %d)", again.Rebind)
		}
	})
}

// TestFailedImportWritesNothing makes the last item of an export fail inside the transaction:
// the error names its row and Id, and nothing of the items before it is stored.
func TestFailedImportWritesNothing(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		exp := read(t, "../viva/testdata/explorer.csv")
		last := exp.Items[len(exp.Items)-1]
		nan := math.NaN()
		last.CheckIns[0].Value = &nan
		before := b.load(t)
		_, err := vivaimport.Apply(ctx, b.db, b.org, exp, vivaimport.Options{})
		if err == nil {
			t.Fatal("the import of a check-in without a finite value succeeded")
		}
		if cairn.ErrorCode(err) != cairn.EINVALID || !strings.Contains(cairn.ErrorMessage(err), "row 7: Viva Goals Id 1006") {
			t.Errorf("error %q (%s), want an invalid value at row 7, Id 1006", cairn.ErrorMessage(err), cairn.ErrorCode(err))
		}
		if after := b.load(t); !equalRows(after.rows, before.rows) {
			t.Fatalf("a failed import wrote: rows %v, before %v", after.rows, before.rows)
		}
	})
}

// TestNotAnExportIsRefused reads files that are not Viva Goals exports: each is refused with
// the row and column at fault, before anything could be written.
func TestNotAnExportIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, c := range map[string]struct{ body, want string }{
		"MissingColumns": {"Name,Value\nx,1\n", `column "Id"`},
		"BadDate":        {"Id,Title,Object Type,Start Date\n1,A,Objective,31/31/2025\n", `row 2, column "Start Date"`},
		"UnknownParent":  {"Id,Title,Object Type,\"Aligned To (weight, Objective ID)\"\n1,A,Objective,\"B(weight: 50%, Id: 99)\"\n", `row 2, column "Aligned To (weight, Objective ID)"`},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".csv")
			must(t, os.WriteFile(path, []byte(c.body), 0o600))
			_, err := vivaimport.ReadFile(path, vivaimport.Options{})
			var pe *viva.ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want a parse error naming %s", err, c.want)
			}
		})
	}
}

// TestConcurrentImportsTakeTurns runs two imports of one export into one organization at
// once: they take turns, so the export is stored once.
func TestConcurrentImportsTakeTurns(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		exp := read(t, "../viva/testdata/explorer.csv")
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := vivaimport.Apply(ctx, b.db, b.org, exp, vivaimport.Options{})
				errs <- err
			}()
		}
		for range 2 {
			must(t, <-errs)
		}
		w := b.load(t)
		if w.rows["objectives"] != 2 || w.rows["check_ins"] != 7 || w.rows["users"] != 4 {
			t.Fatalf("rows after two imports at once = %v", w.rows)
		}
	})
}

// TestClaimHint imports a spreadsheet, whose people become unclaimed, then the bundle of the
// same OKRs, which gives an email that has an account: the summary says to claim the member.
func TestClaimHint(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		must(t, b.db.CreateUser(ctx, &cairn.User{Email: "ram@contoso.com", Name: "Ram"}))
		sum := b.apply(t, read(t, "../viva/testdata/bundle"))
		found := false
		for _, p := range sum.Problems {
			found = found || strings.Contains(p.Error(), "Ram Sagoo is an unclaimed member, and ram@contoso.com has an account")
		}
		if !found {
			t.Errorf("no hint to claim Ram among %v", sum.Problems)
		}
	})
}
