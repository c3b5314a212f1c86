package viva

import (
	"container/heap"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// Format names the kind of export a reader accepted.
type Format string

// The export formats Cairn reads.
const (
	FormatCSV    Format = "csv"    // the Explorer export saved as CSV
	FormatXLSX   Format = "xlsx"   // the Explorer export saved as an Excel workbook
	FormatBundle Format = "bundle" // the JSON data export: a folder or .zip of per-entity files
)

// Kind is the kind of an exported item. Its values equal cairn.ItemType's, so an importer can
// convert with cairn.ItemType(kind).
type Kind string

// The item kinds. Viva Goals' Deliverables (earlier called Projects) become initiatives.
const (
	KindObjective  Kind = "objective"  // Viva Goals' Objective
	KindKeyResult  Kind = "key_result" // Viva Goals' Key result
	KindInitiative Kind = "initiative" // Viva Goals' Deliverable, Project or Initiative
)

// Status is the status of an item or check-in as Viva Goals gave it. Apart from StatusClosed the
// values equal Cairn's status names.
type Status string

// The statuses. StatusNone means the export left the status empty.
const (
	StatusNone       Status = ""            // no status written
	StatusNotStarted Status = "not_started" // "Not Started"
	StatusOnTrack    Status = "on_track"    // "On Track"
	StatusBehind     Status = "behind"      // "Behind"
	StatusAtRisk     Status = "at_risk"     // "At Risk"
	// StatusClosed marks an item that was closed in Viva Goals; its Score is the grade it was
	// closed with.
	StatusClosed Status = "closed"
)

// Direction says which way a metric should move, or which side of its target it should stay
// on. Its values equal cairn.MetricGoal's.
type Direction string

// The directions. DirectionUnknown means the export neither says nor lets it be worked out.
const (
	DirectionUnknown  Direction = ""         // not said, and start or target missing or equal
	DirectionIncrease Direction = "increase" // the target is above the start
	DirectionDecrease Direction = "decrease" // the target is below the start
	// DirectionStayAbove: the value should stay at or above the target all period ("Stay
	// above", "At least").
	DirectionStayAbove Direction = "stay_above"
	// DirectionStayBelow: the value should stay at or below the target all period ("Stay
	// below", "At most").
	DirectionStayBelow Direction = "stay_below"
)

// MetricKind is what a metric counts. Its values equal cairn.MetricKind's.
type MetricKind string

// The metric kinds, worked out from the unit and from how the values are written: a "%" unit or
// value makes a percentage, a currency symbol or code a currency, anything else a number.
const (
	MetricPercentage MetricKind = "percentage" // "%", "Percent", or values like "25%"
	MetricNumber     MetricKind = "number"     // any other unit
	MetricCurrency   MetricKind = "currency"   // "$", "USD", "Dollars", or values like "$1,200"
)

// ProgressSource says what set an item's progress in Viva Goals.
type ProgressSource string

// The progress sources. ProgressUnknown means the export does not say; the Explorer export only
// says so when a check-in shows an integration (see Item.DataSource).
const (
	ProgressUnknown     ProgressSource = ""            // the export does not say
	ProgressManual      ProgressSource = "manual"      // people checked in
	ProgressChildren    ProgressSource = "children"    // rolled up from aligned items
	ProgressIntegration ProgressSource = "integration" // an integration (a data source) checked in
)

// Position says where in the export something was read, so that an importer can point people
// back to it. File is empty for a CSV or XLSX export; Row follows RowError's rules.
type Position struct {
	File string `json:"file,omitempty"`
	Row  int    `json:"row"`
}

// Ref names another entity of the export by its Viva Id, its name, or both. The Explorer export
// names periods, teams and tags only, so ID is 0 there.
type Ref struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
}

