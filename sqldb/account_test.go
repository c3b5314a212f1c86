package sqldb_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestTenant(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		_, err := b.db.Tenant(ctx)
		wantCode(t, err, cairn.ENOTFOUND)

		admin := &cairn.User{Email: "  Root@Example.COM ", Name: "Root"}
		must(t, b.db.CreateTenant(ctx, &cairn.Tenant{Name: "Fabrikam"}, admin))
		if !admin.TenantAdmin || admin.ID == 0 || admin.Email != "root@example.com" {
			t.Fatalf("admin = %+v, want a stored tenant admin with a lower-cased email", admin)
		}
		ten, err := b.db.Tenant(ctx)
		must(t, err)
		if ten.Name != "Fabrikam" || !ten.CreatedAt.Equal(b.clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("tenant = %+v", ten)
		}
		u, err := b.db.UserByID(ctx, admin.ID)
		must(t, err)
		if !u.TenantAdmin {
			t.Fatal("stored admin is not a tenant admin")
		}

		t.Run("ErrConflictWhenExists", func(t *testing.T) {
			err := b.db.CreateTenant(ctx, &cairn.Tenant{Name: "Again"}, &cairn.User{Email: "x@example.com"})
			wantCode(t, err, cairn.ECONFLICT)
			if _, err := b.db.UserByEmail(ctx, "x@example.com"); cairn.ErrorCode(err) != cairn.ENOTFOUND {
				t.Fatalf("the admin of a refused tenant was stored: %v", err)
			}
		})
	})
}

func TestSettings(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		_, err := b.db.Setting(ctx, "setup_token")
		wantCode(t, err, cairn.ENOTFOUND)
		must(t, b.db.SetSetting(ctx, "setup_token", "h1"))
		must(t, b.db.SetSetting(ctx, "setup_token", "h2"))
		v, err := b.db.Setting(ctx, "setup_token")
		must(t, err)
		if v != "h2" {
			t.Fatalf("setting = %q, want the replaced value h2", v)
		}
		must(t, b.db.DeleteSetting(ctx, "setup_token"))
		_, err = b.db.Setting(ctx, "setup_token")
		wantCode(t, err, cairn.ENOTFOUND)
		must(t, b.db.DeleteSetting(ctx, "setup_token"))
		wantCode(t, b.db.SetSetting(ctx, "", "x"), cairn.EINVALID)
	})
}

