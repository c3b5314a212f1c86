package cairn

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"
)

// ThrottleScope says what a sign-in throttle counts the failures of.
type ThrottleScope string

// The scopes of sign-in throttling.
const (
	// ThrottleAccount counts the failures of one typed email, whether or not an account has
	// it, so that a throttled unknown email looks like a throttled account.
	ThrottleAccount ThrottleScope = "account"
	// ThrottleAddress counts the failures from one client address, so that one address
	// cannot try a password on many accounts.
	ThrottleAddress ThrottleScope = "address"
)

// SignInThrottle is the record of the consecutive failed password sign-ins of one account or
// client address. An attempt counts as a failure from the moment it starts, so that replicas
// checking passwords at once cannot exceed the limits; a successful one is taken back.
type SignInThrottle struct {
	Scope         ThrottleScope
	Subject       string // AccountSubject or AddressSubject
	Failures      int
	LastFailureAt time.Time
	// RetryAt is the earliest time of the next attempt.
	RetryAt time.Time
	// Locked says that the failures reached the policy's lock threshold: RetryAt is then the
	// end of the lock, which an organization admin can lift sooner.
	Locked bool
}

// ThrottlePolicy is how a scope slows down failed sign-ins: a few free failures, then an
// exponential back-off, then optionally a lock.
type ThrottlePolicy struct {
	// FreeFailures is how many consecutive failures cost no wait.
	FreeFailures int
	// BaseDelay is the wait after FreeFailures failures; each further failure doubles it,
	// up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// LockAfter is the number of consecutive failures that locks sign-in for LockFor; 0
	// never locks.
	LockAfter int
	LockFor   time.Duration
	// ForgetAfter is how long after the last failure the count starts again from zero.
	ForgetAfter time.Duration
}

// AccountThrottlePolicy is the policy per typed email: after 3 failures each attempt waits
// 1 s, 2 s, 4 s … up to a minute, and 10 consecutive failures lock sign-in for 15 minutes.
// Failures are forgotten a day after the last one.
func AccountThrottlePolicy() ThrottlePolicy {
	return ThrottlePolicy{FreeFailures: 3, BaseDelay: time.Second, MaxDelay: time.Minute,
		LockAfter: 10, LockFor: 15 * time.Minute, ForgetAfter: 24 * time.Hour}
}

// AddressThrottlePolicy is the policy per client address: 20 free failures, then 1 s, 2 s,
// 4 s … up to 5 minutes, and no lock, since many people may share an address. Failures are
// forgotten an hour after the last one.
func AddressThrottlePolicy() ThrottlePolicy {
	return ThrottlePolicy{FreeFailures: 20, BaseDelay: time.Second, MaxDelay: 5 * time.Minute,
		ForgetAfter: time.Hour}
}

// Delay returns how long the next attempt must wait after n consecutive failures, and
// whether that wait is a lock.
func (p ThrottlePolicy) Delay(n int) (time.Duration, bool) {
	if p.LockAfter > 0 && n >= p.LockAfter {
		return p.LockFor, true
	}
	if n < p.FreeFailures || p.BaseDelay <= 0 {
		return 0, false
	}
	d := p.BaseDelay
	for i := p.FreeFailures; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay), false
}

// Fail returns the record after one more failure at now. A missing record, or one whose last
// failure is older than ForgetAfter, starts again at one failure.
func (p ThrottlePolicy) Fail(prev *SignInThrottle, scope ThrottleScope, subject string, now time.Time) *SignInThrottle {
	n := 1
	if prev != nil && (p.ForgetAfter <= 0 || now.Sub(prev.LastFailureAt) < p.ForgetAfter) {
		n = prev.Failures + 1
	}
	d, locked := p.Delay(n)
	return &SignInThrottle{Scope: scope, Subject: subject, Failures: n, LastFailureAt: now, RetryAt: now.Add(d), Locked: locked}
}

