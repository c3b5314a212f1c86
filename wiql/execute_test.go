package wiql_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/wiql"
)

const (
	forward = "System.LinkTypes.Hierarchy-Forward"
	reverse = "System.LinkTypes.Hierarchy-Reverse"
	related = "System.LinkTypes.Related"
)

func day(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

// fixture is a small project: epic 1 > feature 2 > story 3 > task 4, bug 5
// related to story 3, and task 6 in another project.
func fixture() *wiql.Dataset {
	jamal := "Jamal Hartnett <jamal@fabrikam.example>"
	christie := "Christie Church <christie@fabrikam.example>"
	item := func(id int, typ, title, state, area string, f map[string]any) *wiql.Item {
		fields := map[string]any{
			"System.Id":           id,
			"System.TeamProject":  "Fabrikam",
			"System.WorkItemType": typ,
			"System.Title":        title,
			"System.State":        state,
			"System.AreaPath":     area,
		}
		for k, v := range f {
			fields[k] = v
		}
		return &wiql.Item{ID: id, Fields: fields}
	}
	items := []*wiql.Item{
		item(1, "Epic", "Platform", "Active", `Fabrikam\Web`, map[string]any{
			"System.AssignedTo": jamal, "System.Tags": "okr; q1", "System.ChangedDate": day(2026, 3, 10, 15),
			"Microsoft.VSTS.Common.Priority": 1, "System.IterationPath": `Fabrikam\Sprint 1`,
		}),
		item(2, "Feature", "Login", "Active", `Fabrikam\Web\Auth`, map[string]any{
			"System.AssignedTo": christie, "System.Tags": "Q1", "System.ChangedDate": day(2026, 3, 9, 8),
			"Microsoft.VSTS.Common.Priority": 2, "System.IterationPath": `Fabrikam\Sprint 1\Week 2`,
		}),
		item(3, "User Story", "Password reset flow", "New", `Fabrikam\Web\Auth`, map[string]any{
			"System.AssignedTo": jamal, "System.ChangedDate": day(2026, 3, 3, 9),
			"Microsoft.VSTS.Common.Priority": 2, "Microsoft.VSTS.Scheduling.StoryPoints": 5.0,
			"System.IterationPath": `Fabrikam\Sprint 2`,
		}),
		item(4, "Task", "Write e-mail template", "Closed", `Fabrikam\Webinar`, map[string]any{
			"System.AssignedTo": christie, "System.ChangedDate": day(2026, 2, 1, 9),
			"Microsoft.VSTS.Scheduling.RemainingWork": 0.0,
		}),
		item(5, "Bug", "crash on save", "Active", `Fabrikam\Mobile`, map[string]any{
			"System.ChangedDate": day(2026, 3, 10, 1), "Microsoft.VSTS.Common.Priority": 1,
			"Custom.Blocked": true, "System.Tags": "",
		}),
		item(6, "Task", "Orphan", "Active", `Other`, map[string]any{"System.TeamProject": "Other"}),
	}
	items[1].Revisions = []map[string]any{{"System.State": "New"}}
	items[3].Revisions = []map[string]any{{"System.State": "Active"}, {"System.State": "Resolved"}}
	return &wiql.Dataset{
		Items: items,
		Links: []wiql.Link{
			{Type: forward, Source: 1, Target: 2},
			{Type: forward, Source: 2, Target: 3},
			{Type: forward, Source: 3, Target: 4},
			{Type: related, Source: 3, Target: 5},
		},
	}
}

func fixtureEnv() wiql.Env {
	return wiql.Env{
		Project:          "Fabrikam",
		Me:               "Jamal Hartnett <jamal@fabrikam.example>",
		Now:              day(2026, 3, 10, 12), // a Tuesday
		CurrentIteration: `Fabrikam\Sprint 1`,
	}
}

func run(t *testing.T, src string, ds *wiql.Dataset, env wiql.Env) (*wiql.Result, error) {
	t.Helper()
	q, err := wiql.Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return wiql.Execute(q, ds, env)
}

func TestExecuteFlat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		where string // WHERE and ORDER BY text
		env   func(*wiql.Env)
		want  []int
	}{
		{"EqMatchesState", "[System.State] = 'Active'", nil, []int{1, 2, 5, 6}},
		{"EqIgnoresCase", "[State] = 'aCTIVE'", nil, []int{1, 2, 5, 6}},
		{"NeExcludes", "[State] <> 'Active'", nil, []int{3, 4}},
		{"EqEmptyMatchesUnset", "[Assigned To] = ''", nil, []int{5, 6}},
		{"NeEmptyMatchesSet", "[Assigned To] <> ''", nil, []int{1, 2, 3, 4}},
		{"EmptyStringCountsAsUnset", "[Tags] = ''", nil, []int{3, 4, 5, 6}},
		{"NumberGreater", "[Story Points] > 3", nil, []int{3}},
		{"NumberLessOrEqual", "[Priority] <= 1", nil, []int{1, 5}},
		{"NumberGreaterOrEqualSkipsUnset", "[Priority] >= 1", nil, []int{1, 2, 3, 5}},
		{"NumberLess", "[Priority] < 2", nil, []int{1, 5}},
		{"NumberAsText", "[Priority] = '2'", nil, []int{2, 3}},
		{"FloatEqualsInt", "[Remaining Work] = 0", nil, []int{4}},
		{"IDLiterals", "[System.Id] = 3 OR [ID] = 4", nil, []int{3, 4}},
		{"In", "[Work Item Type] IN ('task', 'Bug')", nil, []int{4, 5, 6}},
		{"NotIn", "[Work Item Type] NOT IN ('Task', 'Bug')", nil, []int{1, 2, 3}},
		{"UnderIncludesSelfAndChildren", `[Area Path] UNDER 'Fabrikam\Web'`, nil, []int{1, 2, 3}},
		{"UnderIgnoresCaseAndTrailingSlash", `[Area Path] UNDER 'fabrikam\web\'`, nil, []int{1, 2, 3}},
		{"NotUnder", `[Area Path] NOT UNDER 'Fabrikam\Web'`, nil, []int{4, 5, 6}},
		{"ContainsSubstringIgnoringCase", "[Title] CONTAINS 'RESET'", nil, []int{3}},
		{"NotContains", "[Title] NOT CONTAINS 'A'", nil, []int{2}},
		{"ContainsOnTagsMatchesWholeTag", "[Tags] CONTAINS 'q1'", nil, []int{1, 2}},
		{"ContainsOnTagsNoPartialTag", "[Tags] CONTAINS 'q'", nil, nil},
		{"ContainsWordsWholeWord", "[Title] CONTAINS WORDS 'template'", nil, []int{4}},
		{"ContainsWordsPhrase", "[Title] CONTAINS WORDS 'reset flow'", nil, []int{3}},
		{"ContainsWordsNotPartial", "[Title] CONTAINS WORDS 'temp'", nil, nil},
		{"NotContainsWords", "[Title] NOT CONTAINS WORDS 'on'", nil, []int{1, 2, 3, 4, 6}},
		{"EverMatchesRevision", "[State] EVER 'Resolved'", nil, []int{4}},
		{"EverMatchesCurrentOrRevision", "[State] EVER 'new'", nil, []int{2, 3}},
		{"NotEver", "[State] NOT EVER 'New'", nil, []int{1, 4, 5, 6}},
		{"InGroupRequirement", "[Work Item Type] IN GROUP 'Microsoft.RequirementCategory'", nil, []int{3}},
		{"NotInGroupTask", "[Work Item Type] NOT IN GROUP 'microsoft.taskcategory'", nil, []int{1, 2, 3, 5}},
		{"InGroupFromEnv", "[Work Item Type] IN GROUP 'Custom.Work'", func(e *wiql.Env) {
			e.Categories = map[string][]string{"Custom.Work": {"Bug", "Epic"}}
		}, []int{1, 5}},
		{"MacroProject", "[System.TeamProject] = @project", nil, []int{1, 2, 3, 4, 5}},
		{"MacroMe", "[Assigned To] = @me", nil, []int{1, 3}},
		{"IdentityByUPN", "[Assigned To] = 'JAMAL@fabrikam.example'", nil, []int{1, 3}},
		{"IdentityByDisplayName", "[Assigned To] = 'jamal hartnett'", nil, []int{1, 3}},
		{"IdentityByWholeString", "[Assigned To] = 'Christie Church <christie@fabrikam.example>'", nil, []int{2, 4}},
		{"IdentityMeByUPNOnly", "[Assigned To] = @me", func(e *wiql.Env) { e.Me = "Someone Else <christie@fabrikam.example>" }, []int{2, 4}},
		{"IdentityNotEqual", "[Assigned To] <> @me", nil, []int{2, 4, 5, 6}},
		{"TodayByDay", "[Changed Date] = @today", nil, []int{1, 5}},
		{"TodayMinusInclusive", "[Changed Date] >= @today - 7", nil, []int{1, 2, 3, 5}},
		{"TodayMinusExclusive", "[Changed Date] < @today - 7", nil, []int{4}},
		{"TodayPlus", "[Changed Date] < @today + 1", nil, []int{1, 2, 3, 4, 5}},
		{"TodayInNowLocation", "[Changed Date] = @today", func(e *wiql.Env) {
			e.Now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.FixedZone("UTC-10", -10*3600))
		}, []int{1}},
		{"StartOfWeekIsSunday", "[Changed Date] >= @startOfWeek", nil, []int{1, 2, 5}},
		{"StartOfMonth", "[Changed Date] >= @startOfMonth", nil, []int{1, 2, 3, 5}},
		{"StartOfMonthMinusOne", "[Changed Date] >= @startOfMonth - 1", nil, []int{1, 2, 3, 4, 5}},
		{"StartOfYear", "[Changed Date] < @startOfYear + 1", nil, []int{1, 2, 3, 4, 5}},
		{"StartOfDay", "[Changed Date] >= @startOfDay", nil, []int{1, 5}},
		{"DateLiteralISO", "[Changed Date] >= '2026-03-09'", nil, []int{1, 2, 5}},
		{"DateLiteralUS", "[Changed Date] >= '3/9/2026'", nil, []int{1, 2, 5}},
		{"DateLiteralWithTime", "[Changed Date] > '2026-03-10T02:00:00Z'", nil, []int{1}},
		{"DateEqualsDay", "[Changed Date] = '2026-03-03'", nil, []int{3}},
		{"CurrentIteration", "[Iteration Path] = @currentIteration", nil, []int{1}},
		{"UnderCurrentIteration", "[Iteration Path] UNDER @currentIteration('[Fabrikam]\\Team')", nil, []int{1, 2}},
		{"FieldToField", "[Priority] < [Story Points]", nil, []int{3}},
		{"FieldToFieldEqualUnsetBoth", "[Story Points] = [Remaining Work]", nil, []int{1, 2, 5, 6}},
		{"BoolTrue", "[Custom.Blocked] = true", nil, []int{5}},
		{"BoolAsText", "[Custom.Blocked] = 'True'", nil, []int{5}},
		{"BoolNotFalse", "[Custom.Blocked] <> false", nil, []int{1, 2, 3, 4, 5, 6}},
		{"AndOrNotParens", "[State] = 'Active' AND NOT ([Work Item Type] = 'Task' OR [Work Item Type] = 'Bug')", nil, []int{1, 2}},
		{"OrOfAnds", "([Priority] = 1 AND [State] = 'Active') OR [Story Points] = 5", nil, []int{1, 3, 5}},
		{"NoWhere", "", nil, []int{1, 2, 3, 4, 5, 6}},
		{"OrderByTitle", "[Priority] > 0 ORDER BY [Title]", nil, []int{5, 2, 3, 1}},
		{"OrderByPriorityDescThenId", "[Priority] > 0 ORDER BY [Priority] DESC", nil, []int{2, 3, 1, 5}},
		{"OrderByUnsetFirst", "[System.TeamProject] = 'Fabrikam' ORDER BY [Story Points], [ID] DESC", nil, []int{5, 4, 2, 1, 3}},
		{"OrderByDate", "[Priority] > 0 ORDER BY [Changed Date] DESC", nil, []int{1, 5, 2, 3}},
		{"OrderByIdDesc", "ORDER BY [System.Id] DESC", nil, []int{6, 5, 4, 3, 2, 1}},
		{"TopAfterSorting", "ORDER BY [System.Id] DESC", func(e *wiql.Env) { e.Top = 2 }, []int{6, 5}},
		{"TopWithinLimitLiftsMaxRows", "", func(e *wiql.Env) { e.Top = 2; e.MaxRows = 3 }, []int{1, 2}},
		{"MaxRowsExactlyReached", "", func(e *wiql.Env) { e.MaxRows = 6 }, []int{1, 2, 3, 4, 5, 6}},
	}
	ds := fixture()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := fixtureEnv()
			if tt.env != nil {
				tt.env(&env)
			}
			src := "SELECT [System.Id], [System.Title] FROM WorkItems"
			if tt.where != "" && !strings.HasPrefix(tt.where, "ORDER") {
				src += " WHERE"
			}
			src += " " + tt.where
			r, err := run(t, src, ds, env)
			if err != nil {
				t.Fatalf("Execute(%q): %v", src, err)
			}
			if r.QueryType != "flat" || r.ResultType != "workItem" || r.Relations != nil {
				t.Errorf("QueryType, ResultType, Relations = %q, %q, %v; want flat, workItem, nil", r.QueryType, r.ResultType, r.Relations)
			}
			if len(r.WorkItems) != len(tt.want) || (len(tt.want) > 0 && !reflect.DeepEqual(r.WorkItems, tt.want)) {
				t.Errorf("%s\n got %v\nwant %v", src, r.WorkItems, tt.want)
			}
		})
	}
}

