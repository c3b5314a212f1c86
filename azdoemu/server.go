package azdoemu

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-okr/cairn/azdoemu/hookdelivery"
	"github.com/cairn-okr/cairn/azdoemu/traffic"
)

// Options configures an emulator Server.
type Options struct {
	// PATs are the personal access tokens accepted as Basic-auth passwords.
	// When empty, New generates one random PAT (see Server.PATs).
	PATs []string
	// BearerTokens are accepted as "Authorization: Bearer" tokens.
	BearerTokens []string
	// Latency is added to every API response.
	Latency time.Duration
	// Faults is a fault spec as traffic.ParseFaults reads it.
	Faults string
	// Budget is the TSTU allowance per identity per five minutes; 0 is unlimited.
	Budget float64
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// HookClient sends service-hook deliveries; nil means http.DefaultClient.
	HookClient *http.Client
	// HookClock drives delivery retries; nil lets hookdelivery use real time.
	HookClock hookdelivery.Clock
	// Scenario is loaded first when set.
	Scenario *Scenario
	// Generate is a generator spec such as
	// "epics=20,features=200,stories=2000,tasks=8000,bugs=500,seed=1"; its
	// items go to fabrikam/Fabrikam Fiber.
	Generate string
	// Seed seeds the fault injector's random source.
	Seed int64
	// Server makes the emulator play an Azure DevOps Server release ("2019",
	// "2020" or "2022", see ServerReleases) instead of Azure DevOps Services:
	// it serves its first organization as the collection
	// /tfs/DefaultCollection, refuses api-versions newer than the release
	// knows, and has no profile or accounts service.
	Server string
}

// Server is a running or runnable emulator. It is an http.Handler and safe
// for concurrent use.
type Server struct {
	mu         sync.RWMutex
	orgs       map[string]*org
	orgOrder   []*org
	identities []Identity
	me         Identity
	pats       map[string]*credential
	bearers    map[string]*credential
	now        func() time.Time
	base       atomic.Pointer[string]
	queryLimit atomic.Int64   // rows a query may return; 0 means 20,000
	release    *serverRelease // the Azure DevOps Server played, nil for Services

	traffic *traffic.Middleware
	api     http.Handler
	hooks   *hookdelivery.Deliverer

	httpMu sync.Mutex
	srv    *http.Server
}

// credential is an accepted token and its state.
type credential struct {
	expired bool
	cap     bool
	owner   Identity
}

// New builds an emulator from opts.
func New(opts Options) (*Server, error) {
	s := &Server{
		orgs:    map[string]*org{},
		pats:    map[string]*credential{},
		bearers: map[string]*credential{},
		now:     opts.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.Server != "" {
		rel, ok := serverReleases[opts.Server]
		if !ok {
			return nil, fmt.Errorf("azdoemu: new: server %q is not one of %s", opts.Server, strings.Join(ServerReleases(), ", "))
		}
		s.release = &rel
	}
	faults, err := traffic.ParseFaults(opts.Faults)
	if err != nil {
		return nil, fmt.Errorf("azdoemu: new: faults: %w", err)
	}
	if opts.Latency < 0 {
		return nil, fmt.Errorf("azdoemu: new: latency %s is negative", opts.Latency)
	}
	if opts.Budget < 0 {
		return nil, fmt.Errorf("azdoemu: new: budget %g is negative", opts.Budget)
	}
	s.traffic = traffic.New(traffic.Config{Faults: faults, Latency: opts.Latency, Budget: opts.Budget, Now: opts.Now, Seed: opts.Seed})
	s.api = s.traffic.Wrap(http.HandlerFunc(s.serveAPI), routeName, tokenOf)
	client := opts.HookClient
	if client == nil {
		client = http.DefaultClient
	}
	s.hooks = hookdelivery.New(client, opts.HookClock, s.onHookStatus)

	s.me = newIdentity("Emulator User", "emulator.user@fabrikam.example")
	if opts.Scenario != nil {
		if err := s.loadScenario(opts.Scenario); err != nil {
			return nil, err
		}
	}
	if opts.Generate != "" {
		spec, err := ParseGenerateSpec(opts.Generate)
		if err != nil {
			return nil, fmt.Errorf("azdoemu: new: %w", err)
		}
		if err := s.generate(spec); err != nil {
			return nil, err
		}
	}
	if len(s.orgs) == 0 {
		s.mu.Lock()
		o := s.ensureOrg("fabrikam")
		_, err := s.addProject(o, "Fabrikam Fiber", "Agile", "", s.now())
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	if s.release != nil {
		s.becomeServer()
	}
	if len(s.identities) > 0 && opts.Scenario != nil && s.me.UniqueName == "emulator.user@fabrikam.example" {
		s.me = s.identities[0]
	}
	pats := opts.PATs
	if len(pats) == 0 {
		pats = []string{randomToken()}
	}
	for _, p := range pats {
		if p == "" {
			return nil, errors.New("azdoemu: new: empty PAT")
		}
		s.pats[p] = &credential{owner: s.me}
	}
	for _, b := range opts.BearerTokens {
		if b == "" {
			return nil, errors.New("azdoemu: new: empty bearer token")
		}
		s.bearers[b] = &credential{owner: s.me}
	}
	return s, nil
}

// randomToken returns a 52-character PAT-like token.
func randomToken() string {
	b := make([]byte, 26)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// PATs returns the accepted personal access tokens.
func (s *Server) PATs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.pats))
	for p := range s.pats {
		out = append(out, p)
	}
	sortStrings(out)
	return out
}

