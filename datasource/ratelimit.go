package datasource

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cairn-okr/cairn/azdo"
)

// RateLimitView is a connection's Azure DevOps rate-limit budget: what the service last
// reported about the connection's identity (a budget of TSTUs over a sliding five
// minutes), and how the last sync fared against it.
type RateLimitView struct {
	// Reported is false until a response carried the X-RateLimit headers. Azure DevOps
	// sends them only when usage nears the limit, so an unreported budget was never
	// close to running out.
	Reported bool `json:"reported"`
	// Resource is the throttled resource, such as ATCPU.
	Resource string `json:"resource,omitempty"`
	// Limit is the budget in TSTU; Remaining is what is left of it now: the last
	// reported value until the reset time, the whole budget after it.
	Limit     float64 `json:"limit"`
	Remaining float64 `json:"remaining"`
	// ResetAt is when usage returns to zero; ReportedAt when the budget was reported.
	ResetAt    *time.Time `json:"reset_at,omitempty"`
	ReportedAt *time.Time `json:"reported_at,omitempty"`
	// Delayed counts responses of the last sync that Azure DevOps delayed, Throttled the
	// requests it refused with 429, and HeldBackSeconds how long Cairn waited to stay
	// within the budget.
	Delayed         int     `json:"delayed"`
	Throttled       int     `json:"throttled"`
	HeldBackSeconds float64 `json:"held_back_seconds"`
	// SyncedAt is when the last sync that reported these numbers ended.
	SyncedAt *time.Time `json:"synced_at,omitempty"`
}

// Low reports whether less than a fifth of the budget is left.
func (v *RateLimitView) Low() bool {
	return v != nil && v.Reported && v.Limit > 0 && v.Remaining < v.Limit/5
}

// rateLimitRecord is what Cairn keeps of a connection's budget between syncs.
type rateLimitRecord struct {
	Budget   azdo.RateLimit `json:"budget"`
	SyncedAt time.Time      `json:"synced_at"`
}

func rateLimitKey(connectionID int64) string {
	return "azdo.rate_limit." + strconv.FormatInt(connectionID, 10)
}

// saveRateLimit keeps what a sync's client learnt about the budget after calls requests.
// A sync whose responses carried no rate-limit headers keeps the last reported budget,
// with its own counts.
func saveRateLimit(ctx context.Context, store Store, connectionID int64, c *azdo.Client, calls int, now time.Time) error {
	rl := c.RateLimit()
	prev, ok := loadRateLimit(ctx, store, connectionID)
	if ok && calls == 0 {
		// A sync put off before its first request keeps the last sync's numbers.
		if rl.HoldUntil.After(prev.Budget.HoldUntil) {
			prev.Budget.HoldUntil = rl.HoldUntil
		}
		rl, now = prev.Budget, prev.SyncedAt
	}
	if ok {
		if rl.SeenAt.IsZero() && !prev.Budget.SeenAt.IsZero() {
			rl.Resource, rl.Limit, rl.Remaining, rl.Reset, rl.SeenAt = prev.Budget.Resource, prev.Budget.Limit, prev.Budget.Remaining, prev.Budget.Reset, prev.Budget.SeenAt
		}
		if prev.Budget.HoldUntil.After(rl.HoldUntil) {
			rl.HoldUntil = prev.Budget.HoldUntil
		}
	}
	if !rl.HoldUntil.After(now) {
		rl.HoldUntil = time.Time{}
	}
	data, err := json.Marshal(rateLimitRecord{Budget: rl, SyncedAt: now.UTC()})
	if err != nil {
		return err
	}
	return store.SetSetting(ctx, rateLimitKey(connectionID), string(data))
}

func loadRateLimit(ctx context.Context, store Store, connectionID int64) (rateLimitRecord, bool) {
	v, err := store.Setting(ctx, rateLimitKey(connectionID))
	if err != nil {
		return rateLimitRecord{}, false
	}
	var r rateLimitRecord
	if json.Unmarshal([]byte(v), &r) != nil {
		return rateLimitRecord{}, false
	}
	return r, true
}

// maxInlineHold is the longest a sync waits, before its first request, for a hold that an
// earlier sync's client was given (Retry-After); a longer hold defers the sync, and the job
// queue runs it again later.
const maxInlineHold = 30 * time.Second

// pendingHold returns until when Azure DevOps asked the connection's identity to wait, or
// the zero time.
func pendingHold(ctx context.Context, store Store, connectionID int64, now time.Time) time.Time {
	r, ok := loadRateLimit(ctx, store, connectionID)
	if !ok || !r.Budget.HoldUntil.After(now) {
		return time.Time{}
	}
	return r.Budget.HoldUntil
}

// rateLimitView returns a connection's budget as of now, or nil before its first sync.
func (s *Service) rateLimitView(ctx context.Context, connectionID int64) *RateLimitView {
	r, ok := loadRateLimit(ctx, s.cfg.Store, connectionID)
	if !ok {
		return nil
	}
	b := r.Budget
	synced := r.SyncedAt
	v := &RateLimitView{Delayed: b.Delayed, Throttled: b.Throttled, HeldBackSeconds: b.HeldBack.Seconds(), SyncedAt: &synced}
	if rem, ok := b.RemainingAt(s.cfg.Now()); ok {
		seen := b.SeenAt
		v.Reported, v.Resource, v.Limit, v.Remaining, v.ReportedAt = true, b.Resource, b.Limit, rem, &seen
		if !b.Reset.IsZero() {
			reset := b.Reset
			v.ResetAt = &reset
		}
	}
	return v
}
