package progress

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// StateCategory is the Azure DevOps category of a work item's state. Completion is
// judged by category rather than by state name because every process and work item
// type names its states differently.
type StateCategory string

// The state categories Azure DevOps defines.
const (
	// Proposed is the category of new, not yet started states.
	Proposed StateCategory = "Proposed"
	// InProgress is the category of active states.
	InProgress StateCategory = "InProgress"
	// Resolved is the category of states that are done but awaiting verification.
	Resolved StateCategory = "Resolved"
	// Completed is the category of finished states.
	Completed StateCategory = "Completed"
	// Removed is the category of states of items that no longer count.
	Removed StateCategory = "Removed"
)

// MetricKind is what a data source writes into: the kind of a metric, or an
// initiative's task list.
type MetricKind string

// The targets a data source can write into.
const (
	// Percentage is a percentage metric: the value is the share of complete work.
	Percentage MetricKind = "percentage"
	// Number is a plain number metric: the value is a sum.
	Number MetricKind = "number"
	// Currency is a currency metric: the value is a sum.
	Currency MetricKind = "currency"
	// Tasks is an initiative tracked by its tasks: the value is the share of complete
	// work, as for Percentage.
	Tasks MetricKind = "tasks"
)

// AllTypes is the progress type that measures every work item in the item set.
const AllTypes = "*"

// MeasureCount is the measure that counts each work item as 1.
const MeasureCount = "count"

// Reference names of the built-in numeric fields commonly used as measures.
const (
	// FieldStoryPoints is the Story Points field.
	FieldStoryPoints = "Microsoft.VSTS.Scheduling.StoryPoints"
	// FieldEffort is the Effort field.
	FieldEffort = "Microsoft.VSTS.Scheduling.Effort"
	// FieldOriginalEstimate is the Original Estimate field.
	FieldOriginalEstimate = "Microsoft.VSTS.Scheduling.OriginalEstimate"
	// FieldCompletedWork is the Completed Work field.
	FieldCompletedWork = "Microsoft.VSTS.Scheduling.CompletedWork"
	// FieldRemainingWork is the Remaining Work field. It always sums over the whole
	// measured set and is valid only for number metrics.
	FieldRemainingWork = "Microsoft.VSTS.Scheduling.RemainingWork"
)

// WarningNoItems is the data source warning shown when the measured set is empty.
const WarningNoItems = "no items matched"

// Errors returned by Evaluate for a rule or item set it cannot evaluate.
var (
	// ErrRemainingWorkNeedsNumber is returned when Remaining Work is the measure of
	// anything but a number metric: remaining work shrinks as work completes, so a
	// share of it or an amount of money makes no sense.
	ErrRemainingWorkNeedsNumber = errors.New("the Remaining Work measure works with number metrics only")
	// ErrUnknownKind is returned for a MetricKind other than the four defined.
	ErrUnknownKind = errors.New("unknown metric kind")
	// ErrNoProgressType is returned when a rule names no progress type.
	ErrNoProgressType = errors.New("progress type is required")
	// ErrInvalidItemID is returned for a work item id that is zero or negative.
	ErrInvalidItemID = errors.New("work item id must be positive")
	// ErrDuplicateItem is returned when the same work item id occurs twice.
	ErrDuplicateItem = errors.New("duplicate work item")
)

// WorkItem is one Azure DevOps work item as the progress rules see it.
type WorkItem struct {
	// ID is the work item id.
	ID int
	// Type is the work item type name, such as "User Story".
	Type string
	// State is the state name, such as "Active".
	State string
	// Category is the state category of State for this item's type.
	Category StateCategory
	// Title is the work item title.
	Title string
	// AssignedTo is the display name of the assignee, if any.
	AssignedTo string
	// ParentID is the id of the hierarchy parent, or 0 for none.
	ParentID int
	// Fields holds numeric field values by reference name. An absent field is 0.
	Fields map[string]float64
}

// Rule is how a data source turns its item set into a value.
type Rule struct {
	// ProgressType is the work item type measured (compared case-insensitively), or
	// AllTypes.
	ProgressType string
	// Measure is MeasureCount (also when empty) or the reference name of a numeric
	// field.
	Measure string
	// Kind is the target the value is written into.
	Kind MetricKind
	// CountTotal makes number and currency metrics sum over the whole measured set
	// rather than over its complete items.
	CountTotal bool
	// ResolvedIsComplete counts items in the Resolved category as complete.
	ResolvedIsComplete bool
}

