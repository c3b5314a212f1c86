package viva

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cairn-okr/cairn"
)

// This file holds the parsers of single cells and fields, shared by the spreadsheet and the
// bundle readers. They return plain errors; the readers place them at a row and column.

// ParseNumber reads a number as Viva Goals writes it: "25", "25%", "1,200", "$1,200.50",
// "-3.5", "(12)" or "1.5e3". The percent sign, currency symbols or codes and thousands
// separators are dropped, so "25%" is 25, not 0.25. An empty cell gives ok == false and no error.
// A comma is read only as a thousands separator between groups of three digits, so "1,5" is an
// error rather than a guess.
func ParseNumber(s string) (v float64, ok bool, err error) {
	v, ok, _, err = parseNumber(s)
	return v, ok, err
}

var (
	groupedNumberRE = regexp.MustCompile(`^\d{1,3}(?:,\d{3})+(?:\.\d*)?$`)
	currencyCodeRE  = regexp.MustCompile(`^(?:[A-Z]{3}\s+|[A-Z]{2}\$)|\s+[A-Z]{3}$`)
)

// plainNumber reports whether s is digits with an optional fraction and exponent, such as
// "12", "12.5", ".5" or "1.5e3": what strconv.ParseFloat should be given, and no more (it also
// takes "NaN", "Inf", hexadecimal and underscores).
func plainNumber(s string) bool {
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// hasUpper reports whether s holds an ASCII capital, which a currency code needs.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// currencySymbols are stripped from either end of a number and mark it as money.
var currencySymbols = []string{"$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "฿", "₫", "₱", "₦", "₴", "¢"}

// parseNumber is ParseNumber that also reports what the way of writing suggests: a
// percentage for "%", a currency for a currency symbol or code.
func parseNumber(s string) (float64, bool, MetricKind, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, false, "", nil
	}
	bad := func() (float64, bool, MetricKind, error) {
		return 0, false, "", fmt.Errorf("%s is not a number", quote(s))
	}
	var kind MetricKind
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg = true
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	sign := func() {
		switch {
		case strings.HasPrefix(t, "-"):
			neg = !neg
			t = strings.TrimSpace(t[1:])
		case strings.HasPrefix(t, "−"): // U+2212 minus sign
			neg = !neg
			t = strings.TrimSpace(t[len("−"):])
		case strings.HasPrefix(t, "+"):
			t = strings.TrimSpace(t[1:])
		}
	}
	sign()
	if strings.HasSuffix(t, "%") {
		kind = MetricPercentage
		t = strings.TrimSpace(t[:len(t)-1])
	}
	if !hasUpper(t) {
		// No currency code.
	} else if loc := currencyCodeRE.FindStringIndex(t); loc != nil {
		kind = MetricCurrency
		t = strings.TrimSpace(t[:loc[0]] + t[loc[1]:])
	}
	for _, sym := range currencySymbols {
		if strings.HasPrefix(t, sym) {
			kind = MetricCurrency
			t = strings.TrimSpace(t[len(sym):])
			break
		}
		if strings.HasSuffix(t, sym) {
			kind = MetricCurrency
			t = strings.TrimSpace(t[:len(t)-len(sym)])
			break
		}
	}
	if kind == MetricCurrency {
		sign() // "$-5" as well as "-$5"
	}
	if strings.Contains(t, ",") {
		if !groupedNumberRE.MatchString(t) {
			return bad()
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	if !plainNumber(t) {
		return bad()
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return bad()
	}
	if neg {
		v = -v
	}
	return v, true, kind, nil
}

// parseScore reads a closing score: a fraction between 0 and 1, or a percentage ("70%").
func parseScore(s string) (*float64, error) {
	v, ok, kind, err := parseNumber(s)
	if err != nil || !ok {
		return nil, err
	}
	if kind == MetricPercentage {
		v /= 100
	}
	if v < 0 || v > 1 {
		return nil, fmt.Errorf("score %s is not between 0 and 1", quote(s))
	}
	return &v, nil
}

// parseWeight reads an alignment weight such as "14.29%" or "14.29" (percent, 0 to 100).
func parseWeight(s string) (float64, error) {
	v, ok, kind, err := parseNumber(s)
	if err != nil || !ok || kind == MetricCurrency {
		return 0, fmt.Errorf("weight %s is not a percentage", quote(s))
	}
	if v < 0 || v > 100 {
		return 0, fmt.Errorf("weight %s is not between 0%% and 100%%", quote(s))
	}
	return v, nil
}

// ParseNames splits a list of people such as "Ram Sagoo, Roland Green". Names are separated by
// commas, semicolons or line breaks; blanks and repeats are dropped. A name written
// "Green, Roland" therefore reads as two names: the Explorer export gives no way to tell.
func ParseNames(cell string) []string {
	return splitList(cell, ",;\n\r")
}

// ParseTeams splits a list of teams such as "Sales; Marketing". Teams are separated by
// semicolons or line breaks, so team names may contain commas; blanks and repeats are dropped.
func ParseTeams(cell string) []string {
	return splitList(cell, ";\n\r")
}

func splitList(cell, seps string) []string {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		part = collapseSpace(part)
		if part == "" || seen[strings.ToLower(part)] {
			continue
		}
		seen[strings.ToLower(part)] = true
		out = append(out, part)
	}
	return out
}

// collapseSpace trims s and turns every run of white space inside it into one space.
func collapseSpace(s string) string {
	clean := s == "" || !isSpace(s[0]) && !isSpace(s[len(s)-1])
	for i := 0; clean && i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c != ' ' && isSpace(c) || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			clean = false
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// parseID reads a Viva Id: a positive whole number, also when a spreadsheet wrote it "123.0".
func parseID(s string) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, ".0")
	if t == "" {
		return 0, errors.New("the Id is empty")
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("the Id %s is not a whole number", quote(s))
		}
	}
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("the Id %s is not a positive whole number", quote(s))
	}
	return id, nil
}

