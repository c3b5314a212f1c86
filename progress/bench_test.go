package progress_test

import (
	"fmt"
	"testing"

	"github.com/cairn-okr/cairn/progress"
)

// benchItems builds n items shaped like a real backlog: features holding stories
// holding tasks, with a spread of state categories and story points.
func benchItems(n int) []progress.WorkItem {
	cats := []progress.StateCategory{progress.Proposed, progress.InProgress, progress.Resolved, progress.Completed, progress.Completed, progress.Removed}
	items := make([]progress.WorkItem, 0, n)
	var feature, story int
	for id := 1; id <= n; id++ {
		it := progress.WorkItem{ID: id, Category: cats[id%len(cats)], Title: fmt.Sprint("item ", id)}
		switch {
		case id%50 == 1:
			it.Type, feature = "Feature", id
		case id%5 == 2:
			it.Type, it.ParentID, story = "User Story", feature, id
			it.Fields = map[string]float64{progress.FieldStoryPoints: float64(id % 8)}
		default:
			it.Type, it.ParentID = "Task", story
			it.Fields = map[string]float64{progress.FieldRemainingWork: float64(id % 6)}
		}
		items = append(items, it)
	}
	return items
}

func BenchmarkEvaluate(b *testing.B) {
	items := benchItems(10000)
	rules := map[string]progress.Rule{
		"StoryPoints":   {ProgressType: "User Story", Kind: progress.Percentage, Measure: progress.FieldStoryPoints},
		"AllCount":      {ProgressType: "*", Kind: progress.Tasks},
		"TaskRemaining": {ProgressType: "Task", Kind: progress.Number, Measure: progress.FieldRemainingWork},
	}
	for name, r := range rules {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := progress.Evaluate(items, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
