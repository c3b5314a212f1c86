package azdo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/azdoemu"
)

const (
	emuPAT     = "contract-pat-0123456789"
	emuProject = "Fabrikam Fiber"
)

// emuNow is the emulator's clock in contract tests.
var emuNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

type emuBundle struct {
	emu    *azdoemu.Server
	srv    *httptest.Server
	client *azdo.Client
	clock  *fakeClock

	mu     sync.Mutex
	routes map[string]int // "route status" → count
}

func (b *emuBundle) calls(route string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k, v := range b.routes {
		if strings.HasPrefix(k, route+" ") {
			n += v
		}
	}
	return n
}

// setupEmu starts the emulator with the demo scenario unless opts says
// otherwise, and a client for it.
func setupEmu(t *testing.T, opts azdoemu.Options, mod func(*azdo.Config)) *emuBundle {
	t.Helper()
	if opts.Scenario == nil && opts.Generate == "" {
		opts.Scenario = azdoemu.DemoScenario()
	}
	if opts.PATs == nil {
		opts.PATs = []string{emuPAT}
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return emuNow }
	}
	emu, err := azdoemu.New(opts)
	if err != nil {
		t.Fatalf("azdoemu.New: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { srv.Close(); _ = emu.Close() })
	emu.SetBaseURL(srv.URL)
	b := &emuBundle{emu: emu, srv: srv, routes: map[string]int{}, clock: newFakeClock()}
	cfg := azdo.Config{
		OrgURL:     srv.URL + "/fabrikam",
		VSSPSURL:   srv.URL + "/_vssps",
		Auth:       azdo.PAT(emuPAT),
		HTTPClient: srv.Client(),
		Sleep:      b.clock.Sleep,
		Now:        b.clock.Now,
		OnCall: func(route string, status int) {
			b.mu.Lock()
			b.routes[route+" "+strconv.Itoa(status)]++
			b.mu.Unlock()
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	b.client, err = azdo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func liveItems(t *testing.T, b *emuBundle) []azdoemu.WorkItemSnapshot {
	t.Helper()
	items, err := b.emu.WorkItems("fabrikam", emuProject)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestContractCore(t *testing.T) {
	t.Parallel()
	b := setupEmu(t, azdoemu.Options{}, nil)
	ctx := context.Background()
	info, err := b.emu.Project("fabrikam", emuProject)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ConnectionData", func(t *testing.T) {
		cd, err := b.client.ConnectionData(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cd.AuthenticatedUser.ID == "" || cd.AuthenticatedUser.ProviderDisplayName == "" || cd.InstanceID == "" {
			t.Errorf("connection data = %+v", cd)
		}
	})
	t.Run("ProfileAndAccounts", func(t *testing.T) {
		p, err := b.client.Profile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p.ID == "" || p.DisplayName == "" {
			t.Fatalf("profile = %+v", p)
		}
		as, err := b.client.Accounts(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(as, func(a azdo.Account) bool { return strings.EqualFold(a.AccountName, "fabrikam") && a.AccountID != "" }) {
			t.Errorf("accounts = %+v, want fabrikam", as)
		}
	})
	t.Run("Projects", func(t *testing.T) {
		all, err := b.client.AllProjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(all, func(p azdo.Project) bool { return p.Name == emuProject })
		if i < 0 || all[i].ID != info.ID || all[i].State != "wellFormed" {
			t.Fatalf("projects = %+v, want %s (%s)", all, emuProject, info.ID)
		}
		page, _, err := b.client.Projects(ctx, 1, "")
		if err != nil || len(page) != 1 {
			t.Errorf("first page of one = %d projects, %v", len(page), err)
		}
		for _, ref := range []string{emuProject, info.ID} {
			p, err := b.client.Project(ctx, ref)
			if err != nil || p.ID != info.ID || p.Name != emuProject {
				t.Errorf("Project(%q) = %+v, %v", ref, p, err)
			}
		}
	})
	t.Run("ProjectNotFound", func(t *testing.T) {
		_, err := b.client.Project(ctx, "No Such Project")
		wantErr(t, err, azdo.ErrNotFound, 404, "TF200016")
		_, err = b.client.States(ctx, "No Such Project", "Bug")
		wantErr(t, err, azdo.ErrNotFound, 404, "TF200016")
	})
	t.Run("TypesAndStates", func(t *testing.T) {
		types, err := b.client.WorkItemTypes(ctx, emuProject)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Epic", "Feature", "User Story", "Task", "Bug"} {
			if !slices.ContainsFunc(types, func(wt azdo.WorkItemType) bool { return wt.Name == want }) {
				t.Errorf("type %q missing", want)
			}
		}
		bug, err := b.client.WorkItemType(ctx, emuProject, "Bug")
		if err != nil || bug.Name != "Bug" || bug.ReferenceName == "" {
			t.Errorf("Bug type = %+v, %v", bug, err)
		}
		states, err := b.client.States(ctx, emuProject, "User Story")
		if err != nil {
			t.Fatal(err)
		}
		cats := map[string]bool{}
		for _, s := range states {
			switch s.Category {
			case azdo.CategoryProposed, azdo.CategoryInProgress, azdo.CategoryResolved, azdo.CategoryCompleted, azdo.CategoryRemoved:
				cats[s.Category] = true
			default:
				t.Errorf("state %q has category %q", s.Name, s.Category)
			}
		}
		if !cats[azdo.CategoryProposed] || !cats[azdo.CategoryCompleted] {
			t.Errorf("categories = %v", cats)
		}
		_, err = b.client.WorkItemType(ctx, emuProject, "Spaceship")
		if !errors.Is(err, azdo.ErrNotFound) {
			t.Errorf("unknown type: %v", err)
		}
	})
}

func TestContractQueries(t *testing.T) {
	t.Parallel()
	b := setupEmu(t, azdoemu.Options{}, nil)
	ctx := context.Background()
	live := liveItems(t, b)

	t.Run("Tree", func(t *testing.T) {
		roots, err := b.client.Queries(ctx, emuProject, 2, azdo.ExpandWiql)
		if err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, r := range roots {
			names = append(names, r.Name)
			if !r.IsFolder {
				t.Errorf("root %q is not a folder", r.Name)
			}
		}
		sort.Strings(names)
		if !slices.Equal(names, []string{"My Queries", "Shared Queries"}) {
			t.Fatalf("roots = %v", names)
		}
		shared := roots[slices.IndexFunc(roots, func(q azdo.QueryItem) bool { return q.Name == "Shared Queries" })]
		team := slices.IndexFunc(shared.Children, func(q azdo.QueryItem) bool { return q.Name == "Team" })
		if team < 0 || !shared.Children[team].IsFolder || len(shared.Children[team].Children) == 0 {
			t.Fatalf("Shared Queries children = %+v", shared.Children)
		}
		if q := shared.Children[team].Children[0]; q.Name != "Open bugs" || q.Path != "Shared Queries/Team/Open bugs" || !strings.Contains(q.Wiql, "'Bug'") {
			t.Errorf("Open bugs = %+v", q)
		}
	})
	t.Run("QueryByPathAndID", func(t *testing.T) {
		q, err := b.client.Query(ctx, emuProject, "Shared Queries/Q3 Features", azdo.ExpandWiql)
		if err != nil {
			t.Fatal(err)
		}
		if q.ID == "" || q.QueryType != "flat" || !strings.Contains(q.Wiql, "'Q3'") {
			t.Fatalf("query = %+v", q)
		}
		byID, err := b.client.Query(ctx, emuProject, q.ID, "")
		if err != nil || byID.Path != q.Path {
			t.Errorf("by ID = %+v, %v", byID, err)
		}
		_, err = b.client.Query(ctx, emuProject, "Shared Queries/Nope", "")
		if !errors.Is(err, azdo.ErrNotFound) {
			t.Errorf("missing query: %v", err)
		}
	})
	t.Run("Search", func(t *testing.T) {
		qs, err := b.client.SearchQueries(ctx, emuProject, "bugs", 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(qs, func(q azdo.QueryItem) bool { return q.Name == "Open bugs" }) {
			t.Errorf("search = %+v", qs)
		}
	})
	t.Run("RunFlatSavedQuery", func(t *testing.T) {
		id, err := b.emu.QueryID("fabrikam", emuProject, "Shared Queries/Q3 Features")
		if err != nil {
			t.Fatal(err)
		}
		r, err := b.client.RunSavedQuery(ctx, emuProject, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for _, w := range live {
			tags, _ := w.Fields["System.Tags"].(string)
			if w.Type == "Feature" && slices.Contains(strings.Split(strings.ReplaceAll(tags, " ", ""), ";"), "Q3") {
				want = append(want, w.ID)
			}
		}
		if r.QueryType != "flat" || len(want) == 0 || !slices.Equal(r.IDs(), want) {
			t.Errorf("Q3 features = %v, want %v", r.IDs(), want)
		}
		org, err := b.client.RunSavedQuery(ctx, "", id, 0)
		if err != nil || !slices.Equal(org.IDs(), r.IDs()) {
			t.Errorf("org-level run = %v, %v", org.IDs(), err)
		}
	})
	t.Run("RunTreeSavedQuery", func(t *testing.T) {
		id, err := b.emu.QueryID("fabrikam", emuProject, "Shared Queries/Checkout epic tree")
		if err != nil {
			t.Fatal(err)
		}
		r, err := b.client.RunSavedQuery(ctx, emuProject, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.QueryType != "tree" || r.QueryResultType != "workItemLink" || len(r.WorkItemRelations) < 2 {
			t.Fatalf("tree = %+v", r)
		}
		root := r.WorkItemRelations[0]
		if root.Source != nil || root.Rel != "" || root.Target == nil || root.Target.ID != 1 {
			t.Errorf("root row = %+v", root)
		}
		parent := map[int]int{}
		for _, w := range live {
			parent[w.ID] = w.Parent
		}
		for _, l := range r.WorkItemRelations[1:] {
			if l.Source == nil {
				continue
			}
			if l.Rel != azdo.LinkChild || parent[l.Target.ID] != l.Source.ID {
				t.Errorf("row %+v: parent of %d is %d", l, l.Target.ID, parent[l.Target.ID])
			}
		}
	})
	t.Run("WIQL", func(t *testing.T) {
		r, err := b.client.WIQL(ctx, emuProject, "SELECT [System.Id], [System.Title] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.WorkItemType] = 'Epic' ORDER BY [System.Id]", azdo.WIQLOptions{TimePrecision: true})
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for _, w := range live {
			if w.Type == "Epic" {
				want = append(want, w.ID)
			}
		}
		if !slices.Equal(r.IDs(), want) || len(r.Columns) != 2 || r.AsOf.IsZero() {
			t.Errorf("epics = %v (columns %d), want %v", r.IDs(), len(r.Columns), want)
		}
		top, err := b.client.WIQL(ctx, emuProject, "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project ORDER BY [System.Id]", azdo.WIQLOptions{Top: 3})
		if err != nil || len(top.WorkItems) != 3 {
			t.Errorf("$top=3 gave %d rows, %v", len(top.WorkItems), err)
		}
	})
	t.Run("BadWIQL", func(t *testing.T) {
		_, err := b.client.WIQL(ctx, emuProject, "SELECT FROM WHERE", azdo.WIQLOptions{})
		var ae *azdo.Error
		if !errors.Is(err, azdo.ErrBadRequest) || !errors.As(err, &ae) || ae.Status != 400 || !strings.HasPrefix(ae.Code, "VS") {
			t.Errorf("bad WIQL: %v", err)
		}
	})
}

func TestContractWorkItems(t *testing.T) {
	t.Parallel()
	b := setupEmu(t, azdoemu.Options{}, nil)
	ctx := context.Background()
	live := liveItems(t, b)
	ids := make([]int, len(live))
	for i, w := range live {
		ids[len(live)-1-i] = w.ID // descending, to check the order follows the request
	}

	t.Run("AllFieldsInRequestOrder", func(t *testing.T) {
		before := b.calls("wit/workitemsbatch")
		items, err := b.client.WorkItems(ctx, emuProject, ids, azdo.WorkItemsOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := b.calls("wit/workitemsbatch")-before, (len(ids)+199)/200; got != want {
			t.Errorf("batch calls = %d, want %d", got, want)
		}
		if len(items) != len(ids) {
			t.Fatalf("got %d items, want %d", len(items), len(ids))
		}
		byID := map[int]azdoemu.WorkItemSnapshot{}
		for _, w := range live {
			byID[w.ID] = w
		}
		for i, it := range items {
			want := byID[ids[i]]
			if it.ID != ids[i] || it.Rev != want.Rev || it.String("System.Title") != want.Title || it.String("System.State") != want.State || it.String("System.WorkItemType") != want.Type {
				t.Errorf("item %d = %d rev %d %q %q, want %+v", i, it.ID, it.Rev, it.String("System.Title"), it.String("System.State"), want)
			}
			if it.ParentID() != want.Parent {
				t.Errorf("item %d ParentID = %d, want %d", it.ID, it.ParentID(), want.Parent)
			}
			if a, ok := want.Fields["System.AssignedTo"].(string); ok {
				id, _ := it.Identity("System.AssignedTo")
				if id.DisplayName+" <"+id.UniqueName+">" != a {
					t.Errorf("item %d AssignedTo = %+v, want %s", it.ID, id, a)
				}
			} else if _, ok := it.Identity("System.AssignedTo"); ok {
				t.Errorf("item %d is unassigned but reads as assigned", it.ID)
			}
			if !strings.HasSuffix(it.WebURL(), "/_workitems/edit/"+strconv.Itoa(it.ID)) {
				t.Errorf("item %d WebURL = %q", it.ID, it.WebURL())
			}
		}
	})
	t.Run("OnlyRequestedFields", func(t *testing.T) {
		fields := []string{"System.Id", "System.Title", "System.State"}
		items, err := b.client.WorkItems(ctx, emuProject, ids[:5], azdo.WorkItemsOptions{Fields: fields})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			for k := range it.Fields {
				if !slices.Contains(fields, k) {
					t.Errorf("item %d has unrequested field %s", it.ID, k)
				}
			}
			if it.String("System.Title") == "" {
				t.Errorf("item %d lacks its title", it.ID)
			}
		}
	})
	t.Run("RelationsExpanded", func(t *testing.T) {
		items, err := b.client.WorkItems(ctx, emuProject, []int{1}, azdo.WorkItemsOptions{Expand: azdo.ExpandRelations})
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for _, w := range live {
			if w.Parent == 1 {
				want = append(want, w.ID)
			}
		}
		got := items[0].ChildIDs()
		sort.Ints(got)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("children of 1 = %v, want %v", got, want)
		}
	})
	t.Run("AsOf", func(t *testing.T) {
		past, err := b.client.WorkItems(ctx, emuProject, []int{1}, azdo.WorkItemsOptions{AsOf: emuNow.Add(-160 * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		now, err := b.client.WorkItem(ctx, emuProject, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		if past[0].String("System.State") != "New" || past[0].Rev >= now.Rev {
			t.Errorf("as of -160d: %s rev %d; now rev %d", past[0].String("System.State"), past[0].Rev, now.Rev)
		}
	})
	t.Run("MissingItem", func(t *testing.T) {
		_, err := b.client.WorkItems(ctx, emuProject, []int{1, 999999}, azdo.WorkItemsOptions{})
		wantErr(t, err, azdo.ErrNotFound, 404, "TF401232")
		items, err := b.client.WorkItems(ctx, emuProject, []int{1, 999999, 2}, azdo.WorkItemsOptions{ErrorPolicy: azdo.ErrorPolicyOmit})
		if err != nil || len(items) != 2 || items[0].ID != 1 || items[1].ID != 2 {
			t.Errorf("omit policy = %v, %v", items, err)
		}
		_, err = b.client.WorkItem(ctx, emuProject, 999999, "")
		wantErr(t, err, azdo.ErrNotFound, 404, "TF401232")
	})
	t.Run("CreateUpdateAndRevisions", func(t *testing.T) {
		_, token, err := b.client.WorkItemRevisions(ctx, emuProject, azdo.RevisionsOptions{IncludeLatestOnly: true, Fields: []string{"System.Id", "System.State"}})
		if err != nil {
			t.Fatal(err)
		}
		if token == "" {
			t.Fatal("no continuation token after the first pass")
		}
		created, err := b.client.CreateWorkItem(ctx, emuProject, "Task", []azdo.PatchOp{
			{Op: "add", Path: "/fields/System.Title", Value: "Contract task"},
			{Op: "add", Path: "/relations/-", Value: map[string]any{"rel": azdo.LinkParent, "url": b.srv.URL + "/fabrikam/_apis/wit/workItems/5"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := b.emu.WorkItem("fabrikam", created.ID)
		if err != nil || snap.Title != "Contract task" || snap.Parent != 5 {
			t.Fatalf("created %+v, snapshot %+v, %v", created, snap, err)
		}
		updated, err := b.client.UpdateWorkItem(ctx, emuProject, created.ID, []azdo.PatchOp{{Op: "add", Path: "/fields/System.State", Value: "Active"}})
		if err != nil || updated.Rev <= created.Rev || updated.String("System.State") != "Active" {
			t.Fatalf("updated = %+v, %v", updated, err)
		}
		changed, next, err := b.client.WorkItemRevisions(ctx, emuProject, azdo.RevisionsOptions{ContinuationToken: token, IncludeLatestOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		// The new child link also revises the parent, as in Azure DevOps.
		i := slices.IndexFunc(changed, func(w azdo.WorkItem) bool { return w.ID == created.ID })
		if i < 0 || changed[i].String("System.State") != "Active" || changed[i].ParentID() != 5 || next == "" {
			t.Errorf("changes since token = %+v (next %q)", changed, next)
		}
		for _, w := range changed {
			if w.ID != created.ID && w.ID != 5 {
				t.Errorf("item %d changed although nothing touched it", w.ID)
			}
		}
		_, err = b.client.UpdateWorkItem(ctx, emuProject, 999999, []azdo.PatchOp{{Op: "add", Path: "/fields/System.State", Value: "Active"}})
		if !errors.Is(err, azdo.ErrNotFound) {
			t.Errorf("update of a missing item: %v", err)
		}
	})
}

func TestContractBatching(t *testing.T) {
	t.Parallel()
	b := setupEmu(t, azdoemu.Options{Generate: "epics=3,features=20,stories=430,seed=7"}, func(cfg *azdo.Config) { cfg.Concurrency = 2 })
	ctx := context.Background()
	live := liveItems(t, b)
	if len(live) <= 400 {
		t.Fatalf("generated %d items, want more than 400", len(live))
	}
	ids := make([]int, len(live))
	for i, w := range live {
		ids[i] = w.ID
	}
	items, err := b.client.WorkItems(ctx, emuProject, ids, azdo.WorkItemsOptions{Fields: []string{"System.Id", "System.Title"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.calls("wit/workitemsbatch"), (len(ids)+199)/200; got != want {
		t.Errorf("batch calls = %d, want %d", got, want)
	}
	if len(items) != len(ids) {
		t.Fatalf("got %d items, want %d", len(items), len(ids))
	}
	for i, it := range items {
		if it.ID != ids[i] || it.String("System.Title") != live[i].Title {
			t.Fatalf("item %d = %d %q, want %d %q", i, it.ID, it.String("System.Title"), ids[i], live[i].Title)
		}
	}
}

func TestContractHooks(t *testing.T) {
	t.Parallel()
	type delivery struct {
		user, pass string
		ev         azdo.HookEvent
		err        error
	}
	var mu sync.Mutex
	var got []delivery
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		ev, err := azdo.DecodeHookEvent(r.Body)
		mu.Lock()
		got = append(got, delivery{u, p, ev, err})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	b := setupEmu(t, azdoemu.Options{HookClient: recv.Client()}, nil)
	ctx := context.Background()
	info, err := b.emu.Project("fabrikam", emuProject)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := azdo.NewWorkItemWebhook(azdo.WebhookOptions{ProjectID: info.ID, EventType: azdo.EventWorkItemUpdated, URL: recv.URL + "/hooks/ado", Username: "cairn", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	created, err := b.client.CreateSubscription(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.EventType != azdo.EventWorkItemUpdated || created.PublisherInputs["projectId"] != info.ID {
		t.Fatalf("created = %+v", created)
	}
	fetched, err := b.client.GetSubscription(ctx, created.ID)
	if err != nil || fetched.ID != created.ID || fetched.ConsumerInputs["url"] != recv.URL+"/hooks/ado" {
		t.Errorf("get = %+v, %v", fetched, err)
	}
	list, err := b.client.ListSubscriptions(ctx, azdo.SubscriptionFilter{PublisherID: "tfs"})
	if err != nil || !slices.ContainsFunc(list, func(s azdo.Subscription) bool { return s.ID == created.ID }) {
		t.Errorf("list = %+v, %v", list, err)
	}

	if _, err := b.client.UpdateWorkItem(ctx, emuProject, 5, []azdo.PatchOp{{Op: "add", Path: "/fields/System.Title", Value: "Renamed by contract test"}}); err != nil {
		t.Fatal(err)
	}
	b.emu.WaitHooks()
	mu.Lock()
	if len(got) != 1 {
		mu.Unlock()
		t.Fatalf("got %d deliveries, want 1", len(got))
	}
	d := got[0]
	mu.Unlock()
	if d.err != nil || d.user != "cairn" || d.pass != "s3cret" {
		t.Fatalf("delivery auth %q/%q, err %v", d.user, d.pass, d.err)
	}
	wi, err := d.ev.WorkItemEvent()
	if err != nil {
		t.Fatal(err)
	}
	if d.ev.SubscriptionID != created.ID || wi.WorkItemID() != 5 || wi.Changes["System.Title"].NewValue != "Renamed by contract test" {
		t.Errorf("event = %+v, resource %+v", d.ev, wi)
	}

	if err := b.client.DeleteSubscription(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.client.GetSubscription(ctx, created.ID)
	if !errors.Is(err, azdo.ErrNotFound) {
		t.Errorf("get after delete: %v", err)
	}
}

func TestContractErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("WrongPATIsUnauthorized", func(t *testing.T) {
		t.Parallel()
		b := setupEmu(t, azdoemu.Options{}, func(cfg *azdo.Config) { cfg.Auth = azdo.PAT("wrong") })
		_, err := b.client.ConnectionData(ctx)
		wantErr(t, err, azdo.ErrUnauthorized, 401, "")
	})
	t.Run("ExpiredPATIs203Unauthorized", func(t *testing.T) {
		t.Parallel()
		b := setupEmu(t, azdoemu.Options{}, nil)
		if err := b.emu.SetPATExpired(emuPAT, true); err != nil {
			t.Fatal(err)
		}
		_, err := b.client.WorkItems(ctx, emuProject, []int{1}, azdo.WorkItemsOptions{})
		wantErr(t, err, azdo.ErrUnauthorized, 203, "")
	})
	t.Run("BearerToken", func(t *testing.T) {
		t.Parallel()
		b := setupEmu(t, azdoemu.Options{BearerTokens: []string{"entra-token"}}, nil)
		c, err := azdo.New(azdo.Config{OrgURL: b.srv.URL + "/fabrikam", Auth: azdo.Bearer(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "entra-token"})), HTTPClient: b.srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ConnectionData(ctx); err != nil {
			t.Errorf("bearer: %v", err)
		}
	})
	t.Run("ConditionalAccess", func(t *testing.T) {
		t.Parallel()
		b := setupEmu(t, azdoemu.Options{}, nil)
		if err := b.emu.SetCAP("fabrikam", true); err != nil {
			t.Fatal(err)
		}
		_, err := b.client.WIQL(ctx, emuProject, "SELECT [System.Id] FROM WorkItems", azdo.WIQLOptions{})
		wantErr(t, err, azdo.ErrConditionalAccess, 403, "VS403463")
		if errors.Is(err, azdo.ErrForbidden) {
			t.Error("conditional access also matches ErrForbidden")
		}
	})
	faults := []struct {
		name   string
		faults string
		call   func(c *azdo.Client) error
		want   error
		status int
		calls  int // HTTP attempts, with MaxRetries 2
	}{
		{"ThrottledAfterRetries", "wit/wiql:429=3s", func(c *azdo.Client) error {
			_, err := c.WIQL(ctx, emuProject, "SELECT [System.Id] FROM WorkItems", azdo.WIQLOptions{})
			return err
		}, azdo.ErrThrottled, 429, 3},
		{"ServerErrorAfterRetries", "core/projects:503", func(c *azdo.Client) error { _, _, err := c.Projects(ctx, 0, ""); return err }, azdo.ErrServer, 503, 3},
		{"SignInFault", "wit/workitemsbatch:203", func(c *azdo.Client) error {
			_, err := c.WorkItems(ctx, emuProject, []int{1}, azdo.WorkItemsOptions{})
			return err
		}, azdo.ErrUnauthorized, 203, 1},
		{"UnauthorizedFault", "core/connectiondata:401", func(c *azdo.Client) error { _, err := c.ConnectionData(ctx); return err }, azdo.ErrUnauthorized, 401, 1},
		{"ConditionalAccessFault", "wit/queries:403", func(c *azdo.Client) error { _, err := c.Queries(ctx, emuProject, 1, ""); return err }, azdo.ErrConditionalAccess, 403, 1},
		{"WriteNotRetriedOn5xx", "wit/workitems:500", func(c *azdo.Client) error {
			_, err := c.UpdateWorkItem(ctx, emuProject, 1, []azdo.PatchOp{{Op: "add", Path: "/fields/System.Title", Value: "x"}})
			return err
		}, azdo.ErrServer, 500, 1},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var attempts int
			var mu sync.Mutex
			b := setupEmu(t, azdoemu.Options{Faults: tt.faults}, func(cfg *azdo.Config) {
				cfg.MaxRetries = 2
				cfg.OnCall = func(string, int) { mu.Lock(); attempts++; mu.Unlock() }
			})
			err := tt.call(b.client)
			wantErrKind(t, err, tt.want, tt.status)
			mu.Lock()
			defer mu.Unlock()
			if attempts != tt.calls {
				t.Errorf("attempts = %d, want %d", attempts, tt.calls)
			}
		})
	}
	t.Run("ResetIsRetriedThenFails", func(t *testing.T) {
		t.Parallel()
		var statuses []int
		var mu sync.Mutex
		b := setupEmu(t, azdoemu.Options{Faults: "core/projects:reset"}, func(cfg *azdo.Config) {
			cfg.MaxRetries = 2
			cfg.OnCall = func(_ string, st int) { mu.Lock(); statuses = append(statuses, st); mu.Unlock() }
		})
		_, _, err := b.client.Projects(ctx, 0, "")
		var ae *azdo.Error
		if err == nil || errors.As(err, &ae) {
			t.Fatalf("err = %v, want a transport error", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(statuses, []int{0, 0, 0}) {
			t.Errorf("attempt statuses = %v", statuses)
		}
	})
	t.Run("IntermittentFaultsAreRetriedToSuccess", func(t *testing.T) {
		t.Parallel()
		b := setupEmu(t, azdoemu.Options{Faults: "wit/workitemsbatch:5xx@50%, wit/workitemsbatch:429=1s@30%", Seed: 3}, func(cfg *azdo.Config) { cfg.MaxRetries = 20 })
		for range 5 {
			items, err := b.client.WorkItems(ctx, emuProject, []int{1, 2, 3}, azdo.WorkItemsOptions{})
			if err != nil || len(items) != 3 {
				t.Fatalf("items %d, err %v", len(items), err)
			}
		}
		if b.calls("wit/workitemsbatch") <= 5 {
			t.Errorf("batch attempts = %d; the faults never fired", b.calls("wit/workitemsbatch"))
		}
	})
	t.Run("RateLimitDelayThenBlock", func(t *testing.T) {
		t.Parallel()
		b := setupEmu(t, azdoemu.Options{Budget: 6}, func(cfg *azdo.Config) { cfg.MaxRetries = 1 })
		var err error
		for range 10 {
			if _, err = b.client.States(ctx, emuProject, "Bug"); err != nil {
				break
			}
		}
		wantErrKind(t, err, azdo.ErrThrottled, 429)
		var ae *azdo.Error
		if errors.As(err, &ae) && ae.RetryAfter <= 0 {
			t.Errorf("RetryAfter = %v", ae.RetryAfter)
		}
		if len(b.clock.Sleeps()) == 0 {
			t.Error("the client never slowed down before being blocked")
		}
	})
}

func wantErrKind(t *testing.T, err error, kind error, status int) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
	var ae *azdo.Error
	if !errors.As(err, &ae) || ae.Status != status {
		t.Errorf("error = %+v, want status %d", ae, status)
	}
}
