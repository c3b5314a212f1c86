package sqldb_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestSignInThrottles(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		now := b.clock.Now().UTC().Truncate(time.Microsecond)
		_, err := b.db.SignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com")
		wantCode(t, err, cairn.ENOTFOUND)

		first := &cairn.SignInThrottle{Scope: cairn.ThrottleAccount, Subject: "dana@example.com", Failures: 1, LastFailureAt: now, RetryAt: now}
		must(t, b.db.SaveSignInThrottle(ctx, first, nil))
		got, err := b.db.SignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com")
		must(t, err)
		if *got != *first {
			t.Fatalf("stored %+v, want %+v", got, first)
		}

		t.Run("ErrConflictOnSecondInsert", func(t *testing.T) {
			wantCode(t, b.db.SaveSignInThrottle(ctx, first, nil), cairn.ECONFLICT)
		})
		t.Run("ScopesAreApart", func(t *testing.T) {
			_, err := b.db.SignInThrottle(ctx, cairn.ThrottleAddress, "dana@example.com")
			wantCode(t, err, cairn.ENOTFOUND)
		})

		locked := &cairn.SignInThrottle{Scope: cairn.ThrottleAccount, Subject: "dana@example.com", Failures: 10,
			LastFailureAt: now.Add(time.Second), RetryAt: now.Add(15 * time.Minute), Locked: true}
		t.Run("ErrConflictWhenChangedMeanwhile", func(t *testing.T) {
			stale := *first
			stale.Failures = 4
			wantCode(t, b.db.SaveSignInThrottle(ctx, locked, &stale), cairn.ECONFLICT)
			stale = *first
			stale.LastFailureAt = now.Add(-time.Second)
			wantCode(t, b.db.SaveSignInThrottle(ctx, locked, &stale), cairn.ECONFLICT)
		})
		t.Run("UpdatedWhenUnchanged", func(t *testing.T) {
			must(t, b.db.SaveSignInThrottle(ctx, locked, got))
			again, err := b.db.SignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com")
			must(t, err)
			if *again != *locked {
				t.Fatalf("stored %+v, want %+v", again, locked)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantCode(t, b.db.SaveSignInThrottle(ctx, &cairn.SignInThrottle{Scope: "user", Subject: "x"}, nil), cairn.EINVALID)
			wantCode(t, b.db.SaveSignInThrottle(ctx, &cairn.SignInThrottle{Scope: cairn.ThrottleAddress}, nil), cairn.EINVALID)
			wantCode(t, b.db.SaveSignInThrottle(ctx, &cairn.SignInThrottle{Scope: cairn.ThrottleAddress, Subject: "x", Failures: -1}, nil), cairn.EINVALID)
			wantCode(t, b.db.SaveSignInThrottle(ctx, locked, &cairn.SignInThrottle{Scope: cairn.ThrottleAddress, Subject: "dana@example.com"}), cairn.EINVALID)
		})
		t.Run("Deleted", func(t *testing.T) {
			must(t, b.db.DeleteSignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com"))
			_, err := b.db.SignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com")
			wantCode(t, err, cairn.ENOTFOUND)
			must(t, b.db.DeleteSignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com"))
		})
		t.Run("StaleDeleted", func(t *testing.T) {
			old := &cairn.SignInThrottle{Scope: cairn.ThrottleAddress, Subject: "198.51.100.1", Failures: 3, LastFailureAt: now.Add(-48 * time.Hour), RetryAt: now.Add(-48 * time.Hour)}
			oldLocked := &cairn.SignInThrottle{Scope: cairn.ThrottleAccount, Subject: "old@example.com", Failures: 10, LastFailureAt: now.Add(-48 * time.Hour), RetryAt: now.Add(time.Hour), Locked: true}
			recent := &cairn.SignInThrottle{Scope: cairn.ThrottleAddress, Subject: "198.51.100.2", Failures: 1, LastFailureAt: now, RetryAt: now}
			for _, r := range []*cairn.SignInThrottle{old, oldLocked, recent} {
				must(t, b.db.SaveSignInThrottle(ctx, r, nil))
			}
			n, err := b.db.DeleteStaleSignInThrottles(ctx, now.Add(-24*time.Hour))
			must(t, err)
			if n != 1 {
				t.Fatalf("deleted %d stale records, want 1", n)
			}
			_, err = b.db.SignInThrottle(ctx, cairn.ThrottleAddress, "198.51.100.1")
			wantCode(t, err, cairn.ENOTFOUND)
			for _, r := range []*cairn.SignInThrottle{oldLocked, recent} {
				_, err := b.db.SignInThrottle(ctx, r.Scope, r.Subject)
				must(t, err)
			}
		})
	})
}

func TestMembersShowSignInLock(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		for _, u := range []*cairn.User{w.bob, w.carol} {
			must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: u.ID, Role: cairn.RoleMember}))
		}
		now := b.clock.Now().UTC().Truncate(time.Microsecond)
		until := now.Add(15 * time.Minute)
		must(t, b.db.SaveSignInThrottle(ctx, &cairn.SignInThrottle{Scope: cairn.ThrottleAccount, Subject: w.bob.Email, Failures: 10, LastFailureAt: now, RetryAt: until, Locked: true}, nil))
		// Waiting out a back-off is not a lock.
		must(t, b.db.SaveSignInThrottle(ctx, &cairn.SignInThrottle{Scope: cairn.ThrottleAccount, Subject: w.carol.Email, Failures: 5, LastFailureAt: now, RetryAt: now.Add(4 * time.Second)}, nil))
		// An address that happens to look like an email is not an account.
		must(t, b.db.SaveSignInThrottle(ctx, &cairn.SignInThrottle{Scope: cairn.ThrottleAddress, Subject: w.alice.Email, Failures: 30, LastFailureAt: now, RetryAt: until, Locked: true}, nil))

		lockedUntil := func() map[int64]*time.Time {
			ms, err := b.db.ListMembers(ctx, w.org.ID)
			must(t, err)
			out := map[int64]*time.Time{}
			for _, m := range ms {
				out[m.UserID] = m.LockedUntil
			}
			return out
		}
		t.Run("LockedMemberListed", func(t *testing.T) {
			got := lockedUntil()
			if len(got) != 3 || got[w.bob.ID] == nil || !got[w.bob.ID].Equal(until) || got[w.carol.ID] != nil || got[w.alice.ID] != nil {
				t.Fatalf("locked until %v, want only bob's until %v", got, until)
			}
			m, err := b.db.Membership(ctx, w.org.ID, w.bob.ID)
			must(t, err)
			if m.LockedUntil == nil || !m.LockedUntil.Equal(until) {
				t.Fatalf("membership locked until %v, want %v", m.LockedUntil, until)
			}
		})
		t.Run("ExpiredLockNotListed", func(t *testing.T) {
			b.clock.Add(15 * time.Minute)
			if got := lockedUntil(); got[w.bob.ID] != nil {
				t.Fatalf("bob locked until %v after the lock ended", got[w.bob.ID])
			}
		})
	})
}

