package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

func TestRenderChart(t *testing.T) {
	t.Parallel()
	forecast := 3.2
	base := chartInput{Start: day(7, 1), End: day(9, 30), Now: day(8, 15), From: 2, To: 4,
		Format: func(v float64) string { return num(v) + " %" },
		Points: []chartPoint{{At: day(8, 1), Value: 2.6, Tip: "2.6 % · Ada — <b>note</b>"}, {At: day(7, 15), Value: 2.3, Tip: "first"}}}
	tests := []struct {
		name    string
		in      func(chartInput) chartInput
		want    []string
		notWant []string
	}{
		{"DrawsEveryPart", func(c chartInput) chartInput { c.Forecast = &forecast; return c },
			[]string{`class="expected"`, `class="actual"`, `class="today"`, `class="forecast"`, "ends 30 Sep", "Today", "4 %", "forecast 3.2 %", "&lt;b&gt;note&lt;/b&gt;"},
			[]string{"<b>note</b>"}},
		{"NoForecastWithoutOne", func(c chartInput) chartInput { return c }, []string{`class="actual"`}, []string{`class="forecast"`}},
		{"NoTodayOutsideThePeriod", func(c chartInput) chartInput { c.Now = day(11, 1); return c }, []string{`class="expected"`}, []string{`class="today"`}},
		{"DecreasingTarget", func(c chartInput) chartInput { c.From, c.To = 1800, 600; c.Points = nil; return c }, []string{"1,800 %", "600 %"}, []string{`class="dot"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svg := string(renderChart(tt.in(base)))
			if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>") || !strings.Contains(svg, `role="img"`) {
				t.Fatalf("not an accessible svg: %.200s", svg)
			}
			for _, w := range tt.want {
				if !strings.Contains(svg, w) {
					t.Errorf("chart lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(svg, w) {
					t.Errorf("chart has %q", w)
				}
			}
		})
	}
	t.Run("AxisInShortValuesWithRoomForThem", func(t *testing.T) {
		t.Parallel()
		in := base
		in.From, in.To, in.Points = 0, 1200000, []chartPoint{{At: day(8, 1), Value: 1100, Tip: "1,100 people"}}
		in.Format = func(v float64) string { return num(v) + " people" }
		in.Axis = func(v float64) string { return compact(v) + " people" }
		svg := string(renderChart(in))
		for _, w := range []string{">1.2M people</text>", ">600k people</text>", ">0 people</text>", "<title>1,100 people</title>", "to a target of 1,200,000 people"} {
			if !strings.Contains(svg, w) {
				t.Errorf("chart lacks %q", w)
			}
		}
		// "1.2M people" is 11 characters, wider than the default margin: the plot moves right.
		m := regexp.MustCompile(`points="([0-9.]+),`).FindStringSubmatch(svg)
		if m == nil {
			t.Fatal("no polyline")
		}
		var x float64
		if _, err := fmt.Sscanf(m[1], "%g", &x); err != nil {
			t.Fatal(err)
		}
		if want := 11*axisCharW + 10; x < want {
			t.Errorf("the plot starts at x %g, over its axis labels that need %g", x, want)
		}
	})
	t.Run("PointsInTimeOrderInsideTheFrame", func(t *testing.T) {
		t.Parallel()
		svg := string(renderChart(base))
		m := regexp.MustCompile(`points="([^"]+)"`).FindStringSubmatch(svg)
		if m == nil {
			t.Fatal("no polyline")
		}
		pts := strings.Fields(m[1])
		if len(pts) != 3 {
			t.Fatalf("polyline has %d points, want the start and two check-ins", len(pts))
		}
		prevX := -1.0
		for _, p := range pts {
			var x, y float64
			if _, err := fmtSscanf(p, &x, &y); err != nil {
				t.Fatal(err)
			}
			if x < padL || x > chartW-padR || y < padTop || y > chartH-padBot {
				t.Errorf("point %s is outside the plot", p)
			}
			if x < prevX {
				t.Errorf("point %s comes before the previous one", p)
			}
			prevX = x
		}
		// The later check-in (2.6) sits higher, so its y is smaller than the first's (2.3).
		var y1, y2 float64
		_, _ = fmtSscanf(pts[1], new(float64), &y1)
		_, _ = fmtSscanf(pts[2], new(float64), &y2)
		if y2 >= y1 {
			t.Errorf("2.6 drawn at y %g, not above 2.3 at y %g", y2, y1)
		}
	})
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{pct(0.424), "42 %"}, {pct(1.5), "150 %"},
		{num(1234567.891), "1,234,567.89"}, {num(-1200), "−1,200"}, {num(0.5), "0.5"},
		{barWidth(1.7), "100.0"}, {barWidth(-0.2), "0.0"},
		{initials("Ada Lovelace"), "AL"}, {initials("  "), "?"}, {initials("élodie martin"), "ÉM"},
		{ago(day(8, 15), day(8, 15).Add(-3*time.Minute)), "3 min ago"},
		{ago(day(8, 15), day(8, 15).Add(40*time.Minute)), "in 40 min"},
		{ago(day(8, 15), time.Time{}), "never"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func fmtSscanf(p string, x, y *float64) (int, error) { return fmt.Sscanf(p, "%g,%g", x, y) }
