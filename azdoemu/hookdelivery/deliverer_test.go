package hookdelivery_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu/hookdelivery"
)

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// autoClock fires every After at once, moving its time forward by the wait.
type autoClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *autoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *autoClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *autoClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// manualClock never fires; it announces each After on registered.
type manualClock struct {
	registered chan time.Duration
}

func (c *manualClock) Now() time.Time { return epoch }

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.registered <- d
	return make(chan time.Time)
}

// received is one request the consumer saw.
type received struct {
	body          string
	contentType   string
	authorization string
	user, pass    string
	header        http.Header
}

// consumer answers with a scripted status sequence (the last one repeats) and records requests.
type consumer struct {
	mu     sync.Mutex
	script []int
	reqs   []received
	srv    *httptest.Server
}

func newConsumer(t *testing.T, script ...int) *consumer {
	t.Helper()
	c := &consumer{script: script}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		c.mu.Lock()
		n := len(c.reqs)
		c.reqs = append(c.reqs, received{
			body: string(body), contentType: r.Header.Get("Content-Type"),
			authorization: r.Header.Get("Authorization"), user: user, pass: pass, header: r.Header.Clone(),
		})
		status := c.script[min(n, len(c.script)-1)]
		c.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *consumer) Requests() []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]received(nil), c.reqs...)
}

// statusLog records onStatus calls with the number of attempts made when each came.
type statusLog struct {
	mu      sync.Mutex
	entries []string
	d       *hookdelivery.Deliverer
}

func (l *statusLog) record(id, status string) {
	n := len(l.d.Attempts())
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, fmt.Sprintf("%s:%s@%d", id, status, n))
}

func (l *statusLog) Entries() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}

type testBundle struct {
	clock    *autoClock
	d        *hookdelivery.Deliverer
	statuses *statusLog
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	clock := &autoClock{now: epoch}
	log := &statusLog{}
	d := hookdelivery.New(nil, clock, log.record)
	log.d = d
	t.Cleanup(d.Close)
	return &testBundle{clock: clock, d: d, statuses: log}
}

func sumDurations(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
}

func TestDeliverSucceeds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := newConsumer(t, 200)
	b.d.Deliver("sub1", hookdelivery.Target{URL: c.srv.URL + "/hook"}, []byte(`{"eventType":"workitem.updated"}`))
	b.d.Wait()

	reqs := c.Requests()
	if len(reqs) != 1 {
		t.Fatalf("consumer got %d requests, want 1", len(reqs))
	}
	if reqs[0].body != `{"eventType":"workitem.updated"}` || !strings.HasPrefix(reqs[0].contentType, "application/json") {
		t.Errorf("request = %+v", reqs[0])
	}
	if reqs[0].authorization != "" {
		t.Errorf("Authorization = %q, want none without credentials", reqs[0].authorization)
	}
	at := b.d.Attempts()
	if len(at) != 1 || at[0].Status != 200 || at[0].SubscriptionID != "sub1" || at[0].URL != c.srv.URL+"/hook" || !at[0].At.Equal(epoch) {
		t.Errorf("attempts = %+v", at)
	}
	if s := b.statuses.Entries(); len(s) != 0 {
		t.Errorf("status changes = %v, want none", s)
	}
}

func TestTransientFailures(t *testing.T) {
	t.Parallel()
	fiveToForty := []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second,
		25 * time.Second, 30 * time.Second, 35 * time.Second, 40 * time.Second}
	tests := []struct {
		name         string
		script       []int
		wantAttempts int
		wantWaits    []time.Duration
		wantStatuses []string
	}{
		{
			name:         "RecoversAfterThree503s",
			script:       []int{503, 503, 503, 200},
			wantAttempts: 4,
			wantWaits:    fiveToForty[:3],
		},
		{
			name:         "RetriesEveryTransientStatus",
			script:       []int{408, 502, 504, 204},
			wantAttempts: 4,
			wantWaits:    fiveToForty[:3],
		},
		{
			name:         "EightRetriesExhaustedThenProbationThenRecovers",
			script:       []int{503, 503, 503, 503, 503, 503, 503, 503, 503, 200},
			wantAttempts: 10,
			wantWaits:    append(append([]time.Duration(nil), fiveToForty...), 15*time.Minute),
			wantStatuses: []string{"s:onProbation@9", "s:enabled@10"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			c := newConsumer(t, tt.script...)
			b.d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`{}`))
			b.d.Wait()
			if got := len(c.Requests()); got != tt.wantAttempts {
				t.Errorf("consumer got %d requests, want %d", got, tt.wantAttempts)
			}
			if got := len(b.d.Attempts()); got != tt.wantAttempts {
				t.Errorf("logged %d attempts, want %d", got, tt.wantAttempts)
			}
			if got := b.clock.Waits(); !reflect.DeepEqual(got, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", got, tt.wantWaits)
			}
			if got := b.statuses.Entries(); !reflect.DeepEqual(got, tt.wantStatuses) {
				t.Errorf("status changes = %v, want %v", got, tt.wantStatuses)
			}
		})
	}
}

