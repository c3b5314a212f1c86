package viva

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultMaxFileSize caps how many bytes one file of an export may hold once uncompressed, when
// Options.MaxFileSize is not set: a guard against compressed bombs, far above any real export.
const DefaultMaxFileSize = 512 << 20

// Options tune a reader. The zero value reads exports as Viva Goals wrote them in English with
// US dates.
type Options struct {
	// Progress, when set, is called with the number of rows (spreadsheet rows, or bundle
	// records) read so far and the total: once with 0 before the first, then after each one.
	// It runs on the reader's goroutine, so it should return quickly.
	Progress func(done, total int)
	// MaxProblems is how many problems to collect before giving up; DefaultMaxProblems if 0.
	MaxProblems int
	// DayFirst reads slashed dates as day/month/year (10/03/2025 is 10 March) instead of
	// month/day/year.
	DayFirst bool
	// Location is the time zone of times written without one; UTC if nil. Dates are read as
	// written and do not depend on it.
	Location *time.Location
	// IntegrationNames adds check-in user names that mean an integration, for integrations
	// the package does not know.
	IntegrationNames []string
	// KindNames maps object type names to kinds, for organizations that renamed Viva Goals'
	// object types (for example "Outcome" to KindKeyResult). Matching ignores case, spaces
	// and punctuation.
	KindNames map[string]Kind
	// DropDangling accepts alignments, check-ins and comments that point at an Id the export
	// does not hold, as an export of a filtered view may, by leaving them out and listing them
	// in Export.Warnings. By default they make the export fail.
	DropDangling bool
	// MaxFileSize caps the uncompressed size of each file read; DefaultMaxFileSize if 0.
	MaxFileSize int64
}

func (o *Options) maxFileSize() int64 {
	if o.MaxFileSize > 0 {
		return o.MaxFileSize
	}
	return DefaultMaxFileSize
}

func (o *Options) progress(done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

// ReadFile reads the export at path: a folder of JSON files, a .zip bundle, an .xlsx workbook or
// a .csv file. It looks at the content, not only the name, to tell them apart.
func ReadFile(path string, opts Options) (*Export, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read Viva Goals export: %w", err)
	}
	if fi.IsDir() {
		return ReadBundle(os.DirFS(path), opts)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return nil, fmt.Errorf("read Viva Goals export: %s is one file of a bundle; give the folder or .zip that holds all of them", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read Viva Goals export: %w", err)
	}
	defer f.Close()
	return Read(filepath.Base(path), f, fi.Size(), opts)
}

// Read reads an export of size bytes from r. A zip archive is an XLSX workbook when it holds
// "[Content_Types].xml" and a JSON bundle otherwise; anything else is read as CSV. The name,
// such as an uploaded file's, is only used in messages.
func Read(name string, r io.ReaderAt, size int64, opts Options) (*Export, error) {
	head := make([]byte, 4)
	n, _ := r.ReadAt(head, 0)
	if n == 4 && bytes.Equal(head, []byte("PK\x03\x04")) {
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return nil, fmt.Errorf("read %s: a damaged zip archive: %w", name, err)
		}
		for _, f := range zr.File {
			if f.Name == "[Content_Types].xml" {
				return ReadXLSX(io.NewSectionReader(r, 0, size), opts)
			}
		}
		return ReadBundle(zr, opts)
	}
	return ReadCSV(io.NewSectionReader(r, 0, size), opts)
}

// columns names, per format, the columns or fields that finalize's messages point at.
type columns struct {
	id, align, checkIns, comments string
}

var (
	tableColumns  = columns{id: colID, align: colAligned, checkIns: colCheckins}
	bundleColumns = columns{id: "ID", align: "Alignment", checkIns: "OKR ID", comments: "OKR ID"}
)

