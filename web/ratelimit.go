package web

import (
	"math"
	"sync"
	"time"
)

// HookRate is how many service-hook deliveries a connection may send per second, and
// HookBurst how many at once, before Cairn answers 429. A bulk edit of a few hundred work
// items fits in the burst; beyond it Azure DevOps retries later, and the debounced sync that
// the accepted deliveries queued reads every change anyway.
const (
	HookRate  = 20
	HookBurst = 200
)

// limiter is a token bucket per key, such as a connection id. It answers in constant time
// and keeps at most maxBuckets buckets: full ones are dropped first, so that ids that do
// not exist cannot grow it without bound.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens a second
	burst   float64
	now     func() time.Time
	buckets map[int64]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

const maxBuckets = 4096

func newLimiter(rate, burst float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: burst, now: now, buckets: map[int64]*bucket{}}
}

// allow takes a token from key's bucket, or reports how long until one is there.
func (l *limiter) allow(key int64) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el*l.rate)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// prune drops the buckets that have refilled, and if none have, the oldest half.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < maxBuckets {
		return
	}
	n := 0
	for k := range l.buckets {
		delete(l.buckets, k)
		if n++; n >= maxBuckets/2 {
			return
		}
	}
}