func TestChangePasswordEndsSessions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		dana, erin := b.user(t, "dana@example.com"), b.user(t, "erin@example.com")
		exp := b.clock.Now().Add(time.Hour)
		for _, s := range []*cairn.Session{{IDHash: "d1", UserID: dana.ID, ExpiresAt: exp}, {IDHash: "d2", UserID: dana.ID, ExpiresAt: exp}, {IDHash: "e1", UserID: erin.ID, ExpiresAt: exp}} {
			must(t, b.db.CreateSession(ctx, s))
		}
		must(t, b.db.ChangePassword(ctx, dana.ID, "$argon2id$new"))
		u, err := b.db.UserByID(ctx, dana.ID)
		must(t, err)
		if u.PasswordHash != "$argon2id$new" {
			t.Fatalf("password hash %q", u.PasswordHash)
		}
		for _, h := range []string{"d1", "d2"} {
			_, err := b.db.SessionByHash(ctx, h)
			wantCode(t, err, cairn.ENOTFOUND)
		}
		_, err = b.db.SessionByHash(ctx, "e1")
		must(t, err)
		t.Run("ErrNotFound", func(t *testing.T) {
			wantCode(t, b.db.ChangePassword(ctx, 9999, "$argon2id$x"), cairn.ENOTFOUND)
		})
		t.Run("ErrEmptyHash", func(t *testing.T) {
			wantCode(t, b.db.ChangePassword(ctx, dana.ID, ""), cairn.EINVALID)
		})
	})
}

func TestDeleteUserSessions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		dana, erin := b.user(t, "dana@example.com"), b.user(t, "erin@example.com")
		exp := b.clock.Now().Add(time.Hour)
		for _, s := range []*cairn.Session{{IDHash: "d1", UserID: dana.ID, ExpiresAt: exp}, {IDHash: "d2", UserID: dana.ID, ExpiresAt: exp}, {IDHash: "e1", UserID: erin.ID, ExpiresAt: exp}} {
			must(t, b.db.CreateSession(ctx, s))
		}
		must(t, b.db.DeleteUserSessions(ctx, dana.ID))
		for _, h := range []string{"d1", "d2"} {
			_, err := b.db.SessionByHash(ctx, h)
			wantCode(t, err, cairn.ENOTFOUND)
		}
		_, err := b.db.SessionByHash(ctx, "e1")
		must(t, err)
		must(t, b.db.DeleteUserSessions(ctx, dana.ID))
	})
}

