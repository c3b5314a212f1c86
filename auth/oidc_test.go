package auth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/auth/oidctest"
)

// testClock is a settable clock shared by the provider and Cairn.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const redirectURL = "http://cairn.test/auth/callback"

type oidcBundle struct {
	provider *oidctest.Provider
	oidc     *auth.OIDC
	clock    *testClock
}

func setupOIDC(t *testing.T, key *rsa.PrivateKey, pcfg oidctest.Config, cfg auth.OIDCConfig) oidcBundle {
	t.Helper()
	clock := &testClock{t: time.Now()}
	pcfg.Key = key
	pcfg.Now = clock.Now
	p := oidctest.New(t, pcfg)
	cfg.Issuer = p.Issuer()
	cfg.ClientID = p.ClientID()
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = p.ClientSecret()
	}
	cfg.RedirectURL = redirectURL
	cfg.Now = clock.Now
	o, err := auth.NewOIDC(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	return oidcBundle{provider: p, oidc: o, clock: clock}
}

// begin runs Begin and returns the provider URL and the flow cookie.
func begin(t *testing.T, o *auth.OIDC) (string, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	o.Begin(rec, httptest.NewRequest(http.MethodGet, "http://cairn.test/auth/login", nil))
	res := rec.Result()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("Begin status = %d, want 302", res.StatusCode)
	}
	var flow *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == auth.FlowCookieName {
			flow = c
		}
	}
	if flow == nil {
		t.Fatal("Begin set no flow cookie")
	}
	return res.Header.Get("Location"), flow
}

// callback builds the callback request the browser would send.
func callback(u *url.URL, flow *http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, u.String(), nil)
	if flow != nil {
		r.AddCookie(&http.Cookie{Name: flow.Name, Value: flow.Value})
	}
	return r
}

func mustKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestOIDCBegin(t *testing.T) {
	t.Parallel()
	b := setupOIDC(t, mustKey(t), oidctest.Config{}, auth.OIDCConfig{})
	loc, flow := begin(t, b.oidc)
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, b.provider.Issuer()+"/authorize?") {
		t.Errorf("redirect %q does not go to the provider's authorize endpoint", loc)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": b.provider.ClientID(), "redirect_uri": redirectURL,
		"code_challenge_method": "S256", "scope": "openid profile email",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 20 {
			t.Errorf("%s = %q, want a long random value", k, q.Get(k))
		}
	}
	if q.Get("state") == q.Get("nonce") {
		t.Error("state equals nonce")
	}
	if !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode || flow.Path != "/auth/callback" || flow.MaxAge <= 0 || flow.MaxAge > 900 {
		t.Errorf("flow cookie = %+v, want HttpOnly, Lax, Path=/auth/callback, short MaxAge", flow)
	}
	if flow.Secure {
		t.Error("flow cookie Secure for an http redirect URL")
	}
	loc2, _ := begin(t, b.oidc)
	if u2, _ := url.Parse(loc2); u2.Query().Get("state") == q.Get("state") {
		t.Error("two sign-ins share a state")
	}
}

