package wiql_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/wiql"
)

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string // canonical rendering
	}{
		{"FlatMinimal", "SELECT [System.Id] FROM WorkItems",
			"SELECT [System.Id] FROM WorkItems"},
		{"KeywordsAnyCase", "select [System.Id] from workitems where [System.State] = 'Active' order by [System.Id] desc",
			"SELECT [System.Id] FROM WorkItems WHERE [System.State] = 'Active' ORDER BY [System.Id] DESC"},
		{"BareFieldNames", "SELECT System.Id, System.Title FROM WorkItems WHERE System.Id > 5",
			"SELECT [System.Id], [System.Title] FROM WorkItems WHERE [System.Id] > 5"},
		{"FriendlyNamesMapped", "SELECT [ID], [Title], [State], [Work Item Type], [Assigned To], [Area Path], [Iteration Path], [Tags], [Story Points], [Remaining Work] FROM WorkItems",
			"SELECT [System.Id], [System.Title], [System.State], [System.WorkItemType], [System.AssignedTo], [System.AreaPath], [System.IterationPath], [System.Tags], [Microsoft.VSTS.Scheduling.StoryPoints], [Microsoft.VSTS.Scheduling.RemainingWork] FROM WorkItems"},
		{"CustomFieldKept", "SELECT [Custom.Team Name] FROM WorkItems",
			"SELECT [Custom.Team Name] FROM WorkItems"},
		{"EscapedAndDoubleQuotes", `SELECT [System.Id] FROM WorkItems WHERE [System.Title] = 'it''s' OR [System.Title] = "say ""x"""`,
			`SELECT [System.Id] FROM WorkItems WHERE ([System.Title] = 'it''s' OR [System.Title] = 'say "x"')`},
		{"AllOperators", `SELECT [System.Id] FROM WorkItems WHERE [a] = 1 AND [a] <> 2 AND [a] != 2 AND [a] < 3 AND [a] <= 3 AND [a] > 0 AND [a] >= -1.5 AND [b] IN ('x', 'y') AND [b] NOT IN ('z') AND [System.AreaPath] UNDER 'P\A' AND [System.AreaPath] NOT UNDER 'P\B' AND [c] CONTAINS 'q' AND [c] NOT CONTAINS 'r' AND [c] CONTAINS WORDS 's t' AND [c] NOT CONTAINS WORDS 'u' AND [System.State] EVER 'Done' AND [System.State] NOT EVER 'Removed' AND [System.WorkItemType] IN GROUP 'Microsoft.TaskCategory' AND [System.WorkItemType] NOT IN GROUP 'Microsoft.BugCategory'`,
			`SELECT [System.Id] FROM WorkItems WHERE ([a] = 1 AND [a] <> 2 AND [a] <> 2 AND [a] < 3 AND [a] <= 3 AND [a] > 0 AND [a] >= -1.5 AND [b] IN ('x', 'y') AND [b] NOT IN ('z') AND [System.AreaPath] UNDER 'P\A' AND [System.AreaPath] NOT UNDER 'P\B' AND [c] CONTAINS 'q' AND [c] NOT CONTAINS 'r' AND [c] CONTAINS WORDS 's t' AND [c] NOT CONTAINS WORDS 'u' AND [System.State] EVER 'Done' AND [System.State] NOT EVER 'Removed' AND [System.WorkItemType] IN GROUP 'Microsoft.TaskCategory' AND [System.WorkItemType] NOT IN GROUP 'Microsoft.BugCategory')`},
		{"PrecedenceAndBeforeOr", "SELECT [System.Id] FROM WorkItems WHERE [a] = 1 OR [b] = 2 AND [c] = 3",
			"SELECT [System.Id] FROM WorkItems WHERE ([a] = 1 OR ([b] = 2 AND [c] = 3))"},
		{"ParenthesesAndNot", "SELECT [System.Id] FROM WorkItems WHERE NOT ([a] = 1 OR [b] = 2) AND NOT [c] = 3",
			"SELECT [System.Id] FROM WorkItems WHERE (NOT (([a] = 1 OR [b] = 2)) AND NOT ([c] = 3))"},
		{"Macros", "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @Project AND [System.AssignedTo] = @me AND [System.ChangedDate] >= @today - 7 AND [System.CreatedDate] < @Today+1 AND [System.IterationPath] UNDER @currentIteration('[P]\\Team') AND [d] >= @startOfWeek AND [d] >= @StartOfMonth - 1 AND [d] >= @startOfYear AND [d] >= @startOfDay",
			"SELECT [System.Id] FROM WorkItems WHERE ([System.TeamProject] = @project AND [System.AssignedTo] = @me AND [System.ChangedDate] >= @today - 7 AND [System.CreatedDate] < @today + 1 AND [System.IterationPath] UNDER @currentIteration('[P]\\Team') AND [d] >= @startOfWeek AND [d] >= @startOfMonth - 1 AND [d] >= @startOfYear AND [d] >= @startOfDay)"},
		{"FieldToField", "SELECT [System.Id] FROM WorkItems WHERE [System.ChangedBy] = [System.AssignedTo] AND [a] > b",
			"SELECT [System.Id] FROM WorkItems WHERE ([System.ChangedBy] = [System.AssignedTo] AND [a] > [b])"},
		{"Booleans", "SELECT [System.Id] FROM WorkItems WHERE [Custom.Blocked] = true AND [Custom.Done] <> FALSE",
			"SELECT [System.Id] FROM WorkItems WHERE ([Custom.Blocked] = true AND [Custom.Done] <> false)"},
		{"OrderByMany", "SELECT [System.Id] FROM WorkItems ORDER BY [Microsoft.VSTS.Common.Priority] asc, [System.CreatedDate] desc, [Title]",
			"SELECT [System.Id] FROM WorkItems ORDER BY [Microsoft.VSTS.Common.Priority], [System.CreatedDate] DESC, [System.Title]"},
		{"AsOfAfterOrderBy", "SELECT [System.Id] FROM WorkItems WHERE [a] = 1 ORDER BY [System.Id] ASOF '2026-01-02T03:04:05Z'",
			"SELECT [System.Id] FROM WorkItems WHERE [a] = 1 ORDER BY [System.Id] ASOF '2026-01-02T03:04:05Z'"},
		{"AsOfUSDate", "SELECT [System.Id] FROM WorkItems ASOF '1/2/2026'",
			"SELECT [System.Id] FROM WorkItems ASOF '2026-01-02T00:00:00Z'"},
		{"LinksDefaultMustContain", "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 1",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 1 MODE (MustContain)"},
		{"LinksRecursive", "SELECT [System.Id] FROM WorkItemLinks WHERE ([Source].[System.WorkItemType] = 'Epic') AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward') AND ([Target].[System.WorkItemType] <> '') ORDER BY [System.Id] MODE (Recursive)",
			"SELECT [System.Id] FROM WorkItemLinks WHERE ([Source].[System.WorkItemType] = 'Epic' AND [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward' AND [Target].[System.WorkItemType] <> '') ORDER BY [System.Id] MODE (Recursive)"},
		{"LinksModeBeforeOrder", "SELECT [System.Id] FROM WorkItemLinks MODE (MayContain) ORDER BY [System.Id]",
			"SELECT [System.Id] FROM WorkItemLinks ORDER BY [System.Id] MODE (MayContain)"},
		{"LinksDoesNotContain", "SELECT [System.Id] FROM WorkItemLinks WHERE Source.System.State = 'Active' mode(DoesNotContain)",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.State] = 'Active' MODE (DoesNotContain)"},
		{"ReturnMatchingChildren", "SELECT [System.Id] FROM WorkItemLinks MODE (Recursive, ReturnMatchingChildren)",
			"SELECT [System.Id] FROM WorkItemLinks MODE (Recursive, ReturnMatchingChildren)"},
		{"FriendlyLinkTypeInRecursive", "SELECT [System.Id] FROM WorkItemLinks WHERE [System.Links.LinkType] = 'Child' MODE (Recursive)",
			"SELECT [System.Id] FROM WorkItemLinks WHERE [System.Links.LinkType] = 'Child' MODE (Recursive)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := wiql.Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
			}
			again, err := wiql.Parse(q.String())
			if err != nil {
				t.Fatalf("Parse(String()): %v", err)
			}
			if again.String() != q.String() {
				t.Errorf("round trip changed the query:\n%s\n%s", q.String(), again.String())
			}
		})
	}
}

