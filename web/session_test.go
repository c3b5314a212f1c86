package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/auth/oidctest"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
	"net/http/httptest"
)

// browser is an HTTP client with a cookie jar, like a person's browser.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (br *browser) send(method, path string, body any, csrf bool) (int, []byte) {
	br.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, br.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if csrf && br.csrf != "" {
		req.Header.Set(auth.CSRFHeader, br.csrf)
	}
	res, err := br.client.Do(req)
	if err != nil {
		br.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data
}

func TestSessionSignInCSRFAndSignOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := newBrowser(t, b.srv.URL)
	if st, _ := br.send("POST", "/api/v1/auth/login", map[string]any{"email": "admin@example.com", "password": "wrong"}, false); st != 401 {
		t.Fatalf("wrong password: status %d", st)
	}
	if st, _ := br.send("POST", "/api/v1/auth/login", map[string]any{"email": "nobody@example.com", "password": "wrong"}, false); st != 401 {
		t.Fatalf("unknown email: status %d", st)
	}
	st, body := br.send("POST", "/api/v1/auth/login", map[string]any{"email": "ADMIN@example.com", "password": "correct-horse"}, false)
	if st != 200 {
		t.Fatalf("login: %d %s", st, body)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	_ = json.Unmarshal(body, &me)
	if me.CSRFToken == "" {
		t.Fatal("login returned no CSRF token")
	}
	u, _ := url.Parse(b.srv.URL)
	var sess *http.Cookie
	for _, c := range br.client.Jar.Cookies(u) {
		if c.Name == auth.SessionCookieName {
			sess = c
		}
	}
	if sess == nil {
		t.Fatal("no session cookie")
	}
	if st, _ := br.send("GET", "/api/v1/me", nil, false); st != 200 {
		t.Fatalf("me with cookie: %d", st)
	}
	// A state-changing request with the cookie but without the token is refused.
	if st, _ := br.send("POST", "/api/v1/orgs/fabrikam/teams", map[string]any{"name": "T"}, false); st != 403 {
		t.Fatalf("POST without CSRF token: status %d, want 403", st)
	}
	br.csrf = "forged"
	if st, _ := br.send("POST", "/api/v1/orgs/fabrikam/teams", map[string]any{"name": "T"}, true); st != 403 {
		t.Fatalf("POST with a forged CSRF token: status %d, want 403", st)
	}
	br.csrf = me.CSRFToken
	if st, body := br.send("POST", "/api/v1/orgs/fabrikam/teams", map[string]any{"name": "T"}, true); st != 201 {
		t.Fatalf("POST with CSRF token: %d %s", st, body)
	}
	// A cross-site POST is refused even with the token.
	req, _ := http.NewRequest("POST", b.srv.URL+"/api/v1/orgs/fabrikam/teams", strings.NewReader(`{"name":"X"}`))
	req.Header.Set(auth.CSRFHeader, me.CSRFToken)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := br.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("cross-site POST: status %d, want 403", res.StatusCode)
	}
	if st, _ := br.send("POST", "/api/v1/auth/logout", nil, true); st != 204 {
		t.Fatalf("logout: %d", st)
	}
	// The old cookie no longer works, even if replayed.
	req, _ = http.NewRequest("GET", b.srv.URL+"/api/v1/me", nil)
	req.AddCookie(sess)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("replayed session after logout: status %d, want 401", res.StatusCode)
	}
}

func TestSetupLinkCreatesFirstAdminOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := cheapHasher(t)
	srv, err := web.New(web.Config{Service: cairn.NewService(db, cairn.ServiceOptions{}), Store: db, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: h})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tok, err := web.NewSetupToken(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, ts.URL)
	if st, _ := br.send("GET", "/setup?token="+tok, nil, false); st != 200 {
		t.Fatalf("setup page: %d", st)
	}
	if st, _ := br.send("POST", "/api/v1/setup", map[string]any{"token": "setup_wrong", "email": "boss@example.com", "password": "long-enough"}, false); st != 422 {
		t.Fatalf("wrong token: %d", st)
	}
	if st, _ := br.send("POST", "/api/v1/setup", map[string]any{"token": tok, "email": "boss@example.com", "password": "short"}, false); st != 422 {
		t.Fatalf("short password: %d", st)
	}
	if _, err := db.Tenant(ctx); cairn.ErrorCode(err) != cairn.ENOTFOUND {
		t.Fatalf("refused setup created a tenant: %v", err)
	}
	st, body := br.send("POST", "/api/v1/setup", map[string]any{"token": tok, "tenant_name": "Contoso", "email": "boss@example.com", "name": "Boss", "password": "long-enough"}, false)
	if st != 201 {
		t.Fatalf("setup: %d %s", st, body)
	}
	if st, _ := br.send("GET", "/api/v1/me", nil, false); st != 200 {
		t.Fatalf("not signed in after setup: %d", st)
	}
	u, err := db.UserByEmail(ctx, "boss@example.com")
	if err != nil || !u.TenantAdmin {
		t.Fatalf("first admin: %+v %v", u, err)
	}
	if st, _ := newBrowser(t, ts.URL).send("POST", "/api/v1/setup", map[string]any{"token": tok, "email": "evil@example.com", "password": "long-enough"}, false); st != 409 {
		t.Fatalf("second setup: %d, want 409", st)
	}
}

func TestSignInWithMicrosoft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	idp := oidctest.New(t, oidctest.Config{})
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := cheapHasher(t)
	admin := &cairn.User{Email: "tenant@example.com", Name: "T", TenantAdmin: true}
	if err := db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn"}, admin); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	defer ts.Close()
	oidc, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(), RedirectURL: ts.URL + "/auth/oidc/callback", CookieKey: bytes.Repeat([]byte("o"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Service: cairn.NewService(db, cairn.ServiceOptions{}), Store: db, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: h, OIDC: oidc})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", srv)

	signIn := func(br *browser) int {
		t.Helper()
		res, err := br.client.Get(ts.URL + "/auth/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login redirect: %d", res.StatusCode)
		}
		cb, err := idp.Authorize(ctx, res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		res, err = br.client.Get(cb.String())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	br := newBrowser(t, ts.URL)
	if st := signIn(br); st != http.StatusSeeOther {
		t.Fatalf("callback: %d", st)
	}
	st, body := br.send("GET", "/api/v1/me", nil, false)
	if st != 200 {
		t.Fatalf("me after OIDC sign-in: %d", st)
	}
	var me struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
	}
	_ = json.Unmarshal(body, &me)
	if me.User.Email != strings.ToLower(oidctest.DefaultUser().Email) {
		t.Fatalf("signed in as %q", me.User.Email)
	}
	// A second sign-in finds the same account.
	if st := signIn(newBrowser(t, ts.URL)); st != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", st)
	}
	users, _ := db.ListUsers(ctx)
	if len(users) != 2 {
		t.Fatalf("%d users after two sign-ins, want 2 (admin + one)", len(users))
	}
	// A token with a bad signature is refused and nobody is signed in.
	idp.SetFault(oidctest.FaultBadSignature)
	br2 := newBrowser(t, ts.URL)
	if st := signIn(br2); st != 401 {
		t.Fatalf("bad signature: status %d, want 401", st)
	}
	if st, _ := br2.send("GET", "/api/v1/me", nil, false); st != 401 {
		t.Fatalf("signed in despite a bad token: %d", st)
	}
}

func TestHealthReadyAndMetrics(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.must(t, 200, "", "GET", "/healthz", nil)
	b.must(t, 200, "", "GET", "/readyz", nil)
	b.must(t, 200, "viewer", "GET", "/api/v1/orgs/fabrikam", nil)
	r := b.must(t, 200, "", "GET", "/metrics", nil)
	for _, want := range []string{
		`cairn_http_requests_total{route="GET /api/v1/orgs/{org}",status="200"} 1`,
		`cairn_http_requests_total{route="GET /readyz",status="200"} 1`,
		"go_sql_open_connections",
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if id := r.Header.Get("X-Request-Id"); len(id) != 16 {
		t.Errorf("request id %q", id)
	}
	b.db.Close()
	b.must(t, 503, "", "GET", "/readyz", nil)
}
