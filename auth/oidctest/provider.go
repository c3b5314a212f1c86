package oidctest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Fault selects one way in which the provider misbehaves.
type Fault int

const (
	// FaultNone makes the provider behave correctly.
	FaultNone Fault = iota
	// FaultBadSignature issues ID tokens whose signature does not verify.
	FaultBadSignature
	// FaultWrongAudience issues ID tokens for another client.
	FaultWrongAudience
	// FaultExpired issues ID tokens that expired an hour ago.
	FaultExpired
	// FaultWrongNonce issues ID tokens with a nonce other than the one asked for.
	FaultWrongNonce
	// FaultWrongIssuer issues ID tokens naming another issuer.
	FaultWrongIssuer
	// FaultUnknownKey signs ID tokens with a key absent from the JWKS.
	FaultUnknownKey
	// FaultNoIDToken answers the token request without an ID token.
	FaultNoIDToken
	// FaultAccessDenied makes /authorize redirect back with
	// error=access_denied, as when the user declines consent.
	FaultAccessDenied
)

// String returns the fault's name, such as "FaultExpired".
func (f Fault) String() string {
	names := [...]string{"FaultNone", "FaultBadSignature", "FaultWrongAudience", "FaultExpired",
		"FaultWrongNonce", "FaultWrongIssuer", "FaultUnknownKey", "FaultNoIDToken", "FaultAccessDenied"}
	if f < 0 || int(f) >= len(names) {
		return fmt.Sprintf("Fault(%d)", int(f))
	}
	return names[f]
}

// User is the account the provider signs in. Empty claims are left out of
// the ID token.
type User struct {
	// Subject is the sub claim.
	Subject string
	// Email is the email claim.
	Email string
	// PreferredUsername is the preferred_username claim.
	PreferredUsername string
	// Name is the name claim.
	Name string
	// ObjectID is the oid claim.
	ObjectID string
	// TenantID is the tid claim; empty means the provider's tenant.
	TenantID string
}

// DefaultUser returns the user a provider signs in unless configured
// otherwise.
func DefaultUser() User {
	return User{
		Subject:           "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
		Email:             "ada@contoso.example",
		PreferredUsername: "ada@contoso.example",
		Name:              "Ada Lovelace",
		ObjectID:          "00000000-0000-0000-66f3-3332eca7ea81",
	}
}

// Config configures a Provider. Zero fields take the defaults shown.
type Config struct {
	// TenantID names the tenant; the issuer is <server>/<TenantID>/v2.0.
	// Default "9188040d-6c67-4c5b-b112-36a304b66dad".
	TenantID string
	// ClientID is the only client the provider accepts. Default "cairn-test".
	ClientID string
	// ClientSecret is that client's secret. Default "cairn-test-secret".
	ClientSecret string
	// User is the account signed in. Default DefaultUser().
	User *User
	// Fault makes the provider misbehave. Default FaultNone.
	Fault Fault
	// Now is the provider's clock. Default time.Now.
	Now func() time.Time
	// TokenLifetime is how long ID tokens are valid. Default one hour.
	TokenLifetime time.Duration
	// Key signs ID tokens. Default a fresh 2048-bit RSA key; tests that start
	// many providers can share one to save time.
	Key *rsa.PrivateKey
}

// Provider is a running test OpenID provider.
type Provider struct {
	srv          *httptest.Server
	issuer       string
	tenantID     string
	clientID     string
	clientSecret string
	now          func() time.Time
	lifetime     time.Duration
	key          *rsa.PrivateKey
	kid          string

	mu        sync.Mutex
	user      User
	fault     Fault
	codes     map[string]grant
	otherKey  *rsa.PrivateKey
	lastToken string
}

// grant is what /authorize remembers for /token.
type grant struct {
	clientID    string
	redirectURI string
	nonce       string
	challenge   string
	user        User
}

// Start starts a provider; Close stops it.
func Start(cfg Config) (*Provider, error) {
	p := &Provider{
		tenantID:     cfg.TenantID,
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		now:          cfg.Now,
		lifetime:     cfg.TokenLifetime,
		key:          cfg.Key,
		fault:        cfg.Fault,
		codes:        map[string]grant{},
	}
	if p.tenantID == "" {
		p.tenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"
	}
	if p.clientID == "" {
		p.clientID = "cairn-test"
	}
	if p.clientSecret == "" {
		p.clientSecret = "cairn-test-secret"
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.lifetime <= 0 {
		p.lifetime = time.Hour
	}
	if cfg.User != nil {
		p.user = *cfg.User
	} else {
		p.user = DefaultUser()
	}
	if p.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("oidctest: generate key: %w", err)
		}
		p.key = k
	}
	p.kid = keyID(&p.key.PublicKey)

	base := "/" + p.tenantID + "/v2.0"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+base+"/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET "+base+"/keys", p.jwks)
	mux.HandleFunc("GET "+base+"/authorize", p.authorize)
	mux.HandleFunc("POST "+base+"/token", p.token)
	p.srv = httptest.NewServer(mux)
	p.issuer = p.srv.URL + base
	return p, nil
}

