package azdo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// APIVersion is the Azure DevOps REST API version the client speaks.
const APIVersion = "7.1"

// DefaultVSSPSURL is the profile and accounts service of Azure DevOps Services.
const DefaultVSSPSURL = "https://app.vssps.visualstudio.com"

const (
	defaultMaxRetries  = 6
	defaultConcurrency = 4
	baseBackoff        = 500 * time.Millisecond
	maxBackoff         = 30 * time.Second
	maxBodyBytes       = 512 << 20
	// lowRemainingFraction is the share of the rate-limit budget below which
	// the client spreads its remaining requests over the reset window.
	lowRemainingFraction = 0.1
)

// Config configures a Client.
type Config struct {
	// OrgURL is the organization or collection URL, such as
	// https://dev.azure.com/fabrikam, http://127.0.0.1:8090/fabrikam or
	// https://tfs.example.com/DefaultCollection.
	OrgURL string
	// VSSPSURL is the base of the profile and accounts service; it defaults
	// to DefaultVSSPSURL. The emulator serves it at http://ADDR/_vssps.
	VSSPSURL string
	// Auth supplies credentials; nil sends none.
	Auth Auth
	// HTTPClient sends requests; it defaults to a client with a 2 minute
	// timeout.
	HTTPClient *http.Client
	// UserAgent is sent with every request; it defaults to "cairn-azdo".
	UserAgent string
	// MaxRetries bounds retries of one request after its first attempt; 0
	// means 6 and a negative value disables retries.
	MaxRetries int
	// Sleep waits for d or until ctx ends; it defaults to a timer. Tests
	// inject it so that backoff costs no time.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time; it defaults to time.Now.
	Now func() time.Time
	// Concurrency bounds the batch requests WorkItems runs at once; it
	// defaults to 4.
	Concurrency int
	// OnCall, when set, is called after every HTTP attempt with the route
	// template (such as "wit/workitemsbatch") and the status, 0 for a
	// network failure. It may be called from several goroutines at once.
	OnCall func(route string, status int)
	// ServerAPIVersion is the REST API version negotiated with this
	// organization before, if any. When it is older than APIVersion, the
	// client negotiates before its first call instead of after the server
	// refuses APIVersion.
	ServerAPIVersion string
}

// Client calls one Azure DevOps organization. It is safe for concurrent use.
type Client struct {
	org        *url.URL
	vssps      *url.URL
	auth       Auth
	hc         *http.Client
	userAgent  string
	maxRetries int
	sleep      func(ctx context.Context, d time.Duration) error
	now        func() time.Time
	conc       int
	onCall     func(route string, status int)

	mu       sync.Mutex
	notUntil map[string]time.Time // host → earliest time of the next request
	rng      *rand.Rand
	rl       RateLimit

	hint    Version     // Config.ServerAPIVersion
	negOnce sync.Mutex  // held while negotiating
	negMu   sync.Mutex  // guards neg
	neg     negotiation // the negotiated versions
	// noParentField is set once the server refused System.Parent as unknown.
	noParentField atomic.Bool
	// served is set once the organization answered a versioned call.
	served atomic.Bool
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	org, err := parseBaseURL(cfg.OrgURL)
	if err != nil {
		return nil, fmt.Errorf("azdo: org URL: %w", err)
	}
	vs := cfg.VSSPSURL
	if vs == "" {
		vs = DefaultVSSPSURL
	}
	vssps, err := parseBaseURL(vs)
	if err != nil {
		return nil, fmt.Errorf("azdo: VSSPS URL: %w", err)
	}
	c := &Client{
		org:        org,
		vssps:      vssps,
		auth:       cfg.Auth,
		hc:         cfg.HTTPClient,
		userAgent:  cfg.UserAgent,
		maxRetries: cfg.MaxRetries,
		sleep:      cfg.Sleep,
		now:        cfg.Now,
		conc:       cfg.Concurrency,
		onCall:     cfg.OnCall,
		notUntil:   map[string]time.Time{},
		rng:        rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x63616972)),
	}
	if cfg.ServerAPIVersion != "" {
		h, err := ParseVersion(cfg.ServerAPIVersion)
		if err != nil {
			return nil, fmt.Errorf("azdo: server API version: %w", err)
		}
		c.hint = h
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 2 * time.Minute}
	}
	if c.userAgent == "" {
		c.userAgent = "cairn-azdo"
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = defaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.sleep == nil {
		c.sleep = sleepTimer
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.conc <= 0 {
		c.conc = defaultConcurrency
	}
	return c, nil
}

// OrgURL returns the organization URL the client calls, without a trailing
// slash.
func (c *Client) OrgURL() string { return c.org.String() }

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q must start with http:// or https://", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not have a query or fragment", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// request is one API call.
type request struct {
	method string
	route  string // template for OnCall and errors, such as "wit/wiql/{id}"
	base   *url.URL
	// segments are the path segments after the base; each is escaped.
	segments   []string
	query      url.Values
	apiVersion string // defaults to APIVersion, or to the negotiated version
	// noVersion requests carry no api-version (OPTIONS _apis); fixedVersion
	// requests carry apiVersion whatever was negotiated.
	noVersion    bool
	fixedVersion bool
	body         any // marshalled as JSON unless nil
	contentType  string
	// idempotent requests are retried on 5xx and network failures; every
	// request is retried on 429, which the server refused before acting.
	idempotent bool
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q)+1)
	for k, v := range q {
		out[k] = v
	}
	return out
}

