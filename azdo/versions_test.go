package azdo_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
)

// serverLatest is the newest REST API version of each emulated Server release.
var serverLatest = map[string]string{"2019": "5.0", "2020": "6.0", "2022": "7.0"}

const statesRoute = "wit/workitemtypes/{type}/states"

func setupServerEmu(t *testing.T, release string, opts azdoemu.Options, mod func(*azdo.Config)) *emuBundle {
	t.Helper()
	opts.Server = release
	return setupEmu(t, opts, func(c *azdo.Config) {
		c.OrgURL = strings.TrimSuffix(c.OrgURL, "/fabrikam") + "/tfs/DefaultCollection"
		if mod != nil {
			mod(c)
		}
	})
}

// TestNegotiateWithServer runs the client's calls against each Server
// release: the first call is refused with 7.1, the client reads the
// resource locations once and calls again with the release's version.
func TestNegotiateWithServer(t *testing.T) {
	t.Parallel()
	for release, latest := range serverLatest {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			b := setupServerEmu(t, release, azdoemu.Options{}, nil)
			ctx := context.Background()
			if _, ok := b.client.APIVersions(); ok {
				t.Fatal("negotiated before any call")
			}
			projects, err := b.client.AllProjects(ctx)
			if err != nil {
				t.Fatalf("projects: %v", err)
			}
			if len(projects) == 0 || projects[0].Name != emuProject {
				t.Fatalf("projects = %+v", projects)
			}
			if n := b.calls("projects"); n != 2 {
				t.Errorf("projects called %d times, want 2 (refused, then negotiated)", n)
			}
			v, ok := b.client.APIVersions()
			if !ok || v.Negotiated != latest || v.Server != latest || v.Source != "resource locations" {
				t.Fatalf("APIVersions = %+v, %v", v, ok)
			}
			if got := v.Routes[statesRoute]; got != latest+"-preview.1" {
				t.Errorf("states route version %q, want %s-preview.1", got, latest)
			}
			// Every route Cairn uses works at the negotiated versions.
			if _, err := b.client.ConnectionData(ctx); err != nil {
				t.Errorf("connection data: %v", err)
			}
			states, err := b.client.States(ctx, emuProject, "Bug")
			if err != nil || len(states) == 0 {
				t.Errorf("states: %v, %v", states, err)
			}
			if _, err := b.client.WorkItemTypes(ctx, emuProject); err != nil {
				t.Errorf("work item types: %v", err)
			}
			res, err := b.client.WIQL(ctx, emuProject, "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project", azdo.WIQLOptions{})
			if err != nil || len(res.WorkItems) == 0 {
				t.Fatalf("wiql: %+v, %v", res, err)
			}
			ids := make([]int, 0, len(res.WorkItems))
			for _, w := range res.WorkItems {
				ids = append(ids, w.ID)
			}
			items, err := b.client.WorkItems(ctx, emuProject, ids, azdo.WorkItemsOptions{Fields: []string{"System.Title"}})
			if err != nil || len(items) != len(ids) {
				t.Errorf("work items: %d of %d, %v", len(items), len(ids), err)
			}
			if _, err := b.client.Queries(ctx, emuProject, 1, azdo.ExpandNone); err != nil {
				t.Errorf("queries: %v", err)
			}
			if _, err := b.client.WorkItemRevisionsPage(ctx, emuProject, azdo.RevisionsOptions{}); err != nil {
				t.Errorf("changed since: %v", err)
			}
			if n := b.calls("options"); n != 1 {
				t.Errorf("negotiated %d times, want once", n)
			}
			b.mu.Lock()
			for k := range b.routes {
				if strings.HasSuffix(k, " 400") && !strings.HasPrefix(k, "projects ") {
					t.Errorf("refused after negotiating: %s", k)
				}
			}
			b.mu.Unlock()
		})
	}
}

// TestNegotiateUpFront shows that a client told the version from before
// negotiates before its first call instead of after a refusal.
func TestNegotiateUpFront(t *testing.T) {
	t.Parallel()
	b := setupServerEmu(t, "2019", azdoemu.Options{}, func(c *azdo.Config) { c.ServerAPIVersion = "5.0" })
	if _, err := b.client.Project(context.Background(), emuProject); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.routes["options 200"] != 1 || b.routes["projects/{id} 200"] != 1 || len(b.routes) != 2 {
		t.Errorf("calls %v, want one OPTIONS and one project", b.routes)
	}
}

// TestNegotiateWithServices leaves Azure DevOps Services at 7.1 without an
// extra call, and negotiates 7.1 when asked.
func TestNegotiateWithServices(t *testing.T) {
	t.Parallel()
	b := setupEmu(t, azdoemu.Options{}, nil)
	ctx := context.Background()
	if _, err := b.client.AllProjects(ctx); err != nil {
		t.Fatal(err)
	}
	if n := b.calls("options"); n != 0 {
		t.Errorf("%d OPTIONS calls against Services", n)
	}
	v, err := b.client.Negotiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.Negotiated != azdo.APIVersion || v.Server != "7.2" || len(v.Routes) != 0 {
		t.Errorf("APIVersions = %+v", v)
	}
}

