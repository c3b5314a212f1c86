package viva

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/xuri/excelize/v2"
)

// The Explorer export's column headers.
const (
	colID          = "Id"
	colTitle       = "Title"
	colTeam        = "Team"
	colCreator     = "Creator"
	colOwner       = "Owner"
	colPeriod      = "Period"
	colStartDate   = "Start Date"
	colEndDate     = "End Date"
	colDescription = "Description"
	colAligned     = "Aligned To (weight, Objective ID)"
	colMetricName  = "Metric Name"
	colUnit        = "Unit"
	colTarget      = "Target"
	colObjectType  = "Object Type"
	colGoalType    = "Goal Type"
	colStart       = "Start"
	colCreatedAt   = "Created At"
	colLastCheckIn = "Last Check-in"
	colProgress    = "Progress %"
	colActual      = "Actual Progress"
	colStatus      = "Status"
	colLastNote    = "Last Check-in Note"
	colScore       = "Score"
	colCheckins    = "Checkins"
	colTags        = "Tags"
	// colDataSource is Cairn's own column: what set the item's progress ("Azure DevOps",
	// "Manual" or "Roll-up"). Viva Goals' Explorer export has none.
	colDataSource = "Data Source"
)

// requiredColumns are the columns without which a file is not an Explorer export.
var requiredColumns = []string{colID, colTitle, colObjectType}

// headerNames maps squashed headers, aliases included, to the columns above.
var headerNames = func() map[string]string {
	m := map[string]string{}
	for _, c := range []string{colID, colTitle, colTeam, colCreator, colOwner, colPeriod, colStartDate,
		colEndDate, colDescription, colAligned, colMetricName, colUnit, colTarget, colObjectType,
		colGoalType, colStart, colCreatedAt, colLastCheckIn, colProgress, colActual, colStatus,
		colLastNote, colScore, colCheckins, colTags, colDataSource} {
		m[squash(c)] = c
	}
	for alias, c := range map[string]string{
		"Teams": colTeam, "Owners": colOwner, "Created By": colCreator, "Time Period": colPeriod,
		"Aligned To": colAligned, "Type": colObjectType, "Progress": colProgress,
		"Check-ins": colCheckins, "Tag": colTags, "Metric": colMetricName,
	} {
		m[squash(alias)] = c
	}
	return m
}()

// table is a sheet of the Explorer export, from a CSV file or an XLSX workbook.
type table struct {
	// rows holds each cell's text as a spreadsheet shows it; rows[0] is the header.
	rows [][]string
	// raw, for a workbook, holds the cells' stored values, where a date is its serial number.
	raw [][]string
	// formula, for a workbook, returns the formula of the cell at 0-based row and column.
	formula func(row, col int) string
	// date1904 says the workbook counts dates from 1904.
	date1904 bool
}

// layout is where the table's columns are.
type layout struct {
	col    map[string]int // known column → index
	extra  map[int]string // other labeled columns → header
	header []string
	// checkins is the index of the Checkins column, or -1. It and every unlabeled column after
	// it, past the header's end too, hold check-ins.
	checkins int
}

// checkInColumn reports whether column i holds check-ins.
func (l *layout) checkInColumn(i int) bool {
	if l.checkins < 0 || i < l.checkins {
		return false
	}
	return i == l.checkins || i >= len(l.header) || squash(l.header[i]) == ""
}

