package datasource_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

// entraStandIn issues short-lived tokens for one code and rotates refresh tokens: each
// refresh token works once.
type entraStandIn struct {
	mu      sync.Mutex
	n       int
	valid   map[string]bool // refresh tokens
	refresh int
	onToken func(access string)
}

func (e *entraStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	e.mu.Lock()
	defer e.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		if r.PostForm.Get("code") != "code-1" || r.PostForm.Get("client_id") != "cairn-app" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
	case "refresh_token":
		if !e.valid[r.PostForm.Get("refresh_token")] {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		delete(e.valid, r.PostForm.Get("refresh_token"))
		e.refresh++
	default:
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	e.n++
	access, rt := "at-"+string(rune('a'+e.n)), "rt-"+string(rune('a'+e.n))
	e.valid[rt] = true
	e.onToken(access)
	w.Header().Set("Content-Type", "application/json")
	// Five seconds is inside oauth2's expiry margin: every use refreshes.
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "refresh_token": rt, "token_type": "Bearer", "expires_in": 5})
}

func TestOAuthConnectionKeepsRotatedRefreshTokens(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	entra := &entraStandIn{valid: map[string]bool{}, onToken: b.emu.AddBearerToken}
	srv := httptest.NewServer(entra)
	t.Cleanup(srv.Close)
	clients := datasource.ClientConfig{Egress: egressFor(b.emuURL, srv.URL), VSSPSURL: b.emuURL + "/_vssps", EntraAuthority: srv.URL, OAuthClientID: "cairn-app", OAuthClientSecret: "s"}
	syncer := datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: b.sealer, Clients: clients})
	ds := datasource.New(datasource.Config{Cairn: b.svc, Store: b.db, Sealer: b.sealer, Clients: clients, Syncer: syncer, PublicURL: "http://cairn.example"})

	u, err := ds.Authorize(b.actx, b.org.Slug)
	must(t, err)
	au, err := url.Parse(u)
	must(t, err)
	if au.Query().Get("redirect_uri") != "http://cairn.example/connections/azure-devops/callback" {
		t.Fatalf("authorize URL %s", u)
	}
	if _, _, err := ds.Callback(b.actx, "forged-state", "code-1", ""); err == nil {
		t.Fatal("a forged state was accepted")
	}
	grant, org, err := ds.Callback(b.actx, au.Query().Get("state"), "code-1", "")
	must(t, err)
	if org != b.org.Slug {
		t.Fatalf("callback org %q", org)
	}
	accounts, err := ds.Organizations(b.actx, b.org.Slug, grant)
	must(t, err)
	if len(accounts) == 0 {
		t.Fatal("no Azure DevOps organizations for the signed-in account")
	}
	conn, err := ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{Name: "oauth", OrganizationURL: b.emuURL + "/" + emuOrg,
		Project: emuProject, Auth: datasource.AuthInput{Type: cairn.AuthOAuth, Grant: grant}})
	must(t, err)
	k := b.keyResult(t, cairn.MetricNumber, 0, 50)
	_, err = ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
	must(t, err)
	// Each sync refreshes; refresh tokens work once, so a sync succeeds only if the last
	// sync sealed the rotated one.
	for i := range 3 {
		_, err := syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
		must(t, err)
		d, err := ds.DataSourceForItem(b.actx, b.org.Slug, krRef(k))
		must(t, err)
		if d.Error != nil {
			t.Fatalf("sync %d: %+v (refreshes so far %d)", i, d.Error, entra.refresh)
		}
	}
	if entra.refresh < 3 {
		t.Fatalf("%d refreshes, want one per sync at least", entra.refresh)
	}
}