// Refund returns the record with one failure fewer, for an attempt that was counted when it
// started and then succeeded.
func (p ThrottlePolicy) Refund(t *SignInThrottle) *SignInThrottle {
	n := max(t.Failures-1, 0)
	d, locked := p.Delay(n)
	return &SignInThrottle{Scope: t.Scope, Subject: t.Subject, Failures: n, LastFailureAt: t.LastFailureAt, RetryAt: t.LastFailureAt.Add(d), Locked: locked}
}

// maxSubjectLen bounds the stored subject: no email address is longer.
const maxSubjectLen = 320

// AccountSubject is the subject that throttles sign-ins with a typed email: the email as
// users.email stores it (trimmed, lower case), cut to a bounded length and cleaned of bytes
// that a database text column refuses.
func AccountSubject(email string) string {
	s := strings.ToLower(strings.TrimSpace(email))
	if len(s) > maxSubjectLen {
		s = s[:maxSubjectLen]
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// AddressSubject is the subject that throttles sign-ins from a client IP address: an IPv4
// address as is, and an IPv6 address by its /64 network, the block one subscriber usually
// holds. It returns "" for anything that is not an IP address.
func AddressSubject(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

// RetryError says when a throttled request may be tried again. It is the cause of an
// ETHROTTLED error.
type RetryError struct {
	At time.Time
}

// Error returns the time to retry at.
func (e *RetryError) Error() string { return "retry at " + e.At.UTC().Format(time.RFC3339) }

// RetryAt returns when the request that err refused may be tried again, if err says.
func RetryAt(err error) (time.Time, bool) {
	var re *RetryError
	if errors.As(err, &re) {
		return re.At, true
	}
	return time.Time{}, false
}

// throttled is the ETHROTTLED error for a record that refuses attempts until its RetryAt.
// The message depends only on the record, never on whether an account has the email.
func throttled(t *SignInThrottle, now time.Time) error {
	wait := waitText(t.RetryAt.Sub(now))
	var msg string
	switch {
	case t.Scope == ThrottleAddress:
		msg = fmt.Sprintf("too many failed sign-ins from your network address: wait %s before trying again", wait)
	case t.Locked:
		msg = fmt.Sprintf("too many failed sign-ins with this email: sign-in is locked for %s (until %s UTC); an organization admin can unlock it sooner",
			wait, t.RetryAt.UTC().Format("15:04"))
	default:
		msg = fmt.Sprintf("too many failed sign-ins with this email: wait %s before trying again", wait)
	}
	return &Error{Code: ETHROTTLED, Message: msg, Err: &RetryError{At: t.RetryAt}}
}

// waitText says a wait in whole seconds, minutes or hours, rounded up.
func waitText(d time.Duration) string {
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name
		}
		return fmt.Sprintf("%d %ss", n, name)
	}
	secs := max(int64((d+time.Second-1)/time.Second), 1)
	switch {
	case secs < 60:
		return unit(secs, "second")
	case secs < 3600:
		return unit((secs+59)/60, "minute")
	}
	return unit((secs+3599)/3600, "hour")
}

// SignInGuard throttles password sign-ins per typed email and per client address. Its
// state lives in the store, so that every replica sees the same counts.
type SignInGuard struct {
	store   Store
	now     func() time.Time
	account ThrottlePolicy
	address ThrottlePolicy
}

// SignInGuardOptions configures a SignInGuard. Zero policies mean the defaults.
type SignInGuardOptions struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Account and Address replace AccountThrottlePolicy and AddressThrottlePolicy.
	Account, Address *ThrottlePolicy
}

// NewSignInGuard returns a SignInGuard over the store.
func NewSignInGuard(store Store, opts SignInGuardOptions) *SignInGuard {
	g := &SignInGuard{store: store, now: opts.Now, account: AccountThrottlePolicy(), address: AddressThrottlePolicy()}
	if g.now == nil {
		g.now = time.Now
	}
	if opts.Account != nil {
		g.account = *opts.Account
	}
	if opts.Address != nil {
		g.address = *opts.Address
	}
	return g
}

