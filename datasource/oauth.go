package datasource

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
	"golang.org/x/oauth2"
)

// The authorization-code flow: Authorize sends the browser to Microsoft Entra, Callback
// exchanges the code and keeps the tokens as a short-lived, sealed grant, and a
// connection created with {"auth": {"type": "oauth", "grant": …}} consumes it. The grant
// also lists the user's Azure DevOps organizations.

const (
	oauthStatePrefix = "azdo.oauth.state."
	oauthGrantPrefix = "azdo.oauth.grant."
	oauthFlowTTL     = 15 * time.Minute
)

type oauthState struct {
	UserID  int64     `json:"user_id"`
	Org     string    `json:"org"`
	Created time.Time `json:"created"`
}

type oauthGrant struct {
	UserID  int64         `json:"user_id"`
	Token   *oauth2.Token `json:"token"`
	Created time.Time     `json:"created"`
}

func (s *Service) callbackURL() string { return s.cfg.PublicURL + "/connections/azure-devops/callback" }

func randomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) putSealed(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return cairn.Internal("oauth flow", err)
	}
	sealed, err := s.cfg.Sealer.Seal(data, []byte(key))
	if err != nil {
		return cairn.Internal("oauth flow", err)
	}
	return s.cfg.Store.SetSetting(ctx, key, sealed)
}

func (s *Service) getSealed(ctx context.Context, key string, v any) error {
	sealed, err := s.cfg.Store.Setting(ctx, key)
	if err != nil {
		return err
	}
	data, err := s.cfg.Sealer.Open(sealed, []byte(key))
	if err != nil {
		return cairn.Internal("oauth flow", err)
	}
	return json.Unmarshal(data, v)
}

// Authorize returns the Microsoft Entra sign-in URL that starts the authorization-code
// flow for a new connection in the organization.
func (s *Service) Authorize(ctx context.Context, org string) (string, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return "", err
	}
	if !a.Writer() {
		return "", cairn.Errorf(cairn.EFORBIDDEN, "viewers may not create Azure DevOps connections")
	}
	if s.cfg.Clients.OAuthClientID == "" || s.cfg.PublicURL == "" {
		return "", cairn.Errorf(cairn.ENOTIMPLEMENTED, "signing in to Azure DevOps with Microsoft needs CAIRN_AZDO_CLIENT_ID, CAIRN_AZDO_CLIENT_SECRET and CAIRN_PUBLIC_URL; use a personal access token or a service principal instead")
	}
	state := randomID()
	if err := s.putSealed(ctx, oauthStatePrefix+state, oauthState{UserID: a.User.ID, Org: a.Org.Slug, Created: s.cfg.Now()}); err != nil {
		return "", err
	}
	return s.cfg.Clients.oauthConfig(s.callbackURL()).AuthCodeURL(state, oauth2.AccessTypeOffline), nil
}

// Callback finishes the flow: it checks the state against the signed-in user, exchanges
// the code and returns the grant id with the organization the flow started in.
func (s *Service) Callback(ctx context.Context, state, code, providerError string) (grant, org string, err error) {
	u := cairn.UserFromContext(ctx)
	if u == nil {
		return "", "", cairn.Errorf(cairn.EUNAUTHORIZED, "sign in to Cairn first")
	}
	var st oauthState
	if state == "" || s.getSealed(ctx, oauthStatePrefix+state, &st) != nil {
		return "", "", cairn.Errorf(cairn.EINVALID, "the sign-in with Microsoft expired or was not started here: start again")
	}
	_ = s.cfg.Store.DeleteSetting(ctx, oauthStatePrefix+state)
	if st.UserID != u.ID || s.cfg.Now().Sub(st.Created) > oauthFlowTTL {
		return "", "", cairn.Errorf(cairn.EINVALID, "the sign-in with Microsoft expired or belongs to someone else: start again")
	}
	if providerError != "" {
		return "", "", cairn.Errorf(cairn.EFORBIDDEN, "Microsoft Entra refused the sign-in: %s", providerError)
	}
	hc, err := s.cfg.Clients.httpClient()
	if err != nil {
		return "", "", cairn.Internal("microsoft sign-in", err)
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, hc)
	tok, err := s.cfg.Clients.oauthConfig(s.callbackURL()).Exchange(hctx, code)
	if err != nil {
		return "", "", cairn.Errorf(cairn.EINVALID, "Microsoft Entra did not issue a token for the code: start again")
	}
	id := randomID()
	if err := s.putSealed(ctx, oauthGrantPrefix+id, oauthGrant{UserID: u.ID, Token: tok, Created: s.cfg.Now()}); err != nil {
		return "", "", err
	}
	return id, st.Org, nil
}

// grant returns the tokens of the user's finished sign-in.
func (s *Service) grant(ctx context.Context, userID int64, id string) (*oauth2.Token, error) {
	var g oauthGrant
	if err := s.getSealed(ctx, oauthGrantPrefix+id, &g); err != nil || g.UserID != userID || g.Token == nil ||
		s.cfg.Now().Sub(g.Created) > oauthFlowTTL {
		return nil, cairn.FieldError("auth.grant", "the sign-in with Microsoft expired or belongs to someone else: sign in again")
	}
	return g.Token, nil
}

// grantCreated returns when a grant was made, so that refreshing it does not extend it.
func (s *Service) grantCreated(ctx context.Context, id string) time.Time {
	var g oauthGrant
	if err := s.getSealed(ctx, oauthGrantPrefix+id, &g); err != nil {
		return time.Time{}
	}
	return g.Created
}

// Organizations lists the Azure DevOps organizations of the signed-in Microsoft account;
// only the OAuth flow can, a personal access token cannot.
func (s *Service) Organizations(ctx context.Context, org, grantID string) ([]azdo.Account, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	tok, err := s.grant(ctx, a.User.ID, grantID)
	if err != nil {
		return nil, err
	}
	// Keep the newest token in the grant: Entra may rotate the refresh token on each use.
	var latest *oauth2.Token
	cred := Credential{Type: cairn.AuthOAuth, OAuth: tok, onRefresh: func(t *oauth2.Token) { latest = t }}
	defer func() {
		if latest != nil {
			_ = s.putSealed(ctx, oauthGrantPrefix+grantID, oauthGrant{UserID: a.User.ID, Token: latest, Created: s.grantCreated(ctx, grantID)})
		}
	}()
	cl, err := s.cfg.Clients.newClient(ctx, "https://dev.azure.com/_", cred, nil, "")
	if err != nil {
		return nil, cairn.Internal("build the Azure DevOps client", err)
	}
	p, err := cl.Profile(ctx)
	if err != nil {
		return nil, apiError(err, "your Microsoft profile")
	}
	accts, err := cl.Accounts(ctx, p.ID)
	if err != nil {
		return nil, apiError(err, "your Azure DevOps organizations")
	}
	return accts, nil
}
