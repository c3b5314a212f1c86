package vivaexport

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
	"github.com/xuri/excelize/v2"
)

// Header is the export's header row.
var Header = []string{
	"Id", "Title", "Team", "Creator", "Owner", "Period", "Start Date", "End Date", "Description",
	"Aligned To (weight, Objective ID)", "Metric Name", "Unit", "Target", "Object Type", "Goal Type",
	"Start", "Created At", "Last Check-in", "Progress %", "Actual Progress", "Status",
	"Last Check-in Note", "Score", "Data Source", "Last Sync", "Checkins",
}

// Cell is one cell of the sheet: a number when Num is set, else text.
type Cell struct {
	Text string
	Num  *float64
}

// String is the cell as CSV writes it, neutralised.
func (c Cell) String() string {
	if c.Num != nil {
		return formatNumber(*c.Num)
	}
	return Neutralize(c.Text)
}

func text(s string) Cell { return Cell{Text: s} }

func number(v float64) Cell { return Cell{Num: &v} }

// Neutralize returns text so that no spreadsheet runs it as a formula: text that begins
// with =, +, -, @, a tab or a carriage return gets a single quote before it.
func Neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportID is the Viva Id of an item in the export: its Cairn id times ten, plus 1 for an
// objective, 2 for a key result and 3 for an initiative.
func ExportID(r cairn.Ref) int64 {
	switch r.Type {
	case cairn.ItemObjective:
		return r.ID*10 + 1
	case cairn.ItemKeyResult:
		return r.ID*10 + 2
	default:
		return r.ID*10 + 3
	}
}

// Input is what a sheet is made from.
type Input struct {
	Items []*cairn.ListedItem
	// People names users by id; Teams names teams by id.
	People map[int64]string
	Teams  map[int64]string
	// CheckIns holds each key result's and initiative's check-ins, in any order.
	CheckIns map[cairn.Ref][]*cairn.CheckIn
	// LastSync holds the last successful Azure DevOps sync of each automated item.
	LastSync map[cairn.Ref]time.Time
}

// edge is one alignment the sheet writes.
type edge struct {
	parent cairn.Ref
	weight float64
}

