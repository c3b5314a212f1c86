package datasource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Credential is a connection's secret, as sealed into Connection.Credential. It never
// leaves the server: no JSON rendering of a connection includes it.
type Credential struct {
	Type cairn.AuthType `json:"type"`
	// Token is the personal access token.
	Token string `json:"token,omitempty"`
	// TenantID, ClientID and ClientSecret identify a service principal.
	TenantID     string `json:"tenant_id,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	// OAuth holds the delegated tokens of the authorization-code flow.
	OAuth *oauth2.Token `json:"oauth,omitempty"`
	// onRefresh, when set, sees each new OAuth token, so that a rotated refresh token is
	// sealed again.
	onRefresh func(*oauth2.Token)
}

// notifySource reports tokens that differ from the last one it saw. A sync's calls
// share it concurrently.
type notifySource struct {
	mu   sync.Mutex
	src  oauth2.TokenSource
	last string
	fn   func(*oauth2.Token)
}

func (n *notifySource) Token() (*oauth2.Token, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	t, err := n.src.Token()
	if err == nil && t.AccessToken != n.last {
		n.last = t.AccessToken
		n.fn(t)
	}
	return t, err
}

// AuthInput is the "auth" object of a connection as a client sends it.
type AuthInput struct {
	Type         cairn.AuthType `json:"type"`
	Token        string         `json:"token,omitempty"`
	TenantID     string         `json:"tenant_id,omitempty"`
	ClientID     string         `json:"client_id,omitempty"`
	ClientSecret string         `json:"client_secret,omitempty"`
	// Grant names a finished authorization-code sign-in
	// (GET /connections/azure-devops/authorize → callback).
	Grant string `json:"grant,omitempty"`
}

// validate checks an AuthInput's fields for its type.
func (in AuthInput) validate() error {
	switch in.Type {
	case cairn.AuthPAT:
		if strings.TrimSpace(in.Token) == "" {
			return cairn.FieldError("auth.token", "a personal access token is required")
		}
		if len(in.Token) > 1024 {
			return cairn.FieldError("auth.token", "the token is longer than 1024 characters")
		}
	case cairn.AuthClientCredentials:
		if strings.TrimSpace(in.TenantID) == "" {
			return cairn.FieldError("auth.tenant_id", "tenant_id is required for client credentials")
		}
		if strings.TrimSpace(in.ClientID) == "" {
			return cairn.FieldError("auth.client_id", "client_id is required for client credentials")
		}
		if in.ClientSecret == "" {
			return cairn.FieldError("auth.client_secret", "client_secret is required for client credentials")
		}
	case cairn.AuthOAuth:
		if strings.TrimSpace(in.Grant) == "" {
			return cairn.FieldError("auth.grant", "sign in with Microsoft first (GET /connections/azure-devops/authorize); the callback returns a grant")
		}
	case "":
		return cairn.FieldError("auth.type", "auth.type is required (pat, client_credentials or oauth)")
	default:
		return cairn.FieldError("auth.type", "auth.type must be pat, client_credentials or oauth, not %q", in.Type)
	}
	return nil
}

// credentialAAD binds a sealed credential to its connection's organization, Azure DevOps
// organization and project, so that a sealed value copied to another row does not open.
func credentialAAD(orgID int64, orgURL, project string) []byte {
	return []byte("azdo-credential:" + strconv.FormatInt(orgID, 10) + ":" + strings.ToLower(orgURL) + ":" + strings.ToLower(project))
}

func sealCredential(s *auth.Sealer, c *cairn.Connection, cred Credential) (string, error) {
	data, err := json.Marshal(cred)
	if err != nil {
		return "", cairn.Internal("seal credential", err)
	}
	sealed, err := s.Seal(data, credentialAAD(c.OrgID, c.OrganizationURL, c.Project))
	if err != nil {
		return "", cairn.Internal("seal credential", err)
	}
	return sealed, nil
}

func openCredential(s *auth.Sealer, c *cairn.Connection) (Credential, error) {
	var cred Credential
	data, err := s.Open(c.Credential, credentialAAD(c.OrgID, c.OrganizationURL, c.Project))
	if err != nil {
		return cred, cairn.Internal(fmt.Sprintf("open the credential of connection %d", c.ID), err)
	}
	if err := json.Unmarshal(data, &cred); err != nil {
		return cred, cairn.Internal(fmt.Sprintf("read the credential of connection %d", c.ID), err)
	}
	return cred, nil
}

// ClientConfig configures the Azure DevOps clients Cairn builds for connections.
type ClientConfig struct {
	// Egress decides where credentials may go, and guards every call; it is required.
	// Its Client carries every call.
	Egress *azdo.Egress
	// HTTPClient, when set, carries every call through its own transport instead of the
	// egress client's, still with the egress check of every URL (see azdo.Egress.Wrap).
	// Benchmarks use it.
	HTTPClient *http.Client
	// VSSPSURL is the profile and accounts service; the emulator serves it at
	// {base}/_vssps.
	VSSPSURL string
	// EntraAuthority is the Microsoft Entra authority for service principals and the
	// authorization-code flow; https://login.microsoftonline.com when empty.
	EntraAuthority string
	// OAuthClientID, OAuthClientSecret and OAuthTenant are Cairn's own Entra app for the
	// authorization-code flow; the flow is unavailable without a client id.
	OAuthClientID, OAuthClientSecret, OAuthTenant string
	// MaxRetries, Sleep and Concurrency are passed to azdo.Config.
	MaxRetries  int
	Sleep       func(ctx context.Context, d time.Duration) error
	Concurrency int
	// Now is passed to azdo.Config; benchmarks run the client on a virtual clock.
	Now func() time.Time
}

func (cc ClientConfig) authority() string {
	if cc.EntraAuthority != "" {
		return strings.TrimRight(cc.EntraAuthority, "/")
	}
	return "https://login.microsoftonline.com"
}

func (cc ClientConfig) oauthConfig(redirectURL string) *oauth2.Config {
	tenant := cc.OAuthTenant
	if tenant == "" {
		tenant = "organizations"
	}
	base := cc.authority() + "/" + tenant + "/oauth2/v2.0"
	return &oauth2.Config{
		ClientID:     cc.OAuthClientID,
		ClientSecret: cc.OAuthClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL:  redirectURL,
		Scopes:       []string{azdo.AzureDevOpsScope, "offline_access"},
	}
}

// httpClient returns the client that carries every call, guarded by the egress policy.
func (cc ClientConfig) httpClient() (*http.Client, error) {
	if cc.Egress == nil {
		return nil, errors.New("datasource: no egress policy: ClientConfig.Egress is required")
	}
	if cc.HTTPClient != nil {
		return cc.Egress.Wrap(cc.HTTPClient), nil
	}
	return cc.Egress.Client(), nil
}

// newClient builds an Azure DevOps client for a connection's organization with a
// credential. onCall, when set, sees every HTTP attempt. apiVersion is the version
// negotiated with the organization before, or "".
func (cc ClientConfig) newClient(ctx context.Context, orgURL string, cred Credential, onCall func(route string, status int), apiVersion string) (*azdo.Client, error) {
	hc, err := cc.httpClient()
	if err != nil {
		return nil, err
	}
	if err := cc.Egress.CheckURL(ctx, orgURL); err != nil {
		return nil, err
	}
	var a azdo.Auth
	switch cred.Type {
	case cairn.AuthPAT:
		a = azdo.PAT(cred.Token)
	case cairn.AuthClientCredentials:
		cfg := clientcredentials.Config{
			ClientID: cred.ClientID, ClientSecret: cred.ClientSecret,
			TokenURL:  cc.authority() + "/" + cred.TenantID + "/oauth2/v2.0/token",
			Scopes:    []string{azdo.AzureDevOpsScope},
			AuthStyle: oauth2.AuthStyleInParams,
		}
		hctx := context.WithValue(ctx, oauth2.HTTPClient, hc)
		// The token source outlives this call's context: it refreshes during the sync.
		a = azdo.Bearer(cfg.TokenSource(context.WithoutCancel(hctx)))
	case cairn.AuthOAuth:
		if cred.OAuth == nil {
			return nil, errors.New("datasource: the OAuth credential has no token")
		}
		hctx := context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, hc)
		var ts oauth2.TokenSource = cc.oauthConfig("").TokenSource(hctx, cred.OAuth)
		if cred.onRefresh != nil {
			ts = &notifySource{src: ts, last: cred.OAuth.AccessToken, fn: cred.onRefresh}
		}
		a = azdo.Bearer(ts)
	default:
		return nil, fmt.Errorf("datasource: unknown credential type %q", cred.Type)
	}
	return azdo.New(azdo.Config{
		OrgURL: orgURL, VSSPSURL: cc.VSSPSURL, Auth: a, HTTPClient: hc, UserAgent: "cairn",
		MaxRetries: cc.MaxRetries, Sleep: cc.Sleep, Now: cc.Now, Concurrency: cc.Concurrency, OnCall: onCall,
		ServerAPIVersion: apiVersion,
	})
}

// trackRefresh makes cred report refreshed OAuth tokens and returns a function that gives
// the credential with the newest token, for sealing a connection not yet stored.
func trackRefresh(cred *Credential) func() Credential {
	if cred.Type != cairn.AuthOAuth {
		c := *cred
		return func() Credential { return c }
	}
	var mu sync.Mutex
	newest := cred.OAuth
	cred.onRefresh = func(t *oauth2.Token) {
		mu.Lock()
		newest = t
		mu.Unlock()
	}
	base := *cred
	return func() Credential {
		mu.Lock()
		defer mu.Unlock()
		c := base
		c.OAuth, c.onRefresh = newest, nil
		return c
	}
}
