package web

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/datasource"
)

// Config wires a Server.
type Config struct {
	Service *cairn.Service
	Store   cairn.Store
	// DB, when set, adds connection-pool statistics to /metrics.
	DB *sql.DB
	// Ready reports whether the server can take traffic (database reachable and migrated).
	Ready func(ctx context.Context) error
	Log   *slog.Logger
	// CSRFKey is the HMAC key for CSRF tokens, shared by all replicas.
	CSRFKey []byte
	// OIDC enables "Sign in with Microsoft" when set.
	OIDC *auth.OIDC
	// Passwords checks and hashes local passwords; nil means argon2id with
	// auth.DefaultParams.
	Passwords PasswordHasher
	// SessionTTL is how long a sign-in lasts; 0 means 14 days.
	SessionTTL time.Duration
	// PublicURL is the URL people reach Cairn at (CAIRN_PUBLIC_URL). When it is https the
	// session cookie is always Secure, also when a proxy ends TLS and Cairn sees plain HTTP.
	PublicURL string
	// TrustProxy trusts the reverse proxy's X-Forwarded-Proto (or Forwarded proto=) for
	// deciding whether cookies are Secure, and its X-Forwarded-For (or Forwarded for=) for
	// the client address that sign-in throttling counts. Without it those headers are
	// ignored, since any client can send them.
	TrustProxy bool
	// SignIn tunes the throttling of failed password sign-ins; zero policies mean
	// cairn.AccountThrottlePolicy and cairn.AddressThrottlePolicy.
	SignIn cairn.SignInGuardOptions
	Now    func() time.Time
	// Extension configures the Azure DevOps extension's app tokens and origins; nil reads
	// them from the environment (ExtensionConfigFromEnv).
	Extension *ExtensionConfig
	// Integration serves the Azure DevOps integration; its routes answer 501 without it.
	Integration *datasource.Service
	// JobsUI is River's UI for the job queue, serving under JobsUIPath; tenant admins
	// alone reach it. Nil leaves JobsUIPath unrouted.
	JobsUI http.Handler
	// HookRate and HookBurst bound the service-hook deliveries of one connection; zero
	// means the package's HookRate and HookBurst.
	HookRate, HookBurst float64
}

// Server serves Cairn's HTTP API.
type Server struct {
	svc       *cairn.Service
	store     cairn.Store
	ready     func(ctx context.Context) error
	log       *slog.Logger
	csrf      *auth.CSRF
	oidc      *auth.OIDC
	passwords PasswordHasher
	guard     *cairn.SignInGuard
	ttl       time.Duration
	trust     bool
	// httpsPublic says that the public URL is https, so cookies are always Secure.
	httpsPublic bool
	now         func() time.Time
	metrics     *metrics
	mux         *http.ServeMux
	hooks       *limiter
	handler     http.Handler
	dummyOnce   sync.Once
	dummy       string
	ext         *extension
	azdo        *datasource.Service
	jobsUI      bool
	// patterns are the mux's patterns in the order they were added.
	patterns []string
}

// PasswordHasher hashes new local passwords and checks passwords against stored hashes.
// *auth.Hasher is the one Cairn uses; tests put a counting one in its place.
type PasswordHasher interface {
	// Hash returns the stored form of a new password.
	Hash(password string) (string, error)
	// Check returns nil when password matches hash and auth.ErrMismatch when it does not.
	Check(hash, password string) error
}

// route is one entry of the routing table; the OpenAPI test walks the same table.
type route struct {
	Method  string
	Pattern string
	Handler http.HandlerFunc
	// Public routes need no sign-in.
	Public bool
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 14 * 24 * time.Hour
	}
	if cfg.Passwords == nil {
		h, err := auth.NewHasher(auth.DefaultParams())
		if err != nil {
			return nil, err
		}
		cfg.Passwords = h
	}
	s := &Server{
		svc: cfg.Service, store: cfg.Store, ready: cfg.Ready, log: cfg.Log,
		oidc: cfg.OIDC, passwords: cfg.Passwords, ttl: cfg.SessionTTL, trust: cfg.TrustProxy,
		now: cfg.Now, metrics: newMetrics(cfg.DB), mux: http.NewServeMux(),
		azdo:        cfg.Integration,
		httpsPublic: strings.HasPrefix(strings.ToLower(strings.TrimSpace(cfg.PublicURL)), "https://"),
	}
	if cfg.HookRate <= 0 {
		cfg.HookRate = HookRate
	}
	if cfg.HookBurst <= 0 {
		cfg.HookBurst = HookBurst
	}
	s.hooks = newLimiter(cfg.HookRate, cfg.HookBurst, cfg.Now)
	if cfg.SignIn.Now == nil {
		cfg.SignIn.Now = cfg.Now
	}
	s.guard = cairn.NewSignInGuard(cfg.Store, cfg.SignIn)
	csrf, err := auth.NewCSRF(auth.CSRFConfig{Key: cfg.CSRFKey})
	if err != nil {
		return nil, err
	}
	s.csrf = csrf
	if cfg.Extension == nil {
		if cfg.Extension, err = ExtensionConfigFromEnv(os.Getenv); err != nil {
			return nil, err
		}
	}
	if s.ext, err = newExtension(cfg.Extension, cfg.Store); err != nil {
		return nil, err
	}
	for _, rt := range s.routes() {
		h := http.Handler(rt.Handler)
		if takesJSONBody(rt) {
			h = requireJSONBody(h)
		}
		if !rt.Public {
			h = s.requireUser(h)
		}
		s.route(rt.Method+" "+rt.Pattern, h)
	}
	if cfg.JobsUI != nil {
		s.mountJobsUI(cfg.JobsUI)
	}
	s.route("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusNotFound, cairn.ENOTFOUND, "no API route "+r.Method+" "+r.URL.Path, "")
	}))
	s.handler = s.observe(secureHeaders(s.hookGate(s.extensionGate(s.authenticate(s.csrfProtect(s.mux))))))
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Handle adds a handler for a pattern that is not part of the JSON API, such as the UI.
func (s *Server) Handle(pattern string, h http.Handler) { s.route(pattern, h) }

