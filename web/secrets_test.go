package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
)

const (
	// spSecret is the service principal's client secret.
	spSecret = "sp-SECRET-0b7e41d2c9"
	// appSecret is the client secret of Cairn's own Entra app, for sign-in with Microsoft.
	appSecret = "app-SECRET-58aa03f1e6"
)

// entraStandIn is a stand-in Microsoft Entra authority: client credentials for one service
// principal, the authorization-code flow for Cairn's app, and refresh tokens that work
// once. It keeps every token it issues, for the leak checks; the emulator accepts every
// access token. With refuse set it refuses everything, as after a secret expires.
type entraStandIn struct {
	emu    *azdoemu.Server
	refuse atomic.Bool

	mu      sync.Mutex
	n       int
	refresh map[string]bool
	issued  []string
}

func (e *entraStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.PostForm
	if e.refuse.Load() {
		http.Error(w, `{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired."}`, http.StatusUnauthorized)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	grant := f.Get("grant_type")
	switch grant {
	case "client_credentials":
		if f.Get("client_secret") != spSecret {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
	case "authorization_code":
		if f.Get("code") != "code-1" || f.Get("client_id") != "cairn-app" || f.Get("client_secret") != appSecret {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
	case "refresh_token":
		if !e.refresh[f.Get("refresh_token")] {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		delete(e.refresh, f.Get("refresh_token"))
	default:
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	e.n++
	access := fmt.Sprintf("entra-at-%d-9f1c3e", e.n)
	e.emu.AddBearerToken(access)
	e.issued = append(e.issued, access)
	// Five seconds is inside oauth2's expiry margin: every use refreshes.
	res := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 5}
	if grant != "client_credentials" {
		rt := fmt.Sprintf("entra-rt-%d-77d0a2", e.n)
		e.refresh[rt] = true
		e.issued = append(e.issued, rt)
		res["refresh_token"] = rt
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

func (e *entraStandIn) tokens() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.issued...)
}

// TestCredentialsNeverReachLogsOrMetrics connects with a PAT, a service principal and a
// Microsoft sign-in, syncs each, lets a service hook trigger a sync, makes every
// credential fail and syncs again, with the log at debug level. No credential, token or
// client secret appears in a response, a log line or /metrics.
func TestCredentialsNeverReachLogsOrMetrics(t *testing.T) {
	t.Parallel()
	entra := &entraStandIn{refresh: map[string]bool{}}
	authority := httptest.NewServer(entra)
	t.Cleanup(authority.Close)
	ib := setupIntegrationWith(t, integrationOptions{clients: func(c *datasource.ClientConfig) {
		c.Egress.Hosts = append(c.Egress.Hosts, strings.TrimPrefix(authority.URL, "http://"))
		c.EntraAuthority, c.OAuthClientID, c.OAuthClientSecret = authority.URL, "cairn-app", appSecret
	}})
	entra.emu = ib.emu
	ids := ib.okrs(t)
	ib.enable(t)

	conns := map[string]int64{"pat": ib.connect(t, "owner")}
	conns["sp"] = ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "service principal", "organization_url": ib.emuURL + "/fabrikam", "project": "Fabrikam Fiber", "visibility": "shared",
		"auth": map[string]any{"type": "client_credentials", "tenant_id": "tenant-1", "client_id": "app-1", "client_secret": spSecret}}).id(t)
	conns["oauth"] = ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "signed in", "organization_url": ib.emuURL + "/fabrikam", "project": "Fabrikam Fiber", "visibility": "shared",
		"auth": map[string]any{"type": "oauth", "grant": ib.signInWithMicrosoft(t)}}).id(t)

	sources := map[string]int64{}
	for kind, conn := range conns {
		kr := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/key-results", map[string]any{"objective_id": ids.objective,
			"title": "Stories of " + kind, "metric": map[string]any{"kind": "number", "start": 0, "target": 40}}).id(t)
		sources[kind] = ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
			"target": map[string]any{"type": "key_result", "id": kr}, "connection_id": conn, "method": "work_items",
			"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"}).id(t)
	}
	dataSourceError := func(id int64) *cairn.SyncError {
		var d cairn.DataSource
		ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d", id), nil).json(t, &d)
		return d.Error
	}
	for kind, d := range sources {
		ib.call(t, 200, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", d), nil)
		if e := dataSourceError(d); e != nil {
			t.Fatalf("the %s connection's sync failed: %+v", kind, e)
		}
	}

	// A change in Azure DevOps: the emulator delivers the service hooks, which sync.
	snaps, err := ib.emu.WorkItems("fabrikam", "Fabrikam Fiber")
	must(t, err)
	for _, s := range snaps {
		if s.Type == "User Story" && s.State != "Closed" && ancestor(snaps, s.ID, 1) {
			must(t, ib.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", s.ID, map[string]any{"System.State": "Closed"}))
			break
		}
	}
	ib.emu.WaitHooks()
	for kind, d := range sources {
		waitRun(t, ib, d, cairn.TriggerHook, "the "+kind+" connection's sync after the service hook")
	}

	// Every credential stops working; the syncs fail and say so.
	must(t, ib.emu.SetPATExpired(secretPAT, true))
	entra.refuse.Store(true)
	for kind, d := range sources {
		ib.call(t, 200, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", d), nil)
		if dataSourceError(d) == nil {
			t.Fatalf("the %s connection still syncs with a refused credential", kind)
		}
	}

	metrics := ib.do(t, "", "GET", "/metrics", nil)
	if metrics.Status != http.StatusOK || !strings.Contains(string(metrics.Body), "cairn_http_requests_total") {
		t.Fatalf("/metrics: %d %.200s", metrics.Status, metrics.Body)
	}
	logs := ib.logs.String()
	// The log saw the whole story, so that its silence about secrets means something.
	for _, want := range []string{`"route":"POST /hooks/azure-devops/{id}"`, "azure devops sync failed", `"route":"POST /api/v1/orgs/{org}/connections"`} {
		if !strings.Contains(logs, want) {
			t.Fatalf("the log has no %s: the test did not run what it checks", want)
		}
	}
	secrets := append([]string{secretPAT, spSecret, appSecret, ib.tokens["owner"]}, entra.tokens()...)
	if len(secrets) < 8 {
		t.Fatalf("the authority issued only %v: no OAuth refresh token was exercised", entra.tokens())
	}
	for where, text := range map[string]string{"a response": ib.bodies.String(), "the log": logs, "/metrics": string(metrics.Body)} {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%q appears in %s", s, where)
			}
		}
	}
}