func TestUsers(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		u := &cairn.User{Email: "Dana@Example.com", Name: "Dana", PasswordHash: "$argon2id$x", OIDCSubject: "sub-1"}
		must(t, b.db.CreateUser(ctx, u))
		b.user(t, "aaron@example.com")

		for name, get := range map[string]func() (*cairn.User, error){
			"ByID":      func() (*cairn.User, error) { return b.db.UserByID(ctx, u.ID) },
			"ByEmail":   func() (*cairn.User, error) { return b.db.UserByEmail(ctx, "DANA@example.COM") },
			"BySubject": func() (*cairn.User, error) { return b.db.UserByOIDCSubject(ctx, "sub-1") },
		} {
			t.Run("Found"+name, func(t *testing.T) {
				got, err := get()
				must(t, err)
				if *got != *u {
					t.Fatalf("got %+v, want %+v", got, u)
				}
			})
		}

		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := b.db.UserByID(ctx, 9999)
			wantCode(t, err, cairn.ENOTFOUND)
			_, err = b.db.UserByEmail(ctx, "nobody@example.com")
			wantCode(t, err, cairn.ENOTFOUND)
			_, err = b.db.UserByOIDCSubject(ctx, "")
			wantCode(t, err, cairn.ENOTFOUND)
			wantCode(t, b.db.UpdateUser(ctx, &cairn.User{ID: 9999, Email: "z@example.com"}), cairn.ENOTFOUND)
		})

		t.Run("ErrDuplicateEmail", func(t *testing.T) {
			err := b.db.CreateUser(ctx, &cairn.User{Email: "dana@EXAMPLE.com"})
			wantCode(t, err, cairn.ECONFLICT)
			if f := cairn.ErrorField(err); f != "email" {
				t.Fatalf("field = %q, want email", f)
			}
		})

		t.Run("ErrDuplicateSubject", func(t *testing.T) {
			err := b.db.CreateUser(ctx, &cairn.User{Email: "other@example.com", OIDCSubject: "sub-1"})
			wantCode(t, err, cairn.ECONFLICT)
			if f := cairn.ErrorField(err); f != "oidc_subject" {
				t.Fatalf("field = %q, want oidc_subject", f)
			}
		})

		t.Run("ErrInvalidEmail", func(t *testing.T) {
			wantCode(t, b.db.CreateUser(ctx, &cairn.User{Email: "not-an-email"}), cairn.EINVALID)
		})

		t.Run("Updated", func(t *testing.T) {
			v := *u
			v.Name, v.TenantAdmin, v.OIDCSubject = "Dana S.", true, ""
			must(t, b.db.UpdateUser(ctx, &v))
			got, err := b.db.UserByID(ctx, u.ID)
			must(t, err)
			if got.Name != "Dana S." || !got.TenantAdmin || got.OIDCSubject != "" {
				t.Fatalf("after update: %+v", got)
			}
			dup := v
			dup.Email = "aaron@example.com"
			wantCode(t, b.db.UpdateUser(ctx, &dup), cairn.ECONFLICT)
		})

		users, err := b.db.ListUsers(ctx)
		must(t, err)
		if len(users) != 2 || users[0].Email != "aaron@example.com" || users[1].ID != u.ID {
			t.Fatalf("ListUsers = %v, want aaron then dana", users)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		u := b.user(t, "s@example.com")
		s := &cairn.Session{IDHash: "hash-1", UserID: u.ID, ExpiresAt: b.clock.Now().Add(time.Hour)}
		must(t, b.db.CreateSession(ctx, s))
		got, err := b.db.SessionByHash(ctx, "hash-1")
		must(t, err)
		if got.UserID != u.ID || !got.ExpiresAt.Equal(s.ExpiresAt) || !got.CreatedAt.Equal(s.CreatedAt) {
			t.Fatalf("session = %+v, want %+v", got, s)
		}
		wantCode(t, b.db.CreateSession(ctx, &cairn.Session{IDHash: "h", UserID: 9999, ExpiresAt: s.ExpiresAt}), cairn.ENOTFOUND)
		wantCode(t, b.db.CreateSession(ctx, &cairn.Session{IDHash: "hash-1", UserID: u.ID, ExpiresAt: s.ExpiresAt}), cairn.ECONFLICT)

		must(t, b.db.CreateSession(ctx, &cairn.Session{IDHash: "hash-2", UserID: u.ID, ExpiresAt: b.clock.Now().Add(2 * time.Hour)}))
		b.clock.Add(90 * time.Minute)
		t.Run("ErrNotFoundWhenExpired", func(t *testing.T) {
			_, err := b.db.SessionByHash(ctx, "hash-1")
			wantCode(t, err, cairn.ENOTFOUND)
		})
		n, err := b.db.DeleteExpiredSessions(ctx)
		must(t, err)
		if n != 1 {
			t.Fatalf("deleted %d expired sessions, want 1", n)
		}
		_, err = b.db.SessionByHash(ctx, "hash-2")
		must(t, err)
		must(t, b.db.DeleteSession(ctx, "hash-2"))
		_, err = b.db.SessionByHash(ctx, "hash-2")
		wantCode(t, err, cairn.ENOTFOUND)
		must(t, b.db.DeleteSession(ctx, "hash-2"))
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		u := b.user(t, "t@example.com")
		tok := &cairn.APIToken{UserID: u.ID, Name: "ci", Hash: "th-1"}
		must(t, b.db.CreateAPIToken(ctx, tok))
		got, err := b.db.APITokenByHash(ctx, "th-1")
		must(t, err)
		if got.ID != tok.ID || got.Name != "ci" || got.LastUsedAt != nil || !got.CreatedAt.Equal(tok.CreatedAt) {
			t.Fatalf("token = %+v, want %+v", got, tok)
		}
		at := time.Date(2026, 5, 1, 12, 0, 0, 987654321, time.FixedZone("CEST", 2*3600))
		must(t, b.db.TouchAPIToken(ctx, tok.ID, at))
		got, err = b.db.APITokenByHash(ctx, "th-1")
		must(t, err)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(at.Truncate(time.Microsecond)) {
			t.Fatalf("last used = %v, want %v", got.LastUsedAt, at)
		}
		wantCode(t, b.db.TouchAPIToken(ctx, 9999, at), cairn.ENOTFOUND)
		_, err = b.db.APITokenByHash(ctx, "nope")
		wantCode(t, err, cairn.ENOTFOUND)
		wantCode(t, b.db.CreateAPIToken(ctx, &cairn.APIToken{UserID: u.ID, Name: "dup", Hash: "th-1"}), cairn.ECONFLICT)
		wantCode(t, b.db.CreateAPIToken(ctx, &cairn.APIToken{UserID: 9999, Name: "x", Hash: "th-2"}), cairn.ENOTFOUND)
	})
}
