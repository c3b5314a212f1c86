package wiql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// vkind classifies a field value.
type vkind uint8

const (
	vNull vkind = iota
	vBool
	vNumber
	vTime
	vString
)

// val is a field value in a form comparisons can use without type switches.
type val struct {
	kind vkind
	b    bool
	f    float64
	t    time.Time
	s    string
}

// toVal converts a stored field value. Empty strings are unset; strings in
// date fields are read as dates when they parse.
func toVal(v any, dateField bool) val {
	switch x := v.(type) {
	case nil:
		return val{}
	case string:
		if x == "" {
			return val{}
		}
		if dateField {
			if t, _, ok := parseDate(x, time.UTC); ok {
				return val{kind: vTime, t: t}
			}
		}
		return val{kind: vString, s: x}
	case float64:
		return val{kind: vNumber, f: x}
	case int:
		return val{kind: vNumber, f: float64(x)}
	case int64:
		return val{kind: vNumber, f: float64(x)}
	case int32:
		return val{kind: vNumber, f: float64(x)}
	case float32:
		return val{kind: vNumber, f: float64(x)}
	case uint:
		return val{kind: vNumber, f: float64(x)}
	case uint64:
		return val{kind: vNumber, f: float64(x)}
	case bool:
		return val{kind: vBool, b: x}
	case time.Time:
		if x.IsZero() {
			return val{}
		}
		return val{kind: vTime, t: x}
	case *time.Time:
		if x == nil || x.IsZero() {
			return val{}
		}
		return val{kind: vTime, t: *x}
	case fmt.Stringer:
		return toVal(x.String(), dateField)
	}
	return toVal(fmt.Sprint(v), dateField)
}

// lit is a right-hand-side value prepared for every way it may be compared.
type lit struct {
	null    bool // '' : matches unset
	s       string
	isNum   bool
	num     float64
	isBool  bool
	b       bool
	isDate  bool
	dayOnly bool // the date has no time of day: compare by day
	t       time.Time
	tEnd    time.Time // with dayOnly, the start of the next day
	idName  string    // identity display name, when s is "Name <upn>"
	idUPN   string
}

// newStringLit prepares a text value; loc is where day-only dates live.
func newStringLit(s string, loc *time.Location) lit {
	l := lit{s: s, null: s == ""}
	if l.null {
		return l
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		l.isNum, l.num = true, f
	}
	if b, err := strconv.ParseBool(s); err == nil && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")) {
		l.isBool, l.b = true, b
	}
	if t, hasTime, ok := parseDate(s, loc); ok {
		l.isDate, l.t, l.dayOnly = true, t, !hasTime
		l.tEnd = t.AddDate(0, 0, 1)
	}
	l.idName, l.idUPN = splitIdentity(s)
	return l
}

func newNumberLit(f float64, text string) lit {
	return lit{s: text, isNum: true, num: f}
}

func newBoolLit(b bool) lit {
	return lit{s: strconv.FormatBool(b), isBool: true, b: b}
}

func newDayLit(t time.Time) lit {
	return lit{s: t.Format("2006-01-02"), isDate: true, dayOnly: true, t: t, tEnd: t.AddDate(0, 0, 1)}
}

// splitIdentity splits "Display Name <upn>" into its parts; for other text
// both results are "".
func splitIdentity(s string) (name, upn string) {
	if !strings.HasSuffix(s, ">") {
		return "", ""
	}
	i := strings.LastIndexByte(s, '<')
	if i < 0 {
		return "", ""
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1 : len(s)-1])
}

// identityEqual reports whether the stored identity v matches l: the whole
// text, the display name or the upn, case-insensitively.
func identityEqual(v string, l *lit) bool {
	if strings.EqualFold(v, l.s) {
		return true
	}
	vName, vUPN := splitIdentity(v)
	switch {
	case l.idUPN != "" && vUPN != "":
		return strings.EqualFold(vUPN, l.idUPN)
	case l.idUPN != "":
		return strings.EqualFold(v, l.idUPN) || strings.EqualFold(v, l.idName)
	case vUPN != "":
		return strings.EqualFold(vUPN, l.s) || strings.EqualFold(vName, l.s)
	}
	return false
}

