package vivaimport_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

// changedExplorer writes a copy of the Explorer fixture in which objective 1001's status,
// key result 1002's target and objective 1004's title changed, key result 1002 has a new
// check-in and the note of an old one changed, and key result 1007 is new; it returns the
// copy's path.
func changedExplorer(tb testing.TB) string {
	tb.Helper()
	raw, err := os.ReadFile("../viva/testdata/explorer.csv")
	must(tb, err)
	changed := strings.NewReplacer(
		"40%,,On Track,,,kept", "40%,,At Risk,,,kept",
		`"$1,200,000.00",Key result`, `"$1,500,000.00",Key result`,
		"1004,Improve retention (EMEA),", "1004,Improve retention (EMEA and APAC),",
		"Note: First deal;", "Note: First deal, signed;",
		`Activity Date: 2025-03-10 20:57:08 UTC;",`,
		`Activity Date: 2025-03-10 20:57:08 UTC;","Checkin Date: 2025-03-25; User: Roland Green; Note: Back on track; Metric Name: ARR; Status: On Track; Current Value: $600,000; Activity Date: 2025-03-25 16:00:00 UTC;",`,
	).Replace(string(raw))
	n := strings.LastIndex(changed, "\n,,,")
	if n < 0 {
		tb.Fatal("the fixture has no blank last row")
	}
	changed = changed[:n+1] + `1007,Cut onboarding time,Sales,Ram Sagoo,Ram Sagoo,Q1 2025,2025-01-01,2025-03-31,,"Drive expansion leveraging our AI offering(weight: 20%, Id: 1001)",Days,Number,10,Key result,Decrease,30,,,0%,30,Not Started,,,,` + "\n" + changed[n+1:]
	if strings.Count(changed, "At Risk,,,kept")+strings.Count(changed, "$1,500,000.00")+strings.Count(changed, "(EMEA and APAC)")+
		strings.Count(changed, "First deal, signed")+strings.Count(changed, "Back on track") != 5 {
		tb.Fatal("a replacement did not apply")
	}
	path := filepath.Join(tb.TempDir(), "explorer.csv")
	must(tb, os.WriteFile(path, []byte(changed), 0o600))
	return path
}

// wantChanges are the changes of changedExplorer, in the order the import goes through them.
var wantChanges = []string{
	`Objective 1001 "Drive expansion leveraging our AI offering": status`,
	`Key result 1002 "Grow ARR (new logos) to $1.2M": target, check-ins`,
	`Check-in of 2025-01-15 by Roland Green on key result 1002 "Grow ARR (new logos) to $1.2M": note`,
	`New check-in of 2025-03-25 by Roland Green on key result 1002 "Grow ARR (new logos) to $1.2M"`,
	`Objective 1004 "Improve retention (EMEA and APAC)": title`,
	`New key result 1007 "Cut onboarding time"`,
}

func changeLines(s *vivaimport.Summary) []string {
	out := make([]string, len(s.Changes))
	for n, c := range s.Changes {
		out[n] = c.String()
	}
	return out
}

// TestImportReportsChanges imports the Explorer fixture, then a copy with a status, a target,
// a title and a check-in's note changed, a check-in added and a key result added: the dry run
// and the import list exactly those items with exactly those fields, and the new records.
// A first import lists nothing (everything is new), and so does a third of the same copy.
func TestImportReportsChanges(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		first := b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		if len(first.Changes) != 0 {
			t.Errorf("the first import lists changes: %q", changeLines(first))
		}
		exp := read(t, changedExplorer(t))
		plan, err := vivaimport.Plan(ctx, b.db, b.org, exp, vivaimport.Options{Now: func() time.Time { return now }})
		must(t, err)
		if got := changeLines(plan); !slices.Equal(got, wantChanges) {
			t.Errorf("the dry run lists\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantChanges, "\n"))
		}
		sum := b.apply(t, exp)
		if got := changeLines(sum); !slices.Equal(got, wantChanges) {
			t.Errorf("the import lists\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantChanges, "\n"))
		}
		for kind, want := range map[cairn.MappingKind][4]int{
			cairn.MappingObjective: {0, 0, 2, 0},
			cairn.MappingKeyResult: {1, 0, 1, 2},
			cairn.MappingCheckIn:   {1, 0, 1, 6},
		} {
			if got := counts(sum, kind); got != want {
				t.Errorf("%s: created, matched, updated, unchanged = %v, want %v", kind, got, want)
			}
		}
		if len(sum.Changes) == len(wantChanges) {
			kr := sum.Changes[1]
			if kr.Kind != cairn.MappingKeyResult || kr.Outcome != vivaimport.ChangeUpdated || kr.VivaID != 1002 ||
				kr.ItemKind != viva.KindKeyResult || !slices.Equal(kr.Fields, []string{"target", "check-ins"}) || kr.Pos.Row != 3 {
				t.Errorf("the change of 1002 = %+v", kr)
			}
			ci := sum.Changes[3]
			if ci.Kind != cairn.MappingCheckIn || ci.Outcome != vivaimport.ChangeCreated || ci.VivaID != 1002 || ci.Of != "2025-03-25 by Roland Green" {
				t.Errorf("the new check-in = %+v", ci)
			}
		}
		w := b.load(t)
		if k := w.keyResults["1002"]; k.Metric.Target != 1500000 || w.objectives["1004"].Title != "Improve retention (EMEA and APAC)" {
			t.Errorf("after the import: target %g, title %q", k.Metric.Target, w.objectives["1004"].Title)
		}

		again := b.apply(t, read(t, changedExplorer(t)))
		if again.Changed() || len(again.Changes) != 0 {
			t.Errorf("importing the copy again lists %q (%+v)", changeLines(again), again.Counts)
		}
	})
}

// TestImportReportsWhatCairnChanged deletes an objective in Cairn between two imports of the
// same export: the objective comes back as new, with its key result and initiative, and the
// objective aligned to it, whose record did not change, is listed with its alignments, the
// Cairn field the import changes.
func TestImportReportsWhatCairnChanged(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		w := b.load(t)
		must(t, b.db.DeleteObjective(ctx, b.org.ID, w.objectives["1001"].ID))
		sum := b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		got := changeLines(sum)
		for _, want := range []string{
			`New objective 1001 "Drive expansion leveraging our AI offering"`,
			`Objective 1004 "Improve retention (EMEA)": alignments`,
		} {
			if !slices.Contains(got, want) {
				t.Errorf("the import lists\n%s\nwithout %s", strings.Join(got, "\n"), want)
			}
		}
	})
}