func TestParseQueryParts(t *testing.T) {
	t.Parallel()
	q, err := wiql.Parse("SELECT [ID], [Assigned To] FROM WorkItemLinks WHERE [Source].[State] = 'Active' ORDER BY [Priority] DESC, [ID] ASOF '2026-02-03' MODE (Recursive)")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if want := []string{"System.Id", "System.AssignedTo"}; !reflect.DeepEqual(q.Fields, want) {
		t.Errorf("Fields = %v, want %v", q.Fields, want)
	}
	if q.From != wiql.FromWorkItemLinks || q.Mode != wiql.ModeRecursive || q.QueryType() != "tree" {
		t.Errorf("From, Mode, QueryType = %v, %v, %q; want WorkItemLinks, Recursive, tree", q.From, q.Mode, q.QueryType())
	}
	if want := []wiql.OrderTerm{{Field: "Microsoft.VSTS.Common.Priority", Descending: true}, {Field: "System.Id"}}; !reflect.DeepEqual(q.OrderBy, want) {
		t.Errorf("OrderBy = %v, want %v", q.OrderBy, want)
	}
	if q.AsOf == nil || !q.AsOf.Equal(time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("AsOf = %v, want 2026-02-03", q.AsOf)
	}
	c, ok := q.Where.(*wiql.Comparison)
	if !ok {
		t.Fatalf("Where = %T, want *Comparison", q.Where)
	}
	if c.Field != (wiql.FieldRef{Side: wiql.SideSource, Name: "System.State"}) || c.Op != wiql.OpEq || c.Pos != 52 {
		t.Errorf("Where = %+v, want [Source].[System.State] = at 52", c)
	}
}

