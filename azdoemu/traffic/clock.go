package traffic

import (
	"context"
	"sync"
	"time"
)

// VirtualClock is a time that the rate limit's sliding window and a client's waits share,
// for benchmarks and tests: Sleep moves it on at once, so that waiting out a five-minute
// window costs no real time. Waits run one after another (a client with one request at a
// time), each moving the clock by its length; the clock adds them up.
type VirtualClock struct {
	mu     sync.Mutex
	t      time.Time
	waited time.Duration
}

// NewVirtualClock returns a clock that reads start until something waits.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{t: start} }

// Now returns the clock's time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep moves the clock on by d, at once; it fails only when ctx has ended.
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
		c.waited += d
	}
	return nil
}

// TakeWaited returns how long the waits since the last call took, and starts counting
// again.
func (c *VirtualClock) TakeWaited() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.waited
	c.waited = 0
	return w
}
