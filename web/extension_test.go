package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

const (
	extSecret     = "current-extension-secret"
	extOldSecret  = "previous-extension-secret"
	extAzureUser  = "8c3b0b5e-6a8c-4f3e-9d55-3f7e2a9b1c01"
	extOtherAzure = "0d2f7a31-1111-4c5e-8f00-5b0b7e6c2d99"
)

// extClock is a clock the test moves while the server reads it.
type extClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *extClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *extClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// extBundle is a server with the extension configured, a tenant, one organization with an
// objective, a key result owned by "owner", and API tokens for "owner" and "viewer".
type extBundle struct {
	srv    *httptest.Server
	clock  *extClock
	db     *sqldb.DB
	tokens map[string]string
	users  map[string]*cairn.User
	kr     int64
}

func newExtBundle(tb testing.TB) *extBundle {
	tb.Helper()
	ctx := context.Background()
	b := &extBundle{clock: &extClock{now: time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)}, tokens: map[string]string{}, users: map[string]*cairn.User{}}
	hasher, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sqldb.Open(ctx, filepath.Join(tb.TempDir(), "cairn.db"), sqldb.Options{Now: b.clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	b.db = db
	svc := cairn.NewService(db, cairn.ServiceOptions{Now: b.clock.Now, HashPassword: hasher.Hash})
	srv, err := web.New(web.Config{
		Service: svc, Store: db, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: hasher, Now: b.clock.Now,
		Extension: &web.ExtensionConfig{
			Secrets: []string{extSecret, extOldSecret},
			Origins: append(web.DefaultExtensionOrigins(), "https://tfs.example.com:8443"),
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	b.srv = httptest.NewServer(srv)
	tb.Cleanup(b.srv.Close)

	pw, _ := hasher.Hash("correct-horse")
	tenant := &cairn.User{Email: "tenant@example.com", Name: "Tenant Admin", TenantAdmin: true, PasswordHash: pw, CreatedAt: b.clock.Now()}
	if err := db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn", CreatedAt: b.clock.Now()}, tenant); err != nil {
		tb.Fatal(err)
	}
	tctx := cairn.NewContext(ctx, tenant)
	org := &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	if err := svc.CreateOrg(tctx, org); err != nil {
		tb.Fatal(err)
	}
	for _, m := range []struct {
		name string
		role cairn.Role
	}{{"owner", cairn.RoleMember}, {"viewer", cairn.RoleViewer}} {
		mem, err := svc.AddMember(tctx, org.Slug, cairn.NewMember{Email: m.name + "@example.com", Name: m.name, Role: m.role, Password: "correct-horse"})
		if err != nil {
			tb.Fatal(err)
		}
		u, err := db.UserByID(ctx, mem.UserID)
		if err != nil {
			tb.Fatal(err)
		}
		_, tok, err := web.CreateAPIToken(ctx, db, u.ID, m.name, b.clock.Now())
		if err != nil {
			tb.Fatal(err)
		}
		b.tokens[m.name], b.users[m.name] = tok, u
	}
	octx := cairn.NewContext(ctx, b.users["owner"])
	p := &cairn.Period{Name: "Q3 2026", Start: cairn.DateOf(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)), End: cairn.DateOf(time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC))}
	if err := svc.CreatePeriod(tctx, org.Slug, p); err != nil {
		tb.Fatal(err)
	}
	o := &cairn.Objective{PeriodID: p.ID, Title: "Delight shoppers", Level: cairn.LevelOrganization, OwnerIDs: []int64{b.users["owner"].ID}}
	if err := svc.CreateObjective(octx, org.Slug, o); err != nil {
		tb.Fatal(err)
	}
	k := &cairn.KeyResult{ObjectiveID: o.ID, Title: "Checkout conversion", Metric: cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%"}}
	if err := svc.CreateKeyResult(octx, org.Slug, k); err != nil {
		tb.Fatal(err)
	}
	b.kr = k.ID
	return b
}

// appToken signs claims as Azure DevOps signs an app token.
func appToken(tb testing.TB, secret string, claims map[string]any) string {
	tb.Helper()
	enc := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	signing := enc(map[string]string{"typ": "JWT", "alg": "HS256"}) + "." + enc(claims)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// claimsAt are the claims of a token issued at t for five minutes.
func claimsAt(azureID string, t time.Time) map[string]any {
	return map[string]any{
		"nameid": azureID, "tid": "1b9e8f4a-0000-4000-8000-000000000001",
		"iss": "app.vstoken.visualstudio.com", "aud": "app.vstoken.visualstudio.com|vso:1b9e8f4a-0000-4000-8000-000000000001",
		"nbf": t.Unix(), "iat": t.Unix(), "exp": t.Add(5 * time.Minute).Unix(),
	}
}

type extResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

func (b *extBundle) send(tb testing.TB, method, path, bearer string, body any, header map[string]string) extResponse {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, b.srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for k, v := range header {
		req.Header.Set(k, v)
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
	return extResponse{Status: res.StatusCode, Header: res.Header, Body: data}
}

func decodeInto(tb testing.TB, data []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("decode %s: %v", data, err)
	}
}

func TestExtensionAppTokens(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	now := b.clock.Now()
	wrongAudience := claimsAt(extAzureUser, now)
	wrongAudience["aud"] = "some-other-audience"
	wrongIssuer := claimsAt(extAzureUser, now)
	wrongIssuer["iss"] = "someone.example"
	noNameID := claimsAt(extAzureUser, now)
	delete(noNameID, "nameid")
	unsigned := strings.Join(strings.Split(appToken(t, extSecret, claimsAt(extAzureUser, now)), ".")[:2], ".") + "."
	payload, _ := json.Marshal(claimsAt(extAzureUser, now))
	algNone := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
	tests := []struct {
		name       string
		token      string
		wantStatus int
		wantDetail string
	}{
		{"valid token is accepted", appToken(t, extSecret, claimsAt(extAzureUser, now)), 200, ""},
		{"token under the previous secret is accepted during rotation", appToken(t, extOldSecret, claimsAt(extAzureUser, now)), 200, ""},
		{"wrong audience is accepted because audience is not validated", appToken(t, extSecret, wrongAudience), 200, ""},
		{"wrong issuer is accepted because issuer is not validated", appToken(t, extSecret, wrongIssuer), 200, ""},
		{"expired token is refused", appToken(t, extSecret, claimsAt(extAzureUser, now.Add(-time.Hour))), 401, "expired"},
		{"token from the future is refused", appToken(t, extSecret, claimsAt(extAzureUser, now.Add(time.Hour))), 401, "not valid yet"},
		{"wrong signature is refused", appToken(t, "a-secret-cairn-never-had", claimsAt(extAzureUser, now)), 401, "signature"},
		{"token with its signature cut off is refused", unsigned, 401, "signature"},
		{"token with alg none is refused", algNone, 401, "HS256"},
		{"token without nameid is refused", appToken(t, extSecret, noNameID), 401, "malformed"},
		{"missing token is refused", "", 401, "app token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := b.send(t, "GET", "/api/v1/azure-devops/extension/me", tt.token, nil, nil)
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.wantStatus, r.Body)
			}
			if tt.wantStatus == 200 {
				var me web.ExtensionMe
				decodeInto(t, r.Body, &me)
				if me.AzureUserID != extAzureUser || me.Linked {
					t.Fatalf("me = %+v, want unlinked %s", me, extAzureUser)
				}
				return
			}
			var p web.Problem
			decodeInto(t, r.Body, &p)
			if !strings.Contains(p.Detail, tt.wantDetail) {
				t.Fatalf("detail %q, want it to mention %q", p.Detail, tt.wantDetail)
			}
		})
	}
}