// Validate reports whether r can be evaluated.
func (r Rule) Validate() error {
	if strings.TrimSpace(r.ProgressType) == "" {
		return ErrNoProgressType
	}
	switch r.Kind {
	case Percentage, Number, Currency, Tasks:
	default:
		return fmt.Errorf("%w %q (want percentage, number, currency or tasks)", ErrUnknownKind, r.Kind)
	}
	if r.remainingWork() && r.Kind != Number {
		return fmt.Errorf("%w, not %s", ErrRemainingWorkNeedsNumber, r.Kind)
	}
	return nil
}

func (r Rule) all() bool { return strings.TrimSpace(r.ProgressType) == AllTypes }

func (r Rule) countMeasure() bool {
	m := strings.TrimSpace(r.Measure)
	return m == "" || strings.EqualFold(m, MeasureCount)
}

func (r Rule) remainingWork() bool {
	return strings.EqualFold(strings.TrimSpace(r.Measure), FieldRemainingWork)
}

// share reports whether the value is a percentage of complete work.
func (r Rule) share() bool { return r.Kind == Percentage || r.Kind == Tasks }

// sumsTotal reports whether a number or currency value sums over the whole measured
// set rather than over the complete items.
func (r Rule) sumsTotal() bool { return !r.share() && (r.CountTotal || r.remainingWork()) }

// Result is the outcome of evaluating a rule over an item set.
type Result struct {
	// Value is what the data source writes: a percentage from 0 to 100 for
	// percentage metrics and initiative tasks, otherwise a sum of the measure.
	Value float64
	// ItemCount is the number of items in the item set after removed items are
	// dropped.
	ItemCount int
	// MeasuredCount is the number of items in the measured set.
	MeasuredCount int
	// CompleteCount is the number of complete items in the measured set.
	CompleteCount int
	// CompleteMeasure is the sum of the measure over the complete measured items.
	CompleteMeasure float64
	// TotalMeasure is the sum of the measure over the whole measured set.
	TotalMeasure float64
	// Warning explains a value that may surprise, such as WarningNoItems; empty
	// when all is well.
	Warning string
	// Visible lists the ids of the visible tasks, each parent before its children,
	// siblings and unrelated trees by ascending id.
	Visible []int
}

// Evaluate applies the progress rules of a data source to its item set.
//
// Items in the Removed category are dropped. The measured set is the items of the
// progress type, or all items for AllTypes. An item is complete in the Completed
// category, and also in Resolved when the rule says so. Percentage metrics and
// initiative tasks get 100 × the complete measure over the total measure; number and
// currency metrics get the complete measure, or the total one with CountTotal or for
// Remaining Work. The value is 0 with WarningNoItems when nothing is measured.
func Evaluate(items []WorkItem, r Rule) (Result, error) {
	if err := r.Validate(); err != nil {
		return Result{}, fmt.Errorf("evaluate data source: %w", err)
	}
	index := make(map[int]int, len(items))
	for i, it := range items {
		if it.ID <= 0 {
			return Result{}, fmt.Errorf("evaluate data source: item id %d: %w", it.ID, ErrInvalidItemID)
		}
		if _, dup := index[it.ID]; dup {
			return Result{}, fmt.Errorf("evaluate data source: item %d: %w", it.ID, ErrDuplicateItem)
		}
		index[it.ID] = i
	}

	all := r.all()
	progressType := strings.TrimSpace(r.ProgressType)
	countMeasure := r.countMeasure()
	field := strings.TrimSpace(r.Measure)
	measured := make([]bool, len(items))
	var res Result
	for i, it := range items {
		if isCategory(it.Category, Removed) {
			continue
		}
		res.ItemCount++
		if !all && !strings.EqualFold(strings.TrimSpace(it.Type), progressType) {
			continue
		}
		measured[i] = true
		res.MeasuredCount++
		m := 1.0
		if !countMeasure {
			m = fieldValue(it.Fields, field)
			if !finite(m) {
				return Result{}, fmt.Errorf("evaluate data source: item %d field %s is %v: %w", it.ID, field, m, ErrNotFinite)
			}
		}
		res.TotalMeasure += m
		if isCategory(it.Category, Completed) || (r.ResolvedIsComplete && isCategory(it.Category, Resolved)) {
			res.CompleteCount++
			res.CompleteMeasure += m
		}
	}

	switch {
	case r.share():
		if res.TotalMeasure != 0 {
			res.Value = 100 * res.CompleteMeasure / res.TotalMeasure
		}
	case r.sumsTotal():
		res.Value = res.TotalMeasure
	default:
		res.Value = res.CompleteMeasure
	}
	switch {
	case res.MeasuredCount == 0:
		res.Warning = WarningNoItems
	case r.share() && res.TotalMeasure == 0:
		res.Warning = fmt.Sprintf("%s adds up to 0 over the %d measured items", field, res.MeasuredCount)
	}
	res.Visible = visible(items, index, measured, all)
	return res, nil
}