// cmpLit compares a set value with l. ok is false when they cannot be
// compared (such as a number with non-numeric text).
func cmpLit(v *val, l *lit) (c int, ok bool) {
	switch v.kind {
	case vString:
		return compareFold(v.s, l.s), true
	case vNumber:
		if !l.isNum {
			return 0, false
		}
		return cmpFloat(v.f, l.num), true
	case vTime:
		if !l.isDate {
			return 0, false
		}
		if l.dayOnly {
			// Same as comparing the value's day in l's location with l's day.
			switch {
			case v.t.Before(l.t):
				return -1, true
			case v.t.Before(l.tEnd):
				return 0, true
			}
			return 1, true
		}
		return v.t.Compare(l.t), true
	case vBool:
		if !l.isBool {
			return compareFold(strconv.FormatBool(v.b), l.s), true
		}
		return cmpBool(v.b, l.b), true
	}
	return 0, false
}

// cmpVals orders two values: unset first, then by kind, then by value;
// strings compare case-insensitively. ok is false when kinds differ.
func cmpVals(a, b *val) (c int, ok bool) {
	if a.kind != b.kind {
		switch {
		case a.kind == vNull || b.kind == vNull:
		case b.kind == vString:
			// A typed value compared with text: read the text as that type.
			l := newStringLit(b.s, time.UTC)
			return cmpLit(a, &l)
		case a.kind == vString:
			l := newStringLit(a.s, time.UTC)
			c, ok = cmpLit(b, &l)
			return -c, ok
		}
		return cmpInt(int(a.kind), int(b.kind)), false
	}
	switch a.kind {
	case vString:
		return compareFold(a.s, b.s), true
	case vNumber:
		return cmpFloat(a.f, b.f), true
	case vTime:
		return a.t.Compare(b.t), true
	case vBool:
		return cmpBool(a.b, b.b), true
	}
	return 0, true
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// compareFold compares strings case-insensitively without allocating for
// ASCII text.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return strings.Compare(strings.ToLower(a[i:]), strings.ToLower(b[i:]))
		}
		ca, cb = lowerASCII(ca), lowerASCII(cb)
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return cmpInt(len(a), len(b))
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// containsFold reports whether sub occurs in s, ignoring case.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	if !isASCII(s) || !isASCII(sub) {
		return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
	}
	n := len(sub)
	first := lowerASCII(sub[0])
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) != first {
			continue
		}
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// containsWords reports whether the words of phrase occur in s as whole
// words, ignoring case.
func containsWords(s, phrase string) bool {
	phrase = strings.ToLower(strings.TrimSpace(phrase))
	if phrase == "" {
		return true
	}
	ls := strings.ToLower(s)
	for from := 0; from <= len(ls); {
		i := strings.Index(ls[from:], phrase)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(phrase)
		before, _ := utf8.DecodeLastRuneInString(ls[:i])
		after, _ := utf8.DecodeRuneInString(ls[end:])
		if (i == 0 || !isWordRune(before)) && (end == len(ls) || !isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(ls[i:])
		from = i + size
	}
	return false
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// hasTag reports whether the "a; b; c" tag list holds tag, ignoring case.
func hasTag(tags, tag string) bool {
	tag = strings.TrimSpace(tag)
	for tags != "" {
		var t string
		t, tags, _ = strings.Cut(tags, ";")
		if strings.EqualFold(strings.TrimSpace(t), tag) {
			return true
		}
	}
	return false
}

// underPath reports whether path equals root or lies below it (\ separated), ignoring case.
func underPath(path, root string) bool {
	root = strings.TrimRight(root, `\`)
	if len(path) < len(root) || !strings.EqualFold(path[:len(root)], root) {
		return false
	}
	return len(path) == len(root) || path[len(root)] == '\\'
}

// parseDate reads a date literal. Values without a zone are taken in loc.
func parseDate(s string, loc *time.Location) (t time.Time, hasTime, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) < 6 || s[0] < '0' || s[0] > '9' && !unicode.IsLetter(rune(s[0])) {
		return time.Time{}, false, false
	}
	// The date spellings WIQL accepts, most specific first.
	dateLayouts := [...]struct {
		layout  string
		hasTime bool
	}{
		{time.RFC3339Nano, true},
		{"2006-01-02T15:04:05.999999999", true},
		{"2006-01-02T15:04", true},
		{"2006-01-02 15:04:05.999999999", true},
		{"2006-01-02 15:04", true},
		{"2006-01-02", false},
		{"2006/01/02", false},
		{"1/2/2006 15:04:05", true},
		{"1/2/2006 3:04:05 PM", true},
		{"1/2/2006 3:04 PM", true},
		{"1/2/2006 15:04", true},
		{"1/2/2006", false},
		{"January 2, 2006", false},
		{"2 January 2006", false},
	}
	for _, d := range dateLayouts {
		if t, err := time.ParseInLocation(d.layout, s, loc); err == nil {
			return t, d.hasTime, true
		}
	}
	return time.Time{}, false, false
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
