package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

func TestGoalWords(t *testing.T) {
	t.Parallel()
	below := cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalStayBelow, Start: 500, Target: 300, Unit: "ms", Current: 320}
	above := cairn.Metric{Kind: cairn.MetricPercentage, Goal: cairn.GoalStayAbove, Start: 95, Target: 99.5, Unit: "%", Current: 99.7}
	down := cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Start: 1500, Target: 800, Unit: "ms", Current: 1150}
	pending := cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Target: 800, Unit: "ms", BaselinePending: true}
	up := cairn.Metric{Kind: cairn.MetricPercentage, Goal: cairn.GoalIncrease, Start: 0, Target: 100, Unit: "%", Current: 42}
	tests := []struct {
		name, got, want string
	}{
		{"LabelStayBelow", metricLabel(below, roomCompact), "320 / ≤300 ms"},
		{"LabelStayAbovePercent", metricLabel(above, roomFull), "99.7 / ≥99.5 %"},
		{"LabelDecrease", metricLabel(down, roomFull), "1,150 / 800 ms"},
		{"LabelPending", metricLabel(pending, roomCompact), "baseline pending"},
		{"LabelPercentToHundred", metricLabel(up, roomCompact), "42 %"},
		{"SentenceStayBelow", goalSentence(below), "Stay at or below 300 ms (progress falls to 0 at 500 ms)"},
		{"SentenceStayAbove", goalSentence(above), "Stay at or above 99.5 % (progress falls to 0 at 95 %)"},
		{"SentenceDecrease", goalSentence(down), "Decrease from 1,500 ms to 800 ms"},
		{"SentencePending", goalSentence(pending), "Decrease to 800 ms; the first check-in measures the start"},
		{"SentenceIncrease", goalSentence(up), "Increase from 0 % to 100 %"},
		{"HoldingBroken", holdingSentence(below), "Not holding: 320 ms is above 300 ms"},
		{"HoldingHeld", holdingSentence(above), "Holding: 99.7 % is at or above 99.5 %"},
		{"HoldingNoThreshold", holdingSentence(down), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestTrendMark(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   *progress.Trend
		want *trendMark
	}{
		{"None", nil, nil},
		{"UpWorse", &progress.Trend{Direction: progress.Up, Effect: progress.Worse, Points: 3},
			&trendMark{"↑", "tr-worse", "Trend over the last 3 check-ins: up, worse for the goal"}},
		{"DownBetter", &progress.Trend{Direction: progress.Down, Effect: progress.Better, Points: 2},
			&trendMark{"↓", "tr-better", "Trend over the last 2 check-ins: down, better for the goal"}},
		{"Steady", &progress.Trend{Direction: progress.Flat, Effect: progress.Neutral, Points: 3},
			&trendMark{"→", "tr-neutral", "Trend over the last 3 check-ins: steady"}},
	}
	for _, tt := range tests {
		got := trendOf(tt.in)
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("%s: trendOf(%+v) = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestRenderChartGoals(t *testing.T) {
	t.Parallel()
	format := func(v float64) string { return num(v) + " %" }
	end := func(m time.Month, d int) time.Time { return day(m, d).AddDate(0, 0, 1) }
	milestones := []chartMilestone{{At: end(7, 31), Value: 20, Tip: "Milestone: 20 % by 31 Jul"}, {At: end(8, 31), Value: 50, Tip: "Milestone: 50 % by 31 Aug"}}
	base := chartInput{Start: day(7, 1), End: day(9, 30), Now: day(8, 15), From: 0, To: 100, Format: format,
		Points: []chartPoint{{At: day(8, 1), Value: 25, Tip: "25 %"}}}
	points := func(svg, class string) int {
		i := strings.Index(svg, `<polyline class="`+class+`" points="`)
		if i < 0 {
			return 0
		}
		rest := svg[i+len(`<polyline class="`+class+`" points="`):]
		return len(strings.Fields(rest[:strings.Index(rest, `"`)]))
	}

	t.Run("MilestonesBendTheExpectedLine", func(t *testing.T) {
		t.Parallel()
		in := base
		in.Milestones = milestones
		svg := string(renderChart(in))
		if n := points(svg, "expected"); n != 4 { // start, two milestones, end
			t.Errorf("the expected line has %d corners, want 4", n)
		}
		if n := strings.Count(svg, `<path class="milestone"`); n != 2 {
			t.Errorf("%d milestone markers, want 2", n)
		}
		for _, w := range []string{"<title>Milestone: 50 % by 31 Aug</title>", "milestones 20 % by 31 Jul, 50 % by 31 Aug"} {
			if !strings.Contains(svg, w) {
				t.Errorf("chart lacks %q", w)
			}
		}
	})
	t.Run("LastDayMilestoneEndsTheLine", func(t *testing.T) {
		t.Parallel()
		in := base
		in.Milestones = append(append([]chartMilestone(nil), milestones...), chartMilestone{At: end(9, 30), Value: 100, Tip: "Milestone: 100 % by 30 Sep"})
		if n := points(string(renderChart(in)), "expected"); n != 4 {
			t.Errorf("the expected line has %d corners, want 4: the last milestone is the end", n)
		}
	})
	t.Run("ThresholdInsteadOfExpected", func(t *testing.T) {
		t.Parallel()
		in := base
		in.From, in.To, in.Threshold = 500, 300, "at or below 300 %"
		in.Points = []chartPoint{{At: day(7, 10), Value: 250}, {At: day(8, 1), Value: 320}}
		svg := string(renderChart(in))
		if strings.Contains(svg, `class="expected"`) || !strings.Contains(svg, `class="goal-threshold"`) {
			t.Error("a control goal draws an expected line, or no threshold")
		}
		if n := points(svg, "actual"); n != 2 {
			t.Errorf("the actual line has %d corners, want 2: it starts at the first check-in, not at the ceiling", n)
		}
		if !strings.Contains(svg, "the value should stay at or below 300 %") {
			t.Error("the chart's label does not name the threshold")
		}
	})
}

// TestWeightLabel shows weights up to 1 as percentages of 1, larger ones as themselves, and
// 0 as not counted.
func TestWeightLabel(t *testing.T) {
	for w, want := range map[float64]string{0: "not counted", 0.7: "70 %", 1: "100 %", 0.333: "33.3 %", 70: "weight 70", 2.5: "weight 2.5"} {
		if got := weightLabel(w); got != want {
			t.Errorf("weightLabel(%v) = %q, want %q", w, got, want)
		}
	}
}
