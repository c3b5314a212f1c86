package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/web"
)

// login posts an email and password to the JSON sign-in as an anonymous client; from, when
// set, is sent as X-Forwarded-For.
func (b *testBundle) login(tb testing.TB, email, password, from string) response {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequest("POST", b.srv.URL+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	res, err := b.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// wantLogin signs in and fails unless the status matches.
func (b *testBundle) wantLogin(tb testing.TB, want int, email, password, from string) response {
	tb.Helper()
	r := b.login(tb, email, password, from)
	if r.Status != want {
		tb.Fatalf("sign in as %s from %q: status %d, want %d: %s", email, from, r.Status, want, r.Body)
	}
	return r
}

// wantThrottled checks a 429 problem with its Retry-After and a detail that says when.
func wantThrottled(tb testing.TB, r response, retryAfter, detail string) {
	tb.Helper()
	if r.Status != http.StatusTooManyRequests {
		tb.Fatalf("status %d, want 429: %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("content type %q, want application/problem+json", ct)
	}
	if got := r.Header.Get("Retry-After"); got != retryAfter {
		tb.Fatalf("Retry-After %q, want %q", got, retryAfter)
	}
	p := r.problem(tb)
	if p.Code != cairn.ETHROTTLED || !strings.Contains(p.Detail, detail) {
		tb.Fatalf("problem %+v, want code %s and a detail with %q", p, cairn.ETHROTTLED, detail)
	}
}

func TestSignInBackOffAndLock(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *web.Config) { c.TrustProxy = true })
	const email, good = "member@example.com", "correct-horse"
	start := b.now
	// failures makes n more failed attempts, waiting out each back-off on the clock.
	failures := func(from string, n int) {
		t.Helper()
		for n > 0 {
			r := b.login(t, email, "wrong", from)
			switch r.Status {
			case http.StatusUnauthorized:
				n--
			case http.StatusTooManyRequests:
				b.now = b.now.Add(time.Duration(atoi(t, r.Header.Get("Retry-After"))) * time.Second)
			default:
				t.Fatalf("failed sign-in: %d %s", r.Status, r.Body)
			}
		}
	}

	t.Run("ThreeFailuresCostNoWait", func(t *testing.T) {
		for range 3 {
			b.wantLogin(t, http.StatusUnauthorized, email, "wrong", "203.0.113.1")
		}
	})
	t.Run("ThrottledAfterThreeFailures", func(t *testing.T) {
		wantThrottled(t, b.login(t, email, "wrong", "203.0.113.1"), "1", "wait 1 second before trying again")
	})
	t.Run("ThrottledEvenWithTheRightPassword", func(t *testing.T) {
		wantThrottled(t, b.login(t, email, good, "203.0.113.1"), "1", "wait 1 second")
	})
	t.Run("ThrottledFromAnotherAddress", func(t *testing.T) {
		wantThrottled(t, b.login(t, email, good, "203.0.113.99"), "1", "with this email")
	})
	t.Run("WaitDoublesWithEachFailure", func(t *testing.T) {
		b.now = b.now.Add(time.Second)
		b.wantLogin(t, http.StatusUnauthorized, email, "wrong", "203.0.113.1")
		wantThrottled(t, b.login(t, email, good, "203.0.113.1"), "2", "wait 2 seconds")
		b.now = b.now.Add(1500 * time.Millisecond)
		wantThrottled(t, b.login(t, email, good, "203.0.113.1"), "1", "wait 1 second")
	})
	t.Run("SuccessResetsTheCount", func(t *testing.T) {
		b.now = b.now.Add(time.Second)
		b.wantLogin(t, http.StatusOK, email, good, "203.0.113.1")
		for range 3 {
			b.wantLogin(t, http.StatusUnauthorized, email, "wrong", "203.0.113.1")
		}
		wantThrottled(t, b.login(t, email, "wrong", "203.0.113.1"), "1", "wait 1 second")
	})
	t.Run("LockedAfterTenFailures", func(t *testing.T) {
		failures("203.0.113.2", 7) // three are counted already
		r := b.login(t, email, good, "203.0.113.2")
		wantThrottled(t, r, "900", "sign-in is locked for 15 minutes")
		if p := r.problem(t); !strings.Contains(p.Detail, "an organization admin can unlock it sooner") {
			t.Fatalf("detail %q does not say an admin can unlock", p.Detail)
		}
	})
	t.Run("MembersListShowsTheLock", func(t *testing.T) {
		var m cairn.Member
		b.must(t, 200, "admin", "GET", "/api/v1/orgs/fabrikam/members/"+itoa(b.users["member"].ID), nil).json(t, &m)
		if m.LockedUntil == nil || !m.LockedUntil.Equal(b.now.Add(15*time.Minute)) {
			t.Fatalf("locked_until = %v, want %v", m.LockedUntil, b.now.Add(15*time.Minute))
		}
	})
	t.Run("UnlocksByTime", func(t *testing.T) {
		b.now = b.now.Add(15 * time.Minute)
		b.wantLogin(t, http.StatusOK, email, good, "203.0.113.2")
		var m cairn.Member
		b.must(t, 200, "admin", "GET", "/api/v1/orgs/fabrikam/members/"+itoa(b.users["member"].ID), nil).json(t, &m)
		if m.LockedUntil != nil {
			t.Fatalf("locked_until = %v after the lock ended", m.LockedUntil)
		}
	})
	t.Run("UnlocksByAdmin", func(t *testing.T) {
		failures("203.0.113.3", 10)
		wantThrottled(t, b.login(t, email, good, "203.0.113.3"), "900", "locked")
		path := "/api/v1/orgs/fabrikam/members/" + itoa(b.users["member"].ID) + "/unlock"
		b.must(t, http.StatusForbidden, "member", "POST", path, nil)
		b.must(t, http.StatusForbidden, "viewer", "POST", path, nil)
		b.must(t, http.StatusNotFound, "outsider", "POST", path, nil)
		b.must(t, http.StatusNotFound, "admin", "POST", "/api/v1/orgs/fabrikam/members/"+itoa(b.users["outsider"].ID)+"/unlock", nil)
		wantThrottled(t, b.login(t, email, good, "203.0.113.3"), "900", "locked")
		b.must(t, http.StatusNoContent, "admin", "POST", path, nil)
		b.wantLogin(t, http.StatusOK, email, good, "203.0.113.3")
	})
	t.Run("TenantAdminUnlocksInAnyOrganization", func(t *testing.T) {
		failures("203.0.113.4", 10)
		b.must(t, http.StatusNoContent, "tenant", "POST", "/api/v1/orgs/fabrikam/members/"+itoa(b.users["member"].ID)+"/unlock", nil)
		b.wantLogin(t, http.StatusOK, email, good, "203.0.113.4")
	})
	if b.now.Before(start.Add(15 * time.Minute)) {
		t.Fatalf("the clock did not move as the scenario expects")
	}
}

func TestSignInThrottlePerAddress(t *testing.T) {
	t.Parallel()
	spray := func(t *testing.T, b *testBundle, from func(i int) string) {
		t.Helper()
		for i := range 20 {
			b.wantLogin(t, http.StatusUnauthorized, "person"+itoa(int64(i))+"@example.com", "Summer2026!", from(i))
		}
	}
	t.Run("ThrottledAfterTwentyFailuresOnManyAccounts", func(t *testing.T) {
		t.Parallel()
		b := setupWith(t, func(c *web.Config) { c.TrustProxy = true })
		spray(t, b, func(int) string { return "198.51.100.7" })
		r := b.login(t, "admin@example.com", "correct-horse", "198.51.100.7")
		wantThrottled(t, r, "1", "from your network address: wait 1 second")
		t.Run("OtherAddressesUnaffected", func(t *testing.T) {
			b.wantLogin(t, http.StatusOK, "admin@example.com", "correct-horse", "198.51.100.8")
		})
		t.Run("ForgedLeftmostEntryIgnored", func(t *testing.T) {
			wantThrottled(t, b.login(t, "admin@example.com", "correct-horse", "192.0.2.1, 198.51.100.7"), "1", "network address")
		})
		t.Run("WaitEnds", func(t *testing.T) {
			b.now = b.now.Add(time.Second)
			b.wantLogin(t, http.StatusOK, "admin@example.com", "correct-horse", "198.51.100.7")
		})
	})
	t.Run("ForwardedForIgnoredWithoutTrustProxy", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		spray(t, b, func(i int) string { return "198.51.100." + itoa(int64(i+1)) })
		wantThrottled(t, b.login(t, "admin@example.com", "correct-horse", "203.0.113.200"), "1", "network address")
	})
}

