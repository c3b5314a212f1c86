package progress

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Note returns the check-in note a sync writes for people, such as
// "18 of 40 User Stories complete (+3 since last sync)" or
// "34 of 80 story points complete (+5 since last sync)".
//
// prev is the result of the last sync, nil on the first one; the "(…since last
// sync)" part appears only when the number the note leads with has changed.
// typeLabel is the progress type's display name, singular; when empty the rule's
// progress type is used, and AllTypes reads as "work items".
func Note(prev *Result, cur Result, r Rule, typeLabel string) string {
	noun := typeNoun(r, typeLabel)
	if cur.MeasuredCount == 0 {
		return "No " + noun.plural + " matched"
	}
	unit := noun
	if !r.countMeasure() {
		unit = measureNoun(strings.TrimSpace(r.Measure))
	}
	var text string
	var now float64
	var then func(Result) float64
	switch {
	case r.remainingWork() && !r.share():
		now, then = cur.TotalMeasure, func(p Result) float64 { return p.TotalMeasure }
		text = fmt.Sprintf("%s %s on %d %s", number(now), unit.of(now), cur.MeasuredCount, noun.of(float64(cur.MeasuredCount)))
	case r.sumsTotal():
		now, then = cur.TotalMeasure, func(p Result) float64 { return p.TotalMeasure }
		text = fmt.Sprintf("%s %s in total", number(now), unit.of(now))
	default:
		now, then = cur.CompleteMeasure, func(p Result) float64 { return p.CompleteMeasure }
		text = fmt.Sprintf("%s of %s %s complete", number(now), number(cur.TotalMeasure), unit.of(cur.TotalMeasure))
	}
	if prev != nil {
		if d := round2(now - then(*prev)); d != 0 {
			sign := "+"
			if d < 0 {
				sign = "-"
			}
			text += fmt.Sprintf(" (%s%s since last sync)", sign, number(math.Abs(d)))
		}
	}
	return text
}

// noun is a countable word in its two forms.
type noun struct{ singular, plural string }

func (n noun) of(count float64) string {
	if count == 1 {
		return n.singular
	}
	return n.plural
}

func typeNoun(r Rule, label string) noun {
	if r.all() {
		return noun{"work item", "work items"}
	}
	label = strings.TrimSpace(label)
	if label == "" {
		label = strings.TrimSpace(r.ProgressType)
	}
	return noun{label, plural(label)}
}

func measureNoun(field string) noun {
	switch strings.ToLower(field) {
	case strings.ToLower(FieldStoryPoints):
		return noun{"story point", "story points"}
	case strings.ToLower(FieldEffort):
		return noun{"effort point", "effort points"}
	case strings.ToLower(FieldOriginalEstimate):
		return noun{"estimated hour", "estimated hours"}
	case strings.ToLower(FieldCompletedWork):
		return noun{"hour of completed work", "hours of completed work"}
	case strings.ToLower(FieldRemainingWork):
		return noun{"hour of remaining work", "hours of remaining work"}
	}
	// A custom field reads by the last part of its reference name, which is usually
	// its name without spaces ("Custom.Revenue" → "Revenue"); it has no plural form.
	name := field[strings.LastIndex(field, ".")+1:]
	if name == "" {
		name = field
	}
	return noun{name, name}
}

// plural forms the English plural of a work item type name by its last word, which
// covers the types of the built-in processes ("User Story" → "User Stories",
// "Bug" → "Bugs", "Product Backlog Item" → "Product Backlog Items").
func plural(s string) string {
	lower := strings.ToLower(s)
	switch {
	case s == "":
		return s
	case strings.HasSuffix(lower, "y") && len(lower) > 1 && !strings.ContainsRune("aeiou", rune(lower[len(lower)-2])):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(lower, "s"), strings.HasSuffix(lower, "x"), strings.HasSuffix(lower, "z"),
		strings.HasSuffix(lower, "ch"), strings.HasSuffix(lower, "sh"):
		return s + "es"
	default:
		return s + "s"
	}
}

func round2(f float64) float64 {
	r := math.Round(f*100) / 100
	if r == 0 {
		return 0 // no negative zero
	}
	return r
}

// number formats a measure with at most two decimals and none when whole.
func number(f float64) string {
	return strconv.FormatFloat(round2(f), 'f', -1, 64)
}