// AddPAT makes the server accept another personal access token.
func (s *Server) AddPAT(pat string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pats[pat] = &credential{owner: s.me}
}

// AddBearerToken makes the server accept another bearer token.
func (s *Server) AddBearerToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bearers[token] = &credential{owner: s.me}
}

// SetPATExpired marks a PAT (or bearer token) as expired, so requests with
// it get 203 and a sign-in page, or as valid again.
func (s *Server) SetPATExpired(pat string, expired bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.pats[pat]
	if c == nil {
		c = s.bearers[pat]
	}
	if c == nil {
		return errorf("set PAT expired", "unknown token")
	}
	c.expired = expired
	return nil
}

// SetCAP turns the conditional-access failure (403 VS403463) on or off for
// an organization name or a token.
func (s *Server) SetCAP(orgOrToken string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orgs[strings.ToLower(orgOrToken)]; o != nil {
		o.cap = on
		return nil
	}
	if c := s.pats[orgOrToken]; c != nil {
		c.cap = on
		return nil
	}
	if c := s.bearers[orgOrToken]; c != nil {
		c.cap = on
		return nil
	}
	return errorf("set CAP", "%q is neither an organization nor a known token", orgOrToken)
}

// SetBaseURL sets the base URL used in response bodies (no trailing slash).
// Without it, URLs are derived from each request's Host.
func (s *Server) SetBaseURL(u string) {
	u = strings.TrimRight(u, "/")
	s.base.Store(&u)
}

// Start listens on addr, serves the emulator in the background and returns
// its base URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("azdoemu: start: %w", err)
	}
	base := "http://" + ln.Addr().String()
	s.SetBaseURL(base)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.httpMu.Lock()
	s.srv = srv
	s.httpMu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return base, nil
}

// Shutdown stops a started server gracefully, waiting for requests in flight
// until ctx ends, and stops hook deliveries.
func (s *Server) Shutdown(ctx context.Context) error {
	s.httpMu.Lock()
	srv := s.srv
	s.srv = nil
	s.httpMu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	s.hooks.Close()
	return err
}

// Close stops a started server at once and stops hook deliveries.
func (s *Server) Close() error {
	s.httpMu.Lock()
	srv := s.srv
	s.srv = nil
	s.httpMu.Unlock()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	s.hooks.Close()
	return err
}

// WaitHooks waits until every service-hook delivery in flight has finished.
func (s *Server) WaitHooks() { s.hooks.Wait() }

// Stats returns the per-route response counters.
func (s *Server) Stats() traffic.Stats { return s.traffic.Stats() }

// ResetStats clears the counters and rate-limit usage.
func (s *Server) ResetStats() { s.traffic.Reset() }

