package ui_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
	"github.com/cairn-okr/cairn/web/ui"
)

// testBundle is a running server with the UI on a fresh SQLite database: a tenant admin,
// an organization "fabrikam" with an admin, a member and a viewer, a period with one
// objective, key result and initiative, and a second organization "contoso" with its own
// period, objective and member.
type testBundle struct {
	db    *sqldb.DB
	svc   *cairn.Service
	web   *web.Server
	srv   *httptest.Server
	now   time.Time
	users map[string]*cairn.User
	// ids in fabrikam
	period, objective, keyResult, initiative int64
	// ids in contoso
	otherPeriod, otherObjective, otherKeyResult int64
	// emu is the Azure DevOps emulator of setupAzdo.
	emu    *azdoemu.Server
	emuURL string
	// importDir is where the UI keeps uploaded exports.
	importDir string
	// syncer and queue are the integration's sync engine and, for setupAzdoQueued, its
	// job queue stand-in.
	syncer *datasource.Syncer
	queue  *queueStandIn
}

// queueStandIn records the syncs the integration queues and runs none, so that a test
// decides when a queued sync runs.
type queueStandIn struct {
	mu     sync.Mutex
	queued []int64
}

// EnqueueSync records a queued sync of the connection.
func (q *queueStandIn) EnqueueSync(_ context.Context, _ *sql.Tx, connectionID int64, _ string, _ time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = append(q.queued, connectionID)
	return nil
}

// count is how many syncs were queued.
func (q *queueStandIn) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queued)
}

// publicURL is where the integration says Cairn is reached, as in its OAuth redirect URI.
const publicURL = "http://cairn.test"

// emulatorPAT is the personal access token the emulator accepts.
const emulatorPAT = "pat-ui-test-4d2a"

func setup(tb testing.TB) *testBundle { tb.Helper(); return newBundle(tb, false) }

// setupAzdo is setup with the Azure DevOps integration wired to the emulator's demo data
// and both switches on.
func setupAzdo(tb testing.TB) *testBundle { tb.Helper(); return newBundle(tb, true) }

// setupAzdoQueued is setupAzdo with a job queue that only records the syncs it is given:
// "Sync now" and new data sources queue their syncs, and the test runs them with b.syncer.
func setupAzdoQueued(tb testing.TB) *testBundle {
	tb.Helper()
	return newBundleWith(tb, true, &queueStandIn{}, datasource.ClientConfig{}, "", nil)
}

func newBundle(tb testing.TB, withAzdo bool) *testBundle {
	tb.Helper()
	return newBundleWith(tb, withAzdo, nil, datasource.ClientConfig{}, "", nil)
}