var hyperlinkRE = regexp.MustCompile(`(?is)^=?\s*HYPERLINK\(\s*"((?:[^"]|"")*)"\s*[,;]\s*(?:"((?:[^"]|"")*)"|([0-9.]+))\s*\)$`)

// parseIDCell reads the Id column: a number, or a HYPERLINK("url", "id") formula, which gives the
// link to the item in Viva Goals as well.
func parseIDCell(s string) (int64, string, error) {
	if m := hyperlinkRE.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		label := m[2] + m[3]
		id, err := parseID(strings.ReplaceAll(label, `""`, `"`))
		return id, strings.ReplaceAll(m[1], `""`, `"`), err
	}
	id, err := parseID(s)
	return id, "", err
}

// parseStatus reads a status as Viva Goals writes it ("On Track", "At risk", "Closed").
func parseStatus(s string) (Status, error) {
	switch squash(s) {
	case "":
		return StatusNone, nil
	case "notstarted", "notyetstarted":
		return StatusNotStarted, nil
	case "ontrack":
		return StatusOnTrack, nil
	case "behind":
		return StatusBehind, nil
	case "atrisk":
		return StatusAtRisk, nil
	case "closed", "completed", "done":
		return StatusClosed, nil
	}
	return "", fmt.Errorf("status %s is not one of Not Started, On Track, Behind, At Risk or Closed", quote(s))
}

// parseKind reads an object type. Custom names from Options.KindNames come first, for
// organizations that renamed the object types.
func parseKind(s string, custom map[string]Kind) (Kind, error) {
	key := squash(s)
	for name, k := range custom {
		if squash(name) == key && key != "" {
			return k, nil
		}
	}
	switch key {
	case "objective":
		return KindObjective, nil
	case "keyresult", "kr":
		return KindKeyResult, nil
	case "deliverable", "initiative", "project":
		return KindInitiative, nil
	case "":
		return "", errors.New("the object type is empty")
	}
	return "", fmt.Errorf("object type %s is not Objective, Key result or Deliverable (name renamed types with Options.KindNames)", quote(s))
}

// squash lowers s and drops everything but letters and digits, so that "Key result",
// "KeyResult" and "key_result" compare equal.
func squash(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b = append(b, c)
			i++
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
			i++
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, unicode.ToLower(r))
			i += size
		}
	}
	return string(b)
}

// goalType reads the Goal Type column. It can say how a metric moves (Increase, Decrease, Stay
// above, Stay below) or
// how firm the goal is (Committed, Aspirational); known reports whether it was understood.
func goalType(s string) (dir Direction, aspirational, known bool) {
	k := squash(s)
	switch {
	case k == "":
		return DirectionUnknown, false, true
	case k == "aspirational" || k == "stretch":
		return DirectionUnknown, true, true
	case k == "committed" || k == "commit" || k == "roofshot":
		return DirectionUnknown, false, true
	case k == "stayabove" || k == "atleast" || k == "keepabove" || k == "maintainabove":
		return DirectionStayAbove, false, true
	case k == "staybelow" || k == "atmost" || k == "keepbelow" || k == "maintainbelow":
		return DirectionStayBelow, false, true
	case strings.HasPrefix(k, "increase") || k == "higherisbetter":
		return DirectionIncrease, false, true
	case strings.HasPrefix(k, "decrease") || k == "lowerisbetter":
		return DirectionDecrease, false, true
	case k == "reach" || k == "achieve" || k == "maintain" || k == "milestone" || k == "metric" || k == "percentage":
		return DirectionUnknown, false, true
	}
	return DirectionUnknown, false, false
}

