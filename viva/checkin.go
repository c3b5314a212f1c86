package viva

import (
	"errors"
	"fmt"
	"strings"
)

// The labels of a check-in cell, in the order Viva Goals writes them.
const (
	labelDate     = "Checkin Date"
	labelUser     = "User"
	labelNote     = "Note"
	labelMetric   = "Metric Name"
	labelStatus   = "Status"
	labelValue    = "Current Value"
	labelActivity = "Activity Date"
)

// tailLabels come after the note, last first: they are found from the end of the cell so that
// a note may hold anything, semicolons and line breaks included.
var tailLabels = []string{labelActivity, labelValue, labelStatus, labelMetric}

// ParseCheckIn reads one check-in cell of the Explorer export, such as
//
//	Checkin Date: 2025-03-10; User: Roland Green; Note: …; Metric Name: Progress;
//	Status: On Track; Current Value: 25%; Activity Date: 2025-03-10 20:57:08 UTC;
//
// The cell is split on its labels, never on semicolons alone: "Checkin Date" must come first,
// "User" and "Note" are read from the front, and "Metric Name", "Status", "Current Value" and
// "Activity Date" from the back, so the note between them may hold semicolons, line breaks and
// label-like text. Labels other than "Checkin Date" may be missing; those present must be in
// Viva Goals' order. Dates follow opts.DayFirst, and a time without a zone is in opts.Location.
// The check-in's Integration is set by the rule in the package documentation.
func ParseCheckIn(cell string, opts Options) (CheckIn, error) {
	var c CheckIn
	s := strings.TrimSpace(cell)
	pos, ok := labelAt(s, 0, labelDate)
	if !ok {
		return c, fmt.Errorf("cannot read check-in %s: it must start with \"%s:\"", quote(cell), labelDate)
	}

	// The tail, from the back.
	end := len(s)
	for end > 0 && (s[end-1] == ';' || isSpace(s[end-1])) {
		end--
	}
	tail := map[string]string{}
	headEnd := end
	for _, label := range tailLabels {
		semi, after, found := lastLabel(s, pos, headEnd, label)
		if !found {
			continue
		}
		tail[label] = strings.TrimSpace(s[after:headEnd])
		headEnd = semi
	}

	// The head, from the front: the date, then the user, then the note.
	dateEnd := strings.IndexByte(s[pos:headEnd], ';')
	if dateEnd < 0 {
		dateEnd = headEnd
	} else {
		dateEnd += pos
	}
	dateText := strings.TrimSpace(s[pos:dateEnd])
	if dateText == "" {
		return c, errors.New("the check-in has no date")
	}
	date, err := parseDate(dateText, opts.DayFirst)
	if err != nil {
		return c, fmt.Errorf("check-in date: %w", err)
	}
	c.Date = date

	rest := dateEnd
	if rest < headEnd {
		rest++ // the ';' after the date
	}
	if p, ok := labelAt(s[:headEnd], rest, labelUser); ok {
		userEnd := strings.IndexByte(s[p:headEnd], ';')
		if userEnd < 0 {
			userEnd = headEnd
		} else {
			userEnd += p
		}
		c.Author.Name = collapseSpace(s[p:userEnd])
		rest = userEnd
		if rest < headEnd {
			rest++
		}
	}
	if p, ok := labelAt(s[:headEnd], rest, labelNote); ok {
		c.Note = strings.TrimSpace(s[p:headEnd])
	} else if extra := strings.TrimSpace(s[rest:headEnd]); extra != "" {
		return c, fmt.Errorf("cannot read %s in check-in of %s: expected \"%s:\" or \"%s:\"", quote(extra), dateText, labelUser, labelNote)
	}

	c.MetricName = collapseSpace(tail[labelMetric])
	c.StatusText = collapseSpace(tail[labelStatus])
	if c.Status, err = parseStatus(c.StatusText); err != nil {
		return c, fmt.Errorf("check-in of %s: %w", dateText, err)
	}
	c.ValueText = tail[labelValue]
	if v, ok, _, err := parseNumber(c.ValueText); err != nil {
		return c, fmt.Errorf("check-in of %s: current value: %w", dateText, err)
	} else if ok {
		c.Value = &v
	}
	if a := tail[labelActivity]; a != "" {
		if c.ActivityAt, err = parseTime(a, opts.DayFirst, opts.Location); err != nil {
			return c, fmt.Errorf("check-in of %s: activity date: %w", dateText, err)
		}
	}
	c.Integration = detectIntegration(c.Author.Name, c.Note, opts.IntegrationNames)
	return c, nil
}

// labelAt reports whether s, from i on and after white space, starts with "label:", and where
// the value after the colon begins. "Checkin Date" may also be written "Check-in Date" or
// "Check in Date".
func labelAt(s string, i int, label string) (int, bool) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if label == labelDate {
		for _, spelling := range []string{"Checkin Date", "Check-in Date", "Check in Date"} {
			if j, ok := matchLabel(s, i, spelling); ok {
				return j, true
			}
		}
		return 0, false
	}
	return matchLabel(s, i, label)
}

// matchLabel matches label case-insensitively at s[i:], with any run of white space for each
// space in label, then optional white space and a colon; it returns the index after the colon.
func matchLabel(s string, i int, label string) (int, bool) {
	j := i
	for k := 0; k < len(label); k++ {
		if label[k] == ' ' {
			if j >= len(s) || !isSpace(s[j]) {
				return 0, false
			}
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			continue
		}
		if j >= len(s) || lower(s[j]) != lower(label[k]) {
			return 0, false
		}
		j++
	}
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != ':' {
		return 0, false
	}
	return j + 1, true
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// lastLabel finds the last "; label:" in s[from:to] and returns the index of its ';' and of the
// value after its colon.
func lastLabel(s string, from, to int, label string) (semi, after int, found bool) {
	for i := to - 1; i >= from; i-- {
		if s[i] != ';' {
			continue
		}
		if a, ok := labelAt(s[:to], i+1, label); ok {
			return i, a, true
		}
	}
	return 0, 0, false
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}
