package traffic_test

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu/traffic"
)

// TestVirtualClock checks that waits move the clock at once and add up, that TakeWaited
// starts counting again, and that an ended context stops a wait without moving the clock.
func TestVirtualClock(t *testing.T) {
	start := time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
	c := traffic.NewVirtualClock(start)
	ctx := context.Background()
	if err := c.Sleep(ctx, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := c.Sleep(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	_ = c.Sleep(ctx, -time.Second) // a negative wait is none
	if got, want := c.Now(), start.Add(5*time.Minute+30*time.Second); !got.Equal(want) {
		t.Fatalf("Now() = %v, want %v", got, want)
	}
	if w := c.TakeWaited(); w != 5*time.Minute+30*time.Second {
		t.Fatalf("waited %v, want 5m30s", w)
	}
	if w := c.TakeWaited(); w != 0 {
		t.Fatalf("waited %v after a take, want 0", w)
	}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Sleep(ended, time.Hour); err == nil {
		t.Fatal("a wait on an ended context succeeded")
	}
	if got := c.Now(); !got.Equal(start.Add(5*time.Minute + 30*time.Second)) {
		t.Fatalf("an ended wait moved the clock to %v", got)
	}
}
