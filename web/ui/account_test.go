package ui_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// anonymous is a browser with a cookie jar and no session yet.
func (b *testBundle) anonymous() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{b: b, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// failSignIns makes n failed sign-ins with the email through the form, waiting out each
// back-off on the clock.
func (b *testBundle) failSignIns(t *testing.T, email string, n int) {
	t.Helper()
	for n > 0 {
		res := b.anonymous().post(t, "/login", url.Values{"email": {email}, "password": {"wrong"}})
		switch res.status {
		case http.StatusUnauthorized:
			n--
		case http.StatusTooManyRequests:
			secs, err := strconv.Atoi(res.header.Get("Retry-After"))
			if err != nil {
				t.Fatalf("Retry-After %q", res.header.Get("Retry-After"))
			}
			b.now = b.now.Add(time.Duration(secs) * time.Second)
		default:
			t.Fatalf("failed sign-in: %d %.300s", res.status, res.body)
		}
	}
}

func TestSignInFormThrottled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.failSignIns(t, "member@example.com", 3)
	res := b.anonymous().post(t, "/login", url.Values{"email": {"member@example.com"}, "password": {"correct-horse"}})
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") != "1" {
		t.Fatalf("status %d with Retry-After %q, want 429 and 1", res.status, res.header.Get("Retry-After"))
	}
	if !strings.Contains(res.body, `role="alert">too many failed sign-ins with this email: wait 1 second before trying again`) || !strings.Contains(res.body, `value="member@example.com"`) {
		t.Fatalf("the sign-in page does not say when to retry: %.2000s", res.body)
	}
}

func TestMembersPageUnlocksALockedMember(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	b.failSignIns(t, "member@example.com", 10)
	unlock := fmt.Sprintf("/o/fabrikam/admin/members/%d/unlock", b.users["member"].ID)

	page := admin.get(t, "/o/fabrikam/admin/members")
	t.Run("LockShownWithUnlockButton", func(t *testing.T) {
		until := b.now.Add(15 * time.Minute).UTC().Format("2 Jan 2006 15:04 UTC")
		if !strings.Contains(page.body, `action="`+unlock+`"`) || !strings.Contains(page.body, "Sign-in locked until "+until) {
			t.Fatalf("the members page shows no lock and unlock button for the member: %.3000s", page.body)
		}
		if strings.Count(page.body, "Unlock sign-in</button>") != 1 {
			t.Fatalf("unlock buttons for members that are not locked")
		}
	})
	t.Run("ErrForbiddenForViewer", func(t *testing.T) {
		if res := b.signIn(t, "viewer").post(t, unlock, url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("viewer unlocks: %d, want 403", res.status)
		}
	})
	t.Run("LockedMemberCannotSignIn", func(t *testing.T) {
		if res := b.anonymous().post(t, "/login", url.Values{"email": {"member@example.com"}, "password": {"correct-horse"}}); res.status != http.StatusTooManyRequests {
			t.Fatalf("locked member signs in: %d", res.status)
		}
	})
	t.Run("UnlockedByAdmin", func(t *testing.T) {
		res := admin.post(t, unlock, url.Values{})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/o/fabrikam/admin/members" {
			t.Fatalf("unlock: %d to %q", res.status, res.header.Get("Location"))
		}
		if page := admin.get(t, "/o/fabrikam/admin/members"); strings.Contains(page.body, "Unlock sign-in") {
			t.Fatal("the members page still offers to unlock")
		}
		b.signIn(t, "member")
	})
}

func TestAccountPageChangesPassword(t *testing.T) {
	t.Parallel()
	b := setup(t)
	here, there := b.signIn(t, "member"), b.signIn(t, "member")
	page := here.get(t, "/account")
	if page.status != http.StatusOK || !strings.Contains(page.body, `action="/account/password"`) || !strings.Contains(page.body, `action="/account/sign-out-everywhere"`) {
		t.Fatalf("account page: %d %.2000s", page.status, page.body)
	}
	if home := here.get(t, "/o/fabrikam/okrs"); !strings.Contains(home.body, `href="/account"`) {
		t.Fatal("the user menu does not link to the account page")
	}
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"ErrRepeatDiffers", url.Values{"current_password": {"correct-horse"}, "new_password": {"battery-staple"}, "repeat_password": {"battery-stapel"}}, `id="err-repeat-password" role="alert">the two new passwords differ`},
		{"ErrWrongCurrentPassword", url.Values{"current_password": {"nope"}, "new_password": {"battery-staple"}, "repeat_password": {"battery-staple"}}, `id="err-current-password" role="alert">the current password is wrong`},
		{"ErrTooShort", url.Values{"current_password": {"correct-horse"}, "new_password": {"short"}, "repeat_password": {"short"}}, `id="err-new-password" role="alert">the new password must have at least 8 characters`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := here.post(t, "/account/password", c.form)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, c.want) {
				t.Fatalf("status %d, want 422 with %q: %.3000s", res.status, c.want, res.body)
			}
		})
	}
	res := here.post(t, "/account/password", url.Values{"current_password": {"correct-horse"}, "new_password": {"battery-staple"}, "repeat_password": {"battery-staple"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/account?changed=1" {
		t.Fatalf("change password: %d to %q: %.500s", res.status, res.header.Get("Location"), res.body)
	}
	t.Run("ThisBrowserStaysSignedIn", func(t *testing.T) {
		page := here.get(t, "/account?changed=1")
		if page.status != http.StatusOK || !strings.Contains(page.body, "Your password is changed") {
			t.Fatalf("after the change: %d %.1000s", page.status, page.body)
		}
	})
	t.Run("OtherBrowserSignedOut", func(t *testing.T) {
		if res := there.get(t, "/o/fabrikam/okrs"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Fatalf("other browser: %d to %q, want the sign-in page", res.status, res.header.Get("Location"))
		}
	})
	t.Run("NewPasswordSignsIn", func(t *testing.T) {
		br := b.anonymous()
		if res := br.post(t, "/login", url.Values{"email": {"member@example.com"}, "password": {"battery-staple"}}); res.status != http.StatusSeeOther {
			t.Fatalf("sign in with the new password: %d", res.status)
		}
	})
}

func TestAccountPageSignsOutEverywhere(t *testing.T) {
	t.Parallel()
	b := setup(t)
	here, there, other := b.signIn(t, "member"), b.signIn(t, "member"), b.signIn(t, "admin")
	// Keep this browser's cookie to replay it after signing out.
	u, _ := url.Parse(b.srv.URL)
	old := here.client.Jar.Cookies(u)
	res := here.post(t, "/account/sign-out-everywhere", url.Values{})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Fatalf("sign out everywhere: %d to %q", res.status, res.header.Get("Location"))
	}
	replay := b.anonymous()
	replay.client.Jar.SetCookies(u, old)
	for name, br := range map[string]*browser{"ThisBrowserSignedOut": here, "ReplayedCookieRefused": replay, "OtherBrowserSignedOut": there} {
		t.Run(name, func(t *testing.T) {
			if res := br.get(t, "/account"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
				t.Fatalf("GET /account: %d to %q, want the sign-in page", res.status, res.header.Get("Location"))
			}
		})
	}
	t.Run("OtherUserStaysSignedIn", func(t *testing.T) {
		if res := other.get(t, "/account"); res.status != http.StatusOK {
			t.Fatalf("other user: %d", res.status)
		}
	})
}
