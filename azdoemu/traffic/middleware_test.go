package traffic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu/traffic"
)

// fakeTime is an injected clock and Sleep that never waits; it records every sleep.
type fakeTime struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeTime() *fakeTime {
	return &fakeTime{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeTime) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// testBundle holds a middleware wrapped around a handler that answers 200 "ok".
type testBundle struct {
	clock   *fakeTime
	mw      *traffic.Middleware
	handler http.Handler
}

func routeOf(r *http.Request) string    { return strings.TrimPrefix(r.URL.Path, "/") }
func identityOf(r *http.Request) string { return r.Header.Get("X-Who") }

func setup(t *testing.T, cfg traffic.Config) *testBundle {
	t.Helper()
	clock := newFakeTime()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = clock.Sleep
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	mw := traffic.New(cfg)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8; api-version=7.1")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	return &testBundle{clock: clock, mw: mw, handler: mw.Wrap(ok, routeOf, identityOf)}
}

// do serves one request in-process.
func (b *testBundle) do(route, who string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, "/"+route, nil)
	if who != "" {
		req.Header.Set("X-Who", who)
	}
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	return rec.Result()
}

type adoError struct {
	ID             string  `json:"$id"`
	InnerException *string `json:"innerException"`
	Message        string  `json:"message"`
	TypeName       string  `json:"typeName"`
	TypeKey        string  `json:"typeKey"`
	ErrorCode      int     `json:"errorCode"`
	EventID        int     `json:"eventId"`
}

func decodeError(t *testing.T, resp *http.Response) adoError {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q, want application/json; charset=utf-8", ct)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
	var e adoError
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", raw, err)
	}
	if e.ID != "1" || e.EventID != 3000 || e.TypeName == "" {
		t.Errorf("error body %+v lacks the Azure DevOps shape", e)
	}
	return e
}

func TestFaultKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spec  string
		check func(t *testing.T, resp *http.Response)
	}{
		{
			name: "RandomServerError",
			spec: "*:5xx@1",
			check: func(t *testing.T, resp *http.Response) {
				switch resp.StatusCode {
				case 500, 502, 503, 504:
				default:
					t.Fatalf("status = %d, want 500/502/503/504", resp.StatusCode)
				}
				if e := decodeError(t, resp); e.TypeKey != "VssServiceException" {
					t.Errorf("typeKey = %q", e.TypeKey)
				}
			},
		},
		{
			name: "ExactServiceUnavailableWithBOM",
			spec: "*:503@100%",
			check: func(t *testing.T, resp *http.Response) {
				if resp.StatusCode != 503 {
					t.Fatalf("status = %d, want 503", resp.StatusCode)
				}
				raw, _ := io.ReadAll(resp.Body)
				if !bytes.HasPrefix(raw, []byte("\uFEFF{")) {
					t.Errorf("503 body %q does not start with a BOM", raw)
				}
				if resp.Header.Get("X-TFS-ServiceError") == "" {
					t.Error("no X-TFS-ServiceError header")
				}
			},
		},
		{
			name: "Throttled",
			spec: "*:429=3s@1",
			check: func(t *testing.T, resp *http.Response) {
				if resp.StatusCode != 429 {
					t.Fatalf("status = %d, want 429", resp.StatusCode)
				}
				if got := resp.Header.Get("Retry-After"); got != "3" {
					t.Errorf("Retry-After = %q, want 3", got)
				}
				e := decodeError(t, resp)
				if e.Message != traffic.BlockedMessage || e.TypeKey != "RequestBlockedException" {
					t.Errorf("body = %+v", e)
				}
			},
		},
		{
			name: "SignInPage",
			spec: "*:203@1",
			check: func(t *testing.T, resp *http.Response) {
				if resp.StatusCode != 203 {
					t.Fatalf("status = %d, want 203", resp.StatusCode)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("Content-Type = %q, want text/html", ct)
				}
				raw, _ := io.ReadAll(resp.Body)
				if !bytes.Contains(raw, []byte("<html")) {
					t.Errorf("body %q is not HTML", raw)
				}
			},
		},
		{
			name: "Unauthorized",
			spec: "*:401@1",
			check: func(t *testing.T, resp *http.Response) {
				if resp.StatusCode != 401 {
					t.Fatalf("status = %d, want 401", resp.StatusCode)
				}
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate header")
				}
				if raw, _ := io.ReadAll(resp.Body); len(raw) != 0 {
					t.Errorf("body = %q, want empty", raw)
				}
			},
		},
		{
			name: "ConditionalAccess",
			spec: "*:403@1",
			check: func(t *testing.T, resp *http.Response) {
				if resp.StatusCode != 403 {
					t.Fatalf("status = %d, want 403", resp.StatusCode)
				}
				if e := decodeError(t, resp); !strings.HasPrefix(e.Message, "VS403463:") {
					t.Errorf("message = %q, want VS403463", e.Message)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name+"AlwaysAtOne", func(t *testing.T) {
			t.Parallel()
			faults, err := traffic.ParseFaults(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			b := setup(t, traffic.Config{Faults: faults, Seed: 1})
			for range 20 {
				resp := b.do("wit/wiql", "")
				tt.check(t, resp)
			}
		})
		t.Run(tt.name+"NeverAtZero", func(t *testing.T) {
			t.Parallel()
			faults, err := traffic.ParseFaults(strings.Replace(tt.spec, "@1", "@0", 1))
			if err != nil {
				t.Fatal(err)
			}
			faults[0].Probability = 0
			b := setup(t, traffic.Config{Faults: faults, Seed: 1})
			for range 50 {
				if resp := b.do("wit/wiql", ""); resp.StatusCode != 200 {
					t.Fatalf("status = %d, want 200", resp.StatusCode)
				}
			}
		})
	}
}

func TestFaultRouteGlob(t *testing.T) {
	t.Parallel()
	faults, err := traffic.ParseFaults("wit/*:500@1")
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, traffic.Config{Faults: faults})
	if got := b.do("wit/wiql", "").StatusCode; got != 500 {
		t.Errorf("wit/wiql status = %d, want 500", got)
	}
	if got := b.do("projects", "").StatusCode; got != 200 {
		t.Errorf("projects status = %d, want 200", got)
	}
}