func TestExtensionReplayedTokenIsRefusedOnceExpired(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	tok := appToken(t, extSecret, claimsAt(extAzureUser, b.clock.Now()))
	// Within its lifetime the SDK itself sends the same token again and again.
	for range 2 {
		if r := b.send(t, "GET", "/api/v1/azure-devops/extension/me", tok, nil, nil); r.Status != 200 {
			t.Fatalf("status %d within lifetime: %s", r.Status, r.Body)
		}
	}
	b.clock.Add(5*time.Minute + auth.AppTokenLeeway + time.Second)
	if r := b.send(t, "GET", "/api/v1/azure-devops/extension/me", tok, nil, nil); r.Status != 401 {
		t.Fatalf("replayed expired token: status %d, want 401: %s", r.Status, r.Body)
	}
}

func TestExtensionAppTokenReachesOnlyExtensionRoutes(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	tok := appToken(t, extSecret, claimsAt(extAzureUser, b.clock.Now()))
	for _, path := range []string{"/api/v1/me", "/api/v1/orgs", "/api/v1/orgs/fabrikam/objectives"} {
		if r := b.send(t, "GET", path, tok, nil, nil); r.Status != 403 {
			t.Errorf("GET %s with an app token: status %d, want 403", path, r.Status)
		}
	}
}

