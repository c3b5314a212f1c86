package datasource

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// ConnectionInput is the body that creates a connection.
type ConnectionInput struct {
	Name            string           `json:"name"`
	OrganizationURL string           `json:"organization_url"`
	Project         string           `json:"project"`
	Visibility      cairn.Visibility `json:"visibility"`
	Auth            AuthInput        `json:"auth"`
}

// ConnectionView is a connection as the API renders it: never with its credential.
type ConnectionView struct {
	*cairn.Connection
	// HookURL is where Azure DevOps delivers this connection's service hooks.
	HookURL string `json:"hook_url,omitempty"`
	// ManualSteps tells an Azure DevOps administrator how to add the service hooks when
	// Cairn could not.
	ManualSteps string `json:"manual_steps,omitempty"`
	// HookUsername and HookSecret are shown once, when Cairn could not create the
	// subscriptions itself and an administrator must enter them.
	HookUsername string `json:"hook_username,omitempty"`
	HookSecret   string `json:"hook_secret,omitempty"`
	CanEdit      bool   `json:"can_edit"`
	// RateLimit is the Azure DevOps rate-limit budget of the connection's identity, as
	// the last sync saw it; nil before the first sync.
	RateLimit *RateLimitView `json:"rate_limit"`
}

// hookEvents are the work item events Cairn subscribes to.
var hookEvents = []string{azdo.EventWorkItemCreated, azdo.EventWorkItemUpdated, azdo.EventWorkItemDeleted, azdo.EventWorkItemRestored}

func (s *Service) hookURL(id int64) string {
	if s.cfg.PublicURL == "" {
		return ""
	}
	return s.cfg.PublicURL + "/hooks/azure-devops/" + strconv.FormatInt(id, 10)
}

func (s *Service) view(a *cairn.IntegrationActor, c *cairn.Connection) *ConnectionView {
	v := &ConnectionView{Connection: c, HookURL: s.hookURL(c.ID), CanEdit: c.CanEdit(a.User.ID, a.Admin())}
	if c.HookStatus == cairn.HooksManual && v.HookURL != "" {
		v.ManualSteps = manualSteps(v.HookURL, c.HookUsername)
	}
	return v
}

func manualSteps(url, user string) string {
	return "Cairn could not create the service hooks with this connection's credential. An Azure DevOps project administrator can add them: " +
		"Project settings → Service hooks → + → Web Hooks, once for each of the events \"Work item created\", \"Work item updated\", " +
		"\"Work item deleted\" and \"Work item restored\", with the URL " + url + ", basic authentication user name " + user +
		" and the password shown when the connection was created (POST …/connections/{id}/hook-secret makes a new one). " +
		"Until then Cairn syncs on its schedule only."
}

// resolveCredential turns the auth input into a credential, consuming an OAuth grant.
func (s *Service) resolveCredential(ctx context.Context, a *cairn.IntegrationActor, in AuthInput) (Credential, error) {
	if err := in.validate(); err != nil {
		return Credential{}, err
	}
	switch in.Type {
	case cairn.AuthPAT:
		return Credential{Type: in.Type, Token: strings.TrimSpace(in.Token)}, nil
	case cairn.AuthClientCredentials:
		return Credential{Type: in.Type, TenantID: strings.TrimSpace(in.TenantID), ClientID: strings.TrimSpace(in.ClientID), ClientSecret: in.ClientSecret}, nil
	}
	tok, err := s.grant(ctx, a.User.ID, in.Grant)
	if err != nil {
		return Credential{}, err
	}
	return Credential{Type: cairn.AuthOAuth, OAuth: tok}, nil
}

// verify checks a credential live: the connection data and the project. It returns the
// project as Azure DevOps names it, and records on c the REST API version negotiated with
// the organization or collection and whether it is Services or Server.
func (s *Service) verify(ctx context.Context, c *cairn.Connection, projectName string, cred Credential) (*azdo.Client, azdo.Project, error) {
	orgURL := c.OrganizationURL
	cl, err := s.cfg.Clients.newClient(ctx, orgURL, cred, nil, "")
	if err != nil {
		return nil, azdo.Project{}, clientError(orgURL, err)
	}
	cd, err := cl.ConnectionData(ctx)
	if err != nil {
		if errors.Is(err, azdo.ErrNotFound) {
			return nil, azdo.Project{}, cairn.FieldError("organization_url", "%s is not an Azure DevOps organization (or collection) URL", orgURL)
		}
		return nil, azdo.Project{}, newCredentialError(err, cred.Type, orgURL)
	}
	p, err := cl.Project(ctx, projectName)
	if err != nil {
		if errors.Is(err, azdo.ErrNotFound) {
			return nil, azdo.Project{}, cairn.FieldError("project", "project %q does not exist in %s, or the credential cannot see it", projectName, orgURL)
		}
		return nil, azdo.Project{}, apiError(err, fmt.Sprintf("the project %q", projectName))
	}
	c.APIVersion = azdo.APIVersion
	if v, ok := cl.KnownAPIVersion(); ok {
		c.APIVersion = v
	}
	c.Deployment = cairn.DeploymentServices
	if strings.EqualFold(cd.DeploymentType, "onPremises") {
		c.Deployment = cairn.DeploymentServer
	}
	return cl, p, nil
}

