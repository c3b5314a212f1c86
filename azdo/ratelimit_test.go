package azdo_test

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
)

// TestClientSlowsDownBeforeTheLimit runs the emulator on the client's own fake clock with
// a budget of 10 TSTU and makes 14 calls of 1 TSTU: the client must wait out the delay
// Azure DevOps announces once usage passes 80 % and so never be refused, and it must
// report the budget it was told.
func TestClientSlowsDownBeforeTheLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := setupEmu(t, azdoemu.Options{Budget: 10, Now: clock.Now}, func(cfg *azdo.Config) {
		cfg.Sleep, cfg.Now = clock.Sleep, clock.Now
	})
	if rl := b.client.RateLimit(); !rl.SeenAt.IsZero() {
		t.Fatalf("rate limit before any call: %+v", rl)
	}
	for i := range 14 {
		if _, err := b.client.States(context.Background(), emuProject, "Bug"); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	rl := b.client.RateLimit()
	if rl.Limit != 10 || rl.Resource != "ATCPU" || rl.SeenAt.IsZero() || rl.Reset.IsZero() {
		t.Errorf("rate limit %+v, want the emulator's budget of 10 ATCPU with a reset time", rl)
	}
	if rl.Delayed == 0 || rl.Throttled != 0 {
		t.Errorf("delayed %d, throttled %d: want delays and no 429", rl.Delayed, rl.Throttled)
	}
	if rl.HeldBack < time.Minute {
		t.Errorf("held back %v in all; the client did not wait for usage to leave the window", rl.HeldBack)
	}
	if got := b.calls("wit/workitemtypes/{type}/states"); got != 14 {
		t.Errorf("%d state calls reached the emulator, want 14 (no retries)", got)
	}
	if rem, ok := rl.RemainingAt(rl.Reset); !ok || rem != 10 {
		t.Errorf("remaining at reset = %v, %v; want the whole budget", rem, ok)
	}
}

// TestClientCountsThrottledRequests keeps the emulator's clock still, so the budget never
// refills, and checks that the client reports the 429 answers and an empty budget.
func TestClientCountsThrottledRequests(t *testing.T) {
	t.Parallel()
	b := setupEmu(t, azdoemu.Options{Budget: 6}, func(cfg *azdo.Config) { cfg.MaxRetries = 1 })
	for range 10 {
		if _, err := b.client.States(context.Background(), emuProject, "Bug"); err != nil {
			break
		}
	}
	rl := b.client.RateLimit()
	if rl.Throttled == 0 || rl.Remaining != 0 || rl.Limit != 6 {
		t.Errorf("rate limit %+v, want 429s counted and nothing remaining of 6", rl)
	}
	if rem, ok := rl.RemainingAt(rl.SeenAt); !ok || rem != 0 {
		t.Errorf("remaining now = %v, %v; want 0", rem, ok)
	}
}