func TestExtensionNoSecretRefusesEveryAppToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "cairn.db"), sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := web.New(web.Config{Store: db, CSRFKey: bytes.Repeat([]byte("k"), 32), Extension: &web.ExtensionConfig{}})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/azure-devops/extension/me", nil)
	req.Header.Set("Authorization", "Bearer "+appToken(t, "", claimsAt(extAzureUser, time.Now())))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), web.ExtensionSecretEnv) {
		t.Fatalf("status %d body %s, want 401 naming %s", rec.Code, rec.Body, web.ExtensionSecretEnv)
	}
}

func TestExtensionLinkingAndCheckIn(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	tok := appToken(t, extSecret, claimsAt(extAzureUser, b.clock.Now()))
	checkIn := "/api/v1/orgs/fabrikam/key-results/" + itoa(b.kr) + "/check-ins"

	// Unlinked: read-only.
	if r := b.send(t, "POST", checkIn, tok, map[string]any{"value": 10}, nil); r.Status != 403 {
		t.Fatalf("unlinked check-in: status %d, want 403: %s", r.Status, r.Body)
	}

	r := b.send(t, "POST", "/api/v1/azure-devops/extension/link-codes", tok, map[string]any{"azure_user_name": "Ada <Lovelace>"}, nil)
	if r.Status != 201 {
		t.Fatalf("link code: status %d: %s", r.Status, r.Body)
	}
	var code web.ExtensionLinkCode
	decodeInto(t, r.Body, &code)
	if !regexp.MustCompile(`^[A-Z2-9]{4}-[A-Z2-9]{4}$`).MatchString(code.Code) {
		t.Fatalf("code %q is not like ABCD-EFGH", code.Code)
	}
	if !code.ExpiresAt.Equal(b.clock.Now().Add(web.ExtensionLinkCodeTTL)) {
		t.Fatalf("expires_at %s, want %s", code.ExpiresAt, b.clock.Now().Add(web.ExtensionLinkCodeTTL))
	}

	// The confirmation page, anonymous, asks to sign in; signed in, it names both accounts.
	page := b.send(t, "GET", code.ConfirmPath, "", nil, nil)
	if page.Status != 200 || !strings.Contains(string(page.Body), "Sign in to Cairn") {
		t.Fatalf("anonymous confirm page: %d %s", page.Status, page.Body)
	}
	page = b.send(t, "GET", code.ConfirmPath, b.tokens["owner"], nil, nil)
	if page.Status != 200 || !strings.Contains(string(page.Body), "Ada &lt;Lovelace&gt;") || !strings.Contains(string(page.Body), "owner@example.com") {
		t.Fatalf("signed-in confirm page: %d %s", page.Status, page.Body)
	}

	// Confirming, in lower case without the dash, links the accounts.
	typed := strings.ToLower(strings.ReplaceAll(code.Code, "-", ""))
	r = b.send(t, "POST", "/api/v1/azure-devops/links", b.tokens["owner"], map[string]any{"code": typed}, nil)
	if r.Status != 200 {
		t.Fatalf("confirm: status %d: %s", r.Status, r.Body)
	}
	var linked web.ExtensionLinked
	decodeInto(t, r.Body, &linked)
	if linked.AzureUserID != extAzureUser || linked.UserID != b.users["owner"].ID {
		t.Fatalf("linked %+v", linked)
	}
	// A code works once: replaying it is refused.
	if r := b.send(t, "POST", "/api/v1/azure-devops/links", b.tokens["viewer"], map[string]any{"code": code.Code}, nil); r.Status != 404 {
		t.Fatalf("replayed code: status %d, want 404: %s", r.Status, r.Body)
	}

	var me web.ExtensionMe
	decodeInto(t, b.send(t, "GET", "/api/v1/azure-devops/extension/me", tok, nil, nil).Body, &me)
	if !me.Linked || me.User == nil || me.User.Email != "owner@example.com" {
		t.Fatalf("me after linking = %+v", me)
	}
	r = b.send(t, "POST", checkIn, tok, map[string]any{"value": 12.5, "note": "from Azure Boards"}, map[string]string{"Origin": "https://dev.azure.com"})
	if r.Status != 201 {
		t.Fatalf("linked check-in: status %d: %s", r.Status, r.Body)
	}
	var ci cairn.CheckIn
	decodeInto(t, r.Body, &ci)
	if ci.AuthorID == nil || *ci.AuthorID != b.users["owner"].ID || ci.Value != 12.5 {
		t.Fatalf("check-in %+v, want value 12.5 by owner", ci)
	}
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "https://dev.azure.com" {
		t.Fatalf("Access-Control-Allow-Origin %q", got)
	}

	// Another Azure DevOps user stays unlinked.
	other := appToken(t, extSecret, claimsAt(extOtherAzure, b.clock.Now()))
	if r := b.send(t, "POST", checkIn, other, map[string]any{"value": 1}, nil); r.Status != 403 {
		t.Fatalf("other user's check-in: status %d, want 403", r.Status)
	}

	// Unlinking makes the page read-only again.
	if r := b.send(t, "DELETE", "/api/v1/azure-devops/extension/link", tok, nil, nil); r.Status != 204 {
		t.Fatalf("unlink: status %d: %s", r.Status, r.Body)
	}
	if r := b.send(t, "POST", checkIn, tok, map[string]any{"value": 13}, nil); r.Status != 403 {
		t.Fatalf("check-in after unlinking: status %d, want 403", r.Status)
	}
}

