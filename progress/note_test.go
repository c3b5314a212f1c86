package progress_test

import (
	"testing"

	"github.com/cairn-okr/cairn/progress"
)

func TestNote(t *testing.T) {
	t.Parallel()
	stories := progress.Rule{ProgressType: "User Story", Kind: progress.Percentage}
	points := progress.Rule{ProgressType: "User Story", Kind: progress.Percentage, Measure: progress.FieldStoryPoints}
	res := func(measured, complete int, cm, tm float64) progress.Result {
		return progress.Result{MeasuredCount: measured, CompleteCount: complete, CompleteMeasure: cm, TotalMeasure: tm}
	}
	tests := []struct {
		name  string
		prev  *progress.Result
		cur   progress.Result
		rule  progress.Rule
		label string
		want  string
	}{
		{"FirstSyncNoDelta", nil, res(40, 18, 18, 40), stories, "User Story", "18 of 40 User Stories complete"},
		{"DeltaSinceLastSync", &progress.Result{CompleteMeasure: 15, TotalMeasure: 40}, res(40, 18, 18, 40), stories, "User Story",
			"18 of 40 User Stories complete (+3 since last sync)"},
		{"NegativeDelta", &progress.Result{CompleteMeasure: 20, TotalMeasure: 40}, res(41, 18, 18, 41), stories, "User Story",
			"18 of 41 User Stories complete (-2 since last sync)"},
		{"UnchangedCompleteNoDelta", &progress.Result{CompleteMeasure: 18, TotalMeasure: 40}, res(41, 18, 18, 41), stories, "User Story",
			"18 of 41 User Stories complete"},
		{"StoryPoints", &progress.Result{CompleteMeasure: 29, TotalMeasure: 80}, res(20, 8, 34, 80), points, "User Story",
			"34 of 80 story points complete (+5 since last sync)"},
		{"FractionalMeasure", nil, res(3, 1, 2.5, 7.25), points, "", "2.5 of 7.25 story points complete"},
		{"SingularTotal", nil, res(1, 0, 0, 1), stories, "User Story", "0 of 1 User Story complete"},
		{"SingularPoint", nil, res(1, 1, 1, 1), points, "", "1 of 1 story point complete"},
		{"AllIsWorkItems", nil, res(12, 5, 5, 12), progress.Rule{ProgressType: "*", Kind: progress.Tasks}, "", "5 of 12 work items complete"},
		{"LabelFallsBackToType", nil, res(4, 1, 1, 4), progress.Rule{ProgressType: "Bug", Kind: progress.Number}, "", "1 of 4 Bugs complete"},
		{"PluralProductBacklogItem", nil, res(4, 1, 1, 4), progress.Rule{ProgressType: "Product Backlog Item", Kind: progress.Number}, "",
			"1 of 4 Product Backlog Items complete"},
		{"PluralEndingInS", nil, res(2, 1, 1, 2), progress.Rule{ProgressType: "Test Pass", Kind: progress.Number}, "", "1 of 2 Test Passes complete"},
		{"PluralVowelY", nil, res(2, 1, 1, 2), progress.Rule{ProgressType: "Key", Kind: progress.Number}, "", "1 of 2 Keys complete"},
		{"CountTotal", &progress.Result{TotalMeasure: 38}, res(40, 18, 18, 40),
			progress.Rule{ProgressType: "User Story", Kind: progress.Number, CountTotal: true}, "User Story", "40 User Stories in total (+2 since last sync)"},
		{"RemainingWork", &progress.Result{TotalMeasure: 128}, res(14, 3, 10, 120),
			progress.Rule{ProgressType: "Task", Kind: progress.Number, Measure: progress.FieldRemainingWork}, "Task",
			"120 hours of remaining work on 14 Tasks (-8 since last sync)"},
		{"Effort", nil, res(3, 1, 5, 13),
			progress.Rule{ProgressType: "Product Backlog Item", Kind: progress.Percentage, Measure: progress.FieldEffort}, "", "5 of 13 effort points complete"},
		{"OriginalEstimateTotal", nil, res(3, 1, 5, 24),
			progress.Rule{ProgressType: "Task", Kind: progress.Number, Measure: progress.FieldOriginalEstimate, CountTotal: true}, "", "24 estimated hours in total"},
		{"CompletedWork", nil, res(3, 1, 1, 6),
			progress.Rule{ProgressType: "Task", Kind: progress.Number, Measure: progress.FieldCompletedWork}, "", "1 of 6 hours of completed work complete"},
		{"CustomField", nil, res(3, 2, 1500, 2000),
			progress.Rule{ProgressType: "Deal", Kind: progress.Currency, Measure: "Custom.Revenue"}, "", "1500 of 2000 Revenue complete"},
		{"NothingMatched", &progress.Result{CompleteMeasure: 3, TotalMeasure: 5}, progress.Result{Warning: progress.WarningNoItems}, stories, "User Story",
			"No User Stories matched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := progress.Note(tt.prev, tt.cur, tt.rule, tt.label); got != tt.want {
				t.Errorf("Note() = %q, want %q", got, tt.want)
			}
		})
	}
}