// isCategory compares categories case-insensitively, because the category names come
// from Azure DevOps and from stored data that may differ in case.
func isCategory(c, want StateCategory) bool {
	return c == want || strings.EqualFold(string(c), string(want))
}

// fieldValue returns the value of a field by reference name. Reference names are
// case-insensitive in Azure DevOps, so a miss falls back to a case-insensitive scan.
func fieldValue(fields map[string]float64, name string) float64 {
	if v, ok := fields[name]; ok {
		return v
	}
	for k, v := range fields {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return 0
}

// visible returns the ids of the visible tasks in display order.
//
// With a specific progress type the measured items are visible, and so are their
// ancestors. The walk up follows ParentID through every given item, removed ones
// included, so that an epic above a removed feature still shows above the feature's
// stories; removed items themselves are never shown. Each walk stops at an item
// already walked, which makes the whole pass linear and cycle-safe.
func visible(items []WorkItem, index map[int]int, measured []bool, all bool) []int {
	show := make([]bool, len(items))
	if all {
		for i, it := range items {
			show[i] = !isCategory(it.Category, Removed)
		}
	} else {
		walked := make([]bool, len(items))
		for i := range items {
			if !measured[i] {
				continue
			}
			for j, ok := i, true; ok && !walked[j]; j, ok = index[items[j].ParentID] {
				walked[j] = true
				if !isCategory(items[j].Category, Removed) {
					show[j] = true
				}
			}
		}
	}
	return displayOrder(items, index, show)
}

// displayOrder lists the shown items depth first: each item before its children,
// roots and siblings by ascending id. An item's parent for display is its nearest
// shown ancestor. Items caught in a parent cycle, which have no root, are started
// from their lowest id once every tree has been listed.
func displayOrder(items []WorkItem, index map[int]int, show []bool) []int {
	n := 0
	for _, s := range show {
		if s {
			n++
		}
	}
	parentOf := make([]int, len(items))
	var roots []int
	for i, it := range items {
		parentOf[i] = -1
		if !show[i] {
			continue
		}
		parent := -1
		// len(items) steps bound the walk even inside a cycle of hidden items.
		for p, steps := it.ParentID, 0; steps < len(items); steps++ {
			j, ok := index[p]
			if !ok {
				break
			}
			if show[j] {
				parent = j
				break
			}
			p = items[j].ParentID
		}
		if parent < 0 || parent == i {
			roots = append(roots, i)
		} else {
			parentOf[i] = parent
		}
	}
	byID := func(a, b int) int { return items[a].ID - items[b].ID }
	slices.SortFunc(roots, byID)
	// The children of item i are kids[first[i]:first[i+1]], laid out in one slice
	// so that a large tree costs two allocations rather than one per parent.
	first := make([]int, len(items)+1)
	for i := range items {
		if parentOf[i] >= 0 {
			first[parentOf[i]+1]++
		}
	}
	for i := range items {
		first[i+1] += first[i]
	}
	kids := make([]int, first[len(items)])
	fill := slices.Clone(first[:len(items)])
	for i := range items {
		if p := parentOf[i]; p >= 0 {
			kids[fill[p]] = i
			fill[p]++
		}
	}
	for i := range items {
		slices.SortFunc(kids[first[i]:first[i+1]], byID)
	}

	out := make([]int, 0, n)
	done := make([]bool, len(items))
	var stack []int
	emit := func(start int) {
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if done[i] {
				continue
			}
			done[i] = true
			out = append(out, items[i].ID)
			c := kids[first[i]:first[i+1]]
			for k := len(c) - 1; k >= 0; k-- {
				if !done[c[k]] {
					stack = append(stack, c[k])
				}
			}
		}
	}
	for _, r := range roots {
		emit(r)
	}
	if len(out) < n {
		// What is left hangs below a cycle. Break each cycle at its lowest id so
		// that the rest still lists parents before children.
		var rest []int
		for i := range items {
			if show[i] && !done[i] {
				rest = append(rest, i)
			}
		}
		slices.SortFunc(rest, byID)
		for _, i := range rest {
			if done[i] {
				continue
			}
			emit(cycleStart(items, parentOf, i))
		}
	}
	return out
}

// cycleStart walks up the display parents from i, which must lead into a cycle, and
// returns the member of that cycle with the lowest id.
func cycleStart(items []WorkItem, parentOf []int, i int) int {
	seen := make(map[int]bool)
	for !seen[i] && parentOf[i] >= 0 {
		seen[i] = true
		i = parentOf[i]
	}
	if parentOf[i] < 0 {
		return i
	}
	lowest := i
	for j := parentOf[i]; j != i; j = parentOf[j] {
		if items[j].ID < items[lowest].ID {
			lowest = j
		}
	}
	return lowest
}
