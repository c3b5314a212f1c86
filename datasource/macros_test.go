package datasource_test

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// The query notes the preview shows for the macros that change meaning when Cairn, rather
// than a person in Azure DevOps, runs a query (docs/azure-devops-queries.md, "Macros").
const (
	noteMe               = "@Me in this query is the connection's identity (the person whose token or sign-in the connection uses), not whoever looks at the key result in Cairn."
	noteCurrentIteration = "@CurrentIteration is the current iteration of the project's default team when Cairn runs the query, so the item set moves when the sprint ends."
	noteToday            = "@Today and the other date macros count days in the Azure DevOps organization's time zone each time Cairn syncs, so items leave and join the set as days pass."
)

// emuClock is the emulator's clock: the real time moved on by an offset the test sets.
type emuClock struct{ offset atomic.Int64 }

func (c *emuClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *emuClock) advance(d time.Duration) { c.offset.Add(int64(d)) }
func (c *emuClock) options() azdoemu.Options {
	return azdoemu.Options{Scenario: azdoemu.DemoScenario(), Now: c.now}
}
func (c *emuClock) bundle(dialect string) bundleOptions {
	return bundleOptions{emu: c.options(), dialect: dialect}
}

// TestQueryMacros binds, one by one, saved queries with each macro and operator that a
// person may find in a query: @Me, @Today - 7, @CurrentIteration, @Project, UNDER and
// EVER. Each previews with exactly its note (or none: @Project, UNDER and EVER mean in a
// sync what they mean in Azure DevOps), syncs to the value of the items Azure DevOps gives
// for the query, and still does when the query is over the row limit and Cairn runs its
// WIQL again in id ranges with the macro written back. Then each note's claim is checked:
// @Me follows the connection's identity, and @Today - 7 lets items leave and join the set
// as days pass.
func TestQueryMacros(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, where string
		notes       []string
		// check, when set, checks the note's claim after the first sync.
		check func(t *testing.T, b *testBundle, clock *emuClock, conn *datasource.ConnectionView, queryID string, d *cairn.DataSource)
	}{
		{"Me", "[System.AssignedTo] = @Me", []string{noteMe}, checkMeIsTheConnection},
		{"TodayMinus7", "[System.ChangedDate] >= @Today - 7", []string{noteToday}, checkTodayMoves},
		{"CurrentIteration", "[System.IterationPath] = @CurrentIteration", []string{noteCurrentIteration}, nil},
		{"Project", "[System.TeamProject] = @Project AND [System.WorkItemType] = 'User Story'", nil, nil},
		{"Under", `[System.AreaPath] UNDER 'Fabrikam Fiber\Mobile'`, nil, nil},
		{"Ever", "[System.State] EVER 'Resolved'", nil, nil},
	} {
		for _, dialect := range []string{"sqlite", sqldb.DialectPostgres} {
			t.Run(tc.name+"/"+dialect, func(t *testing.T) {
				t.Parallel()
				clock := &emuClock{}
				b := setup(t, clock.bundle(dialect))
				conn := b.connect(t)
				id, err := b.emu.AddQuery(emuOrg, emuProject, "Shared Queries/Macros", tc.name, "SELECT [System.Id] FROM WorkItems WHERE "+tc.where)
				must(t, err)
				want := b.queryItems(t, "Shared Queries/Macros/"+tc.name)
				all := b.descendants(t, allIDs(t, b)...)
				if len(want) < 2 || len(want) == len(all) {
					t.Fatalf("the query gives %d of %d items; the test needs a query that picks some", len(want), len(all))
				}
				p, err := previewQuery(t, b, conn, id)
				must(t, err)
				if !slices.Equal(p.QueryNotes, tc.notes) {
					t.Errorf("query notes:\n%q\nwant:\n%q", p.QueryNotes, tc.notes)
				}
				exp := b.expect(t, want, cairn.ProgressAll, cairn.MeasureCount, string(cairn.MetricPercentage), false, false)
				if p.ItemCount != exp.items || !near(p.Value, exp.value) {
					t.Errorf("preview: %d items, value %v; the query's items give %d, value %v", p.ItemCount, p.Value, exp.items, exp.value)
				}

				k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
				d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
					ConnectionID: conn.ID, Method: cairn.MethodSharedQuery, QueryID: id, ProgressType: cairn.ProgressAll, Measure: cairn.MeasureCount})
				must(t, err)
				if d.Error != nil || d.Value == nil || !near(*d.Value, exp.value) {
					t.Fatalf("first sync: value %v error %+v, want %v", d.Value, d.Error, exp.value)
				}

				// Over the row limit, Cairn writes the query back with id ranges added.
				b.emu.SetQueryLimit(len(want) - 1)
				rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
				must(t, err)
				if sr := rep.Source(d.ID); sr == nil || sr.Error != nil || sr.Value == nil || !near(*sr.Value, exp.value) {
					t.Fatalf("sync over the row limit: %+v, want value %v", sr, exp.value)
				}
				if rep.Calls["wit/wiql"] < 2 {
					t.Errorf("sync over the row limit made calls %v, want the query run again in id ranges", rep.Calls)
				}
				b.emu.SetQueryLimit(0)
				if tc.check != nil {
					tc.check(t, b, clock, conn, id, d)
				}
			})
		}
	}
}