// response is the decoded outcome of a request.
type response struct {
	status int
	header http.Header
}

func (r *request) url(version string) string {
	u := *r.base
	var b strings.Builder
	b.WriteString(u.Path)
	for _, s := range r.segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	u.RawPath = b.String()
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		p = u.RawPath
	}
	u.Path = p
	q := r.query
	if q == nil {
		q = url.Values{}
	}
	if !r.noVersion {
		q = cloneValues(q)
		q.Set("api-version", version)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// do sends r, retrying as allowed, and decodes a JSON body into out (which
// may be nil).
func (c *Client) do(ctx context.Context, r *request, out any) (*response, error) {
	var body []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("%s: encode request: %w", r.route, err)
		}
		body = b
	}
	negotiable := r.base == c.org && !r.noVersion && !r.fixedVersion
	if negotiable && c.needsNegotiation() {
		if _, err := c.Negotiate(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", r.route, err)
		}
	}
	target := r.url(c.versionFor(r))
	host := r.base.Host
	var lastErr error
	renegotiated := false
	for attempt := 0; ; attempt++ {
		if err := c.waitGate(ctx, host); err != nil {
			return nil, joinCtx(r.route, lastErr, err)
		}
		resp, err := c.send(ctx, r, target, body)
		var (
			raw        []byte
			retryAfter time.Duration
		)
		if err == nil {
			retryAfter = c.noteRateLimit(host, resp.Header)
			c.observeRateLimit(resp.StatusCode, resp.Header)
			if resp.StatusCode >= 200 && resp.StatusCode < 300 && resp.StatusCode != http.StatusNonAuthoritativeInfo {
				err = decodeStream(r.route, resp, out)
				if err == nil {
					if negotiable {
						c.served.Store(true)
					}
					return &response{status: resp.StatusCode, header: resp.Header}, nil
				}
			} else {
				raw, err = readBody(resp)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, joinCtx(r.route, lastErr, ctx.Err())
			}
			var apiErr *Error
			if errors.As(err, &apiErr) {
				return nil, err
			}
			lastErr = err
			if !r.idempotent || !transient(err) || attempt >= c.maxRetries {
				return nil, lastErr
			}
			c.backoff(host, attempt, 0)
			continue
		}
		apiErr := errorFromResponse(r.route, resp, raw, retryAfter)
		lastErr = apiErr
		if negotiable && !renegotiated && resp.StatusCode == http.StatusBadRequest &&
			(apiErr.TypeKey == typeVersionOutOfRange || apiErr.TypeKey == typeInvalidPreview) {
			// The server refused the version before acting: negotiate once
			// and call again with a version it knows.
			renegotiated = true
			if _, err := c.Negotiate(ctx); err != nil {
				return nil, fmt.Errorf("%w (negotiating: %w)", apiErr, err)
			}
			if next := r.url(c.versionFor(r)); next != target {
				target = next
				attempt--
				continue
			}
			return nil, apiErr
		}
		retryable := resp.StatusCode == http.StatusTooManyRequests ||
			(r.idempotent && (resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout))
		if !retryable || attempt >= c.maxRetries {
			return nil, apiErr
		}
		c.backoff(host, attempt, retryAfter)
	}
}

