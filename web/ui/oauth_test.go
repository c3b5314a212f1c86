package ui_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn/datasource"
)

// entraCode is the authorization code the Entra stand-in accepts.
const entraCode = "code-from-microsoft"

// entraStandIn is Microsoft Entra's token endpoint for Cairn's app: it trades the one
// code for an access token that the Azure DevOps emulator accepts, and refreshes it.
type entraStandIn struct {
	mu      sync.Mutex
	n       int
	accept  func(token string)
	granted int
}

func (e *entraStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		http.NotFound(w, r)
		return
	}
	_ = r.ParseForm()
	ok := r.PostForm.Get("client_id") == "cairn-app"
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		ok = ok && r.PostForm.Get("code") == entraCode && r.PostForm.Get("redirect_uri") == publicURL+"/connections/azure-devops/callback"
	case "refresh_token":
		ok = ok && strings.HasPrefix(r.PostForm.Get("refresh_token"), "rt-")
	default:
		ok = false
	}
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	e.mu.Lock()
	e.n++
	e.granted++
	access := fmt.Sprintf("at-%d", e.n)
	e.mu.Unlock()
	e.accept(access)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "refresh_token": fmt.Sprintf("rt-%d", e.n), "token_type": "Bearer", "expires_in": 3600})
}

// setupMicrosoft is setupAzdo with Cairn's Entra app configured against the stand-in.
func setupMicrosoft(t *testing.T) (*testBundle, *entraStandIn) {
	t.Helper()
	entra := &entraStandIn{}
	srv := httptest.NewServer(entra)
	t.Cleanup(srv.Close)
	var b *testBundle
	entra.accept = func(token string) { b.emu.AddBearerToken(token) }
	b = newBundleWith(t, true, nil, datasource.ClientConfig{EntraAuthority: srv.URL, OAuthClientID: "cairn-app", OAuthClientSecret: "secret"}, publicURL, nil)
	return b, entra
}

func TestMicrosoftSignInOffersOnlyWhenConfigured(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	admin := b.signIn(t, "admin")
	base := fmt.Sprintf("/o/fabrikam/initiatives/%d/data-source", b.initiative)
	res := admin.get(t, base+"?step=new-connection")
	if stepOf(t, res) != "new-connection" || strings.Contains(res.body, `data-testid="ms-signin"`) {
		t.Fatal("without Cairn's Entra app the wizard offers the Microsoft sign-in")
	}
	if !strings.Contains(res.body, `id="pat"`) {
		t.Fatal("the personal access token path is missing")
	}
}

func TestMicrosoftSignInPicksOrganizationAndProject(t *testing.T) {
	t.Parallel()
	b, entra := setupMicrosoft(t)
	admin := b.signIn(t, "admin")
	base := fmt.Sprintf("/o/fabrikam/initiatives/%d/data-source", b.initiative)

	res := admin.get(t, base+"?step=new-connection")
	if !strings.Contains(res.body, `href="`+base+`/microsoft" data-testid="ms-signin"`) || !strings.Contains(res.body, `id="pat"`) {
		t.Fatalf("the new-connection step should offer both the Microsoft sign-in and a token: %.2000s", res.body)
	}
	res = admin.get(t, base+"/microsoft")
	to, err := url.Parse(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || err != nil || !strings.HasSuffix(to.Path, "/oauth2/v2.0/authorize") {
		t.Fatalf("the sign-in should go to Entra: %d %q", res.status, res.header.Get("Location"))
	}
	if to.Query().Get("redirect_uri") != publicURL+"/connections/azure-devops/callback" || to.Query().Get("client_id") != "cairn-app" {
		t.Fatalf("authorize URL %s", to)
	}
	if sc := res.header.Get("Set-Cookie"); !strings.Contains(sc, "cairn_azdo_wizard=initiatives.") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") {
		t.Fatalf("the wizard is not remembered for the return: %q", sc)
	}

	// Microsoft sends the browser back to the integration's callback with a code.
	res = admin.get(t, "/connections/azure-devops/callback?"+url.Values{"state": {to.Query().Get("state")}, "code": {entraCode}}.Encode())
	back := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(back, "/o/fabrikam/connections/new?grant=") {
		t.Fatalf("callback: %d to %q: %.500s", res.status, back, res.body)
	}
	res = admin.get(t, back)
	wiz := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(wiz, base+"?") || !strings.Contains(wiz, "grant=") {
		t.Fatalf("the return page should reopen the wizard: %d to %q", res.status, wiz)
	}
	grant, _ := url.Parse(wiz)
	g := grant.Query().Get("grant")

	res = admin.get(t, wiz)
	orgURL := b.emuURL + "/fabrikam"
	if stepOf(t, res) != "new-connection" || !strings.Contains(res.body, `data-testid="ms-orgs"`) || !strings.Contains(res.body, `value="`+orgURL+`"`) {
		t.Fatalf("the wizard should list the account's organizations: %.3000s", res.body)
	}
	if strings.Contains(res.body, `id="pat"`) {
		t.Fatal("the signed-in step still asks for a token")
	}
	entra.mu.Lock()
	granted := entra.granted
	entra.mu.Unlock()
	if granted == 0 {
		t.Fatal("Entra issued no token")
	}

	res = admin.post(t, base, url.Values{"grant": {g}, "step": {"load-projects"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "choose one of your organizations") {
		t.Fatalf("listing projects without an organization: %d", res.status)
	}
	state := url.Values{"grant": {g}, "organization_url": {orgURL}, "step": {"load-projects"}}
	res = admin.post(t, base, state)
	if !strings.Contains(res.body, `<option value="Fabrikam Fiber"`) {
		t.Fatalf("the chosen organization's projects are missing: %.3000s", res.body)
	}
	state.Set("project", "Fabrikam Fiber")
	state.Set("new_name", "fabrikam / Fabrikam Fiber (Microsoft)")
	state.Set("step", "create-connection")
	res = admin.post(t, base, state)
	if stepOf(t, res) != "method" {
		t.Fatalf("creating the connection: %.2000s", res.body)
	}
	id := regexp.MustCompile(`name="connection_id" value="(\d+)"`).FindStringSubmatch(res.body)
	if id == nil || strings.Contains(res.body, g) {
		t.Fatal("the method step should carry the connection and drop the grant")
	}
	var conn struct {
		AuthType        string `json:"auth_type"`
		OrganizationURL string `json:"organization_url"`
	}
	apiRes := admin.get(t, "/api/v1/orgs/fabrikam/connections/"+id[1])
	if err := json.Unmarshal([]byte(apiRes.body), &conn); err != nil {
		t.Fatalf("connection %s: %v: %s", id[1], err, apiRes.body)
	}
	if conn.AuthType != "oauth" || conn.OrganizationURL != orgURL {
		t.Fatalf("connection %+v, want oauth to %s", conn, orgURL)
	}

	// A sign-in that is used up or forged sends the user back to sign in again.
	res = admin.post(t, base, url.Values{"grant": {"forged"}, "step": {"new-connection"}})
	if stepOf(t, res) != "new-connection" || !strings.Contains(res.body, "sign in again") || !strings.Contains(res.body, `data-testid="ms-signin"`) {
		t.Fatalf("a forged grant: %.2000s", res.body)
	}
	if res := admin.get(t, "/o/fabrikam/connections/new?grant=x"); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("returning without the wizard cookie: %d, want 422 with guidance", res.status)
	}
}
