package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// login posts an email and password to a running server's JSON sign-in.
func login(tb testing.TB, base, email, password string) (*http.Response, string) {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}

// TestSecuritySignIn proves the sign-in defences on a running `cairn serve`: unknown and
// wrong passwords answer alike, repeated failures are throttled with Retry-After without
// saying whether the account exists, the session cookie is HttpOnly and SameSite=Lax,
// signing out everywhere ends every session, and a revoked API token stops at once.
func TestSecuritySignIn(t *testing.T) {
	t.Parallel()
	s := startServer(t)

	t.Run("UnknownAndWrongAnswerAlike", func(t *testing.T) {
		wrong, wrongBody := login(t, s.base, s.email, "not-the-password")
		unknown, unknownBody := login(t, s.base, "nobody-"+strings.Repeat("x", 8)+"@example.com", "not-the-password")
		if wrong.StatusCode != http.StatusUnauthorized || unknown.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d, unknown email %d; want 401 both", wrong.StatusCode, unknown.StatusCode)
		}
		strip := func(s string) string {
			var p map[string]any
			_ = json.Unmarshal([]byte(s), &p)
			delete(p, "request_id")
			b, _ := json.Marshal(p)
			return string(b)
		}
		if strip(wrongBody) != strip(unknownBody) {
			t.Fatalf("the answers differ:\nwrong password %s\nunknown email  %s", wrongBody, unknownBody)
		}
	})

	t.Run("RepeatedFailuresAreThrottled", func(t *testing.T) {
		victim := "victim-" + time.Now().Format("150405.000") + "@example.com"
		var throttled *http.Response
		var detail string
		for i := range 6 {
			res, body := login(t, s.base, victim, "guess-"+string(rune('a'+i)))
			if res.StatusCode == http.StatusTooManyRequests {
				throttled, detail = res, body
				break
			}
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d %s", i+1, res.StatusCode, body)
			}
		}
		if throttled == nil {
			t.Fatal("six failures in a row were never throttled")
		}
		if ra := throttled.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("a throttled answer without Retry-After: %q", ra)
		}
		if strings.Contains(detail, "not exist") || strings.Contains(detail, "unknown") || !strings.Contains(detail, "again") {
			t.Fatalf("the throttled answer should say when to try again and nothing about the account: %s", detail)
		}
		// The real admin signs in meanwhile: one account's failures do not lock another.
		if res, body := login(t, s.base, s.email, s.password); res.StatusCode != http.StatusOK {
			t.Fatalf("the admin after someone else's failures: %d %s", res.StatusCode, body)
		}
	})

	t.Run("SessionCookie", func(t *testing.T) {
		res, _ := login(t, s.base, s.email, s.password)
		var sc *http.Cookie
		for _, c := range res.Cookies() {
			if c.Value != "" {
				sc = c
			}
		}
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v, want HttpOnly and SameSite=Lax", sc)
		}
		if sc.Secure {
			t.Fatal("a Secure cookie on a plain-http public URL would never come back")
		}
	})

	t.Run("SignOutEverywhereEndsEverySession", func(t *testing.T) {
		var jars []*http.Client
		for range 2 {
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar}
			body, _ := json.Marshal(map[string]string{"email": s.email, "password": s.password})
			res, err := c.Post(s.base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("sign in: %v %v", err, res)
			}
			res.Body.Close()
			jars = append(jars, c)
		}
		me := func(c *http.Client) (int, string) {
			res, err := c.Get(s.base + "/api/v1/me")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var v struct {
				CSRF string `json:"csrf_token"`
			}
			_ = json.NewDecoder(res.Body).Decode(&v)
			return res.StatusCode, v.CSRF
		}
		st, csrf := me(jars[0])
		if st != 200 {
			t.Fatalf("me: %d", st)
		}
		req, _ := http.NewRequest("POST", s.base+"/api/v1/auth/logout?all=true", nil)
		req.Header.Set("X-CSRF-Token", csrf)
		res, err := jars[0].Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 300 {
			t.Fatalf("sign out everywhere: %d", res.StatusCode)
		}
		for i, c := range jars {
			if st, _ := me(c); st != http.StatusUnauthorized {
				t.Errorf("browser %d after signing out everywhere: %d, want 401", i+1, st)
			}
		}
	})

	t.Run("RevokedTokenStopsAtOnce", func(t *testing.T) {
		api := s.adminAPI(t)
		if st, body := api.call(t, "GET", "/api/v1/me", nil); st != 200 {
			t.Fatalf("me with the token: %d %s", st, body)
		}
		st, body := api.call(t, "GET", "/api/v1/me/tokens", nil)
		var list struct {
			Items []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &list); err != nil || st != 200 || len(list.Items) == 0 {
			t.Fatalf("list tokens: %d %s", st, body)
		}
		var id int64
		for _, it := range list.Items {
			if it.Name == "e2e" && it.ID > id {
				id = it.ID
			}
		}
		if st, body := api.call(t, "DELETE", "/api/v1/me/tokens/"+itoa(id), nil); st != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", st, body)
		}
		if st, _ := api.call(t, "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
			t.Fatalf("the very next request with the revoked token: %d, want 401", st)
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
