package azdo

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is what Azure DevOps has told a Client about its rate-limit budget
// (a per-identity allowance of TSTUs over a sliding five minutes). Azure DevOps
// sends the X-RateLimit headers only once usage nears the limit, so a zero
// SeenAt means no response carried them: the budget was not close to running out.
type RateLimit struct {
	// Resource is the throttled resource (X-RateLimit-Resource), such as ATCPU.
	Resource string `json:"resource,omitempty"`
	// Limit and Remaining are the budget and what is left of it, in TSTU, from
	// the last response that carried them.
	Limit     float64 `json:"limit"`
	Remaining float64 `json:"remaining"`
	// Reset is when usage returns to zero (X-RateLimit-Reset).
	Reset time.Time `json:"reset,omitzero"`
	// SeenAt is when the last response with rate-limit headers arrived.
	SeenAt time.Time `json:"seen_at,omitzero"`
	// Delayed counts responses Azure DevOps delayed (X-RateLimit-Delay), and
	// Throttled the requests it refused with 429.
	Delayed   int `json:"delayed"`
	Throttled int `json:"throttled"`
	// HeldBack is the total time the client waited before requests because
	// of Retry-After, X-RateLimit-Delay, a low remaining budget or backoff.
	HeldBack time.Duration `json:"held_back"`
	// HoldUntil is when the client would send its next request to the
	// organization at the earliest, after Retry-After, a delay or backoff.
	HoldUntil time.Time `json:"hold_until,omitzero"`
}

// RemainingAt returns what is left of the budget at now: Remaining until
// Reset, and the whole Limit after it. ok is false when no response has
// reported the budget.
func (r RateLimit) RemainingAt(now time.Time) (remaining float64, ok bool) {
	if r.SeenAt.IsZero() || r.Limit <= 0 {
		return 0, false
	}
	if !r.Reset.IsZero() && !now.Before(r.Reset) {
		return r.Limit, true
	}
	return r.Remaining, true
}

// RateLimit returns what Azure DevOps has reported about this client's
// rate-limit budget so far.
func (c *Client) RateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	rl := c.rl
	rl.HoldUntil = c.notUntil[c.org.Host]
	return rl
}

// HoldUntil makes the client send no request to the organization before t,
// as a Retry-After would: a new client for an identity that an earlier client
// was told to slow down carries on where that one stopped.
func (c *Client) HoldUntil(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.notUntil[c.org.Host]) {
		c.notUntil[c.org.Host] = t
	}
}

// observeRateLimit records the rate-limit headers and status of a response.
func (c *Client) observeRateLimit(status int, h http.Header) {
	limit, errL := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Limit")), 64)
	remaining, errR := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Remaining")), 64)
	delay, errD := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Delay")), 64)
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if status == http.StatusTooManyRequests {
		c.rl.Throttled++
	}
	if errD == nil && delay > 0 {
		c.rl.Delayed++
	}
	if errL != nil || errR != nil || limit <= 0 {
		return
	}
	c.rl.Limit, c.rl.Remaining, c.rl.SeenAt = limit, max(remaining, 0), now
	c.rl.Resource = strings.TrimSpace(h.Get("X-RateLimit-Resource"))
	c.rl.Reset = time.Time{}
	if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil && reset > 0 {
		c.rl.Reset = time.Unix(reset, 0).UTC()
	}
}

// heldBack adds a wait before a request to the client's total.
func (c *Client) heldBack(d time.Duration) {
	c.mu.Lock()
	c.rl.HeldBack += d
	c.mu.Unlock()
}