// ServeHTTP serves the whole emulator.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/_emulator/stats" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		writeJSON(w, http.StatusOK, s.traffic.Stats())
		return
	case p == "/_emulator/reset" && r.Method == http.MethodPost:
		s.traffic.Reset()
		w.WriteHeader(http.StatusNoContent)
		return
	case strings.HasPrefix(p, "/_emulator/"):
		writeAPIError(w, errNotFoundRoute(p))
		return
	}
	if s.release != nil {
		var ok bool
		if r, ok = s.serverPath(w, r); !ok {
			return
		}
	}
	s.api.ServeHTTP(w, r)
}

// tokenOf returns the credential of a request, the identity for rate limits.
func tokenOf(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return "malformed"
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		return pass
	case "bearer":
		return strings.TrimSpace(rest)
	}
	return "anonymous"
}

// routeName classifies a request for stats and faults, e.g. "wit/wiql".
func routeName(r *http.Request) string {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i, sg := range segs {
		if !strings.EqualFold(sg, "_apis") {
			continue
		}
		rest := segs[i+1:]
		if r.Method == http.MethodOptions && i == 1 && len(rest) <= 1 {
			return "options" // the resource locations, all or one area's
		}
		if len(rest) == 0 {
			return "other"
		}
		area := strings.ToLower(rest[0])
		switch area {
		case "projects":
			return "core/projects"
		case "connectiondata":
			return "core/connectiondata"
		case "resourceareas":
			return "location/resourceareas"
		case "profile":
			return "profile/profiles"
		case "accounts":
			return "accounts"
		case "hooks":
			if len(rest) > 1 {
				return "hooks/" + strings.ToLower(rest[1])
			}
			return "hooks"
		case "wit":
			if len(rest) < 2 {
				return "wit"
			}
			sub := strings.ToLower(rest[1])
			if sub == "reporting" && len(rest) > 2 {
				return "wit/reporting/" + strings.ToLower(rest[2])
			}
			if sub == "workitemtypes" && len(rest) > 3 && (strings.EqualFold(rest[3], "states") || strings.EqualFold(rest[3], "fields")) {
				return "wit/workitemtypes/" + strings.ToLower(rest[3])
			}
			return "wit/" + sub
		}
		return area
	}
	return "other"
}

// reqCtx carries one API request through its handler.
type reqCtx struct {
	w     http.ResponseWriter
	r     *http.Request
	base  string
	org   *org
	proj  *project
	team  string
	rest  []string // path segments after _apis, unescaped
	query url.Values
	me    Identity
}

// at reports whether the route segments after _apis equal parts
// (case-insensitive; "*" matches any one segment).
func (c *reqCtx) at(parts ...string) bool {
	if len(c.rest) != len(parts) {
		return false
	}
	for i, p := range parts {
		if p != "*" && !strings.EqualFold(p, c.rest[i]) {
			return false
		}
	}
	return true
}

// param returns a query parameter, matching its name case-insensitively.
func (c *reqCtx) param(name string) string {
	if v, ok := c.query[name]; ok && len(v) > 0 {
		return v[0]
	}
	for k, v := range c.query {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func (c *reqCtx) json(v any) { writeJSON(c.w, http.StatusOK, v) }

func (c *reqCtx) fail(err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeAPIError(c.w, ae)
		return
	}
	writeAPIError(c.w, newAPIError(http.StatusInternalServerError, "InternalServerErrorException", nsVSS, "%s", err.Error()))
}

// writeJSON writes v with Azure DevOps' content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8; api-version=7.1")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)(-preview(\.\d+)?)?$`)

// apiVersion finds the api-version in the query string or Accept header.
func apiVersion(r *http.Request) string {
	if v := r.URL.Query().Get("api-version"); v != "" {
		return v
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "api-version") {
			return strings.TrimSpace(strings.Split(v, ",")[0])
		}
	}
	return ""
}

// checkVersion validates the requested api-version as Services does.
func checkVersion(r *http.Request) *apiError {
	v := apiVersion(r)
	if v == "" {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return nil
		}
		return newAPIError(http.StatusBadRequest, "VssVersionNotSpecifiedException", nsVSS,
			"No api-version was supplied for the %q request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0').", r.Method)
	}
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return newAPIError(http.StatusBadRequest, "VssInvalidApiVersionException", nsVSS,
			"The api-version '%s' is not in a valid format. Expected format is MAJOR.MINOR[-preview[.REVISION]].", v)
	}
	// Services releases 7.1 and previews 7.2, as its resource locations say
	// (maxVersion 7.2, releasedVersion 7.1); the SDKs negotiate 7.2-preview.
	major, minor, preview := atoi(m[1]), atoi(m[2]), m[3] != ""
	if len(m[1]) > 1 || major > 7 || major == 7 && (minor > 2 || minor == 2 && !preview) {
		return newAPIError(http.StatusBadRequest, "VssVersionOutOfRangeException", nsVSS,
			"VS800071: The requested REST API version of %s is out of range for this server. The latest REST API version this server supports is 7.1.", v)
	}
	return nil
}