// unitKind works out a metric's kind from its unit as written.
func unitKind(unit string) MetricKind {
	u := strings.TrimSpace(unit)
	k := squash(u)
	switch {
	case u == "":
		return ""
	case u == "%" || k == "percent" || k == "percentage" || k == "pct":
		return MetricPercentage
	case k == "currency" || k == "dollar" || k == "dollars" || k == "euro" || k == "euros" || k == "money":
		return MetricCurrency
	case len(u) == 3 && strings.ToUpper(u) == u && isLetters(u):
		return MetricCurrency // an ISO 4217 code such as USD
	}
	for _, sym := range currencySymbols {
		if u == sym {
			return MetricCurrency
		}
	}
	return MetricNumber
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Dates and times.

var (
	isoLayouts = []string{
		"2006-01-02",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05 -07:00",
	}
	monthFirstLayouts = []string{
		"1/2/2006", "1/2/2006 15:04", "1/2/2006 15:04:05", "1/2/2006 3:04 PM", "1/2/2006 3:04:05 PM",
	}
	dayFirstLayouts = []string{
		"2/1/2006", "2/1/2006 15:04", "2/1/2006 15:04:05", "2/1/2006 3:04 PM", "2/1/2006 3:04:05 PM",
		"2.1.2006", "2.1.2006 15:04", "2.1.2006 15:04:05",
	}
	namedLayouts = []string{
		"Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", "2-Jan-2006",
		"Jan 2, 2006 15:04", "Jan 2, 2006 3:04 PM", "Jan 2, 2006 3:04:05 PM",
		"Mon, 02 Jan 2006 15:04:05 -0700", "Mon, 02 Jan 2006 15:04:05",
	}
)

// parseDate reads a date: YYYY-MM-DD, M/D/YYYY (D/M/YYYY or D.M.YYYY with dayFirst), "Mar 10,
// 2025", or any of these with a time and an optional UTC or offset. The date is taken as written,
// without moving it to another time zone.
func parseDate(s string, dayFirst bool) (cairn.Date, error) {
	t, err := parseMoment(s, dayFirst, time.UTC)
	if err != nil {
		return cairn.Date{}, err
	}
	return cairn.DateOf(t), nil
}

// parseTime reads a date and time in the forms parseDate takes; a time without a zone is in loc,
// and a date alone is its midnight in loc.
func parseTime(s string, dayFirst bool, loc *time.Location) (time.Time, error) {
	return parseMoment(s, dayFirst, loc)
}

func parseMoment(s string, dayFirst bool, loc *time.Location) (time.Time, error) {
	t := collapseSpace(s)
	if t == "" {
		return time.Time{}, errors.New("the date is empty")
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, z := range []string{" UTC", " GMT", " utc", " Z"} {
		if strings.HasSuffix(t, z) {
			t = strings.TrimSuffix(t, z)
			loc = time.UTC
			break
		}
	}
	if v, ok := fastISO(t, loc); ok {
		return v, nil
	}
	var layouts []string
	switch {
	case len(t) >= 10 && t[4] == '-' && t[7] == '-':
		layouts = isoLayouts
	case strings.ContainsAny(t, "/.") && startsWithDigit(t):
		layouts = monthFirstLayouts
		if dayFirst {
			layouts = dayFirstLayouts
		}
	default:
		layouts = namedLayouts
	}
	outOfRange := false
	for _, layout := range layouts {
		v, err := time.ParseInLocation(layout, t, loc)
		if err == nil {
			if y := v.Year(); y < 1900 || y > 2999 {
				return time.Time{}, fmt.Errorf("date %s has year %d, outside 1900 to 2999", quote(s), y)
			}
			return v, nil
		}
		outOfRange = outOfRange || strings.Contains(err.Error(), "out of range")
	}
	if !dayFirst && strings.Contains(t, "/") {
		if first, err := strconv.Atoi(strings.SplitN(t, "/", 2)[0]); err == nil && first > 12 && first <= 31 {
			return time.Time{}, fmt.Errorf("%s is not a month/day/year date; if the file writes the day first, read it with day-first dates", quote(s))
		}
	}
	if outOfRange {
		return time.Time{}, fmt.Errorf("%s is not a real date: the month or day is out of range", quote(s))
	}
	return time.Time{}, fmt.Errorf("%s is not a date Cairn can read (write it YYYY-MM-DD)", quote(s))
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// fastISO reads exactly "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS" without
// going through time.Parse, as most dates of an export are written so.
func fastISO(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != 10 && len(s) != 19 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(0, 4), num(5, 7), num(8, 10)
	if y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	if d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	hh, mm, ss := 0, 0, 0
	if len(s) == 19 {
		if s[10] != ' ' && s[10] != 'T' || s[13] != ':' || s[16] != ':' {
			return time.Time{}, false
		}
		hh, mm, ss = num(11, 13), num(14, 16), num(17, 19)
		if hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 {
			return time.Time{}, false
		}
	}
	return time.Date(y, time.Month(m), d, hh, mm, ss, 0, loc), true
}

// quote quotes s for a message, shortened so that a whole note does not end up in it.
func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}