func TestTransientRetriesSpanThreeMinutes(t *testing.T) {
	t.Parallel()
	if got := sumDurations(hookdelivery.DefaultPolicy().TransientBackoff); got != 3*time.Minute {
		t.Fatalf("transient backoff totals %s, want 3m", got)
	}
	if got := len(hookdelivery.DefaultPolicy().TransientBackoff); got != 8 {
		t.Fatalf("%d transient retries, want 8", got)
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	b.d.Deliver("s", hookdelivery.Target{URL: url}, []byte(`{}`))
	b.d.Wait()

	at := b.d.Attempts()
	// 1 attempt + 8 quick retries, then 9 probation retries over 36 hours.
	if len(at) != 18 {
		t.Fatalf("%d attempts, want 18", len(at))
	}
	for i, a := range at {
		if a.Status != 0 || a.Err == "" {
			t.Fatalf("attempt %d = %+v, want a network error", i+1, a)
		}
	}
	want := []string{"s:onProbation@9", "s:disabledBySystem@18"}
	if got := b.statuses.Entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("status changes = %v, want %v", got, want)
	}
}

func TestGoneDisablesAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := newConsumer(t, 410, 200)
	target := hookdelivery.Target{URL: c.srv.URL}
	b.d.Deliver("s", target, []byte(`1`))
	b.d.Wait()
	if got := b.statuses.Entries(); !reflect.DeepEqual(got, []string{"s:disabledBySystem@1"}) {
		t.Fatalf("status changes = %v, want disabled after 1 attempt", got)
	}
	if b.d.Status("s") != hookdelivery.StatusDisabledBySystem {
		t.Errorf("Status = %q", b.d.Status("s"))
	}
	if len(b.clock.Waits()) != 0 {
		t.Errorf("waits = %v, want no retry", b.clock.Waits())
	}

	b.d.Deliver("s", target, []byte(`2`))
	b.d.Wait()
	if got := len(c.Requests()); got != 1 {
		t.Fatalf("consumer got %d requests, want 1: a disabled subscription gets nothing", got)
	}

	b.d.Enable("s")
	b.d.Deliver("s", target, []byte(`3`))
	b.d.Wait()
	reqs := c.Requests()
	if len(reqs) != 2 || reqs[1].body != "3" {
		t.Fatalf("after Enable consumer got %+v, want the third payload", reqs)
	}
}

func TestGoneDropsQueuedDeliveries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := newConsumer(t, 410)
	for i := range 5 {
		b.d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(strconv.Itoa(i)))
	}
	b.d.Wait()
	if got := len(c.Requests()); got != 1 {
		t.Fatalf("consumer got %d requests, want 1", got)
	}
}

func TestOtherFailuresGoOnProbation(t *testing.T) {
	t.Parallel()
	probationWaits := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
		4 * time.Hour, 8 * time.Hour, 8 * time.Hour, 8 * time.Hour, 4*time.Hour + 15*time.Minute}
	for _, status := range []int{400, 401, 404, 500, 501} {
		t.Run(strconv.Itoa(status)+"DisabledAfter36Hours", func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			c := newConsumer(t, status)
			b.d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`{}`))
			b.d.Wait()
			want := []string{"s:onProbation@1", "s:disabledBySystem@10"}
			if got := b.statuses.Entries(); !reflect.DeepEqual(got, want) {
				t.Errorf("status changes = %v, want %v", got, want)
			}
			waits := b.clock.Waits()
			if !reflect.DeepEqual(waits, probationWaits) {
				t.Errorf("waits = %v, want %v", waits, probationWaits)
			}
			if got := sumDurations(waits); got != 36*time.Hour {
				t.Errorf("probation lasted %s, want 36h", got)
			}
			if last := b.d.Attempts()[len(b.d.Attempts())-1]; !last.At.Equal(epoch.Add(36 * time.Hour)) {
				t.Errorf("last attempt at %s, want 36h after the first", last.At)
			}
		})
	}
	t.Run("RecoversAndIsEnabled", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := newConsumer(t, 400, 500, 200)
		b.d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`{}`))
		b.d.Wait()
		want := []string{"s:onProbation@1", "s:enabled@3"}
		if got := b.statuses.Entries(); !reflect.DeepEqual(got, want) {
			t.Errorf("status changes = %v, want %v", got, want)
		}
	})
	t.Run("GoneDuringProbationDisables", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := newConsumer(t, 400, 410)
		b.d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`{}`))
		b.d.Wait()
		want := []string{"s:onProbation@1", "s:disabledBySystem@2"}
		if got := b.statuses.Entries(); !reflect.DeepEqual(got, want) {
			t.Errorf("status changes = %v, want %v", got, want)
		}
	})
	t.Run("BadURLGoesOnProbation", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.d.Deliver("s", hookdelivery.Target{URL: "ftp://example.invalid/hook"}, []byte(`{}`))
		b.d.Wait()
		at := b.d.Attempts()
		if len(at) != 10 || !strings.Contains(at[0].Err, "not http or https") {
			t.Errorf("attempts = %d, first %+v", len(at), at[0])
		}
		if w := b.clock.Waits(); len(w) == 0 || w[0] != 15*time.Minute {
			t.Errorf("waits = %v, want probation from the start", w)
		}
	})
}