func TestResetClosesConnection(t *testing.T) {
	t.Parallel()
	faults, err := traffic.ParseFaults("wit/wiql:reset@1")
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, traffic.Config{Faults: faults})
	srv := httptest.NewServer(b.handler)
	t.Cleanup(srv.Close)

	resp, err := srv.Client().Get(srv.URL + "/wit/wiql")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET succeeded with status %d, want a connection error", resp.StatusCode)
	}
	resp, err = srv.Client().Get(srv.URL + "/projects")
	if err != nil {
		t.Fatalf("GET of an unfaulted route: %v", err)
	}
	resp.Body.Close()
	if got := b.mw.Stats().Routes["wit/wiql"][traffic.OutcomeReset]; got < 1 {
		t.Errorf("reset count = %d, want at least 1", got)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	t.Run("AddsFixedAndFaultLatency", func(t *testing.T) {
		t.Parallel()
		faults, err := traffic.ParseFaults("wit/wiql:latency=300ms@1,*:latency=50ms@1")
		if err != nil {
			t.Fatal(err)
		}
		b := setup(t, traffic.Config{Faults: faults, Latency: 100 * time.Millisecond})
		b.do("wit/wiql", "")
		b.do("projects", "")
		got := b.clock.Sleeps()
		want := []time.Duration{450 * time.Millisecond, 150 * time.Millisecond}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("sleeps = %v, want %v", got, want)
		}
	})
	t.Run("CanceledRequestGetsNoResponse", func(t *testing.T) {
		t.Parallel()
		b := setup(t, traffic.Config{Latency: time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/projects", nil)
		rec := httptest.NewRecorder()
		b.handler.ServeHTTP(rec, req)
		if rec.Body.Len() != 0 {
			t.Errorf("body = %q, want nothing", rec.Body.String())
		}
		if got := b.mw.Stats().Routes["projects"][traffic.OutcomeCanceled]; got != 1 {
			t.Errorf("canceled count = %d, want 1", got)
		}
	})
	t.Run("RealSleepHonoursContext", func(t *testing.T) {
		t.Parallel()
		mw := traffic.New(traffic.Config{Latency: time.Hour})
		h := mw.Wrap(http.NotFoundHandler(), nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "/x", nil))
		if got := mw.Stats().Routes["/x"][traffic.OutcomeCanceled]; got != 1 {
			t.Errorf("canceled count = %d, want 1", got)
		}
	})
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	one := func(string, *http.Request) float64 { return 1 }

	t.Run("DelaysThenBlocksThenRecovers", func(t *testing.T) {
		t.Parallel()
		b := setup(t, traffic.Config{Budget: 10, Cost: one, MaxDelay: time.Second})
		start := b.clock.Now()
		// Requests 1..8 stay under the 80% threshold.
		for i := range 8 {
			resp := b.do("wit/wiql", "alice")
			if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Delay") != "" {
				t.Fatalf("request %d: status %d delay %q, want 200 undelayed", i+1, resp.StatusCode, resp.Header.Get("X-RateLimit-Delay"))
			}
			b.clock.Advance(time.Second)
		}
		// Request 9 (at start+8s) passes the threshold: delayed by half of MaxDelay.
		resp := b.do("wit/wiql", "alice")
		wantHeaders := map[string]string{
			"X-RateLimit-Resource":  "ATCPU",
			"X-RateLimit-Delay":     "0.500",
			"X-RateLimit-Limit":     "10",
			"X-RateLimit-Remaining": "1",
			"X-RateLimit-Reset":     strconv.FormatInt(start.Add(8*time.Second+5*time.Minute).Unix(), 10),
			"Retry-After":           "292", // the first charge leaves the window at start+300s
		}
		if resp.StatusCode != 200 {
			t.Fatalf("request 9: status %d, want 200", resp.StatusCode)
		}
		for k, v := range wantHeaders {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("request 9: %s = %q, want %q", k, got, v)
			}
		}
		if s := b.clock.Sleeps(); len(s) != 1 || s[0] != 500*time.Millisecond {
			t.Errorf("sleeps = %v, want [500ms]", s)
		}
		b.clock.Advance(time.Second)
		// Request 10 uses up the budget: still answered, remaining 0, full delay.
		resp = b.do("wit/wiql", "alice")
		if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Delay") != "1.000" {
			t.Fatalf("request 10: status %d remaining %q delay %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"), resp.Header.Get("X-RateLimit-Delay"))
		}
		b.clock.Advance(time.Second)
		// Request 11 (at start+10s) is blocked until the first charge leaves the window.
		resp = b.do("wit/wiql", "alice")
		if resp.StatusCode != 429 {
			t.Fatalf("request 11: status %d, want 429", resp.StatusCode)
		}
		if got := resp.Header.Get("Retry-After"); got != "290" {
			t.Errorf("request 11: Retry-After = %q, want 290", got)
		}
		e := decodeError(t, resp)
		if e.Message != traffic.BlockedMessage || e.TypeKey != "RequestBlockedException" ||
			e.TypeName != "Microsoft.TeamFoundation.Framework.Server.RequestBlockedException, Microsoft.TeamFoundation.Framework.Server" {
			t.Errorf("request 11: body %+v", e)
		}
		// Another identity has its own budget.
		if resp := b.do("wit/wiql", "bob"); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Delay") != "" {
			t.Errorf("bob: status %d delay %q, want 200 undelayed", resp.StatusCode, resp.Header.Get("X-RateLimit-Delay"))
		}
		// Once the first charge slides out, one request fits again, then alice is blocked.
		b.clock.Advance(start.Add(5 * time.Minute).Sub(b.clock.Now()))
		if resp := b.do("wit/wiql", "alice"); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("after slide: status %d remaining %q, want 200 and 0", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
		}
		if resp := b.do("wit/wiql", "alice"); resp.StatusCode != 429 {
			t.Errorf("after slide, second request: status %d, want 429", resp.StatusCode)
		}
		// After a whole window of quiet, alice is back to undelayed answers.
		b.clock.Advance(5 * time.Minute)
		if resp := b.do("wit/wiql", "alice"); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Resource") != "" {
			t.Errorf("after window: status %d resource %q, want 200 without rate-limit headers", resp.StatusCode, resp.Header.Get("X-RateLimit-Resource"))
		}
	})

	t.Run("DefaultCostChargesWiqlMore", func(t *testing.T) {
		t.Parallel()
		b := setup(t, traffic.Config{Budget: 200})
		got := b.do("_apis/wit/wiql", "carol").Header
		if got.Get("X-RateLimit-Resource") != "" {
			t.Fatalf("first request already delayed")
		}
		// 31 more WIQL runs cost 5 each: 32*5 = 160 is the threshold, so the 33rd is delayed.
		for range 31 {
			b.do("_apis/wit/wiql", "carol")
		}
		if h := b.do("_apis/projects", "carol").Header; h.Get("X-RateLimit-Remaining") != "39" {
			t.Errorf("remaining after 32 WIQL and 1 cheap request = %q, want 39", h.Get("X-RateLimit-Remaining"))
		}
	})

	t.Run("UnlimitedWhenBudgetZero", func(t *testing.T) {
		t.Parallel()
		b := setup(t, traffic.Config{})
		for range 500 {
			if resp := b.do("wit/wiql", "dave"); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Resource") != "" {
				t.Fatalf("status %d, want 200 without rate-limit headers", resp.StatusCode)
			}
		}
	})
}

