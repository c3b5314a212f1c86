package azdo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cairn-okr/cairn/azdo"
)

// scripted answers the n-th request with the n-th step; the last step
// repeats.
type scripted struct {
	mu    sync.Mutex
	calls int
	reqs  []*http.Request
	steps []func(w http.ResponseWriter, r *http.Request)
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := min(s.calls, len(s.steps)-1)
	s.calls++
	s.reqs = append(s.reqs, r)
	s.mu.Unlock()
	s.steps[i](w, r)
}

func (s *scripted) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func status(code int, body string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		writeJSON(w, code, body)
	}
}

const projectsBody = `{"count":1,"value":[{"id":"p1","name":"Fabrikam Fiber","state":"wellFormed"}]}`

func startScripted(t *testing.T, steps ...func(http.ResponseWriter, *http.Request)) (*scripted, *httptest.Server) {
	t.Helper()
	s := &scripted{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func TestRetry(t *testing.T) {
	t.Parallel()
	blocked := `{"$id":"1","message":"TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'WorkItemTrackingResource' in namespace 'User'.","typeKey":"RequestBlockedException","errorCode":0,"eventId":3000}`

	t.Run("HonoursRetryAfterOn429ThenSucceeds", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(429, blocked, "Retry-After", "7"), status(200, projectsBody))
		c, clk := newClient(t, srv, nil)
		ps, _, err := c.Projects(context.Background(), 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 || s.Calls() != 2 {
			t.Fatalf("projects %d after %d calls", len(ps), s.Calls())
		}
		if sl := clk.Sleeps(); len(sl) != 1 || sl[0] < 7*time.Second {
			t.Errorf("sleeps = %v, want one of at least 7s", sl)
		}
	})
	t.Run("RetriesA503", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(503, `{"message":"TF000000: down"}`), status(502, ""), status(200, projectsBody))
		c, clk := newClient(t, srv, nil)
		if _, _, err := c.Projects(context.Background(), 0, ""); err != nil {
			t.Fatal(err)
		}
		if s.Calls() != 3 {
			t.Errorf("calls = %d, want 3", s.Calls())
		}
		sl := clk.Sleeps()
		if len(sl) != 2 || sl[0] <= 0 || sl[0] > 30*time.Second || sl[1] > 30*time.Second {
			t.Errorf("sleeps = %v, want two jittered backoffs", sl)
		}
	})
	t.Run("RetriesPOSTReadsOn5xx", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(500, ""), status(200, `{"queryType":"flat","asOf":"2026-01-01T00:00:00Z","workItems":[{"id":1}]}`))
		c, _ := newClient(t, srv, nil)
		if _, err := c.WIQL(context.Background(), "P", "SELECT [System.Id] FROM WorkItems", azdo.WIQLOptions{}); err != nil {
			t.Fatal(err)
		}
		if s.Calls() != 2 {
			t.Errorf("calls = %d, want 2", s.Calls())
		}
	})
	t.Run("DoesNotRetryA400", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(400, `{"message":"VS402400: bad field","typeKey":"X"}`), status(200, projectsBody))
		c, clk := newClient(t, srv, nil)
		_, err := c.WIQL(context.Background(), "P", "SELECT", azdo.WIQLOptions{})
		wantErr(t, err, azdo.ErrBadRequest, 400, "VS402400")
		if s.Calls() != 1 || len(clk.Sleeps()) != 0 {
			t.Errorf("calls = %d, sleeps = %v; want 1 call and no sleep", s.Calls(), clk.Sleeps())
		}
	})
	t.Run("DoesNotRetryAWriteOn503", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(503, ""), status(200, `{"id":1,"rev":1,"fields":{}}`))
		c, _ := newClient(t, srv, nil)
		_, err := c.CreateWorkItem(context.Background(), "P", "Task", []azdo.PatchOp{{Op: "add", Path: "/fields/System.Title", Value: "x"}})
		wantErr(t, err, azdo.ErrServer, 503, "")
		if s.Calls() != 1 {
			t.Errorf("calls = %d, want 1", s.Calls())
		}
	})
	t.Run("RetriesAWriteOn429", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(429, blocked, "Retry-After", "1"), status(200, `{"id":5,"rev":1,"fields":{"System.Title":"x"}}`))
		c, _ := newClient(t, srv, nil)
		w, err := c.CreateWorkItem(context.Background(), "P", "Task", []azdo.PatchOp{{Op: "add", Path: "/fields/System.Title", Value: "x"}})
		if err != nil || w.ID != 5 || s.Calls() != 2 {
			t.Fatalf("item %d, err %v after %d calls", w.ID, err, s.Calls())
		}
	})
	t.Run("ThrottledAfterRetriesExhausted", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(429, blocked, "Retry-After", "2"))
		c, _ := newClient(t, srv, func(cfg *azdo.Config) { cfg.MaxRetries = 3 })
		_, _, err := c.Projects(context.Background(), 0, "")
		e := wantErr(t, err, azdo.ErrThrottled, 429, "TF400733")
		if e.RetryAfter != 2*time.Second || e.TypeKey != "RequestBlockedException" || e.Route != "projects" {
			t.Errorf("error = %+v", e)
		}
		if s.Calls() != 4 {
			t.Errorf("calls = %d, want 4", s.Calls())
		}
	})
	t.Run("ServerErrorAfterRetriesExhausted", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(500, `{"message":"boom"}`))
		c, clk := newClient(t, srv, nil)
		_, _, err := c.Projects(context.Background(), 0, "")
		wantErr(t, err, azdo.ErrServer, 500, "")
		if s.Calls() != 7 {
			t.Errorf("calls = %d, want 1 + 6 retries", s.Calls())
		}
		for _, d := range clk.Sleeps() {
			if d > 30*time.Second {
				t.Errorf("backoff %v exceeds the 30s cap", d)
			}
		}
	})
	t.Run("ContextDeadlineBoundsRetries", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(429, blocked, "Retry-After", "4"))
		clk := &fakeClock{now: time.Now()}
		c, _ := newClient(t, srv, func(cfg *azdo.Config) { cfg.Now, cfg.Sleep, cfg.MaxRetries = clk.Now, clk.Sleep, 50 })
		ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(10*time.Second))
		defer cancel()
		_, _, err := c.Projects(ctx, 0, "")
		if !errors.Is(err, azdo.ErrThrottled) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want throttled and deadline exceeded", err)
		}
		if s.Calls() != 3 {
			t.Errorf("calls = %d, want 3 (waits of 4s fit twice in 10s)", s.Calls())
		}
	})
	t.Run("CanceledContextStopsAtOnce", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(200, projectsBody))
		c, _ := newClient(t, srv, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _, err := c.Projects(ctx, 0, "")
		if !errors.Is(err, context.Canceled) || s.Calls() != 0 {
			t.Fatalf("err = %v after %d calls", err, s.Calls())
		}
	})
	t.Run("RetriesANetworkReset", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}, status(200, projectsBody))
		var statuses []int
		var mu sync.Mutex
		c, _ := newClient(t, srv, func(cfg *azdo.Config) {
			cfg.OnCall = func(_ string, st int) { mu.Lock(); statuses = append(statuses, st); mu.Unlock() }
		})
		if _, _, err := c.Projects(context.Background(), 0, ""); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if s.Calls() != 2 || !slices.Equal(statuses, []int{0, 200}) {
			t.Errorf("calls = %d, OnCall statuses = %v", s.Calls(), statuses)
		}
	})
	t.Run("NoRetriesWhenDisabled", func(t *testing.T) {
		t.Parallel()
		s, srv := startScripted(t, status(503, ""))
		c, _ := newClient(t, srv, func(cfg *azdo.Config) { cfg.MaxRetries = -1 })
		_, _, err := c.Projects(context.Background(), 0, "")
		wantErr(t, err, azdo.ErrServer, 503, "")
		if s.Calls() != 1 {
			t.Errorf("calls = %d", s.Calls())
		}
	})
}

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers []string
		want    time.Duration // minimum wait before the second request
	}{
		{"RetryAfterOnA200HoldsTheNextRequest", []string{"Retry-After", "3"}, 3 * time.Second},
		{"RateLimitDelaySlowsDown", []string{"X-RateLimit-Delay", "1.5", "X-RateLimit-Resource", "WorkItemTracking"}, 1500 * time.Millisecond},
		{"LowRemainingSpreadsRequests", []string{"X-RateLimit-Limit", "200", "X-RateLimit-Remaining", "4", "X-RateLimit-Reset", "RESET+50"}, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			headers := slices.Clone(tt.headers)
			for i := range headers {
				if strings.HasPrefix(headers[i], "RESET+") {
					n, _ := strconv.Atoi(strings.TrimPrefix(headers[i], "RESET+"))
					headers[i] = strconv.FormatInt(clk.Now().Unix()+int64(n), 10)
				}
			}
			s, srv := startScripted(t, status(200, projectsBody, headers...), status(200, projectsBody))
			c, _ := newClient(t, srv, func(cfg *azdo.Config) { cfg.Now, cfg.Sleep = clk.Now, clk.Sleep })
			for range 2 {
				if _, _, err := c.Projects(context.Background(), 0, ""); err != nil {
					t.Fatal(err)
				}
			}
			sl := clk.Sleeps()
			if s.Calls() != 2 || len(sl) != 1 || sl[0] < tt.want || sl[0] > 30*time.Second {
				t.Errorf("calls %d, sleeps %v; want one wait of at least %v", s.Calls(), sl, tt.want)
			}
		})
	}
	t.Run("NoHeadersNoWait", func(t *testing.T) {
		t.Parallel()
		_, srv := startScripted(t, status(200, projectsBody, "X-RateLimit-Limit", "200", "X-RateLimit-Remaining", "150"))
		c, clk := newClient(t, srv, nil)
		for range 3 {
			if _, _, err := c.Projects(context.Background(), 0, ""); err != nil {
				t.Fatal(err)
			}
		}
		if len(clk.Sleeps()) != 0 {
			t.Errorf("sleeps = %v, want none", clk.Sleeps())
		}
	})
	t.Run("GateIsSharedByConcurrentRequests", func(t *testing.T) {
		t.Parallel()
		_, srv := startScripted(t, status(200, projectsBody, "Retry-After", "5"), status(200, projectsBody))
		c, clk := newClient(t, srv, nil)
		if _, _, err := c.Projects(context.Background(), 0, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.States(context.Background(), "P", "Bug"); err != nil || len(clk.Sleeps()) != 1 || clk.Sleeps()[0] < 5*time.Second {
			t.Errorf("a different route did not wait for the host: sleeps %v", clk.Sleeps())
		}
	})
}

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	html := string(readTestdata(t, "signin-203.html"))
	tests := []struct {
		name    string
		handler func(http.ResponseWriter, *http.Request)
	}{
		{"203SignInPage", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(203)
			_, _ = io.WriteString(w, html)
		}},
		{"203WithJSONBody", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 203, projectsBody) }},
		{"NonJSON200", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, html)
		}},
		{"HTMLWithoutContentType", func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = nil
			_, _ = io.WriteString(w, html)
		}},
		{"Empty401", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="https://tfsprodsin1.app.visualstudio.com/"`)
			w.WriteHeader(401)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, srv := startScripted(t, tt.handler)
			c, _ := newClient(t, srv, nil)
			_, _, err := c.Projects(context.Background(), 0, "")
			if !errors.Is(err, azdo.ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
			if s.Calls() != 1 {
				t.Errorf("calls = %d, want 1 (no retry)", s.Calls())
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   error
		code   string
	}{
		{"ConditionalAccess", 403, `{"message":"VS403463: The conditional access policy defined by your Microsoft Entra administrator has failed.","typeKey":"VssServiceException"}`, azdo.ErrConditionalAccess, "VS403463"},
		{"Forbidden", 403, `{"message":"TF400813: The user is not authorized to access this resource.","typeKey":"UnauthorizedRequestException"}`, azdo.ErrForbidden, "TF400813"},
		{"ProjectNotFound", 404, `{"message":"TF200016: The following project does not exist: Nope.","typeKey":"ProjectDoesNotExistWithNameException"}`, azdo.ErrNotFound, "TF200016"},
		{"WorkItemNotFound", 404, `{"message":"TF401232: Work item 99 does not exist, or you do not have permissions to read it.","typeKey":"WorkItemUnauthorizedAccessException"}`, azdo.ErrNotFound, "TF401232"},
		{"QueryNotFound", 404, `{"message":"TF401243: The query does not exist.","typeKey":"QueryItemNotFoundException"}`, azdo.ErrNotFound, "TF401243"},
		{"Plain404", 404, ``, azdo.ErrNotFound, ""},
		{"QueryTooLarge", 400, `{"message":"VS402337: The number of work items returned exceeds the size limit of 20000.","typeKey":"WorkItemTrackingQueryResultSizeLimitExceededException"}`, azdo.ErrQueryTooLarge, "VS402337"},
		{"TooManyIDs", 400, `{"message":"VS403474: You requested 201 work items which exceeds the limit of 200"}`, azdo.ErrTooManyIDs, "VS403474"},
		{"Conflict", 409, `{"message":"VS402371: conflict"}`, azdo.ErrBadRequest, "VS402371"},
		{"BOMPrefixedError", 404, "\xef\xbb\xbf" + `{"message":"TF200016: The following project does not exist: X.","typeKey":"ProjectDoesNotExistWithNameException"}`, azdo.ErrNotFound, "TF200016"},
	}
	kinds := []error{azdo.ErrUnauthorized, azdo.ErrConditionalAccess, azdo.ErrForbidden, azdo.ErrNotFound, azdo.ErrThrottled, azdo.ErrServer}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv := startScripted(t, status(tt.status, tt.body))
			c, _ := newClient(t, srv, nil)
			_, err := c.WorkItem(context.Background(), "P", 99, "")
			e := wantErr(t, err, tt.want, tt.status, tt.code)
			if e.Kind() != tt.want {
				t.Errorf("Kind = %v, want %v", e.Kind(), tt.want)
			}
			for _, k := range kinds {
				if k != tt.want && errors.Is(err, k) {
					t.Errorf("error also matches %v", k)
				}
			}
			if !strings.Contains(err.Error(), "wit/workitems/{id}") || !strings.Contains(err.Error(), strconv.Itoa(tt.status)) {
				t.Errorf("message %q lacks route or status", err.Error())
			}
		})
	}
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("BOMPrefixedBody", func(t *testing.T) {
		t.Parallel()
		body := string(readTestdata(t, "bom-projects.json"))
		_, srv := startScripted(t, status(200, body))
		c, _ := newClient(t, srv, nil)
		ps, _, err := c.Projects(ctx, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || ps[0].Name != "Fabrikam Fiber" || !ps[0].LastUpdateTime.IsZero() || ps[1].LastUpdateTime.Year() != 2025 {
			t.Errorf("projects = %+v", ps)
		}
	})
	t.Run("TreeRootsWithoutSource", func(t *testing.T) {
		t.Parallel()
		_, srv := startScripted(t, status(200, string(readTestdata(t, "wiql-tree-roots.json"))))
		c, _ := newClient(t, srv, nil)
		r, err := c.RunSavedQuery(ctx, "P", "q1", 0)
		if err != nil {
			t.Fatal(err)
		}
		rel := r.WorkItemRelations
		if len(rel) != 4 || rel[0].Source != nil || rel[0].Rel != "" || rel[1].Source != nil || rel[0].Target.ID != 10 {
			t.Fatalf("roots = %+v", rel[:2])
		}
		if rel[2].Source == nil || rel[2].Source.ID != 10 || rel[2].Target.ID != 11 || rel[2].Rel != azdo.LinkChild {
			t.Errorf("child row = %+v", rel[2])
		}
		if !slices.Equal(r.IDs(), []int{10, 20, 11, 12}) {
			t.Errorf("IDs = %v", r.IDs())
		}
	})
	t.Run("AbsentFieldsAndOmittedItems", func(t *testing.T) {
		t.Parallel()
		_, srv := startScripted(t, status(200, string(readTestdata(t, "items-absent-fields.json"))))
		c, _ := newClient(t, srv, nil)
		items, err := c.WorkItems(ctx, "P", []int{7, 8}, azdo.WorkItemsOptions{ErrorPolicy: azdo.ErrorPolicyOmit})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != 7 {
			t.Fatalf("items = %+v", items)
		}
		w := items[0]
		if _, ok := w.Identity("System.AssignedTo"); ok || w.String("System.AssignedTo") != "" {
			t.Error("absent AssignedTo reads as set")
		}
		if f, ok := w.Float("Microsoft.VSTS.Scheduling.StoryPoints"); !ok || f != 5.5 {
			t.Errorf("story points = %v, %v", f, ok)
		}
		if w.String("Custom.Big") != "12345678901234567890" {
			t.Errorf("big number = %q", w.String("Custom.Big"))
		}
		if w.ParentID() != 3 {
			t.Errorf("ParentID = %d", w.ParentID())
		}
		if w.WebURL() != "https://dev.azure.com/fabrikam/0b7d2f2e-1111-2222-3333-444455556666/_workitems/edit/7" {
			t.Errorf("WebURL = %q", w.WebURL())
		}
	})
	t.Run("ProjectsFollowContinuationHeader", func(t *testing.T) {
		t.Parallel()
		var tokens []string
		var mu sync.Mutex
		_, srv := startScripted(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			tokens = append(tokens, r.URL.Query().Get("continuationToken"))
			mu.Unlock()
			if r.URL.Query().Get("continuationToken") == "" {
				w.Header().Set("X-MS-ContinuationToken", "100")
				writeJSON(w, 200, `{"count":1,"value":[{"id":"p1","name":"One"}]}`)
				return
			}
			writeJSON(w, 200, `{"count":1,"value":[{"id":"p2","name":"Two"}]}`)
		})
		c, _ := newClient(t, srv, nil)
		ps, err := c.AllProjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || ps[1].Name != "Two" || !slices.Equal(tokens, []string{"", "100"}) {
			t.Errorf("projects %+v after tokens %q", ps, tokens)
		}
	})
	t.Run("RevisionsPageUntilLastBatch", func(t *testing.T) {
		t.Parallel()
		p1, p2 := string(readTestdata(t, "revisions-page1.json")), string(readTestdata(t, "revisions-page2.json"))
		var queries []string
		var mu sync.Mutex
		_, srv := startScripted(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			queries = append(queries, r.URL.RawQuery)
			mu.Unlock()
			if r.URL.Query().Get("continuationToken") == "tok-2" {
				writeJSON(w, 200, p2)
				return
			}
			writeJSON(w, 200, p1)
		})
		c, _ := newClient(t, srv, nil)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		revs, token, err := c.WorkItemRevisions(ctx, "P", azdo.RevisionsOptions{StartDateTime: start, Fields: []string{"System.Id", "System.State"}, IncludeLatestOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 3 || token != "tok-3" || revs[2].String("System.State") != "Closed" {
			t.Errorf("revisions %d, token %q", len(revs), token)
		}
		if id, ok := revs[0].Identity("System.AssignedTo"); !ok || id.UniqueName != "jamie@fabrikam.com" || id.DisplayName != "Jamie Reyes" {
			t.Errorf("AssignedTo = %+v", id)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(queries) != 2 || !strings.Contains(queries[0], "startDateTime=2026-01-01T00%3A00%3A00Z") ||
			!strings.Contains(queries[0], "includeLatestOnly=true") || !strings.Contains(queries[0], "fields=System.Id%2CSystem.State") ||
			strings.Contains(queries[1], "startDateTime") {
			t.Errorf("queries = %q", queries)
		}
	})
	t.Run("RevisionsStopOnRepeatedToken", func(t *testing.T) {
		t.Parallel()
		_, srv := startScripted(t, status(200, `{"values":[],"continuationToken":"same","isLastBatch":false}`))
		c, _ := newClient(t, srv, nil)
		if _, _, err := c.WorkItemRevisions(ctx, "P", azdo.RevisionsOptions{ContinuationToken: "same"}); err == nil {
			t.Fatal("a token that does not advance did not fail")
		}
	})
	t.Run("ConnectionDataUsesPreviewVersion", func(t *testing.T) {
		t.Parallel()
		body := string(readTestdata(t, "connection-data.json"))
		_, srv := startScripted(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("api-version") != "7.1-preview" {
				writeJSON(w, 400, `{"message":"VS403405: preview required"}`)
				return
			}
			writeJSON(w, 200, body)
		})
		c, _ := newClient(t, srv, nil)
		cd, err := c.ConnectionData(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cd.AuthenticatedUser.ProviderDisplayName != "Jamie Reyes" || cd.InstanceID != "c0ffee00-0000-4000-8000-000000000002" || cd.DeploymentType != "hosted" {
			t.Errorf("connection data = %+v", cd)
		}
	})
}

func TestWorkItemsBatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		n           int
		concurrency int
		wantCalls   int
	}{
		{"450IDsMake3Calls", 450, 2, 3},
		{"1000IDsMake5Calls", 1000, 3, 5},
		{"200IDsMake1Call", 200, 4, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var inFlight, maxInFlight, calls atomic.Int32
			firstDone := make(chan struct{})
			var once sync.Once
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				cur := inFlight.Add(1)
				defer inFlight.Add(-1)
				for {
					m := maxInFlight.Load()
					if cur <= m || maxInFlight.CompareAndSwap(m, cur) {
						break
					}
				}
				var req struct {
					IDs    []int    `json:"ids"`
					Fields []string `json:"fields"`
					Expand string   `json:"$expand"`
				}
				if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.IDs) > 200 || len(req.IDs) == 0 {
					writeJSON(w, 400, `{"message":"VS403474: You requested too many"}`)
					return
				}
				if !slices.Equal(req.Fields, []string{"System.Title"}) {
					t.Errorf("fields = %v", req.Fields)
				}
				// Hold the first chunk until another finished, so chunks
				// complete out of order.
				if req.IDs[0] == 1000 && tt.n > 200 {
					select {
					case <-firstDone:
					case <-time.After(5 * time.Second):
					}
				} else {
					defer once.Do(func() { close(firstDone) })
				}
				var b strings.Builder
				b.WriteString(`{"count":` + strconv.Itoa(len(req.IDs)) + `,"value":[`)
				for i, id := range req.IDs {
					if i > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"id":%d,"rev":1,"fields":{"System.Title":"Item %d"},"url":"http://x/_apis/wit/workItems/%d"}`, id, id, id)
				}
				b.WriteString(`]}`)
				writeJSON(w, 200, b.String())
			}))
			t.Cleanup(srv.Close)
			c, _ := newClient(t, srv, func(cfg *azdo.Config) { cfg.Concurrency = tt.concurrency })
			ids := make([]int, tt.n)
			for i := range ids {
				ids[i] = 1000 + i
			}
			items, err := c.WorkItems(context.Background(), "P", ids, azdo.WorkItemsOptions{Fields: []string{"System.Title"}})
			if err != nil {
				t.Fatal(err)
			}
			if int(calls.Load()) != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls.Load(), tt.wantCalls)
			}
			if int(maxInFlight.Load()) > tt.concurrency {
				t.Errorf("%d calls in flight, want at most %d", maxInFlight.Load(), tt.concurrency)
			}
			if len(items) != tt.n {
				t.Fatalf("got %d items, want %d", len(items), tt.n)
			}
			for i, it := range items {
				if it.ID != ids[i] || it.String("System.Title") != "Item "+strconv.Itoa(ids[i]) || len(it.Fields) != 1 {
					t.Fatalf("item %d = %d %v, want %d", i, it.ID, it.Fields, ids[i])
				}
			}
		})
	}
	t.Run("FirstFailureFailsTheCall", func(t *testing.T) {
		t.Parallel()
		_, srv := startScripted(t, status(404, `{"message":"TF401232: Work item 1 does not exist."}`))
		c, _ := newClient(t, srv, nil)
		ids := make([]int, 500)
		for i := range ids {
			ids[i] = i + 1
		}
		_, err := c.WorkItems(context.Background(), "P", ids, azdo.WorkItemsOptions{})
		wantErr(t, err, azdo.ErrNotFound, 404, "TF401232")
	})
	t.Run("SendsBatchOptions", func(t *testing.T) {
		t.Parallel()
		var got map[string]any
		_, srv := startScripted(t, func(w http.ResponseWriter, r *http.Request) {
			_ = json.NewDecoder(r.Body).Decode(&got)
			writeJSON(w, 200, `{"count":0,"value":[]}`)
		})
		c, _ := newClient(t, srv, nil)
		asOf := time.Date(2026, 2, 3, 4, 5, 6, 7e6, time.FixedZone("x", 3600))
		if _, err := c.WorkItems(context.Background(), "P", []int{3, 1, 3, 2}, azdo.WorkItemsOptions{Expand: azdo.ExpandRelations, AsOf: asOf, ErrorPolicy: azdo.ErrorPolicyOmit}); err != nil {
			t.Fatal(err)
		}
		ids, _ := json.Marshal(got["ids"])
		if string(ids) != "[3,1,2]" || got["$expand"] != "relations" || got["asOf"] != "2026-02-03T03:05:06.007Z" || got["errorPolicy"] != "omit" || got["fields"] != nil {
			t.Errorf("body = %v", got)
		}
	})
}

