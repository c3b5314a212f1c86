package hookdelivery

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Subscription statuses reported through the onStatus callback, spelled as Azure DevOps does.
const (
	StatusEnabled          = "enabled"
	StatusOnProbation      = "onProbation"
	StatusDisabledBySystem = "disabledBySystem"
)

// MaxAttemptLog is how many attempts Attempts remembers; older ones are forgotten first.
const MaxAttemptLog = 10000

// DefaultTimeout bounds one delivery attempt when New is given a nil client.
const DefaultTimeout = 20 * time.Second

// Target is where and how a subscription's payloads are posted.
type Target struct {
	// URL receives the POST.
	URL string
	// Username and Password are sent as basic auth when either is set.
	Username, Password string
	// Headers are added to every request; a "Host" entry sets the request's host.
	Headers map[string]string
}

// Clock tells the time and waits; tests inject a fake one.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After sends the time on the returned channel once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock returns the wall clock.
func RealClock() Clock { return realClock{} }

// Attempt records one POST of a payload.
type Attempt struct {
	// SubscriptionID is the subscription the payload was for.
	SubscriptionID string
	// URL is where it was posted.
	URL string
	// Status is the HTTP status, or 0 when no response came.
	Status int
	// Err describes why no response came, or is empty.
	Err string
	// At is when the attempt started.
	At time.Time
}

// Policy sets how failed deliveries are retried.
type Policy struct {
	// TransientBackoff lists the waits before each retry of a 408, 502, 503, 504 or network
	// failure; its length is the number of such retries.
	TransientBackoff []time.Duration
	// ProbationFirst is the wait before the first retry on probation; later waits double.
	ProbationFirst time.Duration
	// ProbationMax caps one wait on probation.
	ProbationMax time.Duration
	// ProbationSpan is how long after probation begins the last retry comes.
	ProbationSpan time.Duration
}

// DefaultPolicy returns Azure DevOps' retry policy: 8 quick retries over 3 minutes for
// transient failures, and probation retries over 36 hours for the rest.
func DefaultPolicy() Policy {
	backoff := make([]time.Duration, 8)
	for i := range backoff {
		backoff[i] = time.Duration(i+1) * 5 * time.Second
	}
	return Policy{
		TransientBackoff: backoff,
		ProbationFirst:   15 * time.Minute,
		ProbationMax:     8 * time.Hour,
		ProbationSpan:    36 * time.Hour,
	}
}

// Validate reports a policy that could not work.
func (p Policy) Validate() error {
	for i, d := range p.TransientBackoff {
		if d < 0 {
			return fmt.Errorf("hook delivery policy: transient backoff %d is negative (%s)", i+1, d)
		}
	}
	switch {
	case p.ProbationFirst <= 0:
		return fmt.Errorf("hook delivery policy: first probation wait %s is not positive", p.ProbationFirst)
	case p.ProbationMax < p.ProbationFirst:
		return fmt.Errorf("hook delivery policy: probation cap %s is below the first wait %s", p.ProbationMax, p.ProbationFirst)
	case p.ProbationSpan < 0:
		return fmt.Errorf("hook delivery policy: probation span %s is negative", p.ProbationSpan)
	}
	return nil
}

// job is one payload waiting to be delivered.
type job struct {
	target  Target
	payload []byte
}

// subscription is the delivery state of one subscription.
type subscription struct {
	id      string
	status  string
	queue   []job
	running bool
	ctx     context.Context
	cancel  context.CancelFunc
}

// Deliverer posts payloads and retries them. It is safe for concurrent use.
type Deliverer struct {
	client   *http.Client
	clock    Clock
	onStatus func(subscriptionID, status string)
	policy   Policy
	ctx      context.Context
	cancel   context.CancelFunc

	mu       sync.Mutex
	idle     *sync.Cond // signalled whenever pending falls
	pending  int        // deliveries queued or in progress
	closed   bool
	subs     map[string]*subscription
	attempts []Attempt
}