func TestBasicAuthAndHeaders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := newConsumer(t, 200)
	b.d.Deliver("s", hookdelivery.Target{
		URL:      c.srv.URL,
		Username: "cairn",
		Password: "s3cret:with colon",
		Headers:  map[string]string{"X-Cairn-Tenant": "acme", "X-Trace": "abc"},
	}, []byte(`{}`))
	b.d.Wait()
	reqs := c.Requests()
	if len(reqs) != 1 {
		t.Fatalf("consumer got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.user != "cairn" || r.pass != "s3cret:with colon" {
		t.Errorf("basic auth = %q/%q", r.user, r.pass)
	}
	if r.header.Get("X-Cairn-Tenant") != "acme" || r.header.Get("X-Trace") != "abc" {
		t.Errorf("headers = %v", r.header)
	}
}

func TestOrderPerSubscription(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := newConsumer(t, 503, 503, 200)
	for i := range 5 {
		b.d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(strconv.Itoa(i)))
	}
	b.d.Wait()
	var bodies []string
	for _, r := range c.Requests() {
		bodies = append(bodies, r.body)
	}
	want := []string{"0", "0", "0", "1", "2", "3", "4"}
	if !reflect.DeepEqual(bodies, want) {
		t.Fatalf("bodies = %v, want %v", bodies, want)
	}
}

func TestPayloadIsCopied(t *testing.T) {
	t.Parallel()
	mc := &manualClock{registered: make(chan time.Duration, 16)}
	d := hookdelivery.New(nil, mc, nil)
	c := newConsumer(t, 200)
	block := make(chan struct{})
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { <-block }))
	t.Cleanup(gate.Close)
	// The first delivery holds the queue so the buffer changes before the second is sent.
	d.Deliver("s", hookdelivery.Target{URL: gate.URL}, []byte(`x`))
	buf := []byte(`original`)
	d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, buf)
	copy(buf, "changed!")
	close(block)
	d.Wait()
	d.Close()
	if reqs := c.Requests(); len(reqs) != 1 || reqs[0].body != "original" {
		t.Fatalf("consumer got %+v, want the original payload", reqs)
	}
}