func TestOIDCFinish(t *testing.T) {
	t.Parallel()
	key := mustKey(t)
	user := oidctest.DefaultUser()
	noEmail := user
	noEmail.Email = ""
	noEmail.PreferredUsername = "ada.upn@contoso.example"

	tests := []struct {
		name    string
		pcfg    oidctest.Config
		cfg     auth.OIDCConfig
		tamper  func(b oidcBundle, u *url.URL, flow **http.Cookie)
		want    []error
		wantID  func(b oidcBundle) auth.Identity
		noFlows bool
	}{
		{
			name: "Success",
			wantID: func(b oidcBundle) auth.Identity {
				return auth.Identity{Issuer: b.provider.Issuer(), Subject: user.Subject, Email: user.Email, Name: user.Name, TenantID: b.provider.TenantID(), ObjectID: user.ObjectID}
			},
		},
		{
			name: "SuccessEmailFromPreferredUsername",
			pcfg: oidctest.Config{User: &noEmail},
			wantID: func(b oidcBundle) auth.Identity {
				return auth.Identity{Issuer: b.provider.Issuer(), Subject: user.Subject, Email: "ada.upn@contoso.example", Name: user.Name, TenantID: b.provider.TenantID(), ObjectID: user.ObjectID}
			},
		},
		{
			name: "SuccessTenantChecked",
			pcfg: oidctest.Config{TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47"},
			cfg:  auth.OIDCConfig{TenantID: "72F988BF-86F1-41AF-91AB-2D7CD011DB47"},
			wantID: func(b oidcBundle) auth.Identity {
				return auth.Identity{Issuer: b.provider.Issuer(), Subject: user.Subject, Email: user.Email, Name: user.Name, TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", ObjectID: user.ObjectID}
			},
		},
		{name: "ErrStateMismatch", tamper: setQuery("state", "forged"), want: []error{auth.ErrStateMismatch}},
		{name: "ErrStateMismatchEmpty", tamper: setQuery("state", ""), want: []error{auth.ErrStateMismatch}},
		{name: "ErrFlowMissing", tamper: func(_ oidcBundle, _ *url.URL, f **http.Cookie) { *f = nil }, want: []error{auth.ErrFlowMissing}},
		{name: "ErrFlowInvalidTampered", tamper: func(_ oidcBundle, _ *url.URL, f **http.Cookie) {
			c := **f
			c.Value = "x" + c.Value
			*f = &c
		}, want: []error{auth.ErrFlowInvalid}},
		{name: "ErrFlowInvalidGarbage", tamper: func(_ oidcBundle, _ *url.URL, f **http.Cookie) {
			*f = &http.Cookie{Name: auth.FlowCookieName, Value: "garbage"}
		}, want: []error{auth.ErrFlowInvalid}},
		{name: "ErrFlowExpired", tamper: func(b oidcBundle, _ *url.URL, _ **http.Cookie) { b.clock.Advance(11 * time.Minute) }, want: []error{auth.ErrFlowExpired}},
		{name: "ErrCodeMissing", tamper: setQuery("code", ""), want: []error{auth.ErrCodeMissing}},
		{name: "ErrExchangeBadCode", tamper: setQuery("code", "forged-code"), want: []error{auth.ErrExchange}},
		{name: "ErrExchangeWrongSecret", cfg: auth.OIDCConfig{ClientSecret: "wrong"}, want: []error{auth.ErrExchange}},
		{name: "ErrProviderDenied", pcfg: oidctest.Config{Fault: oidctest.FaultAccessDenied}, want: []error{auth.ErrProviderDenied}},
		{name: "ErrNonceMismatch", pcfg: oidctest.Config{Fault: oidctest.FaultWrongNonce}, want: []error{auth.ErrNonceMismatch}},
		{name: "ErrTokenInvalidBadSignature", pcfg: oidctest.Config{Fault: oidctest.FaultBadSignature}, want: []error{auth.ErrTokenInvalid}},
		{name: "ErrTokenInvalidUnknownKey", pcfg: oidctest.Config{Fault: oidctest.FaultUnknownKey}, want: []error{auth.ErrTokenInvalid}},
		{name: "ErrTokenInvalidWrongAudience", pcfg: oidctest.Config{Fault: oidctest.FaultWrongAudience}, want: []error{auth.ErrTokenInvalid}},
		{name: "ErrTokenInvalidWrongIssuer", pcfg: oidctest.Config{Fault: oidctest.FaultWrongIssuer}, want: []error{auth.ErrTokenInvalid}},
		{name: "ErrTokenInvalidNoIDToken", pcfg: oidctest.Config{Fault: oidctest.FaultNoIDToken}, want: []error{auth.ErrTokenInvalid}},
		{name: "ErrTokenExpired", pcfg: oidctest.Config{Fault: oidctest.FaultExpired}, want: []error{auth.ErrTokenExpired, auth.ErrTokenInvalid}},
		{name: "ErrTenantMismatch", cfg: auth.OIDCConfig{TenantID: "00000000-0000-0000-0000-000000000001"}, want: []error{auth.ErrTenantMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupOIDC(t, key, tt.pcfg, tt.cfg)
			loc, flow := begin(t, b.oidc)
			cb, err := b.provider.Authorize(t.Context(), loc)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if tt.tamper != nil {
				tt.tamper(b, cb, &flow)
			}
			id, err := b.oidc.Finish(t.Context(), callback(cb, flow))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Finish: %v", err)
				}
				if want := tt.wantID(b); id != want {
					t.Fatalf("Identity = %+v, want %+v", id, want)
				}
				return
			}
			t.Logf("Finish error: %v", err)
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("Finish error = %v, want %v", err, w)
				}
			}
			if id != (auth.Identity{}) {
				t.Errorf("Identity = %+v on error, want zero", id)
			}
		})
	}
}