// New starts a provider for a test and stops it when the test ends.
func New(tb testing.TB, cfg Config) *Provider {
	tb.Helper()
	p, err := Start(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// Issuer returns the issuer URL, the value for Cairn's OIDC issuer setting.
func (p *Provider) Issuer() string { return p.issuer }

// ClientID returns the client id the provider accepts.
func (p *Provider) ClientID() string { return p.clientID }

// ClientSecret returns the client secret the provider accepts.
func (p *Provider) ClientSecret() string { return p.clientSecret }

// TenantID returns the provider's tenant id.
func (p *Provider) TenantID() string { return p.tenantID }

// SetUser changes the account signed in from now on.
func (p *Provider) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// SetFault changes how the provider misbehaves from now on.
func (p *Provider) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// LastIDToken returns the most recent ID token the provider issued, or "".
func (p *Provider) LastIDToken() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastToken
}

// Authorize plays the browser's part: it requests authURL (the redirect
// Cairn's sign-in start produced) from the provider and returns the URL the
// provider sends the browser back to, carrying code and state.
func (p *Provider) Authorize(ctx context.Context, authURL string) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, fmt.Errorf("oidctest: authorize: %w", err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidctest: authorize: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		var body [512]byte
		n, _ := resp.Body.Read(body[:])
		return nil, fmt.Errorf("oidctest: authorize: status %d: %s", resp.StatusCode, body[:n])
	}
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("oidctest: authorize: %w", err)
	}
	return loc, nil
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"jwks_uri":                              p.issuer + "/keys",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "email", "name", "preferred_username", "oid", "tid"},
		"tenant_region_scope":                   "EU",
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": p.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != p.clientID:
		http.Error(w, "AADSTS700016: unknown client_id "+q.Get("client_id"), http.StatusBadRequest)
		return
	case err != nil || !redirect.IsAbs():
		http.Error(w, "AADSTS50011: redirect_uri missing or not absolute", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	fail := func(code, desc string) {
		back.Set("error", code)
		back.Set("error_description", desc)
		redirect.RawQuery = back.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	}
	if m := q.Get("code_challenge_method"); q.Get("code_challenge") != "" && m != "S256" {
		fail("invalid_request", "code_challenge_method must be S256")
		return
	}
	p.mu.Lock()
	fault, user := p.fault, p.user
	p.mu.Unlock()
	if fault == FaultAccessDenied {
		fail("access_denied", "AADSTS65004: User declined to consent to access the app.")
		return
	}
	code := randomString()
	p.mu.Lock()
	p.codes[code] = grant{
		clientID:    p.clientID,
		redirectURI: q.Get("redirect_uri"),
		nonce:       q.Get("nonce"),
		challenge:   q.Get("code_challenge"),
		user:        user,
	}
	p.mu.Unlock()
	back.Set("code", code)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.clientSecret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: invalid client secret")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code) // codes are single-use
	fault := p.fault
	p.mu.Unlock()
	switch {
	case !found:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "AADSTS70008: code unknown, expired or already redeemed")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	case g.challenge != "" && !pkceMatches(r.PostForm.Get("code_verifier"), g.challenge):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "AADSTS501481: code_verifier does not match code_challenge")
		return
	}
	resp := map[string]any{
		"token_type":   "Bearer",
		"scope":        "openid profile email",
		"expires_in":   int(p.lifetime / time.Second),
		"access_token": randomString(),
	}
	if fault != FaultNoIDToken {
		tok, err := p.idToken(g, fault)
		if err != nil {
			tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
			return
		}
		resp["id_token"] = tok
		p.mu.Lock()
		p.lastToken = tok
		p.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, resp)
}

func (p *Provider) idToken(g grant, fault Fault) (string, error) {
	now := p.now()
	claims := map[string]any{
		"iss":   p.issuer,
		"aud":   g.clientID,
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(p.lifetime).Unix(),
		"ver":   "2.0",
		"tid":   p.tenantID,
		"nonce": g.nonce,
	}
	for k, v := range map[string]string{
		"sub": g.user.Subject, "email": g.user.Email, "preferred_username": g.user.PreferredUsername,
		"name": g.user.Name, "oid": g.user.ObjectID, "tid": g.user.TenantID,
	} {
		if v != "" {
			claims[k] = v
		}
	}
	key := p.key
	switch fault {
	case FaultWrongAudience:
		claims["aud"] = "00000000-0000-0000-0000-00000000dead"
	case FaultExpired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["nbf"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case FaultWrongNonce:
		claims["nonce"] = "not-the-nonce-" + randomString()
	case FaultWrongIssuer:
		claims["iss"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
	case FaultUnknownKey:
		other, err := p.otherSigningKey()
		if err != nil {
			return "", err
		}
		key = other
	}
	tok, err := SignRS256(key, p.kid, claims)
	if err != nil {
		return "", err
	}
	if fault == FaultBadSignature {
		b := []byte(tok)
		// Change a character in the middle of the signature, keeping it base64url.
		i := len(b) - 10
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		tok = string(b)
	}
	return tok, nil
}

func (p *Provider) otherSigningKey() (*rsa.PrivateKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.otherKey == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("oidctest: generate key: %w", err)
		}
		p.otherKey = k
	}
	return p.otherKey, nil
}

// SignRS256 returns a compact JWT with the given claims, signed with key
// under RS256 and naming kid in its header.
func SignRS256(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	if err != nil {
		return "", fmt.Errorf("oidctest: sign: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("oidctest: sign: %w", err)
	}
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("oidctest: sign: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func keyID(pub *rsa.PublicKey) string {
	sum := sha256.Sum256(pub.N.Bytes())
	return hex.EncodeToString(sum[:8])
}

func pkceMatches(verifier, challenge string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

func randomString() string { return rand.Text() }

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
