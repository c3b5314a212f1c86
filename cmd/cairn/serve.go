package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/jobs"
	"github.com/cairn-okr/cairn/notify"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

const serveHelp = `Runs Cairn: the web UI, the JSON API under /api/v1, sign-in, /healthz, /readyz,
/metrics and, for tenant admins, River's job queue UI under /admin/jobs.

The database is SQLite in ./cairn.db unless --database (or CAIRN_DATABASE_URL) is a
postgres:// URL. It is created and migrated on first start.

On first start with an empty database Cairn creates the tenant and its first admin from
CAIRN_ADMIN_EMAIL and CAIRN_ADMIN_PASSWORD, or prints a one-time setup link.

Environment: CAIRN_ADDR, CAIRN_DATABASE_URL, CAIRN_PUBLIC_URL, CAIRN_TRUST_PROXY,
CAIRN_ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD, CAIRN_OIDC_ISSUER, CAIRN_OIDC_CLIENT_ID,
CAIRN_OIDC_CLIENT_SECRET, CAIRN_LOG_LEVEL (debug, info, warn, error), CAIRN_SMTP_URL,
CAIRN_SMTP_FROM, CAIRN_WEBHOOK_ALLOWED_HOSTS, CAIRN_DEBUG_ADDR (a loopback address such as
127.0.0.1:6060 that serves Go's profiles under /debug/pprof/).

An https CAIRN_PUBLIC_URL makes the session cookie Secure. Set CAIRN_TRUST_PROXY=true only
behind a reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto: sign-in throttling
then counts failures per client address as the proxy saw it, not per proxy.

The Azure DevOps integration seals credentials with CAIRN_SECRET_KEY, or with a key file
(cairn.key next to a SQLite database, CAIRN_SECRET_KEY_FILE otherwise) created with mode
0600 on first start; every replica must share the key. Service hooks point at
CAIRN_PUBLIC_URL. Sign-in to Azure DevOps with Microsoft uses CAIRN_AZDO_CLIENT_ID,
CAIRN_AZDO_CLIENT_SECRET and CAIRN_AZDO_TENANT; CAIRN_SYNC_WORKERS sets how many syncs
run at once (default 4), and CAIRN_MIRROR_CACHE_ITEMS how many mirrored work items the
syncs keep in memory between runs (default 200000, about 100 MB; 0 keeps none).

Replicas share the job queue in the database. One of them, the leader, looks for due
syncs every CAIRN_SYNC_SCHEDULE_EVERY (default 1m) and takes a job for lost when it has
been running for CAIRN_JOB_RESCUE_AFTER (default 1h), as when its replica was killed: the
sync then runs again on another replica, and its log says "rescued". A sync may run for
three quarters of CAIRN_JOB_RESCUE_AFTER at most (and 15 minutes).

Azure DevOps credentials go only to https://dev.azure.com/{organization},
https://{organization}.visualstudio.com and the hosts on the allow-list: those a tenant
admin lists on the admin page, and CAIRN_AZDO_ALLOWED_HOSTS, comma-separated host or
host:port entries (an Azure DevOps Server such as tfs.example.com, or an emulator such as
127.0.0.1:8090; a host:port entry also allows http). Loopback, private and link-local
addresses are refused unless listed, and redirects are never followed. --demo allows its
own emulator.

Check-in reminders and notifications go to the in-app inbox, to e-mail when
CAIRN_SMTP_URL and CAIRN_SMTP_FROM are set, and to the Microsoft Teams and Slack webhooks
that admins set on teams. CAIRN_SMTP_URL is smtp://[user:password@]host[:port] (port 587,
STARTTLS required; add ?starttls=opportunistic or ?starttls=none for a relay without TLS)
or smtps://[user:password@]host[:port] (port 465, TLS from the start). CAIRN_SMTP_FROM is
the sender, such as "Cairn <cairn@example.com>". Webhook URLs are sealed with the same key
as Azure DevOps credentials, must be https, and may not reach loopback, private or
link-local addresses unless listed in CAIRN_WEBHOOK_ALLOWED_HOSTS (host or host:port
entries, comma-separated; a host:port entry also allows http). CAIRN_NOTIFY_INTERVAL
(default 1m) is how often reminders are planned and new mentions, comments, status
changes and failing syncs are looked for.`