func TestLocalValidation(t *testing.T) {
	t.Parallel()
	s, srv := startScripted(t, status(200, `{}`))
	c, _ := newClient(t, srv, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"FieldsWithExpandRelations", func() error {
			_, err := c.WorkItems(ctx, "P", []int{1}, azdo.WorkItemsOptions{Fields: []string{"System.Title"}, Expand: azdo.ExpandRelations})
			return err
		}},
		{"UnknownExpand", func() error {
			_, err := c.WorkItems(ctx, "P", []int{1}, azdo.WorkItemsOptions{Expand: "everything"})
			return err
		}},
		{"UnknownErrorPolicy", func() error {
			_, err := c.WorkItems(ctx, "P", []int{1}, azdo.WorkItemsOptions{ErrorPolicy: "ignore"})
			return err
		}},
		{"NonPositiveID", func() error { _, err := c.WorkItems(ctx, "P", []int{1, 0}, azdo.WorkItemsOptions{}); return err }},
		{"DepthOutOfRange", func() error { _, err := c.Queries(ctx, "P", 3, ""); return err }},
		{"MissingProject", func() error { _, err := c.States(ctx, "", "Bug"); return err }},
		{"EmptyWIQL", func() error { _, err := c.WIQL(ctx, "P", "  ", azdo.WIQLOptions{}); return err }},
		{"EmptySearch", func() error { _, err := c.SearchQueries(ctx, "P", "", 0); return err }},
		{"EmptyQueryPath", func() error { _, err := c.Query(ctx, "P", "/", ""); return err }},
		{"NoPatchOps", func() error { _, err := c.UpdateWorkItem(ctx, "P", 1, nil); return err }},
		{"EmptySubscriptionID", func() error { return c.DeleteSubscription(ctx, "") }},
		{"IncompleteSubscription", func() error {
			_, err := c.CreateSubscription(ctx, azdo.Subscription{EventType: "workitem.updated"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if s.Calls() != 0 {
		t.Errorf("invalid input reached the server %d times", s.Calls())
	}
	if items, err := c.WorkItems(ctx, "P", nil, azdo.WorkItemsOptions{}); err != nil || items != nil || s.Calls() != 0 {
		t.Errorf("no ids: %v, %v, %d calls", items, err, s.Calls())
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  azdo.Config
		ok   bool
	}{
		{"Cloud", azdo.Config{OrgURL: "https://dev.azure.com/fabrikam/"}, true},
		{"ServerCollection", azdo.Config{OrgURL: "https://tfs.example.com/tfs/DefaultCollection"}, true},
		{"MissingOrgURL", azdo.Config{}, false},
		{"NotHTTP", azdo.Config{OrgURL: "ftp://dev.azure.com/fabrikam"}, false},
		{"NoHost", azdo.Config{OrgURL: "https:///fabrikam"}, false},
		{"WithQuery", azdo.Config{OrgURL: "https://dev.azure.com/fabrikam?x=1"}, false},
		{"BadVSSPS", azdo.Config{OrgURL: "https://dev.azure.com/fabrikam", VSSPSURL: "vssps"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := azdo.New(tt.cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("New = %v, want ok %v", err, tt.ok)
			}
			if tt.ok && strings.HasSuffix(c.OrgURL(), "/") {
				t.Errorf("OrgURL %q keeps a trailing slash", c.OrgURL())
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	_, srv := startScripted(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization")+"|"+r.Header.Get("User-Agent"))
		mu.Unlock()
		writeJSON(w, 200, projectsBody)
	})
	t.Run("PATIsBasicWithEmptyUser", func(t *testing.T) {
		c, _ := newClient(t, srv, func(cfg *azdo.Config) { cfg.Auth = azdo.PAT("abc"); cfg.UserAgent = "cairn-test" })
		if _, _, err := c.Projects(context.Background(), 0, ""); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if got[len(got)-1] != "Basic OmFiYw==|cairn-test" {
			t.Errorf("Authorization = %q", got[len(got)-1])
		}
	})
	t.Run("BearerSendsTheToken", func(t *testing.T) {
		c, _ := newClient(t, srv, func(cfg *azdo.Config) {
			cfg.Auth = azdo.Bearer(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok-1"}))
		})
		if _, _, err := c.Projects(context.Background(), 0, ""); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !strings.HasPrefix(got[len(got)-1], "Bearer tok-1|") {
			t.Errorf("Authorization = %q", got[len(got)-1])
		}
	})
	t.Run("TokenFailureIsUnauthorizedWithoutACall", func(t *testing.T) {
		mu.Lock()
		before := len(got)
		mu.Unlock()
		c, _ := newClient(t, srv, func(cfg *azdo.Config) { cfg.Auth = azdo.Bearer(failingSource{}) })
		_, _, err := c.Projects(context.Background(), 0, "")
		if !errors.Is(err, azdo.ErrUnauthorized) {
			t.Fatalf("err = %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != before {
			t.Error("a request went out without credentials")
		}
	})
	t.Run("EntraConfigs", func(t *testing.T) {
		cfg := azdo.EntraAuthCodeConfig("contoso.onmicrosoft.com", "cid", "sec", "https://okr.example.com/callback")
		if cfg.Endpoint.TokenURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" ||
			!slices.Contains(cfg.Scopes, azdo.AzureDevOpsScope) || !slices.Contains(cfg.Scopes, "offline_access") {
			t.Errorf("config = %+v", cfg)
		}
		if !strings.HasPrefix(cfg.AuthCodeURL("st"), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?") {
			t.Errorf("auth URL = %s", cfg.AuthCodeURL("st"))
		}
		if _, err := azdo.EntraClientCredentials(context.Background(), "", "cid", "sec"); err == nil {
			t.Error("missing tenant accepted")
		}
		if ts, err := azdo.EntraClientCredentials(context.Background(), "t", "cid", "sec"); err != nil || ts == nil {
			t.Errorf("client credentials = %v, %v", ts, err)
		}
	})
}

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, errors.New("refresh token expired") }

func TestRoutes(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	_, srv := startScripted(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		mu.Unlock()
		switch {
		case r.Method == "DELETE":
			w.WriteHeader(204)
		case strings.Contains(r.URL.Path, "/queries") && !strings.HasSuffix(r.URL.Path, "/queries"):
			writeJSON(w, 200, `{"id":"q","name":"n","path":"p"}`)
		case strings.Contains(r.URL.Path, "/wiql"):
			writeJSON(w, 200, `{"queryType":"flat","asOf":"2026-01-01T00:00:00Z","workItems":[]}`)
		case strings.Contains(r.URL.Path, "/projects/"), strings.Contains(r.URL.Path, "/workitemtypes/Bug") && !strings.HasSuffix(r.URL.Path, "states"):
			writeJSON(w, 200, `{"id":"x","name":"x"}`)
		case strings.Contains(r.URL.Path, "/subscriptions/"), strings.Contains(r.URL.Path, "/workitems/"):
			writeJSON(w, 200, `{"id":1}`)
		default:
			writeJSON(w, 200, `{"count":0,"value":[]}`)
		}
	})
	var routes []string
	c, _ := newClient(t, srv, func(cfg *azdo.Config) {
		cfg.OnCall = func(route string, st int) {
			mu.Lock()
			routes = append(routes, fmt.Sprintf("%s %d", route, st))
			mu.Unlock()
		}
	})
	ctx := context.Background()
	calls := []struct {
		call func() error
		want string
	}{
		{func() error { _, err := c.Project(ctx, "Fabrikam Fiber"); return err }, "GET /fabrikam/_apis/projects/Fabrikam%20Fiber?api-version=7.1"},
		{func() error { _, err := c.Queries(ctx, "Fabrikam Fiber", 2, "wiql"); return err }, "GET /fabrikam/Fabrikam%20Fiber/_apis/wit/queries?%24depth=2&%24expand=wiql&api-version=7.1"},
		{func() error { _, err := c.SearchQueries(ctx, "P", "bugs & stuff", 5); return err }, "GET /fabrikam/P/_apis/wit/queries?%24filter=bugs+%26+stuff&%24top=5&api-version=7.1"},
		{func() error { _, err := c.Query(ctx, "P", "Shared Queries/Team A/Épics", "wiql"); return err }, "GET /fabrikam/P/_apis/wit/queries/Shared%20Queries/Team%20A/%C3%89pics?%24expand=wiql&api-version=7.1"},
		{func() error { _, err := c.RunSavedQuery(ctx, "P", "abc", 10); return err }, "GET /fabrikam/P/_apis/wit/wiql/abc?%24top=10&api-version=7.1"},
		{func() error {
			_, err := c.WIQL(ctx, "P", "SELECT [System.Id] FROM WorkItems", azdo.WIQLOptions{Top: 3, TimePrecision: true, Team: "Team A"})
			return err
		}, "POST /fabrikam/P/Team%20A/_apis/wit/wiql?%24top=3&api-version=7.1&timePrecision=true"},
		{func() error { _, err := c.WorkItem(ctx, "P", 42, "relations"); return err }, "GET /fabrikam/P/_apis/wit/workitems/42?%24expand=relations&api-version=7.1"},
		{func() error { _, err := c.WorkItemType(ctx, "P", "Bug"); return err }, "GET /fabrikam/P/_apis/wit/workitemtypes/Bug?api-version=7.1"},
		{func() error {
			_, err := c.CreateWorkItem(ctx, "P", "User Story", []azdo.PatchOp{{Op: "add", Path: "/fields/System.Title", Value: "x"}})
			return err
		}, "POST /fabrikam/P/_apis/wit/workitems/$User%20Story?api-version=7.1"},
		{func() error {
			_, err := c.ListSubscriptions(ctx, azdo.SubscriptionFilter{PublisherID: "tfs", EventType: "workitem.updated"})
			return err
		}, "GET /fabrikam/_apis/hooks/subscriptions?api-version=7.1&eventType=workitem.updated&publisherId=tfs"},
		{func() error { return c.DeleteSubscription(ctx, "s-1") }, "DELETE /fabrikam/_apis/hooks/subscriptions/s-1?api-version=7.1"},
		{func() error { _, err := c.Accounts(ctx, "m-1"); return err }, "GET /_vssps/_apis/accounts?api-version=7.1&memberId=m-1"},
	}
	for i, cl := range calls {
		if err := cl.call(); err != nil {
			t.Errorf("call %d: %v", i, err)
		}
		mu.Lock()
		if last := seen[len(seen)-1]; last != cl.want {
			t.Errorf("call %d requested %s, want %s", i, last, cl.want)
		}
		mu.Unlock()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(routes) != len(calls) || routes[0] != "projects/{id} 200" || routes[10] != "hooks/subscriptions/{id} 204" {
		t.Errorf("OnCall routes = %v", routes)
	}
}