func readHeader(header []string, p *problems) layout {
	l := layout{col: map[string]int{}, extra: map[int]string{}, header: header, checkins: -1}
	for i, h := range header {
		h = collapseSpace(strings.TrimPrefix(h, "\ufeff"))
		key := squash(h)
		if key == "" {
			continue
		}
		c, ok := headerNames[key]
		if !ok && strings.HasPrefix(key, "alignedto") {
			c, ok = colAligned, true
		}
		if !ok {
			l.extra[i] = h
			continue
		}
		if prev, dup := l.col[c]; dup {
			if key != squash(c) {
				// Another column under a name that is only an alias, such as "Type": keep it.
				l.extra[i] = h
				continue
			}
			p.add(&RowError{Row: 1, Column: h, Cell: cellRef(i, 1), Message: fmt.Sprintf("the column appears twice, also in column %s", colLetters(prev))})
			continue
		}
		l.col[c] = i
		if c == colCheckins {
			l.checkins = i
		}
	}
	for _, c := range requiredColumns {
		if _, ok := l.col[c]; !ok {
			p.add(&RowError{Row: 1, Column: c, Message: "the column is missing: a Viva Goals Explorer export has Id, Title and Object Type columns"})
		}
	}
	return l
}

// readTable turns the Explorer export's rows into an Export.
func readTable(t *table, format Format, opts Options) (*Export, error) {
	p := newProblems(opts.MaxProblems)
	if len(t.rows) == 0 {
		p.add(&RowError{Row: 1, Message: errEmpty.Error()})
		return nil, p.err()
	}
	unquoteCells(t.rows)
	unquoteCells(t.raw)
	l := readHeader(t.rows[0], p)
	if len(p.list) > 0 {
		return nil, p.err()
	}
	e := &Export{Format: format}
	failed := map[int64]bool{}
	total := len(t.rows) - 1
	opts.progress(0, total)
	for i := 1; i < len(t.rows); i++ {
		if p.full() {
			p.truncated = true
			break
		}
		it, ok := readRow(t, &l, i, e, p, &opts)
		switch {
		case ok:
			e.Items = append(e.Items, it)
		case it != nil && it.ID != 0:
			failed[it.ID] = true
		}
		opts.progress(i, total)
	}
	finalize(e, p, &opts, tableColumns, failed)
	if err := p.err(); err != nil {
		return nil, err
	}
	return e, nil
}

// unquoteCells drops the single quote that a spreadsheet export puts before text that
// would otherwise run as a formula ("'=1+1", "'-5 days", "'@team"): the quote guards the
// cell in a spreadsheet and is no part of the text. Cairn's own export writes it
// (package vivaexport).
func unquoteCells(rows [][]string) {
	for _, row := range rows {
		for i, c := range row {
			if len(c) > 1 && c[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(c[1])) {
				row[i] = c[1:]
			}
		}
	}
}

// rowReader reads the cells of one row.
type rowReader struct {
	t    *table
	l    *layout
	i    int // 0-based index into t.rows
	row  []string
	p    *problems
	opts *Options
	bad  bool
}

func (r *rowReader) num() int { return r.i + 1 }

func (r *rowReader) at(col int) string {
	if col < 0 || col >= len(r.row) {
		return ""
	}
	return r.row[col]
}

// cell returns the text of a known column, trimmed, or "" when the table lacks the column.
func (r *rowReader) cell(c string) string {
	i, ok := r.l.col[c]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.at(i))
}

func (r *rowReader) fail(c string, err error) {
	i, ok := r.l.col[c]
	e := &RowError{Row: r.num(), Column: c, Message: err.Error()}
	if ok {
		e.Cell = cellRef(i, r.num())
	}
	r.p.add(e)
	r.bad = true
}

func (r *rowReader) number(c string) (*float64, MetricKind) {
	v, ok, kind, err := parseNumber(r.cell(c))
	if err != nil {
		r.fail(c, err)
		return nil, ""
	}
	if !ok {
		return nil, ""
	}
	return &v, kind
}

// moment reads a date or time column; in a workbook a real date cell comes as a serial number.
func (r *rowReader) moment(c string) (time.Time, bool) {
	s := r.cell(c)
	if s == "" {
		return time.Time{}, false
	}
	if r.t.raw != nil {
		if raw := r.rawCell(c); plainNumber(raw) {
			v, err := strconv.ParseFloat(raw, 64)
			if err == nil && v >= 1 && v < 2958466 { // 1900-01-01 to 9999-12-31
				t, err := excelize.ExcelDateToTime(v, r.t.date1904)
				if err == nil {
					loc := r.opts.Location
					if loc == nil {
						loc = time.UTC
					}
					y, mo, d := t.Date()
					h, mi, sec := t.Clock()
					return time.Date(y, mo, d, h, mi, sec, 0, loc), true
				}
			}
		}
	}
	t, err := parseTime(s, r.opts.DayFirst, r.opts.Location)
	if err != nil {
		r.fail(c, err)
		return time.Time{}, false
	}
	return t, true
}