// Person is someone the export names. The Explorer export gives names only; the JSON bundle adds
// the Viva user Id and the email address.
type Person struct {
	ID    int64  `json:"id,omitempty"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// IsZero reports whether p names nobody.
func (p Person) IsZero() bool { return p.ID == 0 && p.Name == "" && p.Email == "" }

// key identifies a person across the export: by Viva Id when known, else by email, else by name.
func (p Person) key() string {
	switch {
	case p.ID != 0:
		return "id:" + formatID(p.ID)
	case p.Email != "":
		return "email:" + strings.ToLower(p.Email)
	default:
		return "name:" + strings.ToLower(p.Name)
	}
}

// Period is a Viva Goals time period such as "Q1 2025".
type Period struct {
	ID    int64      `json:"id,omitempty"`
	Name  string     `json:"name"`
	Start cairn.Date `json:"start"`
	End   cairn.Date `json:"end"`
	// Derived reports that Start and End were not in the export but taken from the earliest
	// start and latest end of the items in the period, as the Explorer export does not give
	// period dates.
	Derived bool `json:"derived,omitempty"`
}

// Team is a Viva Goals team. Only the JSON bundle describes teams; from the Explorer export a
// team is its name.
type Team struct {
	ID          int64    `json:"id,omitempty"`
	Name        string   `json:"name"`
	Parent      string   `json:"parent,omitempty"` // the parent team's name
	Owners      []Person `json:"owners,omitempty"`
	Type        string   `json:"type,omitempty"`
	Status      string   `json:"status,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Tag is a Viva Goals tag.
type Tag struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
}

// Alignment is an item's link to an item it contributes to.
type Alignment struct {
	// ParentID is the Viva Id of the parent item; the reader has checked that the export holds it.
	ParentID int64 `json:"parent_id"`
	// ParentTitle is the parent's title as the alignment cell or field wrote it.
	ParentTitle string `json:"parent_title,omitempty"`
	// Weight is the share of the parent's progress that this item carries, in percent (14.29
	// for "14.29%"). Nil means the export gave no weight. Zero means aligned but not counted.
	Weight *float64 `json:"weight"`
}

// Counted reports whether the item's progress counts towards the parent's: an alignment with
// weight 0 % only shows the link.
func (a Alignment) Counted() bool { return a.Weight == nil || *a.Weight > 0 }

// PhasedTarget is an intermediate target of a metric, from the JSON bundle.
type PhasedTarget struct {
	Date  cairn.Date `json:"date"`
	Value float64    `json:"value"`
}

// Metric is what a key result (and sometimes an objective or initiative) measures. Values the
// export left empty are nil; no default is made up.
type Metric struct {
	Name string `json:"name,omitempty"`
	// Unit is the unit as written, such as "%", "$" or "Number".
	Unit    string     `json:"unit,omitempty"`
	Kind    MetricKind `json:"kind"`
	Start   *float64   `json:"start"`
	Target  *float64   `json:"target"`
	Current *float64   `json:"current"`
	// Direction comes from the Goal Type column or the bundle's target type when they say
	// increase, decrease, stay above or stay below, and otherwise from Target being above or
	// below Start.
	Direction Direction `json:"direction,omitempty"`
	// TargetType is the bundle's "Target Type" as written, such as "Increase From" or "Reach".
	TargetType    string         `json:"target_type,omitempty"`
	PhasedTargets []PhasedTarget `json:"phased_targets,omitempty"`
}

// CheckIn is one progress update of an item.
type CheckIn struct {
	ID   int64      `json:"id,omitempty"` // bundle only
	Date cairn.Date `json:"date"`
	// Author is who checked in; for a check-in an integration made it names the integration
	// as Viva Goals wrote it.
	Author     Person `json:"author"`
	Note       string `json:"note,omitempty"`
	NoteHTML   string `json:"note_html,omitempty"` // bundle only
	MetricName string `json:"metric_name,omitempty"`
	Status     Status `json:"status,omitempty"`
	StatusText string `json:"status_text,omitempty"`
	// Value is the value checked in, as a number ("25%" gives 25); nil when empty. ValueText is
	// the value as written.
	Value     *float64 `json:"value"`
	ValueText string   `json:"value_text,omitempty"`
	// ActivityAt is when the check-in was recorded; zero when the export does not say.
	ActivityAt time.Time `json:"activity_at"`
	// Integration names the integration that made this check-in, such as "Azure DevOps", or is
	// empty for a person's check-in. See the package documentation for the rule.
	Integration string   `json:"integration,omitempty"`
	Pos         Position `json:"pos"`
}

