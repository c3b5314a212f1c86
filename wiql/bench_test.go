package wiql_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/wiql"
)

// hierarchy builds 10 epics, 10 features each, 10 stories per feature and
// 9 tasks per story: 10,110 items linked parent to child.
func hierarchy() *wiql.Dataset {
	ds := &wiql.Dataset{}
	id := 0
	add := func(typ, state string, parent int) int {
		id++
		ds.Items = append(ds.Items, &wiql.Item{ID: id, Fields: map[string]any{
			"System.Id":                      id,
			"System.TeamProject":             "Fabrikam",
			"System.WorkItemType":            typ,
			"System.State":                   state,
			"System.Title":                   fmt.Sprintf("%s %d", typ, id),
			"System.AreaPath":                fmt.Sprintf(`Fabrikam\Team %d`, id%7),
			"System.ChangedDate":             time.Date(2026, 3, 1+id%28, 0, 0, 0, 0, time.UTC),
			"Microsoft.VSTS.Common.Priority": id%4 + 1,
		}})
		if parent != 0 {
			ds.Links = append(ds.Links, wiql.Link{Type: "System.LinkTypes.Hierarchy-Forward", Source: parent, Target: id})
		}
		return id
	}
	states := []string{"New", "Active", "Resolved", "Closed"}
	for e := 0; e < 10; e++ {
		epic := add("Epic", "Active", 0)
		for f := 0; f < 10; f++ {
			feature := add("Feature", "Active", epic)
			for s := 0; s < 10; s++ {
				story := add("User Story", states[s%4], feature)
				for t := 0; t < 9; t++ {
					add("Task", states[t%4], story)
				}
			}
		}
	}
	return ds
}

func benchEnv() wiql.Env {
	return wiql.Env{Project: "Fabrikam", Me: "A <a@b.c>", Now: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)}
}

func BenchmarkParse(b *testing.B) {
	src := seedQueries[3]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wiql.Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecuteTreeRecursive10k(b *testing.B) {
	ds := hierarchy()
	q, err := wiql.Parse("SELECT [System.Id], [System.Title] FROM WorkItemLinks WHERE ([Source].[System.TeamProject] = @project AND [Source].[System.WorkItemType] = 'Epic') AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward') AND ([Target].[System.TeamProject] = @project AND [Target].[System.State] <> 'Removed') MODE (Recursive)")
	if err != nil {
		b.Fatal(err)
	}
	env := benchEnv()
	r, err := wiql.Execute(q, ds, env)
	if err != nil || len(r.Relations) != len(ds.Items) {
		b.Fatalf("Execute = %d rows, %v; want %d", len(r.Relations), err, len(ds.Items))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := wiql.Execute(q, ds, env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecuteFlat10k(b *testing.B) {
	ds := hierarchy()
	q, err := wiql.Parse("SELECT [System.Id], [System.Title] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.WorkItemType] IN ('Task', 'User Story') AND [System.State] <> 'Closed' AND [System.AreaPath] UNDER 'Fabrikam' AND [System.ChangedDate] >= @today - 30 ORDER BY [Microsoft.VSTS.Common.Priority] DESC, [System.ChangedDate]")
	if err != nil {
		b.Fatal(err)
	}
	env := benchEnv()
	r, err := wiql.Execute(q, ds, env)
	if err != nil || len(r.WorkItems) < 5000 {
		b.Fatalf("Execute = %d ids, %v; want over 5000", len(r.WorkItems), err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := wiql.Execute(q, ds, env); err != nil {
			b.Fatal(err)
		}
	}
}