func TestListAndDeleteAPITokens(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		dana, erin := b.user(t, "dana@example.com"), b.user(t, "erin@example.com")
		older := &cairn.APIToken{UserID: dana.ID, Name: "ci", Hash: "h-ci"}
		must(t, b.db.CreateAPIToken(ctx, older))
		b.clock.Add(time.Minute)
		newer := &cairn.APIToken{UserID: dana.ID, Name: "laptop", Hash: "h-laptop"}
		must(t, b.db.CreateAPIToken(ctx, newer))
		must(t, b.db.CreateAPIToken(ctx, &cairn.APIToken{UserID: erin.ID, Name: "erin", Hash: "h-erin"}))

		ts, err := b.db.ListAPITokens(ctx, dana.ID)
		must(t, err)
		if len(ts) != 2 || ts[0].ID != newer.ID || ts[1].ID != older.ID || ts[0].Name != "laptop" || !ts[1].CreatedAt.Equal(older.CreatedAt) {
			t.Fatalf("tokens %+v %+v, want laptop then ci", ts[0], ts[1])
		}
		t.Run("EmptyListNotNil", func(t *testing.T) {
			ts, err := b.db.ListAPITokens(ctx, 9999)
			must(t, err)
			if ts == nil || len(ts) != 0 {
				t.Fatalf("tokens %v, want an empty list", ts)
			}
		})
		t.Run("ErrNotFoundForAnotherUser", func(t *testing.T) {
			wantCode(t, b.db.DeleteAPIToken(ctx, erin.ID, newer.ID), cairn.ENOTFOUND)
			_, err := b.db.APITokenByHash(ctx, "h-laptop")
			must(t, err)
		})
		t.Run("Deleted", func(t *testing.T) {
			must(t, b.db.DeleteAPIToken(ctx, dana.ID, newer.ID))
			_, err := b.db.APITokenByHash(ctx, "h-laptop")
			wantCode(t, err, cairn.ENOTFOUND)
			wantCode(t, b.db.DeleteAPIToken(ctx, dana.ID, newer.ID), cairn.ENOTFOUND)
			ts, err := b.db.ListAPITokens(ctx, dana.ID)
			must(t, err)
			if len(ts) != 1 || ts[0].ID != older.ID {
				t.Fatalf("tokens after delete: %v", ts)
			}
		})
	})
}

// TestSignInGuardCountsConcurrentAttempts runs many attempts for one email at the same
// instant, as several replicas would: no more may pass than the policy's free failures.
func TestSignInGuardCountsConcurrentAttempts(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		policy := cairn.AccountThrottlePolicy()
		guard := cairn.NewSignInGuard(b.db, cairn.SignInGuardOptions{Now: b.clock.Now})
		const attempts = 24
		var wg sync.WaitGroup
		var mu sync.Mutex
		passed, refused := 0, 0
		for i := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Every attempt comes from its own address, so only the email limits them.
				_, err := guard.Begin(ctx, "Dana@example.com", "198.51.100."+strconv.Itoa(i+1))
				mu.Lock()
				defer mu.Unlock()
				switch cairn.ErrorCode(err) {
				case "":
					passed++
				case cairn.ETHROTTLED:
					refused++
				default:
					t.Errorf("Begin: %v", err)
				}
			}()
		}
		wg.Wait()
		if passed != policy.FreeFailures || refused != attempts-passed {
			t.Fatalf("%d attempts passed and %d were refused, want %d to pass", passed, refused, policy.FreeFailures)
		}
		rec, err := b.db.SignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com")
		must(t, err)
		if rec.Failures != policy.FreeFailures {
			t.Fatalf("%d failures counted, want %d", rec.Failures, policy.FreeFailures)
		}
		t.Run("RefusedAttemptsLeaveNoAddressCount", func(t *testing.T) {
			total := 0
			for i := range attempts {
				a, err := b.db.SignInThrottle(ctx, cairn.ThrottleAddress, "198.51.100."+strconv.Itoa(i+1))
				if cairn.ErrorCode(err) == cairn.ENOTFOUND {
					continue
				}
				must(t, err)
				total += a.Failures
			}
			if total != passed {
				t.Fatalf("the addresses counted %d failures, want %d: one per attempt that passed", total, passed)
			}
		})
		t.Run("SuccessClearsTheEmail", func(t *testing.T) {
			b.clock.Add(time.Second)
			a, err := guard.Begin(ctx, "dana@example.com", "198.51.100.200")
			must(t, err)
			must(t, a.Succeeded(ctx))
			_, err = b.db.SignInThrottle(ctx, cairn.ThrottleAccount, "dana@example.com")
			wantCode(t, err, cairn.ENOTFOUND)
			addr, err := b.db.SignInThrottle(ctx, cairn.ThrottleAddress, "198.51.100.200")
			must(t, err)
			if addr.Failures != 0 {
				t.Fatalf("the address keeps %d failures after a success", addr.Failures)
			}
		})
	})
}
