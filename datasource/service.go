package datasource

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"golang.org/x/oauth2"
)

// Enqueuer queues sync jobs inside the store's transaction. Package jobs implements it
// with River; without one, syncs run only when called.
type Enqueuer interface {
	// EnqueueSync queues a sync of the connection after delay, unique per connection.
	EnqueueSync(ctx context.Context, tx *sql.Tx, connectionID int64, trigger string, delay time.Duration) error
}

// Config wires a Service.
type Config struct {
	Cairn   *cairn.Service
	Store   Store
	Sealer  *auth.Sealer
	Clients ClientConfig
	Syncer  *Syncer
	// Enqueuer queues jobs; nil runs syncs in the request instead.
	Enqueuer Enqueuer
	// PublicURL is where Azure DevOps reaches Cairn's service-hook receiver; without it
	// connections get the manual steps.
	PublicURL string
	// HookDebounce delays the sync a webhook triggers, so that a burst of edits makes one
	// sync; a second when zero (Azure DevOps sends the hooks of a bulk edit within one).
	HookDebounce time.Duration
	// AppSecrets are the Azure DevOps extension's secrets (current, then previous) that
	// sign its app tokens.
	AppSecrets [][]byte
	Now        func() time.Time
	Log        *slog.Logger
}

// Service is the Azure DevOps integration as the HTTP API and the CLI use it.
type Service struct {
	cfg Config
	deb debouncer
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HookDebounce <= 0 {
		cfg.HookDebounce = time.Second
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{cfg: cfg}
}

// Syncer returns the service's sync engine.
func (s *Service) Syncer() *Syncer { return s.cfg.Syncer }

// enqueueHook returns the TxHook that queues a sync of the connection, or nil without a
// job queue.
func (s *Service) enqueueHook(connectionID int64, trigger string, delay time.Duration) cairn.TxHook {
	if s.cfg.Enqueuer == nil {
		return nil
	}
	return func(ctx context.Context, tx *sql.Tx) error {
		return s.cfg.Enqueuer.EnqueueSync(ctx, tx, connectionID, trigger, delay)
	}
}

// client builds an Azure DevOps client for a stored connection.
func (s *Service) client(ctx context.Context, c *cairn.Connection) (*azdo.Client, error) {
	cred, err := openCredential(s.cfg.Sealer, c)
	if err != nil {
		return nil, err
	}
	if cred.Type == cairn.AuthOAuth {
		id := c.ID
		cred.onRefresh = func(t *oauth2.Token) { saveToken(ctx, s.cfg.Store, s.cfg.Sealer, s.cfg.Log, id, t) }
	}
	cl, err := s.cfg.Clients.newClient(ctx, c.OrganizationURL, cred, nil, c.APIVersion)
	if err != nil {
		return nil, cairn.Internal("build the Azure DevOps client", err)
	}
	return cl, nil
}

// project returns the project a stored connection's calls use: its id when known, so
// that a renamed project keeps working.
func project(c *cairn.Connection) string {
	if c.ProjectID != "" {
		return c.ProjectID
	}
	return c.Project
}

// usableConnection loads a connection the user may bind data sources to.
func (s *Service) usableConnection(ctx context.Context, a *cairn.IntegrationActor, id int64, field string) (*cairn.Connection, error) {
	c, err := s.cfg.Store.ConnectionByID(ctx, a.Org.ID, id)
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return nil, cairn.FieldError(field, "connection %d not found in this organization", id)
	}
	if err != nil {
		return nil, err
	}
	if !c.CanUse(a.User.ID, a.Admin()) {
		return nil, cairn.FieldError(field, "connection %d is private to its owner", id)
	}
	return c, nil
}