// SignInAttempt is one counted sign-in attempt. Until Succeeded is called it stays a failure.
type SignInAttempt struct {
	g       *SignInGuard
	claimed []*SignInThrottle
}

// claimTries bounds the retries when replicas update one record at once.
const claimTries = 8

// Begin counts one attempt to sign in with the typed email from the client address (as
// AddressSubject takes it; "" skips the address) before the password is checked. It refuses
// with ETHROTTLED, carrying a RetryError, while the address or the email must wait or is
// locked; a refused attempt checks no password and so counts nothing.
func (g *SignInGuard) Begin(ctx context.Context, email, ip string) (*SignInAttempt, error) {
	a := &SignInAttempt{g: g}
	if subject := AddressSubject(ip); subject != "" {
		t, err := g.claim(ctx, ThrottleAddress, subject, g.address)
		if err != nil {
			return nil, err
		}
		a.claimed = append(a.claimed, t)
	}
	t, err := g.claim(ctx, ThrottleAccount, AccountSubject(email), g.account)
	if err != nil {
		a.refund(ctx)
		return nil, err
	}
	a.claimed = append(a.claimed, t)
	return a, nil
}

// claim adds one failure to the record unless it refuses attempts now.
func (g *SignInGuard) claim(ctx context.Context, scope ThrottleScope, subject string, p ThrottlePolicy) (*SignInThrottle, error) {
	for range claimTries {
		now := g.now().UTC()
		prev, err := g.store.SignInThrottle(ctx, scope, subject)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			prev = nil
		case err != nil:
			return nil, err
		case now.Before(prev.RetryAt):
			return nil, throttled(prev, now)
		}
		next := p.Fail(prev, scope, subject, now)
		err = g.store.SaveSignInThrottle(ctx, next, prev)
		if ErrorCode(err) == ECONFLICT {
			continue // another replica counted an attempt meanwhile: look again
		}
		if err != nil {
			return nil, err
		}
		return next, nil
	}
	now := g.now().UTC()
	return nil, throttled(&SignInThrottle{Scope: scope, Subject: subject, RetryAt: now.Add(time.Second)}, now)
}

// Succeeded clears the account's failures and takes the attempt back from the address's
// count, since a right password is not a guess.
func (a *SignInAttempt) Succeeded(ctx context.Context) error {
	for _, t := range a.claimed {
		if t.Scope == ThrottleAccount {
			if err := a.g.store.DeleteSignInThrottle(ctx, t.Scope, t.Subject); err != nil {
				return err
			}
		}
	}
	a.refund(ctx)
	// Records of emails nobody tried for a day are of no more use.
	_, err := a.g.store.DeleteStaleSignInThrottles(ctx, a.g.now().UTC().Add(-max(a.g.account.ForgetAfter, a.g.address.ForgetAfter)))
	return err
}

// refund takes the attempt back from the address's count. It is best effort: when another
// attempt changed the record meanwhile, the count keeps the attempt.
func (a *SignInAttempt) refund(ctx context.Context) {
	for _, t := range a.claimed {
		if t.Scope != ThrottleAddress {
			continue
		}
		for range claimTries {
			if err := a.g.store.SaveSignInThrottle(ctx, a.g.address.Refund(t), t); ErrorCode(err) != ECONFLICT {
				break
			}
			cur, err := a.g.store.SignInThrottle(ctx, t.Scope, t.Subject)
			if err != nil {
				break
			}
			t = cur
		}
	}
}

// UsableEmail reports whether a typed email could be an account's, so that a sign-in with
// any other skips the lookup (and the database's refusal of odd bytes) and answers as for
// an unknown email.
func UsableEmail(email string) bool {
	return utf8.ValidString(email) && !strings.ContainsRune(email, 0) && (&User{Email: email}).Validate() == nil
}