// signInPage is what Azure DevOps answers with 203 for an expired or
// malformed credential.
const signInPage = `<!DOCTYPE html>
<html lang="en-US">
<head><title>Azure DevOps Services | Sign In</title><meta http-equiv="X-UA-Compatible" content="IE=11;&#32;IE=10;&#32;IE=9;&#32;IE=8" /></head>
<body><div class="signin">Sign in to Azure DevOps to continue.</div><script>window.location.replace("https://app.vssps.visualstudio.com/_signin?realm=dev.azure.com&reply_to=");</script></body>
</html>
`

func writeSignIn(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNonAuthoritativeInfo)
	_, _ = w.Write([]byte(signInPage))
}

// authenticate checks the Authorization header. It writes the failure
// response itself and returns ok=false when the request must stop.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, base string) (*credential, bool) {
	unauthorized := func() (*credential, bool) {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+base+`/"`)
		w.Header().Set("X-TFS-ProcessId", "00000000-0000-0000-0000-000000000000")
		w.WriteHeader(http.StatusUnauthorized)
		return nil, false
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return unauthorized()
	}
	scheme, rest, _ := strings.Cut(h, " ")
	rest = strings.TrimSpace(rest)
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil || !strings.Contains(string(raw), ":") {
			writeSignIn(w)
			return nil, false
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		c := s.pats[pass]
		if c == nil {
			if pass == "" {
				return unauthorized()
			}
			return unauthorized()
		}
		if c.expired {
			writeSignIn(w)
			return nil, false
		}
		return c, true
	case "bearer":
		c := s.bearers[rest]
		if c == nil || c.expired {
			writeSignIn(w)
			return nil, false
		}
		return c, true
	}
	return unauthorized()
}

// baseFor returns the base URL for bodies.
func (s *Server) baseFor(r *http.Request) string {
	if b := s.base.Load(); b != nil && *b != "" {
		return *b + s.rootPath()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.rootPath()
}

// serveAPI authenticates, resolves organization and project, and dispatches.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	base := s.baseFor(r)
	raw := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	segs := make([]string, len(raw))
	apis := -1
	for i, sg := range raw {
		u, err := url.PathUnescape(sg)
		if err != nil {
			writeAPIError(w, errBadRequest("Invalid path segment %q.", sg))
			return
		}
		segs[i] = u
		if apis < 0 && strings.EqualFold(u, "_apis") {
			apis = i
		}
	}
	if apis < 1 {
		traffic.SetRoute(r, RouteUnserved)
		writeAPIError(w, errNotFoundRoute(r.URL.Path))
		return
	}
	cred, ok := s.authenticate(w, r, base)
	if !ok {
		return
	}
	if r.Method == http.MethodOptions && apis == 1 && len(segs) <= 3 && !strings.EqualFold(segs[0], "_vssps") {
		area := ""
		if len(segs) == 3 {
			area = segs[2]
		}
		s.serveLocations(w, r, segs[0], area)
		return
	}
	if err := s.checkRequestVersion(r, segs[apis+1:]); err != nil {
		writeAPIError(w, err)
		return
	}
	if s.release != nil {
		if v := apiVersion(r); v != "" {
			w = &versionWriter{ResponseWriter: w, version: v}
		}
	}
	c := &reqCtx{w: w, r: r, base: base, rest: segs[apis+1:], query: r.URL.Query(), me: cred.owner}
	prefix := segs[:apis]
	if strings.EqualFold(prefix[0], "_vssps") && len(prefix) == 1 {
		if s.release != nil {
			// Azure DevOps Server has no profile or accounts service.
			writeAPIError(w, errNotFoundRoute(r.URL.Path))
			return
		}
		if cred.cap {
			writeAPIError(w, errCAP())
			return
		}
		s.serveVSSPS(c)
		return
	}
	if len(prefix) > 3 {
		traffic.SetRoute(r, RouteUnserved)
		writeAPIError(w, errNotFoundRoute(r.URL.Path))
		return
	}
	write := !readOnly(r.Method, c.rest)
	if write {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	var out []pending
	func() {
		if write {
			defer s.mu.Unlock()
		} else {
			defer s.mu.RUnlock()
		}
		o := s.orgs[strings.ToLower(prefix[0])]
		if o == nil || !strings.EqualFold(o.name, prefix[0]) {
			writeAPIError(w, errOrgNotFound(prefix[0]))
			return
		}
		if o.cap || cred.cap {
			writeAPIError(w, errCAP())
			return
		}
		c.org = o
		if len(prefix) > 1 {
			c.proj = o.projectByNameOrID(prefix[1])
			if c.proj == nil {
				writeAPIError(w, errProjectNotFound(prefix[1]))
				return
			}
		}
		if len(prefix) > 2 {
			c.team = prefix[2]
		}
		out = s.dispatch(c)
	}()
	s.deliver(out)
}

// readOnly reports whether a request only reads the emulator's state, so that it may
// share the lock with other readers: GET and HEAD, and the POST routes whose body is a
// query (WIQL, the work items batch, reporting revisions).
func readOnly(method string, rest []string) bool {
	switch method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		if len(rest) < 2 || !strings.EqualFold(rest[0], "wit") {
			return false
		}
		switch strings.ToLower(rest[1]) {
		case "wiql", "workitemsbatch":
			return len(rest) == 2
		case "reporting":
			return len(rest) == 3 && strings.EqualFold(rest[2], "workitemrevisions")
		}
	}
	return false
}

