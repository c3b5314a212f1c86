package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu"
)

// apiClient calls a running server's JSON API with a personal API token.
type apiClient struct {
	base, token string
}

// adminAPI signs in as the demo admin and makes an API token.
func (s *server) adminAPI(tb testing.TB) *apiClient {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"email": s.email, "password": s.password})
	res, err := hc.Post(s.base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("sign in: %d", res.StatusCode)
	}
	res, err = hc.Get(s.base + "/api/v1/me")
	if err != nil {
		tb.Fatal(err)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	req, _ := http.NewRequest("POST", s.base+"/api/v1/me/tokens", strings.NewReader(`{"name":"e2e"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", me.CSRF)
	res, err = hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.Token == "" {
		tb.Fatalf("make an API token: %d %v", res.StatusCode, err)
	}
	return &apiClient{base: s.base, token: tok.Token}
}

// call sends a JSON request and returns the status and body.
func (c *apiClient) call(tb testing.TB, method, path string, body any) (int, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data
}

// trap records every request it gets with its Authorization header, standing in for an
// internal service (such as a cloud metadata endpoint) that credentials must never reach.
type trap struct {
	mu   sync.Mutex
	seen []string
}

func (t *trap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t.mu.Lock()
	t.seen = append(t.seen, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
	t.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"count":1,"value":[{"id":"p","name":"Fabrikam Fiber"}]}`))
}

func (t *trap) requests() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.seen...)
}

// TestSecurityEgress runs `cairn serve` and tries to make it send a PAT where nobody
// allowed: to an unlisted host, to private and link-local addresses, through a redirect
// from a listed host, and with schemes other than http(s). Only the hosts the operator and
// the tenant admin listed ever see it.
func TestSecurityEgress(t *testing.T) {
	t.Parallel()
	listed, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{e2ePAT}})
	if err != nil {
		t.Fatal(err)
	}
	listedURL, err := listed.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listed.Close() })
	tr := &trap{}
	trapSrv := httptest.NewServer(tr)
	t.Cleanup(trapSrv.Close)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, trapSrv.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	host := func(u string) string { return strings.TrimPrefix(u, "http://") }

	s := startServerEnv(t, "CAIRN_AZDO_ALLOWED_HOSTS="+host(listedURL)+","+host(redirector.URL))
	api := s.adminAPI(t)
	if st, body := api.call(t, "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"enabled": true}); st != 200 {
		t.Fatalf("turn the integration on: %d %s", st, body)
	}
	if st, body := api.call(t, "PUT", "/api/v1/orgs/fabrikam/integrations/azure-devops", map[string]any{"enabled": true}); st != 200 {
		t.Fatalf("turn the organization's integration on: %d %s", st, body)
	}
	connect := func(orgURL string) (int, string) {
		st, body := api.call(t, "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
			"name": "attempt " + orgURL, "organization_url": orgURL, "project": "Fabrikam Fiber",
			"auth": map[string]any{"type": "pat", "token": e2ePAT}})
		return st, string(body)
	}
	probe := func(orgURL string) (int, string) {
		st, body := api.call(t, "POST", "/api/v1/orgs/fabrikam/connections/azure-devops/projects", map[string]any{
			"organization_url": orgURL, "auth": map[string]any{"type": "pat", "token": e2ePAT}})
		return st, string(body)
	}

	for _, c := range []struct{ name, url, says string }{
		{"UnlistedHost", trapSrv.URL + "/fabrikam", "CAIRN_AZDO_ALLOWED_HOSTS=" + host(trapSrv.URL)},
		{"Metadata", "http://169.254.169.254/latest/meta-data", "not on the allow-list"},
		{"PrivateRange", "http://10.11.12.13/tfs/DefaultCollection", "not on the allow-list"},
		{"Loopback", "http://localhost:" + trapSrv.URL[strings.LastIndex(trapSrv.URL, ":")+1:] + "/fabrikam", "not Azure DevOps Services"},
		{"CloudOverHTTP", "http://dev.azure.com/fabrikam", "over https"},
		{"LookalikeHost", "https://dev.azure.com.evil.example/fabrikam", "not Azure DevOps Services"},
		{"OtherScheme", "ftp://dev.azure.com/fabrikam", "http(s) URL"},
	} {
		t.Run("Err"+c.name, func(t *testing.T) {
			for what, try := range map[string]func(string) (int, string){"connect": connect, "list projects": probe} {
				st, body := try(c.url)
				if st != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"organization_url"`) || !strings.Contains(body, c.says) {
					t.Errorf("%s to %s: %d %s; want 422 at organization_url saying %q", what, c.url, st, body, c.says)
				}
			}
		})
	}

	t.Run("ErrRedirectFromListedHost", func(t *testing.T) {
		st, body := connect(redirector.URL + "/fabrikam")
		if st < 400 || !strings.Contains(body, "redirect") {
			t.Fatalf("connect through a redirect: %d %s", st, body)
		}
	})

	t.Run("ListedHostWorks", func(t *testing.T) {
		if st, body := connect(listedURL + "/fabrikam"); st != http.StatusCreated {
			t.Fatalf("connect to the listed emulator: %d %s", st, body)
		}
	})

	t.Run("TenantAdminListsAHost", func(t *testing.T) {
		second, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{e2ePAT}})
		if err != nil {
			t.Fatal(err)
		}
		secondURL, err := second.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { second.Close() })
		if st, _ := connect(secondURL + "/fabrikam"); st != http.StatusUnprocessableEntity {
			t.Fatalf("an unlisted emulator: %d, want 422", st)
		}
		if st, body := api.call(t, "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"allowed_hosts": []string{host(secondURL)}}); st != 200 {
			t.Fatalf("list it: %d %s", st, body)
		}
		if st, body := connect(secondURL + "/fabrikam"); st != http.StatusCreated {
			t.Fatalf("after the tenant admin listed it: %d %s", st, body)
		}
	})

	if seen := tr.requests(); len(seen) != 0 {
		t.Fatalf("the trap got %d requests, the first %q", len(seen), seen[0])
	}
	if st, body := api.call(t, "GET", "/api/v1/tenant/integrations/azure-devops", nil); st != 200 || !strings.Contains(string(body), fmt.Sprintf("%q", host(listedURL))) {
		t.Fatalf("the tenant integration does not show the operator's hosts: %d %s", st, body)
	}
}
