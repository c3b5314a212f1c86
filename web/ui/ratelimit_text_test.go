package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu/traffic"
	"github.com/cairn-okr/cairn/datasource"
)

// budgetFront stands between Cairn and the emulator as Azure DevOps' rate limit does: it
// charges every request to its identity's budget with the emulator's traffic middleware
// (once a budget is set) and can refuse the next requests to a route with 429. It keeps
// what its answers told Cairn: the last X-RateLimit-Limit, -Remaining and -Reset, and how
// many answers were delayed and refused.
type budgetFront struct {
	emu   http.Handler
	clock *traffic.VirtualClock
	mw    atomic.Pointer[http.Handler]

	mu                     sync.Mutex
	refuse                 map[string]int // route suffix → how many more requests to refuse
	spent                  float64        // TSTU of the requests since the last take, at the emulator's prices
	limit, remaining       string
	reset                  time.Time
	delayed, refused, sent int
}

// setBudget makes the front limit every identity to budget TSTU per five minutes from now
// on, with a fresh window.
func (f *budgetFront) setBudget(budget float64) {
	m := traffic.New(traffic.Config{Budget: budget, Now: f.clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }})
	h := m.Wrap(f.emu, nil, func(r *http.Request) string { return r.Header.Get("Authorization") })
	f.mw.Store(&h)
}

// refuseNext answers the next n requests whose path ends in suffix with 429.
func (f *budgetFront) refuseNext(suffix string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse[suffix] = n
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (f *budgetFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.sent++
	for suffix, n := range f.refuse {
		if n > 0 && strings.HasSuffix(r.URL.Path, suffix) {
			f.refuse[suffix] = n - 1
			f.refused++
			f.mu.Unlock()
			traffic.WriteBlocked(w, 3*time.Second)
			return
		}
	}
	f.spent += traffic.DefaultCost("", r)
	f.mu.Unlock()
	h := f.emu
	if p := f.mw.Load(); p != nil {
		h = *p
	}
	rec := &statusRecorder{ResponseWriter: w}
	h.ServeHTTP(rec, r)
	hd := w.Header()
	f.mu.Lock()
	defer f.mu.Unlock()
	if rec.status == http.StatusTooManyRequests {
		f.refused++
	}
	if d, err := strconv.ParseFloat(hd.Get("X-RateLimit-Delay"), 64); err == nil && d > 0 {
		f.delayed++
	}
	if l := hd.Get("X-RateLimit-Limit"); l != "" {
		f.limit, f.remaining = l, hd.Get("X-RateLimit-Remaining")
		if s, err := strconv.ParseInt(hd.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			f.reset = time.Unix(s, 0).UTC()
		}
	}
}

// budgetSeen is what the front's answers told Cairn since the last take.
type budgetSeen struct {
	spent                  float64
	limit, remaining       string
	reset                  time.Time
	delayed, refused, sent int
}

func (f *budgetFront) take() budgetSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := budgetSeen{spent: f.spent, limit: f.limit, remaining: f.remaining, reset: f.reset, delayed: f.delayed, refused: f.refused, sent: f.sent}
	f.spent, f.delayed, f.refused, f.sent = 0, 0, 0, 0
	return s
}

var rateLimitLineRE = regexp.MustCompile(`(?s)data-testid="rate-limit">(.*?)</p>`)
var tagRE = regexp.MustCompile(`<[^>]*>`)

