package cairn

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Visibility says who may use a connection.
type Visibility string

// The visibilities of PRODUCT.md §2.
const (
	VisibilityPrivate Visibility = "private" // its owner only
	VisibilityShared  Visibility = "shared"  // the whole organization
)

// AuthType is how a connection authenticates to Azure DevOps.
type AuthType string

// The credential kinds of PRODUCT.md §2.
const (
	AuthPAT               AuthType = "pat"
	AuthClientCredentials AuthType = "client_credentials"
	AuthOAuth             AuthType = "oauth"
)

// HookStatus says whether Azure DevOps notifies Cairn of changes to a connection's project.
type HookStatus string

// The service-hook states of a connection.
const (
	HooksActive HookStatus = "active" // subscriptions exist and point at Cairn
	HooksManual HookStatus = "manual" // the credential may not create them: an admin must
	HooksNone   HookStatus = "none"   // no public URL, or not attempted
)

// Deployment says which Azure DevOps product a connection talks to.
type Deployment string

// The Azure DevOps products.
const (
	DeploymentServices Deployment = "services" // Azure DevOps Services, dev.azure.com
	DeploymentServer   Deployment = "server"   // Azure DevOps Server, on premises
)

// Connection is an authorised link to one Azure DevOps organization and project. Its
// credential is kept sealed and never leaves the server.
type Connection struct {
	ID              int64      `json:"id"`
	OrgID           int64      `json:"org_id"`
	OwnerID         int64      `json:"owner_id"`
	Name            string     `json:"name"`
	OrganizationURL string     `json:"organization_url"`
	Project         string     `json:"project"`
	ProjectID       string     `json:"project_id"`
	Visibility      Visibility `json:"visibility"`
	AuthType        AuthType   `json:"auth_type"`
	// APIVersion is the REST API version Cairn negotiated with the organization or
	// collection, such as "7.1", or "6.0" with Azure DevOps Server 2020; "" until checked.
	APIVersion string `json:"api_version"`
	// Deployment is services or server; "" until checked.
	Deployment Deployment `json:"deployment"`
	// Credential is the sealed credential (auth.Sealer); never rendered.
	Credential string `json:"-"`
	// HookSecretHash is the SHA-256 of the service-hook basic-auth password.
	HookSecretHash string     `json:"-"`
	HookUsername   string     `json:"-"`
	HookStatus     HookStatus `json:"hook_status"`
	// HookSubscriptions are the ids of the service-hook subscriptions Cairn created.
	HookSubscriptions []string `json:"-"`
	// HookMessage explains a manual or failed service-hook setup.
	HookMessage string `json:"hook_message"`
	// Watermark is where the next changed-since call continues.
	WatermarkToken string     `json:"-"`
	WatermarkTime  *time.Time `json:"-"`
	// MirrorFields are the numeric fields the mirror holds for every item.
	MirrorFields    []string   `json:"-"`
	SyncRequestedAt *time.Time `json:"sync_requested_at"`
	LastSyncAt      *time.Time `json:"last_sync_at"`
	// MirrorVersion counts the changes of the connection's mirror of work items.
	MirrorVersion int64     `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Validate checks a connection's own fields and normalises its URL.
func (c *Connection) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	c.Project = strings.TrimSpace(c.Project)
	if err := validTitle("name", c.Name, 200); err != nil {
		return err
	}
	u, err := NormalizeOrgURL(c.OrganizationURL)
	if err != nil {
		return err
	}
	c.OrganizationURL = u
	if c.Project == "" {
		return FieldError("project", "project is required")
	}
	if len(c.Project) > 256 {
		return FieldError("project", "project is longer than 256 characters")
	}
	switch c.Visibility {
	case "":
		c.Visibility = VisibilityPrivate
	case VisibilityPrivate, VisibilityShared:
	default:
		return FieldError("visibility", "visibility must be private or shared, not %q", c.Visibility)
	}
	switch c.AuthType {
	case AuthPAT, AuthClientCredentials, AuthOAuth:
	case "":
		return FieldError("auth.type", "auth.type is required (pat, client_credentials or oauth)")
	default:
		return FieldError("auth.type", "auth.type must be pat, client_credentials or oauth, not %q", c.AuthType)
	}
	if c.HookStatus == "" {
		c.HookStatus = HooksNone
	}
	return nil
}

// WorkItemURL returns the address of a work item in the Azure DevOps web UI, or "" when
// the id is not positive or the connection has no http(s) organization URL. The address
// is built from the connection's own organization URL (the one on the egress allow-list),
// its project and the numeric id alone. Cairn never links to an address that Azure DevOps
// answers with, such as a work item's url or _links.html.href: whoever can shape those
// answers could make a link run script or lead to another site.
func (c *Connection) WorkItemURL(id int) string {
	base, ok := c.webBase()
	if !ok || id <= 0 {
		return ""
	}
	return base + "/_workitems/edit/" + strconv.Itoa(id)
}

// QueryURL returns the address of a saved query in the Azure DevOps web UI, built as
// WorkItemURL builds its addresses, with the query id escaped as one path segment; "" when
// the id is empty or the connection has no http(s) organization URL.
func (c *Connection) QueryURL(queryID string) string {
	base, ok := c.webBase()
	if !ok || queryID == "" {
		return ""
	}
	return base + "/_queries/query/" + url.PathEscape(queryID) + "/"
}

// webBase is the project's address in the Azure DevOps web UI. The project id, when known,
// survives a rename of the project; either is escaped as one path segment.
func (c *Connection) webBase() (string, bool) {
	org, err := NormalizeOrgURL(c.OrganizationURL)
	if err != nil {
		return "", false
	}
	p := c.ProjectID
	if p == "" {
		p = c.Project
	}
	if p == "" {
		return "", false
	}
	return org + "/" + url.PathEscape(p), true
}

// NormalizeOrgURL checks an Azure DevOps organization URL (cloud
// https://dev.azure.com/{org}, legacy https://{org}.visualstudio.com, or a Server
// collection URL) and returns it without a trailing slash, query or fragment.
func NormalizeOrgURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", FieldError("organization_url", "organization_url is required, like https://dev.azure.com/fabrikam")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", FieldError("organization_url", "%q is not an http(s) URL like https://dev.azure.com/fabrikam", raw)
	}
	if u.User != nil {
		return "", FieldError("organization_url", "organization_url must not carry credentials")
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if strings.EqualFold(u.Host, "dev.azure.com") && strings.Count(path, "/") != 1 {
		return "", FieldError("organization_url", "a cloud organization URL is https://dev.azure.com/{organization}, not %q", raw)
	}
	return u.Scheme + "://" + u.Host + path, nil
}

// CanUse reports whether a user may bind data sources to the connection: its owner, an
// organization admin, or anyone in the organization when it is shared.
func (c *Connection) CanUse(userID int64, admin bool) bool {
	return admin || c.OwnerID == userID || c.Visibility == VisibilityShared
}

// CanEdit reports whether a user may change or delete the connection: its owner or an
// organization admin (PRODUCT.md §2).
func (c *Connection) CanEdit(userID int64, admin bool) bool {
	return admin || c.OwnerID == userID
}
