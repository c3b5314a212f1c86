package ui

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
	"github.com/cairn-okr/cairn/viva"
)

func funcs(u *UI) template.FuncMap {
	return template.FuncMap{
		"pct":         pct,
		"num":         num,
		"statusLabel": statusLabel,
		"statusClass": statusClass,
		"initials":    initials,
		"ago":         func(t time.Time) string { return ago(u.now(), t) },
		"agoPtr": func(t *time.Time) string {
			if t == nil {
				return "never"
			}
			return ago(u.now(), *t)
		},
		"date":     func(t time.Time) string { return t.Format("2 Jan 2006") },
		"datetime": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"barWidth": barWidth,
		"add":      func(a, b int) int { return a + b },
		"kindPath": kindPath,
		"kindName": kindName,
		"glyph":    glyph,
		"hasField": func(errs map[string]string, f string) bool { _, ok := errs[f]; return ok },
		"errID": func(f string) string {
			return "err-" + strings.NewReplacer(".", "-", "_", "-", "[", "-", "]", "").Replace(f)
		},
		"eqi64": func(a, b int64) bool { return a == b },
		"contains": func(ids []int64, id int64) bool {
			for _, x := range ids {
				if x == id {
					return true
				}
			}
			return false
		},
		"sel": func(m map[int64]bool, id int64) bool { return m[id] },
		"cadence": func(prefix string, c cairn.Cadence) cadenceFields {
			return cadenceFields{P: prefix, C: c, W: weekdays}
		},
		"withD": func(v *view, d any) *view {
			c := *v
			c.D = d
			return &c
		},
		"deref": func(f *float64) float64 {
			if f == nil {
				return 0
			}
			return *f
		},
		"newFormID": newFormID,
		"derefInt": func(n *int) int {
			if n == nil {
				return 0
			}
			return *n
		},
		"derefTime": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		"confidences": func() []int {
			out := make([]int, 0, cairn.MaxConfidence)
			for n := cairn.MinConfidence; n <= cairn.MaxConfidence; n++ {
				out = append(out, n)
			}
			return out
		},
		"statuses":        func() []statusOption { return statusOptions },
		"closingStatuses": func() []statusOption { return closingOptions },
		"fe": func(errs map[string]string, field string) fieldErr {
			return fieldErr{ID: "err-" + strings.NewReplacer(".", "-", "_", "-", "[", "-", "]", "").Replace(field), Msg: errs[field]}
		},
		"list":    func(s ...string) []string { return s },
		"lower":   strings.ToLower,
		"nodeCtx": func(n *node, org string, q template.URL) nodeCtx { return nodeCtx{N: n, Org: org, Q: q} },
		// The import page's.
		"maxImport":  func() int64 { return MaxImportSize },
		"size":       sizeText,
		"formatName": formatName,
		"vivaGlyph":  func(k viva.Kind) string { return glyph(cairn.ItemType(k)) },
		"weight":     weightText,
		"where":      whereText,
		"plural":     plural,
	}
}

// fieldErr is a field's error message and the id its input points at.
type fieldErr struct{ ID, Msg string }

// nodeCtx is what the recursive row template needs at every level.
type nodeCtx struct {
	N   *node
	Org string
	Q   template.URL
}

func statusOf(v any) progress.Status {
	switch s := v.(type) {
	case progress.Status:
		return s
	case string:
		return progress.Status(s)
	}
	return progress.NotStarted
}

func statusLabel(v any) string {
	switch s := statusOf(v); s {
	case progress.OnTrack:
		return "On track"
	case progress.Behind:
		return "Behind"
	case progress.AtRisk:
		return "At risk"
	case "closed":
		return "Closed"
	}
	return "Not started"
}

func statusClass(v any) string {
	switch s := statusOf(v); s {
	case progress.OnTrack, progress.Behind, progress.AtRisk, "closed":
		return "st-" + strings.ReplaceAll(string(s), "_", "-")
	}
	return "st-not-started"
}

// initials returns up to two letters of a name for an avatar.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// ago says how long before now t was, in words people read at a glance.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		if future {
			return "in a moment"
		}
		return "just now"
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%d h", int(d/time.Hour))
	default:
		s = fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// kindPath is the URL segment of an item type.
func kindPath(t cairn.ItemType) string {
	switch t {
	case cairn.ItemKeyResult:
		return "key-results"
	case cairn.ItemInitiative:
		return "initiatives"
	}
	return "objectives"
}

// kindName is an item type for people.
func kindName(t cairn.ItemType) string {
	switch t {
	case cairn.ItemKeyResult:
		return "Key result"
	case cairn.ItemInitiative:
		return "Initiative"
	}
	return "Objective"
}

// glyph is the short type mark of a row.
func glyph(t cairn.ItemType) string {
	switch t {
	case cairn.ItemKeyResult:
		return "KR"
	case cairn.ItemInitiative:
		return "IN"
	}
	return "O"
}

// itemType parses a URL segment into an item type.
func itemType(seg string) (cairn.ItemType, bool) {
	switch seg {
	case "objectives":
		return cairn.ItemObjective, true
	case "key-results":
		return cairn.ItemKeyResult, true
	case "initiatives":
		return cairn.ItemInitiative, true
	}
	return "", false
}
