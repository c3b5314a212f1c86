package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// xssPayloads are what someone who may edit a work item in Azure DevOps, or an OKR in
// Cairn, would write to run script in Cairn's pages.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg onload=alert(1)>`,
	`{{.}}`,
	`javascript:alert(1)`,
}

// xssAll is every payload in one value.
var xssAll = strings.Join(xssPayloads, " ")

// browserWatch records what a page must never do: open a JavaScript dialog, break its
// Content-Security-Policy, throw an uncaught exception or log an error.
type browserWatch struct {
	mu       sync.Mutex
	dialogs  []string
	problems []string
}

func (w *browserWatch) add(list *[]string, s string) {
	w.mu.Lock()
	*list = append(*list, s)
	w.mu.Unlock()
}

// take returns and forgets what was recorded.
func (w *browserWatch) take() (dialogs, problems []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	dialogs, problems = w.dialogs, w.problems
	w.dialogs, w.problems = nil, nil
	return dialogs, problems
}

// cspRecorder runs in every document before its own scripts and keeps the document's
// securitypolicyviolation events in window.__csp.
const cspRecorder = `window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`

// watchBrowser starts recording for the tab; dialogs are accepted, so that the page goes on.
func watchBrowser(t *testing.T, ctx context.Context) *browserWatch {
	t.Helper()
	w := &browserWatch{}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			w.add(&w.dialogs, string(ev.Type)+": "+ev.Message+" on "+ev.URL)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			w.add(&w.problems, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				w.add(&w.problems, "console.error: "+strings.Join(args, " "))
			}
		case *log.EventEntryAdded:
			en := e.Entry
			if en.Source == log.EntrySourceSecurity || en.Source == log.EntrySourceViolation || strings.Contains(en.Text, "Content Security Policy") {
				w.add(&w.problems, fmt.Sprintf("%s %s: %s (%s)", en.Source, en.Level, en.Text, en.URL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder}); err != nil {
		t.Fatal(err)
	}
	return w
}

// activeContent lists what in the page a payload could have made: event-handler
// attributes, javascript:/data: addresses, inline or foreign scripts, img, iframe, object
// and embed elements, and links that leave Cairn for anywhere but the emulator.
const activeContent = `((emu) => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) bad.push(el.tagName + " " + a.name + "=" + a.value);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(el.tagName + " " + a.name + "=" + a.value);
    }
  }
  for (const el of document.querySelectorAll("img, iframe, object, embed, frame, script:not([src])")) bad.push("a <" + el.tagName.toLowerCase() + "> element: " + el.outerHTML.slice(0, 120));
  for (const s of document.querySelectorAll("script[src]")) if (new URL(s.src).origin !== location.origin) bad.push("script from " + s.src);
  for (const a of document.querySelectorAll("a[href]")) {
    if (new URL(a.href).origin !== location.origin && !a.href.startsWith(emu)) bad.push("link to " + a.href);
  }
  return bad;
})(%q)`

// assertInert checks the page in the tab: no dialog opened, nothing of a payload became an
// element, attribute or link, the policy blocked nothing of Cairn's, and every text in
// shows is on the page as text.
func assertInert(t *testing.T, ctx context.Context, w *browserWatch, s *server, what string, shows ...string) {
	t.Helper()
	time.Sleep(300 * time.Millisecond) // an onerror or onload would have fired by now
	for _, bad := range eval[[]string](t, ctx, fmt.Sprintf(activeContent, s.emuURL+"/")) {
		t.Errorf("%s: %s", what, bad)
	}
	for _, v := range eval[[]string](t, ctx, `window.__csp || ["the policy recorder did not run"]`) {
		t.Errorf("%s: Content-Security-Policy violation: %s", what, v)
	}
	shown := eval[string](t, ctx, `document.body.innerText`)
	for _, want := range shows {
		if !strings.Contains(shown, want) {
			t.Errorf("%s: the page does not show %q as text", what, want)
		}
	}
	dialogs, problems := w.take()
	for _, d := range dialogs {
		t.Errorf("%s: a JavaScript dialog opened: %s", what, d)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", what, p)
	}
}

// patchWorkItem changes fields of a work item through the emulator's REST API, with JSON
// Patch as Azure DevOps takes it.
func patchWorkItem(t *testing.T, s *server, id int, fields map[string]any) {
	t.Helper()
	var ops []map[string]any
	for f, v := range fields {
		ops = append(ops, map[string]any{"op": "add", "path": "/fields/" + f, "value": v})
	}
	body, _ := json.Marshal(ops)
	u := fmt.Sprintf("%s/%s/_apis/wit/workitems/%d?api-version=7.1", s.emuURL, url.PathEscape("Fabrikam Fiber"), id)
	req, err := http.NewRequest(http.MethodPatch, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("", s.pat)
	req.Header.Set("Content-Type", "application/json-patch+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		t.Fatalf("PATCH work item %d: %d %s", id, res.StatusCode, b.String())
	}
}

// TestSecurityPayloadsStayText puts the payloads into work item titles, tags and assignees in the
// emulator and into OKR titles, a member's name and a check-in note in Cairn, syncs, and
// opens every page that shows them in Chromium: no dialog opens, no element of theirs
// exists, they read as text, and the Content-Security-Policy blocks nothing of Cairn's.
func TestSecurityPayloadsStayText(t *testing.T) {
	needBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	w := watchBrowser(t, ctx)
	s.signIn(t, ctx, s.email, s.password)
	assertInert(t, ctx, w, s, "the demo's OKR tree")

	// Cairn's side: a member whose name is every payload owns an objective per payload and a
	// key result with a check-in note of every payload.
	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	apiGet(t, ctx, "/api/v1/me", &me)
	var periods struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiGet(t, ctx, "/api/v1/orgs/fabrikam/periods", &periods)
	if len(periods.Items) == 0 {
		t.Fatal("the demo has no period")
	}
	var mallory struct {
		UserID int64 `json:"user_id"`
	}
	apiPost(t, ctx, "/api/v1/orgs/fabrikam/members", map[string]any{"email": "mallory@demo.cairn.example", "name": xssAll, "role": "member", "password": "mallory-password"}, &mallory)
	var objectives []int64
	for _, p := range xssPayloads {
		var o struct {
			ID int64 `json:"id"`
		}
		apiPost(t, ctx, "/api/v1/orgs/fabrikam/objectives", map[string]any{"period_id": periods.Items[0].ID, "title": p, "description": xssAll, "level": "organization", "owner_ids": []int64{me.User.ID, mallory.UserID}}, &o)
		objectives = append(objectives, o.ID)
	}
	var kr struct {
		ID int64 `json:"id"`
	}
	apiPost(t, ctx, "/api/v1/orgs/fabrikam/key-results", map[string]any{"objective_id": objectives[0], "title": xssAll, "owner_ids": []int64{me.User.ID},
		"metric": map[string]any{"kind": "number", "start": 0, "target": 10, "unit": "<script>alert(1)"}}, &kr)
	apiPost(t, ctx, fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d/check-ins", kr.ID), map[string]any{"value": 3, "note": xssAll}, nil)

	// Azure DevOps' side: the user stories of the demo's tasks initiative get a payload for a
	// title, every payload as tags, and an assignee named with every payload.
	var initiatives struct {
		Items []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"items"`
	}
	apiGet(t, ctx, "/api/v1/orgs/fabrikam/initiatives", &initiatives)
	var initiative int64
	for _, i := range initiatives.Items {
		if i.Title == "One-page checkout (Azure DevOps tasks)" {
			initiative = i.ID
		}
	}
	var sources struct {
		Items []struct {
			ID           int64 `json:"id"`
			ConnectionID int64 `json:"connection_id"`
			Target       struct {
				Type string `json:"type"`
				ID   int64  `json:"id"`
			} `json:"target"`
		} `json:"items"`
	}
	apiGet(t, ctx, "/api/v1/orgs/fabrikam/data-sources", &sources)
	var source, connection int64
	for _, d := range sources.Items {
		if d.Target.ID == initiative && strings.HasPrefix(d.Target.Type, "initiative") {
			source, connection = d.ID, d.ConnectionID
		}
	}
	if initiative == 0 || source == 0 {
		t.Fatalf("the demo's tasks initiative (%d) or its data source (%d) is missing", initiative, source)
	}
	syncPath := fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", source)
	apiPost(t, ctx, syncPath, map[string]any{}, nil)
	type task struct {
		WorkItemID int    `json:"work_item_id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		AssignedTo string `json:"assigned_to"`
	}
	var tasks struct {
		Items []task `json:"items"`
	}
	tasksPath := fmt.Sprintf("/api/v1/orgs/fabrikam/initiatives/%d/tasks", initiative)
	apiGet(t, ctx, tasksPath, &tasks)
	var stories []task
	for _, tk := range tasks.Items {
		if tk.Type == "User Story" {
			stories = append(stories, tk)
		}
	}
	if len(stories) < len(xssPayloads) {
		t.Fatalf("the tasks initiative has %d user stories; the test needs %d", len(stories), len(xssPayloads))
	}
	for i, p := range xssPayloads {
		patchWorkItem(t, s, stories[i].WorkItemID, map[string]any{
			"System.Title":      p,
			"System.Tags":       xssAll,
			"System.AssignedTo": map[string]any{"displayName": xssAll, "uniqueName": "mallory@fabrikam.example"},
		})
	}
	apiPost(t, ctx, syncPath, map[string]any{}, nil)
	apiGet(t, ctx, tasksPath, &tasks)
	synced := 0
	for _, tk := range tasks.Items {
		if tk.AssignedTo == xssAll {
			synced++
		}
	}
	if synced != len(xssPayloads) {
		t.Fatalf("after the sync %d tasks have the payload assignee, want %d", synced, len(xssPayloads))
	}

	t.Run("Tasks", func(t *testing.T) {
		run(t, ctx, "open the tasks",
			chromedp.Navigate(fmt.Sprintf("%s/o/fabrikam/initiatives/%d/tasks", s.base, initiative)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=tasks]`)),
		)
		assertInert(t, ctx, w, s, "tasks", append([]string{xssAll}, xssPayloads...)...)
		links := eval[int](t, ctx, fmt.Sprintf(`[...document.querySelectorAll("[data-testid=tasks] a[href]")].filter((a) => a.href.startsWith(%q) && /\/_workitems\/edit\/\d+$/.test(a.href)).length`, s.emuURL+"/"))
		if links < len(tasks.Items) {
			t.Errorf("%d of %d tasks link to their work item at the connection's organization", links, len(tasks.Items))
		}
		s.shot(t, ctx, "security-payloads")
		run(t, ctx, "sort by title", chromedp.Click(`//a[contains(@class,"sort")][contains(.,"Title")]`), chromedp.WaitVisible(`//th[@aria-sort]`))
		assertInert(t, ctx, w, s, "tasks by title", xssPayloads...)
	})

	t.Run("TreeAndDrawers", func(t *testing.T) {
		run(t, ctx, "open the tree",
			chromedp.Navigate(s.base+"/o/fabrikam/okrs"),
			chromedp.WaitVisible(chromedp.CSS(`.tree`)),
		)
		assertInert(t, ctx, w, s, "OKR tree", xssPayloads...)
		run(t, ctx, "open the key result", chromedp.Navigate(fmt.Sprintf("%s/o/fabrikam/okrs/key-results/%d", s.base, kr.ID)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=checkins]`)))
		assertInert(t, ctx, w, s, "key result drawer", xssAll, "<script>alert(1)")
		run(t, ctx, "check in through htmx",
			chromedp.SendKeys(chromedp.ID("ci-value"), "4"),
			chromedp.SendKeys(chromedp.ID("ci-note"), xssPayloads[1]),
			chromedp.Click(chromedp.CSS(`form.checkin[action$="/check-ins"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer .notice.ok`)),
		)
		assertInert(t, ctx, w, s, "key result drawer after a check-in", xssPayloads[1])
		run(t, ctx, "open the initiative",
			chromedp.Navigate(fmt.Sprintf("%s/o/fabrikam/okrs/initiatives/%d", s.base, initiative)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=source-card]`)),
			chromedp.Click(chromedp.CSS(`#drawer .runs summary`)),
		)
		assertInert(t, ctx, w, s, "initiative drawer with its data source card")
		run(t, ctx, "sync now", chromedp.Click(chromedp.CSS(`[data-testid=sync-now]`)), chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=source-card]`)))
		until(t, ctx, "the sync ends", `!document.querySelector("#sync-status.pending")`)
		assertInert(t, ctx, w, s, "data source card after Sync now")
	})

	t.Run("Wizard", func(t *testing.T) {
		base := fmt.Sprintf("%s/o/fabrikam/key-results/%d/data-source", s.base, kr.ID)
		run(t, ctx, "search work items",
			chromedp.Navigate(fmt.Sprintf("%s?connection_id=%d&method=work_items&work_item_type=User+Story&step=items", base, connection)),
			chromedp.WaitVisible(chromedp.ID("search")),
			chromedp.SendKeys(chromedp.ID("search"), "alert"),
			chromedp.WaitVisible(`//div[@id="item-results"]//label[contains(.,"onerror")]`),
		)
		assertInert(t, ctx, w, s, "wizard work item search", xssPayloads[:3]...)
		run(t, ctx, "preview",
			chromedp.Navigate(fmt.Sprintf("%s?connection_id=%d&method=work_items&work_item_type=Epic&work_item_ids=1&progress_type=User+Story&step=preview", base, connection)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=preview]`)),
		)
		assertInert(t, ctx, w, s, "wizard preview", xssPayloads...)
		run(t, ctx, "queries",
			chromedp.Navigate(fmt.Sprintf("%s?connection_id=%d&method=shared_query&step=query", base, connection)),
			chromedp.WaitVisible(chromedp.CSS(`#query-results`)),
			chromedp.SendKeys(chromedp.ID("search"), "epic"),
		)
		until(t, ctx, "the search narrows the list", `!document.querySelector("#query-results").textContent.includes("Q3 Features")`)
		assertInert(t, ctx, w, s, "wizard queries")
	})

	t.Run("AdminPages", func(t *testing.T) {
		for _, p := range []struct{ path, shows string }{
			{"/o/fabrikam/admin/connections", ""},
			{"/o/fabrikam/admin/members", xssAll},
			{"/o/fabrikam/objectives/" + fmt.Sprint(objectives[1]) + "/edit", ""},
			{"/o/fabrikam/okrs?q=" + url.QueryEscape(xssPayloads[1]), ""},
			{"/azure-devops/link?code=ABCD-EFGH", ""},
			{"/azure-devops/link?code=" + url.QueryEscape(xssAll), ""},
			{"/no/such/page", ""},
		} {
			run(t, ctx, "open "+p.path, chromedp.Navigate(s.base+p.path), chromedp.WaitReady(chromedp.CSS(`body`)))
			var shows []string
			if p.shows != "" {
				shows = append(shows, p.shows)
			}
			assertInert(t, ctx, w, s, p.path, shows...)
		}
	})

	t.Run("RiverUI", func(t *testing.T) {
		run(t, ctx, "open the job queue", chromedp.Navigate(s.base+"/admin/jobs/"))
		until(t, ctx, "River's UI renders", `document.querySelector("#root") && document.querySelector("#root").children.length > 0`)
		time.Sleep(time.Second)
		// River's UI tests once whether it may compile code (new Function); the policy
		// refuses, which River expects. Nothing else may be blocked.
		var blocked []string
		for _, v := range eval[[]string](t, ctx, `window.__csp || ["the policy recorder did not run"]`) {
			if !strings.Contains(v, "blocked eval") {
				blocked = append(blocked, v)
			}
		}
		if len(blocked) > 0 {
			t.Errorf("River's UI: the policy blocked %v", blocked)
		}
		if dialogs, _ := w.take(); len(dialogs) > 0 {
			t.Errorf("River's UI opened dialogs: %v", dialogs)
		}
	})
}