// dispatch routes an org- or project-scoped API call. It returns hook
// deliveries to make once the lock is released.
func (s *Server) dispatch(c *reqCtx) []pending {
	m := c.r.Method
	if len(c.rest) == 0 {
		s.routeMiss(c)
		return nil
	}
	teamOK := len(c.rest) >= 2 && strings.EqualFold(c.rest[0], "wit") && strings.EqualFold(c.rest[1], "wiql")
	if c.team != "" && !teamOK {
		s.routeMiss(c)
		return nil
	}
	switch strings.ToLower(c.rest[0]) {
	case "projects":
		if c.proj != nil || m != http.MethodGet {
			break
		}
		switch len(c.rest) {
		case 1:
			s.listProjects(c)
			return nil
		case 2:
			s.getProject(c)
			return nil
		case 3, 4:
			if strings.EqualFold(c.rest[2], "teams") {
				s.serveProjectTeams(c)
				return nil
			}
		}
	case "teams":
		if c.proj == nil && m == http.MethodGet && len(c.rest) == 1 {
			s.listTeams(c, c.org.projects)
			return nil
		}
	case "distributedtask":
		s.serveDistributedTask(c)
		return nil
	case "git":
		s.serveGit(c)
		return nil
	case "connectiondata":
		if m == http.MethodGet && len(c.rest) == 1 {
			s.connectionData(c)
			return nil
		}
	case "resourceareas":
		s.serveResourceAreas(c)
		return nil
	case "hooks":
		if c.proj != nil {
			break
		}
		return s.serveHooks(c)
	case "wit":
		return s.serveWIT(c)
	}
	s.routeMiss(c)
	return nil
}

// routeMiss answers a route the emulator does not serve with the service's 404 for an
// unknown route, and counts it under "unserved" in the stats so that gaps show.
func (s *Server) routeMiss(c *reqCtx) {
	traffic.SetRoute(c.r, RouteUnserved)
	writeAPIError(c.w, errNotFoundRoute(c.r.URL.Path))
}

// RouteUnserved is the stats route under which requests the emulator does not serve
// are counted.
const RouteUnserved = "unserved"

// needProject fails the request when it has no project segment.
func (c *reqCtx) needProject() bool {
	if c.proj == nil {
		writeAPIError(c.w, newAPIError(http.StatusNotFound, "ProjectDoesNotExistWithNameException", nsCore,
			"TF200016: The following project does not exist: (none). Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."))
		return false
	}
	return true
}