// CreateConnection verifies the credential live, stores the connection with its
// credential sealed, and subscribes to its project's work item events when it may.
func (s *Service) CreateConnection(ctx context.Context, org string, in ConnectionInput) (*ConnectionView, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	if !a.Writer() {
		return nil, cairn.Errorf(cairn.EFORBIDDEN, "viewers may not create Azure DevOps connections")
	}
	if err := s.cfg.Cairn.RequireIntegration(ctx, a.Org.ID); err != nil {
		return nil, err
	}
	c := &cairn.Connection{OrgID: a.Org.ID, OwnerID: a.User.ID, Name: in.Name, OrganizationURL: in.OrganizationURL,
		Project: in.Project, Visibility: in.Visibility, AuthType: in.Auth.Type}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cred, err := s.resolveCredential(ctx, a, in.Auth)
	if err != nil {
		return nil, err
	}
	latest := trackRefresh(&cred)
	cl, p, err := s.verify(ctx, c, c.Project, cred)
	if err != nil {
		return nil, err
	}
	c.Project, c.ProjectID = p.Name, p.ID
	if c.Credential, err = sealCredential(s.cfg.Sealer, c, latest()); err != nil {
		return nil, err
	}
	if err := s.cfg.Store.CreateConnection(ctx, c); err != nil {
		return nil, err
	}
	s.cacheTypes(ctx, cl, c)
	secret := s.subscribe(ctx, cl, c)
	if c.Credential, err = sealCredential(s.cfg.Sealer, c, latest()); err != nil {
		return nil, err
	}
	if err := s.cfg.Store.UpdateConnection(ctx, c); err != nil {
		return nil, err
	}
	v := s.view(a, c)
	if c.HookStatus == cairn.HooksManual {
		v.HookUsername, v.HookSecret = c.HookUsername, secret
	}
	return v, nil
}

// subscribe creates the service-hook subscriptions of a new connection and records the
// outcome on it. It returns the basic-auth secret, for the manual steps.
func (s *Service) subscribe(ctx context.Context, cl *azdo.Client, c *cairn.Connection) string {
	url := s.hookURL(c.ID)
	if url == "" {
		c.HookStatus, c.HookMessage = cairn.HooksNone, "Cairn has no public URL (CAIRN_PUBLIC_URL), so Azure DevOps cannot notify it; it syncs on its schedule."
		return ""
	}
	secret, hash := newHookSecret()
	c.HookUsername, c.HookSecretHash = "cairn-"+strconv.FormatInt(c.ID, 10), hash
	var ids []string
	for _, ev := range hookEvents {
		sub, err := azdo.NewWorkItemWebhook(azdo.WebhookOptions{ProjectID: c.ProjectID, EventType: ev, URL: url,
			Username: c.HookUsername, Password: secret, ResourceDetailsToSend: "minimal"})
		if err == nil {
			sub, err = cl.CreateSubscription(ctx, sub)
		}
		if err != nil {
			s.cfg.Log.WarnContext(ctx, "azure devops service hook not created", slog.Int64("connection", c.ID), slog.String("err", err.Error()))
			for _, id := range ids {
				_ = cl.DeleteSubscription(ctx, id)
			}
			c.HookStatus, c.HookSubscriptions = cairn.HooksManual, nil
			c.HookMessage = "Cairn could not create the service hooks: " + classify(err, "the project's service hooks", s.cfg.Now()).Message
			return secret
		}
		ids = append(ids, sub.ID)
	}
	c.HookStatus, c.HookSubscriptions, c.HookMessage = cairn.HooksActive, ids, ""
	return secret
}

func newHookSecret() (secret, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret)
}

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// ListConnections lists the connections the user may see: shared ones and their own;
// organization admins see all.
func (s *Service) ListConnections(ctx context.Context, org string) ([]*ConnectionView, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	cs, err := s.cfg.Store.ListConnections(ctx, a.Org.ID)
	if err != nil {
		return nil, err
	}
	out := []*ConnectionView{}
	for _, c := range cs {
		if c.CanUse(a.User.ID, a.Admin()) {
			v := s.view(a, c)
			v.RateLimit = s.rateLimitView(ctx, c.ID)
			out = append(out, v)
		}
	}
	return out, nil
}

