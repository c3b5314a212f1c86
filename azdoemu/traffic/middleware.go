package traffic

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Defaults used when the matching Config field is zero.
const (
	DefaultDelayThreshold = 0.8
	DefaultMaxDelay       = time.Second
)

// Outcome keys that Stats uses besides status codes.
const (
	// OutcomeReset counts connections closed by a FaultReset.
	OutcomeReset = "reset"
	// OutcomeCanceled counts requests whose client went away while the middleware slept.
	OutcomeCanceled = "canceled"
)

// Config configures a Middleware.
type Config struct {
	// Faults are injected in order; see ParseFaults.
	Faults []Fault
	// Latency is added to every request.
	Latency time.Duration
	// Budget is the TSTU allowance per identity over a sliding Window; 0 means unlimited.
	Budget float64
	// DelayThreshold is the fraction of Budget past which responses are delayed; 0 means
	// DefaultDelayThreshold.
	DelayThreshold float64
	// MaxDelay is the longest rate-limit delay, reached when usage hits Budget; 0 means
	// DefaultMaxDelay.
	MaxDelay time.Duration
	// Cost prices a request in TSTU; nil means DefaultCost.
	Cost func(route string, r *http.Request) float64
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done; nil means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Seed seeds the random source behind faults.
	Seed int64
}

// Validate reports the first field of c that is out of range. New treats such fields as unset.
func (c Config) Validate() error {
	switch {
	case c.Latency < 0:
		return fmt.Errorf("traffic config: latency %s is negative", c.Latency)
	case c.Budget < 0:
		return fmt.Errorf("traffic config: budget %g is negative", c.Budget)
	case c.DelayThreshold < 0 || c.DelayThreshold > 1:
		return fmt.Errorf("traffic config: delay threshold %g is outside 0..1", c.DelayThreshold)
	case c.MaxDelay < 0:
		return fmt.Errorf("traffic config: max delay %s is negative", c.MaxDelay)
	}
	for i, f := range c.Faults {
		if f.Probability < 0 || f.Probability > 1 {
			return fmt.Errorf("traffic config: fault %d (%s): probability outside 0..1", i+1, f)
		}
	}
	return nil
}

// Stats counts responses. It marshals as {"total": N, "routes": {"wit/wiql": {"200": 3}}}.
type Stats struct {
	// Total is the number of requests counted.
	Total int64 `json:"total"`
	// Routes maps a route name to counts by status code or outcome ("reset", "canceled").
	Routes map[string]map[string]int64 `json:"routes"`
}

// Middleware adds latency, rate limiting and faults to a handler and counts responses. It is
// safe for concurrent use.
type Middleware struct {
	cfg   Config
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	cost  func(string, *http.Request) float64

	mu    sync.Mutex
	rng   *rand.Rand
	lim   limiter
	stats Stats
}

// New builds a Middleware from cfg, using defaults for unset or out-of-range fields.
func New(cfg Config) *Middleware {
	m := &Middleware{cfg: cfg, now: cfg.Now, sleep: cfg.Sleep, cost: cfg.Cost}
	if m.now == nil {
		m.now = time.Now
	}
	if m.sleep == nil {
		m.sleep = realSleep
	}
	if m.cost == nil {
		m.cost = DefaultCost
	}
	m.cfg.Latency = max(cfg.Latency, 0)
	m.cfg.Budget = max(cfg.Budget, 0)
	if cfg.DelayThreshold <= 0 || cfg.DelayThreshold > 1 {
		m.cfg.DelayThreshold = DefaultDelayThreshold
	}
	if cfg.MaxDelay <= 0 {
		m.cfg.MaxDelay = DefaultMaxDelay
	}
	m.cfg.Faults = append([]Fault(nil), cfg.Faults...)
	m.resetLocked()
	return m
}

// resetLocked restores counters, usage and the random source to their initial state.
func (m *Middleware) resetLocked() {
	seed := uint64(m.cfg.Seed)
	m.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	m.lim = limiter{
		budget:    m.cfg.Budget,
		threshold: m.cfg.Budget * m.cfg.DelayThreshold,
		maxDelay:  m.cfg.MaxDelay,
		byID:      map[string]*account{},
	}
	m.stats = Stats{Routes: map[string]map[string]int64{}}
}

// Reset clears the counters and every identity's usage and reseeds the random source, so the
// middleware behaves as if just built.
func (m *Middleware) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resetLocked()
}

// Stats returns a copy of the counters.
func (m *Middleware) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := Stats{Total: m.stats.Total, Routes: make(map[string]map[string]int64, len(m.stats.Routes))}
	for route, byStatus := range m.stats.Routes {
		c := make(map[string]int64, len(byStatus))
		for k, v := range byStatus {
			c[k] = v
		}
		out.Routes[route] = c
	}
	return out
}

// StatsHandler serves Stats as JSON on GET and resets them on DELETE.
func (m *Middleware) StatsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			w.Header().Set("Content-Type", JSONContentType)
			_ = json.NewEncoder(w).Encode(m.Stats())
		case http.MethodDelete:
			m.Reset()
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, HEAD, DELETE")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

func (m *Middleware) count(route, outcome string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.Total++
	byStatus := m.stats.Routes[route]
	if byStatus == nil {
		byStatus = map[string]int64{}
		m.stats.Routes[route] = byStatus
	}
	byStatus[outcome]++
}

// plan is what the faults decided for one request.
type plan struct {
	latency    time.Duration
	fault      *Fault
	status     int    // status of a FaultServerError
	activityID string // for server error bodies
}

