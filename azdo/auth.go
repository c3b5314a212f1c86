package azdo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// AzureDevOpsScope is the Entra scope that grants access to Azure DevOps on
// behalf of the signed-in user or the application.
const AzureDevOpsScope = "499b84ac-1321-427f-aa17-267ca6975798/.default"

// Auth adds credentials to an outgoing request.
type Auth interface {
	// Apply sets the request's Authorization header. An error from Apply
	// fails the call with ErrUnauthorized.
	Apply(ctx context.Context, req *http.Request) error
}

// PAT returns an Auth that sends a personal access token as the password of
// HTTP Basic auth with an empty user name.
func PAT(token string) Auth {
	return patAuth{header: "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+token))}
}

type patAuth struct{ header string }

// Apply sets the Basic Authorization header.
func (a patAuth) Apply(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", a.header)
	return nil
}

// Bearer returns an Auth that sends Entra access tokens from ts, refreshing
// them as the token source decides.
func Bearer(ts oauth2.TokenSource) Auth {
	return bearerAuth{ts: ts}
}

type bearerAuth struct{ ts oauth2.TokenSource }

// Apply sets a Bearer Authorization header from a fresh or cached token.
func (a bearerAuth) Apply(_ context.Context, req *http.Request) error {
	if a.ts == nil {
		return errors.New("no token source")
	}
	tok, err := a.ts.Token()
	if err != nil {
		return fmt.Errorf("get access token: %w", err)
	}
	if tok.AccessToken == "" {
		return errors.New("token source returned an empty access token")
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

// EntraEndpoint returns the Microsoft identity platform v2.0 endpoints of a
// tenant ("organizations", "common" or a tenant ID or domain).
func EntraEndpoint(tenant string) oauth2.Endpoint {
	base := "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0"
	return oauth2.Endpoint{
		AuthURL:   base + "/authorize",
		TokenURL:  base + "/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// EntraAuthCodeConfig returns the OAuth 2.0 authorization-code configuration
// for Azure DevOps on behalf of a user. The scopes include offline_access so
// that Exchange returns a refresh token; wrap the result of
// cfg.TokenSource(ctx, token) with Bearer to refresh it automatically.
func EntraAuthCodeConfig(tenant, clientID, clientSecret, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		RedirectURL:  redirectURL,
		Endpoint:     EntraEndpoint(tenant),
		Scopes:       []string{AzureDevOpsScope, "offline_access"},
	}
}

// EntraClientCredentials returns a token source for an Entra application
// (service principal) that signs in with its own client secret. ctx carries
// the HTTP client used to fetch tokens (see oauth2.HTTPClient) and must
// outlive the token source.
func EntraClientCredentials(ctx context.Context, tenant, clientID, clientSecret string) (oauth2.TokenSource, error) {
	switch {
	case strings.TrimSpace(tenant) == "":
		return nil, errors.New("azdo: entra client credentials: tenant is required")
	case strings.TrimSpace(clientID) == "":
		return nil, errors.New("azdo: entra client credentials: client ID is required")
	case clientSecret == "":
		return nil, errors.New("azdo: entra client credentials: client secret is required")
	}
	cfg := clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     EntraEndpoint(tenant).TokenURL,
		Scopes:       []string{AzureDevOpsScope},
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	return cfg.TokenSource(ctx), nil
}
