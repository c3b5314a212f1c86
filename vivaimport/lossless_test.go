package vivaimport_test

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

// losslessFixtures are the real-shaped exports the lossless test imports: between them every
// point of the import (periods, teams, people, the three kinds of items, metrics with every
// goal, multiple owners, weighted alignments, check-ins with date, author, value, status and
// note, statuses, items closed with their scores, descriptions, phased targets and comments).
var losslessFixtures = []string{
	"../viva/testdata/explorer.csv",
	"../viva/testdata/bundle",
	"testdata/closed.csv",
	"testdata/platform.csv",
}

// TestImportLosesNothing imports each fixture on SQLite and PostgreSQL and compares what the
// store holds with what the export says, item by item, from the export as read: titles,
// descriptions, owners, weights, metrics, goals, milestones, scores, closed marks, the
// status and progress Cairn shows, every check-in with its date, author, value, status and
// note, and every comment. Where Cairn shows something other than the file, the import must
// have said so in its problems.
func TestImportLosesNothing(t *testing.T) {
	t.Parallel()
	for _, fixture := range losslessFixtures {
		t.Run(strings.ReplaceAll(fixture, "/", "_"), func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, b *testBundle) {
				exp := read(t, fixture)
				sum := b.apply(t, exp)
				checkLossless(t, b, exp, sum)
			})
		})
	}
}

func checkLossless(t *testing.T, b *testBundle, exp *viva.Export, sum *vivaimport.Summary) {
	w := b.load(t)
	reported := func(id int64, column string) bool {
		return slices.ContainsFunc(sum.Problems, func(p *viva.RowError) bool {
			return p.Column == column && strings.HasPrefix(p.Message, "Id "+strconv.FormatInt(id, 10)+":")
		})
	}
	// What the tree shows: every period's graph evaluated as the service does.
	evals := map[cairn.Ref]cairn.Eval{}
	for _, p := range w.periods {
		g, err := b.db.PeriodGraph(ctx, b.org.ID, p.ID)
		must(t, err)
		for r, ev := range cairn.EvaluateGraph(g, b.org, now) {
			evals[r] = ev
		}
	}
	name := func(id *int64) string {
		if id == nil {
			return ""
		}
		return w.names([]int64{*id})[0]
	}
	for _, it := range exp.Items {
		vid := strconv.FormatInt(it.ID, 10)
		var ref cairn.Ref
		var owners []int64
		var score *float64
		var closed *time.Time
		var description *string
		switch it.Kind {
		case viva.KindObjective:
			o := w.objectives[vid]
			if o == nil {
				t.Errorf("%d: no objective", it.ID)
				continue
			}
			ref, owners, score, closed, description = cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, o.OwnerIDs, o.Score, o.ClosedAt, &o.Description
			if want := progress.Status(it.Status); want.Valid() && o.StatedStatus != want {
				t.Errorf("%d: stated status %q, the file says %q", it.ID, o.StatedStatus, it.Status)
			}
			checkWeights(t, it, o.Parents)
		case viva.KindKeyResult:
			k := w.keyResults[vid]
			if k == nil {
				t.Errorf("%d: no key result", it.ID)
				continue
			}
			ref, owners, score, closed, description = cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, k.OwnerIDs, k.Score, k.ClosedAt, &k.Description
			checkMetric(t, it, k, reported)
			if a := firstCountedOf(it); a != nil {
				checkWeights(t, it, append([]cairn.Alignment{{Weight: k.Weight}}, k.Parents...))
			}
		case viva.KindInitiative:
			i := w.initiatives[vid]
			if i == nil {
				t.Errorf("%d: no initiative", it.ID)
				continue
			}
			ref, owners, score, closed = cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}, i.OwnerIDs, i.Score, i.ClosedAt
			if a := firstCountedOf(it); a != nil {
				checkWeights(t, it, []cairn.Alignment{{Weight: i.Weight}})
			}
		}
		// Owners: every owner, or the creator when there is none.
		want := []string{}
		people := it.Owners
		if len(people) == 0 && !it.Creator.IsZero() {
			people = []viva.Person{it.Creator}
		}
		for _, p := range people {
			want = append(want, p.Name)
		}
		slices.Sort(want)
		if got := w.names(owners); !slices.Equal(got, want) && !(len(want) == 0 && len(got) <= 1) {
			t.Errorf("%d: owners %q, the file says %q", it.ID, got, want)
		}
		if description != nil && *description != strings.TrimSpace(it.Description) {
			t.Errorf("%d: description %q, the file says %q", it.ID, *description, it.Description)
		}
		// Closed items keep their score and show as closed.
		if it.Score != nil && (score == nil || *score != *it.Score) {
			t.Errorf("%d: score %v, the file says %g", it.ID, score, *it.Score)
		}
		if it.Closed() != (closed != nil) {
			t.Errorf("%d: closed at %v, the file's status is %q", it.ID, closed, it.Status)
		}
		ev := evals[ref]
		if wantSt := fileStatus(it); wantSt != "" && ev.Status != wantSt && !reported(it.ID, "Status") {
			t.Errorf("%d %q: Cairn shows status %s, the file %s, and the import did not say why", it.ID, it.Title, ev.Status, it.StatusText)
		}
		if it.Progress != nil && math.Abs(ev.Progress*100-*it.Progress) >= 0.5 && !reported(it.ID, "Progress %") {
			t.Errorf("%d %q: Cairn shows progress %.1f %%, the file %g %%, and the import did not say why", it.ID, it.Title, ev.Progress*100, *it.Progress)
		}
		if it.Kind == viva.KindObjective {
			checkObjectiveCheckIns(t, b, it, ref, name)
		} else {
			checkCheckIns(t, b, it, ref, name)
		}
		checkComments(t, b, it, ref, name)
	}
}