func setQuery(k, v string) func(oidcBundle, *url.URL, **http.Cookie) {
	return func(_ oidcBundle, u *url.URL, _ **http.Cookie) {
		q := u.Query()
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
}

func TestOIDCFinishReplayRefused(t *testing.T) {
	t.Parallel()
	b := setupOIDC(t, mustKey(t), oidctest.Config{}, auth.OIDCConfig{})
	loc, flow := begin(t, b.oidc)
	cb, err := b.provider.Authorize(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.oidc.Finish(t.Context(), callback(cb, flow)); err != nil {
		t.Fatalf("first Finish: %v", err)
	}
	if _, err := b.oidc.Finish(t.Context(), callback(cb, flow)); !errors.Is(err, auth.ErrExchange) {
		t.Fatalf("replayed Finish = %v, want ErrExchange", err)
	}
}

func TestOIDCFlowCookieFromOtherServerRefused(t *testing.T) {
	t.Parallel()
	key := mustKey(t)
	b1 := setupOIDC(t, key, oidctest.Config{}, auth.OIDCConfig{CookieKey: bytes.Repeat([]byte{1}, 32)})
	b2 := setupOIDC(t, key, oidctest.Config{}, auth.OIDCConfig{CookieKey: bytes.Repeat([]byte{2}, 32)})
	loc, flow := begin(t, b1.oidc)
	cb, err := b1.provider.Authorize(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b2.oidc.Finish(t.Context(), callback(cb, flow)); !errors.Is(err, auth.ErrFlowInvalid) {
		t.Fatalf("Finish on another server = %v, want ErrFlowInvalid", err)
	}
	// Replicas sharing a cookie key accept each other's sign-ins.
	b3 := setupOIDC(t, key, oidctest.Config{}, auth.OIDCConfig{CookieKey: bytes.Repeat([]byte{1}, 32)})
	loc, flow = begin(t, b3.oidc)
	cb, err = b3.provider.Authorize(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b3.oidc.Finish(t.Context(), callback(cb, flow)); err != nil {
		t.Fatalf("Finish with shared key: %v", err)
	}
}

func TestOIDCClearFlowCookie(t *testing.T) {
	t.Parallel()
	b := setupOIDC(t, mustKey(t), oidctest.Config{}, auth.OIDCConfig{})
	rec := httptest.NewRecorder()
	b.oidc.ClearFlowCookie(rec)
	cs := rec.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != auth.FlowCookieName || cs[0].MaxAge >= 0 || cs[0].Path != "/auth/callback" {
		t.Fatalf("cookies = %+v, want one expiring flow cookie on the callback path", cs)
	}
}

func TestNewOIDCRefusals(t *testing.T) {
	t.Parallel()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	ok := auth.OIDCConfig{Issuer: deadURL, ClientID: "c", RedirectURL: redirectURL}
	tests := []struct {
		name   string
		mutate func(*auth.OIDCConfig)
		want   string
	}{
		{"EmptyIssuer", func(c *auth.OIDCConfig) { c.Issuer = "" }, "issuer"},
		{"EmptyClientID", func(c *auth.OIDCConfig) { c.ClientID = "" }, "client id"},
		{"RelativeRedirect", func(c *auth.OIDCConfig) { c.RedirectURL = "/auth/callback" }, "redirect URL"},
		{"ShortCookieKey", func(c *auth.OIDCConfig) { c.CookieKey = []byte("short") }, "cookie key"},
		{"DiscoveryFails", func(*auth.OIDCConfig) {}, "discover"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tt.mutate(&cfg)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err := auth.NewOIDC(ctx, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewOIDC = %v, want an error about %s", err, tt.want)
			}
		})
	}
}