// finalize checks what only the whole export shows (unique Ids, alignments that resolve and do
// not loop) and fills in the lists of people, teams, periods and tags from the items. failed
// holds the Ids of items left out for problems of their own: pointing at them is no further
// problem.
func finalize(e *Export, p *problems, opts *Options, cols columns, failed map[int64]bool) {
	at := func(it *Item, column, format string, args ...any) *RowError {
		return &RowError{File: it.Pos.File, Row: it.Pos.Row, Column: column, Message: fmt.Sprintf(format, args...)}
	}

	// Unique Ids; a repeated item is reported and left out.
	byID := make(map[int64]*Item, len(e.Items))
	kept := e.Items[:0]
	for _, it := range e.Items {
		if first, dup := byID[it.ID]; dup {
			p.add(at(it, cols.id, "Id %d is used twice: also by %s", it.ID, where(first)))
			continue
		}
		byID[it.ID] = it
		kept = append(kept, it)
	}
	e.Items = kept
	e.byID = byID

	// Alignments point at items of the export.
	for _, it := range e.Items {
		var keep []Alignment
		for _, a := range it.Alignments {
			switch _, ok := byID[a.ParentID]; {
			case failed[a.ParentID]:
			case a.ParentID == it.ID:
				p.add(at(it, cols.align, "the item aligns to itself (Id %d)", it.ID))
			case !ok && opts.DropDangling:
				e.Warnings = append(e.Warnings, at(it, cols.align, "dropped the alignment to Id %d (%s), which is not in the export", a.ParentID, quote(a.ParentTitle)))
			case !ok:
				p.add(at(it, cols.align, "aligns to Id %d (%s), which is not in the export", a.ParentID, quote(a.ParentTitle)))
			default:
				keep = append(keep, a)
			}
		}
		it.Alignments = keep
	}

	// Alignments form no cycle.
	if _, stuck := topoOrder(e.Items); len(stuck) > 0 {
		for _, cycle := range cycles(stuck) {
			ids := make([]string, 0, len(cycle)+1)
			for _, it := range cycle {
				ids = append(ids, formatID(it.ID))
			}
			ids = append(ids, formatID(cycle[0].ID))
			p.add(at(cycle[0], cols.align, "alignments form a cycle: %s", strings.Join(ids, " → ")))
		}
	}

	for _, it := range e.Items {
		sort.SliceStable(it.CheckIns, func(i, j int) bool { return checkInBefore(it.CheckIns[i], it.CheckIns[j]) })
		sort.SliceStable(it.Comments, func(i, j int) bool { return it.Comments[i].CreatedAt.Before(it.Comments[j].CreatedAt) })
		if it.ProgressSource == ProgressUnknown && len(it.CheckIns) > 0 {
			// The Explorer export says nothing about progress sources: the latest check-in
			// tells whether an integration was setting the item's progress.
			if last := it.CheckIns[len(it.CheckIns)-1]; last.Integration != "" {
				it.ProgressSource = ProgressIntegration
				it.DataSource = last.Integration
			}
		}
	}
	collectPeople(e)
	collectTeams(e)
	collectPeriods(e)
	collectTags(e)
}

// checkInBefore orders check-ins by date, then by activity time where both have one.
func checkInBefore(a, b CheckIn) bool {
	if a.Date != b.Date {
		return a.Date.Before(b.Date)
	}
	if !a.ActivityAt.IsZero() && !b.ActivityAt.IsZero() {
		return a.ActivityAt.Before(b.ActivityAt)
	}
	return false
}

// where describes an item's place for a message.
func where(it *Item) string {
	if it.Pos.File != "" {
		return fmt.Sprintf("%s record %d", it.Pos.File, it.Pos.Row)
	}
	return fmt.Sprintf("row %d", it.Pos.Row)
}

func formatID(id int64) string { return fmt.Sprintf("%d", id) }

