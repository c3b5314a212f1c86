package cairn_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestThrottlePolicyDelay(t *testing.T) {
	t.Parallel()
	account, address := cairn.AccountThrottlePolicy(), cairn.AddressThrottlePolicy()
	tests := []struct {
		name       string
		policy     cairn.ThrottlePolicy
		failures   int
		wait       time.Duration
		wantLocked bool
	}{
		{"AccountNoFailures", account, 0, 0, false},
		{"AccountFreeFailures", account, 2, 0, false},
		{"AccountFirstWait", account, 3, time.Second, false},
		{"AccountWaitDoubles", account, 4, 2 * time.Second, false},
		{"AccountWaitDoublesAgain", account, 5, 4 * time.Second, false},
		{"AccountWaitBelowCap", account, 8, 32 * time.Second, false},
		{"AccountWaitCapped", account, 9, time.Minute, false},
		{"AccountLockedAtTen", account, 10, 15 * time.Minute, true},
		{"AccountStaysLocked", account, 11, 15 * time.Minute, true},
		{"AddressFreeFailures", address, 19, 0, false},
		{"AddressFirstWait", address, 20, time.Second, false},
		{"AddressWaitBelowCap", address, 28, 256 * time.Second, false},
		{"AddressWaitCapped", address, 29, 5 * time.Minute, false},
		{"AddressNeverLocks", address, 1000, 5 * time.Minute, false},
		{"NoBaseDelayNeverWaits", cairn.ThrottlePolicy{FreeFailures: 1}, 5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, locked := tt.policy.Delay(tt.failures)
			if d != tt.wait || locked != tt.wantLocked {
				t.Fatalf("Delay(%d) = %v, %v; want %v, %v", tt.failures, d, locked, tt.wait, tt.wantLocked)
			}
		})
	}
}

func TestThrottlePolicyFail(t *testing.T) {
	t.Parallel()
	p := cairn.AccountThrottlePolicy()
	now := time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
	rec := func(failures int, last time.Time) *cairn.SignInThrottle {
		return &cairn.SignInThrottle{Scope: cairn.ThrottleAccount, Subject: "a@example.com", Failures: failures, LastFailureAt: last}
	}
	tests := []struct {
		name       string
		prev       *cairn.SignInThrottle
		failures   int
		retryAt    time.Time
		wantLocked bool
	}{
		{"FirstFailure", nil, 1, now, false},
		{"ThirdFailureWaits", rec(2, now.Add(-time.Minute)), 3, now.Add(time.Second), false},
		{"TenthFailureLocks", rec(9, now.Add(-time.Minute)), 10, now.Add(15 * time.Minute), true},
		{"FailureAfterLockEndsLocksAgain", rec(10, now.Add(-16*time.Minute)), 11, now.Add(15 * time.Minute), true},
		{"JustBeforeForgetting", rec(9, now.Add(-24*time.Hour+time.Second)), 10, now.Add(15 * time.Minute), true},
		{"ForgottenAfterADay", rec(9, now.Add(-24*time.Hour)), 1, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := p.Fail(tt.prev, cairn.ThrottleAccount, "a@example.com", now)
			if got.Failures != tt.failures || !got.RetryAt.Equal(tt.retryAt) || got.Locked != tt.wantLocked ||
				!got.LastFailureAt.Equal(now) || got.Scope != cairn.ThrottleAccount || got.Subject != "a@example.com" {
				t.Fatalf("Fail = %+v, want %d failures, retry at %v, locked %v", got, tt.failures, tt.retryAt, tt.wantLocked)
			}
		})
	}
}

func TestThrottlePolicyRefund(t *testing.T) {
	t.Parallel()
	p := cairn.AddressThrottlePolicy()
	last := time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		failures int
		want     int
		retryAt  time.Time
	}{
		{"BackBelowTheFreeFailures", 20, 19, last},
		{"StillWaiting", 22, 21, last.Add(2 * time.Second)},
		{"NeverNegative", 0, 0, last},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := p.Refund(&cairn.SignInThrottle{Scope: cairn.ThrottleAddress, Subject: "198.51.100.1", Failures: tt.failures, LastFailureAt: last, RetryAt: last.Add(time.Hour)})
			if got.Failures != tt.want || !got.RetryAt.Equal(tt.retryAt) || !got.LastFailureAt.Equal(last) || got.Subject != "198.51.100.1" {
				t.Fatalf("Refund = %+v, want %d failures and retry at %v", got, tt.want, tt.retryAt)
			}
		})
	}
	t.Run("LiftsALock", func(t *testing.T) {
		t.Parallel()
		got := cairn.AccountThrottlePolicy().Refund(&cairn.SignInThrottle{Scope: cairn.ThrottleAccount, Failures: 10, LastFailureAt: last, Locked: true})
		if got.Locked || got.Failures != 9 || !got.RetryAt.Equal(last.Add(time.Minute)) {
			t.Fatalf("Refund = %+v, want 9 failures, unlocked, one minute's wait", got)
		}
	})
}

func TestAccountSubject(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, email, want string }{
		{"LowerCasedAndTrimmed", "  Dana@Example.COM ", "dana@example.com"},
		{"NulReplaced", "a\x00b@example.com", "a\uFFFDb@example.com"},
		{"InvalidUTF8Replaced", "a\xffb@example.com", "a\uFFFDb@example.com"},
		{"LongCut", strings.Repeat("a", 400) + "@example.com", strings.Repeat("a", 320)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cairn.AccountSubject(tt.email); got != tt.want {
				t.Fatalf("AccountSubject(%q) = %q, want %q", tt.email, got, tt.want)
			}
		})
	}
}

func TestAddressSubject(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, ip, want string }{
		{"IPv4", "203.0.113.7", "203.0.113.7"},
		{"IPv4MappedIPv6", "::ffff:203.0.113.7", "203.0.113.7"},
		{"IPv6ByItsSlash64", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"IPv6SameSlash64", "2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"IPv6Zone", "fe80::1%eth0", "fe80::/64"},
		{"NotAnAddress", "not-an-ip", ""},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cairn.AddressSubject(tt.ip); got != tt.want {
				t.Fatalf("AddressSubject(%q) = %q, want %q", tt.ip, got, tt.want)
			}
		})
	}
}

func TestUsableEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		email string
		want  bool
	}{
		{"Plain", "dana@example.com", true},
		{"UpperCaseAndSpaces", " Dana@Example.com ", true},
		{"NoAt", "dana.example.com", false},
		{"Nul", "dana\x00@example.com", false},
		{"InvalidUTF8", "dana\xff@example.com", false},
		{"TooLong", strings.Repeat("a", 250) + "@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cairn.UsableEmail(tt.email); got != tt.want {
				t.Fatalf("UsableEmail(%q) = %v, want %v", tt.email, got, tt.want)
			}
		})
	}
}

func TestRetryAt(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 8, 15, 12, 0, 3, 0, time.UTC)
	err := &cairn.Error{Code: cairn.ETHROTTLED, Message: "wait", Err: &cairn.RetryError{At: at}}
	if got, ok := cairn.RetryAt(err); !ok || !got.Equal(at) {
		t.Fatalf("RetryAt = %v, %v; want %v", got, ok, at)
	}
	if _, ok := cairn.RetryAt(errors.New("other")); ok {
		t.Fatal("RetryAt found a time in an error without one")
	}
}