// TestNegotiateWithoutLocations reads the version from the server's refusal
// when a proxy in front of the Server answers OPTIONS with 405.
func TestNegotiateWithoutLocations(t *testing.T) {
	t.Parallel()
	emu, err := azdoemu.New(azdoemu.Options{PATs: []string{emuPAT}, Server: "2020", Scenario: azdoemu.DemoScenario()})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var versions []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		versions = append(versions, r.URL.Query().Get("api-version"))
		mu.Unlock()
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { proxy.Close(); _ = emu.Close() })
	emu.SetBaseURL(proxy.URL)
	cl, err := azdo.New(azdo.Config{OrgURL: proxy.URL + "/tfs/DefaultCollection", Auth: azdo.PAT(emuPAT), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cl.Project(ctx, emuProject); err != nil {
		t.Fatal(err)
	}
	v, _ := cl.APIVersions()
	if v.Negotiated != "6.0" || v.Source != "version error" {
		t.Errorf("APIVersions = %+v", v)
	}
	if _, err := cl.ConnectionData(ctx); err != nil {
		t.Errorf("connection data: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"7.1", "7.1-preview", "6.0", "6.0-preview"}
	if strings.Join(versions, " ") != strings.Join(want, " ") {
		t.Errorf("api-versions sent %v, want %v", versions, want)
	}
}

// TestNegotiateRejectedCredentials does not mistake a 401 for a version
// problem.
func TestNegotiateRejectedCredentials(t *testing.T) {
	t.Parallel()
	b := setupServerEmu(t, "2022", azdoemu.Options{}, func(c *azdo.Config) { c.Auth = azdo.PAT("wrong") })
	_, err := b.client.Negotiate(context.Background())
	if !errors.Is(err, azdo.ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
}

// TestHooksWithServer subscribes through a Server collection and receives a
// delivery as Services would send it, with Server's resource containers.
func TestHooksWithServer(t *testing.T) {
	t.Parallel()
	type delivery struct {
		user, pass string
		raw        []byte
	}
	var mu sync.Mutex
	var got []delivery
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, delivery{u, p, raw})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	b := setupServerEmu(t, "2020", azdoemu.Options{HookClient: recv.Client()}, nil)
	ctx := context.Background()
	p, err := b.client.Project(ctx, emuProject)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := azdo.NewWorkItemWebhook(azdo.WebhookOptions{ProjectID: p.ID, EventType: azdo.EventWorkItemUpdated, URL: recv.URL + "/hooks/azure-devops/1", Username: "cairn-1", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.client.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if _, err := b.client.UpdateWorkItem(ctx, emuProject, 5, []azdo.PatchOp{{Op: "add", Path: "/fields/System.Title", Value: "Renamed on Server"}}); err != nil {
		t.Fatal(err)
	}
	b.emu.WaitHooks()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].user != "cairn-1" || got[0].pass != "s3cret" {
		t.Fatalf("deliveries %d: %+v", len(got), got)
	}
	ev, err := azdo.DecodeHookEvent(strings.NewReader(string(got[0].raw)))
	if err != nil {
		t.Fatal(err)
	}
	wi, err := ev.WorkItemEvent()
	if err != nil || wi.WorkItemID() != 5 || wi.Changes["System.Title"].NewValue != "Renamed on Server" {
		t.Fatalf("event %+v, %v", wi, err)
	}
	var raw struct {
		ResourceContainers map[string]struct {
			BaseURL string `json:"baseUrl"`
		} `json:"resourceContainers"`
	}
	if err := json.Unmarshal(got[0].raw, &raw); err != nil {
		t.Fatal(err)
	}
	coll := b.srv.URL + "/tfs/DefaultCollection/"
	if raw.ResourceContainers["collection"].BaseURL != coll || raw.ResourceContainers["server"].BaseURL != b.srv.URL+"/tfs/" {
		t.Errorf("resource containers %+v", raw.ResourceContainers)
	}
	if _, ok := raw.ResourceContainers["account"]; ok {
		t.Error("a Server delivery names an account")
	}
}

// TestWorkItemsWithoutParentField reads parents from the relations on Azure DevOps Server
// 2019, which refuses System.Parent in a field list, and asks that way from then on.
func TestWorkItemsWithoutParentField(t *testing.T) {
	t.Parallel()
	b := setupServerEmu(t, "2019", azdoemu.Options{}, func(c *azdo.Config) { c.ServerAPIVersion = "5.0" })
	ctx := context.Background()
	snaps := liveItems(t, b)
	var ids []int
	parent := map[int]int{}
	for _, s := range snaps {
		ids = append(ids, s.ID)
		parent[s.ID] = s.Parent
	}
	opts := azdo.WorkItemsOptions{Fields: []string{"System.Title", "System.Parent"}}
	for round := range 2 {
		items, err := b.client.WorkItems(ctx, emuProject, ids, opts)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if len(items) != len(ids) {
			t.Fatalf("round %d: %d items, want %d", round, len(items), len(ids))
		}
		withParent := 0
		for _, w := range items {
			if got := w.ParentID(); got != parent[w.ID] {
				t.Errorf("round %d: item %d parent %d, want %d", round, w.ID, got, parent[w.ID])
			}
			if parent[w.ID] != 0 {
				withParent++
			}
			if w.String("System.Title") == "" {
				t.Errorf("round %d: item %d has no title", round, w.ID)
			}
		}
		if withParent == 0 {
			t.Fatal("the demo has no child items")
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.routes["wit/workitemsbatch 400"] != 1 {
		t.Errorf("batch calls %v: want exactly one refusal of System.Parent", b.routes)
	}
}