// allIDs returns the ids of every work item of the emulator's project.
func allIDs(tb testing.TB, b *testBundle) []int {
	tb.Helper()
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(tb, err)
	var ids []int
	for _, s := range snaps {
		ids = append(ids, s.ID)
	}
	return ids
}

// checkMeIsTheConnection connects with another person's token: the same query gives that
// person's items, whoever in Cairn previews it.
func checkMeIsTheConnection(t *testing.T, b *testBundle, _ *emuClock, _ *datasource.ConnectionView, queryID string, _ *cairn.DataSource) {
	other := azdoemu.DemoScenario().Identities[4]
	b.emu.AddPATFor("priya-pat-0123456789", other.Name+" <"+other.Email+">")
	theirs, err := b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{
		Name: "Priya's token", OrganizationURL: b.orgURL(), Project: emuProject,
		Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: "priya-pat-0123456789"}})
	must(t, err)
	snaps, err := b.emu.WorkItems(emuOrg, emuProject)
	must(t, err)
	var hers []int
	for _, s := range snaps {
		if a, _ := s.Fields["System.AssignedTo"].(string); strings.Contains(a, other.Email) && !s.Deleted {
			hers = append(hers, s.ID)
		}
	}
	p, err := previewQuery(t, b, theirs, queryID)
	must(t, err)
	exp := b.expect(t, hers, cairn.ProgressAll, cairn.MeasureCount, string(cairn.MetricPercentage), false, false)
	if len(hers) == 0 || p.ItemCount != exp.items || !near(p.Value, exp.value) {
		t.Errorf("through %s's token the query gives %d items, value %v; %d items are assigned to her, value %v",
			other.Name, p.ItemCount, p.Value, exp.items, exp.value)
	}
	mine := b.expect(t, b.queryItems(t, "Shared Queries/Macros/Me"), cairn.ProgressAll, cairn.MeasureCount, string(cairn.MetricPercentage), false, false)
	if exp.items == mine.items && near(exp.value, mine.value) {
		t.Errorf("the two identities' items give the same preview (%d items, %v); the test cannot tell them apart", exp.items, exp.value)
	}
}

// checkTodayMoves lets eight days pass in Azure DevOps and changes one work item: at the
// next sync the items changed in the week before have left the set and the changed one
// has joined it.
func checkTodayMoves(t *testing.T, b *testBundle, clock *emuClock, conn *datasource.ConnectionView, _ string, d *cairn.DataSource) {
	before := b.queryItems(t, "Shared Queries/Macros/TodayMinus7")
	clock.advance(8 * 24 * time.Hour)
	var changed int
	for _, id := range allIDs(t, b) {
		if !slices.Contains(before, id) {
			changed = id
			break
		}
	}
	if changed == 0 {
		t.Fatal("every item was changed in the last week")
	}
	must(t, b.emu.UpdateWorkItem(emuOrg, emuProject, changed, map[string]any{"System.Title": "Touched a week later"}))
	after := b.queryItems(t, "Shared Queries/Macros/TodayMinus7")
	if !slices.Equal(after, []int{changed}) {
		t.Fatalf("eight days later the query gives %v, want only the item changed since, %d", after, changed)
	}
	rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
	must(t, err)
	exp := b.expect(t, after, cairn.ProgressAll, cairn.MeasureCount, string(cairn.MetricPercentage), false, false)
	sr := rep.Source(d.ID)
	if sr == nil || sr.Error != nil || sr.Value == nil || !near(*sr.Value, exp.value) {
		t.Fatalf("sync eight days later: %+v, want value %v", sr, exp.value)
	}
	got := b.get(t, d.ID)
	if got.ItemCount != 1 {
		t.Errorf("eight days later the data source has %d items, want 1", got.ItemCount)
	}
}