// transient reports whether a transport failure may pass on retry: a reset
// or dropped connection or a timeout, but not a refused connection or a bad
// address.
func transient(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return false
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTemporary || dnsErr.IsTimeout
	}
	return false
}

// joinCtx reports a context failure together with the last failure of the
// call, so that a deadline hit while throttled still matches ErrThrottled.
func joinCtx(route string, last, ctxErr error) error {
	if last == nil {
		return fmt.Errorf("%s: %w", route, ctxErr)
	}
	return fmt.Errorf("%w (gave up: %w)", last, ctxErr)
}

// send performs one HTTP attempt; the caller reads and closes the body.
func (c *Client) send(ctx context.Context, r *request, target string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if c.auth != nil {
		if err := c.auth.Apply(ctx, req); err != nil {
			return nil, newError(r.route, http.StatusUnauthorized, "", "credentials: "+err.Error(), "", 0)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.called(r.route, 0)
		return nil, err
	}
	c.called(r.route, resp.StatusCode)
	return resp, nil
}

// readBody reads and closes a (small, error) response body.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	return stripBOM(raw), nil
}

// drainClose reads what is left of a body, within reason, so that the
// connection can be reused, and closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

func (c *Client) called(route string, status int) {
	if c.onCall != nil {
		c.onCall(route, status)
	}
}

// backoff holds back the next request to host for a jittered exponential
// delay, or for retryAfter when that is longer; the gate at the top of the
// retry loop does the waiting.
func (c *Client) backoff(host string, attempt int, retryAfter time.Duration) {
	d := baseBackoff << min(attempt, 16)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	c.mu.Lock()
	d = d/2 + time.Duration(c.rng.Int64N(int64(d/2)+1))
	c.mu.Unlock()
	if retryAfter > d {
		d = retryAfter
	}
	c.holdHost(host, d)
}

// holdHost makes the next request to host wait at least d from now.
func (c *Client) holdHost(host string, d time.Duration) {
	if d <= 0 {
		return
	}
	until := c.now().Add(d)
	c.mu.Lock()
	if until.After(c.notUntil[host]) {
		c.notUntil[host] = until
	}
	c.mu.Unlock()
}

