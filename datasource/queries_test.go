package datasource_test

import (
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
)

// previewQuery previews a count of every item of a saved query on a percentage key result.
func previewQuery(tb testing.TB, b *testBundle, conn *datasource.ConnectionView, queryID string) (*datasource.Preview, error) {
	tb.Helper()
	k := b.keyResult(tb, cairn.MetricPercentage, 0, 100)
	return b.ds.Preview(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		ConnectionID: conn.ID, Method: cairn.MethodSharedQuery, QueryID: queryID, ProgressType: cairn.ProgressAll, Measure: cairn.MeasureCount})
}

func wiqlCalls(p *datasource.Preview) int {
	n := 0
	for r, c := range p.APICalls {
		if strings.Contains(r, "wiql") {
			n += c
		}
	}
	return n
}

// TestOversizedQueryIsSplitByIDRanges lowers the emulator's row limit under the size of a
// flat and a tree query and checks that Cairn still gets every item, by running the
// query in id ranges.
func TestOversizedQueryIsSplitByIDRanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, wiql string }{
		{"Flat", "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.ChangedDate] DESC"},
		{"Tree", "SELECT [System.Id] FROM WorkItemLinks WHERE ([Source].[System.TeamProject] = @project AND [Source].[System.WorkItemType] = 'Epic') AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward') AND ([Target].[System.WorkItemType] <> '') MODE (Recursive)"},
		{"OneHop", "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] IN ('Epic', 'Feature') AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' MODE (MayContain)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{})
			conn := b.connect(t)
			id, err := b.emu.AddQuery(emuOrg, emuProject, "Shared Queries", "Big "+tc.name, tc.wiql)
			must(t, err)
			res, err := b.client(t).RunSavedQuery(ctx, emuProject, id, 0)
			must(t, err)
			rows := len(res.WorkItems) + len(res.WorkItemRelations)
			whole, err := previewQuery(t, b, conn, id)
			must(t, err)
			if whole.ItemCount < 6 || wiqlCalls(whole) != 1 {
				t.Fatalf("unsplit preview: %d items in %d WIQL calls; the test needs a bigger query", whole.ItemCount, wiqlCalls(whole))
			}
			b.emu.SetQueryLimit(rows * 2 / 3)
			split, err := previewQuery(t, b, conn, id)
			if err != nil {
				t.Fatalf("preview over the row limit of %d (query has %d rows): %v", rows*2/3, rows, err)
			}
			if split.ItemCount != whole.ItemCount || !near(split.Value, whole.Value) {
				t.Errorf("split query gives %d items, value %v; whole query %d items, value %v", split.ItemCount, split.Value, whole.ItemCount, whole.Value)
			}
			if wiqlCalls(split) < 3 {
				t.Errorf("split query made %d WIQL calls, want the refused one and at least two id ranges", wiqlCalls(split))
			}
		})
	}
}

// TestUnsplittableQueryTellsWhatToDo makes one work item's tree bigger than the limit, so
// that no id range helps, and checks the wizard's error and the sync log.
func TestUnsplittableQueryTellsWhatToDo(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	id, err := b.emu.AddQuery(emuOrg, emuProject, "Shared Queries", "Epic 1 tree",
		"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 1 AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' MODE (Recursive)")
	must(t, err)
	k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		ConnectionID: conn.ID, Method: cairn.MethodSharedQuery, QueryID: id, ProgressType: cairn.ProgressAll, Measure: cairn.MeasureCount})
	must(t, err)
	b.emu.SetQueryLimit(2)

	_, err = previewQuery(t, b, conn, id)
	if err == nil {
		t.Fatal("preview of a query over the limit succeeded")
	}
	for _, want := range []string{"VS402337", "work item 1 alone", "Area Path Under", "split it into several queries"} {
		if !strings.Contains(cairn.ErrorMessage(err), want) {
			t.Errorf("preview error %q does not say %q", cairn.ErrorMessage(err), want)
		}
	}
	rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
	must(t, err)
	sr := rep.Source(d.ID)
	if sr == nil || sr.Error == nil || sr.Error.Kind != cairn.SyncErrTooLarge {
		t.Fatalf("sync report %+v, want a too_large error", sr)
	}
	if !strings.Contains(sr.Error.Message, "Epic 1 tree") || !strings.Contains(sr.Error.Guidance, "Iteration Path Under") {
		t.Errorf("sync error %q / %q does not name the query and say what to change", sr.Error.Message, sr.Error.Guidance)
	}
}

