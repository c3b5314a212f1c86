package viva

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	d := func(y int, m time.Month, day int) cairn.Date { return cairn.Date{Year: y, Month: m, Day: day} }
	tests := []struct {
		name     string
		in       string
		dayFirst bool
		want     cairn.Date
		err      string
	}{
		{name: "ISO", in: "2025-03-10", want: d(2025, 3, 10)},
		{name: "ISOWithTimeUTC", in: "2025-03-10 20:57:08 UTC", want: d(2025, 3, 10)},
		{name: "ISOWithTimeNoSeconds", in: "2025-03-10 20:57", want: d(2025, 3, 10)},
		{name: "RFC3339KeepsWrittenDate", in: "2025-03-10T23:30:00-05:00", want: d(2025, 3, 10)},
		{name: "RFC3339Fraction", in: "2025-03-10T20:57:08.123Z", want: d(2025, 3, 10)},
		{name: "MonthFirst", in: "3/10/2025", want: d(2025, 3, 10)},
		{name: "MonthFirstPadded", in: "03/09/2025", want: d(2025, 3, 9)},
		{name: "MonthFirstWithTime", in: "3/10/2025 8:57 PM", want: d(2025, 3, 10)},
		{name: "DayFirst", in: "10/03/2025", dayFirst: true, want: d(2025, 3, 10)},
		{name: "DayFirstDots", in: "10.03.2025 14:00", dayFirst: true, want: d(2025, 3, 10)},
		{name: "Named", in: "Mar 10, 2025", want: d(2025, 3, 10)},
		{name: "NamedDayFirst", in: "10 March 2025", want: d(2025, 3, 10)},
		{name: "NamedDashed", in: "10-Mar-2025", want: d(2025, 3, 10)},
		{name: "LeapDay", in: "2024-02-29", want: d(2024, 2, 29)},
		{name: "ErrNotLeap", in: "2025-02-29", err: "out of range"},
		{name: "ErrMonth13", in: "2025-13-01", err: "out of range"},
		{name: "ErrDayFirstHint", in: "13/03/2025", err: "day-first"},
		{name: "ErrWords", in: "next Tuesday", err: "not a date"},
		{name: "ErrYearRange", in: "0001-01-01", err: "outside 1900 to 2999"},
		{name: "ErrEmpty", in: " ", err: "empty"},
		{name: "ErrOtherZone", in: "2025-03-10 20:57:08 PST", err: "not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseDate(tt.in, tt.dayFirst)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseDate(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2025-03-10 20:57:08 UTC", cet, time.Date(2025, 3, 10, 20, 57, 8, 0, time.UTC)},
		{"2025-03-10 20:57:08", cet, time.Date(2025, 3, 10, 19, 57, 8, 0, time.UTC)},
		{"2025-03-10", nil, time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)},
		{"2025-03-10T20:57:08+02:00", nil, time.Date(2025, 3, 10, 18, 57, 8, 0, time.UTC)},
		{"3/10/2025 8:57:08 PM", nil, time.Date(2025, 3, 10, 20, 57, 8, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in, false, tt.loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseIDCell(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		id   int64
		url  string
		fail bool
	}{
		{in: "2295776", id: 2295776},
		{in: "2295776.0", id: 2295776},
		{in: `=HYPERLINK("https://goals.microsoft.com/okr/2295776","2295776")`, id: 2295776, url: "https://goals.microsoft.com/okr/2295776"},
		{in: `HYPERLINK("https://x/?a=""b""";2295776)`, id: 2295776, url: `https://x/?a="b"`},
		{in: "", fail: true},
		{in: "-5", fail: true},
		{in: "0", fail: true},
		{in: "12a", fail: true},
		{in: "99999999999999999999", fail: true},
	}
	for _, tt := range tests {
		id, url, err := parseIDCell(tt.in)
		if (err != nil) != tt.fail || id != tt.id || url != tt.url {
			t.Errorf("parseIDCell(%q) = %d, %q, %v; want %d, %q, fail %v", tt.in, id, url, err, tt.id, tt.url, tt.fail)
		}
	}
}

func TestParseScore(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"0.7": 0.7, "70%": 0.7, "0": 0, "1": 1} {
		got, err := parseScore(in)
		if err != nil || got == nil || *got != want {
			t.Errorf("parseScore(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"1.5", "-0.1", "seven"} {
		if _, err := parseScore(in); err == nil {
			t.Errorf("parseScore(%q) succeeded, want an error", in)
		}
	}
}

// TestGoalType reads every way the Goal Type column says how a metric should move, and the
// goal types that say how firm the goal is.
func TestGoalType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in           string
		dir          Direction
		aspirational bool
		known        bool
	}{
		{"Increase", DirectionIncrease, false, true},
		{"Increase From", DirectionIncrease, false, true},
		{"Higher is better", DirectionIncrease, false, true},
		{"Decrease", DirectionDecrease, false, true},
		{"Lower is better", DirectionDecrease, false, true},
		{"Stay above", DirectionStayAbove, false, true},
		{"At least", DirectionStayAbove, false, true},
		{"Keep above", DirectionStayAbove, false, true},
		{"Stay below", DirectionStayBelow, false, true},
		{"At most", DirectionStayBelow, false, true},
		{"Maintain below", DirectionStayBelow, false, true},
		{"Committed", DirectionUnknown, false, true},
		{"Aspirational", DirectionUnknown, true, true},
		{"Maintain", DirectionUnknown, false, true},
		{"Moonshot-ish", DirectionUnknown, false, false},
	} {
		dir, asp, known := goalType(tc.in)
		if dir != tc.dir || asp != tc.aspirational || known != tc.known {
			t.Errorf("goalType(%q) = %q, %v, %v; want %q, %v, %v", tc.in, dir, asp, known, tc.dir, tc.aspirational, tc.known)
		}
	}
}