// newBundleWith builds the bundle; queue, when not nil, stands in for the job queue, and
// clients adds to the integration's client configuration (the emulator's profile service
// is always set), public is the integration's public URL, and jobs, when not nil, stands
// in for River's UI.
func newBundleWith(tb testing.TB, withAzdo bool, queue *queueStandIn, clients datasource.ClientConfig, public string, jobs http.Handler) *testBundle {
	tb.Helper()
	ctx := context.Background()
	b := &testBundle{now: time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC), users: map[string]*cairn.User{}, importDir: tb.TempDir()}
	now := func() time.Time { return b.now }
	hasher, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sqldb.Open(ctx, filepath.Join(tb.TempDir(), "cairn.db"), sqldb.Options{Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	b.db = db
	secrets, err := auth.NewSealer(map[string][]byte{"w": bytes.Repeat([]byte("w"), 32)}, "w")
	if err != nil {
		tb.Fatal(err)
	}
	b.svc = cairn.NewService(db, cairn.ServiceOptions{Now: now, HashPassword: hasher.Hash, Secrets: secrets, LinkKey: bytes.Repeat([]byte("l"), 32)})
	var ds *datasource.Service
	if withAzdo {
		emu, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{emulatorPAT}})
		if err != nil {
			tb.Fatal(err)
		}
		if b.emuURL, err = emu.Start("127.0.0.1:0"); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { emu.Close() })
		b.emu = emu
		sealer, err := auth.NewSealer(map[string][]byte{"k": bytes.Repeat([]byte("s"), 32)}, "k")
		if err != nil {
			tb.Fatal(err)
		}
		clients.VSSPSURL = b.emuURL + "/_vssps"
		clients.Egress = &azdo.Egress{Hosts: []string{strings.TrimPrefix(b.emuURL, "http://")}}
		if clients.EntraAuthority != "" {
			clients.Egress.Hosts = append(clients.Egress.Hosts, strings.TrimPrefix(clients.EntraAuthority, "http://"))
		}
		syncer := datasource.NewSyncer(datasource.SyncerConfig{Store: db, Sealer: sealer, Clients: clients})
		cfg := datasource.Config{Cairn: b.svc, Store: db, Sealer: sealer, Clients: clients, Syncer: syncer, Now: now, PublicURL: public}
		if queue != nil {
			cfg.Enqueuer = queue
		}
		ds = datasource.New(cfg)
		b.syncer, b.queue = syncer, queue
	}
	srv, err := web.New(web.Config{Service: b.svc, Store: db, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: hasher, Now: now, Integration: ds, JobsUI: jobs})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := ui.Mount(srv, ui.Config{Now: now, Integration: ds, MicrosoftSignIn: clients.OAuthClientID != "", Imports: db, ImportDir: b.importDir}); err != nil {
		tb.Fatal(err)
	}
	b.web, b.srv = srv, httptest.NewServer(srv)
	tb.Cleanup(b.srv.Close)

	pw, _ := hasher.Hash("correct-horse")
	tenant := &cairn.User{Email: "tenant@example.com", Name: "Tenant Admin", TenantAdmin: true, PasswordHash: pw, CreatedAt: b.now}
	if err := db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn", CreatedAt: b.now}, tenant); err != nil {
		tb.Fatal(err)
	}
	b.users["tenant"] = tenant
	tctx := cairn.NewContext(ctx, tenant)
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(b.svc.CreateOrg(tctx, &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}))
	must(b.svc.CreateOrg(tctx, &cairn.Org{Name: "Contoso", Slug: "contoso"}))
	for _, m := range []struct {
		name, org string
		role      cairn.Role
	}{{"admin", "fabrikam", cairn.RoleAdmin}, {"member", "fabrikam", cairn.RoleMember}, {"viewer", "fabrikam", cairn.RoleViewer}, {"outsider", "contoso", cairn.RoleMember}} {
		mem, err := b.svc.AddMember(tctx, m.org, cairn.NewMember{Email: m.name + "@example.com", Name: strings.ToUpper(m.name[:1]) + m.name[1:], Role: m.role, Password: "correct-horse"})
		must(err)
		u, err := db.UserByID(ctx, mem.UserID)
		must(err)
		b.users[m.name] = u
	}
	p := &cairn.Period{Name: "Q3 2026", Start: cairn.DateOf(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)), End: cairn.DateOf(time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC))}
	must(b.svc.CreatePeriod(tctx, "fabrikam", p))
	b.period = p.ID
	o := &cairn.Objective{PeriodID: p.ID, Title: "Delight shoppers", OwnerIDs: []int64{b.users["member"].ID}}
	must(b.svc.CreateObjective(tctx, "fabrikam", o))
	b.objective = o.ID
	k := &cairn.KeyResult{ObjectiveID: o.ID, Title: "Checkout conversion", Metric: cairn.Metric{Kind: cairn.MetricPercentage, Start: 2, Target: 4, Unit: "%"}, OwnerIDs: []int64{b.users["member"].ID}}
	must(b.svc.CreateKeyResult(tctx, "fabrikam", k))
	b.keyResult = k.ID
	i := &cairn.Initiative{Parent: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Title: "One-page checkout", Contributes: true, OwnerIDs: []int64{b.users["member"].ID}}
	must(b.svc.CreateInitiative(tctx, "fabrikam", i))
	b.initiative = i.ID

	op := &cairn.Period{Name: "Q3 2026", Start: p.Start, End: p.End}
	must(b.svc.CreatePeriod(tctx, "contoso", op))
	b.otherPeriod = op.ID
	oo := &cairn.Objective{PeriodID: op.ID, Title: "Contoso's secret", OwnerIDs: []int64{b.users["outsider"].ID}}
	must(b.svc.CreateObjective(tctx, "contoso", oo))
	b.otherObjective = oo.ID
	ok := &cairn.KeyResult{ObjectiveID: oo.ID, Title: "Contoso KR", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 10}}
	must(b.svc.CreateKeyResult(tctx, "contoso", ok))
	b.otherKeyResult = ok.ID
	if withAzdo {
		on := true
		must(b.svc.SetTenantIntegration(tctx, &cairn.TenantIntegration{Enabled: on}))
		if _, err := b.svc.SetOrgIntegration(tctx, "fabrikam", cairn.OrgIntegrationUpdate{Enabled: &on}); err != nil {
			tb.Fatal(err)
		}
	}
	return b
}