func TestExecuteResultColumns(t *testing.T) {
	t.Parallel()
	r, err := run(t, "SELECT [ID], [Title] FROM WorkItems ORDER BY [Priority] DESC", fixture(), fixtureEnv())
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if want := []string{"System.Id", "System.Title"}; !reflect.DeepEqual(r.Fields, want) {
		t.Errorf("Fields = %v, want %v", r.Fields, want)
	}
	if want := []wiql.OrderTerm{{Field: "Microsoft.VSTS.Common.Priority", Descending: true}}; !reflect.DeepEqual(r.Sort, want) {
		t.Errorf("Sort = %v, want %v", r.Sort, want)
	}
}

func TestExecuteLinks(t *testing.T) {
	t.Parallel()
	type rel = wiql.Relation
	tests := []struct {
		name string
		src  string
		env  func(*wiql.Env)
		ds   func(*wiql.Dataset)
		want []rel
	}{
		{"TreeFromEpic",
			"SELECT [System.Id] FROM WorkItemLinks WHERE ([Source].[System.WorkItemType] = 'Epic') AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward') AND ([Target].[System.WorkItemType] <> '') MODE (Recursive)",
			nil, nil,
			[]rel{{Target: 1}, {forward, 1, 2}, {forward, 2, 3}, {forward, 3, 4}}},
		{"TreeTargetFilterPrunes",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'Child' AND [Target].[System.WorkItemType] <> 'User Story' MODE (Recursive)",
			nil, nil,
			[]rel{{Target: 1}, {forward, 1, 2}}},
		{"TreeRootsAreUncoveredMatches",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.State] = 'Active' MODE (Recursive)",
			nil, nil,
			[]rel{{Target: 1}, {forward, 1, 2}, {forward, 2, 3}, {forward, 3, 4}, {Target: 5}, {Target: 6}}},
		{"TreeTopLevelFirstStopsAtNonMatchingItem",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.WorkItemType] = 'Task' MODE (Recursive)",
			nil, nil,
			[]rel{{Target: 1}}},
		{"TreeLinkedFirstShowsPathThroughNonMatchingItems",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.WorkItemType] = 'Task' MODE (Recursive, ReturnMatchingChildren)",
			nil, nil,
			[]rel{{Target: 1}, {forward, 1, 2}, {forward, 2, 3}, {forward, 3, 4}}},
		{"TreeLinkedFirstStopsBelowLastMatch",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.WorkItemType] = 'Feature' MODE (Recursive, ReturnMatchingChildren)",
			nil, nil,
			[]rel{{Target: 1}, {forward, 1, 2}}},
		{"TreeLinkedFirstDropsTopLevelWithoutMatch",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] IN ('Epic', 'Bug') AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.AssignedTo] = 'Christie Church' MODE (Recursive, ReturnMatchingChildren)",
			nil, nil,
			[]rel{{Target: 1}, {forward, 1, 2}, {forward, 2, 3}, {forward, 3, 4}}},
		{"TreeLinkedFirstNothingMatches",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [Target].[System.State] = 'Removed' MODE (Recursive, ReturnMatchingChildren)",
			nil, nil,
			[]rel{}},
		{"TreeLinkedFirstCycleTerminates",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' AND [Target].[System.WorkItemType] = 'Task' MODE (Recursive, ReturnMatchingChildren)",
			nil,
			func(ds *wiql.Dataset) { ds.Links = append(ds.Links, wiql.Link{Type: forward, Source: 4, Target: 1}) },
			[]rel{{Target: 1}, {forward, 1, 2}, {forward, 2, 3}, {forward, 3, 4}}},
		{"TreeChildrenOrdered",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 1 ORDER BY [System.Title] MODE (Recursive)",
			nil,
			func(ds *wiql.Dataset) {
				ds.Links = append(ds.Links, wiql.Link{Type: forward, Source: 1, Target: 5}, wiql.Link{Type: forward, Source: 1, Target: 6})
			},
			[]rel{{Target: 1}, {forward, 1, 5}, {forward, 1, 2}, {forward, 2, 3}, {forward, 3, 4}, {forward, 1, 6}}},
		{"TreeCycleTerminates",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.TeamProject] = @project MODE (Recursive)",
			nil,
			func(ds *wiql.Dataset) { ds.Links = append(ds.Links, wiql.Link{Type: forward, Source: 4, Target: 1}) },
			[]rel{{Target: 1}, {forward, 1, 2}, {forward, 2, 3}, {forward, 3, 4}, {Target: 5}}},
		{"TreeSelfLoopTerminates",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 6 MODE (Recursive)",
			nil,
			func(ds *wiql.Dataset) { ds.Links = append(ds.Links, wiql.Link{Type: forward, Source: 6, Target: 6}) },
			[]rel{{Target: 6}}},
		{"TreeReverseLinksGivenAreUsed",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 6 MODE (Recursive)",
			nil,
			func(ds *wiql.Dataset) { ds.Links = append(ds.Links, wiql.Link{Type: reverse, Source: 5, Target: 6}) },
			[]rel{{Target: 6}, {forward, 6, 5}}},
		{"TreeDuplicateLinksOnce",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 3 MODE (Recursive)",
			nil,
			func(ds *wiql.Dataset) {
				ds.Links = append(ds.Links, wiql.Link{Type: forward, Source: 3, Target: 4}, wiql.Link{Type: reverse, Source: 4, Target: 3})
			},
			[]rel{{Target: 3}, {forward, 3, 4}}},
		{"TreeTop",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] = 'Epic' MODE (Recursive)",
			func(e *wiql.Env) { e.Top = 2 }, nil,
			[]rel{{Target: 1}, {forward, 1, 2}}},
		{"OneHopAllLinkTypes",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 3",
			nil, nil,
			[]rel{{Target: 3}, {reverse, 3, 2}, {forward, 3, 4}, {related, 3, 5}}},
		{"OneHopRelatedBothWays",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [System.Links.LinkType] = 'Related' MODE (MustContain)",
			nil, nil,
			[]rel{{Target: 3}, {related, 3, 5}, {Target: 5}, {related, 5, 3}}},
		{"OneHopTargetFilter",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [System.Links.LinkType] IN ('System.LinkTypes.Hierarchy-Forward') AND [Target].[System.State] = 'New'",
			nil, nil,
			[]rel{{Target: 2}, {forward, 2, 3}}},
		{"OneHopLinkTypeNotEqual",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 3 AND [System.Links.LinkType] <> 'System.LinkTypes.Related'",
			nil, nil,
			[]rel{{Target: 3}, {reverse, 3, 2}, {forward, 3, 4}}},
		{"OneHopMayContain",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] IN ('Feature', 'Task') AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' MODE (MayContain)",
			nil, nil,
			[]rel{{Target: 2}, {forward, 2, 3}, {Target: 4}, {Target: 6}}},
		{"OneHopDoesNotContain",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.WorkItemType] IN ('Feature', 'Task') AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' MODE (DoesNotContain)",
			nil, nil,
			[]rel{{Target: 4}, {Target: 6}}},
		{"OneHopSourceTargetCompare",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Source].[Priority] = [Target].[Priority]",
			nil, nil,
			[]rel{{Target: 2}, {forward, 2, 3}}},
		{"OneHopOrderedTargets",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 3 ORDER BY [System.Title] DESC",
			nil, nil,
			[]rel{{Target: 3}, {forward, 3, 4}, {reverse, 3, 2}, {related, 3, 5}}},
		{"OneHopLinksToUnknownItemsIgnored",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 6",
			nil,
			func(ds *wiql.Dataset) { ds.Links = append(ds.Links, wiql.Link{Type: forward, Source: 6, Target: 99}) },
			[]rel{}},
		{"OneHopNoMatches",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 42",
			nil, nil,
			[]rel{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds := fixture()
			if tt.ds != nil {
				tt.ds(ds)
			}
			env := fixtureEnv()
			if tt.env != nil {
				tt.env(&env)
			}
			r, err := run(t, tt.src, ds, env)
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if r.ResultType != "workItemLink" || r.WorkItems != nil {
				t.Errorf("ResultType, WorkItems = %q, %v; want workItemLink, nil", r.ResultType, r.WorkItems)
			}
			if !reflect.DeepEqual(r.Relations, tt.want) {
				t.Errorf("Relations\n got %v\nwant %v", r.Relations, tt.want)
			}
		})
	}
}

func TestExecuteErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		env  func(*wiql.Env)
		code string
		msg  string
	}{
		{"ErrTooManyFlat", "SELECT [System.Id] FROM WorkItems", func(e *wiql.Env) { e.MaxRows = 5 }, wiql.CodeTooManyResults,
			"VS402337: The number of work items returned exceeds the size limit of 5. Change the query to return fewer items."},
		{"ErrTooManyTopAboveLimit", "SELECT [System.Id] FROM WorkItems", func(e *wiql.Env) { e.MaxRows = 5; e.Top = 6 }, wiql.CodeTooManyResults, "size limit of 5"},
		{"ErrTooManyLinks", "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 1 MODE (Recursive)", func(e *wiql.Env) { e.MaxRows = 3 }, wiql.CodeTooManyResults, "size limit of 3"},
		{"ErrUnknownCategory", "SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] IN GROUP 'Microsoft.NopeCategory'", nil, wiql.CodeInvalidValue, "«Microsoft.NopeCategory» at line 1, position 72"},
		{"ErrProjectUnset", "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project", func(e *wiql.Env) { e.Project = "" }, wiql.CodeInvalidValue, "the project is not set"},
		{"ErrMeUnset", "SELECT [System.Id] FROM WorkItems WHERE [System.AssignedTo] = @me", func(e *wiql.Env) { e.Me = "" }, wiql.CodeInvalidValue, "the current user is not set"},
		{"ErrIterationUnset", "SELECT [System.Id] FROM WorkItems WHERE [System.IterationPath] = @currentIteration", func(e *wiql.Env) { e.CurrentIteration = "" }, wiql.CodeInvalidValue, "the current iteration is not set"},
		{"ErrNowUnset", "SELECT [System.Id] FROM WorkItems WHERE [System.ChangedDate] = @today", func(e *wiql.Env) { e.Now = time.Time{} }, wiql.CodeInvalidValue, "the current time is not set"},
		{"ErrNegativeTop", "SELECT [System.Id] FROM WorkItems", func(e *wiql.Env) { e.Top = -1 }, wiql.CodeInvalidValue, "$top must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := fixtureEnv()
			if tt.env != nil {
				tt.env(&env)
			}
			r, err := run(t, tt.src, fixture(), env)
			var e *wiql.Error
			if !errors.As(err, &e) {
				t.Fatalf("Execute = %v, %v; want *wiql.Error", r, err)
			}
			if e.Code != tt.code || !strings.Contains(e.Message, tt.msg) || !strings.HasPrefix(e.Message, tt.code) {
				t.Errorf("error %s %q, want %s containing %q", e.Code, e.Message, tt.code, tt.msg)
			}
		})
	}
}

