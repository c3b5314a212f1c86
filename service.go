package cairn

import (
	"context"
	"strings"
	"time"
)

// Service is Cairn's application service. It validates input, enforces authorization for
// the user carried by the context, and computes progress. Every HTTP handler, CLI command
// and job goes through it, so that no path skips a check.
type Service struct {
	store        Store
	now          func() time.Time
	hashPassword func(string) (string, error)
	// operatorHosts are the operator's allowed Azure DevOps hosts.
	operatorHosts []string
	// linkKey signs unsubscribe links.
	linkKey []byte
	secrets Secrets
	// checkWebhook refuses a webhook URL that Cairn may not post to.
	checkWebhook func(ctx context.Context, rawURL string) error
	// email says that e-mail can be sent (CAIRN_SMTP_URL is set).
	email bool
}

// Secrets seals and opens secrets stored in the database, such as webhook URLs.
// *auth.Sealer is the one Cairn uses.
type Secrets interface {
	Seal(plaintext, aad []byte) (string, error)
	Open(sealed string, aad []byte) ([]byte, error)
}

// ServiceOptions configures a Service.
type ServiceOptions struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HashPassword hashes a new local password; nil disables local passwords.
	HashPassword func(string) (string, error)
	// OperatorHosts are the hosts the operator allowed Azure DevOps credentials to reach
	// (CAIRN_AZDO_ALLOWED_HOSTS), shown to tenant admins.
	OperatorHosts []string
	// LinkKey is the HMAC key of unsubscribe links, shared by all replicas.
	LinkKey []byte
	// Secrets seals team webhook URLs; without it webhooks cannot be set.
	Secrets Secrets
	// CheckWebhook refuses a webhook URL that Cairn may not post to; nil allows https URLs.
	CheckWebhook func(ctx context.Context, rawURL string) error
	// Email says that e-mail can be sent, so that notifications get e-mail deliveries.
	Email bool
}

// NewService returns a Service over the store.
func NewService(store Store, opts ServiceOptions) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OperatorHosts == nil {
		opts.OperatorHosts = []string{}
	}
	return &Service{store: store, now: opts.Now, hashPassword: opts.HashPassword, operatorHosts: opts.OperatorHosts,
		linkKey: opts.LinkKey, secrets: opts.Secrets, checkWebhook: opts.CheckWebhook, email: opts.Email}
}

// Store returns the underlying store for wiring code (sign-in, jobs) that needs it.
func (s *Service) Store() Store { return s.store }

// ListOrgs lists the organizations the user belongs to; tenant admins see all.
func (s *Service) ListOrgs(ctx context.Context) ([]*Org, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.TenantAdmin {
		return s.store.ListOrgs(ctx, 0)
	}
	return s.store.ListOrgs(ctx, u.ID)
}

// CreateOrg creates an organization; only tenant admins may. The creator becomes its admin.
func (s *Service) CreateOrg(ctx context.Context, o *Org) error {
	u, err := currentUser(ctx)
	if err != nil {
		return err
	}
	if !u.TenantAdmin {
		return Errorf(EFORBIDDEN, "only a tenant admin may create organizations")
	}
	o.Slug = strings.TrimSpace(o.Slug)
	if err := o.Validate(); err != nil {
		return err
	}
	o.CreatedAt = s.now().UTC()
	return s.store.CreateOrg(ctx, o, u.ID)
}

// Org returns an organization by id or slug.
func (s *Service) Org(ctx context.Context, ref string) (*Org, error) {
	a, err := s.access(ctx, ref)
	if err != nil {
		return nil, err
	}
	return a.org, nil
}

// Role returns the user's role in the organization.
func (s *Service) Role(ctx context.Context, ref string) (Role, error) {
	a, err := s.access(ctx, ref)
	if err != nil {
		return "", err
	}
	return a.role, nil
}

// OrgUpdate is a partial update of an organization.
type OrgUpdate struct {
	Name      *string  `json:"name"`
	Slug      *string  `json:"slug"`
	AtRiskGap *float64 `json:"at_risk_gap"`
}

// UpdateOrg changes an organization; organization admins may.
func (s *Service) UpdateOrg(ctx context.Context, ref string, up OrgUpdate) (*Org, error) {
	a, err := s.access(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("change the organization"); err != nil {
		return nil, err
	}
	o := *a.org
	if up.Name != nil {
		o.Name = *up.Name
	}
	if up.Slug != nil {
		o.Slug = *up.Slug
	}
	if up.AtRiskGap != nil {
		if *up.AtRiskGap <= 0 || *up.AtRiskGap > 1 {
			return nil, FieldError("at_risk_gap", "at_risk_gap must be above 0 and at most 1")
		}
		o.AtRiskGap = *up.AtRiskGap
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.UpdateOrg(ctx, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// DeleteOrg deletes an organization and everything in it; only tenant admins may.
func (s *Service) DeleteOrg(ctx context.Context, ref string) error {
	a, err := s.access(ctx, ref)
	if err != nil {
		return err
	}
	if !a.user.TenantAdmin {
		return Errorf(EFORBIDDEN, "only a tenant admin may delete an organization")
	}
	return s.store.DeleteOrg(ctx, a.org.ID)
}