// browser is a signed-in HTTP client with its cookies and CSRF token.
type browser struct {
	b      *testBundle
	client *http.Client
	csrf   string
}

var csrfRE = regexp.MustCompile(`"X-CSRF-Token":"([^"]+)"`)

// signIn signs in through the login form as the named user.
func (b *testBundle) signIn(tb testing.TB, who string) *browser {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	br := &browser{b: b, client: c}
	res := br.post(tb, "/login", url.Values{"email": {b.users[who].Email}, "password": {"correct-horse"}})
	if res.status != http.StatusSeeOther {
		tb.Fatalf("sign in as %s: status %d: %s", who, res.status, res.body)
	}
	page := br.get(tb, "/o/fabrikam/okrs")
	if m := csrfRE.FindStringSubmatch(page.body); m != nil {
		br.csrf = m[1]
	}
	return br
}

type response struct {
	status int
	header http.Header
	body   string
}

func (br *browser) do(tb testing.TB, req *http.Request) response {
	tb.Helper()
	res, err := br.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(data)}
}

func (br *browser) get(tb testing.TB, path string) response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, br.b.srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return br.do(tb, req)
}

// hx sends a request as htmx does from the item drawer, with a form's CSRF token for POST.
func (br *browser) hx(tb testing.TB, method, path string, form url.Values) response {
	tb.Helper()
	return br.hxTo(tb, method, path, "drawer", form)
}

// hxTo is hx for an element whose htmx target has the id target.
func (br *browser) hxTo(tb testing.TB, method, path, target string, form url.Values) response {
	tb.Helper()
	var body io.Reader
	if method == http.MethodPost {
		if form == nil {
			form = url.Values{}
		}
		if br.csrf != "" && form.Get("csrf_token") == "" {
			form.Set("csrf_token", br.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, br.b.srv.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", br.b.srv.URL)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", target)
	return br.do(tb, req)
}

// post sends a form with the session's CSRF token, as the page's own form would.
func (br *browser) post(tb testing.TB, path string, form url.Values) response {
	tb.Helper()
	if br.csrf != "" && form.Get("csrf_token") == "" {
		form.Set("csrf_token", br.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, br.b.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", br.b.srv.URL)
	return br.do(tb, req)
}

// counts is how many items of each kind fabrikam holds.
func (b *testBundle) counts(tb testing.TB) [4]int {
	tb.Helper()
	ctx := cairn.NewContext(context.Background(), b.users["tenant"])
	os, err := b.svc.ListObjectives(ctx, "fabrikam", cairn.ObjectiveQuery{})
	if err != nil {
		tb.Fatal(err)
	}
	ks, err := b.svc.ListKeyResults(ctx, "fabrikam", 0, 0)
	if err != nil {
		tb.Fatal(err)
	}
	is, err := b.svc.ListInitiatives(ctx, "fabrikam", nil)
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := b.svc.ListCheckIns(ctx, "fabrikam", cairn.Ref{Type: cairn.ItemKeyResult, ID: b.keyResult}, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	return [4]int{len(os), len(ks), len(is), len(cs)}
}
