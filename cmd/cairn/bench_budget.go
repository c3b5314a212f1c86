package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cairn-okr/cairn/datasource"
)

// virtualClock is the time of a rate-limit benchmark: the emulator's sliding window and
// the client's waits run on it, so that waiting out a five-minute window costs no real
// time. A wait moves the clock to the end of the wait; waits that overlap (concurrent
// requests held back together) end at the same instant rather than adding up.
type virtualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newVirtualClock(start time.Time) *virtualClock { return &virtualClock{t: start} }

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep advances the clock to d from the time the wait starts.
func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return nil
}

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
