package datasource_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

// TestServicePrincipalConnection connects with client credentials: Cairn gets a token
// from the Entra authority (a stand-in here) and calls the emulator with it as a Bearer.
func TestServicePrincipalConnection(t *testing.T) {
	t.Parallel()
	var tokens atomic.Int64
	authority := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.URL.Path != "/tenant-1/oauth2/v2.0/token" || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_secret") != "sp-secret" || !strings.Contains(r.PostForm.Get("scope"), "499b84ac-1321-427f-aa17-267ca6975798") {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"sp-access-token","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(authority.Close)
	b := setup(t, bundleOptions{})
	b.emu.AddBearerToken("sp-access-token")
	clients := datasource.ClientConfig{Egress: egressFor(b.emuURL, authority.URL), EntraAuthority: authority.URL}
	ds := datasource.New(datasource.Config{Cairn: b.svc, Store: b.db, Sealer: b.sealer, Syncer: datasource.NewSyncer(datasource.SyncerConfig{
		Store: b.db, Sealer: b.sealer, Clients: clients}),
		Clients: clients})
	in := datasource.ConnectionInput{Name: "sp", OrganizationURL: b.emuURL + "/" + emuOrg, Project: emuProject,
		Auth: datasource.AuthInput{Type: cairn.AuthClientCredentials, TenantID: "tenant-1", ClientID: "app-1", ClientSecret: "wrong"}}
	if _, err := ds.CreateConnection(b.actx, b.org.Slug, in); err == nil {
		t.Fatal("a wrong client secret created a connection")
	}
	in.Auth.ClientSecret = "sp-secret"
	conn, err := ds.CreateConnection(b.actx, b.org.Slug, in)
	must(t, err)
	k := b.keyResult(t, cairn.MetricNumber, 0, 50)
	d, err := ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
		ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
	must(t, err)
	if d.Error != nil || d.Value == nil || tokens.Load() == 0 {
		t.Fatalf("service principal sync: value %v error %+v, %d tokens issued", d.Value, d.Error, tokens.Load())
	}
}