// New returns a Deliverer using DefaultPolicy. A nil client means one with DefaultTimeout, a
// nil clock means RealClock, and onStatus (may be nil) hears every status change.
func New(client *http.Client, clock Clock, onStatus func(subscriptionID, status string)) *Deliverer {
	return NewWithPolicy(client, clock, onStatus, DefaultPolicy())
}

// NewWithPolicy is New with a retry policy of its own; an invalid policy (see Policy.Validate)
// is replaced by DefaultPolicy.
func NewWithPolicy(client *http.Client, clock Clock, onStatus func(subscriptionID, status string), policy Policy) *Deliverer {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	if clock == nil {
		clock = RealClock()
	}
	if onStatus == nil {
		onStatus = func(string, string) {}
	}
	if policy.Validate() != nil {
		policy = DefaultPolicy()
	}
	policy.TransientBackoff = append([]time.Duration(nil), policy.TransientBackoff...)
	ctx, cancel := context.WithCancel(context.Background())
	d := &Deliverer{
		client:   client,
		clock:    clock,
		onStatus: onStatus,
		policy:   policy,
		ctx:      ctx,
		cancel:   cancel,
		subs:     map[string]*subscription{},
	}
	d.idle = sync.NewCond(&d.mu)
	return d
}

// Deliver queues payload for the subscription and returns at once. It does nothing once the
// subscription is disabled or the Deliverer is closed. The payload is copied.
func (d *Deliverer) Deliver(subscriptionID string, t Target, payload []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	s := d.subs[subscriptionID]
	if s == nil {
		ctx, cancel := context.WithCancel(d.ctx)
		s = &subscription{id: subscriptionID, status: StatusEnabled, ctx: ctx, cancel: cancel}
		d.subs[subscriptionID] = s
	}
	if s.status == StatusDisabledBySystem {
		return
	}
	headers := make(map[string]string, len(t.Headers))
	for k, v := range t.Headers {
		headers[k] = v
	}
	t.Headers = headers
	s.queue = append(s.queue, job{target: t, payload: bytes.Clone(payload)})
	d.pending++
	if !s.running {
		s.running = true
		go d.work(s)
	}
}

// Status returns the subscription's delivery status; one never delivered to is enabled.
func (d *Deliverer) Status(subscriptionID string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.subs[subscriptionID]; s != nil {
		return s.status
	}
	return StatusEnabled
}

// Enable lets a subscription disabled by the system receive deliveries again, as when its
// owner re-enables it. It does not call onStatus.
func (d *Deliverer) Enable(subscriptionID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.subs[subscriptionID]; s != nil && s.status == StatusDisabledBySystem {
		s.status = StatusEnabled
	}
}

// Remove forgets a subscription, as when it is deleted: its queue is dropped and a delivery
// being retried stops after its current attempt.
func (d *Deliverer) Remove(subscriptionID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.subs[subscriptionID]
	if s == nil {
		return
	}
	delete(d.subs, subscriptionID)
	d.dropQueueLocked(s)
	s.cancel()
}

// Wait blocks until every queued delivery, retries included, has finished.
func (d *Deliverer) Wait() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.pending > 0 {
		d.idle.Wait()
	}
}

// Close stops all retries and queued deliveries, cancels requests in flight and waits for the
// workers to finish. Later Deliver calls do nothing.
func (d *Deliverer) Close() {
	d.mu.Lock()
	d.closed = true
	for _, s := range d.subs {
		d.dropQueueLocked(s)
	}
	d.mu.Unlock()
	d.cancel()
	d.Wait()
}

// Attempts returns a copy of the log of attempts, oldest first.
func (d *Deliverer) Attempts() []Attempt {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Attempt(nil), d.attempts...)
}

func (d *Deliverer) dropQueueLocked(s *subscription) {
	d.pending -= len(s.queue)
	s.queue = nil
	d.idle.Broadcast()
}

// work delivers the subscription's queue in order until it is empty.
func (d *Deliverer) work(s *subscription) {
	for {
		d.mu.Lock()
		if len(s.queue) == 0 {
			s.running = false
			d.mu.Unlock()
			return
		}
		j := s.queue[0]
		s.queue[0] = job{} // let the payload be collected once sent
		s.queue = s.queue[1:]
		d.mu.Unlock()

		d.deliver(s, j)

		d.mu.Lock()
		d.pending--
		d.idle.Broadcast()
		d.mu.Unlock()
	}
}

