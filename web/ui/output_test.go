package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// payloads are what someone who can edit a work item in Azure DevOps, or an OKR in Cairn,
// might write to run script in Cairn's pages. Each must show as text and run nowhere.
var payloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg onload=alert(1)>`,
	`{{.}}`,
	`javascript:alert(1)`,
}

// payload is every payload in one value, for fields that show one value.
var payload = strings.Join(payloads, " ")

// shortPayload fits a metric's 20-character unit.
const shortPayload = `<script>alert(1)`

// TestPagesShowPayloadsAsText fills titles, names, notes, a query name, work item titles,
// assignees and tags with the payloads, syncs, and opens every page that shows them: each
// page shows them as text and holds no element, handler or javascript: link of theirs.
// The emulator answers with work item links to another site, which no page may link to.
func TestPagesShowPayloadsAsText(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	ctx := context.Background()
	tctx := cairn.NewContext(ctx, b.users["tenant"])
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Cairn's own data: a member's name, a team, a period, OKR titles, a unit and notes.
	mal, err := b.svc.AddMember(tctx, "fabrikam", cairn.NewMember{Email: "mallory@example.com", Name: payload, Role: cairn.RoleMember, Password: "correct-horse"})
	must(err)
	admin := b.users["admin"]
	must(b.svc.CreateTeam(tctx, "fabrikam", &cairn.Team{Name: payload, MemberIDs: []int64{mal.UserID, admin.ID}}))
	must(b.svc.CreatePeriod(tctx, "fabrikam", &cairn.Period{Name: payload, Start: cairn.DateOf(b.now.AddDate(1, 0, 0)), End: cairn.DateOf(b.now.AddDate(1, 3, 0))}))
	var objectives []int64
	for _, p := range payloads {
		o := &cairn.Objective{PeriodID: b.period, Title: p, Description: payload, OwnerIDs: []int64{mal.UserID}}
		must(b.svc.CreateObjective(tctx, "fabrikam", o))
		objectives = append(objectives, o.ID)
	}
	kr := &cairn.KeyResult{ObjectiveID: objectives[0], Title: payload, Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 40, Unit: shortPayload}, OwnerIDs: []int64{mal.UserID}}
	must(b.svc.CreateKeyResult(tctx, "fabrikam", kr))
	malCtx := cairn.NewContext(ctx, &cairn.User{ID: mal.UserID, Email: "mallory@example.com", Name: payload})
	if u, err := b.db.UserByID(ctx, mal.UserID); err == nil {
		malCtx = cairn.NewContext(ctx, u)
	}
	malCheckIn := &cairn.CheckIn{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: kr.ID}, Value: 12, Note: payload}
	must(b.svc.CheckIn(malCtx, "fabrikam", malCheckIn))
	// Comments: one that mentions Mallory, whose name is the payload, so that the mention is
	// drawn around it, and one in the thread of her check-in.
	mention := &cairn.Comment{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: kr.ID}, Body: "cc @" + payload}
	must(b.svc.AddComment(malCtx, "fabrikam", mention))
	if len(mention.MentionedUserIDs) != 1 {
		t.Fatalf("the comment mentions %v, want Mallory: the mention would not be drawn", mention.MentionedUserIDs)
	}
	must(b.svc.AddComment(malCtx, "fabrikam", &cairn.Comment{Item: cairn.Ref{Type: cairn.ItemCheckIn, ID: malCheckIn.ID}, Body: "thread " + payload}))
	must(b.svc.CheckIn(cairn.NewContext(ctx, admin), "fabrikam", &cairn.CheckIn{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: b.keyResult}, Value: 3, Note: payload}))

	// Azure DevOps data: the titles, assignees and tags of epic 1 and everything under it,
	// and a shared query's name.
	snaps, err := b.emu.WorkItems("fabrikam", "Fabrikam Fiber")
	must(err)
	parent := map[int]int{}
	for _, s := range snaps {
		parent[s.ID] = s.Parent
	}
	var changed int
	for _, s := range snaps {
		under := s.ID == 1
		for p := parent[s.ID]; p != 0 && !under; p = parent[p] {
			under = p == 1
		}
		if !under || s.Deleted {
			continue
		}
		title := payloads[changed%len(payloads)]
		if s.ID == 1 {
			title = payload
		}
		must(b.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", s.ID, map[string]any{
			"System.Title":      title,
			"System.AssignedTo": map[string]any{"displayName": payload, "uniqueName": "mallory@fabrikam.example"},
			"System.Tags":       payload,
		}))
		changed++
	}
	if changed < len(payloads) {
		t.Fatalf("epic 1 has %d items; the test needs one per payload", changed)
	}
	queryName := strings.ReplaceAll(payload, "/", "∕")
	qid, err := b.emu.AddQuery("fabrikam", "Fabrikam Fiber", "Shared Queries", queryName,
		`SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.WorkItemType] = 'User Story'`)
	must(err)

	br := b.signIn(t, "admin")
	iniBase := "/o/fabrikam/initiatives/" + id(b.initiative) + "/data-source"
	connID := createConnection(t, b, br, iniBase)
	// From here on the emulator's answers link every work item to another site.
	b.emu.SetBaseURL("https://evil.example")
	if res := br.post(t, "/o/fabrikam/admin/connections/"+connID, url.Values{"name": {payload}, "visibility": {"shared"}}); res.status != http.StatusOK {
		t.Fatalf("rename the connection: %d %.500s", res.status, res.body)
	}
	for base, state := range map[string]url.Values{
		iniBase: {"connection_id": {connID}, "method": {"work_items"}, "work_item_type": {"Epic"}, "work_item_ids": {"1"}, "progress_type": {"User Story"}, "step": {"save"}},
		"/o/fabrikam/key-results/" + id(b.keyResult) + "/data-source": {"connection_id": {connID}, "method": {"shared_query"}, "query_id": {qid}, "progress_type": {"User Story"}, "step": {"save"}},
	} {
		if res := br.post(t, base, state); res.status != http.StatusSeeOther {
			t.Fatalf("save the data source of %s: %d %.1500s", base, res.status, res.body)
		}
	}
	krBase := "/o/fabrikam/key-results/" + id(kr.ID) + "/data-source"
	emuLinks := b.emuURL + "/fabrikam/"

	pages := []struct {
		name, path string
		htmx       bool
		post       url.Values
		status     int
		shows      []string
	}{
		{name: "OKR tree", path: "/o/fabrikam/okrs", shows: append([]string{payload}, payloads...)},
		{name: "OKR tree, my team", path: "/o/fabrikam/okrs?team=mine", shows: payloads},
		{name: "OKR tree filtered", path: "/o/fabrikam/okrs?q=" + url.QueryEscape(payload), shows: []string{payload}},
		{name: "OKR tree rows", path: "/o/fabrikam/okrs?part=tree", htmx: true, shows: payloads},
		{name: "objective drawer", path: "/o/fabrikam/okrs/objectives/" + id(objectives[1]), shows: []string{payloads[1], payload}},
		{name: "key result drawer", path: "/o/fabrikam/okrs/key-results/" + id(kr.ID), shows: []string{payload, shortPayload, "cc @" + payload, "thread " + payload}},
		{name: "key result drawer by htmx", path: "/o/fabrikam/okrs/key-results/" + id(kr.ID), htmx: true, shows: []string{payload, shortPayload}},
		{name: "data source card and check-ins", path: "/o/fabrikam/okrs/key-results/" + id(b.keyResult), shows: []string{queryName, payload}},
		{name: "data source card of work items", path: "/o/fabrikam/okrs/initiatives/" + id(b.initiative), htmx: true, shows: []string{payload}},
		{name: "tasks", path: "/o/fabrikam/initiatives/" + id(b.initiative) + "/tasks", shows: append([]string{payload}, payloads...)},
		{name: "tasks by title", path: "/o/fabrikam/initiatives/" + id(b.initiative) + "/tasks?sort=title", shows: payloads},
		{name: "wizard queries", path: krBase + "/queries?connection_id=" + connID + "&search=alert", htmx: true, shows: []string{queryName}},
		{name: "wizard query step", path: krBase, post: url.Values{"connection_id": {connID}, "method": {"shared_query"}, "search": {payload}, "step": {"query"}}, shows: []string{payload}},
		{name: "wizard work item search", path: krBase + "/items?connection_id=" + connID + "&work_item_type=Epic&search=1", htmx: true, shows: []string{payload}},
		{name: "wizard work item results", path: krBase + "/items?connection_id=" + connID + "&work_item_type=User+Story&search=alert", htmx: true, shows: payloads[:3]},
		{name: "wizard preview", path: krBase, post: url.Values{"connection_id": {connID}, "method": {"work_items"}, "work_item_type": {"Epic"}, "work_item_ids": {"1"}, "progress_type": {"User Story"}, "measure": {"count"}, "step": {"preview"}}, shows: payloads},
		{name: "connections", path: "/o/fabrikam/admin/connections", shows: []string{payload}},
		{name: "members", path: "/o/fabrikam/admin/members", shows: []string{payload}},
		{name: "teams", path: "/o/fabrikam/admin/teams", shows: []string{payload}},
		{name: "periods", path: "/o/fabrikam/admin/periods", shows: []string{payload}},
		{name: "edit form", path: "/o/fabrikam/objectives/" + id(objectives[1]) + "/edit", shows: []string{payloads[1], payload}},
		{name: "new initiative from a work item", path: "/o/fabrikam/initiatives/new?work-item=7&title=" + url.QueryEscape(payload) + "&project=" + url.QueryEscape(payload) + "&org-url=" + url.QueryEscape(payloads[4]), shows: []string{payload}},
		{name: "error page", path: "/o/fabrikam/okrs/objectives/" + url.PathEscape(payload), status: http.StatusNotFound},
		{name: "link page", path: "/azure-devops/link?code=" + url.QueryEscape(payload), status: http.StatusBadRequest},
	}
	for _, p := range pages {
		t.Run(strings.ReplaceAll(p.name, " ", "_"), func(t *testing.T) {
			var res response
			switch {
			case p.post != nil && p.htmx:
				res = br.hx(t, http.MethodPost, p.path, p.post)
			case p.post != nil:
				res = br.post(t, p.path, p.post)
			case p.htmx:
				res = br.hx(t, http.MethodGet, p.path, nil)
			default:
				res = br.get(t, p.path)
			}
			want := p.status
			if want == 0 {
				want = http.StatusOK
			}
			if res.status != want {
				t.Fatalf("status %d, want %d: %.2000s", res.status, want, res.body)
			}
			m := assertNoActiveContent(t, p.name, res.body)
			for _, s := range p.shows {
				if !m.shows(s) {
					t.Errorf("the page does not show %q as text: %.3000s", s, res.body)
				}
			}
			if strings.Contains(res.body, "evil.example") {
				t.Errorf("the page names the site the emulator's links lead to")
			}
			for _, tg := range m.tags {
				href := tg.attrs["href"]
				if tg.name == "a" && strings.HasPrefix(href, "http") && !strings.HasPrefix(href, emuLinks) {
					t.Errorf("a link leaves Cairn for %q, not for the connection's organization", href)
				}
			}
		})
	}
	t.Run("work_item_links_come_from_the_connection", func(t *testing.T) {
		for path, min := range map[string]int{
			"/o/fabrikam/initiatives/" + id(b.initiative) + "/tasks": len(payloads),
			"/o/fabrikam/okrs/initiatives/" + id(b.initiative):       1,
			"/o/fabrikam/okrs/key-results/" + id(b.keyResult):        1,
		} {
			n := 0
			for _, tg := range scan(br.get(t, path).body).tags {
				if h := tg.attrs["href"]; tg.name == "a" && strings.HasPrefix(h, emuLinks) {
					n++
					if !strings.Contains(h, "/_workitems/edit/") && !strings.Contains(h, "/_queries/query/") {
						t.Errorf("%s links to %q", path, h)
					}
				}
			}
			if n < min {
				t.Errorf("%s has %d links to Azure DevOps, want %d", path, n, min)
			}
		}
	})
}