// roll draws once for every fault matching route, in spec order.
func (m *Middleware) roll(route string) plan {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p plan
	for i := range m.cfg.Faults {
		f := &m.cfg.Faults[i]
		if !f.Matches(route) {
			continue
		}
		if m.rng.Float64() >= f.Probability {
			continue
		}
		switch {
		case f.Kind == FaultLatency:
			p.latency += f.Duration
		case p.fault == nil:
			p.fault = f
		}
	}
	if p.fault != nil && p.fault.Kind == FaultServerError {
		p.status = p.fault.Status
		if p.status == 0 {
			p.status = [...]int{500, 502, 503, 504}[m.rng.IntN(4)]
		}
		p.activityID = fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
			m.rng.Uint32(), m.rng.Uint32()&0xffff, m.rng.Uint32()&0xffff, m.rng.Uint32()&0xffff, m.rng.Uint64()&0xffffffffffff)
	}
	return p
}

func (m *Middleware) admit(id string, cost float64) decision {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lim.admit(id, cost, m.now())
}

// Wrap returns next behind the middleware. route names a request for faults and Stats (nil
// means the URL path); identity names whose budget it spends (nil means one shared budget).
func (m *Middleware) Wrap(next http.Handler, route func(*http.Request) string, identity func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path
		if route != nil {
			name = route(r)
		}
		var id string
		if identity != nil {
			id = identity(r)
		}
		m.serve(w, r, next, name, id)
	})
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler, route, id string) {
	p := m.roll(route)
	if d := m.cfg.Latency + p.latency; d > 0 {
		if err := m.sleep(r.Context(), d); err != nil {
			m.count(route, OutcomeCanceled)
			return
		}
	}

	var dec decision
	if m.cfg.Budget > 0 {
		dec = m.admit(id, m.cost(route, r))
		if dec.blocked {
			m.setLimitHeaders(w, dec)
			WriteBlocked(w, dec.retryAfter)
			m.count(route, strconv.Itoa(http.StatusTooManyRequests))
			return
		}
	}

	if p.fault != nil && p.fault.Kind == FaultReset {
		// Counted first: resetConn may abort the handler by panicking.
		m.count(route, OutcomeReset)
		resetConn(w)
		return
	}
	if p.fault != nil {
		m.count(route, m.inject(w, p))
		return
	}

	if dec.delayed {
		m.setLimitHeaders(w, dec)
		w.Header().Set("X-RateLimit-Delay", strconv.FormatFloat(dec.delay.Seconds(), 'f', 3, 64))
		w.Header().Set("Retry-After", strconv.FormatInt(ceilSeconds(dec.retryAfter), 10))
		if dec.delay > 0 {
			if err := m.sleep(r.Context(), dec.delay); err != nil {
				m.count(route, OutcomeCanceled)
				return
			}
		}
	}

	rec := &recorder{ResponseWriter: w}
	label := &routeLabel{}
	next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeLabelKey{}, label)))
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	if label.name != "" {
		route = label.name
	}
	m.count(route, strconv.Itoa(status))
}

type routeLabelKey struct{}

// routeLabel carries a route name that the wrapped handler chose for Stats.
type routeLabel struct{ name string }

// SetRoute renames, for Stats, the route of a request that a Middleware is serving: a
// handler calls it when it finds out more than the route function could, such as that
// it does not serve the request at all. Outside a Middleware it does nothing.
func SetRoute(r *http.Request, name string) {
	if l, ok := r.Context().Value(routeLabelKey{}).(*routeLabel); ok {
		l.name = name
	}
}

func (m *Middleware) setLimitHeaders(w http.ResponseWriter, dec decision) {
	h := w.Header()
	h.Set("X-RateLimit-Resource", "ATCPU")
	h.Set("X-RateLimit-Limit", strconv.FormatFloat(m.cfg.Budget, 'f', -1, 64))
	h.Set("X-RateLimit-Remaining", strconv.FormatFloat(max(m.cfg.Budget-dec.used, 0), 'f', -1, 64))
	if !dec.reset.IsZero() {
		h.Set("X-RateLimit-Reset", strconv.FormatInt(dec.reset.Unix(), 10))
	}
}

// inject answers with the planned fault and returns the outcome to count.
func (m *Middleware) inject(w http.ResponseWriter, p plan) string {
	switch p.fault.Kind {
	case FaultServerError:
		writeServerError(w, p.status, p.activityID)
		return strconv.Itoa(p.status)
	case FaultThrottle:
		WriteBlocked(w, p.fault.Duration)
		return strconv.Itoa(http.StatusTooManyRequests)
	case FaultSignIn:
		writeSignIn(w)
		return strconv.Itoa(http.StatusNonAuthoritativeInfo)
	case FaultUnauthorized:
		writeUnauthorized(w)
		return strconv.Itoa(http.StatusUnauthorized)
	case FaultForbidden:
		writeForbidden(w)
		return strconv.Itoa(http.StatusForbidden)
	default:
		// Unknown kinds come only from hand-built Faults; fail loudly rather than pass through.
		writeServerError(w, http.StatusInternalServerError, "00000000-0000-0000-0000-000000000000")
		return strconv.Itoa(http.StatusInternalServerError)
	}
}

// resetConn drops the client's connection without a response. Over HTTP/1 it hijacks the
// connection and closes it with a TCP reset; where hijacking is impossible (HTTP/2) it aborts
// the handler, which makes the server reset the stream.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func realSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sleep %s: %w", d, ctx.Err())
	}
}

// recorder notes the status a handler sends.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush passes flushes through for handlers that stream.
func (r *recorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