// route adds a pattern to the mux and to the list Patterns returns.
func (s *Server) route(pattern string, h http.Handler) {
	s.mux.Handle(pattern, withRoute(pattern, h))
	s.patterns = append(s.patterns, pattern)
}

// Patterns lists every pattern the server routes, in the order they were added: the JSON
// API's routes, River's UI when configured, the API's not-found fallback, and the patterns
// added with Handle, such as the UI's pages. The authorization matrix walks this list, so
// that a route added anywhere cannot escape it.
func (s *Server) Patterns() []string { return slices.Clone(s.patterns) }

// routes is the routing table of the JSON API and the service endpoints.
func (s *Server) routes() []route {
	org := "/api/v1/orgs/{org}"
	rs := []route{
		{"GET", "/healthz", s.healthz, true},
		{"GET", "/readyz", s.readyz, true},
		{"GET", "/metrics", s.metricsHandler, true},
		{"GET", "/api/v1/openapi.json", s.openapi, true},

		{"GET", "/setup", s.setupPage, true},
		{"POST", "/setup", s.setupForm, true},
		{"POST", "/api/v1/setup", s.setupAPI, true},
		{"POST", "/api/v1/auth/login", s.login, true},
		{"POST", "/api/v1/auth/logout", s.logout, true},
		{"GET", "/auth/oidc/login", s.oidcLogin, true},
		{"GET", "/auth/oidc/callback", s.oidcCallback, true},
		{"GET", "/api/v1/me", s.me, false},
		{"POST", "/api/v1/me/password", s.changePassword, false},
		{"GET", "/api/v1/me/tokens", s.listTokens, false},
		{"POST", "/api/v1/me/tokens", s.createToken, false},
		{"DELETE", "/api/v1/me/tokens/{id}", s.revokeToken, false},

		{"GET", "/api/v1/orgs", s.listOrgs, false},
		{"POST", "/api/v1/orgs", s.createOrg, false},
		{"GET", org, s.getOrg, false},
		{"PATCH", org, s.updateOrg, false},
		{"DELETE", org, s.deleteOrg, false},

		{"GET", org + "/periods", s.listPeriods, false},
		{"POST", org + "/periods", s.createPeriod, false},
		{"GET", org + "/periods/{id}", s.getPeriod, false},
		{"PATCH", org + "/periods/{id}", s.updatePeriod, false},
		{"DELETE", org + "/periods/{id}", s.deletePeriod, false},
		{"POST", org + "/periods/{id}/close", s.closePeriod, false},
		{"POST", org + "/periods/{id}/reopen", s.reopenPeriod, false},

		{"GET", org + "/teams", s.listTeams, false},
		{"POST", org + "/teams", s.createTeam, false},
		{"GET", org + "/teams/{id}", s.getTeam, false},
		{"PATCH", org + "/teams/{id}", s.updateTeam, false},
		{"DELETE", org + "/teams/{id}", s.deleteTeam, false},

		{"GET", org + "/members", s.listMembers, false},
		{"POST", org + "/members", s.addMember, false},
		{"GET", org + "/members/{id}", s.getMember, false},
		{"PATCH", org + "/members/{id}", s.updateMember, false},
		{"DELETE", org + "/members/{id}", s.removeMember, false},
		{"POST", org + "/members/{id}/unlock", s.unlockMember, false},
		{"POST", org + "/members/{id}/claim", s.claimMember, false},

		{"GET", org + "/objectives", s.listObjectives, false},
		{"POST", org + "/objectives", s.createObjective, false},
		{"GET", org + "/objectives/{id}", s.getObjective, false},
		{"PATCH", org + "/objectives/{id}", s.updateObjective, false},
		{"DELETE", org + "/objectives/{id}", s.deleteObjective, false},
		{"GET", org + "/objectives/{id}/tree", s.objectiveTree, false},

		{"GET", org + "/key-results", s.listKeyResults, false},
		{"POST", org + "/key-results", s.createKeyResult, false},
		{"GET", org + "/key-results/{id}", s.getKeyResult, false},
		{"PATCH", org + "/key-results/{id}", s.updateKeyResult, false},
		{"DELETE", org + "/key-results/{id}", s.deleteKeyResult, false},
		{"GET", org + "/key-results/{id}/check-ins", s.listKeyResultCheckIns, false},
		{"POST", org + "/key-results/{id}/check-ins", s.keyResultCheckInOrPause, false},
		{"GET", org + "/key-results/{id}/data-source", s.keyResultDataSource, false},

		{"GET", org + "/initiatives", s.listInitiatives, false},
		{"POST", org + "/initiatives", s.createInitiative, false},
		{"GET", org + "/initiatives/{id}", s.getInitiative, false},
		{"PATCH", org + "/initiatives/{id}", s.updateInitiative, false},
		{"DELETE", org + "/initiatives/{id}", s.deleteInitiative, false},
		{"GET", org + "/initiatives/{id}/check-ins", s.listInitiativeCheckIns, false},
		{"POST", org + "/initiatives/{id}/check-ins", s.initiativeCheckInOrPause, false},
		{"GET", org + "/initiatives/{id}/data-source", s.initiativeDataSource, false},
		{"GET", org + "/initiatives/{id}/tasks", s.listTasks, false},

		// What imports leave to do.
		{"GET", org + "/imports/rebind", s.listRebind, false},
		{"POST", org + "/imports/rebind", s.addRebind, false},
		{"POST", org + "/imports/rebind/{id}/done", s.markRebindDone, false},

		// The Azure DevOps integration.
		{"GET", "/api/v1/tenant/integrations/azure-devops", s.getTenantIntegration, false},
		{"PUT", "/api/v1/tenant/integrations/azure-devops", s.putTenantIntegration, false},
		{"GET", org + "/integrations/azure-devops", s.getOrgIntegration, false},
		{"PUT", org + "/integrations/azure-devops", s.putOrgIntegration, false},

		{"GET", org + "/connections", s.listConnections, false},
		{"POST", org + "/connections", s.createConnection, false},
		{"GET", org + "/connections/{id}", s.getConnection, false},
		{"PATCH", org + "/connections/{id}", s.updateConnection, false},
		{"DELETE", org + "/connections/{id}", s.deleteConnection, false},
		{"POST", org + "/connections/{id}/hook-secret", s.rotateHookSecret, false},
		{"GET", org + "/connections/{id}/projects", s.connectionProjects, false},
		{"GET", org + "/connections/{id}/work-item-types", s.connectionTypes, false},
		{"GET", org + "/connections/{id}/work-item-types/{type}/states", s.connectionStates, false},
		{"GET", org + "/connections/{id}/measure-fields", s.connectionMeasureFields, false},
		{"GET", org + "/connections/{id}/queries", s.connectionQueries, false},
		{"GET", org + "/connections/{id}/work-items", s.connectionWorkItems, false},
		{"POST", org + "/connections/azure-devops/projects", s.probeProjects, false},
		{"GET", org + "/connections/azure-devops/organizations", s.azdoOrganizations, false},
		{"GET", org + "/connections/azure-devops/authorize", s.azdoAuthorize, false},
		{"GET", "/connections/azure-devops/callback", s.azdoCallback, false},

		{"GET", org + "/data-sources", s.listDataSources, false},
		{"POST", org + "/data-sources", s.createDataSource, false},
		{"POST", org + "/data-sources/preview", s.previewDataSource, false},
		{"GET", org + "/data-sources/{id}", s.getDataSource, false},
		{"PATCH", org + "/data-sources/{id}", s.updateDataSource, false},
		{"DELETE", org + "/data-sources/{id}", s.deleteDataSource, false},
		{"POST", org + "/data-sources/{id}/sync", s.syncDataSource, false},
		{"GET", org + "/data-sources/{id}/runs", s.listSyncRuns, false},

		{"POST", "/hooks/azure-devops/{id}", s.receiveHook, true},
		{"GET", "/api/v1/azure-devops/alignment", s.alignment, true},

		{"GET", "/api/v1/azure-devops/extension/me", s.extensionMe, true},
		{"POST", "/api/v1/azure-devops/extension/link-codes", s.extensionLinkCode, true},
		{"DELETE", "/api/v1/azure-devops/extension/link", s.extensionUnlink, true},
		{"POST", "/api/v1/azure-devops/links", s.confirmExtensionLink, false},
		{"GET", "/azure-devops/link", s.extensionLinkPage, true},
		{"POST", "/azure-devops/link", s.extensionLinkForm, true},
		{"GET", "/azure-devops/initiatives/new", s.extensionNewInitiative, true},
	}
	// Conversations and the audit trail.
	rs = append(rs, s.commentRoutes(org)...)
	rs = append(rs, s.notifyRoutes(org)...)
	rs = append(rs, s.viewRoutes(org)...)
	return append(rs, s.historyRoutes(org)...)
}
