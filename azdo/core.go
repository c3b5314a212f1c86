package azdo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// list is Azure DevOps' list envelope.
type list[T any] struct {
	Count int `json:"count"`
	Value []T `json:"value"`
}

// Profile is the signed-in user's profile.
type Profile struct {
	// ID is the profile (member) ID that Accounts takes.
	ID string `json:"id"`
	// DisplayName is the user's name.
	DisplayName string `json:"displayName"`
	// EmailAddress is the user's email address.
	EmailAddress string `json:"emailAddress"`
	// PublicAlias is the user's public alias, usually equal to ID.
	PublicAlias string `json:"publicAlias,omitempty"`
	// TimeStamp is when the profile last changed.
	TimeStamp time.Time `json:"timeStamp,omitzero"`
}

// UnmarshalJSON decodes a profile, tolerating zone-less timestamps.
func (p *Profile) UnmarshalJSON(b []byte) error {
	type alias Profile
	var w struct {
		alias
		TimeStamp string `json:"timeStamp,omitzero"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Profile(w.alias)
	return parseInto(&p.TimeStamp, w.TimeStamp)
}

// Account is an organization the user belongs to.
type Account struct {
	// AccountID is the organization's GUID.
	AccountID string `json:"accountId"`
	// AccountName is the organization name, as in dev.azure.com/{name}.
	AccountName string `json:"accountName"`
	// AccountURI is the organization's service URI.
	AccountURI string `json:"accountUri"`
}

// Project is a team project.
type Project struct {
	// ID is the project's GUID.
	ID string `json:"id"`
	// Name is the project's name.
	Name string `json:"name"`
	// Description is the project's description; often absent.
	Description string `json:"description,omitempty"`
	// URL is the project's REST URL.
	URL string `json:"url,omitempty"`
	// State is wellFormed, createPending, deleting, new or unchanged.
	State string `json:"state,omitempty"`
	// Revision is the project's revision.
	Revision int64 `json:"revision,omitempty"`
	// Visibility is private, public or organization.
	Visibility string `json:"visibility,omitempty"`
	// LastUpdateTime is when the project last changed.
	LastUpdateTime time.Time `json:"lastUpdateTime,omitzero"`
}

// UnmarshalJSON decodes a project, tolerating zone-less timestamps.
func (p *Project) UnmarshalJSON(b []byte) error {
	type alias Project
	var w struct {
		alias
		LastUpdateTime string `json:"lastUpdateTime,omitzero"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Project(w.alias)
	return parseInto(&p.LastUpdateTime, w.LastUpdateTime)
}

// ConnectionData describes the caller as the organization sees it; it is the
// cheapest call that proves a connection works.
type ConnectionData struct {
	// AuthenticatedUser is the identity the credentials belong to.
	AuthenticatedUser ConnectionUser `json:"authenticatedUser"`
	// AuthorizedUser is the identity the call acts as.
	AuthorizedUser ConnectionUser `json:"authorizedUser"`
	// InstanceID is the organization's (collection's) GUID.
	InstanceID string `json:"instanceId"`
	// DeploymentID is the deployment's GUID.
	DeploymentID string `json:"deploymentId,omitempty"`
	// DeploymentType is hosted or onPremises.
	DeploymentType string `json:"deploymentType,omitempty"`
}

// ConnectionUser is an identity in ConnectionData.
type ConnectionUser struct {
	// ID is the identity's GUID.
	ID string `json:"id"`
	// Descriptor is the identity descriptor.
	Descriptor string `json:"descriptor,omitempty"`
	// SubjectDescriptor is the graph subject descriptor.
	SubjectDescriptor string `json:"subjectDescriptor,omitempty"`
	// ProviderDisplayName is the identity's display name.
	ProviderDisplayName string `json:"providerDisplayName,omitempty"`
	// IsActive reports whether the identity is active.
	IsActive bool `json:"isActive"`
}

// Profile returns the signed-in user's profile from the VSSPS service. It
// works with Entra tokens; PATs scoped to one organization may be refused.
func (c *Client) Profile(ctx context.Context) (Profile, error) {
	var p Profile
	_, err := c.do(ctx, &request{
		method: "GET", route: "profile/profiles/me", base: c.vssps,
		segments: []string{"_apis", "profile", "profiles", "me"}, idempotent: true,
	}, &p)
	if err != nil {
		return Profile{}, fmt.Errorf("azdo: profile: %w", err)
	}
	return p, nil
}

// Accounts returns the organizations a member (a Profile ID) belongs to.
func (c *Client) Accounts(ctx context.Context, memberID string) ([]Account, error) {
	if strings.TrimSpace(memberID) == "" {
		return nil, errors.New("azdo: accounts: member ID is required")
	}
	var l list[Account]
	_, err := c.do(ctx, &request{
		method: "GET", route: "accounts", base: c.vssps,
		segments: []string{"_apis", "accounts"}, query: url.Values{"memberId": {memberID}}, idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: accounts: %w", err)
	}
	return l.Value, nil
}

// Projects returns one page of the organization's projects and the token of
// the next page, "" after the last. top ≤ 0 leaves the page size to the
// server.
func (c *Client) Projects(ctx context.Context, top int, continuationToken string) ([]Project, string, error) {
	q := url.Values{}
	if top > 0 {
		q.Set("$top", strconv.Itoa(top))
	}
	if continuationToken != "" {
		q.Set("continuationToken", continuationToken)
	}
	var l list[Project]
	resp, err := c.do(ctx, &request{
		method: "GET", route: "projects", base: c.org,
		segments: []string{"_apis", "projects"}, query: q, idempotent: true,
	}, &l)
	if err != nil {
		return nil, "", fmt.Errorf("azdo: projects: %w", err)
	}
	return l.Value, resp.header.Get("X-MS-ContinuationToken"), nil
}

// AllProjects returns every project of the organization, following
// continuation tokens.
func (c *Client) AllProjects(ctx context.Context) ([]Project, error) {
	var all []Project
	token := ""
	seen := map[string]bool{}
	for {
		page, next, err := c.Projects(ctx, 0, token)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		if seen[next] {
			return nil, fmt.Errorf("azdo: projects: continuation token %q repeated", next)
		}
		seen[next] = true
		token = next
	}
}

// Project returns one project by name or ID.
func (c *Client) Project(ctx context.Context, nameOrID string) (Project, error) {
	if strings.TrimSpace(nameOrID) == "" {
		return Project{}, errors.New("azdo: project: name or ID is required")
	}
	var p Project
	_, err := c.do(ctx, &request{
		method: "GET", route: "projects/{id}", base: c.org,
		segments: []string{"_apis", "projects", nameOrID}, idempotent: true,
	}, &p)
	if err != nil {
		return Project{}, fmt.Errorf("azdo: project %q: %w", nameOrID, err)
	}
	return p, nil
}

// ConnectionData returns who the credentials authenticate as. It is the
// cheapest check that an organization URL and credentials work.
func (c *Client) ConnectionData(ctx context.Context) (ConnectionData, error) {
	var cd ConnectionData
	_, err := c.do(ctx, &request{
		method: "GET", route: "connectionData", base: c.org,
		segments: []string{"_apis", "connectionData"}, apiVersion: "7.1-preview", idempotent: true,
	}, &cd)
	if err != nil {
		return ConnectionData{}, fmt.Errorf("azdo: connection data: %w", err)
	}
	return cd, nil
}