func TestCloseStopsPendingRetries(t *testing.T) {
	t.Parallel()
	mc := &manualClock{registered: make(chan time.Duration, 16)}
	var mu sync.Mutex
	var changes []string
	d := hookdelivery.New(nil, mc, func(id, status string) {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, status)
	})
	c := newConsumer(t, 503)
	d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`1`))
	d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`2`))
	select {
	case wait := <-mc.registered:
		if wait != 5*time.Second {
			t.Errorf("first retry wait = %s, want 5s", wait)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no retry was scheduled")
	}
	d.Close() // returns only once the worker has stopped
	d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`3`))
	d.Wait()
	if got := len(c.Requests()); got != 1 {
		t.Errorf("consumer got %d requests, want 1", got)
	}
	if got := len(d.Attempts()); got != 1 {
		t.Errorf("%d attempts, want 1", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 0 {
		t.Errorf("status changes = %v, want none", changes)
	}
}

func TestRemoveStopsRetries(t *testing.T) {
	t.Parallel()
	mc := &manualClock{registered: make(chan time.Duration, 16)}
	d := hookdelivery.New(nil, mc, nil)
	t.Cleanup(d.Close)
	c := newConsumer(t, 500)
	d.Deliver("gone", hookdelivery.Target{URL: c.srv.URL}, []byte(`1`))
	select {
	case <-mc.registered:
	case <-time.After(30 * time.Second):
		t.Fatal("no retry was scheduled")
	}
	d.Remove("gone")
	d.Wait() // returns: the pending retry was abandoned
	if got := len(c.Requests()); got != 1 {
		t.Errorf("consumer got %d requests, want 1", got)
	}
	if got := d.Status("gone"); got != hookdelivery.StatusEnabled {
		t.Errorf("Status of a removed subscription = %q, want the default %q", got, hookdelivery.StatusEnabled)
	}
}

func TestManySubscriptionsConcurrently(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := newConsumer(t, 200)
	const subs, each = 20, 5
	var wg sync.WaitGroup
	for s := range subs {
		wg.Go(func() {
			for i := range each {
				b.d.Deliver("sub"+strconv.Itoa(s), hookdelivery.Target{URL: c.srv.URL}, []byte(fmt.Sprintf("%d-%d", s, i)))
			}
		})
	}
	wg.Wait()
	b.d.Wait()
	reqs := c.Requests()
	if len(reqs) != subs*each {
		t.Fatalf("consumer got %d requests, want %d", len(reqs), subs*each)
	}
	// Each subscription's payloads arrive in order.
	next := map[string]int{}
	for _, r := range reqs {
		sub, i, _ := strings.Cut(r.body, "-")
		n, _ := strconv.Atoi(i)
		if n != next[sub] {
			t.Fatalf("subscription %s got payload %d, want %d", sub, n, next[sub])
		}
		next[sub]++
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	if err := hookdelivery.DefaultPolicy().Validate(); err != nil {
		t.Fatalf("DefaultPolicy: %v", err)
	}
	tests := []struct {
		name string
		edit func(*hookdelivery.Policy)
		want string
	}{
		{"ErrNegativeBackoff", func(p *hookdelivery.Policy) { p.TransientBackoff[2] = -time.Second }, "transient backoff 3"},
		{"ErrZeroFirstWait", func(p *hookdelivery.Policy) { p.ProbationFirst = 0 }, "first probation wait"},
		{"ErrCapBelowFirst", func(p *hookdelivery.Policy) { p.ProbationMax = time.Minute }, "probation cap"},
		{"ErrNegativeSpan", func(p *hookdelivery.Policy) { p.ProbationSpan = -time.Hour }, "probation span"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := hookdelivery.DefaultPolicy()
			tt.edit(&p)
			if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestCustomPolicy(t *testing.T) {
	t.Parallel()
	clock := &autoClock{now: epoch}
	d := hookdelivery.NewWithPolicy(nil, clock, nil, hookdelivery.Policy{
		TransientBackoff: []time.Duration{time.Second},
		ProbationFirst:   time.Minute,
		ProbationMax:     time.Minute,
		ProbationSpan:    3 * time.Minute,
	})
	t.Cleanup(d.Close)
	c := newConsumer(t, 503)
	d.Deliver("s", hookdelivery.Target{URL: c.srv.URL}, []byte(`{}`))
	d.Wait()
	want := []time.Duration{time.Second, time.Minute, time.Minute, time.Minute}
	if got := clock.Waits(); !reflect.DeepEqual(got, want) {
		t.Fatalf("waits = %v, want %v", got, want)
	}
	if d.Status("s") != hookdelivery.StatusDisabledBySystem {
		t.Errorf("Status = %q, want disabledBySystem", d.Status("s"))
	}
}

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	got, err := hookdelivery.ParseHeaders("X-One: 1\r\n\nX-Two:two words \nX-One: again")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"X-One": "again", "X-Two": "two words"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseHeaders = %v, want %v", got, want)
	}
	for _, bad := range []string{"no colon here", ": empty name", "Bad Name: x"} {
		if _, err := hookdelivery.ParseHeaders(bad); err == nil {
			t.Errorf("ParseHeaders(%q) succeeded, want an error", bad)
		}
	}
}

func BenchmarkDeliver(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	d := hookdelivery.New(srv.Client(), hookdelivery.RealClock(), nil)
	defer d.Close()
	payload := []byte(`{"eventType":"workitem.updated","resource":{"id":1}}`)
	for b.Loop() {
		d.Deliver("bench", hookdelivery.Target{URL: srv.URL}, payload)
	}
	d.Wait()
}