// serveConfig is the configuration of `cairn serve`.
type serveConfig struct {
	// allowedHosts are the operator's entries of the egress allow-list.
	allowedHosts []string
	addr         string
	database     string
	publicURL    string
	trustProxy   bool
	logLevel     string
	// debugAddr is the loopback address of the pprof listener; none when empty.
	debugAddr string
	demo      bool
	demoEnv   *demoEnv
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("serve", "cairn serve [flags]", serveHelp, stderr)
	fs.StringVar(&cfg.addr, "addr", env("CAIRN_ADDR", "127.0.0.1:8080"), "listen address (CAIRN_ADDR)")
	fs.StringVar(&cfg.database, "database", env("CAIRN_DATABASE_URL", "cairn.db"), "SQLite file or postgres:// URL (CAIRN_DATABASE_URL)")
	fs.StringVar(&cfg.publicURL, "public-url", env("CAIRN_PUBLIC_URL", ""), "the URL people and Azure DevOps reach Cairn at (CAIRN_PUBLIC_URL); default http://ADDR")
	trustProxy, err := envBool("CAIRN_TRUST_PROXY")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errUsage
	}
	fs.BoolVar(&cfg.trustProxy, "trust-proxy", trustProxy, "trust the reverse proxy's X-Forwarded-For and X-Forwarded-Proto (CAIRN_TRUST_PROXY)")
	fs.StringVar(&cfg.logLevel, "log-level", env("CAIRN_LOG_LEVEL", "info"), "log level: debug, info, warn or error")
	fs.BoolVar(&cfg.demo, "demo", false, "run with the built-in Azure DevOps emulator and demo data")
	fs.StringVar(&cfg.debugAddr, "debug-addr", env("CAIRN_DEBUG_ADDR", ""), "loopback `address` of a listener serving Go's profiles under /debug/pprof/ (CAIRN_DEBUG_ADDR); off when empty")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg.logLevel)
	if err != nil {
		return err
	}
	if cfg.debugAddr != "" {
		if cfg.debugAddr, err = debugAddr(cfg.debugAddr); err != nil {
			return err
		}
	}
	if cfg.allowedHosts, err = cairn.ParseHostList(os.Getenv("CAIRN_AZDO_ALLOWED_HOSTS")); err != nil {
		return fmt.Errorf("CAIRN_AZDO_ALLOWED_HOSTS: %w", err)
	}
	databaseSet := false
	fs.Visit(func(f *flag.Flag) { databaseSet = databaseSet || f.Name == "database" })
	if os.Getenv("CAIRN_DATABASE_URL") != "" {
		databaseSet = true
	}
	if cfg.demo {
		d, err := startDemo(&cfg, databaseSet)
		if err != nil {
			return err
		}
		defer d.close()
		cfg.demoEnv = d
	}
	return serve(ctx, cfg, stdout, log, nil)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// serve runs the server until ctx ends. When ready is not nil it receives the base URL