func TestStats(t *testing.T) {
	t.Parallel()
	faults, err := traffic.ParseFaults("wit/wiql:500@1")
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, traffic.Config{Faults: faults, Budget: 2, Cost: func(string, *http.Request) float64 { return 1 }})
	b.do("projects", "x") // 200
	b.do("wit/wiql", "y") // 500
	b.do("projects", "x") // 200, delayed
	b.do("projects", "x") // 429
	got := b.mw.Stats()
	want := traffic.Stats{Total: 4, Routes: map[string]map[string]int64{
		"projects": {"200": 2, "429": 1},
		"wit/wiql": {"500": 1},
	}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Stats = %v, want %v", got, want)
	}
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"total":4,"routes":{"projects":{"200":2,"429":1},"wit/wiql":{"500":1}}}`; string(raw) != want {
		t.Errorf("JSON = %s, want %s", raw, want)
	}

	// The copy is detached from the live counters.
	got.Routes["projects"]["200"] = 99
	if b.mw.Stats().Routes["projects"]["200"] != 2 {
		t.Error("mutating the returned Stats changed the middleware")
	}

	b.mw.Reset()
	raw, _ = json.Marshal(b.mw.Stats())
	if string(raw) != `{"total":0,"routes":{}}` {
		t.Errorf("after Reset JSON = %s", raw)
	}
	// Reset also forgot x's usage.
	if resp := b.do("projects", "x"); resp.StatusCode != 200 {
		t.Errorf("after Reset status %d, want 200", resp.StatusCode)
	}
}

func TestStatsHandler(t *testing.T) {
	t.Parallel()
	b := setup(t, traffic.Config{})
	b.do("projects", "")
	rec := httptest.NewRecorder()
	b.mw.StatsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_stats", nil))
	var s traffic.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil || s.Total != 1 {
		t.Fatalf("GET stats = %q (%v), want total 1", rec.Body.String(), err)
	}
	rec = httptest.NewRecorder()
	b.mw.StatsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/_stats", nil))
	if rec.Code != http.StatusNoContent || b.mw.Stats().Total != 0 {
		t.Fatalf("DELETE stats: code %d total %d, want 204 and 0", rec.Code, b.mw.Stats().Total)
	}
}

func TestHandlerStatusIsCounted(t *testing.T) {
	t.Parallel()
	mw := traffic.New(traffic.Config{})
	h := mw.Wrap(http.NotFoundHandler(), routeOf, nil)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/nope", nil))
	if got := mw.Stats().Routes["nope"]["404"]; got != 1 {
		t.Fatalf("404 count = %d, want 1", got)
	}
}

func TestDeterministicWithSeed(t *testing.T) {
	t.Parallel()
	faults, err := traffic.ParseFaults("*:5xx@30%,*:429@20%,*:403@10%")
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed int64) []int {
		b := setup(t, traffic.Config{Faults: faults, Seed: seed})
		var codes []int
		for range 100 {
			codes = append(codes, b.do("wit/wiql", "").StatusCode)
		}
		return codes
	}
	first, second := run(42), run(42)
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Fatalf("same seed gave different sequences:\n%v\n%v", first, second)
	}
	distinct := map[int]bool{}
	for _, c := range first {
		distinct[c] = true
	}
	if len(distinct) < 3 {
		t.Errorf("100 requests at these probabilities gave only statuses %v", distinct)
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	faults, err := traffic.ParseFaults("*:5xx@20%,wit/*:latency=10ms@50%,*:429@10%")
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, traffic.Config{Faults: faults, Budget: 100})
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				route := "projects"
				if i%2 == 0 {
					route = "wit/wiql"
				}
				b.do(route, "user"+strconv.Itoa(w%3))
				if i%10 == 0 {
					_ = b.mw.Stats()
				}
			}
		})
	}
	wg.Wait()
	s := b.mw.Stats()
	var sum int64
	for _, byStatus := range s.Routes {
		for _, n := range byStatus {
			sum += n
		}
	}
	if s.Total != workers*each || sum != s.Total {
		t.Fatalf("total %d, sum of routes %d, want both %d", s.Total, sum, workers*each)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  traffic.Config
		want string
	}{
		{"ErrNegativeLatency", traffic.Config{Latency: -1}, "latency"},
		{"ErrNegativeBudget", traffic.Config{Budget: -5}, "budget"},
		{"ErrThreshold", traffic.Config{DelayThreshold: 1.5}, "delay threshold"},
		{"ErrMaxDelay", traffic.Config{MaxDelay: -time.Second}, "max delay"},
		{"ErrFaultProbability", traffic.Config{Faults: []traffic.Fault{{Route: "*", Kind: traffic.FaultReset, Probability: 2}}}, "fault 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	if err := (traffic.Config{Budget: 200, Latency: time.Millisecond}).Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

func BenchmarkWrapNoFaults(b *testing.B) {
	mw := traffic.New(traffic.Config{Budget: 1e12})
	h := mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), routeOf, identityOf)
	req := httptest.NewRequest(http.MethodGet, "/wit/wiql", nil)
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkWrapWithFaults(b *testing.B) {
	faults, err := traffic.ParseFaults("*:5xx@0%,wit/*:429@0%,*:403@0%")
	if err != nil {
		b.Fatal(err)
	}
	mw := traffic.New(traffic.Config{Faults: faults})
	h := mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), routeOf, identityOf)
	req := httptest.NewRequest(http.MethodGet, "/wit/wiql", nil)
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}