// TestConnectionsPageRateLimitNumbers pins the connections page's rate-limit line with
// the numbers Azure DevOps sent: after a sync that went past 80 % of a budget, "N of M
// TSTU left, all back …" with the answers it delayed and the time Cairn waited, and after
// a sync in which Azure DevOps refused requests with 429, how many it refused.
func TestConnectionsPageRateLimitNumbers(t *testing.T) {
	t.Parallel()
	// The bundle's clock reads 15 Aug 2026 12:00 UTC; the rate limit's starts there too.
	clock := traffic.NewVirtualClock(time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC))
	front := &budgetFront{clock: clock, refuse: map[string]int{}}
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	// Every call to the emulator's address reaches the front instead: the egress policy
	// still sees, and allows, the emulator's URL.
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	t.Cleanup(tr.CloseIdleConnections)
	b := newBundleWith(t, true, &queueStandIn{}, datasource.ClientConfig{HTTPClient: &http.Client{Transport: tr},
		Sleep: clock.Sleep, Now: clock.Now, Concurrency: 1}, "", nil)
	front.emu = b.emu
	if !b.now.Equal(clock.Now()) {
		t.Fatalf("the bundle's clock reads %v, the rate limit's %v", b.now, clock.Now())
	}
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	admin := b.signIn(t, "admin")
	k := &cairn.KeyResult{ObjectiveID: b.objective, Title: "Stories done", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 100}}
	if err := b.svc.CreateKeyResult(ctx, "fabrikam", k); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/o/fabrikam/key-results/%d/data-source", k.ID)
	connID := createConnection(t, b, admin, base)
	cid, _ := strconv.ParseInt(connID, 10, 64)
	state := url.Values{"connection_id": {connID}, "method": {"work_items"}, "work_item_type": {"Epic"}, "work_item_ids": {"1", "2"}, "progress_type": {"User Story"}, "step": {"save"}}
	if res := admin.hx(t, http.MethodPost, base, state); res.status != http.StatusOK {
		t.Fatalf("save: %d %.1000s", res.status, res.body)
	}
	line := func() string {
		t.Helper()
		res := admin.get(t, "/o/fabrikam/admin/connections")
		if res.status != http.StatusOK {
			t.Fatalf("connections page: %d", res.status)
		}
		m := rateLimitLineRE.FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("the connections page has no rate-limit line: %.3000s", res.body)
		}
		return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(m[1], ""))), " ")
	}
	syncNow := func(what string) budgetSeen {
		t.Helper()
		front.take()
		clock.TakeWaited()
		rep, err := b.syncer.Sync(context.Background(), cid, cairn.TriggerManual)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Sources {
			if s.Error != nil {
				t.Fatalf("%s: data source %d failed: %+v", what, s.DataSourceID, s.Error)
			}
		}
		if rep.Deferred {
			t.Fatalf("%s was put off", what)
		}
		return front.take()
	}

	// A sync under no budget: what one costs at the emulator's prices.
	free := syncNow("a sync without a budget")
	if got := line(); got != "Azure DevOps rate limit: not near the limit (Azure DevOps reports the budget only as usage nears it)" {
		t.Errorf("after a sync that saw no budget the line says %q", got)
	}

	// A budget that one sync takes past 80 %: Azure DevOps reports it and delays answers.
	budget := math.Ceil(free.spent / 0.9)
	front.setBudget(budget)
	near := syncNow("a sync near the limit")
	waited := clock.TakeWaited()
	if near.limit != strconv.FormatFloat(budget, 'f', -1, 64) || near.delayed == 0 || near.refused != 0 {
		t.Fatalf("a sync of %v TSTU under a budget of %v: the answers said limit %q, %d delayed, %d refused; the test needs delays and no 429",
			free.spent, budget, near.limit, near.delayed, near.refused)
	}
	if near.sent != free.sent {
		t.Errorf("the sync near the limit sent %d requests, the one without a budget %d", near.sent, free.sent)
	}
	want := fmt.Sprintf("Azure DevOps rate limit: %s of %s TSTU left, all back %s · last sync: %d delayed, 0 refused with 429, waited %s s",
		near.remaining, near.limit, near.reset.Format("2 Jan 2006 15:04 UTC"), near.delayed, seconds(waited))
	if got := line(); got != want {
		t.Errorf("after a sync near the limit the line says\n%q\nwant\n%q", got, want)
	}

	// Azure DevOps refuses the next two batch reads with 429 and Retry-After: 3: Cairn
	// waits and tries again, and the line counts the refusals.
	front.refuseNext("/_apis/wit/workitemsbatch", 2)
	refused := syncNow("a sync with 429 refusals")
	waited = clock.TakeWaited()
	if refused.refused != 2 || waited < 6*time.Second {
		t.Fatalf("the front refused %d requests and Cairn waited %v, want 2 refusals and at least their 2 × 3 s", refused.refused, waited)
	}
	want = fmt.Sprintf("Azure DevOps rate limit: %s of %s TSTU left, all back %s · last sync: %d delayed, 2 refused with 429, waited %s s",
		refused.remaining, refused.limit, refused.reset.Format("2 Jan 2006 15:04 UTC"), refused.delayed, seconds(waited))
	if got := line(); got != want {
		t.Errorf("after a sync with 429 refusals the line says\n%q\nwant\n%q", got, want)
	}

	res := admin.get(t, "/api/v1/orgs/fabrikam/connections/"+connID)
	var v struct {
		RateLimit *datasource.RateLimitView `json:"rate_limit"`
	}
	if err := json.Unmarshal([]byte(res.body), &v); err != nil || v.RateLimit == nil {
		t.Fatalf("API connection: %v %.500s", err, res.body)
	}
	if rl := v.RateLimit; !rl.Reported || strconv.FormatFloat(rl.Limit, 'f', -1, 64) != refused.limit ||
		strconv.FormatFloat(rl.Remaining, 'f', -1, 64) != refused.remaining || rl.Throttled != 2 || rl.Delayed != refused.delayed ||
		rl.ResetAt == nil || !rl.ResetAt.Equal(refused.reset) {
		t.Errorf("API rate_limit = %+v, want limit %s, remaining %s, reset %v, %d delayed and 2 refused",
			rl, refused.limit, refused.remaining, refused.reset, refused.delayed)
	}
}

// seconds writes a wait as the connections page does: whole seconds with up to two
// decimals and thousands separators.
func seconds(d time.Duration) string {
	s := strconv.FormatFloat(math.Round(d.Seconds()*100)/100, 'f', -1, 64)
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