// Connection returns one connection the user may see.
func (s *Service) Connection(ctx context.Context, org string, id int64) (*ConnectionView, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	c, err := s.cfg.Store.ConnectionByID(ctx, a.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if !c.CanUse(a.User.ID, a.Admin()) {
		return nil, cairn.NotFound("connection", id)
	}
	v := s.view(a, c)
	v.RateLimit = s.rateLimitView(ctx, c.ID)
	return v, nil
}

// ConnectionUpdate is a partial update of a connection. A new credential is verified live
// before it is stored.
type ConnectionUpdate struct {
	Name       *string           `json:"name"`
	Visibility *cairn.Visibility `json:"visibility"`
	Auth       *AuthInput        `json:"auth"`
}

// editableConnection loads a connection the user may change: its owner or an admin.
func (s *Service) editableConnection(ctx context.Context, org string, id int64) (*cairn.IntegrationActor, *cairn.Connection, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.cfg.Store.ConnectionByID(ctx, a.Org.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !c.CanUse(a.User.ID, a.Admin()) {
		return nil, nil, cairn.NotFound("connection", id)
	}
	if !c.CanEdit(a.User.ID, a.Admin()) {
		return nil, nil, cairn.Errorf(cairn.EFORBIDDEN, "only the connection's owner or an organization admin may change it")
	}
	return a, c, nil
}

// UpdateConnection renames a connection, changes its visibility or reconnects it with a
// new credential. Reconnecting clears the credential errors at the next sync, which it
// queues.
func (s *Service) UpdateConnection(ctx context.Context, org string, id int64, up ConnectionUpdate) (*ConnectionView, error) {
	a, c, err := s.editableConnection(ctx, org, id)
	if err != nil {
		return nil, err
	}
	if up.Name != nil {
		c.Name = *up.Name
	}
	if up.Visibility != nil {
		c.Visibility = *up.Visibility
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if up.Auth != nil {
		cred, err := s.resolveCredential(ctx, a, *up.Auth)
		if err != nil {
			return nil, err
		}
		latest := trackRefresh(&cred)
		cl, p, err := s.verify(ctx, c, project(c), cred)
		if err != nil {
			return nil, err
		}
		c.ProjectID, c.AuthType = p.ID, cred.Type
		s.cacheTypes(ctx, cl, c)
		if c.Credential, err = sealCredential(s.cfg.Sealer, c, latest()); err != nil {
			return nil, err
		}
	}
	if err := s.cfg.Store.UpdateConnection(ctx, c); err != nil {
		return nil, err
	}
	if up.Auth != nil {
		if err := s.requestSync(ctx, c.ID, cairn.TriggerManual, 0); err != nil {
			return nil, err
		}
	}
	return s.view(a, c), nil
}

// RotateHookSecret makes a new service-hook secret for a connection whose hooks an
// administrator adds by hand, and returns it once.
func (s *Service) RotateHookSecret(ctx context.Context, org string, id int64) (*ConnectionView, error) {
	a, c, err := s.editableConnection(ctx, org, id)
	if err != nil {
		return nil, err
	}
	if c.HookStatus == cairn.HooksActive {
		return nil, cairn.Errorf(cairn.ECONFLICT, "Cairn manages this connection's service hooks itself")
	}
	secret, hash := newHookSecret()
	c.HookUsername, c.HookSecretHash, c.HookStatus = "cairn-"+strconv.FormatInt(c.ID, 10), hash, cairn.HooksManual
	if err := s.cfg.Store.UpdateConnection(ctx, c); err != nil {
		return nil, err
	}
	v := s.view(a, c)
	v.HookUsername, v.HookSecret = c.HookUsername, secret
	return v, nil
}

// DeleteConnection deletes a connection's service-hook subscriptions in Azure DevOps, then
// the connection with its data sources; their items go back to manual check-ins.
func (s *Service) DeleteConnection(ctx context.Context, org string, id int64) error {
	_, c, err := s.editableConnection(ctx, org, id)
	if err != nil {
		return err
	}
	if len(c.HookSubscriptions) > 0 {
		if cl, err := s.client(ctx, c); err == nil {
			for _, sub := range c.HookSubscriptions {
				if err := cl.DeleteSubscription(ctx, sub); err != nil && !errors.Is(err, azdo.ErrNotFound) {
					s.cfg.Log.WarnContext(ctx, "azure devops service hook not deleted", slog.Int64("connection", c.ID),
						slog.String("subscription", sub), slog.String("err", err.Error()))
				}
			}
		}
	}
	if err := s.cfg.Store.DeleteConnection(ctx, c.OrgID, c.ID); err != nil {
		return err
	}
	for _, key := range []string{typesKey(c.ID), fullRefreshKey(c.ID), rateLimitKey(c.ID)} {
		if err := s.cfg.Store.DeleteSetting(ctx, key); err != nil && cairn.ErrorCode(err) != cairn.ENOTFOUND {
			s.cfg.Log.WarnContext(ctx, "could not forget a deleted connection's cache", slog.Int64("connection", c.ID), slog.String("err", err.Error()))
		}
	}
	return nil
}

// requestSync records a sync request and queues the job in one transaction; without a
// job queue it only records the request.
func (s *Service) requestSync(ctx context.Context, connectionID int64, trigger string, delay time.Duration) error {
	return s.cfg.Store.RequestSync(ctx, connectionID, s.cfg.Now(), s.enqueueHook(connectionID, trigger, delay))
}