func TestExtensionLinkCodeExpires(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	var code web.ExtensionLinkCode
	decodeInto(t, b.send(t, "POST", "/api/v1/azure-devops/extension/link-codes", appToken(t, extSecret, claimsAt(extAzureUser, b.clock.Now())), nil, nil).Body, &code)
	b.clock.Add(web.ExtensionLinkCodeTTL + time.Second)
	if r := b.send(t, "POST", "/api/v1/azure-devops/links", b.tokens["owner"], map[string]any{"code": code.Code}, nil); r.Status != 404 {
		t.Fatalf("expired code: status %d, want 404: %s", r.Status, r.Body)
	}
	for _, bad := range []string{"", "ABCD", "ABCD-EFG1", "ABCD-EFGH-JKLM"} {
		if r := b.send(t, "POST", "/api/v1/azure-devops/links", b.tokens["owner"], map[string]any{"code": bad}, nil); r.Status != 422 {
			t.Errorf("code %q: status %d, want 422", bad, r.Status)
		}
	}
}

func TestExtensionLinkFormNeedsCSRFToken(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	var code web.ExtensionLinkCode
	decodeInto(t, b.send(t, "POST", "/api/v1/azure-devops/extension/link-codes", appToken(t, extSecret, claimsAt(extAzureUser, b.clock.Now())), nil, nil).Body, &code)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	res, err := client.Post(b.srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"owner@example.com","password":"correct-horse"}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	decodeInto(t, data, &login)

	post := func(csrf string) int {
		form := url.Values{"code": {code.Code}}
		if csrf != "" {
			form.Set("csrf_token", csrf)
		}
		res, err := client.PostForm(b.srv.URL+"/azure-devops/link", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(""); got != 403 {
		t.Fatalf("form without CSRF token: status %d, want 403", got)
	}
	if got := post(login.CSRFToken); got != 200 {
		t.Fatalf("form with CSRF token: status %d, want 200", got)
	}
	id, err := b.db.ExtensionLinkUserID(context.Background(), extAzureUser)
	if err != nil || id != b.users["owner"].ID {
		t.Fatalf("link = %d, %v; want owner", id, err)
	}
}

func TestExtensionCORS(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	tests := []struct {
		name, origin, method, path string
		wantStatus                 int
	}{
		{"Azure DevOps Services is allowed", "https://dev.azure.com", "GET", "/api/v1/azure-devops/extension/me", 204},
		{"a visualstudio.com organization is allowed", "https://fabrikam.visualstudio.com", "POST", "/api/v1/azure-devops/extension/link-codes", 204},
		{"the configured Server URL is allowed", "https://tfs.example.com:8443", "POST", "/api/v1/orgs/fabrikam/key-results/1/check-ins", 204},
		{"another port of the Server is refused", "https://tfs.example.com", "GET", "/api/v1/azure-devops/extension/me", 403},
		{"plain http of Azure DevOps is refused", "http://dev.azure.com", "GET", "/api/v1/azure-devops/extension/me", 403},
		{"a look-alike domain is refused", "https://visualstudio.com.evil.example", "GET", "/api/v1/azure-devops/extension/me", 403},
		{"the bare wildcard domain is refused", "https://visualstudio.com", "GET", "/api/v1/azure-devops/extension/me", 403},
		{"an unknown origin is refused", "https://evil.example", "GET", "/api/v1/azure-devops/extension/me", 403},
		{"routes the extension does not use have no CORS", "https://dev.azure.com", "GET", "/api/v1/orgs", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := b.send(t, "OPTIONS", tt.path, "", nil, map[string]string{
				"Origin": tt.origin, "Access-Control-Request-Method": tt.method, "Access-Control-Request-Headers": "authorization",
			})
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.wantStatus, r.Body)
			}
			got := r.Header.Get("Access-Control-Allow-Origin")
			if tt.wantStatus == 204 {
				if got != tt.origin || !strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
					t.Fatalf("allow-origin %q allow-headers %q", got, r.Header.Get("Access-Control-Allow-Headers"))
				}
			} else if got != "" {
				t.Fatalf("refused preflight still allows origin %q", got)
			}
		})
	}
}

func TestExtensionConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		env         map[string]string
		wantErr     bool
		wantSecrets int
		wantOrigins int
	}{
		{"nothing set gives the Services origins and no secret", nil, false, 0, 2},
		{"both secrets during rotation", map[string]string{web.ExtensionSecretEnv: "a", web.ExtensionPreviousSecretEnv: "b"}, false, 2, 2},
		{"a Server URL is added", map[string]string{web.ExtensionOriginsEnv: " https://tfs.example.com , http://ado.local:8080"}, false, 0, 4},
		{"a collection path is refused", map[string]string{web.ExtensionOriginsEnv: "https://tfs.example.com/DefaultCollection"}, true, 0, 0},
		{"a wildcard in the middle is refused", map[string]string{web.ExtensionOriginsEnv: "https://a.*.example.com"}, true, 0, 0},
		{"a wildcard over a top-level domain is refused", map[string]string{web.ExtensionOriginsEnv: "https://*.com"}, true, 0, 0},
		{"a bare host is refused", map[string]string{web.ExtensionOriginsEnv: "tfs.example.com"}, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := web.ExtensionConfigFromEnv(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(cfg.Secrets) != tt.wantSecrets || len(cfg.Origins) != tt.wantOrigins {
				t.Fatalf("secrets %d origins %v; want %d secrets, %d origins", len(cfg.Secrets), cfg.Origins, tt.wantSecrets, tt.wantOrigins)
			}
		})
	}
}

