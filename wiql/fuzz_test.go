package wiql_test

import (
	"errors"
	"testing"

	"github.com/cairn-okr/cairn/wiql"
)

// seedQueries are real and edge-case statements for the fuzz corpus.
var seedQueries = []string{
	"select [System.Id], [System.WorkItemType], [System.Title], [System.AssignedTo], [System.State], [System.Tags], [System.IterationPath], [Microsoft.VSTS.Common.Priority] from WorkItems where [System.TeamProject] = @project and [System.WorkItemType] = 'Product Backlog Item' and [System.State] <> 'Removed'",
	"select [System.Id], [System.Title], [System.State], [System.CreatedBy], [Microsoft.VSTS.Common.Rating] from WorkItems where [System.TeamProject] = @project and [System.WorkItemType] in group 'Microsoft.FeedbackResponseCategory' and [System.State] = 'Active' order by [System.Id]",
	"Select [System.Id], [System.Title], [System.State] From WorkItems Where [System.WorkItemType] = 'Bug' order by [Microsoft.VSTS.Common.Priority] asc, [System.CreatedDate] desc",
	"SELECT [System.Id],[System.WorkItemType],[System.Title],[System.AssignedTo],[System.State],[System.Tags] FROM WorkItemLinks WHERE ([Source].[System.TeamProject] = @project AND [Source].[System.WorkItemType] = 'Product Backlog Item' AND [Source].[System.State] <> 'Removed') AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward') AND ([Target].[System.WorkItemType] = 'Task') mode(Recursive)",
	"SELECT [System.Id] FROM WorkItems WHERE ([System.Id] = 974 OR [System.Id] = 975 OR [System.Id] = 976)",
	"SELECT\n[System.Id],\n[System.WorkItemType]\nFROM workitemLinks\nWHERE\n(\n[Source].[System.TeamProject] = @project\nAND [Source].[System.WorkItemType] <> ''\nAND [Source].[System.State] <> 'Done'\n)\nAND (\n[System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward'\n)\nAND (\n[Target].[System.TeamProject] = @project\n)\nMODE (Recursive)",
	"SELECT [ID] FROM WorkItems WHERE [Changed Date] >= @today - 7 AND [Assigned To] = @me AND [Iteration Path] UNDER @currentIteration ORDER BY [Story Points] DESC ASOF '2026-01-01'",
	"SELECT [ID] FROM WorkItems WHERE NOT ([State] EVER 'Done' OR [Tags] CONTAINS 'x') AND [Title] CONTAINS WORDS 'a b' AND [Priority] IN (1, 2, -3.5) AND [a] = [b]",
	"SELECT [ID] FROM WorkItemLinks WHERE [Source].[State] = 'Active' AND [System.Links.LinkType] <> 'Related' MODE (MayContain)",
	"SELECT [ID] FROM WorkItemLinks WHERE [Source].[Priority] = [Target].[Priority] MODE (DoesNotContain)",
	"SELECT [ID] FROM WorkItems WHERE [d] >= @startOfWeek - 1 AND [d] < @startOfYear + 1 AND [x] = true",
	"SELECT",
	"SELECT [a] FROM WorkItems WHERE (((",
	"SELECT [a] FROM WorkItems WHERE [b] = 'unterminated",
	"",
}

func FuzzParse(f *testing.F) {
	for _, s := range seedQueries {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := wiql.Parse(src)
		if err != nil {
			var e *wiql.Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" || e.Pos < 0 || e.Pos > len(src) {
				t.Fatalf("Parse(%q) error %#v, want *Error with code, message and position in range", src, err)
			}
			return
		}
		// A parsed query renders to text that parses to the same query.
		text := q.String()
		again, err := wiql.Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) ok but Parse(String() = %q): %v", src, text, err)
		}
		if again.String() != text {
			t.Fatalf("round trip of %q changed %q to %q", src, text, again.String())
		}
	})
}

func FuzzExecute(f *testing.F) {
	for _, s := range seedQueries {
		f.Add(s, 0)
		f.Add(s, 2)
	}
	ds := fixture()
	ds.Links = append(ds.Links, wiql.Link{Type: forward, Source: 4, Target: 1}, wiql.Link{Type: forward, Source: 6, Target: 6},
		wiql.Link{Type: "Custom.Odd", Source: 5, Target: 77})
	f.Fuzz(func(t *testing.T, src string, top int) {
		q, err := wiql.Parse(src)
		if err != nil {
			return
		}
		env := fixtureEnv()
		env.Top = top % 8
		env.MaxRows = 9
		r, err := wiql.Execute(q, ds, env)
		if err != nil {
			var e *wiql.Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("Execute(%q) error %#v, want *Error", src, err)
			}
			return
		}
		rows := len(r.WorkItems) + len(r.Relations)
		if env.Top > 0 && rows > env.Top {
			t.Fatalf("Execute(%q) returned %d rows, more than $top %d", src, rows, env.Top)
		}
		if r.QueryType != q.QueryType() {
			t.Fatalf("QueryType %q, want %q", r.QueryType, q.QueryType())
		}
	})
}