func (r *rowReader) date(c string) cairn.Date {
	t, ok := r.moment(c)
	if !ok {
		return cairn.Date{}
	}
	return cairn.DateOf(t)
}

func (r *rowReader) rawCell(c string) string {
	i, ok := r.l.col[c]
	if !ok || r.i >= len(r.t.raw) || i >= len(r.t.raw[r.i]) {
		return ""
	}
	return strings.TrimSpace(r.t.raw[r.i][i])
}

// readRow reads one item row. It reports false for a blank row (and a nil item) or a row with
// problems (and the item as far as it was read).
func readRow(t *table, l *layout, i int, e *Export, p *problems, opts *Options) (*Item, bool) {
	r := &rowReader{t: t, l: l, i: i, row: t.rows[i], p: p, opts: opts}
	blank := true
	for _, v := range r.row {
		if strings.TrimSpace(v) != "" {
			blank = false
			break
		}
	}
	if blank {
		return nil, false
	}
	it := &Item{Pos: Position{Row: r.num()}}

	// In a workbook the Id may be a HYPERLINK formula to the item in Viva Goals, whose shown
	// value is the Id, or empty when the workbook was never recalculated.
	idText := r.cell(colID)
	if t.formula != nil {
		if f := strings.TrimSpace(t.formula(i, l.col[colID])); f != "" {
			_, it.URL, _ = parseIDCell(f)
			if idText == "" {
				idText = f
			}
		}
	}
	if id, url, err := parseIDCell(idText); err != nil {
		r.fail(colID, err)
	} else {
		it.ID = id
		if url != "" {
			it.URL = url
		}
	}

	it.Title = collapseSpace(r.cell(colTitle))
	if it.Title == "" {
		r.fail(colTitle, fmt.Errorf("the title is empty"))
	}
	it.TypeText = collapseSpace(r.cell(colObjectType))
	if k, err := parseKind(it.TypeText, opts.KindNames); err != nil {
		r.fail(colObjectType, err)
	} else {
		it.Kind = k
	}
	it.Description = r.cell(colDescription)
	if name := collapseSpace(r.cell(colPeriod)); name != "" {
		it.Period = Ref{Name: name}
	}
	it.Start = r.date(colStartDate)
	it.End = r.date(colEndDate)
	if !it.Start.IsZero() && !it.End.IsZero() && it.End.Before(it.Start) {
		r.fail(colEndDate, fmt.Errorf("the end date %s is before the start date %s", it.End, it.Start))
	}
	for _, name := range ParseTeams(r.cell(colTeam)) {
		it.Teams = append(it.Teams, Ref{Name: name})
	}
	for _, name := range ParseTeams(r.cell(colTags)) {
		it.Tags = append(it.Tags, Ref{Name: name})
	}
	if name := collapseSpace(r.cell(colCreator)); name != "" {
		it.Creator = Person{Name: name}
	}
	for _, name := range ParseNames(r.cell(colOwner)) {
		it.Owners = append(it.Owners, Person{Name: name})
	}
	if a, err := ParseAlignments(r.cell(colAligned)); err != nil {
		r.fail(colAligned, err)
	} else {
		it.Alignments = a
	}

	readMetric(r, it, e)

	it.Progress, _ = r.number(colProgress)
	it.StatusText = collapseSpace(r.cell(colStatus))
	if s, err := parseStatus(it.StatusText); err != nil {
		r.fail(colStatus, err)
	} else {
		it.Status = s
	}
	if s, err := parseScore(r.cell(colScore)); err != nil {
		r.fail(colScore, err)
	} else {
		it.Score = s
	}
	switch ds := collapseSpace(r.cell(colDataSource)); squash(ds) {
	case "":
	case "rollup", "children", "updatefromchildren", "aligned":
		it.ProgressSource = ProgressChildren
	default:
		if it.DataSource = dataSourceName(ds); it.DataSource != "" {
			it.ProgressSource = ProgressIntegration
		} else {
			it.ProgressSource = ProgressManual
		}
	}
	it.CreatedAt, _ = r.moment(colCreatedAt)
	it.LastCheckIn, _ = r.moment(colLastCheckIn)
	it.LastCheckInNote = r.cell(colLastNote)

	for col := range r.row {
		text := strings.TrimSpace(r.at(col))
		if text == "" || !l.checkInColumn(col) {
			continue
		}
		c, err := ParseCheckIn(text, *opts)
		if err != nil {
			p.add(&RowError{Row: r.num(), Column: colCheckins, Cell: cellRef(col, r.num()), Message: err.Error()})
			r.bad = true
			continue
		}
		c.Pos = it.Pos
		it.CheckIns = append(it.CheckIns, c)
	}
	for col := range r.row {
		if strings.TrimSpace(r.row[col]) == "" {
			continue
		}
		if h, ok := l.extra[col]; ok {
			if it.Extra == nil {
				it.Extra = map[string]string{}
			}
			it.Extra[h] = strings.TrimSpace(r.row[col])
			continue
		}
		if col >= len(l.header) || squash(l.header[col]) == "" {
			if !l.checkInColumn(col) {
				p.add(&RowError{Row: r.num(), Cell: cellRef(col, r.num()), Message: "the cell has no column header, and only check-ins may stand in unlabeled columns after Checkins"})
				r.bad = true
			}
		}
	}
	return it, !r.bad
}

