package progress

import "time"

// Point is one observation in a progress history, typically a check-in.
type Point struct {
	// At is when the value was observed.
	At time.Time
	// Value is the observed value, a progress fraction or a raw metric value.
	Value float64
}

// Forecast projects where a history of values will land at the end of the period.
//
// It fits a straight line through the points by least squares over (time, value) and
// reads it at the end of periodEnd's date (periods include their end day, as in
// Expected). Least squares uses every check-in rather than only the first and last,
// so one late correction does not swing the forecast. The projection is not clamped:
// the unit of Value belongs to the caller, and a line heading past the target is
// exactly what a forecast should show.
//
// ok is false when fewer than two points with finite values at distinct times exist.
// periodStart only anchors the time axis, which keeps the arithmetic well conditioned;
// points before the period count as well, since they describe the pace that leads in.
func Forecast(points []Point, periodStart, periodEnd time.Time) (value float64, ok bool) {
	origin, end := periodBounds(periodStart, periodEnd)
	var n, sx, sy float64
	var first time.Time
	distinct := false
	for _, p := range points {
		if !finite(p.Value) {
			continue
		}
		if n == 0 {
			first = p.At
		} else if !p.At.Equal(first) {
			distinct = true
		}
		n++
		sx += days(p.At.Sub(origin))
		sy += p.Value
	}
	if !distinct {
		return 0, false
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for _, p := range points {
		if !finite(p.Value) {
			continue
		}
		dx := days(p.At.Sub(origin)) - mx
		sxx += dx * dx
		sxy += dx * (p.Value - my)
	}
	if sxx == 0 {
		return 0, false
	}
	slope := sxy / sxx
	return my + slope*(days(end.Sub(origin))-mx), true
}

func days(d time.Duration) float64 {
	return d.Hours() / 24
}
