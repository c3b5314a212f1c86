package viva

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ReadCSV reads the Explorer export saved as CSV. The file is UTF-8, with or without a byte
// order mark; its delimiter is a comma, or a semicolon or tab when the header row uses one
// instead (as spreadsheets set to some languages save). The whole file is held in memory.
func ReadCSV(r io.Reader, opts Options) (*Export, error) {
	br := bufio.NewReaderSize(&capped{r: r, left: opts.maxFileSize()}, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, one(&RowError{Row: 1, Message: "the file is UTF-16 text; save it as CSV UTF-8"})
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(br)
	cr.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			msg := err.Error()
			if errors.Is(err, errTooLarge) {
				msg = fmt.Sprintf("the file is larger than %d bytes", opts.maxFileSize())
			} else if errors.As(err, &pe) {
				msg = fmt.Sprintf("the CSV is malformed near line %d: %v", pe.Line, pe.Err)
			}
			return nil, one(&RowError{Row: len(rows) + 1, Message: msg})
		}
		for i, f := range rec {
			if !utf8.ValidString(f) {
				return nil, one(&RowError{Row: len(rows) + 1, Cell: cellRef(i, len(rows)+1), Message: "the text is not UTF-8; save the file as CSV UTF-8"})
			}
		}
		rows = append(rows, rec)
	}
	return readTable(&table{rows: rows}, FormatCSV, opts)
}

// sniffDelimiter picks the delimiter of the header row: the most frequent of comma, semicolon
// and tab outside quotes, comma on a tie.
func sniffDelimiter(br *bufio.Reader) rune {
	buf, _ := br.Peek(br.Size())
	counts := map[byte]int{}
	quoted := false
	for _, b := range buf {
		if b == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if b == '\n' {
			break
		}
		if b == ',' || b == ';' || b == '\t' {
			counts[b]++
		}
	}
	best := byte(',')
	for _, b := range []byte{';', '\t'} {
		if counts[b] > counts[best] {
			best = b
		}
	}
	return rune(best)
}

// one returns a ParseError of a single problem.
func one(e *RowError) error { return &ParseError{Problems: []*RowError{e}} }

// errTooLarge is returned by capped past its limit.
var errTooLarge = errors.New("the file is too large")

// capped reads from r until left bytes are read, then fails with errTooLarge, so that a file
// too large is refused rather than cut short.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errTooLarge
	}
	return n, err
}