// TestQueriesThePATOwnerCannotSee binds a query in another person's My Queries and a
// shared query whose folder denies the PAT owner, and checks both errors.
func TestQueriesThePATOwnerCannotSee(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	mine, err := b.emu.AddQuery(emuOrg, emuProject, "My Queries", "Mine", "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic'")
	must(t, err)
	if _, err := previewQuery(t, b, conn, mine); err != nil {
		t.Fatalf("the PAT owner's own My Queries query: %v", err)
	}
	theirs, err := b.emu.AddQueryAs(emuOrg, emuProject, "My Queries", "Theirs", "SELECT [System.Id] FROM WorkItems", "Other Person <other.person@fabrikam.example>")
	must(t, err)
	_, err = previewQuery(t, b, conn, theirs)
	if cairn.ErrorField(err) != "query_id" || !strings.Contains(cairn.ErrorMessage(err), "My Queries are private") {
		t.Errorf("another person's My Queries query: field %q, %q", cairn.ErrorField(err), cairn.ErrorMessage(err))
	}

	shared := b.queryID(t, "Shared Queries/Q3 Features")
	k := b.keyResult(t, cairn.MetricPercentage, 0, 100)
	d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		ConnectionID: conn.ID, Method: cairn.MethodSharedQuery, QueryID: shared, ProgressType: cairn.ProgressAll, Measure: cairn.MeasureCount})
	must(t, err)
	owner := azdoemu.DemoScenario().Identities[0].Email
	must(t, b.emu.SetQueryReadable(emuOrg, emuProject, "Shared Queries", owner, false))
	rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
	must(t, err)
	sr := rep.Source(d.ID)
	if sr == nil || sr.Error == nil || sr.Error.Kind != cairn.SyncErrNotFound {
		t.Fatalf("sync report %+v, want a not_found error", sr)
	}
	if !strings.Contains(sr.Error.Message, "TF401243") || !strings.Contains(sr.Error.Guidance, "Read on its folder") {
		t.Errorf("sync error %q / %q does not explain the hidden query", sr.Error.Message, sr.Error.Guidance)
	}
}

// TestQueriesWithMacrosRunAndAreExplained binds saved queries with @Me, @Today - 7,
// @CurrentIteration, @Project, UNDER and EVER and a linked-first tree query, and checks
// that each previews and that the preview explains the macros.
func TestQueriesWithMacrosRunAndAreExplained(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	for _, tc := range []struct {
		name, wiql string
		notes      []string
	}{
		{"Me", "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @Project AND [System.AssignedTo] = @Me", []string{"@Me"}},
		{"TodayAndEver", "SELECT [System.Id] FROM WorkItems WHERE [System.ChangedDate] >= @Today - 7 OR [System.State] EVER 'Active'", []string{"@Today"}},
		{"CurrentIterationUnder", "SELECT [System.Id] FROM WorkItems WHERE [System.IterationPath] = @CurrentIteration OR [System.AreaPath] UNDER 'Fabrikam Fiber'", []string{"@CurrentIteration"}},
		{"LinkedFirst", "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.AssignedTo] = @Me MODE (Recursive, ReturnMatchingChildren)", []string{"@Me", "matches linked work items first"}},
		{"Plain", "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic'", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := b.emu.AddQuery(emuOrg, emuProject, "Shared Queries/Macros", tc.name, tc.wiql)
			must(t, err)
			want := b.queryItems(t, "Shared Queries/Macros/"+tc.name)
			p, err := previewQuery(t, b, conn, id)
			must(t, err)
			exp := b.expect(t, want, cairn.ProgressAll, cairn.MeasureCount, string(cairn.MetricPercentage), false, false)
			if p.ItemCount != exp.items || !near(p.Value, exp.value) {
				t.Errorf("preview has %d items, value %v; the query's items give %d, value %v", p.ItemCount, p.Value, exp.items, exp.value)
			}
			all := strings.Join(p.QueryNotes, " ")
			if len(tc.notes) == 0 && len(p.QueryNotes) != 0 {
				t.Errorf("a query without macros has notes %q", p.QueryNotes)
			}
			for _, n := range tc.notes {
				if !strings.Contains(all, n) {
					t.Errorf("notes %q do not explain %s", p.QueryNotes, n)
				}
			}
		})
	}
}