// signInWithMicrosoft runs the authorization-code flow as the owner and returns the grant.
func (ib *integrationBundle) signInWithMicrosoft(tb testing.TB) string {
	tb.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", ib.srv.URL+"/api/v1/orgs/fabrikam/connections/azure-devops/authorize", nil)
	req.Header.Set("Authorization", "Bearer "+ib.tokens["owner"])
	res, err := noRedirect.Do(req)
	must(tb, err)
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound || loc.Query().Get("state") == "" {
		tb.Fatalf("authorize: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	req, _ = http.NewRequest("GET", ib.srv.URL+"/connections/azure-devops/callback?code=code-1&state="+url.QueryEscape(loc.Query().Get("state")), nil)
	req.Header.Set("Authorization", "Bearer "+ib.tokens["owner"])
	req.Header.Set("Accept", "application/json")
	res, err = http.DefaultClient.Do(req)
	must(tb, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	ib.bodies.Write(body)
	var out struct {
		Grant string `json:"grant"`
	}
	if err := json.Unmarshal(body, &out); err != nil || res.StatusCode != http.StatusOK || out.Grant == "" {
		tb.Fatalf("callback: %d %s", res.StatusCode, body)
	}
	return out.Grant
}

// waitRun waits until the data source has a sync run with the trigger.
func waitRun(tb testing.TB, ib *integrationBundle, id int64, trigger, what string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var runs struct {
			Items []cairn.SyncRun `json:"items"`
		}
		ib.call(tb, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/runs", id), nil).json(tb, &runs)
		for _, r := range runs.Items {
			if r.Trigger == trigger {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not happen within 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// panickingStore is the integration's store with a bug: writing a connection panics.
type panickingStore struct{ datasource.Store }

func (panickingStore) CreateConnection(context.Context, *cairn.Connection) error {
	panic("connection store: the write lost its transaction")
}

// TestRecoveredPanicRevealsNoSecret makes a handler panic while it holds a PAT (creating a
// connection, after the PAT was checked live): the client gets a 500 problem, the log gets
// the panic with its stack, and neither holds the PAT, the caller's API token or anything
// else of the request's body and headers.
func TestRecoveredPanicRevealsNoSecret(t *testing.T) {
	t.Parallel()
	ib := setupIntegrationWith(t, integrationOptions{wrapStore: func(s datasource.Store) datasource.Store { return panickingStore{s} }})
	ib.enable(t)
	res := ib.do(t, "owner", "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "probe-7c1d", "organization_url": ib.emuURL + "/fabrikam", "project": "Fabrikam Fiber", "visibility": "shared",
		"auth": map[string]any{"type": "pat", "token": secretPAT}})
	if res.Status != http.StatusInternalServerError || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("panicking handler answered %d %s: %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	if p := res.problem(t); p.Code != "internal" || p.RequestID == "" || p.RequestID != res.Header.Get("X-Request-Id") {
		t.Fatalf("problem %+v, want code internal with the request id", p)
	}
	logs := ib.logs.String()
	if !strings.Contains(logs, `"msg":"panic"`) || !strings.Contains(logs, "the write lost its transaction") || !strings.Contains(logs, "goroutine") {
		t.Fatalf("the log has no panic record with its value and stack:\n%s", logs)
	}
	for _, s := range []string{secretPAT, ib.tokens["owner"], "probe-7c1d", "Bearer"} {
		if strings.Contains(logs, s) || strings.Contains(string(res.Body), s) {
			t.Errorf("%q appears in the panic's log or answer", s)
		}
	}
	// The server goes on serving.
	ib.call(t, 200, "owner", "GET", "/api/v1/orgs/fabrikam/connections", nil)
}
