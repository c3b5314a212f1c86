package cairn

import (
	"time"
)

// Frequency is how often a check-in is due.
type Frequency string

// The frequencies of a check-in cadence.
const (
	Weekly   Frequency = "weekly"
	Biweekly Frequency = "biweekly"
	Monthly  Frequency = "monthly"
)

// Cadence is when check-ins are due: on a weekday every week or every other week, or on a
// day of every month, at an hour, all read in the organization's time zone. Weekday is 0
// (Sunday) to 6 and matters for weekly and biweekly cadences; MonthDay is 1 to 28 (so that
// every month has it) and matters for monthly ones.
//
// A biweekly cadence is due in the even weeks counted from Monday 5 January 1970, so that
// every organization and team with the same weekday agrees on which weeks those are,
// without an anchor date to keep.
type Cadence struct {
	Frequency Frequency `json:"frequency"`
	Weekday   int       `json:"weekday"`
	MonthDay  int       `json:"month_day"`
	Hour      int       `json:"hour"`
}

// DefaultCadence is the cadence of an organization that set none: weekly on Monday at 9.
var DefaultCadence = Cadence{Frequency: Weekly, Weekday: int(time.Monday), MonthDay: 1, Hour: 9}

// Validate checks a cadence.
func (c *Cadence) Validate() error {
	switch c.Frequency {
	case Weekly, Biweekly, Monthly:
	default:
		return FieldError("frequency", "frequency must be weekly, biweekly or monthly, not %q", c.Frequency)
	}
	if c.Weekday < 0 || c.Weekday > 6 {
		return FieldError("weekday", "weekday must be 0 (Sunday) to 6 (Saturday), not %d", c.Weekday)
	}
	if c.MonthDay == 0 {
		c.MonthDay = 1
	}
	if c.MonthDay < 1 || c.MonthDay > 28 {
		return FieldError("month_day", "month_day must be 1 to 28, so that every month has it, not %d", c.MonthDay)
	}
	if c.Hour < 0 || c.Hour > 23 {
		return FieldError("hour", "hour must be 0 to 23, not %d", c.Hour)
	}
	return nil
}

// biweeklyEpoch is the Monday from which biweekly cadences count their weeks.
var biweeklyEpoch = time.Date(1970, time.January, 5, 0, 0, 0, 0, time.UTC)

// dueOn reports whether a check-in is due on the calendar day y-m-d.
func (c Cadence) dueOn(y int, m time.Month, d int) bool {
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch c.Frequency {
	case Monthly:
		return d == c.MonthDay
	case Biweekly:
		if int(day.Weekday()) != c.Weekday {
			return false
		}
		days := int(day.Sub(biweeklyEpoch).Hours()/24 + 0.5)
		if days < 0 {
			days = -days + 7
		}
		return (days/7)%2 == 0
	default:
		return int(day.Weekday()) == c.Weekday
	}
}

// at returns the due instant of the day y-m-d in loc.
func (c Cadence) at(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, c.Hour, 0, 0, 0, loc)
}

// Last returns the latest due time at or before t, read in loc.
func (c Cadence) Last(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	for i := 0; i <= 62; i++ {
		y, m, d := lt.AddDate(0, 0, -i).Date()
		if c.dueOn(y, m, d) {
			if due := c.at(y, m, d, loc); !due.After(t) {
				return due
			}
		}
	}
	return time.Time{}
}

// Next returns the first due time after t, read in loc.
func (c Cadence) Next(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	for i := 0; i <= 62; i++ {
		y, m, d := lt.AddDate(0, 0, i).Date()
		if c.dueOn(y, m, d) {
			if due := c.at(y, m, d, loc); due.After(t) {
				return due
			}
		}
	}
	return time.Time{}
}

// Previous returns the due time before the due time due.
func (c Cadence) Previous(due time.Time, loc *time.Location) time.Time {
	return c.Last(due.Add(-time.Second), loc)
}

// LoadTimeZone returns the location of an IANA time zone name; empty is UTC.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, FieldError("time_zone", "time_zone must be an IANA time zone such as Europe/Berlin, not %q", name)
	}
	return loc, nil
}
