package progress

import "time"

// Expected returns the progress expected at now on a straight line from the start of
// the period to its end, clamped to [0, 1].
//
// Periods are whole calendar days: the line starts at midnight at the beginning of
// periodStart's date and reaches 1 at midnight at the end of periodEnd's date, so a
// period 2026-07-01..2026-09-30 includes all of 30 September and a one-day period
// runs for 24 hours. Each date is read in its own time's location. Before the period
// begins the result is 0, after it ends 1. A period whose end date precedes its start
// date has no duration and jumps from 0 to 1 at its start.
func Expected(periodStart, periodEnd, now time.Time) float64 {
	start, end := periodBounds(periodStart, periodEnd)
	if now.Before(start) {
		return 0
	}
	if !now.Before(end) {
		return 1
	}
	return float64(now.Sub(start)) / float64(end.Sub(start))
}

// periodBounds returns the first instant of the period and the first instant after it.
func periodBounds(periodStart, periodEnd time.Time) (start, end time.Time) {
	start = startOfDay(periodStart)
	end = startOfDay(periodEnd).AddDate(0, 0, 1)
	if end.Before(start) {
		end = start
	}
	return start, end
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
