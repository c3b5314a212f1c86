package oidctest_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/auth/oidctest"
)

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

func TestDiscoveryAndJWKS(t *testing.T) {
	t.Parallel()
	p := oidctest.New(t, oidctest.Config{TenantID: "tenant-x"})
	if !strings.HasSuffix(p.Issuer(), "/tenant-x/v2.0") {
		t.Errorf("Issuer = %q, want an Entra-shaped issuer", p.Issuer())
	}
	var d discovery
	getJSON(t, p.Issuer()+"/.well-known/openid-configuration", &d)
	if d.Issuer != p.Issuer() || !strings.HasPrefix(d.AuthorizationEndpoint, p.Issuer()) || !strings.HasPrefix(d.TokenEndpoint, p.Issuer()) {
		t.Errorf("discovery = %+v", d)
	}
	var jwks struct {
		Keys []struct{ Kty, Alg, Kid, N, E string }
	}
	getJSON(t, d.JWKSURI, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0].Kty != "RSA" || jwks.Keys[0].Alg != "RS256" || jwks.Keys[0].Kid == "" {
		t.Fatalf("jwks = %+v", jwks)
	}
}

// flow runs /authorize and /token by hand and returns the token response.
func flow(t *testing.T, p *oidctest.Provider, verifier string, mutate func(url.Values)) (int, map[string]any) {
	t.Helper()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {p.ClientID()}, "redirect_uri": {"http://cairn.test/cb"},
		"state": {"st"}, "nonce": {"nn"}, "scope": {"openid"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	cb, err := p.Authorize(t.Context(), p.Issuer()+"/authorize?"+q.Encode())
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if cb.Query().Get("state") != "st" || cb.Query().Get("code") == "" || cb.Host != "cairn.test" {
		t.Fatalf("callback = %s", cb)
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "redirect_uri": {"http://cairn.test/cb"},
		"client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}, "code_verifier": {verifier},
	}
	if mutate != nil {
		mutate(form)
	}
	resp, err := http.PostForm(p.Issuer()+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestTokenIssuesVerifiableIDToken(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := oidctest.New(t, oidctest.Config{Key: key, Now: func() time.Time { return now }})
	status, body := flow(t, p, "verifier-0123456789-0123456789-0123456789", nil)
	if status != http.StatusOK {
		t.Fatalf("token status %d: %v", status, body)
	}
	raw, _ := body["id_token"].(string)
	if raw != p.LastIDToken() {
		t.Error("LastIDToken differs from the issued token")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token %q is not a JWT", raw)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	u := oidctest.DefaultUser()
	want := map[string]any{
		"iss": p.Issuer(), "aud": p.ClientID(), "nonce": "nn", "sub": u.Subject, "email": u.Email,
		"name": u.Name, "oid": u.ObjectID, "tid": p.TenantID(), "exp": float64(now.Add(time.Hour).Unix()),
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
}

func TestTokenRefusals(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		mutate    func(url.Values)
		wantError string
	}{
		{"WrongSecret", func(f url.Values) { f.Set("client_secret", "nope") }, "invalid_client"},
		{"WrongClient", func(f url.Values) { f.Set("client_id", "other") }, "invalid_client"},
		{"UnknownCode", func(f url.Values) { f.Set("code", "forged") }, "invalid_grant"},
		{"WrongRedirect", func(f url.Values) { f.Set("redirect_uri", "http://evil.test/cb") }, "invalid_grant"},
		{"WrongVerifier", func(f url.Values) { f.Set("code_verifier", "another-verifier-0123456789-0123456789") }, "invalid_grant"},
		{"MissingVerifier", func(f url.Values) { f.Del("code_verifier") }, "invalid_grant"},
		{"WrongGrantType", func(f url.Values) { f.Set("grant_type", "password") }, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := oidctest.New(t, oidctest.Config{Key: key})
			status, body := flow(t, p, "verifier-0123456789-0123456789-0123456789", tt.mutate)
			if status < 400 || body["error"] != tt.wantError {
				t.Fatalf("status %d body %v, want error %s", status, body, tt.wantError)
			}
		})
	}
}

func TestFaultsChangeToken(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		fault oidctest.Fault
		check func(t *testing.T, claims map[string]any, sigOK bool, hasToken bool)
	}{
		{oidctest.FaultBadSignature, func(t *testing.T, _ map[string]any, sigOK, _ bool) {
			if sigOK {
				t.Error("signature verifies")
			}
		}},
		{oidctest.FaultUnknownKey, func(t *testing.T, _ map[string]any, sigOK, _ bool) {
			if sigOK {
				t.Error("signature verifies with the published key")
			}
		}},
		{oidctest.FaultWrongAudience, func(t *testing.T, c map[string]any, _, _ bool) {
			if c["aud"] == "cairn-test" {
				t.Error("aud is the client")
			}
		}},
		{oidctest.FaultExpired, func(t *testing.T, c map[string]any, _, _ bool) {
			if c["exp"].(float64) >= float64(now.Unix()) {
				t.Error("exp not in the past")
			}
		}},
		{oidctest.FaultWrongNonce, func(t *testing.T, c map[string]any, _, _ bool) {
			if c["nonce"] == "nn" {
				t.Error("nonce unchanged")
			}
		}},
		{oidctest.FaultNoIDToken, func(t *testing.T, _ map[string]any, _, hasToken bool) {
			if hasToken {
				t.Error("id_token present")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			t.Parallel()
			p := oidctest.New(t, oidctest.Config{Key: key, Now: func() time.Time { return now }})
			p.SetFault(tt.fault)
			status, body := flow(t, p, "verifier-0123456789-0123456789-0123456789", nil)
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, body)
			}
			raw, hasToken := body["id_token"].(string)
			var c map[string]any
			sigOK := false
			if hasToken {
				parts := strings.Split(raw, ".")
				payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
				_ = json.Unmarshal(payload, &c)
				sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
				sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
				sigOK = rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig) == nil
			}
			tt.check(t, c, sigOK, hasToken)
		})
	}
}

func TestAccessDeniedRedirectsWithError(t *testing.T) {
	t.Parallel()
	p := oidctest.New(t, oidctest.Config{Fault: oidctest.FaultAccessDenied})
	q := url.Values{"response_type": {"code"}, "client_id": {p.ClientID()}, "redirect_uri": {"http://cairn.test/cb"}, "state": {"st"}}
	cb, err := p.Authorize(t.Context(), p.Issuer()+"/authorize?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("error") != "access_denied" || cb.Query().Get("code") != "" || cb.Query().Get("state") != "st" {
		t.Fatalf("callback = %s", cb)
	}
}

func TestAuthorizeRefusesUnknownClient(t *testing.T) {
	t.Parallel()
	p := oidctest.New(t, oidctest.Config{})
	q := url.Values{"response_type": {"code"}, "client_id": {"someone"}, "redirect_uri": {"http://cairn.test/cb"}}
	if _, err := p.Authorize(t.Context(), p.Issuer()+"/authorize?"+q.Encode()); err == nil {
		t.Fatal("Authorize succeeded for an unknown client")
	}
}
