package main

import (
	"fmt"
	"time"

	"github.com/cairn-okr/cairn/datasource"
)

// rateNumbers are what a phase saw of the rate limit.
type rateNumbers struct {
	delayed, throttled int
	heldBack           time.Duration
	remaining, limit   float64
	reported           bool
}

func (r *rateNumbers) add(v *datasource.RateLimitView) {
	if v == nil {
		return
	}
	r.delayed += v.Delayed
	r.throttled += v.Throttled
	r.heldBack += time.Duration(v.HeldBackSeconds * float64(time.Second))
	r.reported = v.Reported
	r.remaining, r.limit = v.Remaining, v.Limit
}

func (r *rateNumbers) remainingText() string {
	if !r.reported {
		return "not reported"
	}
	return fmt.Sprintf("%g of %g", r.remaining, r.limit)
}
