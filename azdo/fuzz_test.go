package azdo_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdo"
)

// The fuzz targets feed bytes to the client's real decode path: a transport answers every
// request with the fuzzed status, headers and body, and the client reads it as it reads
// Azure DevOps. Seeds from recorded Azure DevOps answers are in testdata/fuzz.

// answer is one canned HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// cannedTransport answers each request with the answer for the request's number (from 1).
type cannedTransport struct {
	n      int
	answer func(n int) answer
}

func (t *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	t.n++
	a := t.answer(t.n)
	h := a.header
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		StatusCode: a.status, Status: http.StatusText(a.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: req,
	}, nil
}

// fuzzClient returns a client whose every request gets answer(n); it retries once, sleeps
// no real time and, like the egress client, never follows redirects.
func fuzzClient(t *testing.T, answer func(n int) answer) *azdo.Client {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c, err := azdo.New(azdo.Config{
		OrgURL: "https://dev.azure.com/fabrikam",
		Auth:   azdo.PAT("fuzz-pat"),
		HTTPClient: &http.Client{
			Transport:     &cannedTransport{answer: answer},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		MaxRetries: 1,
		Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Now:        func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// okAnswer answers 200 with the content type and body.
func okAnswer(contentType string, body []byte) func(int) answer {
	return func(int) answer {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		return answer{status: http.StatusOK, header: h, body: body}
	}
}

// sentinels are every classifying error of the package.
var sentinels = []error{azdo.ErrUnauthorized, azdo.ErrConditionalAccess, azdo.ErrForbidden, azdo.ErrNotFound,
	azdo.ErrQueryTooLarge, azdo.ErrTooManyIDs, azdo.ErrThrottled, azdo.ErrBadRequest, azdo.ErrServer}

// checkAPIError asserts an *Error's contract: it matches its own kind, exactly one sentinel
// (two for the specific bad requests), and its code prefixes its message.
func checkAPIError(t *testing.T, e *azdo.Error) {
	t.Helper()
	matched := 0
	for _, s := range sentinels {
		if errors.Is(e, s) {
			matched++
		}
	}
	want := 1
	if e.Kind() == azdo.ErrQueryTooLarge || e.Kind() == azdo.ErrTooManyIDs {
		want = 2
	}
	if e.Kind() == nil || !errors.Is(e, e.Kind()) || matched != want {
		t.Fatalf("error %v (kind %v) matches %d sentinels, want %d", e, e.Kind(), matched, want)
	}
	if e.Code != "" && !strings.HasPrefix(strings.TrimSpace(e.Message), e.Code+":") {
		t.Fatalf("code %q does not prefix message %q", e.Code, e.Message)
	}
	if e.Route == "" || !strings.Contains(e.Error(), e.Route) {
		t.Fatalf("error %q does not name its route %q", e.Error(), e.Route)
	}
}

// checkClientError asserts that a failed call's error is classified: an *Error, a
// malformed response, or a body cut short (which reads as a dropped connection).
func checkClientError(t *testing.T, err error) {
	t.Helper()
	var e *azdo.Error
	switch {
	case errors.As(err, &e):
		checkAPIError(t, e)
	case errors.Is(err, azdo.ErrBadResponse), errors.Is(err, io.ErrUnexpectedEOF):
	default:
		t.Fatalf("unclassified error %T: %v", err, err)
	}
}

// checkWorkItem reads every field of a decoded work item through every accessor, which
// must not panic, and checks the IDs they derive.
func checkWorkItem(t *testing.T, w azdo.WorkItem) {
	t.Helper()
	for name := range w.Fields {
		_ = w.String(name)
		_, _ = w.Float(name)
		_, _ = w.Int(name)
		_, _ = w.Identity(name)
		_, _ = w.Time(name)
	}
	if p := w.ParentID(); p < 0 {
		t.Fatalf("item %d: parent %d", w.ID, p)
	}
	for _, c := range w.ChildIDs() {
		if c <= 0 {
			t.Fatalf("item %d: child id %d", w.ID, c)
		}
	}
	for _, r := range w.Relations {
		if id := r.TargetID(); id < 0 {
			t.Fatalf("item %d: relation target %d", w.ID, id)
		}
	}
	_ = w.WebURL()
}

func FuzzWorkItemsBatch(f *testing.F) {
	f.Add("application/json; charset=utf-8; api-version=7.1", []byte(`{"count":2,"value":[{"id":1,"rev":3,"fields":{"System.Title":"Checkout","System.Parent":7}},null]}`))
	f.Add("application/json", []byte(`{"count":1,"value":[{"id":2,"fields":{"System.AssignedTo":{"displayName":"Jamie","uniqueName":"jamie@fabrikam.com"}},"relations":[{"rel":"System.LinkTypes.Hierarchy-Forward","url":"https://dev.azure.com/fabrikam/_apis/wit/workItems/3"}]}]}`))
	f.Add("text/html", []byte(`<html>Sign in</html>`))
	f.Add("", []byte(`{"value":[{"id":"1"}]}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		c := fuzzClient(t, okAnswer(contentType, body))
		items, err := c.WorkItems(context.Background(), "Fabrikam Fiber", []int{1, 2, 3}, azdo.WorkItemsOptions{ErrorPolicy: azdo.ErrorPolicyOmit})
		if err != nil {
			checkClientError(t, err)
			return
		}
		for _, w := range items {
			// Items the server leaves out come back as null and are dropped.
			if w.ID == 0 {
				t.Fatalf("batch returned an item without an id: %+v", w)
			}
			checkWorkItem(t, w)
		}
	})
}

func FuzzWIQLResult(f *testing.F) {
	f.Add("application/json; charset=utf-8", []byte(`{"queryType":"flat","queryResultType":"workItem","asOf":"2026-03-01T12:00:00.123Z","columns":[{"referenceName":"System.Id","name":"ID"}],"workItems":[{"id":1},{"id":2},{"id":1}]}`))
	f.Add("application/json", []byte(`{"queryType":"tree","asOf":"2026-03-01T12:00:00","workItemRelations":[{"target":{"id":1}},{"rel":"System.LinkTypes.Hierarchy-Forward","source":{"id":1},"target":{"id":4}}]}`))
	f.Add("application/json", []byte(`{"queryType":"flat","asOf":"yesterday"}`))
	f.Add("application/json", []byte(`{"workItems":[{"id":-1},{"id":0}]}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		c := fuzzClient(t, okAnswer(contentType, body))
		r, err := c.WIQL(context.Background(), "Fabrikam Fiber", "SELECT [System.Id] FROM WorkItems", azdo.WIQLOptions{})
		if err != nil {
			checkClientError(t, err)
			return
		}
		rows := map[int]bool{}
		for _, w := range r.WorkItems {
			rows[w.ID] = true
		}
		for _, l := range r.WorkItemRelations {
			if l.Source != nil {
				rows[l.Source.ID] = true
			}
			if l.Target != nil {
				rows[l.Target.ID] = true
			}
		}
		seen := map[int]bool{}
		for _, id := range r.IDs() {
			if id <= 0 || seen[id] || !rows[id] {
				t.Fatalf("IDs() = %v: %d is not positive, repeated or not in the result", r.IDs(), id)
			}
			seen[id] = true
		}
	})
}

func FuzzRevisionsPage(f *testing.F) {
	f.Add("application/json", []byte(`{"values":[{"id":1,"rev":4,"fields":{"System.State":"Active","System.AssignedTo":"Jamie Reyes <jamie@fabrikam.com>","System.ChangedDate":"2026-01-02T03:04:05.06Z"}}],"continuationToken":"tok-2","isLastBatch":false}`))
	f.Add("application/json", []byte(`{"values":[],"continuationToken":"tok-9","isLastBatch":true}`))
	f.Add("application/json", []byte(`{"values":null,"isLastBatch":"yes"}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		ctx := context.Background()
		page, err := fuzzClient(t, okAnswer(contentType, body)).WorkItemRevisionsPage(ctx, "Fabrikam Fiber", azdo.RevisionsOptions{})
		if err != nil {
			checkClientError(t, err)
			return
		}
		for _, w := range page.Values {
			checkWorkItem(t, w)
		}
		// Paging: the fuzzed page first, then a last, empty page.
		last := []byte(`{"values":[],"continuationToken":"end","isLastBatch":true}`)
		pages := fuzzClient(t, func(n int) answer {
			if n == 1 {
				return okAnswer(contentType, body)(n)
			}
			return okAnswer("application/json", last)(n)
		})
		all, token, err := pages.WorkItemRevisions(ctx, "Fabrikam Fiber", azdo.RevisionsOptions{})
		if err != nil {
			t.Fatalf("a page that decodes alone fails when paging: %v", err)
		}
		wantToken := "end"
		if page.IsLastBatch || page.ContinuationToken == "" {
			wantToken = page.ContinuationToken
		}
		if len(all) != len(page.Values) || token != wantToken {
			t.Fatalf("paging returned %d revisions and token %q, want %d and %q", len(all), token, len(page.Values), wantToken)
		}
	})
}

func FuzzProjects(f *testing.F) {
	f.Add("application/json; charset=utf-8", []byte(`{"count":1,"value":[{"id":"eb6e4656-77fc-42a1-9181-4c6d8e9da5d1","name":"Fabrikam Fiber","state":"wellFormed","revision":411,"visibility":"private","lastUpdateTime":"2026-01-10T15:20:00.123Z"}]}`))
	f.Add("application/json", []byte("\xef\xbb\xbf{\"count\":0,\"value\":[]}"))
	f.Add("application/json", []byte(`{"id":"6ce954b1","name":"Fabrikam Fiber","lastUpdateTime":"2026-01-10T15:20:00"}`))
	f.Add("application/json", []byte(`{"authenticatedUser":{"id":"1","isActive":true},"instanceId":"x","deploymentType":"hosted"}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		ctx := context.Background()
		if _, _, err := fuzzClient(t, okAnswer(contentType, body)).Projects(ctx, 0, ""); err != nil {
			checkClientError(t, err)
		}
		if _, err := fuzzClient(t, okAnswer(contentType, body)).Project(ctx, "Fabrikam Fiber"); err != nil {
			checkClientError(t, err)
		}
		if _, err := fuzzClient(t, okAnswer(contentType, body)).ConnectionData(ctx); err != nil {
			checkClientError(t, err)
		}
	})
}

func FuzzErrorResponse(f *testing.F) {
	f.Add(401, "application/json; charset=utf-8", "", []byte(`{"$id":"1","innerException":null,"message":"TF400813: The user '' is not authorized to access this resource.","typeKey":"UnauthorizedRequestException","errorCode":0,"eventId":3000}`))
	f.Add(403, "application/json", "", []byte(`{"message":"VS403463: The conditional access policy defined by your Azure Active Directory administrator has failed.","typeKey":"UnauthorizedRequestException"}`))
	f.Add(404, "application/json", "", []byte(`{"message":"TF200016: The following project does not exist: Nope.","typeKey":"ProjectDoesNotExistWithNameException"}`))
	f.Add(400, "application/json", "", []byte(`{"message":"VS402337: The number of work items returned exceeds the size limit of 20000.","typeKey":"WorkItemTrackingQueryResultSizeLimitExceededException"}`))
	f.Add(429, "text/plain", "Request%20was%20blocked", []byte(`Too many requests`))
	f.Add(503, "text/html", "", []byte(`<html>Service Unavailable</html>`))
	f.Add(203, "text/html; charset=utf-8", "", []byte(`<html><title>Azure DevOps Services | Sign In</title></html>`))
	f.Add(302, "", "", []byte{})
	f.Fuzz(func(t *testing.T, status int, contentType, serviceError string, body []byte) {
		// Every status Azure DevOps may answer a call with that is not a success.
		if status != http.StatusNonAuthoritativeInfo && (status < 300 || status > 599) {
			status = 300 + int(uint(status)%300)
		}
		c := fuzzClient(t, func(int) answer {
			h := http.Header{}
			if contentType != "" {
				h.Set("Content-Type", contentType)
			}
			if serviceError != "" {
				h.Set("X-TFS-ServiceError", serviceError)
			}
			return answer{status: status, header: h, body: body}
		})
		_, err := c.ConnectionData(context.Background())
		var e *azdo.Error
		if !errors.As(err, &e) {
			t.Fatalf("HTTP %d answered %v, want an *azdo.Error", status, err)
		}
		checkAPIError(t, e)
		if e.Status != status || e.Message == "" {
			t.Fatalf("error %+v for HTTP %d, want that status and a message", e, status)
		}
		switch e.Code {
		case "VS403463", "VS402337", "VS403474", "TF200016", "TF401232", "TF401243", "TF26027", "TF51011":
			return // the code decides the kind
		}
		var want error
		switch {
		case status == 401 || status == 203:
			want = azdo.ErrUnauthorized
		case status == 403:
			want = azdo.ErrForbidden
		case status == 404 || status == 410:
			want = azdo.ErrNotFound
		case status == 429:
			want = azdo.ErrThrottled
		case status >= 500:
			want = azdo.ErrServer
		default:
			want = azdo.ErrBadRequest
		}
		if e.Kind() != want {
			t.Fatalf("HTTP %d with message %q is %v, want %v", status, e.Message, e.Kind(), want)
		}
	})
}

func FuzzDecodeHookEvent(f *testing.F) {
	f.Add([]byte(`{"subscriptionId":"s","notificationId":3,"id":"e","eventType":"workitem.updated","publisherId":"tfs","resource":{"id":5,"workItemId":42,"rev":6,"fields":{"System.State":{"oldValue":"New","newValue":"Active"}},"revision":{"id":42,"rev":6,"fields":{"System.State":"Active"}},"url":"https://dev.azure.com/fabrikam/_apis/wit/workItems/42/updates/5"},"resourceVersion":"1.0","resourceContainers":{"project":{"id":"p"}},"createdDate":"2026-03-01T12:00:00.123Z"}`))
	f.Add([]byte(`{"eventType":"workitem.deleted","resource":{"id":9,"rev":2,"fields":{},"url":"https://dev.azure.com/fabrikam/_apis/wit/recycleBin/9"},"createdDate":"2026-03-01T12:00:00"}`))
	f.Add([]byte(`{"eventType":"git.push","resource":{}}`))
	f.Add([]byte(`{"eventType":"workitem.updated","resource":{"url":"https://x/_apis/wit/workItems/7/updates/1"}}`))
	f.Add([]byte(`{"eventType":"workitem.created","resource":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := azdo.DecodeHookEvent(bytes.NewReader(body))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "azdo: ") || e.EventType != "" || e.Resource != nil {
				t.Fatalf("failed decode returned %+v, %v", e, err)
			}
			return
		}
		if e.EventType == "" {
			t.Fatal("a delivery without an event type decoded")
		}
		ev, err := e.WorkItemEvent()
		if err != nil {
			return
		}
		if !strings.HasPrefix(e.EventType, "workitem.") || ev.EventType != e.EventType {
			t.Fatalf("event type %q decoded as work item event %q", e.EventType, ev.EventType)
		}
		if id := ev.WorkItemID(); id < 0 {
			t.Fatalf("work item id %d", id)
		}
		checkWorkItem(t, ev.Item)
	})
}