// cycles returns the alignment cycles among items (Tarjan's strongly connected components),
// each starting at its item that comes first in the export.
func cycles(items []*Item) [][]*Item {
	pos := make(map[int64]int, len(items))
	for i, it := range items {
		pos[it.ID] = i
	}
	index := make([]int, len(items))
	low := make([]int, len(items))
	on := make([]bool, len(items))
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out [][]*Item
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, a := range items[v].Alignments {
			w, ok := pos[a.ParentID]
			if !ok {
				continue
			}
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []int
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			on[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) < 2 {
			return
		}
		sort.Ints(comp)
		// Walk the cycle from its first item along alignments inside the component.
		in := map[int]bool{}
		for _, c := range comp {
			in[c] = true
		}
		path := []*Item{items[comp[0]]}
		seen := map[int]bool{comp[0]: true}
		cur := comp[0]
		for {
			stepped := false
			for _, a := range items[cur].Alignments {
				w, ok := pos[a.ParentID]
				if ok && in[w] && !seen[w] {
					path = append(path, items[w])
					seen[w] = true
					cur = w
					stepped = true
					break
				}
			}
			if !stepped {
				break
			}
		}
		out = append(out, path)
	}
	for v := range items {
		if index[v] < 0 {
			visit(v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return pos[out[i][0].ID] < pos[out[j][0].ID] })
	return out
}

// collectPeople lists everyone the items name, after the people already listed (the bundle's
// users), and fills in Ids and emails of item references from that list.
func collectPeople(e *Export) {
	seen := map[string]int{}
	byName := map[string]int{}
	add := func(p *Person) {
		if p.IsZero() {
			return
		}
		if i, ok := seen[p.key()]; ok {
			fill(p, e.People[i])
			return
		}
		if p.ID == 0 && p.Email == "" {
			if i, ok := byName[strings.ToLower(p.Name)]; ok {
				fill(p, e.People[i])
				return
			}
		}
		seen[p.key()] = len(e.People)
		if p.Name != "" {
			if _, ok := byName[strings.ToLower(p.Name)]; !ok {
				byName[strings.ToLower(p.Name)] = len(e.People)
			}
		}
		e.People = append(e.People, *p)
	}
	listed := e.People
	e.People = nil
	for i := range listed {
		add(&listed[i])
	}
	for _, it := range e.Items {
		add(&it.Creator)
		for i := range it.Owners {
			add(&it.Owners[i])
		}
		for i := range it.CheckInOwners {
			add(&it.CheckInOwners[i])
		}
		for i := range it.CheckIns {
			if it.CheckIns[i].Integration == "" {
				add(&it.CheckIns[i].Author)
			}
		}
		for i := range it.Comments {
			add(&it.Comments[i].Author)
		}
	}
	for i := range e.Teams {
		for j := range e.Teams[i].Owners {
			add(&e.Teams[i].Owners[j])
		}
	}
}

// fill completes a reference to a person from the listed person it matched.
func fill(p *Person, listed Person) {
	if p.ID == 0 {
		p.ID = listed.ID
	}
	if p.Email == "" {
		p.Email = listed.Email
	}
	if p.Name == "" {
		p.Name = listed.Name
	}
}

// collectTeams adds the teams the items name that the export did not list.
func collectTeams(e *Export) {
	index := refIndex(len(e.Teams), func(i int) (int64, string) { return e.Teams[i].ID, e.Teams[i].Name })
	for _, it := range e.Items {
		for i := range it.Teams {
			if j, ok := index.find(&it.Teams[i]); ok {
				it.Teams[i].Name = e.Teams[j].Name
				continue
			}
			index.add(it.Teams[i], len(e.Teams))
			e.Teams = append(e.Teams, Team{ID: it.Teams[i].ID, Name: it.Teams[i].Name})
		}
	}
}

// collectTags adds the tags the items name that the export did not list.
func collectTags(e *Export) {
	index := refIndex(len(e.Tags), func(i int) (int64, string) { return e.Tags[i].ID, e.Tags[i].Name })
	for _, it := range e.Items {
		for i := range it.Tags {
			if j, ok := index.find(&it.Tags[i]); ok {
				it.Tags[i].Name = e.Tags[j].Name
				continue
			}
			index.add(it.Tags[i], len(e.Tags))
			e.Tags = append(e.Tags, Tag{ID: it.Tags[i].ID, Name: it.Tags[i].Name})
		}
	}
}

// collectPeriods adds the periods the items name that the export did not list, with dates
// derived from their items.
func collectPeriods(e *Export) {
	index := refIndex(len(e.Periods), func(i int) (int64, string) { return e.Periods[i].ID, e.Periods[i].Name })
	derived := map[int]bool{}
	for _, it := range e.Items {
		if it.Period.ID == 0 && it.Period.Name == "" {
			continue
		}
		j, ok := index.find(&it.Period)
		if ok {
			it.Period.Name = e.Periods[j].Name
		} else {
			j = len(e.Periods)
			index.add(it.Period, j)
			e.Periods = append(e.Periods, Period{ID: it.Period.ID, Name: it.Period.Name, Derived: true})
			derived[j] = true
		}
		if !derived[j] {
			continue
		}
		p := &e.Periods[j]
		if !it.Start.IsZero() && (p.Start.IsZero() || it.Start.Before(p.Start)) {
			p.Start = it.Start
		}
		if !it.End.IsZero() && (p.End.IsZero() || p.End.Before(it.End)) {
			p.End = it.End
		}
	}
}

// refs finds listed entities by Id, or by name when a reference has no Id.
type refs struct {
	byID   map[int64]int
	byName map[string]int
}

func refIndex(n int, at func(i int) (int64, string)) *refs {
	r := &refs{byID: map[int64]int{}, byName: map[string]int{}}
	for i := 0; i < n; i++ {
		id, name := at(i)
		r.add(Ref{ID: id, Name: name}, i)
	}
	return r
}

func (r *refs) add(ref Ref, i int) {
	if ref.ID != 0 {
		r.byID[ref.ID] = i
	}
	if k := strings.ToLower(ref.Name); k != "" {
		if _, ok := r.byName[k]; !ok {
			r.byName[k] = i
		}
	}
}

func (r *refs) find(ref *Ref) (int, bool) {
	if ref.ID != 0 {
		i, ok := r.byID[ref.ID]
		return i, ok
	}
	i, ok := r.byName[strings.ToLower(ref.Name)]
	return i, ok
}

// errEmpty is the message for an export with nothing in it.
var errEmpty = errors.New("the file is empty: a Viva Goals export starts with a header row")