// Rows builds the sheet's rows, without the header; a row's cells past the header's
// length are its further check-ins.
func Rows(in Input) [][]Cell {
	shown := make(map[cairn.Ref]string, len(in.Items))
	for _, it := range in.Items {
		shown[it.Ref] = it.Title()
	}
	edges := make(map[cairn.Ref][]edge, len(in.Items))
	for _, it := range in.Items {
		var es []edge
		switch {
		case it.Objective != nil:
			for _, a := range it.Objective.Parents {
				es = append(es, edge{a.Ref(), a.Weight})
			}
		case it.KeyResult != nil:
			es = append(es, edge{cairn.Ref{Type: cairn.ItemObjective, ID: it.KeyResult.ObjectiveID}, it.KeyResult.Weight})
			for _, a := range it.KeyResult.Parents {
				es = append(es, edge{a.Ref(), a.Weight})
			}
		default:
			w := it.Initiative.Weight
			if !it.Initiative.Contributes {
				w = 0
			}
			es = append(es, edge{it.Initiative.Parent, w})
		}
		kept := es[:0]
		for _, e := range es {
			if _, ok := shown[e.parent]; ok {
				kept = append(kept, e)
			}
		}
		edges[it.Ref] = kept
	}
	// Under a parent with a child of weight above 1, weights become shares of their sum.
	sums, over := map[cairn.Ref]float64{}, map[cairn.Ref]bool{}
	for _, es := range edges {
		for _, e := range es {
			sums[e.parent] += e.weight
			over[e.parent] = over[e.parent] || e.weight > 1
		}
	}
	percent := func(e edge) float64 {
		if over[e.parent] {
			return e.weight / sums[e.parent] * 100
		}
		return e.weight * 100
	}

	rows := make([][]Cell, 0, len(in.Items))
	for _, it := range in.Items {
		row := make([]Cell, len(Header))
		set := func(col string, c Cell) { row[slices.Index(Header, col)] = c }
		set("Id", number(float64(ExportID(it.Ref))))
		set("Title", text(it.Title()))
		if it.Owner.TeamID != nil {
			set("Team", text(in.Teams[*it.Owner.TeamID]))
		}
		set("Owner", text(names(it.OwnerIDs(), in.People)))
		set("Period", text(it.Period.Name))
		set("Start Date", text(it.Period.Start.String()))
		set("End Date", text(it.Period.End.String()))
		var aligned []string
		for _, e := range edges[it.Ref] {
			aligned = append(aligned, fmt.Sprintf("%s(weight: %s%%, Id: %d)", shown[e.parent], formatNumber(round2(percent(e))), ExportID(e.parent)))
		}
		set("Aligned To (weight, Objective ID)", text(strings.Join(aligned, "\n")))
		set("Status", text(statusText(it)))
		if it.Period.Closed() {
			set("Status", text("Closed"))
		}
		checkIns := slices.Clone(in.CheckIns[it.Ref])
		slices.SortStableFunc(checkIns, func(a, b *cairn.CheckIn) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		})
		switch {
		case it.Objective != nil:
			o := it.Objective
			set("Object Type", text("Objective"))
			set("Description", text(o.Description))
			set("Goal Type", text(map[bool]string{true: "Aspirational", false: "Committed"}[o.Aspirational]))
			set("Created At", text(stamp(o.CreatedAt)))
			set("Progress %", number(round2(o.Progress*100)))
			if o.Score != nil {
				set("Score", number(*o.Score))
			}
			set("Data Source", text("Roll-up"))
		case it.KeyResult != nil:
			k := it.KeyResult
			set("Object Type", text("Key Result"))
			metricCells(set, k.Metric)
			set("Goal Type", text(goalText(k.Metric.Goal)))
			set("Created At", text(stamp(k.CreatedAt)))
			set("Progress %", number(round2(k.Progress*100)))
			if k.LastCheckInAt != nil {
				set("Last Check-in", text(stamp(*k.LastCheckInAt)))
			}
			if k.Score != nil {
				set("Score", number(*k.Score))
			}
			switch k.ProgressSource {
			case cairn.SourceDataSource:
				set("Data Source", text("Azure DevOps"))
			case cairn.SourceRollUp:
				set("Data Source", text("Roll-up"))
			default:
				set("Data Source", text("Manual"))
			}
		default:
			i := it.Initiative
			set("Object Type", text("Initiative"))
			if i.ProgressMode == cairn.ModeMetric && i.Metric != nil {
				m := *i.Metric
				m.Current = i.Current
				metricCells(set, m)
				set("Goal Type", text(goalText(m.Goal)))
			} else {
				set("Unit", text("%"))
				set("Start", number(0))
				set("Target", number(100))
				set("Actual Progress", number(i.Current))
				if i.ProgressMode == cairn.ModeTasks {
					set("Actual Progress", number(round2(i.Progress*100)))
				}
			}
			set("Created At", text(stamp(i.CreatedAt)))
			set("Progress %", number(round2(i.Progress*100)))
			if i.LastCheckInAt != nil {
				set("Last Check-in", text(stamp(*i.LastCheckInAt)))
			}
			set("Data Source", text(map[bool]string{true: "Azure DevOps", false: "Manual"}[i.Automated]))
		}
		if t, ok := in.LastSync[it.Ref]; ok {
			set("Last Sync", text(stamp(t)))
		}
		if n := len(checkIns); n > 0 {
			set("Last Check-in Note", text(checkIns[n-1].Note))
			for idx, c := range checkIns {
				cell := text(checkInText(c, in.People))
				if idx == 0 {
					set("Checkins", cell)
				} else {
					row = append(row, cell)
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// metricCells fills in a metric's unit, start, target and current value.
func metricCells(set func(string, Cell), m cairn.Metric) {
	unit := m.Unit
	switch {
	case unit == "" && m.Kind == cairn.MetricPercentage:
		unit = "%"
	case unit == "" && m.Kind == cairn.MetricCurrency:
		unit = "Currency"
	}
	set("Unit", text(unit))
	set("Target", number(m.Target))
	if !m.BaselinePending {
		set("Start", number(m.Start))
		set("Actual Progress", number(m.Current))
	}
}

func goalText(g cairn.MetricGoal) string {
	switch g {
	case cairn.GoalDecrease:
		return "Decrease"
	case cairn.GoalStayAbove:
		return "Stay above"
	case cairn.GoalStayBelow:
		return "Stay below"
	}
	return "Increase"
}

func statusText(it *cairn.ListedItem) string {
	return statusWords(progress.Status(it.Status()))
}

func statusWords(s progress.Status) string {
	switch s {
	case progress.OnTrack:
		return "On Track"
	case progress.Behind:
		return "Behind"
	case progress.AtRisk:
		return "At Risk"
	case progress.NotStarted:
		return "Not Started"
	}
	return ""
}

// checkInText writes a check-in as Viva Goals' Explorer export does.
func checkInText(c *cairn.CheckIn, people map[int64]string) string {
	var b strings.Builder
	at := c.CreatedAt.UTC()
	b.WriteString("Checkin Date: " + at.Format("2006-01-02") + "; ")
	switch {
	case c.Source == cairn.CheckInAzureDevOps:
		b.WriteString("User: Azure DevOps; ")
	case c.AuthorID != nil:
		b.WriteString("User: " + oneLine(people[*c.AuthorID]) + "; ")
	}
	b.WriteString("Note: " + c.Note + "; ")
	if s := statusWords(progress.Status(c.Status)); s != "" {
		b.WriteString("Status: " + s + "; ")
	}
	b.WriteString("Current Value: " + formatNumber(c.Value) + "; ")
	b.WriteString("Activity Date: " + stamp(at) + ";")
	return b.String()
}

// oneLine keeps a name on one line without the semicolons that separate a check-in's parts.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }), " ")
}

func names(ids []int64, people map[int64]string) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		n := people[id]
		if n == "" {
			n = "User " + strconv.FormatInt(id, 10)
		}
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}

// stamp writes a time as the reader takes it; the zero time, which no item has, is empty.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// WriteCSV writes the sheet as CSV: UTF-8 with a byte order mark, so that spreadsheets
// read it as UTF-8, and every text cell neutralised.
func WriteCSV(w io.Writer, rows [][]Cell) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	// Every record is as wide as the widest row, the header's further check-in columns
	// unlabeled, so that the file is a rectangle, as tools that read CSV strictly expect.
	width := len(Header)
	for _, row := range rows {
		width = max(width, len(row))
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(slices.Clone(Header), make([]string, width-len(Header))...)); err != nil {
		return err
	}
	for _, row := range rows {
		rec := make([]string, width)
		for i, c := range row {
			rec[i] = c.String()
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SheetName is the name of the workbook's one sheet.
const SheetName = "OKRs"

// WriteXLSX writes the sheet as an Excel workbook: numbers as numeric cells, text
// neutralised as in CSV.
func WriteXLSX(w io.Writer, rows [][]Cell) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return err
	}
	head := make([]any, len(Header))
	for i, h := range Header {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range rows {
		vals := make([]any, len(row))
		for i, c := range row {
			switch {
			case c.Num != nil:
				vals[i] = *c.Num
			case c.Text == "":
				vals[i] = nil
			default:
				vals[i] = excelize.Cell{Value: Neutralize(c.Text)}
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
