package progress_test

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/progress"
)

const (
	sp = progress.FieldStoryPoints
	rw = progress.FieldRemainingWork
)

func wi(id int, typ string, cat progress.StateCategory, parent int, fields map[string]float64) progress.WorkItem {
	return progress.WorkItem{ID: id, Type: typ, State: string(cat), Category: cat, Title: typ, ParentID: parent, Fields: fields}
}

// backlog is Feature → User Story → Task:
//
//	1 Feature InProgress
//	  10 Story Completed SP5      100 Task Completed RW0
//	  11 Story InProgress SP3     101 Task InProgress RW4
//	  14 Story Proposed (no SP)
//	2 Feature Completed
//	  12 Story Resolved SP8       102 Task Proposed RW6
//	  13 Story Removed SP13       103 Task Completed RW2
func backlog() []progress.WorkItem {
	return []progress.WorkItem{
		wi(1, "Feature", progress.InProgress, 0, nil),
		wi(2, "Feature", progress.Completed, 0, nil),
		wi(10, "User Story", progress.Completed, 1, map[string]float64{sp: 5}),
		wi(11, "User Story", progress.InProgress, 1, map[string]float64{sp: 3}),
		wi(12, "User Story", progress.Resolved, 2, map[string]float64{sp: 8}),
		wi(13, "User Story", progress.Removed, 2, map[string]float64{sp: 13}),
		wi(14, "User Story", progress.Proposed, 1, nil),
		wi(100, "Task", progress.Completed, 10, map[string]float64{rw: 0}),
		wi(101, "Task", progress.InProgress, 11, map[string]float64{rw: 4}),
		wi(102, "Task", progress.Proposed, 12, map[string]float64{rw: 6}),
		wi(103, "Task", progress.Completed, 13, map[string]float64{rw: 2}),
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	story := func(kind progress.MetricKind) progress.Rule {
		return progress.Rule{ProgressType: "User Story", Kind: kind}
	}
	with := func(r progress.Rule, f func(*progress.Rule)) progress.Rule { f(&r); return r }
	tests := []struct {
		name      string
		items     []progress.WorkItem
		rule      progress.Rule
		want      progress.Result // Visible is checked in TestEvaluateVisible
		wantWarn  string          // substring; "" means no warning
		wantError error
	}{
		{"RemovedItemsDropped", backlog(), story(progress.Percentage),
			progress.Result{Value: 25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 1, TotalMeasure: 4}, "", nil},
		{"MeasuredSetByTypeCaseInsensitive", backlog(), progress.Rule{ProgressType: " user STORY", Kind: progress.Percentage},
			progress.Result{Value: 25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 1, TotalMeasure: 4}, "", nil},
		{"MeasuredSetAll", backlog(), progress.Rule{ProgressType: "*", Kind: progress.Percentage},
			progress.Result{Value: 40, ItemCount: 10, MeasuredCount: 10, CompleteCount: 4, CompleteMeasure: 4, TotalMeasure: 10}, "", nil},
		{"CompletedCategoryOnlyByDefault", backlog(), story(progress.Number),
			progress.Result{Value: 1, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 1, TotalMeasure: 4}, "", nil},
		{"ResolvedIsCompleteOption", backlog(), with(story(progress.Percentage), func(r *progress.Rule) { r.ResolvedIsComplete = true }),
			progress.Result{Value: 50, ItemCount: 10, MeasuredCount: 4, CompleteCount: 2, CompleteMeasure: 2, TotalMeasure: 4}, "", nil},
		{"CategoryCaseInsensitive", []progress.WorkItem{wi(1, "Bug", "completed", 0, nil), wi(2, "Bug", "Active", 0, nil)},
			progress.Rule{ProgressType: "Bug", Kind: progress.Percentage},
			progress.Result{Value: 50, ItemCount: 2, MeasuredCount: 2, CompleteCount: 1, CompleteMeasure: 1, TotalMeasure: 2}, "", nil},
		{"CountMeasureExplicit", backlog(), with(story(progress.Percentage), func(r *progress.Rule) { r.Measure = "Count" }),
			progress.Result{Value: 25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 1, TotalMeasure: 4}, "", nil},
		{"FieldMeasureMissingCountsAsZero", backlog(), with(story(progress.Percentage), func(r *progress.Rule) { r.Measure = sp }),
			progress.Result{Value: 31.25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 5, TotalMeasure: 16}, "", nil},
		{"FieldMeasureWithResolved", backlog(), with(story(progress.Percentage), func(r *progress.Rule) { r.Measure = sp; r.ResolvedIsComplete = true }),
			progress.Result{Value: 81.25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 2, CompleteMeasure: 13, TotalMeasure: 16}, "", nil},
		{"FieldNameCaseInsensitive", backlog(), with(story(progress.Percentage), func(r *progress.Rule) { r.Measure = strings.ToLower(sp) }),
			progress.Result{Value: 31.25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 5, TotalMeasure: 16}, "", nil},
		{"TasksKindIsPercentage", backlog(), with(story(progress.Tasks), func(r *progress.Rule) { r.Measure = sp }),
			progress.Result{Value: 31.25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 5, TotalMeasure: 16}, "", nil},
		{"PercentageIgnoresCountTotal", backlog(), with(story(progress.Percentage), func(r *progress.Rule) { r.CountTotal = true }),
			progress.Result{Value: 25, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 1, TotalMeasure: 4}, "", nil},
		{"NumberSumsComplete", backlog(), with(story(progress.Number), func(r *progress.Rule) { r.Measure = sp }),
			progress.Result{Value: 5, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 5, TotalMeasure: 16}, "", nil},
		{"NumberCountTotal", backlog(), with(story(progress.Number), func(r *progress.Rule) { r.CountTotal = true }),
			progress.Result{Value: 4, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 1, TotalMeasure: 4}, "", nil},
		{"CurrencySumsComplete", backlog(), with(story(progress.Currency), func(r *progress.Rule) { r.Measure = sp; r.ResolvedIsComplete = true }),
			progress.Result{Value: 13, ItemCount: 10, MeasuredCount: 4, CompleteCount: 2, CompleteMeasure: 13, TotalMeasure: 16}, "", nil},
		{"CurrencyCountTotalField", backlog(), with(story(progress.Currency), func(r *progress.Rule) { r.Measure = sp; r.CountTotal = true }),
			progress.Result{Value: 16, ItemCount: 10, MeasuredCount: 4, CompleteCount: 1, CompleteMeasure: 5, TotalMeasure: 16}, "", nil},
		{"RemainingWorkSumsWholeSet", backlog(), progress.Rule{ProgressType: "Task", Kind: progress.Number, Measure: rw},
			progress.Result{Value: 12, ItemCount: 10, MeasuredCount: 4, CompleteCount: 2, CompleteMeasure: 2, TotalMeasure: 12}, "", nil},
		{"CustomFieldNegativeValues", []progress.WorkItem{
			wi(1, "Bug", progress.Completed, 0, map[string]float64{"Custom.Delta": -2.5}),
			wi(2, "Bug", progress.Completed, 0, map[string]float64{"Custom.Delta": 4})},
			progress.Rule{ProgressType: "Bug", Kind: progress.Number, Measure: "Custom.Delta"},
			progress.Result{Value: 1.5, ItemCount: 2, MeasuredCount: 2, CompleteCount: 2, CompleteMeasure: 1.5, TotalMeasure: 1.5}, "", nil},
		{"EmptyMeasuredSetWarns", backlog(), progress.Rule{ProgressType: "Epic", Kind: progress.Percentage},
			progress.Result{Value: 0, ItemCount: 10}, progress.WarningNoItems, nil},
		{"EmptyItemSetWarns", nil, progress.Rule{ProgressType: "*", Kind: progress.Tasks},
			progress.Result{}, progress.WarningNoItems, nil},
		{"EmptyMeasuredSetNumberWarns", backlog(), progress.Rule{ProgressType: "Epic", Kind: progress.Number},
			progress.Result{ItemCount: 10}, progress.WarningNoItems, nil},
		{"AllRemovedWarns", []progress.WorkItem{wi(1, "Bug", progress.Removed, 0, nil)}, progress.Rule{ProgressType: "Bug", Kind: progress.Percentage},
			progress.Result{}, progress.WarningNoItems, nil},
		{"ZeroTotalWarns", backlog(), progress.Rule{ProgressType: "Feature", Kind: progress.Percentage, Measure: sp},
			progress.Result{ItemCount: 10, MeasuredCount: 2, CompleteCount: 1}, "adds up to 0", nil},
		{"ErrRemainingWorkNeedsNumberPercentage", backlog(), progress.Rule{ProgressType: "Task", Kind: progress.Percentage, Measure: rw},
			progress.Result{}, "", progress.ErrRemainingWorkNeedsNumber},
		{"ErrRemainingWorkNeedsNumberCurrency", backlog(), progress.Rule{ProgressType: "Task", Kind: progress.Currency, Measure: rw},
			progress.Result{}, "", progress.ErrRemainingWorkNeedsNumber},
		{"ErrRemainingWorkNeedsNumberTasks", backlog(), progress.Rule{ProgressType: "Task", Kind: progress.Tasks, Measure: strings.ToUpper(rw)},
			progress.Result{}, "", progress.ErrRemainingWorkNeedsNumber},
		{"ErrUnknownKind", backlog(), progress.Rule{ProgressType: "Task", Kind: "ratio"},
			progress.Result{}, "", progress.ErrUnknownKind},
		{"ErrNoProgressType", backlog(), progress.Rule{ProgressType: " ", Kind: progress.Number},
			progress.Result{}, "", progress.ErrNoProgressType},
		{"ErrDuplicateItem", []progress.WorkItem{wi(1, "Bug", progress.Completed, 0, nil), wi(1, "Bug", progress.Proposed, 0, nil)},
			progress.Rule{ProgressType: "Bug", Kind: progress.Number}, progress.Result{}, "", progress.ErrDuplicateItem},
		{"ErrInvalidItemID", []progress.WorkItem{wi(0, "Bug", progress.Completed, 0, nil)},
			progress.Rule{ProgressType: "Bug", Kind: progress.Number}, progress.Result{}, "", progress.ErrInvalidItemID},
		{"ErrNotFiniteField", []progress.WorkItem{wi(1, "Bug", progress.Completed, 0, map[string]float64{sp: math.NaN()})},
			progress.Rule{ProgressType: "Bug", Kind: progress.Number, Measure: sp}, progress.Result{}, "", progress.ErrNotFinite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := progress.Evaluate(tt.items, tt.rule)
			if !errors.Is(err, tt.wantError) {
				t.Fatalf("Evaluate() error = %v, want %v", err, tt.wantError)
			}
			if err != nil {
				return
			}
			if tt.wantWarn == "" && got.Warning != "" || !strings.Contains(got.Warning, tt.wantWarn) {
				t.Errorf("Warning = %q, want %q", got.Warning, tt.wantWarn)
			}
			got.Warning, got.Visible = "", nil
			if math.Abs(got.Value-tt.want.Value) > 1e-9 {
				t.Errorf("Value = %v, want %v", got.Value, tt.want.Value)
			}
			got.Value = tt.want.Value
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Evaluate() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEvaluateVisible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		items []progress.WorkItem
		typ   string
		want  []int
	}{
		{"StoryShowsFeaturesAndStories", backlog(), "User Story", []int{1, 10, 11, 14, 2, 12}},
		{"TaskShowsAllAncestorsAndSkipsRemoved", backlog(), "Task", []int{1, 10, 100, 11, 101, 2, 12, 102, 103}},
		{"FeatureHidesDescendants", backlog(), "Feature", []int{1, 2}},
		{"AllShowsEveryNonRemovedItem", backlog(), "*", []int{1, 10, 100, 11, 101, 14, 2, 12, 102, 103}},
		{"InputOrderIrrelevant", reversed(backlog()), "User Story", []int{1, 10, 11, 14, 2, 12}},
		{"NoMatchShowsNothing", backlog(), "Epic", []int{}},
		{"ParentOutsideSetIsRoot", []progress.WorkItem{wi(5, "Bug", progress.Proposed, 999, nil), wi(3, "Bug", progress.Proposed, 0, nil)},
			"Bug", []int{3, 5}},
		{"TwoItemCycle", []progress.WorkItem{wi(2, "Bug", progress.Proposed, 1, nil), wi(1, "Bug", progress.Proposed, 2, nil)},
			"Bug", []int{1, 2}},
		{"AncestorAboveRemovedItemShown", []progress.WorkItem{
			wi(1, "Epic", progress.InProgress, 0, nil), wi(2, "Feature", progress.Removed, 1, nil), wi(3, "User Story", progress.Proposed, 2, nil)},
			"User Story", []int{1, 3}},
		{"NestedSameType", []progress.WorkItem{
			wi(3, "Bug", progress.Proposed, 2, nil), wi(2, "Bug", progress.Proposed, 1, nil), wi(1, "Epic", progress.Proposed, 0, nil), wi(4, "Bug", progress.Proposed, 1, nil)},
			"Bug", []int{1, 2, 3, 4}},
		{"SelfParent", []progress.WorkItem{wi(7, "Bug", progress.Proposed, 7, nil)}, "Bug", []int{7}},
		{"CycleAboveMeasuredItem", []progress.WorkItem{
			wi(7, "Task", progress.Proposed, 8, nil), wi(8, "Feature", progress.Proposed, 9, nil), wi(9, "Epic", progress.Proposed, 8, nil)},
			"Task", []int{8, 7, 9}},
		{"CycleThroughRemovedItems", []progress.WorkItem{
			wi(7, "Task", progress.Proposed, 8, nil), wi(8, "Feature", progress.Removed, 9, nil), wi(9, "Epic", progress.Removed, 8, nil)},
			"Task", []int{7}},
		{"CycleAll", []progress.WorkItem{
			wi(4, "Task", progress.Proposed, 3, nil), wi(3, "Task", progress.Proposed, 5, nil), wi(5, "Task", progress.Proposed, 4, nil), wi(6, "Task", progress.Proposed, 5, nil)},
			"*", []int{3, 4, 5, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := progress.Evaluate(tt.items, progress.Rule{ProgressType: tt.typ, Kind: progress.Tasks})
			if err != nil {
				t.Fatalf("Evaluate() error = %v", err)
			}
			if !slices.Equal(got.Visible, tt.want) {
				t.Errorf("Visible = %v, want %v", got.Visible, tt.want)
			}
		})
	}
}

func reversed(items []progress.WorkItem) []progress.WorkItem {
	slices.Reverse(items)
	return items
}