func TestExecuteDefaultMaxRows(t *testing.T) {
	t.Parallel()
	ds := &wiql.Dataset{}
	for i := 1; i <= wiql.DefaultMaxRows+1; i++ {
		ds.Items = append(ds.Items, &wiql.Item{ID: i, Fields: map[string]any{}})
	}
	q, err := wiql.Parse("SELECT [System.Id] FROM WorkItems")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	_, err = wiql.Execute(q, ds, wiql.Env{})
	var e *wiql.Error
	if !errors.As(err, &e) || e.Code != wiql.CodeTooManyResults || !strings.Contains(e.Message, "size limit of 20000") {
		t.Fatalf("Execute over %d items = %v, want VS402337 with limit 20000", len(ds.Items), err)
	}
	r, err := wiql.Execute(q, ds, wiql.Env{Top: 200})
	if err != nil || len(r.WorkItems) != 200 || r.WorkItems[199] != 200 {
		t.Fatalf("Execute with $top 200 = %v, %v; want ids 1..200", r, err)
	}
}

func TestExecuteNilInputs(t *testing.T) {
	t.Parallel()
	if _, err := wiql.Execute(nil, nil, wiql.Env{}); err == nil {
		t.Errorf("Execute(nil query) = nil error, want an error")
	}
	q, err := wiql.Parse("SELECT [System.Id] FROM WorkItemLinks MODE (Recursive)")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	r, err := wiql.Execute(q, &wiql.Dataset{Items: []*wiql.Item{nil, {ID: 1}}, Links: []wiql.Link{{Type: forward, Source: 1, Target: 1}}}, wiql.Env{})
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if want := []wiql.Relation{{Target: 1}}; !reflect.DeepEqual(r.Relations, want) {
		t.Errorf("Relations = %v, want %v", r.Relations, want)
	}
}