// once the server listens (tests use it).
func serve(ctx context.Context, cfg serveConfig, stdout io.Writer, log *slog.Logger, ready chan<- string) error {
	db, err := sqldb.Open(ctx, cfg.database, sqldb.Options{})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	hasher, err := auth.NewHasher(auth.DefaultParams())
	if err != nil {
		return err
	}
	if d := cfg.demoEnv; d != nil {
		cfg.allowedHosts = append(cfg.allowedHosts, strings.TrimPrefix(d.emuURL, "http://"))
	}
	sealer, linkKey, err := serverKeys(ctx, db, cfg.database, true)
	if err != nil {
		return err
	}
	notifyCfg, webhookEgress, err := notifyConfig(cfg)
	if err != nil {
		return err
	}
	svc := cairn.NewService(db, cairn.ServiceOptions{HashPassword: hasher.Hash, OperatorHosts: cfg.allowedHosts,
		LinkKey: linkKey, Secrets: sealer, CheckWebhook: webhookEgress.CheckURL, Email: notifyCfg.Mailer != nil})
	notifyCfg.Service = svc
	if err := svc.PrepareNotifications(ctx); err != nil {
		return fmt.Errorf("prepare notifications: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	base := "http://" + ln.Addr().String()
	if cfg.publicURL == "" {
		cfg.publicURL = base
	}
	cfg.publicURL = strings.TrimRight(cfg.publicURL, "/")

	if d := cfg.demoEnv; d != nil {
		if err := firstStartAdmin(ctx, db, hasher, d.email, d.password, stdout); err != nil {
			ln.Close()
			return err
		}
		if err := seedDemo(ctx, svc, db, d, time.Now(), stdout); err != nil {
			ln.Close()
			return fmt.Errorf("demo data: %w", err)
		}
	} else if err := firstStart(ctx, db, hasher, cfg.publicURL, stdout); err != nil {
		ln.Close()
		return err
	}
	csrfKey, err := settingKey(ctx, db, "csrf_key")
	if err != nil {
		ln.Close()
		return err
	}
	var oidc *auth.OIDC
	if issuer := os.Getenv("CAIRN_OIDC_ISSUER"); issuer != "" {
		cookieKey, err := settingKey(ctx, db, "oidc_cookie_key")
		if err != nil {
			ln.Close()
			return err
		}
		oidc, err = auth.NewOIDC(ctx, auth.OIDCConfig{
			Issuer:       issuer,
			ClientID:     os.Getenv("CAIRN_OIDC_CLIENT_ID"),
			ClientSecret: os.Getenv("CAIRN_OIDC_CLIENT_SECRET"),
			RedirectURL:  cfg.publicURL + "/auth/oidc/callback",
			CookieKey:    cookieKey,
		})
		if err != nil {
			ln.Close()
			return fmt.Errorf("sign-in with Microsoft: %w", err)
		}
	}
	syncMetrics := datasource.NewMetrics()
	jobMetrics := jobs.NewMetrics(db.SQL(), db.Dialect(), log)
	notifyCfg.PublicURL = cfg.publicURL
	integ, runner, err := startIntegration(ctx, cfg, db, svc, sealer, notifyCfg, log, syncMetrics, jobMetrics)
	if err != nil {
		ln.Close()
		return err
	}
	if d := cfg.demoEnv; d != nil {
		if err := seedDemoIntegration(ctx, svc, db, integ, d, stdout); err != nil {
			ln.Close()
			return fmt.Errorf("demo data: %w", err)
		}
	}
	jobsUI, err := newJobsUI(ctx, runner, log)
	if err != nil {
		ln.Close()
		return err
	}
	srv, err := web.New(web.Config{
		Service: svc, Store: db, DB: db.SQL(), Ready: db.Ping, Log: log,
		CSRFKey: csrfKey, OIDC: oidc, Passwords: hasher, Integration: integ, JobsUI: jobsUI,
		PublicURL: cfg.publicURL, TrustProxy: cfg.trustProxy,
	})
	if err != nil {
		ln.Close()
		return err
	}
	srv.Registry().MustRegister(syncMetrics.Collectors()...)
	srv.Registry().MustRegister(jobMetrics.Collectors()...)
	if err := mountUI(srv, db); err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.debugAddr != "" {
		dln, err := net.Listen("tcp", cfg.debugAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("debug listener on %s: %w", cfg.debugAddr, err)
		}
		ds := debugServer()
		go func() { _ = ds.Serve(dln) }()
		defer ds.Close()
		log.Info("debug listener", slog.String("url", "http://"+dln.Addr().String()+"/debug/pprof/"))
		fmt.Fprintf(stdout, "Profiles (pprof) at http://%s/debug/pprof/\n", dln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if err := runner.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	log.Info("cairn listening", slog.String("url", base), slog.String("database", db.Dialect()))
	fmt.Fprintf(stdout, "Cairn is running at %s\n", cfg.publicURL)
	if d := cfg.demoEnv; d != nil {
		fmt.Fprintf(stdout, "Demo admin: %s / %s\n", d.email, d.password)
		fmt.Fprintf(stdout, "Azure DevOps emulator: %s/fabrikam (PAT %s)\n", d.emuURL, d.emu.PATs()[0])
	}
	if ready != nil {
		ready <- base
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := runner.Stop(sctx); err != nil {
		log.Warn("stopping the sync jobs", slog.String("err", err.Error()))
	}
	log.Info("stopped")
	return nil
}

// firstStart creates the tenant and its first admin on an empty database, from
// CAIRN_ADMIN_EMAIL and CAIRN_ADMIN_PASSWORD or through a printed one-time setup link.
func firstStart(ctx context.Context, db cairn.Store, hasher *auth.Hasher, publicURL string, stdout io.Writer) error {
	_, err := db.Tenant(ctx)
	if err == nil {
		return nil
	}
	if cairn.ErrorCode(err) != cairn.ENOTFOUND {
		return err
	}
	email, password := os.Getenv("CAIRN_ADMIN_EMAIL"), os.Getenv("CAIRN_ADMIN_PASSWORD")
	if email != "" && password != "" {
		return firstStartAdmin(ctx, db, hasher, email, password, stdout)
	}
	tok, err := web.NewSetupToken(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Cairn has no administrator yet. Open this one-time link to create one:\n  %s/setup?token=%s\n", publicURL, tok)
	return nil
}

// firstStartAdmin creates the tenant and its first admin unless a tenant exists.
func firstStartAdmin(ctx context.Context, db cairn.Store, hasher *auth.Hasher, email, password string, stdout io.Writer) error {
	if _, err := db.Tenant(ctx); err == nil {
		return nil
	} else if cairn.ErrorCode(err) != cairn.ENOTFOUND {
		return err
	}
	u := &cairn.User{Email: email, Name: "Administrator", TenantAdmin: true, CreatedAt: time.Now().UTC()}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("CAIRN_ADMIN_EMAIL: %w", err)
	}
	h, err := hasher.Hash(password)
	if err != nil {
		return fmt.Errorf("CAIRN_ADMIN_PASSWORD: %w", err)
	}
	u.PasswordHash = h
	if err := db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn", CreatedAt: u.CreatedAt}, u); err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	fmt.Fprintf(stdout, "Created the tenant and its admin %s.\n", u.Email)
	return nil
}

// settingKey returns a random 32-byte key kept in the settings table, created on first use,
// so that every replica shares it.
func settingKey(ctx context.Context, db cairn.Store, name string) ([]byte, error) {
	v, err := db.Setting(ctx, name)
	if err == nil {
		return hex.DecodeString(v)
	}
	if cairn.ErrorCode(err) != cairn.ENOTFOUND {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := db.SetSetting(ctx, name, hex.EncodeToString(b)); err != nil {
		return nil, err
	}
	// Another replica may have won the race; use whatever is stored.
	v, err = db.Setting(ctx, name)
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// notifyConfig reads the channels of notifications from the environment: e-mail from
// CAIRN_SMTP_URL and CAIRN_SMTP_FROM, and the webhook egress rules from
// CAIRN_WEBHOOK_ALLOWED_HOSTS.
func notifyConfig(cfg serveConfig) (*jobs.NotifyConfig, *notify.WebhookEgress, error) {
	hosts, err := cairn.ParseHostList(os.Getenv("CAIRN_WEBHOOK_ALLOWED_HOSTS"))
	if err != nil {
		return nil, nil, fmt.Errorf("CAIRN_WEBHOOK_ALLOWED_HOSTS: %w", err)
	}
	egress := &notify.WebhookEgress{Hosts: hosts}
	n := &jobs.NotifyConfig{Poster: notify.NewPoster(egress)}
	if v := os.Getenv("CAIRN_NOTIFY_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return nil, nil, fmt.Errorf("CAIRN_NOTIFY_INTERVAL %q: want a duration of a second or more, such as 30s or 5m", v)
		}
		n.Every = d
	}
	if raw := os.Getenv("CAIRN_SMTP_URL"); raw != "" {
		if n.Mailer, err = notify.NewMailer(raw, os.Getenv("CAIRN_SMTP_FROM")); err != nil {
			return nil, nil, err
		}
	} else if os.Getenv("CAIRN_SMTP_FROM") != "" {
		return nil, nil, fmt.Errorf("CAIRN_SMTP_FROM is set but CAIRN_SMTP_URL is not: set both to send e-mail")
	}
	return n, egress, nil
}

// startIntegration wires the Azure DevOps integration: the sealing key, the sync engine,
// River's job runner (not yet started) and the integration service.
func startIntegration(ctx context.Context, cfg serveConfig, db *sqldb.DB, svc *cairn.Service, sealer *auth.Sealer,
	notifyCfg *jobs.NotifyConfig, log *slog.Logger, m *datasource.Metrics, jm *jobs.Metrics) (*datasource.Service, *jobs.Runner, error) {
	clients := datasource.ClientConfig{
		Egress:            &azdo.Egress{Hosts: cfg.allowedHosts, Listed: svc.AllowedHosts},
		VSSPSURL:          os.Getenv("CAIRN_AZDO_VSSPS_URL"),
		OAuthClientID:     os.Getenv("CAIRN_AZDO_CLIENT_ID"),
		OAuthClientSecret: os.Getenv("CAIRN_AZDO_CLIENT_SECRET"),
		OAuthTenant:       os.Getenv("CAIRN_AZDO_TENANT"),
	}
	if d := cfg.demoEnv; d != nil {
		clients.VSSPSURL = d.emuURL + "/_vssps"
	}
	cacheItems, err := mirrorCacheItems()
	if err != nil {
		return nil, nil, err
	}
	syncer := datasource.NewSyncer(datasource.SyncerConfig{Store: db, Sealer: sealer, Clients: clients, Log: log, OnSynced: m.Observe,
		MirrorCacheItems: cacheItems})
	workers := 0
	if v := strings.TrimSpace(os.Getenv("CAIRN_SYNC_WORKERS")); v != "" {
		if workers, err = strconv.Atoi(v); err != nil || workers < 1 {
			return nil, nil, fmt.Errorf("CAIRN_SYNC_WORKERS=%q: want how many syncs run at once, 1 or more", v)
		}
	}
	scheduleEvery, err := envDuration("CAIRN_SYNC_SCHEDULE_EVERY")
	if err != nil {
		return nil, nil, err
	}
	rescueAfter, err := envDuration("CAIRN_JOB_RESCUE_AFTER")
	if err != nil {
		return nil, nil, err
	}
	runner, err := jobs.New(ctx, jobs.Config{DB: db.SQL(), Dialect: db.Dialect(), Store: db, Syncer: syncer, Workers: workers,
		ScheduleEvery: scheduleEvery, RescueAfter: rescueAfter, Log: log, Metrics: jm, Notify: notifyCfg, MigrationLock: db.MigrationLock})
	if err != nil {
		return nil, nil, err
	}
	integ := datasource.New(datasource.Config{Cairn: svc, Store: db, Sealer: sealer, Clients: clients, Syncer: syncer,
		Enqueuer: runner, PublicURL: cfg.publicURL, Log: log})
	return integ, runner, nil
}

// envDuration reads a duration such as "90s" or "5m" from the environment; unset is zero.
// mirrorCacheItems reads CAIRN_MIRROR_CACHE_ITEMS as datasource.SyncerConfig wants it:
// 0 (the default) when unset, -1 (none) for "0".
func mirrorCacheItems() (int, error) {
	v := strings.TrimSpace(os.Getenv("CAIRN_MIRROR_CACHE_ITEMS"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("CAIRN_MIRROR_CACHE_ITEMS=%q: want a whole number of work items, 0 to keep none", v)
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

func envDuration(name string) (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 30s or 5m", name, v)
	}
	return d, nil
}

// secretKeyFile returns the key file that holds the sealing keys when CAIRN_SECRET_KEY is
// not set: CAIRN_SECRET_KEY_FILE, or cairn.key next to a SQLite database (in the working
// folder for PostgreSQL).
func secretKeyFile(database, dialect string) string {
	if f := os.Getenv("CAIRN_SECRET_KEY_FILE"); f != "" {
		return f
	}
	if dialect == sqldb.DialectSQLite {
		path, _, _ := strings.Cut(database, "?")
		return filepath.Join(filepath.Dir(path), "cairn.key")
	}
	return "cairn.key"
}

// serverKeys returns what a server needs of its keys: the sealer of credentials (made on
// the first start when create is set), checked against the credentials the database
// holds so that a wrong key never writes any, and the key that signs unsubscribe links.
func serverKeys(ctx context.Context, db *sqldb.DB, database string, create bool) (*auth.Sealer, []byte, error) {
	sealer, err := loadSealer(database, db.Dialect(), create)
	if err != nil {
		return nil, nil, err
	}
	if err := datasource.CheckKey(ctx, db, db, sealer); err != nil {
		return nil, nil, err
	}
	linkKey, err := settingKey(ctx, db, "unsubscribe_key")
	if err != nil {
		return nil, nil, err
	}
	return sealer, linkKey, nil
}

// loadSealer returns the keyring that seals Azure DevOps credentials, from
// CAIRN_SECRET_KEY or the key file. With create, a missing key file is created with a
// fresh key (on a server's first start); without, it is an error.
func loadSealer(database, dialect string, create bool) (*auth.Sealer, error) {
	keyFile := secretKeyFile(database, dialect)
	env := os.Getenv(auth.SecretKeyEnv)
	if strings.TrimSpace(env) == "" && !create {
		if _, err := os.Stat(keyFile); err != nil {
			return nil, fmt.Errorf("no sealing key: %s is not set and the key file %s cannot be read (%v); set %s or CAIRN_SECRET_KEY_FILE as the servers have them", auth.SecretKeyEnv, keyFile, err, auth.SecretKeyEnv)
		}
	}
	sealer, err := auth.LoadKey(env, keyFile)
	if err != nil {
		return nil, fmt.Errorf("the key that seals Azure DevOps credentials (%s or %s): %w", auth.SecretKeyEnv, keyFile, err)
	}
	return sealer, nil
}
