package traffic

import (
	"net/http"
	"strings"
	"time"
)

// Window is the span over which an identity's TSTU usage is summed.
const Window = 5 * time.Minute

// DefaultCost prices a request in TSTU: 5 for running WIQL, 2 for reading work items in bulk,
// 1 for anything else. It looks at the URL path so that it does not depend on route names.
func DefaultCost(_ string, r *http.Request) float64 {
	p := strings.ToLower(r.URL.Path)
	switch {
	case strings.Contains(p, "/_apis/wit/wiql"):
		return 5
	case strings.Contains(p, "/_apis/wit/workitemsbatch"),
		strings.HasSuffix(p, "/_apis/wit/workitems"),
		strings.Contains(p, "/_apis/wit/reporting/"):
		return 2
	default:
		return 1
	}
}

// charge is one request's cost at the time it was made.
type charge struct {
	at   time.Time
	cost float64
}

// account is one identity's charges still in the window, oldest first, and their sum.
type account struct {
	charges []charge
	used    float64
}

// limiter tracks usage per identity over a sliding Window. It is not safe for concurrent use;
// the Middleware guards it.
type limiter struct {
	budget    float64
	threshold float64 // usage above which responses are delayed
	maxDelay  time.Duration
	byID      map[string]*account
}

// decision is what the limiter says about one request.
type decision struct {
	blocked    bool
	delayed    bool
	delay      time.Duration
	retryAfter time.Duration
	used       float64
	reset      time.Time
}

// live drops the identity's charges that have left the window and returns its account.
func (l *limiter) live(id string, now time.Time) *account {
	a := l.byID[id]
	if a == nil {
		a = &account{}
		l.byID[id] = a
		return a
	}
	n := 0
	for n < len(a.charges) && !a.charges[n].at.Add(Window).After(now) {
		a.used -= a.charges[n].cost
		n++
	}
	if n > 0 {
		a.charges = append(a.charges[:0], a.charges[n:]...)
	}
	if len(a.charges) == 0 {
		a.used = 0 // drop accumulated float error
	}
	return a
}

// until returns how long from now until usage satisfies ok, as charges leave the window in
// order. It is at least one second, since Retry-After counts whole seconds.
func (a *account) until(now time.Time, ok func(float64) bool) time.Duration {
	left := a.used
	for _, c := range a.charges {
		if ok(left) {
			break
		}
		left -= c.cost
		if ok(left) {
			return max(c.at.Add(Window).Sub(now), time.Second)
		}
	}
	return time.Second
}

// admit decides on a request of the given cost and, unless it is blocked, charges it.
func (l *limiter) admit(id string, cost float64, now time.Time) decision {
	a := l.live(id, now)
	if a.used >= l.budget {
		var reset time.Time
		if len(a.charges) > 0 {
			reset = a.charges[len(a.charges)-1].at.Add(Window)
		}
		return decision{
			blocked:    true,
			retryAfter: a.until(now, func(u float64) bool { return u < l.budget }),
			used:       a.used,
			reset:      reset,
		}
	}
	cost = max(cost, 0)
	a.charges = append(a.charges, charge{at: now, cost: cost})
	a.used += cost
	d := decision{used: a.used, reset: now.Add(Window)}
	if a.used <= l.threshold {
		return d
	}
	d.delayed = true
	frac := 1.0
	if span := l.budget - l.threshold; span > 0 {
		frac = min((a.used-l.threshold)/span, 1)
	}
	d.delay = time.Duration(frac * float64(l.maxDelay))
	d.retryAfter = a.until(now, func(u float64) bool { return u <= l.threshold })
	return d
}