func TestExtensionNewInitiativeGoesToTheWizard(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	path := "/azure-devops/initiatives/new?work-item=42&project=Fabrikam+Fiber&org-url=https%3A%2F%2Fdev.azure.com%2Ffabrikam"
	req, _ := http.NewRequest("GET", b.srv.URL+path, nil)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous: %d to %q, want 303 to sign-in", res.StatusCode, res.Header.Get("Location"))
	}
	req, _ = http.NewRequest("GET", b.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+b.tokens["owner"])
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != 303 || loc.Path != "/o/fabrikam/initiatives/new" || loc.Query().Get("work-item") != "42" || loc.Query().Get("org-url") != "https://dev.azure.com/fabrikam" {
		t.Fatalf("signed in: %d to %q", res.StatusCode, loc)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestExtensionCommentsActAsTheLinkedUser checks that the extension reads and writes the
// comments of a key result as the linked Cairn user, mentions included, and reads the
// members who wrote them; that an unlinked Azure DevOps user may do neither; and that the
// comments of objectives stay out of an app token's reach.
func TestExtensionCommentsActAsTheLinkedUser(t *testing.T) {
	t.Parallel()
	b := newExtBundle(t)
	tok := appToken(t, extSecret, claimsAt(extAzureUser, b.clock.Now()))
	comments := "/api/v1/orgs/fabrikam/key-results/" + itoa(b.kr) + "/comments"
	for _, c := range []struct{ method, path string }{{"GET", comments}, {"POST", comments}, {"GET", "/api/v1/orgs/fabrikam/members"}} {
		if r := b.send(t, c.method, c.path, tok, map[string]any{"body": "hello"}, nil); r.Status != 403 || !strings.Contains(string(r.Body), "link your Cairn account") {
			t.Fatalf("unlinked %s %s: status %d, want 403 asking to link: %s", c.method, c.path, r.Status, r.Body)
		}
	}

	r := b.send(t, "POST", "/api/v1/azure-devops/extension/link-codes", tok, map[string]any{}, nil)
	var code web.ExtensionLinkCode
	decodeInto(t, r.Body, &code)
	if r := b.send(t, "POST", "/api/v1/azure-devops/links", b.tokens["owner"], map[string]any{"code": code.Code}, nil); r.Status != 200 {
		t.Fatalf("confirm: status %d: %s", r.Status, r.Body)
	}

	r = b.send(t, "POST", comments, tok, map[string]any{"body": "Blocked on the card form, @viewer please look"}, map[string]string{"Origin": "https://dev.azure.com"})
	if r.Status != 201 {
		t.Fatalf("linked comment: status %d: %s", r.Status, r.Body)
	}
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "https://dev.azure.com" {
		t.Fatalf("Access-Control-Allow-Origin %q on the comment", got)
	}
	var c cairn.Comment
	decodeInto(t, r.Body, &c)
	if c.AuthorID == nil || *c.AuthorID != b.users["owner"].ID || len(c.MentionedUserIDs) != 1 || c.MentionedUserIDs[0] != b.users["viewer"].ID {
		t.Fatalf("comment %+v, want by owner mentioning viewer", c)
	}
	var listed struct {
		Items []cairn.Comment `json:"items"`
	}
	decodeInto(t, b.send(t, "GET", comments, tok, nil, nil).Body, &listed)
	if len(listed.Items) != 1 || listed.Items[0].Body != c.Body {
		t.Fatalf("comments read through the extension = %+v", listed.Items)
	}
	var members struct {
		Items []cairn.Member `json:"items"`
	}
	decodeInto(t, b.send(t, "GET", "/api/v1/orgs/fabrikam/members", tok, nil, nil).Body, &members)
	if len(members.Items) != 3 {
		t.Fatalf("members read through the extension = %+v, want the tenant admin who made the organization, owner and viewer", members.Items)
	}
	if r := b.send(t, "GET", "/api/v1/orgs/fabrikam/objectives/1/comments", tok, nil, nil); r.Status != 403 {
		t.Fatalf("objective comments with an app token: status %d, want 403", r.Status)
	}
	if r := b.send(t, "OPTIONS", comments, "", nil, map[string]string{"Origin": "https://dev.azure.com", "Access-Control-Request-Method": "POST"}); r.Status != 204 {
		t.Fatalf("preflight of the comment route: status %d: %s", r.Status, r.Body)
	}
}