func atoi(tb testing.TB, s string) int64 {
	tb.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		tb.Fatalf("%q is not a number", s)
	}
	return n
}

// countingHasher records the hash of every password comparison.
type countingHasher struct {
	*auth.Hasher
	mu     sync.Mutex
	hashes []string
}

func (h *countingHasher) Check(hash, password string) error {
	h.mu.Lock()
	h.hashes = append(h.hashes, hash)
	h.mu.Unlock()
	return h.Hasher.Check(hash, password)
}

// compared returns the hashes compared since the last call.
func (h *countingHasher) compared() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.hashes
	h.hashes = nil
	return out
}

func TestUnknownEmailAnswersLikeWrongPassword(t *testing.T) {
	t.Parallel()
	counter := &countingHasher{Hasher: cheapHasher(t)}
	b := setupWith(t, func(c *web.Config) { c.Passwords = counter; c.TrustProxy = true })
	ctx := context.Background()
	// An account that signs in with Microsoft has no password to compare.
	if err := b.db.CreateUser(ctx, &cairn.User{Email: "entra@example.com", Name: "Entra", OIDCSubject: "sub-entra"}); err != nil {
		t.Fatal(err)
	}
	member := b.users["member"]
	stored, err := b.db.UserByID(ctx, member.ID)
	if err != nil {
		t.Fatal(err)
	}
	// body is the answer without what differs per request.
	body := func(r response) string {
		p := r.problem(t)
		p.RequestID = ""
		data, _ := json.Marshal(p)
		return string(data)
	}
	counter.compared()

	wrong := b.login(t, member.Email, "wrong", "203.0.113.10")
	t.Run("WrongPasswordComparesTheAccountHash", func(t *testing.T) {
		if got := counter.compared(); len(got) != 1 || got[0] != stored.PasswordHash {
			t.Fatalf("compared %q, want the account's hash once", got)
		}
	})
	for _, c := range []struct{ name, email string }{
		{"UnknownEmail", "nobody@example.com"},
		{"AccountWithoutPassword", "entra@example.com"},
		{"NotAnEmail", "nobody\x00@example.com"},
	} {
		t.Run(c.name+"ComparesTheDummyHash", func(t *testing.T) {
			r := b.login(t, c.email, "wrong", "203.0.113.10")
			if r.Status != wrong.Status || body(r) != body(wrong) {
				t.Fatalf("answer %d %s, want the wrong-password answer %d %s", r.Status, body(r), wrong.Status, body(wrong))
			}
			got := counter.compared()
			if len(got) != 1 || got[0] == stored.PasswordHash || !strings.HasPrefix(got[0], "$argon2id$") {
				t.Fatalf("compared %q, want one comparison with a dummy argon2id hash", got)
			}
		})
	}
	t.Run("UnknownEmailThrottledLikeAnAccount", func(t *testing.T) {
		for range 2 {
			b.wantLogin(t, http.StatusUnauthorized, member.Email, "wrong", "203.0.113.11")
			b.wantLogin(t, http.StatusUnauthorized, "nobody@example.com", "wrong", "203.0.113.11")
		}
		counter.compared()
		known := b.login(t, member.Email, "wrong", "203.0.113.11")
		unknown := b.login(t, "nobody@example.com", "wrong", "203.0.113.11")
		wantThrottled(t, known, "1", "with this email")
		wantThrottled(t, unknown, "1", "with this email")
		if body(known) != body(unknown) || known.Header.Get("Retry-After") != unknown.Header.Get("Retry-After") {
			t.Fatalf("throttled answers differ:\n%s\n%s", body(known), body(unknown))
		}
		if got := counter.compared(); len(got) != 0 {
			t.Fatalf("a throttled attempt compared %d hashes", len(got))
		}
	})
}