func TestQueryType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
		mode            wiql.Mode
	}{
		{"Flat", "SELECT [System.Id] FROM WorkItems", "flat", wiql.ModeNone},
		{"TreeRecursive", "SELECT [System.Id] FROM WorkItemLinks MODE (Recursive)", "tree", wiql.ModeRecursive},
		{"OneHopDefault", "SELECT [System.Id] FROM WorkItemLinks", "oneHop", wiql.ModeMustContain},
		{"OneHopMustContain", "SELECT [System.Id] FROM WorkItemLinks MODE (MustContain)", "oneHop", wiql.ModeMustContain},
		{"OneHopMayContain", "SELECT [System.Id] FROM WorkItemLinks MODE (MayContain)", "oneHop", wiql.ModeMayContain},
		{"OneHopDoesNotContain", "SELECT [System.Id] FROM WorkItemLinks MODE (DoesNotContain)", "oneHop", wiql.ModeDoesNotContain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := wiql.Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if q.QueryType() != tt.want || q.Mode != tt.mode {
				t.Errorf("QueryType, Mode = %q, %v; want %q, %v", q.QueryType(), q.Mode, tt.want, tt.mode)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		code  string
		pos   int
		token string
		msg   string // substring of the message
	}{
		{"ErrEmpty", "", wiql.CodeSyntax, 0, "", "Expecting SELECT. The error is caused by the end of the query at line 1, position 1."},
		{"ErrNoSelect", "FROM WorkItems", wiql.CodeSyntax, 0, "FROM", "Expecting SELECT."},
		{"ErrNoFields", "SELECT FROM WorkItems", wiql.CodeSyntax, 7, "FROM", "VS402336: Expecting field name. The error is caused by «FROM» at line 1, position 8."},
		{"ErrMissingFrom", "SELECT [System.Id] WHERE [a] = 1", wiql.CodeSyntax, 19, "WHERE", "Expecting «,» or FROM."},
		{"ErrMissingComma", "SELECT [a] [b] FROM WorkItems", wiql.CodeSyntax, 11, "[b]", "Expecting «,» or FROM."},
		{"ErrUnknownSource", "SELECT [a] FROM Foo", wiql.CodeSyntax, 16, "Foo", "Expecting WorkItems or WorkItemLinks."},
		{"ErrSourceAtEnd", "SELECT [a] FROM", wiql.CodeSyntax, 15, "", "end of the query"},
		{"ErrUnknownOperator", "SELECT [a] FROM WorkItems WHERE [b] LIKE 'x'", wiql.CodeSyntax, 36, "LIKE", "Expecting operator."},
		{"ErrUnknownSymbolOperator", "SELECT [a] FROM WorkItems WHERE [b] == 'x'", wiql.CodeSyntax, 37, "=", "Expecting a value."},
		{"ErrMissingValue", "SELECT [a] FROM WorkItems WHERE [b] =", wiql.CodeSyntax, 37, "", "Expecting a value."},
		{"ErrEmptyWhere", "SELECT [a] FROM WorkItems WHERE", wiql.CodeSyntax, 31, "", "Expecting field name."},
		{"ErrUnclosedParen", "SELECT [a] FROM WorkItems WHERE ([b] = 1", wiql.CodeSyntax, 40, "", "Expecting «)»."},
		{"ErrTrailingJunk", "SELECT [a] FROM WorkItems WHERE [b] = 1 garbage", wiql.CodeSyntax, 40, "garbage", "Expecting end of query."},
		{"ErrDanglingAnd", "SELECT [a] FROM WorkItems WHERE [b] = 1 AND", wiql.CodeSyntax, 43, "", "Expecting field name."},
		{"ErrUnknownMacro", "SELECT [a] FROM WorkItems WHERE [b] = @follows", wiql.CodeUnknownMacro, 38, "@follows", "VS402340: The macro is not supported."},
		{"ErrOffsetOnProject", "SELECT [a] FROM WorkItems WHERE [b] = @project - 1", wiql.CodeInvalidValue, 47, "-", "Only date macros"},
		{"ErrFractionalOffset", "SELECT [a] FROM WorkItems WHERE [b] = @today - 1.5", wiql.CodeInvalidValue, 47, "1.5", "whole number"},
		{"ErrMacroArgument", "SELECT [a] FROM WorkItems WHERE [b] = @today('x')", wiql.CodeSyntax, 44, "(", "takes no argument"},
		{"ErrInWithoutParen", "SELECT [a] FROM WorkItems WHERE [b] IN 'x'", wiql.CodeSyntax, 39, "'x'", "Expecting «(»."},
		{"ErrInListSeparator", "SELECT [a] FROM WorkItems WHERE [b] IN ('x' 'y')", wiql.CodeSyntax, 44, "'y'", "Expecting «,» or «)»."},
		{"ErrInListField", "SELECT [a] FROM WorkItems WHERE [b] IN ([c])", wiql.CodeInvalidQuery, 40, "[c]", "IN lists take values"},
		{"ErrUnterminatedString", "SELECT [a] FROM WorkItems WHERE [b] = 'x", wiql.CodeSyntax, 38, "'x", "Expecting closing quote."},
		{"ErrLineAndPosition", "SELECT [a]\nFROM WorkItems\nWHERE [b] ~ 1", wiql.CodeSyntax, 36, "~", "at line 3, position 11."},
		{"ErrModeInFlat", "SELECT [a] FROM WorkItems MODE (Recursive)", wiql.CodeInvalidQuery, 26, "MODE", "MODE applies only to FROM WorkItemLinks."},
		{"ErrUnknownMode", "SELECT [a] FROM WorkItemLinks MODE (Sideways)", wiql.CodeSyntax, 36, "Sideways", "Expecting Recursive"},
		{"ErrTwoModes", "SELECT [a] FROM WorkItemLinks MODE (Recursive, MayContain)", wiql.CodeSyntax, 47, "MayContain", ""},
		{"ErrReturnMatchingChildrenAlone", "SELECT [a] FROM WorkItemLinks MODE (ReturnMatchingChildren)", wiql.CodeSyntax, 58, ")", ""},
		{"ErrSourcePrefixInFlat", "SELECT [a] FROM WorkItems WHERE [Source].[b] = 1", wiql.CodeInvalidQuery, 32, "[Source].[b]", "need FROM WorkItemLinks"},
		{"ErrLinkTypeInFlat", "SELECT [a] FROM WorkItems WHERE [System.Links.LinkType] = 'x'", wiql.CodeInvalidQuery, 32, "[System.Links.LinkType]", "needs FROM WorkItemLinks"},
		{"ErrRecursiveOverRelated", "SELECT [a] FROM WorkItemLinks WHERE [System.Links.LinkType] = 'System.LinkTypes.Related' MODE (Recursive)", wiql.CodeInvalidQuery, 62, "'System.LinkTypes.Related'", "Hierarchy-Forward"},
		{"ErrLinkTypeOperator", "SELECT [a] FROM WorkItemLinks WHERE [System.Links.LinkType] CONTAINS 'x'", wiql.CodeInvalidQuery, 36, "[System.Links.LinkType]", "takes =, <>, IN or NOT IN"},
		{"ErrInGroupOnState", "SELECT [a] FROM WorkItems WHERE [System.State] IN GROUP 'Microsoft.TaskCategory'", wiql.CodeInvalidQuery, 32, "[System.State]", "IN GROUP applies only"},
		{"ErrPrefixedSelect", "SELECT [Source].[a] FROM WorkItemLinks", wiql.CodeInvalidQuery, 16, "[a]", "Select columns"},
		{"ErrBadAsOf", "SELECT [a] FROM WorkItems ASOF 'yesterday'", wiql.CodeInvalidValue, 31, "'yesterday'", "not a valid date"},
		{"ErrAsOfUnquoted", "SELECT [a] FROM WorkItems ASOF 2026", wiql.CodeSyntax, 31, "2026", "Expecting a date in quotes."},
		{"ErrOrderByNoField", "SELECT [a] FROM WorkItems ORDER BY", wiql.CodeSyntax, 34, "", "Expecting field name."},
		{"ErrOrderWithoutBy", "SELECT [a] FROM WorkItems ORDER [a]", wiql.CodeSyntax, 32, "[a]", "Expecting BY."},
		{"ErrEmptyBrackets", "SELECT [] FROM WorkItems", wiql.CodeSyntax, 7, "[]", "Expecting field name."},
		{"ErrBadPrefix", "SELECT [a] FROM WorkItemLinks WHERE [Other].[b] = 1", wiql.CodeSyntax, 43, ".", "Expecting operator."},
		{"ErrUnderWithField", "SELECT [a] FROM WorkItems WHERE [System.AreaPath] UNDER [b]", wiql.CodeInvalidQuery, 56, "[b]", "needs a value in quotes"},
		{"ErrNestingTooDeep", "SELECT [a] FROM WorkItems WHERE " + strings.Repeat("(", 300) + "[b] = 1" + strings.Repeat(")", 300), wiql.CodeSyntax, 32 + 256, "(", "nested too deeply"},
		{"ErrNumberOutOfRange", "SELECT [a] FROM WorkItems WHERE [b] = 1" + strings.Repeat("0", 400), wiql.CodeInvalidValue, 38, "1" + strings.Repeat("0", 400), "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := wiql.Parse(tt.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.src, q)
			}
			var e *wiql.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want *wiql.Error", err, err)
			}
			if e.Code != tt.code || e.Pos != tt.pos || e.Token != tt.token {
				t.Errorf("error {%s, %d, %q}, want {%s, %d, %q}; message %q", e.Code, e.Pos, e.Token, tt.code, tt.pos, tt.token, e.Message)
			}
			if !strings.HasPrefix(e.Error(), tt.code+": ") || !strings.Contains(e.Error(), tt.msg) {
				t.Errorf("message %q, want code prefix and %q", e.Error(), tt.msg)
			}
		})
	}
}

func TestReferenceName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"ID":                 "System.Id",
		"id":                 "System.Id",
		"State":              "System.State",
		"Work Item Type":     "System.WorkItemType",
		"Assigned To":        "System.AssignedTo",
		"Area Path":          "System.AreaPath",
		"Iteration Path":     "System.IterationPath",
		"Tags":               "System.Tags",
		"Story Points":       "Microsoft.VSTS.Scheduling.StoryPoints",
		"Remaining Work":     "Microsoft.VSTS.Scheduling.RemainingWork",
		"Closed Date":        "Microsoft.VSTS.Common.ClosedDate",
		"system.changeddate": "System.ChangedDate",
		" Title ":            "System.Title",
		"Custom.Thing":       "Custom.Thing",
	}
	for in, want := range tests {
		if got := wiql.ReferenceName(in); got != want {
			t.Errorf("ReferenceName(%q) = %q, want %q", in, got, want)
		}
	}
}
