package ui

import (
	"math"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
)

// This file is the one place where the UI writes numbers and metric values for people.
// Everything here is pure: a value and a metric in, text out.

// room says how much space a value has on the page.
type room int

const (
	// roomFull spells a value out, as the drawer, the check-ins and tooltips can:
	// "1,100", "$1,234.50".
	roomFull room = iota
	// roomCompact shortens large values for tree rows and chart axes: "1.1k", "$60k", "2.5M".
	roomCompact
)

// noValue stands in for a value that is not a number, such as NaN or ±Inf.
const noValue = "–"

// minus is the typographic minus sign, which lines up with the digits in tabular figures.
const minus = "−"

// decimal writes v rounded half away from zero to at most places decimals, trailing zeros
// dropped, with thousands separators: decimal(-1234.5, 2) is "−1,234.5". A value that
// rounds to zero has no sign.
func decimal(v float64, places int) string {
	if !finite(v) {
		return noValue
	}
	s := strconv.FormatFloat(roundTo(math.Abs(v), places), 'f', places, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return signed(v < 0 && s != "0", group(s))
}

// fixed writes v with exactly places decimals and thousands separators, as money is
// written: fixed(1234.5, 2) is "1,234.50".
func fixed(v float64, places int) string {
	if !finite(v) {
		return noValue
	}
	s := strconv.FormatFloat(roundTo(math.Abs(v), places), 'f', places, 64)
	return signed(v < 0 && strings.Trim(s, "0.") != "", group(s))
}

// group puts thousands separators into the integer part of an unsigned decimal.
func group(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

func signed(neg bool, s string) string {
	if neg {
		return minus + s
	}
	return s
}

// compactSuffixes are the scales of compact numbers: thousands, millions, billions and
// trillions.
var compactSuffixes = []string{"", "k", "M", "B", "T"}

// compact writes v in at most about four significant figures for narrow places: below a
// thousand with up to two decimals under 10 and one under 1,000 ("2.85", "81.8", "999"),
// and above it scaled with a suffix and one decimal below 100 of the scale ("1.1k",
// "12.3k", "123k", "2.5M"). A value that rounds up to the next scale takes it: 999,950 is
// "1M", not "1000k".
func compact(v float64) string {
	if !finite(v) {
		return noValue
	}
	a := math.Abs(v)
	var s string
	for i, suffix := range compactSuffixes {
		scaled := a / math.Pow(1000, float64(i))
		places := 1
		switch {
		case i == 0 && scaled < 10:
			places = 2
		case i > 0 && scaled >= 100:
			places = 0
		}
		r := roundTo(scaled, places)
		if r >= 100 && i > 0 {
			r = math.Round(scaled)
		}
		if r >= 1000 && i < len(compactSuffixes)-1 {
			continue
		}
		s = decimal(r, places) + suffix
		break
	}
	return signed(v < 0 && strings.Trim(s, "0.") != "", s)
}

// roundTo rounds half away from zero, as people do, where strconv rounds half to even.
func roundTo(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	if r := math.Round(v*p) / p; finite(r) {
		return r
	}
	return v
}

// currency is how a currency is written.
type currency struct {
	symbol string // written before the amount, as in "$60k"; empty to write the code after it
	cents  int    // decimals of the minor unit: 2 for dollars, 0 for yen
}

// currencies maps currency codes, and the symbols people type for them, to how they are
// written. Other codes are written after the amount: "1,200 CHF".
var currencies = map[string]currency{
	"":    {"$", 2}, // a currency metric without a unit has always meant dollars in Cairn
	"USD": {"$", 2}, "$": {"$", 2},
	"EUR": {"€", 2}, "€": {"€", 2},
	"GBP": {"£", 2}, "£": {"£", 2},
	"JPY": {"¥", 0}, "¥": {"¥", 0},
}

// valueFormat is how one metric's values are written.
type valueFormat struct {
	percent bool   // one decimal at most, then " %"
	money   bool   // whole amounts, or exactly the currency's decimals
	cents   int    // the currency's decimals
	prefix  string // a currency symbol
	unit    string // written once after the value or the pair: "ms", "stories", "CHF"
}

// formatOf works out how a metric's values are written from its kind and unit.
func formatOf(m cairn.Metric) valueFormat {
	unit := strings.TrimSpace(m.Unit)
	switch {
	case m.Kind == cairn.MetricCurrency:
		if c, ok := currencies[strings.ToUpper(unit)]; ok {
			return valueFormat{money: true, cents: c.cents, prefix: c.symbol}
		}
		return valueFormat{money: true, cents: 2, unit: unit}
	case unit == "%" || (m.Kind == cairn.MetricPercentage && unit == ""):
		return valueFormat{percent: true, unit: "%"}
	case m.Kind == cairn.MetricPercentage:
		return valueFormat{percent: true, unit: unit}
	}
	return valueFormat{unit: unit}
}

// number writes v without the unit but with a currency symbol: "81.8", "$1.2k", "1,100".
func (f valueFormat) number(v float64, r room) string {
	if !finite(v) {
		return noValue
	}
	var s string
	switch {
	case f.percent && (r == roomFull || math.Abs(v) < 1000):
		s = decimal(v, 1)
	case r == roomCompact:
		s = compact(v)
	case f.money && f.cents > 0 && math.Abs(roundTo(v, f.cents)-math.Round(v)) > 1e-9:
		s = fixed(v, f.cents)
	case f.money:
		s = decimal(v, f.cents)
	default:
		s = decimal(v, 2)
	}
	if f.prefix == "" {
		return s
	}
	if n, ok := strings.CutPrefix(s, minus); ok {
		return minus + f.prefix + n
	}
	return f.prefix + s
}

func (f valueFormat) withUnit(s string) string {
	if f.unit == "" {
		return s
	}
	return s + " " + f.unit
}

// metricValue writes one value of a metric with its unit: "81.8 %", "$1,200", "1.1k ms".
func metricValue(v float64, m cairn.Metric, r room) string {
	f := formatOf(m)
	if !finite(v) {
		return noValue
	}
	return f.withUnit(f.number(v, r))
}

// metricLabel writes a metric's current value against its target, with the unit once:
// "18 / 40 stories", "$1.2k / $60k", "1,100 / 600 ms". A percentage that runs to 100 is its
// current value alone, "81.8 %", since "of 100 %" says nothing. The threshold of a control
// goal carries its side: "250 / ≤300 ms", "99.7 / ≥99.5 %". A baseline still to be measured
// has no value yet: "baseline pending".
func metricLabel(m cairn.Metric, r room) string {
	if m.BaselinePending {
		return "baseline pending"
	}
	f := formatOf(m)
	if f.percent && f.unit == "%" && m.Target == 100 && !m.Goal.Control() {
		return metricValue(m.Current, m, r)
	}
	return f.withUnit(f.number(m.Current, r) + " / " + goalMark(m.Goal) + f.number(m.Target, r))
}

// goalMark is the sign written before a control goal's threshold.
func goalMark(g cairn.MetricGoal) string {
	switch g {
	case cairn.GoalStayBelow:
		return "≤"
	case cairn.GoalStayAbove:
		return "≥"
	}
	return ""
}

// goalSentence says a metric's goal in words: "Decrease from 1,500 ms to 800 ms", "Stay at
// or below 300 ms (progress falls to 0 at 500 ms)".
func goalSentence(m cairn.Metric) string {
	v := func(x float64) string { return metricValue(x, m, roomFull) }
	if m.Goal.Control() {
		return "Stay " + thresholdPhrase(m) + " (progress falls to 0 at " + v(m.Start) + ")"
	}
	verb := "Increase"
	if m.Goal == cairn.GoalDecrease {
		verb = "Decrease"
	}
	if m.BaselinePending {
		return verb + " to " + v(m.Target) + "; the first check-in measures the start"
	}
	return verb + " from " + v(m.Start) + " to " + v(m.Target)
}

// thresholdPhrase says where a control metric should stay: "at or below 300 ms". It is
// empty for other goals.
func thresholdPhrase(m cairn.Metric) string {
	switch m.Goal {
	case cairn.GoalStayBelow:
		return "at or below " + metricValue(m.Target, m, roomFull)
	case cairn.GoalStayAbove:
		return "at or above " + metricValue(m.Target, m, roomFull)
	}
	return ""
}

// holdingSentence says whether a control metric holds its threshold: "Holding: 250 ms is at
// or below 300 ms", "Not holding: 320 ms is above 300 ms". It is empty for other goals.
func holdingSentence(m cairn.Metric) string {
	v := func(x float64) string { return metricValue(x, m, roomFull) }
	switch m.Goal {
	case cairn.GoalStayBelow:
		if m.Current <= m.Target {
			return "Holding: " + v(m.Current) + " is at or below " + v(m.Target)
		}
		return "Not holding: " + v(m.Current) + " is above " + v(m.Target)
	case cairn.GoalStayAbove:
		if m.Current >= m.Target {
			return "Holding: " + v(m.Current) + " is at or above " + v(m.Target)
		}
		return "Not holding: " + v(m.Current) + " is below " + v(m.Target)
	}
	return ""
}

// pct formats a progress fraction as a whole percentage: "42 %".
func pct(f float64) string {
	if !finite(f) {
		return noValue
	}
	return decimal(math.Round(f*100), 0) + " %"
}

// percent formats a value that already is a percentage with one decimal at most: "81.8 %".
func percent(v float64) string {
	if !finite(v) {
		return noValue
	}
	return decimal(v, 1) + " %"
}

// num formats a plain number with thousands separators and at most two decimals.
func num(f float64) string { return decimal(f, 2) }

// barWidth is a progress bar's filled width in percent, capped to 0..100.
func barWidth(f float64) string {
	w := f * 100
	if math.IsNaN(w) || w < 0 {
		w = 0
	}
	if w > 100 {
		w = 100
	}
	return strconv.FormatFloat(w, 'f', 1, 64)
}