// sessionCookie signs in and returns the session cookie as set.
func sessionCookie(t *testing.T, b *testBundle) *http.Cookie {
	t.Helper()
	r := b.wantLogin(t, http.StatusOK, "admin@example.com", "correct-horse", "")
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == auth.SessionCookieName {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.Header.Values("Set-Cookie"))
	return nil
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, public string
		secure       bool
	}{
		{"SecureWithHTTPSPublicURL", "https://okr.example.com", true},
		{"SecureWithUpperCaseHTTPSPublicURL", "HTTPS://okr.example.com/", true},
		{"NotSecureWithHTTPPublicURL", "http://localhost:8080", false},
		{"NotSecureWithoutPublicURL", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setupWith(t, func(cfg *web.Config) { cfg.PublicURL = c.public })
			ck := sessionCookie(t, b)
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Value == "" {
				t.Fatalf("cookie %+v, want HttpOnly, SameSite=Lax, Path=/", ck)
			}
			if ck.Secure != c.secure {
				t.Fatalf("Secure = %v, want %v", ck.Secure, c.secure)
			}
			req, _ := http.NewRequest("POST", b.srv.URL+"/api/v1/auth/logout", nil)
			res, err := b.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			for _, cl := range res.Cookies() {
				if cl.Name == auth.SessionCookieName && (cl.Secure != c.secure || !cl.HttpOnly || cl.MaxAge >= 0) {
					t.Fatalf("clearing cookie %+v, want Secure=%v, HttpOnly and expired", cl, c.secure)
				}
			}
		})
	}
}

