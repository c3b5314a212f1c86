package viva

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultMaxProblems is how many problems a reader collects before it stops reading, when
// Options.MaxProblems is not set.
const DefaultMaxProblems = 100

// RowError is one problem in an export, placed where a person can find it.
//
// In a CSV or XLSX export, Row is the row number a spreadsheet shows (the header is row 1, the
// first item row 2) and Column is the column's header; Cell is the spreadsheet reference of the
// cell, such as "AB7", which tells apart the unlabeled check-in columns. In a JSON bundle, File
// is the file inside the bundle, Row is the 1-based position of the record in that file's array
// and Column the field, with nested fields joined by dots ("Outcome.Target"). Row is 0 for a
// problem with a whole file.
type RowError struct {
	File    string `json:"file,omitempty"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
	Cell    string `json:"cell,omitempty"`
	Message string `json:"message"`
}

// Error says where the problem is and what it is.
func (e *RowError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Row > 0 {
		if e.File != "" {
			b.WriteString("record ")
		} else {
			b.WriteString("row ")
		}
		b.WriteString(strconv.Itoa(e.Row))
	}
	if e.Column != "" {
		if e.Row > 0 {
			b.WriteString(", ")
		}
		if e.File != "" {
			b.WriteString("field ")
		} else {
			b.WriteString("column ")
		}
		b.WriteString(strconv.Quote(e.Column))
	}
	if e.Cell != "" {
		b.WriteString(" (cell ")
		b.WriteString(e.Cell)
		b.WriteString(")")
	}
	if b.Len() > 0 && !strings.HasSuffix(b.String(), ": ") {
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// ParseError is returned when an export cannot be read. It lists every problem found, in the
// order of the file, up to Options.MaxProblems; Truncated reports that reading stopped there and
// more problems may follow.
type ParseError struct {
	Problems  []*RowError
	Truncated bool
}

// Error summarizes the problems: the first few in full, then how many more there are.
func (e *ParseError) Error() string {
	const shown = 3
	var b strings.Builder
	n := len(e.Problems)
	switch {
	case n == 1 && !e.Truncated:
		b.WriteString("the file is not a Viva Goals export Cairn can read: ")
	default:
		more := ""
		if e.Truncated {
			more = " or more"
		}
		fmt.Fprintf(&b, "the file is not a Viva Goals export Cairn can read (%d%s problems): ", n, more)
	}
	for i, p := range e.Problems {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", n-shown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems, so that errors.As finds a *RowError.
func (e *ParseError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// problems collects RowErrors up to a limit.
type problems struct {
	n         int // problems added, past the limit too
	list      []*RowError
	max       int
	truncated bool
}

func newProblems(max int) *problems {
	if max <= 0 {
		max = DefaultMaxProblems
	}
	return &problems{max: max}
}

// add records a problem; past the limit it only marks the list truncated.
func (p *problems) add(e *RowError) {
	p.n++
	if len(p.list) >= p.max {
		p.truncated = true
		return
	}
	p.list = append(p.list, e)
}

// full reports whether the limit is reached, so that readers can stop early.
func (p *problems) full() bool { return len(p.list) >= p.max }

// err returns the collected problems as a *ParseError, or nil when there are none.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ParseError{Problems: p.list, Truncated: p.truncated}
}
