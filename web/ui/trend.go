package ui

import (
	"strconv"

	"github.com/cairn-okr/cairn/progress"
)

// trendMark is a trend as a row or the drawer shows it: an arrow that people see at a
// glance, coloured by whether the move serves the goal, and the same in words for screen
// readers and the tooltip.
type trendMark struct {
	Arrow string // ↑, ↓ or →
	Class string // tr-better, tr-worse or tr-neutral
	Text  string // "Trend over the last 3 check-ins: up, worse for the goal"
}

// trendOf returns the mark of a trend, or nil for none.
func trendOf(t *progress.Trend) *trendMark {
	if t == nil {
		return nil
	}
	m := &trendMark{Arrow: "→", Class: "tr-neutral"}
	what := "steady"
	switch t.Direction {
	case progress.Up:
		m.Arrow, what = "↑", "up"
	case progress.Down:
		m.Arrow, what = "↓", "down"
	}
	switch t.Effect {
	case progress.Better:
		m.Class, what = "tr-better", what+", better for the goal"
	case progress.Worse:
		m.Class, what = "tr-worse", what+", worse for the goal"
	}
	m.Text = "Trend over the last " + strconv.Itoa(t.Points) + " check-ins: " + what
	return m
}