// cookieClient sends requests with one session cookie, as a browser replaying it would.
func (b *testBundle) withCookie(t *testing.T, c *http.Cookie, method, path, csrf string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, b.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set(auth.CSRFHeader, csrf)
	}
	req.AddCookie(c)
	res, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// session is one signed-in browser: its cookie and CSRF token.
type session struct {
	cookie *http.Cookie
	csrf   string
}

func (b *testBundle) signIn(t *testing.T, email, password string) session {
	t.Helper()
	r := b.wantLogin(t, http.StatusOK, email, password, "")
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	r.json(t, &me)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == auth.SessionCookieName {
			return session{cookie: c, csrf: me.CSRFToken}
		}
	}
	t.Fatal("no session cookie")
	return session{}
}

func (b *testBundle) wantMe(t *testing.T, s session, want int) {
	t.Helper()
	if r := b.withCookie(t, s.cookie, "GET", "/api/v1/me", "", nil); r.Status != want {
		t.Fatalf("GET /api/v1/me with a session: %d, want %d", r.Status, want)
	}
}

func TestChangePasswordEndsEverySession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const email = "member@example.com"
	here, there := b.signIn(t, email, "correct-horse"), b.signIn(t, email, "correct-horse")
	other := b.signIn(t, "admin@example.com", "correct-horse")
	change := func(s session, current, next string) response {
		return b.withCookie(t, s.cookie, "POST", "/api/v1/me/password", s.csrf, map[string]string{"current_password": current, "new_password": next})
	}
	t.Run("ErrWrongCurrentPassword", func(t *testing.T) {
		r := change(here, "not-it", "battery-staple")
		if p := r.problem(t); r.Status != 422 || p.Field != "current_password" {
			t.Fatalf("%d %+v, want 422 on current_password", r.Status, p)
		}
	})
	t.Run("ErrNewPasswordTooShort", func(t *testing.T) {
		r := change(here, "correct-horse", "short")
		if p := r.problem(t); r.Status != 422 || p.Field != "new_password" || !strings.Contains(p.Detail, "at least 8 characters") {
			t.Fatalf("%d %+v, want 422 on new_password", r.Status, p)
		}
	})
	t.Run("ErrWithoutCSRFToken", func(t *testing.T) {
		if r := change(session{cookie: here.cookie}, "correct-horse", "battery-staple"); r.Status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.Status)
		}
	})
	b.wantMe(t, here, 200)
	r := change(here, "correct-horse", "battery-staple")
	if r.Status != 200 {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	r.json(t, &me)
	var fresh *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == auth.SessionCookieName && c.Value != "" {
			fresh = c
		}
	}
	t.Run("OldSessionOfThisBrowserRefused", func(t *testing.T) { b.wantMe(t, here, 401) })
	t.Run("SessionOfOtherBrowserRefused", func(t *testing.T) { b.wantMe(t, there, 401) })
	t.Run("OtherUsersSessionKept", func(t *testing.T) { b.wantMe(t, other, 200) })
	t.Run("FreshSessionForTheCaller", func(t *testing.T) {
		if fresh == nil || fresh.Value == here.cookie.Value || me.CSRFToken == "" || me.CSRFToken == here.csrf {
			t.Fatalf("cookie %v and CSRF token %q, want a new session", fresh, me.CSRFToken)
		}
		s := session{cookie: fresh, csrf: me.CSRFToken}
		b.wantMe(t, s, 200)
		if r := b.withCookie(t, fresh, "POST", "/api/v1/me/tokens", me.CSRFToken, map[string]string{"name": "Laptop"}); r.Status != 201 {
			t.Fatalf("write with the new session and CSRF token: %d %s", r.Status, r.Body)
		}
	})
	t.Run("OldPasswordRefused", func(t *testing.T) { b.wantLogin(t, 401, email, "correct-horse", "") })
	t.Run("NewPasswordSignsIn", func(t *testing.T) { b.wantLogin(t, 200, email, "battery-staple", "") })
	t.Run("WithAPITokenEndsSessionsAndStartsNone", func(t *testing.T) {
		s := b.signIn(t, email, "battery-staple")
		r := b.must(t, 200, "member", "POST", "/api/v1/me/password", map[string]string{"current_password": "battery-staple", "new_password": "correct-horse"})
		if len(r.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("a token caller got cookies: %v", r.Header.Values("Set-Cookie"))
		}
		b.wantMe(t, s, 401)
		b.wantLogin(t, 200, email, "correct-horse", "")
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const email = "member@example.com"
	logout := func(s session, query string) response {
		return b.withCookie(t, s.cookie, "POST", "/api/v1/auth/logout"+query, s.csrf, nil)
	}
	t.Run("EndsOnlyThisSession", func(t *testing.T) {
		here, there := b.signIn(t, email, "correct-horse"), b.signIn(t, email, "correct-horse")
		if r := logout(here, ""); r.Status != 204 {
			t.Fatalf("logout: %d", r.Status)
		}
		b.wantMe(t, here, 401)
		b.wantMe(t, there, 200)
	})
	t.Run("EverywhereEndsEverySession", func(t *testing.T) {
		here, there := b.signIn(t, email, "correct-horse"), b.signIn(t, email, "correct-horse")
		other := b.signIn(t, "admin@example.com", "correct-horse")
		if r := logout(here, "?all=true"); r.Status != 204 {
			t.Fatalf("logout everywhere: %d %s", r.Status, r.Body)
		}
		b.wantMe(t, here, 401)
		b.wantMe(t, there, 401)
		b.wantMe(t, other, 200)
	})
	t.Run("EverywhereWithAPIToken", func(t *testing.T) {
		s := b.signIn(t, email, "correct-horse")
		b.must(t, 204, "member", "POST", "/api/v1/auth/logout?all=true", nil)
		b.wantMe(t, s, 401)
	})
	t.Run("ErrBadAllValue", func(t *testing.T) {
		s := b.signIn(t, email, "correct-horse")
		if r := logout(s, "?all=maybe"); r.Status != 422 || r.problem(t).Field != "all" {
			t.Fatalf("all=maybe: %d %s, want 422 on all", r.Status, r.Body)
		}
		b.wantMe(t, s, 200)
	})
}

func TestRevokedTokenIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	created := b.must(t, 201, "member", "POST", "/api/v1/me/tokens", map[string]string{"name": "laptop"})
	var tok struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	created.json(t, &tok)
	b.tokens["laptop"] = tok.Token
	b.must(t, 200, "laptop", "GET", "/api/v1/me", nil)

	t.Run("ListedWithoutSecret", func(t *testing.T) {
		r := b.must(t, 200, "member", "GET", "/api/v1/me/tokens", nil)
		var l struct {
			Items []map[string]any `json:"items"`
			Count int              `json:"count"`
		}
		r.json(t, &l)
		if l.Count != 2 || l.Items[0]["name"] != "laptop" || l.Items[0]["last_used_at"] == nil {
			t.Fatalf("tokens %s, want laptop (used) first, then the bundle's token", r.Body)
		}
		if strings.Contains(string(r.Body), tok.Token) || strings.Contains(string(r.Body), auth.HashToken(tok.Token)) || strings.Contains(string(r.Body), `"token"`) {
			t.Fatalf("the list shows a token or its hash: %s", r.Body)
		}
	})
	t.Run("ErrNotFoundForAnotherUsersToken", func(t *testing.T) {
		b.must(t, 404, "admin", "DELETE", "/api/v1/me/tokens/"+itoa(tok.ID), nil)
		b.must(t, 200, "laptop", "GET", "/api/v1/me", nil)
	})
	t.Run("NextRequestRefused", func(t *testing.T) {
		b.must(t, 204, "member", "DELETE", "/api/v1/me/tokens/"+itoa(tok.ID), nil)
		r := b.must(t, 401, "laptop", "GET", "/api/v1/me", nil)
		if p := r.problem(t); !strings.Contains(p.Detail, "unknown or revoked") {
			t.Fatalf("detail %q", p.Detail)
		}
		b.must(t, 401, "laptop", "GET", "/api/v1/orgs/fabrikam/objectives", nil)
	})
	t.Run("ErrNotFoundWhenRevokedTwice", func(t *testing.T) {
		b.must(t, 404, "member", "DELETE", "/api/v1/me/tokens/"+itoa(tok.ID), nil)
	})
	t.Run("OtherTokensKeepWorking", func(t *testing.T) {
		b.must(t, 200, "member", "GET", "/api/v1/me", nil)
		var l struct {
			Count int `json:"count"`
		}
		b.must(t, 200, "member", "GET", "/api/v1/me/tokens", nil).json(t, &l)
		if l.Count != 1 {
			t.Fatalf("%d tokens after revoking one of two", l.Count)
		}
	})
}
