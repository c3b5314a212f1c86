package cairn_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

// TestCadenceDueTimes pins when check-ins fall due: the next due time after an instant,
// the last one at or before it, and the one before a due time, in the organization's time
// zone across a daylight saving change.
func TestCadenceDueTimes(t *testing.T) {
	t.Parallel()
	berlin, err := cairn.LoadTimeZone("Europe/Berlin")
	must(t, err)
	utc := time.UTC
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		must(t, err)
		return v
	}
	weeklyMon9 := cairn.Cadence{Frequency: cairn.Weekly, Weekday: 1, MonthDay: 1, Hour: 9}
	biweeklyMon9 := cairn.Cadence{Frequency: cairn.Biweekly, Weekday: 1, MonthDay: 1, Hour: 9}
	monthly15th17 := cairn.Cadence{Frequency: cairn.Monthly, MonthDay: 15, Hour: 17}
	for _, tc := range []struct {
		name           string
		c              cairn.Cadence
		loc            *time.Location
		now            string
		next, last     string
		beforeLastWant string
	}{
		{"WeeklyMidWeek", weeklyMon9, utc, "2026-05-13T12:00:00Z", "2026-05-18T09:00:00Z", "2026-05-11T09:00:00Z", "2026-05-04T09:00:00Z"},
		{"WeeklyAtTheDueTime", weeklyMon9, utc, "2026-05-11T09:00:00Z", "2026-05-18T09:00:00Z", "2026-05-11T09:00:00Z", "2026-05-04T09:00:00Z"},
		{"WeeklyOnTheDayBeforeTheHour", weeklyMon9, utc, "2026-05-11T08:59:00Z", "2026-05-11T09:00:00Z", "2026-05-04T09:00:00Z", "2026-04-27T09:00:00Z"},
		// 5 January 1970 starts week 0; 11 May 2026 is 20,580 days later, week 2,940: even.
		{"BiweeklyEvenWeeks", biweeklyMon9, utc, "2026-05-13T12:00:00Z", "2026-05-25T09:00:00Z", "2026-05-11T09:00:00Z", "2026-04-27T09:00:00Z"},
		{"MonthlyAcrossTheYear", monthly15th17, utc, "2026-12-20T00:00:00Z", "2027-01-15T17:00:00Z", "2026-12-15T17:00:00Z", "2026-11-15T17:00:00Z"},
		// Berlin moves its clocks on Sunday 29 March 2026: 9:00 is 8:00 UTC before, 7:00 after.
		{"WeeklyAcrossDaylightSaving", weeklyMon9, berlin, "2026-03-28T12:00:00Z", "2026-03-30T07:00:00Z", "2026-03-23T08:00:00Z", "2026-03-16T08:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := at(tc.now)
			if got := tc.c.Next(now, tc.loc); !got.Equal(at(tc.next)) {
				t.Errorf("Next(%s) = %s, want %s", tc.now, got.UTC().Format(time.RFC3339), tc.next)
			}
			last := tc.c.Last(now, tc.loc)
			if !last.Equal(at(tc.last)) {
				t.Errorf("Last(%s) = %s, want %s", tc.now, last.UTC().Format(time.RFC3339), tc.last)
			}
			if got := tc.c.Previous(last, tc.loc); !got.Equal(at(tc.beforeLastWant)) {
				t.Errorf("Previous(%s) = %s, want %s", tc.last, got.UTC().Format(time.RFC3339), tc.beforeLastWant)
			}
		})
	}
}

// TestCadenceValidate names the field at fault in a cadence that cannot be.
func TestCadenceValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		c     cairn.Cadence
		field string
	}{
		{"ErrFrequency", cairn.Cadence{Frequency: "daily", MonthDay: 1}, "frequency"},
		{"ErrWeekday", cairn.Cadence{Frequency: cairn.Weekly, Weekday: 7, MonthDay: 1}, "weekday"},
		{"ErrMonthDay29", cairn.Cadence{Frequency: cairn.Monthly, MonthDay: 29}, "month_day"},
		{"ErrHour", cairn.Cadence{Frequency: cairn.Weekly, MonthDay: 1, Hour: 24}, "hour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantField(t, tc.c.Validate(), tc.field)
		})
	}
	if _, err := cairn.LoadTimeZone("Mars/Olympus"); cairn.ErrorField(err) != "time_zone" {
		t.Errorf("an unknown time zone: %v", err)
	}
}
