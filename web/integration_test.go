package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/web"
)

// secretPAT is the Azure DevOps token the tests look for in every response and log line.
const secretPAT = "pat-SECRET-7f3c9a1e5b"

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// integrationBundle is the API bundle with the Azure DevOps integration wired to an
// emulator over HTTP.
type integrationBundle struct {
	*testBundle
	emu    *azdoemu.Server
	emuURL string
	logs   *lockedBuffer
	ds     *datasource.Service
	bodies *lockedBuffer // every response body the tests received
}

func setupIntegration(tb testing.TB) *integrationBundle {
	tb.Helper()
	return setupIntegrationWith(tb, integrationOptions{})
}

// integrationOptions change what setupIntegrationWith wires.
type integrationOptions struct {
	// wrapStore, when set, wraps the store the integration uses (to inject faults).
	wrapStore func(datasource.Store) datasource.Store
	// clients, when set, changes the Azure DevOps clients' configuration.
	clients func(*datasource.ClientConfig)
}

func setupIntegrationWith(tb testing.TB, opts integrationOptions) *integrationBundle {
	tb.Helper()
	b := setup(tb)
	emu, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{secretPAT}})
	if err != nil {
		tb.Fatal(err)
	}
	emuURL, err := emu.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { emu.Close() })
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := auth.NewSealer(map[string][]byte{"k": key}, "k")
	if err != nil {
		tb.Fatal(err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := func() time.Time { return b.now }
	svc := cairn.NewService(b.db, cairn.ServiceOptions{Now: now, HashPassword: b.hasher.Hash})
	clients := datasource.ClientConfig{Egress: &azdo.Egress{Hosts: []string{strings.TrimPrefix(emuURL, "http://")}, Listed: svc.AllowedHosts}, VSSPSURL: emuURL + "/_vssps"}
	if opts.clients != nil {
		opts.clients(&clients)
	}
	var store datasource.Store = b.db
	if opts.wrapStore != nil {
		store = opts.wrapStore(b.db)
	}
	syncer := datasource.NewSyncer(datasource.SyncerConfig{Store: store, Sealer: sealer, Clients: clients, Log: log})
	// The public URL is set once the server listens; service hooks point there.
	ts := httptest.NewUnstartedServer(nil)
	ds := datasource.New(datasource.Config{Cairn: svc, Store: store, Sealer: sealer, Clients: clients, Syncer: syncer,
		PublicURL: "http://" + ts.Listener.Addr().String(), HookDebounce: 20 * time.Millisecond, Log: log})
	srv, err := web.New(web.Config{Service: svc, Store: b.db, DB: b.db.SQL(), Ready: b.db.Ping, CSRFKey: bytes.Repeat([]byte("k"), 32),
		Passwords: b.hasher, Now: now, Log: log, Integration: ds})
	if err != nil {
		tb.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	tb.Cleanup(ts.Close)
	b.srv = ts
	return &integrationBundle{testBundle: b, emu: emu, emuURL: emuURL, logs: logs, ds: ds, bodies: &lockedBuffer{}}
}

// call is must that also keeps the body for the secret check.
func (ib *integrationBundle) call(tb testing.TB, want int, who, method, path string, body any) response {
	tb.Helper()
	r := ib.do(tb, who, method, path, body)
	ib.bodies.Write(r.Body)
	if r.Status != want {
		tb.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, who, r.Status, want, r.Body)
	}
	return r
}

func (ib *integrationBundle) enable(tb testing.TB) {
	tb.Helper()
	ib.call(tb, 200, "tenant", "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"enabled": true})
	ib.call(tb, 200, "admin", "PUT", "/api/v1/orgs/fabrikam/integrations/azure-devops", map[string]any{"enabled": true, "sync_interval_minutes": 15})
}

func (ib *integrationBundle) connect(tb testing.TB, who string) int64 {
	tb.Helper()
	return ib.call(tb, 201, who, "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "fabrikam / Fabrikam Fiber", "organization_url": ib.emuURL + "/fabrikam", "project": "Fabrikam Fiber",
		"visibility": "shared", "auth": map[string]any{"type": "pat", "token": secretPAT}}).id(tb)
}

func TestIntegrationSwitchesAreForAdminsAndGateBindings(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	// Only tenant admins flip the tenant switch, only organization admins the organization's.
	ib.call(t, 403, "admin", "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"enabled": true})
	ib.call(t, 403, "member", "PUT", "/api/v1/orgs/fabrikam/integrations/azure-devops", map[string]any{"enabled": true})
	ib.call(t, 422, "admin", "PUT", "/api/v1/orgs/fabrikam/integrations/azure-devops", map[string]any{"sync_interval_minutes": 2})

	// With the tenant switch off, binding names the tenant admin.
	p := ib.call(t, 409, "owner", "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "x", "organization_url": ib.emuURL + "/fabrikam", "project": "Fabrikam Fiber", "auth": map[string]any{"type": "pat", "token": secretPAT}}).problem(t)
	if !strings.Contains(p.Detail, "tenant admin") {
		t.Errorf("problem with the tenant switch off = %q, want it to name the tenant admin", p.Detail)
	}
	ib.call(t, 200, "tenant", "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"enabled": true})
	p = ib.call(t, 409, "owner", "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "x", "organization_url": ib.emuURL + "/fabrikam", "project": "Fabrikam Fiber", "auth": map[string]any{"type": "pat", "token": secretPAT}}).problem(t)
	if !strings.Contains(p.Detail, "organization admin") {
		t.Errorf("problem with the organization switch off = %q, want it to name the organization admin", p.Detail)
	}
	ib.enable(t)
	conn := ib.connect(t, "owner")
	qid, _ := ib.emu.QueryID("fabrikam", "Fabrikam Fiber", "Shared Queries/Q3 Features")
	ds := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "key_result", "id": ids.keyResult}, "connection_id": conn, "method": "shared_query",
		"query_id": qid, "progress_type": "Feature", "measure": "count"}).id(t)

	// Switching the organization off pauses the data source and keeps it.
	off := false
	ib.call(t, 200, "admin", "PUT", "/api/v1/orgs/fabrikam/integrations/azure-devops", map[string]any{"enabled": off})
	var d cairn.DataSource
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d", ds), nil).json(t, &d)
	if d.Status != cairn.DataSourceDisabled || d.Value == nil {
		t.Fatalf("data source with the switch off: status %q value %v, want disabled with its value kept", d.Status, d.Value)
	}
	ib.call(t, 409, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync", ds), nil)
	ib.enable(t)
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d", ds), nil).json(t, &d)
	if d.Status != cairn.DataSourceActive {
		t.Fatalf("status after switching back on = %q, want active", d.Status)
	}
}

// TestConnectionLookupsAreForWriters checks that the live lookups through a shared
// connection, which read Azure DevOps with its owner's credential, serve the members who
// configure data sources and refuse viewers.
func TestConnectionLookupsAreForWriters(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	base := fmt.Sprintf("/api/v1/orgs/fabrikam/connections/%d", conn)
	for _, path := range []string{"/projects", "/work-item-types", "/work-item-types/Epic/states", "/queries", "/work-items?type=Epic&q=checkout"} {
		ib.call(t, 200, "member", "GET", base+path, nil)
		if p := ib.call(t, 403, "viewer", "GET", base+path, nil).problem(t); p.Code != cairn.EFORBIDDEN {
			t.Errorf("GET %s as a viewer: code %q, want %s", path, p.Code, cairn.EFORBIDDEN)
		}
		ib.call(t, 404, "outsider", "GET", base+path, nil)
	}
	// A viewer learns nothing about which connections exist.
	ib.call(t, 403, "viewer", "GET", "/api/v1/orgs/fabrikam/connections/999999/projects", nil)
}

func TestIntegrationAPINeverRevealsTheCredential(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	ib.call(t, 200, "member", "GET", "/api/v1/orgs/fabrikam/connections", nil)
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/connections/%d", conn), nil)
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/connections/%d/work-item-types", conn), nil)
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/connections/%d/queries", conn), nil)
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/connections/%d/work-items?type=Epic&q=checkout", conn), nil)
	ib.call(t, 200, "owner", "POST", "/api/v1/orgs/fabrikam/connections/azure-devops/projects",
		map[string]any{"organization_url": ib.emuURL + "/fabrikam", "auth": map[string]any{"type": "pat", "token": secretPAT}})
	// A wrong token is refused with the typed client error, and still not echoed.
	p := ib.call(t, 422, "owner", "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "bad", "organization_url": ib.emuURL + "/fabrikam", "project": "Fabrikam Fiber", "auth": map[string]any{"type": "pat", "token": secretPAT + "x"}}).problem(t)
	// It has never worked, so it says what may be wrong and which scopes a token needs, once.
	for _, want := range []string{"did not accept this personal access token", "Work Items (Read)", "Project and Team (Read)", "Service Hooks (Read & write)"} {
		if strings.Count(p.Detail, want) != 1 {
			t.Errorf("bad PAT problem %q should say %q once", p.Detail, want)
		}
	}
	if strings.Contains(p.Detail, "no longer") || strings.Contains(p.Detail, "reconnect") || strings.Count(p.Detail, "personal access token") != 1 {
		t.Errorf("bad PAT problem %q speaks of a connection that once worked, or repeats itself", p.Detail)
	}
	// Listing the projects with it, the wizard's first step, says the same.
	pp := ib.call(t, 422, "owner", "POST", "/api/v1/orgs/fabrikam/connections/azure-devops/projects",
		map[string]any{"organization_url": ib.emuURL + "/fabrikam", "auth": map[string]any{"type": "pat", "token": secretPAT + "x"}}).problem(t)
	if pp.Detail != p.Detail || pp.Field != "azure_devops.credentials" {
		t.Errorf("projects with a bad PAT: %+v, want the connection's detail %q", pp, p.Detail)
	}
	ib.call(t, 422, "owner", "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "bad", "organization_url": ib.emuURL + "/fabrikam", "project": "No Such Project", "auth": map[string]any{"type": "pat", "token": secretPAT}})
	d := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "initiative_tasks", "id": ids.initiative}, "connection_id": conn, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"}).id(t)
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/runs", d), nil)
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/initiatives/%d/tasks", ids.initiative), nil)
	ib.call(t, 200, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", d), nil)
	ib.emu.SetPATExpired(secretPAT, true)
	ib.call(t, 200, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", d), nil)
	for where, text := range map[string]string{"responses": ib.bodies.String(), "logs": ib.logs.String()} {
		if strings.Contains(text, secretPAT) {
			t.Errorf("the PAT appears in the %s", where)
		}
	}
	if !strings.Contains(ib.bodies.String(), "reconnect") {
		t.Error("the expired PAT's guidance never reached the client")
	}
	if strings.Contains(ib.bodies.String(), "reconnect it. Azure DevOps") {
		t.Error("the expired PAT's message repeats itself")
	}
	var raw string
	must(t, ib.db.SQL().QueryRow(`SELECT credential FROM azdo_connections WHERE id = ?`, conn).Scan(&raw))
	if strings.Contains(raw, secretPAT) || !strings.HasPrefix(raw, "v1:") {
		t.Errorf("stored credential %q is not sealed", raw)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func TestServiceHookReceiver(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	var cv struct {
		HookStatus string `json:"hook_status"`
		HookURL    string `json:"hook_url"`
	}
	ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/connections/%d", conn), nil).json(t, &cv)
	subs, err := ib.emu.Subscriptions("fabrikam")
	must(t, err)
	if cv.HookStatus != "active" || len(subs) != 4 {
		t.Fatalf("hook status %q with %d subscriptions, want active with 4", cv.HookStatus, len(subs))
	}
	d := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "key_result", "id": ids.keyResult}, "connection_id": conn, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"}).id(t)
	before := len(checkInsOf(t, ib, ids.keyResult))

	t.Run("ForgedDeliveryIsRefused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", cv.HookURL, strings.NewReader(`{"eventType":"workitem.updated"}`))
		req.SetBasicAuth("cairn-1", "guess")
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != 401 {
			t.Fatalf("forged delivery: %d, want 401", res.StatusCode)
		}
		var requested *time.Time
		must(t, ib.db.SQL().QueryRow(`SELECT sync_requested_at FROM azdo_connections WHERE id = ?`, conn).Scan(&requested))
		if requested != nil {
			t.Errorf("a forged delivery recorded a sync request at %v", requested)
		}
	})

	t.Run("RealChangeReachesTheKeyResult", func(t *testing.T) {
		// Close a user story under epic 1 in Azure DevOps; the emulator delivers the hook.
		story := 0
		snaps, err := ib.emu.WorkItems("fabrikam", "Fabrikam Fiber")
		must(t, err)
		for _, s := range snaps {
			if s.Type == "User Story" && s.State != "Closed" && ancestor(snaps, s.ID, 1) {
				story = s.ID
				break
			}
		}
		if story == 0 {
			t.Fatal("no open user story under epic 1")
		}
		must(t, ib.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", story, map[string]any{"System.State": "Closed"}))
		ib.emu.WaitHooks()
		deadline := time.Now().Add(10 * time.Second)
		for len(checkInsOf(t, ib, ids.keyResult)) == before {
			if time.Now().After(deadline) {
				t.Fatal("the key result did not move after the service hook")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cs := checkInsOf(t, ib, ids.keyResult)
		if !strings.Contains(cs[0].Note, "+1 since last sync") {
			t.Errorf("note = %q, want +1 since last sync", cs[0].Note)
		}
	})

	t.Run("DeletingTheConnectionDeletesItsSubscriptions", func(t *testing.T) {
		ib.call(t, 204, "owner", "DELETE", fmt.Sprintf("/api/v1/orgs/fabrikam/connections/%d", conn), nil)
		subs, err := ib.emu.Subscriptions("fabrikam")
		must(t, err)
		if len(subs) != 0 {
			t.Errorf("%d subscriptions left after deleting the connection", len(subs))
		}
		ib.call(t, 404, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d", d), nil)
		req, _ := http.NewRequest("POST", cv.HookURL, strings.NewReader(`{}`))
		req.SetBasicAuth("x", "y")
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusGone {
			t.Errorf("delivery to a deleted connection: %d, want 410", res.StatusCode)
		}
	})
}

func ancestor(snaps []azdoemu.WorkItemSnapshot, id, root int) bool {
	parent := map[int]int{}
	for _, s := range snaps {
		parent[s.ID] = s.Parent
	}
	for p, n := parent[id], 0; p != 0 && n < 50; p, n = parent[p], n+1 {
		if p == root {
			return true
		}
	}
	return false
}

func checkInsOf(tb testing.TB, ib *integrationBundle, kr int64) []*cairn.CheckIn {
	tb.Helper()
	var out struct {
		Items []*cairn.CheckIn `json:"items"`
	}
	ib.call(tb, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d/check-ins", kr), nil).json(tb, &out)
	return out.Items
}

func TestAlignmentAnswersFromTheMirror(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "initiative_tasks", "id": ids.initiative}, "connection_id": conn, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"})
	var iv struct {
		Source string `json:"source"`
	}
	ib.call(t, 200, "member", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/initiatives/%d", ids.initiative), nil).json(t, &iv)
	if iv.Source != "azure-devops" {
		t.Errorf("a bound initiative reads source %q, want azure-devops", iv.Source)
	}
	ib.call(t, 200, "owner", "PATCH", fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d", ids.keyResult),
		map[string]any{"metric": map[string]any{"goal": "stay_above", "start": 50, "target": 80}})
	ib.emu.ResetStats()
	path := "/api/v1/azure-devops/alignment?org-url=" + ib.emuURL + "/fabrikam&project=Fabrikam%20Fiber&work-item=5"
	var a web.AlignmentResponse
	ib.call(t, 200, "member", "GET", path, nil).json(t, &a)
	if len(a.Alignments) != 1 {
		t.Fatalf("alignments = %+v, want one", a.Alignments)
	}
	chain := a.Alignments[0].Chain
	if len(chain) != 3 || chain[0].Type != cairn.ItemInitiative || chain[1].Type != cairn.ItemKeyResult || chain[2].Type != cairn.ItemObjective {
		t.Fatalf("chain = %+v, want initiative → key result → objective", chain)
	}
	if chain[0].ID != ids.initiative || chain[0].URL == "" || chain[0].CanEdit {
		t.Errorf("first link = %+v (member is neither owner nor editor)", chain[0])
	}
	if chain[1].Goal != cairn.GoalStayAbove || chain[1].Target == nil || *chain[1].Target != 80 || chain[1].BaselinePending {
		t.Errorf("the key result's link = %+v, want the goal stay_above with the threshold 80", chain[1])
	}
	if n := ib.emu.Stats().Total; n != 0 {
		t.Errorf("the alignment lookup made %d Azure DevOps calls, want 0", n)
	}
	// An item outside the set, and a reader outside the organization, see nothing.
	ib.call(t, 200, "member", "GET", strings.Replace(path, "work-item=5", "work-item=99999", 1), nil).json(t, &a)
	if len(a.Alignments) != 0 || a.AddURL == "" {
		t.Errorf("unaligned item: %+v", a)
	}
	ib.call(t, 200, "outsider", "GET", path, nil).json(t, &a)
	if len(a.Alignments) != 0 {
		t.Errorf("an outsider sees %d alignments", len(a.Alignments))
	}
	ib.call(t, 401, "", "GET", path, nil)
	_ = context.Background()
}

// TestOAuthCallbackErrorsArePagesForPeople checks that a failed Microsoft sign-in shows a
// page to a person and problem+json to an API client.
func TestOAuthCallbackErrorsArePagesForPeople(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	for _, c := range []struct {
		accept, contentType, body string
	}{
		{"text/html", "text/html; charset=utf-8", "did not finish"},
		{"application/json", "application/problem+json", `"status"`},
	} {
		req, _ := http.NewRequest("GET", ib.srv.URL+"/connections/azure-devops/callback?state=forged&code=x", nil)
		req.Header.Set("Accept", c.accept)
		req.Header.Set("Authorization", "Bearer "+ib.tokens["owner"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode < 400 || res.Header.Get("Content-Type") != c.contentType || !strings.Contains(string(data), c.body) {
			t.Fatalf("Accept %s: %d %s %s", c.accept, res.StatusCode, res.Header.Get("Content-Type"), data)
		}
	}
}

// TestAlignmentShowsTrendConfidenceAndMilestones checks that the alignment answer, which
// the Azure DevOps extension shows, gives a key result's milestones, the progress they make
// expected now (not the straight line), the trend of its last check-ins and the newest
// confidence a check-in gave.
func TestAlignmentShowsTrendConfidenceAndMilestones(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "initiative_tasks", "id": ids.initiative}, "connection_id": conn, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"})
	kr := fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d", ids.keyResult)
	ib.call(t, 200, "owner", "PATCH", kr, map[string]any{"metric": map[string]any{"milestones": []map[string]any{
		{"date": "2026-07-31", "value": 20}, {"date": "2026-08-31", "value": 60}}}, "checkin_owner_ids": []int64{ib.users["member"].ID}})
	for i, c := range []map[string]any{{"value": 10, "confidence": 6}, {"value": 30, "confidence": 8}, {"value": 35}} {
		ib.now = ib.now.Add(time.Duration(i+1) * time.Minute)
		ib.call(t, 201, "owner", "POST", kr+"/check-ins", c)
	}
	path := "/api/v1/azure-devops/alignment?org-url=" + ib.emuURL + "/fabrikam&project=Fabrikam%20Fiber&work-item=5"
	var a web.AlignmentResponse
	ib.call(t, 200, "member", "GET", path, nil).json(t, &a)
	if len(a.Alignments) != 1 || len(a.Alignments[0].Chain) != 3 {
		t.Fatalf("alignments = %+v, want one chain initiative → key result → objective", a.Alignments)
	}
	k := a.Alignments[0].Chain[1]
	if k.Type != cairn.ItemKeyResult || len(k.Milestones) != 2 || k.Milestones[1].Value != 60 || k.Milestones[1].Date.String() != "2026-08-31" {
		t.Fatalf("key result link = %+v, want its two milestones", k)
	}
	// Q3 2026 on 15 August, a little after noon: some 14.5 of the 31 days from the first
	// milestone's corner (1 August, 0.2) to the second's (1 September, 0.6), about 0.387;
	// the straight line would say about 45.5/92, 0.495.
	aug1 := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	want := 0.2 + float64(ib.now.Sub(aug1))/float64(31*24*time.Hour)*0.4
	if k.ExpectedProgress == nil || math.Abs(*k.ExpectedProgress-want) > 1e-9 {
		t.Fatalf("expected progress = %v, want %v through the milestones", k.ExpectedProgress, want)
	}
	if k.Trend == nil || k.Trend.Direction != "up" || k.Trend.Effect != "better" || k.Trend.Points != 3 {
		t.Fatalf("trend = %+v, want up, better, over 3 check-ins", k.Trend)
	}
	if k.Confidence == nil || *k.Confidence != 8 {
		t.Fatalf("confidence = %v, want 8, the newest given", k.Confidence)
	}
	// The member is the key result's check-in owner: the extension offers the check-in.
	if !k.CanEdit || a.Alignments[0].Chain[0].CanEdit || a.Alignments[0].Chain[2].CanEdit {
		t.Fatalf("can_edit = %v, %v, %v; want the check-in owner to check in on the key result alone",
			a.Alignments[0].Chain[0].CanEdit, k.CanEdit, a.Alignments[0].Chain[2].CanEdit)
	}
	if k.Closed {
		t.Fatal("a key result of an open period reads closed")
	}
	if obj := a.Alignments[0].Chain[2]; obj.Trend != nil || obj.ExpectedProgress != nil || obj.Confidence != nil {
		t.Fatalf("objective link = %+v, want no trend, expected progress or confidence", obj)
	}
	raw := string(ib.call(t, 200, "member", "GET", path, nil).Body)
	for _, f := range []string{`"trend":{"direction":"up"`, `"confidence":8`, `"expected_progress":`, `"milestones":[{"date":"2026-07-31"`} {
		if !strings.Contains(raw, f) {
			t.Fatalf("the answer lacks %s: %s", f, raw)
		}
	}

	// Once the period is closed, only admins are offered the check-in.
	ib.call(t, 200, "admin", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/periods/%d/close", ids.period), nil)
	ib.call(t, 200, "member", "GET", path, nil).json(t, &a)
	if a.Alignments[0].Chain[1].CanEdit {
		t.Fatal("the check-in owner is offered the check-in on a key result of a closed period")
	}
	for _, l := range a.Alignments[0].Chain {
		if !l.Closed {
			t.Fatalf("%s %d of the closed period reads closed = false", l.Type, l.ID)
		}
	}
	ib.call(t, 200, "admin", "GET", path, nil).json(t, &a)
	if !a.Alignments[0].Chain[1].CanEdit {
		t.Fatal("the admin is not offered the check-in on a key result of a closed period")
	}
}