// readMetric reads the metric columns; an item gets a metric when any of them is filled.
func readMetric(r *rowReader, it *Item, e *Export) {
	name := collapseSpace(r.cell(colMetricName))
	unit := collapseSpace(r.cell(colUnit))
	start, k1 := r.number(colStart)
	target, k2 := r.number(colTarget)
	current, k3 := r.number(colActual)
	goal := collapseSpace(r.cell(colGoalType))
	dir, aspirational, known := goalType(goal)
	it.GoalType, it.Aspirational = goal, aspirational
	if !known {
		e.Warnings = append(e.Warnings, &RowError{Row: r.num(), Column: colGoalType, Cell: cellRef(r.l.col[colGoalType], r.num()),
			Message: fmt.Sprintf("Goal Type %s is not one Cairn knows; it is kept as written", quote(goal))})
	}
	if name == "" && unit == "" && start == nil && target == nil && current == nil {
		return
	}
	m := &Metric{Name: name, Unit: unit, Start: start, Target: target, Current: current, Direction: dir}
	m.Kind = metricKind(unit, k1, k2, k3)
	if m.Direction == DirectionUnknown {
		m.Direction = inferDirection(m.Start, m.Target)
	}
	it.Metric = m
}

// metricKind works out a metric's kind from its unit, else from how its values are written.
func metricKind(unit string, hints ...MetricKind) MetricKind {
	if k := unitKind(unit); k != "" {
		return k
	}
	for _, h := range hints {
		if h != "" {
			return h
		}
	}
	return MetricNumber
}

// inferDirection tells a metric's direction from its start and target.
func inferDirection(start, target *float64) Direction {
	switch {
	case start == nil || target == nil || *start == *target:
		return DirectionUnknown
	case *target > *start:
		return DirectionIncrease
	default:
		return DirectionDecrease
	}
}

// colLetters returns the spreadsheet letters of a 0-based column index: 0 is A, 26 is AA.
func colLetters(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// cellRef returns the spreadsheet reference of a 0-based column and a 1-based row, like "B7".
func cellRef(col, row int) string { return colLetters(col) + strconv.Itoa(row) }
