package ui

import (
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestDashboardCadenceText pins how the dashboard names the cadence that makes key results
// overdue.
func TestDashboardCadenceText(t *testing.T) {
	for _, c := range []struct {
		zone    string
		cadence cairn.Cadence
		want    string
	}{
		{"UTC", cairn.DefaultCadence, "weekly on Monday at 09:00 UTC"},
		{"Europe/Berlin", cairn.Cadence{Frequency: cairn.Biweekly, Weekday: 2, MonthDay: 1, Hour: 9}, "every other week on Tuesday at 09:00 Europe/Berlin"},
		{"UTC", cairn.Cadence{Frequency: cairn.Monthly, MonthDay: 14, Hour: 10}, "monthly on day 14 at 10:00 UTC"},
		{"America/New_York", cairn.Cadence{Frequency: cairn.Weekly, Weekday: 0, Hour: 17}, "weekly on Sunday at 17:00 America/New_York"},
	} {
		d := dashPage{D: &cairn.Dashboard{Cadence: cairn.OrgCadence{TimeZone: c.zone, Cadence: c.cadence}}}
		if got := d.CadenceText(); got != c.want {
			t.Errorf("CadenceText(%+v in %s) = %q, want %q", c.cadence, c.zone, got, c.want)
		}
	}
	if got := (dashPage{}).CadenceText(); got != "" {
		t.Errorf("CadenceText without a dashboard = %q", got)
	}
}