// fileStatus is the status the tree must show for the file's Status.
func fileStatus(it *viva.Item) progress.Status {
	if it.Closed() {
		return progress.Closed
	}
	return progress.Status(it.Status)
}

func firstCountedOf(it *viva.Item) *viva.Alignment {
	for n := range it.Alignments {
		if it.Alignments[n].Counted() {
			return &it.Alignments[n]
		}
	}
	return nil
}

// checkWeights compares the weights of an item's alignments, as Cairn holds them, with the
// file's: each percentage over 100, no weight being 1 and 0 % being 0.
func checkWeights(t *testing.T, it *viva.Item, got []cairn.Alignment) {
	t.Helper()
	var want, have []float64
	for _, a := range it.Alignments {
		switch {
		case a.Weight == nil:
			want = append(want, 1)
		default:
			want = append(want, math.Round(*a.Weight*100)/10000)
		}
	}
	for _, a := range got {
		have = append(have, a.Weight)
	}
	slices.Sort(want)
	slices.Sort(have)
	// Alignments that lead to an item outside the export's placement are fewer in Cairn;
	// each weight Cairn holds must be one of the file's.
	for _, h := range have {
		n := slices.Index(want, h)
		if n < 0 {
			t.Errorf("%d: weights %v in Cairn, the file says %v", it.ID, have, want)
			return
		}
		want = slices.Delete(want, n, n+1)
	}
}

// checkMetric compares a key result's metric with the file's: start, target, current value,
// unit, goal and phased targets.
func checkMetric(t *testing.T, it *viva.Item, k *cairn.KeyResult, reported func(int64, string) bool) {
	t.Helper()
	vm := it.Metric
	if vm == nil || vm.Target == nil || (vm.Start != nil && *vm.Start == *vm.Target) {
		return // held as Viva's progress in percent, which the progress check covers
	}
	m := k.Metric
	if vm.Start != nil && m.Start != *vm.Start || m.Target != *vm.Target {
		t.Errorf("%d: start %g and target %g, the file says %v and %g", it.ID, m.Start, m.Target, vm.Start, *vm.Target)
	}
	if vm.Current != nil && m.Current != *vm.Current {
		t.Errorf("%d: current %g, the file says %g", it.ID, m.Current, *vm.Current)
	}
	if vm.Direction != viva.DirectionUnknown && string(m.Goal) != string(vm.Direction) && !reported(it.ID, "Goal Type") {
		t.Errorf("%d: goal %s, the file says %s", it.ID, m.Goal, vm.Direction)
	}
	if len(vm.PhasedTargets) > 0 && !reported(it.ID, "Phased Targets") {
		var want []cairn.Milestone
		for _, pt := range vm.PhasedTargets {
			want = append(want, cairn.Milestone{Date: pt.Date, Value: pt.Value})
		}
		for _, ms := range m.Milestones {
			if !slices.Contains(want, ms) {
				t.Errorf("%d: milestone %v is none of the file's phased targets %v", it.ID, ms, want)
			}
		}
		// Only a phased target at the target on the period's last day may be left out.
		if len(want)-len(m.Milestones) > 1 || (len(want) != len(m.Milestones) && want[len(want)-1].Value != m.Target) {
			t.Errorf("%d: milestones %v, the file's phased targets %v", it.ID, m.Milestones, want)
		}
	}
}

