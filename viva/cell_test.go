package viva_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
)

func ptr(f float64) *float64 { return &f }

func TestParseAlignments(t *testing.T) {
	t.Parallel()
	type want struct {
		id     int64
		title  string
		weight float64
	}
	tests := []struct {
		name string
		cell string
		want []want
		err  string
	}{
		{name: "Empty", cell: "  "},
		{name: "One", cell: "Drive expansion leveraging our AI offering(weight: 14.29%, Id: 2295776)",
			want: []want{{2295776, "Drive expansion leveraging our AI offering", 14.29}}},
		{name: "TitleWithParentheses", cell: "Grow ARR (new logos) to $1.2M (FY25) (weight: 50%, Id: 7)",
			want: []want{{7, "Grow ARR (new logos) to $1.2M (FY25)", 50}}},
		{name: "OnePerLine", cell: "A (one)(weight: 50%, Id: 1)\nB, two(weight: 0%, Id: 2)\n",
			want: []want{{1, "A (one)", 50}, {2, "B, two", 0}}},
		{name: "SemicolonSeparated", cell: "A(weight: 25%, Id: 1); B(weight: 75%, Id: 2);",
			want: []want{{1, "A", 25}, {2, "B", 75}}},
		{name: "CommaSeparated", cell: "A(weight: 25%, Id: 1), B(weight: 75%, Id: 2)",
			want: []want{{1, "A", 25}, {2, "B", 75}}},
		{name: "NoTitleOddSpacing", cell: "( Weight:0.0 % , ID : 3 )", want: []want{{3, "", 0}}},
		{name: "WeightWithoutPercentSign", cell: "A(weight: 12.5, Id: 9)", want: []want{{9, "A", 12.5}}},
		{name: "ErrNoSuffix", cell: "Drive expansion (Id 5)", err: "cannot read alignment"},
		{name: "ErrTrailingText", cell: "A(weight: 5%, Id: 1) and more", err: `cannot read "and more"`},
		{name: "ErrBadWeight", cell: "A(weight: lots, Id: 1)", err: `weight "lots" is not a percentage`},
		{name: "ErrWeightOver100", cell: "A(weight: 140%, Id: 1)", err: "not between 0% and 100%"},
		{name: "ErrBadId", cell: "A(weight: 5%, Id: abc)", err: `Id "abc" is not a whole number`},
		{name: "ErrTwice", cell: "A(weight: 5%, Id: 1)\nA(weight: 5%, Id: 1)", err: "aligns to Id 1 twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := viva.ParseAlignments(tt.cell)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d alignments %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.ParentID != w.id || g.ParentTitle != w.title || g.Weight == nil || *g.Weight != w.weight {
					t.Errorf("alignment %d = {%d %q %v}, want %+v", i, g.ParentID, g.ParentTitle, deref(g.Weight), w)
				}
				if g.Counted() != (w.weight > 0) {
					t.Errorf("alignment %d Counted() = %v with weight %v", i, g.Counted(), w.weight)
				}
			}
		})
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestParseCheckIn(t *testing.T) {
	t.Parallel()
	full := "Checkin Date: 2025-03-10; User: Roland Green; Note: Good week; Metric Name: Progress; Status: On Track; Current Value: 25%; Activity Date: 2025-03-10 20:57:08 UTC;"
	tests := []struct {
		name  string
		cell  string
		opts  viva.Options
		check func(t *testing.T, c viva.CheckIn)
		err   string
	}{
		{name: "Full", cell: full, check: func(t *testing.T, c viva.CheckIn) {
			want := viva.CheckIn{
				Date:       cairn.Date{Year: 2025, Month: 3, Day: 10},
				Author:     viva.Person{Name: "Roland Green"},
				Note:       "Good week",
				MetricName: "Progress",
				Status:     viva.StatusOnTrack,
				StatusText: "On Track",
				Value:      ptr(25),
				ValueText:  "25%",
				ActivityAt: time.Date(2025, 3, 10, 20, 57, 8, 0, time.UTC),
			}
			if !reflect.DeepEqual(c, want) {
				t.Errorf("got  %+v\nwant %+v", c, want)
			}
		}},
		{name: "NoteWithSemicolonsNewlinesAndLabels",
			cell: "Checkin Date: 2025-02-10; User: Ram Sagoo; Note: Met with team; Status: green on our side\nNext steps: renewals;\nCurrent Value: later; Metric Name: ARR; Status: At Risk; Current Value: $350,000; Activity Date: 2025-02-10 17:45:00 UTC;",
			check: func(t *testing.T, c viva.CheckIn) {
				wantNote := "Met with team; Status: green on our side\nNext steps: renewals;\nCurrent Value: later"
				if c.Note != wantNote {
					t.Errorf("note = %q, want %q", c.Note, wantNote)
				}
				if c.Status != viva.StatusAtRisk || deref(c.Value) != 350000.0 || c.MetricName != "ARR" {
					t.Errorf("status %q value %v metric %q", c.Status, deref(c.Value), c.MetricName)
				}
			}},
		{name: "EmptyNoteStatusAndValue",
			cell: "Checkin Date: 2025-03-10; User: Roland Green; Note: ; Metric Name: Progress; Status: ; Current Value: ; Activity Date: 2025-03-10 20:57:08 UTC;",
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Note != "" || c.Status != viva.StatusNone || c.Value != nil || c.MetricName != "Progress" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "MissingOptionalLabels", cell: "Check-in Date: 3/10/2025; Current Value: 1,200",
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Date != (cairn.Date{Year: 2025, Month: 3, Day: 10}) || deref(c.Value) != 1200.0 || !c.Author.IsZero() || !c.ActivityAt.IsZero() {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "DayFirst", cell: "Checkin Date: 10/03/2025; User: A", opts: viva.Options{DayFirst: true},
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Date != (cairn.Date{Year: 2025, Month: 3, Day: 10}) {
					t.Errorf("date = %v", c.Date)
				}
			}},
		{name: "ActivityInLocation", cell: "Checkin Date: 2025-03-10; Activity Date: 2025-03-10 09:00:00",
			opts: viva.Options{Location: time.FixedZone("CET", 3600)},
			check: func(t *testing.T, c viva.CheckIn) {
				if !c.ActivityAt.Equal(time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC)) {
					t.Errorf("activity = %v", c.ActivityAt)
				}
			}},
		{name: "IntegrationUser", cell: "Checkin Date: 2025-03-10; User: azure devops; Note: ; Current Value: 40%",
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Integration != "Azure DevOps" {
					t.Errorf("integration = %q", c.Integration)
				}
			}},
		{name: "IntegrationUserSuffix", cell: "Checkin Date: 2025-03-10; User: Acme Metrics Connector",
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Integration != "Acme Metrics Connector" {
					t.Errorf("integration = %q", c.Integration)
				}
			}},
		{name: "IntegrationConfiguredName", cell: "Checkin Date: 2025-03-10; User: Robo Reporter",
			opts: viva.Options{IntegrationNames: []string{"robo reporter"}},
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Integration != "Robo Reporter" {
					t.Errorf("integration = %q", c.Integration)
				}
			}},
		{name: "IntegrationNote", cell: "Checkin Date: 2025-03-10; User: Ram Sagoo; Note: Updated via Power BI integration",
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Integration != "Power BI" {
					t.Errorf("integration = %q", c.Integration)
				}
			}},
		{name: "IntegrationAutomaticNote", cell: "Checkin Date: 2025-03-10; User: Ram Sagoo; Note: Automatically updated from Jira",
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Integration != "Jira" {
					t.Errorf("integration = %q", c.Integration)
				}
			}},
		{name: "PersonNotIntegration", cell: "Checkin Date: 2025-03-10; User: Ram Sagoo; Note: Excellent progress on the Excel rollout; Status: On Track",
			check: func(t *testing.T, c viva.CheckIn) {
				if c.Integration != "" {
					t.Errorf("integration = %q, want none", c.Integration)
				}
			}},
		{name: "ErrNoDateLabel", cell: "User: Roland Green; Note: x", err: `must start with "Checkin Date:"`},
		{name: "ErrEmptyDate", cell: "Checkin Date: ; User: x", err: "no date"},
		{name: "ErrBadDate", cell: "Checkin Date: yesterday; User: x", err: `"yesterday" is not a date`},
		{name: "ErrDayFirstHint", cell: "Checkin Date: 13/03/2025", err: "day-first"},
		{name: "ErrBadValue", cell: "Checkin Date: 2025-03-10; Current Value: lots;", err: `current value: "lots" is not a number`},
		{name: "ErrBadStatus", cell: "Checkin Date: 2025-03-10; Status: Groovy;", err: `status "Groovy"`},
		{name: "ErrBadActivity", cell: "Checkin Date: 2025-03-10; Activity Date: soon;", err: "activity date"},
		{name: "ErrUnlabeledText", cell: "Checkin Date: 2025-03-10; Roland; Note: x", err: `cannot read "Roland; Note: x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := viva.ParseCheckIn(tt.cell, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestParseNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cell string
		want []string
	}{
		{"", nil},
		{"Ram Sagoo", []string{"Ram Sagoo"}},
		{"Ram Sagoo, Roland Green", []string{"Ram Sagoo", "Roland Green"}},
		{" Ram  Sagoo ;Roland Green\nDev Lead,", []string{"Ram Sagoo", "Roland Green", "Dev Lead"}},
		{"Ram Sagoo, ram sagoo", []string{"Ram Sagoo"}},
	}
	for _, tt := range tests {
		if got := viva.ParseNames(tt.cell); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseNames(%q) = %q, want %q", tt.cell, got, tt.want)
		}
	}
}

func TestParseTeams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cell string
		want []string
	}{
		{"", nil},
		{"Sales", []string{"Sales"}},
		{"Sales; Marketing, EMEA", []string{"Sales", "Marketing, EMEA"}},
		{"Sales;\nSupport ; ;Sales", []string{"Sales", "Support"}},
	}
	for _, tt := range tests {
		if got := viva.ParseTeams(tt.cell); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseTeams(%q) = %q, want %q", tt.cell, got, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cell string
		want float64
		ok   bool
		err  bool
	}{
		{cell: "", ok: false},
		{cell: "25", want: 25, ok: true},
		{cell: "25%", want: 25, ok: true},
		{cell: " 12.5 % ", want: 12.5, ok: true},
		{cell: "1,200", want: 1200, ok: true},
		{cell: "$1,200.50", want: 1200.5, ok: true},
		{cell: "1,200,000.00 USD", want: 1200000, ok: true},
		{cell: "€ 15", want: 15, ok: true},
		{cell: "-3.5", want: -3.5, ok: true},
		{cell: "-$5", want: -5, ok: true},
		{cell: "(12)", want: -12, ok: true},
		{cell: "1.5e3", want: 1500, ok: true},
		{cell: ".5", want: 0.5, ok: true},
		{cell: "1,5", err: true},
		{cell: "12,34,567", err: true},
		{cell: "abc", err: true},
		{cell: "NaN", err: true},
		{cell: "Inf", err: true},
		{cell: "1e999", err: true},
		{cell: "0x10", err: true},
		{cell: "%", err: true},
	}
	for _, tt := range tests {
		got, ok, err := viva.ParseNumber(tt.cell)
		if (err != nil) != tt.err || ok != tt.ok || got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v, %v; want %v, %v, error %v", tt.cell, got, ok, err, tt.want, tt.ok, tt.err)
		}
	}
}
