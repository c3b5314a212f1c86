package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// FlowCookieName is the cookie that carries a sign-in's state, nonce and
// PKCE verifier from Begin to Finish.
const FlowCookieName = "cairn_oidc"

// flowLifetime is how long a user has to complete sign-in at the provider.
const flowLifetime = 10 * time.Minute

// Errors Finish returns; each is wrapped with detail.
var (
	// ErrProviderDenied reports that the provider redirected back with an
	// error instead of a code, for example because the user declined consent.
	ErrProviderDenied = errors.New("identity provider refused the sign-in")
	// ErrFlowMissing reports a callback without the sign-in cookie: the
	// sign-in was not started in this browser, or cookies are blocked.
	ErrFlowMissing = errors.New("sign-in cookie missing")
	// ErrFlowInvalid reports a sign-in cookie that is malformed or not signed
	// by this server.
	ErrFlowInvalid = errors.New("sign-in cookie invalid")
	// ErrFlowExpired reports a sign-in that took longer than allowed.
	ErrFlowExpired = errors.New("sign-in expired")
	// ErrStateMismatch reports a callback whose state does not match the
	// sign-in cookie, as in a forged or crossed callback.
	ErrStateMismatch = errors.New("sign-in state mismatch")
	// ErrCodeMissing reports a callback without an authorization code.
	ErrCodeMissing = errors.New("authorization code missing")
	// ErrExchange reports a failed code exchange at the token endpoint.
	ErrExchange = errors.New("authorization code exchange failed")
	// ErrTokenInvalid reports an ID token that is missing or fails
	// verification (signature, issuer, audience, expiry).
	ErrTokenInvalid = errors.New("ID token invalid")
	// ErrTokenExpired reports an expired ID token; it also matches
	// ErrTokenInvalid.
	ErrTokenExpired = errors.New("ID token expired")
	// ErrNonceMismatch reports an ID token whose nonce is not this sign-in's.
	ErrNonceMismatch = errors.New("ID token nonce mismatch")
	// ErrTenantMismatch reports an ID token from a tenant other than the
	// configured one.
	ErrTenantMismatch = errors.New("ID token from another tenant")
)

// OIDCConfig configures NewOIDC.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; for a Microsoft Entra tenant,
	// https://login.microsoftonline.com/<tenant-id>/v2.0.
	Issuer string
	// ClientID is the application (client) id registered at the provider.
	ClientID string
	// ClientSecret is the application's client secret.
	ClientSecret string
	// RedirectURL is Cairn's callback URL, registered at the provider.
	RedirectURL string
	// TenantID, when set, must equal the ID token's tid claim.
	TenantID string
	// Scopes are requested in addition to openid. Default profile and email.
	Scopes []string
	// CookieKey signs the sign-in cookie; at least 32 bytes, shared by all
	// replicas. When nil a random key is used, which only works with a single
	// replica and breaks sign-ins in flight across a restart.
	CookieKey []byte
	// HTTPClient makes the requests to the provider. Default
	// http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock for token and cookie expiry. Default time.Now.
	Now func() time.Time
}

// Identity is who signed in, as the provider asserts it.
type Identity struct {
	// Issuer is the token's issuer.
	Issuer string
	// Subject is the sub claim, unique per user and application.
	Subject string
	// Email is the email claim, or preferred_username when email is absent.
	// It is for display and invitations only: in Entra ID it is not verified
	// and can change, so accounts must be matched by ObjectID or Subject.
	Email string
	// Name is the display name.
	Name string
	// TenantID is the tid claim.
	TenantID string
	// ObjectID is the oid claim, the user's stable id across the tenant.
	ObjectID string
}

// OIDC signs users in with an OpenID Connect provider using the
// authorization-code flow with PKCE. It keeps no server-side state: a sign-in
// in progress lives in a short-lived signed cookie.
type OIDC struct {
	oauth     oauth2.Config
	verifier  *oidc.IDTokenVerifier
	client    *http.Client
	cookieKey []byte
	now       func() time.Time
	tenantID  string
	secure    bool
	path      string
}

// NewOIDC fetches the provider's discovery document and returns an OIDC
// ready to sign users in.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("auth: new oidc: issuer is empty")
	case cfg.ClientID == "":
		return nil, errors.New("auth: new oidc: client id is empty")
	case cfg.CookieKey != nil && len(cfg.CookieKey) < 32:
		return nil, fmt.Errorf("auth: new oidc: cookie key is %d bytes, want at least 32", len(cfg.CookieKey))
	}
	redirect, err := url.Parse(cfg.RedirectURL)
	if err != nil || !redirect.IsAbs() || redirect.Host == "" {
		return nil, fmt.Errorf("auth: new oidc: redirect URL %q is not an absolute URL", cfg.RedirectURL)
	}
	o := &OIDC{
		client:    cfg.HTTPClient,
		cookieKey: append([]byte(nil), cfg.CookieKey...),
		now:       cfg.Now,
		tenantID:  cfg.TenantID,
		secure:    redirect.Scheme == "https",
		path:      redirect.EscapedPath(),
	}
	if o.client == nil {
		o.client = http.DefaultClient
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.path == "" {
		o.path = "/"
	}
	if cfg.CookieKey == nil {
		o.cookieKey = make([]byte, 32)
		if _, err := rand.Read(o.cookieKey); err != nil {
			return nil, fmt.Errorf("auth: new oidc: cookie key: %w", err)
		}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, o.client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: new oidc: discover %s: %w", cfg.Issuer, err)
	}
	scopes := cfg.Scopes
	if scopes == nil {
		scopes = []string{oidc.ScopeProfile, oidc.ScopeEmail}
	}
	o.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURL:  cfg.RedirectURL,
		Endpoint:     provider.Endpoint(),
		Scopes:       append([]string{oidc.ScopeOpenID}, scopes...),
	}
	o.verifier = provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: o.now})
	return o, nil
}