// Comment is a comment on an item, from the JSON bundle.
type Comment struct {
	ID        int64     `json:"id,omitempty"`
	Author    Person    `json:"author"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	Pos       Position  `json:"pos"`
}

// Item is an objective, key result or initiative.
type Item struct {
	// ID is the item's Viva Goals Id, unique in the export.
	ID int64 `json:"id"`
	// URL links to the item in Viva Goals when the export gives one (an XLSX Id cell written
	// as a HYPERLINK formula).
	URL  string `json:"url,omitempty"`
	Kind Kind   `json:"kind"`
	// TypeText is the object type as written, such as "Deliverable".
	TypeText    string     `json:"type_text"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Period      Ref        `json:"period"`
	Start       cairn.Date `json:"start"`
	End         cairn.Date `json:"end"`
	Teams       []Ref      `json:"teams,omitempty"`
	Creator     Person     `json:"creator"`
	// Owners lists every owner in the export's order.
	Owners        []Person    `json:"owners,omitempty"`
	CheckInOwners []Person    `json:"check_in_owners,omitempty"` // bundle only
	Tags          []Ref       `json:"tags,omitempty"`
	Alignments    []Alignment `json:"alignments,omitempty"`
	Metric        *Metric     `json:"metric,omitempty"`
	// Progress is Viva Goals' progress of the item in percent, as exported; nil when empty.
	Progress   *float64 `json:"progress"`
	Status     Status   `json:"status,omitempty"`
	StatusText string   `json:"status_text,omitempty"`
	// Score is the grade between 0 and 1 that a closed item was closed with; nil when none.
	Score *float64 `json:"score"`
	// GoalType is the Goal Type as written. Aspirational is true when it says "Aspirational"
	// (as opposed to "Committed").
	GoalType     string `json:"goal_type,omitempty"`
	Aspirational bool   `json:"aspirational,omitempty"`
	// ProgressSource says what set the item's progress, when the export tells.
	ProgressSource ProgressSource `json:"progress_source,omitempty"`
	// DataSource names the integration that drove the item's progress, such as "Azure DevOps";
	// empty when people checked in or the export does not say.
	DataSource string `json:"data_source,omitempty"`
	// ProgressRule and StatusRule are the bundle's "Progress and Status Configuration" as
	// written, such as "Update from Children".
	ProgressRule    string    `json:"progress_rule,omitempty"`
	StatusRule      string    `json:"status_rule,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	LastCheckIn     time.Time `json:"last_check_in"`
	LastCheckInNote string    `json:"last_check_in_note,omitempty"`
	// CheckIns are the item's check-ins, oldest first.
	CheckIns []CheckIn `json:"check_ins,omitempty"`
	// Comments are the item's comments, oldest first (bundle only).
	Comments []Comment `json:"comments,omitempty"`
	// Extra keeps the columns or fields this package does not interpret, by header or field
	// name: cell text for a spreadsheet, compact JSON for a bundle. Empty values are left out.
	Extra map[string]string `json:"extra,omitempty"`
	Pos   Position          `json:"pos"`
}

// Closed reports whether the item was closed in Viva Goals.
func (it *Item) Closed() bool { return it.Status == StatusClosed }

// ParentIDs returns the Viva Ids of the items this item aligns to, in the export's order.
func (it *Item) ParentIDs() []int64 {
	ids := make([]int64, len(it.Alignments))
	for i, a := range it.Alignments {
		ids[i] = a.ParentID
	}
	return ids
}

// AzureDevOps reports whether Azure DevOps drove the item's progress, which makes it an item
// to bind again to an Azure DevOps data source after the import.
func (it *Item) AzureDevOps() bool { return IsAzureDevOps(it.DataSource) }

// Export is everything read from one Viva Goals export. The reader has checked it: Item Ids are
// unique, every alignment points at an item of the export and alignments form no cycle.
type Export struct {
	Format  Format   `json:"format"`
	Periods []Period `json:"periods"`
	Teams   []Team   `json:"teams"`
	// People lists everyone the export names, integrations excepted: each once, the bundle's
	// Users first, then others in order of appearance.
	People []Person `json:"people"`
	Tags   []Tag    `json:"tags"`
	// Items are the objectives, key results and initiatives in the export's order.
	Items []*Item `json:"items"`
	// Warnings lists what the reader accepted but a person may want to know, such as a Goal
	// Type it does not know or, with Options.DropDangling, references it dropped.
	Warnings []*RowError `json:"warnings,omitempty"`

	byID map[int64]*Item
}

// Lookup returns the item with the Viva Id, and whether there is one.
func (e *Export) Lookup(id int64) (*Item, bool) {
	if e.byID == nil {
		e.byID = make(map[int64]*Item, len(e.Items))
		for _, it := range e.Items {
			e.byID[it.ID] = it
		}
	}
	it, ok := e.byID[id]
	return it, ok
}

// Objectives returns the objectives in the export's order.
func (e *Export) Objectives() []*Item { return e.ofKind(KindObjective) }

// KeyResults returns the key results in the export's order.
func (e *Export) KeyResults() []*Item { return e.ofKind(KindKeyResult) }

// Initiatives returns the initiatives in the export's order.
func (e *Export) Initiatives() []*Item { return e.ofKind(KindInitiative) }

func (e *Export) ofKind(k Kind) []*Item {
	var out []*Item
	for _, it := range e.Items {
		if it.Kind == k {
			out = append(out, it)
		}
	}
	return out
}

// Children returns the items that align to the item with the Viva Id, in the export's order.
func (e *Export) Children(id int64) []*Item {
	var out []*Item
	for _, it := range e.Items {
		for _, a := range it.Alignments {
			if a.ParentID == id {
				out = append(out, it)
				break
			}
		}
	}
	return out
}

// ParentsFirst returns every item once, each after all the items it aligns to and otherwise in
// the export's order, which is the order in which an importer can create them.
func (e *Export) ParentsFirst() []*Item {
	order, _ := topoOrder(e.Items)
	return order
}

// topoOrder orders items parents first (Kahn's algorithm, ties in export order). Items caught in
// a cycle, and their descendants, are left out and returned as the second result.
func topoOrder(items []*Item) (order, stuck []*Item) {
	index := make(map[int64]int, len(items))
	for i, it := range items {
		index[it.ID] = i
	}
	pending := make([]int, len(items))
	children := make([][]int, len(items))
	for i, it := range items {
		seen := map[int64]bool{}
		for _, a := range it.Alignments {
			p, ok := index[a.ParentID]
			if !ok || seen[a.ParentID] {
				continue
			}
			seen[a.ParentID] = true
			pending[i]++
			children[p] = append(children[p], i)
		}
	}
	// ready is a min-heap of export positions, so that ties come out in export order.
	ready := &intHeap{}
	for i := range items {
		if pending[i] == 0 {
			heap.Push(ready, i)
		}
	}
	order = make([]*Item, 0, len(items))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, items[i])
		for _, c := range children[i] {
			pending[c]--
			if pending[c] == 0 {
				heap.Push(ready, c)
			}
		}
	}
	if len(order) < len(items) {
		for i, it := range items {
			if pending[i] > 0 {
				stuck = append(stuck, it)
			}
		}
	}
	return order, stuck
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