// waitGate sleeps until host may be called again. A wait that would pass
// the context's deadline fails at once with context.DeadlineExceeded.
func (c *Client) waitGate(ctx context.Context, host string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	until := c.notUntil[host]
	c.mu.Unlock()
	d := until.Sub(c.now())
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && c.now().Add(d).After(dl) {
		return fmt.Errorf("waiting %s for the rate limit would pass the deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	c.heldBack(d)
	return c.sleep(ctx, d)
}

// noteRateLimit reads Retry-After and the X-RateLimit headers of any
// response and holds back later requests to host accordingly. It returns
// the Retry-After duration.
func (c *Client) noteRateLimit(host string, h http.Header) time.Duration {
	retryAfter := parseRetryAfter(h.Get("Retry-After"), c.now())
	hold := retryAfter
	if d, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Delay")), 64); err == nil && d > 0 {
		if dd := time.Duration(d * float64(time.Second)); dd > hold {
			hold = dd
		}
	}
	remaining, errR := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Remaining")), 64)
	limit, errL := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Limit")), 64)
	if errR == nil && errL == nil && limit > 0 && remaining < limit*lowRemainingFraction {
		// Spread what is left of the budget over the time until it resets.
		spread := time.Second
		if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil {
			if left := time.Unix(reset, 0).Sub(c.now()); left > 0 {
				spread = left / time.Duration(max(remaining, 0)+1)
			}
		}
		spread = min(spread, maxBackoff)
		if spread > hold {
			hold = spread
		}
	}
	c.holdHost(host, hold)
	return retryAfter
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// decodeStream checks that a 2xx response is JSON and decodes it into out
// (which may be nil) straight from the connection, skipping a byte order
// mark. It closes the body.
func decodeStream(route string, resp *http.Response, out any) error {
	defer drainClose(resp.Body)
	br := bufio.NewReaderSize(io.LimitReader(resp.Body, maxBodyBytes), 32<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3)
	}
	var first byte
	for {
		ch, err := br.ReadByte()
		if err == io.EOF {
			if out == nil || resp.StatusCode == http.StatusNoContent {
				return nil
			}
			return newError(route, resp.StatusCode, "", "empty response body where JSON was expected", "", 0)
		}
		if err != nil {
			return fmt.Errorf("read response: %w", err)
		}
		if ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n' {
			_ = br.UnreadByte()
			first = ch
			break
		}
	}
	if !looksJSON(resp.Header.Get("Content-Type"), []byte{first}) {
		return newError(route, resp.StatusCode, "",
			fmt.Sprintf("non-JSON response (%s) where JSON was expected; the credentials were probably rejected", contentTypeOrUnknown(resp)), "", 0)
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		if transient(err) {
			return fmt.Errorf("read response: %w", err)
		}
		return fmt.Errorf("%s: decode response: %w: %w", route, ErrBadResponse, err)
	}
	return nil
}

func contentTypeOrUnknown(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no content type"
}

// looksJSON reports whether a body is JSON by its content type, or by its
// first byte when the content type is missing.
func looksJSON(contentType string, raw []byte) bool {
	ct := strings.ToLower(contentType)
	if ct != "" && !strings.Contains(ct, "json") {
		return false
	}
	t := bytes.TrimLeft(raw, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// unmarshal decodes JSON with numbers kept as json.Number.
func unmarshal(raw []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(stripBOM(raw)))
	dec.UseNumber()
	return dec.Decode(out)
}

// stripBOM removes a leading UTF-8 byte order mark.
func stripBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
}

// errorBody is Azure DevOps' error envelope.
type errorBody struct {
	Message string `json:"message"`
	TypeKey string `json:"typeKey"`
}

// errorFromResponse builds the *Error of a non-2xx (or 203) response.
func errorFromResponse(route string, resp *http.Response, raw []byte, retryAfter time.Duration) *Error {
	var eb errorBody
	msg := ""
	if looksJSON(resp.Header.Get("Content-Type"), raw) {
		if err := unmarshal(raw, &eb); err == nil {
			msg = eb.Message
		}
	}
	if msg == "" {
		if s := resp.Header.Get("X-TFS-ServiceError"); s != "" {
			if u, err := url.QueryUnescape(s); err == nil {
				msg = u
			} else {
				msg = s
			}
		}
	}
	if msg == "" {
		switch {
		case resp.StatusCode == http.StatusNonAuthoritativeInfo:
			msg = "203 sign-in page instead of an API response; the credentials are expired or malformed"
		case resp.StatusCode == http.StatusUnauthorized:
			msg = "the credentials were rejected"
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			to := "another address"
			if loc, err := resp.Location(); err == nil {
				to = loc.Scheme + "://" + loc.Host
			}
			msg = fmt.Sprintf("a redirect (%d) to %s, which Cairn does not follow with credentials: check the organization URL", resp.StatusCode, to)
		case http.StatusText(resp.StatusCode) != "":
			msg = http.StatusText(resp.StatusCode)
		default:
			// A status with no standard name, such as a proxy's own 498 or 520.
			msg = fmt.Sprintf("unexpected HTTP status %d", resp.StatusCode)
		}
	}
	return newError(route, resp.StatusCode, messageCode(msg), msg, eb.TypeKey, retryAfter)
}