// flow is the sign-in state kept in the flow cookie.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Expires  int64  `json:"e"`
}

// Begin starts a sign-in: it stores a fresh state, nonce and PKCE verifier in
// the flow cookie and redirects the browser to the provider. A second Begin
// in the same browser replaces the first sign-in.
func (o *OIDC) Begin(w http.ResponseWriter, r *http.Request) {
	f := flow{
		State:    rand.Text(),
		Nonce:    rand.Text(),
		Verifier: oauth2.GenerateVerifier(),
		Expires:  o.now().Add(flowLifetime).Unix(),
	}
	http.SetCookie(w, o.flowCookie(o.encodeFlow(f), int(flowLifetime/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	target := o.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	http.Redirect(w, r, target, http.StatusFound)
}

// ClearFlowCookie deletes the flow cookie; call it once the callback has been
// handled, whatever Finish returned.
func (o *OIDC) ClearFlowCookie(w http.ResponseWriter) {
	http.SetCookie(w, o.flowCookie("", -1))
}

func (o *OIDC) flowCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     FlowCookieName,
		Value:    value,
		Path:     o.path,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   o.secure,
		// Lax lets the cookie travel with the provider's top-level redirect
		// back to the callback, and with nothing cross-site beyond that.
		SameSite: http.SameSiteLaxMode,
	}
}

// Finish completes a sign-in on the callback request r: it checks the state
// against the flow cookie, exchanges the code (with the PKCE verifier),
// verifies the ID token's signature, issuer, audience, expiry and nonce, and
// returns who signed in.
func (o *OIDC) Finish(ctx context.Context, r *http.Request) (Identity, error) {
	const op = "auth: finish sign-in"
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return Identity{}, fmt.Errorf("%s: %w: %s: %s", op, ErrProviderDenied, clip(e, 64), clip(q.Get("error_description"), 300))
	}
	ck, err := r.Cookie(FlowCookieName)
	if err != nil || ck.Value == "" {
		return Identity{}, fmt.Errorf("%s: %w", op, ErrFlowMissing)
	}
	f, err := o.decodeFlow(ck.Value)
	if err != nil {
		return Identity{}, fmt.Errorf("%s: %w", op, err)
	}
	if o.now().Unix() > f.Expires {
		return Identity{}, fmt.Errorf("%s: %w: started more than %v ago", op, ErrFlowExpired, flowLifetime)
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return Identity{}, fmt.Errorf("%s: %w", op, ErrStateMismatch)
	}
	code := q.Get("code")
	if code == "" {
		return Identity{}, fmt.Errorf("%s: %w", op, ErrCodeMissing)
	}
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%s: %w: %w", op, ErrExchange, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%s: %w: token response has no id_token", op, ErrTokenInvalid)
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		if _, ok := errors.AsType[*oidc.TokenExpiredError](err); ok {
			return Identity{}, fmt.Errorf("%s: %w: %w: %w", op, ErrTokenInvalid, ErrTokenExpired, err)
		}
		return Identity{}, fmt.Errorf("%s: %w: %w", op, ErrTokenInvalid, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Identity{}, fmt.Errorf("%s: %w", op, ErrNonceMismatch)
	}
	var c struct {
		Email             string `json:"email"`
		PreferredUsername string `json:"preferred_username"`
		Name              string `json:"name"`
		TenantID          string `json:"tid"`
		ObjectID          string `json:"oid"`
	}
	if err := idt.Claims(&c); err != nil {
		return Identity{}, fmt.Errorf("%s: %w: claims: %w", op, ErrTokenInvalid, err)
	}
	if idt.Subject == "" {
		return Identity{}, fmt.Errorf("%s: %w: no sub claim", op, ErrTokenInvalid)
	}
	if o.tenantID != "" && !strings.EqualFold(c.TenantID, o.tenantID) {
		return Identity{}, fmt.Errorf("%s: %w: tid %q, want %q", op, ErrTenantMismatch, c.TenantID, o.tenantID)
	}
	id := Identity{
		Issuer:   idt.Issuer,
		Subject:  idt.Subject,
		Email:    c.Email,
		Name:     c.Name,
		TenantID: c.TenantID,
		ObjectID: c.ObjectID,
	}
	if id.Email == "" {
		id.Email = c.PreferredUsername
	}
	return id, nil
}

func (o *OIDC) encodeFlow(f flow) string {
	payload, _ := json.Marshal(f) // a struct of strings and an int always marshals
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(o.flowMAC(p))
}

func (o *OIDC) decodeFlow(v string) (flow, error) {
	var f flow
	p, sig, ok := strings.Cut(v, ".")
	if !ok {
		return f, fmt.Errorf("%w: malformed", ErrFlowInvalid)
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, o.flowMAC(p)) {
		return f, fmt.Errorf("%w: bad signature", ErrFlowInvalid)
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return f, fmt.Errorf("%w: malformed payload", ErrFlowInvalid)
	}
	if err := json.Unmarshal(payload, &f); err != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return f, fmt.Errorf("%w: malformed payload", ErrFlowInvalid)
	}
	return f, nil
}

func (o *OIDC) flowMAC(payload string) []byte {
	m := hmac.New(sha256.New, o.cookieKey)
	m.Write([]byte("cairn oidc flow v1\x00"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// clip shortens provider-supplied text kept in error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