// outcome classifies one attempt.
type outcome int

const (
	delivered outcome = iota
	gone              // 410: disable now
	transient         // 408, 502, 503, 504, network error: retry soon
	failed            // anything else: probation
)

func classify(status int, err error, buildErr bool) outcome {
	switch {
	case buildErr:
		return failed
	case err != nil:
		return transient
	case status >= 200 && status < 300:
		return delivered
	case status == http.StatusGone:
		return gone
	case status == http.StatusRequestTimeout, status == http.StatusBadGateway,
		status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return transient
	default:
		return failed
	}
}

// deliver runs one payload through the retry policy.
func (d *Deliverer) deliver(s *subscription, j job) {
	res := d.attempt(s, j)
	for i := 0; res == transient && i < len(d.policy.TransientBackoff); i++ {
		if !d.sleep(s, d.policy.TransientBackoff[i]) {
			return
		}
		res = d.attempt(s, j)
	}
	if d.settle(s, res) {
		return
	}

	d.setStatus(s, StatusOnProbation)
	wait, elapsed := d.policy.ProbationFirst, time.Duration(0)
	for elapsed < d.policy.ProbationSpan {
		step := min(wait, d.policy.ProbationSpan-elapsed)
		if !d.sleep(s, step) {
			return
		}
		elapsed += step
		wait = min(wait*2, d.policy.ProbationMax)
		if d.settle(s, d.attempt(s, j)) {
			return
		}
	}
	d.setStatus(s, StatusDisabledBySystem)
}

// settle acts on a final outcome and reports whether the delivery is over.
func (d *Deliverer) settle(s *subscription, res outcome) bool {
	switch res {
	case delivered:
		d.setStatus(s, StatusEnabled)
		return true
	case gone:
		d.setStatus(s, StatusDisabledBySystem)
		return true
	default:
		return s.ctx.Err() != nil
	}
}

// setStatus records a status change, drops the queue on disable, and tells onStatus.
func (d *Deliverer) setStatus(s *subscription, status string) {
	d.mu.Lock()
	if s.status == status || s.ctx.Err() != nil {
		d.mu.Unlock()
		return
	}
	s.status = status
	if status == StatusDisabledBySystem {
		d.dropQueueLocked(s)
	}
	d.mu.Unlock()
	d.onStatus(s.id, status)
}

// sleep waits d on the clock and reports false if the subscription was removed or the
// Deliverer closed meanwhile.
func (d *Deliverer) sleep(s *subscription, wait time.Duration) bool {
	select {
	case <-s.ctx.Done():
		return false
	case <-d.clock.After(wait):
		return s.ctx.Err() == nil
	}
}

// attempt posts the payload once and logs the attempt.
func (d *Deliverer) attempt(s *subscription, j job) outcome {
	a := Attempt{SubscriptionID: s.id, URL: j.target.URL, At: d.clock.Now()}
	req, err := newRequest(s.ctx, j)
	if err != nil {
		a.Err = err.Error()
		d.log(a)
		return classify(0, err, true)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		a.Err = err.Error()
		d.log(a)
		return classify(0, err, false)
	}
	// Drain a little so the connection can be reused; consumers' answers are not read.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	a.Status = resp.StatusCode
	d.log(a)
	return classify(resp.StatusCode, nil, false)
}

func newRequest(ctx context.Context, j job) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.target.URL, bytes.NewReader(j.payload))
	if err != nil {
		return nil, fmt.Errorf("build hook request: %w", err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("build hook request: URL %q is not http or https", j.target.URL)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if j.target.Username != "" || j.target.Password != "" {
		req.SetBasicAuth(j.target.Username, j.target.Password)
	}
	for k, v := range j.target.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

func (d *Deliverer) log(a Attempt) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.attempts) >= MaxAttemptLog {
		d.attempts = append(d.attempts[:0], d.attempts[len(d.attempts)-MaxAttemptLog+1:]...)
	}
	d.attempts = append(d.attempts, a)
}