// sortedCheckIns returns the file's check-ins in the order Cairn lists them: by time.
func sortedCheckIns(it *viva.Item) []viva.CheckIn {
	cs := slices.Clone(it.CheckIns)
	slices.SortStableFunc(cs, func(a, b viva.CheckIn) int { return checkInAt(&a).Compare(checkInAt(&b)) })
	return cs
}

// checkInAt is when the file says a check-in happened: its date, at its activity time when
// that falls on the date.
func checkInAt(c *viva.CheckIn) time.Time {
	if !c.ActivityAt.IsZero() && (c.Date.IsZero() || cairn.DateOf(c.ActivityAt) == c.Date) {
		return c.ActivityAt.UTC()
	}
	return c.Date.Time()
}

// checkCheckIns compares every check-in of a key result or initiative with the file's.
func checkCheckIns(t *testing.T, b *testBundle, it *viva.Item, ref cairn.Ref, name func(*int64) string) {
	t.Helper()
	got := b.checkIns(t, ref)
	want := sortedCheckIns(it)
	if len(got) != len(want) {
		t.Errorf("%d: %d check-ins, the file has %d", it.ID, len(got), len(want))
		return
	}
	for n, c := range want {
		g := got[n]
		if at := checkInAt(&c); !g.CreatedAt.Equal(at) {
			t.Errorf("%d check-in %d: at %s, the file says %s", it.ID, n, g.CreatedAt, at)
		}
		author := c.Author.Name
		if c.Integration != "" && g.AuthorID == nil {
			author = ""
		}
		if name(g.AuthorID) != author {
			t.Errorf("%d check-in %d: by %q, the file says %q", it.ID, n, name(g.AuthorID), c.Author.Name)
		}
		if c.Value != nil && g.Value != *c.Value {
			t.Errorf("%d check-in %d: value %g, the file says %g", it.ID, n, g.Value, *c.Value)
		}
		wantSt := string(c.Status)
		if c.Status == viva.StatusClosed {
			wantSt = "" // closing is the item's, with its score
		}
		if g.Status != wantSt {
			t.Errorf("%d check-in %d: status %q, the file says %q", it.ID, n, g.Status, c.Status)
		}
		if g.Note != strings.TrimSpace(c.Note) {
			t.Errorf("%d check-in %d: note %q, the file says %q", it.ID, n, g.Note, c.Note)
		}
		if (g.Source == cairn.CheckInAzureDevOps) != viva.IsAzureDevOps(c.Integration) {
			t.Errorf("%d check-in %d: source %s, the file's integration %q", it.ID, n, g.Source, c.Integration)
		}
	}
}

// checkObjectiveCheckIns finds each check-in of an objective among its comments, with its
// date, author, status and note.
func checkObjectiveCheckIns(t *testing.T, b *testBundle, it *viva.Item, ref cairn.Ref, name func(*int64) string) {
	t.Helper()
	cms, err := b.db.ListComments(ctx, b.org.ID, ref)
	must(t, err)
	for _, c := range it.CheckIns {
		found := slices.ContainsFunc(cms, func(cm *cairn.Comment) bool {
			return cm.CreatedAt.Equal(checkInAt(&c)) && name(cm.AuthorID) == c.Author.Name &&
				strings.Contains(cm.Body, c.Date.String()) && strings.Contains(cm.Body, c.StatusText) &&
				strings.Contains(cm.Body, strings.TrimSpace(c.Note))
		})
		if !found {
			t.Errorf("%d: the check-in of %s by %s is not among the objective's comments", it.ID, c.Date, c.Author.Name)
		}
	}
}

// checkComments finds each comment of the file on the item, with its author, time and text.
func checkComments(t *testing.T, b *testBundle, it *viva.Item, ref cairn.Ref, name func(*int64) string) {
	t.Helper()
	if len(it.Comments) == 0 {
		return
	}
	cms, err := b.db.ListComments(ctx, b.org.ID, ref)
	must(t, err)
	for _, c := range it.Comments {
		found := slices.ContainsFunc(cms, func(cm *cairn.Comment) bool {
			return (c.CreatedAt.IsZero() || cm.CreatedAt.Equal(c.CreatedAt.UTC())) && name(cm.AuthorID) == c.Author.Name &&
				cm.Body == strings.TrimSpace(c.Text)
		})
		if !found {
			t.Errorf("%d: the comment %q by %s is not on the item", it.ID, c.Text, c.Author.Name)
		}
	}
}
