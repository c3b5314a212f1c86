package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// objectiveCount counts the objectives of the demo organization through the JSON API.
func objectiveCount(t *testing.T, ctx context.Context) int {
	t.Helper()
	var objs struct {
		Count int `json:"count"`
	}
	apiGet(t, ctx, "/api/v1/orgs/fabrikam/objectives", &objs)
	return objs.Count
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	return get(t, ctx, "text of "+css, chromedp.Text(chromedp.CSS(css)))
}

// colorScheme emulates prefers-color-scheme.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return chromedp.Void{}, err
	}
}

// TestBrowser walks through Cairn in a real browser. The steps share one server and build
// on each other, so they run in order.
func TestBrowser(t *testing.T) {
	needBrowser(t)
	s := startServer(t)
	ctx := browser(t)

	t.Run("SignIn", func(t *testing.T) {
		s.signIn(t, ctx, s.email, s.password)
		run(t, ctx, "tree", chromedp.WaitVisible(chromedp.CSS(`.tree .row`)))
		if rows := eval[int](t, ctx, `document.querySelectorAll(".tree .row").length`); rows < 3 {
			t.Fatalf("the demo tree shows %d rows, want at least 3", rows)
		}
		s.shot(t, ctx, "okr-list")
	})

	t.Run("WrongPasswordIsRefused", func(t *testing.T) {
		other := incognito(t, ctx)
		run(t, other, "wrong password",
			chromedp.Navigate(s.base+"/login"),
			chromedp.SendKeys(chromedp.ID("email"), s.email),
			chromedp.SendKeys(chromedp.ID("password"), "not-the-password"),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.CSS(`.notice.error`)),
		)
		if msg := text(t, other, `.notice.error`); !strings.Contains(msg, "wrong") {
			t.Fatalf("sign-in error %q does not say the email or password is wrong", msg)
		}
	})

	t.Run("CreateObjectiveKeyResultAndCheckIn", func(t *testing.T) {
		before := objectiveCount(t, ctx)
		run(t, ctx, "create objective",
			chromedp.Navigate(s.base+"/o/fabrikam/objectives/new"),
			chromedp.WaitVisible(chromedp.ID("title")),
			chromedp.SendKeys(chromedp.ID("title"), "Cut cloud spend without slowing teams down"),
			click(chromedp.CSS(`[data-testid=save]`)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer .drawer-title`)),
		)
		if title := text(t, ctx, `#drawer .drawer-title`); title != "Cut cloud spend without slowing teams down" {
			t.Fatalf("drawer title %q", title)
		}
		if got := objectiveCount(t, ctx); got != before+1 {
			t.Fatalf("%d objectives after creating one, want %d", got, before+1)
		}
		run(t, ctx, "create key result",
			click(chromedp.CSS(`#drawer a[href*="/key-results/new"]`)),
			chromedp.WaitVisible(chromedp.ID("metric_kind")),
			chromedp.SendKeys(chromedp.ID("title"), "Monthly cloud bill"),
			chromedp.SetValue(chromedp.ID("metric_kind"), "number"),
			chromedp.SetValue(chromedp.ID("metric_goal"), "decrease"),
			chromedp.SetValue(chromedp.ID("metric_start"), "120"),
			chromedp.SetValue(chromedp.ID("metric_target"), "80"),
			chromedp.SetValue(chromedp.ID("metric_unit"), "k$"),
			click(chromedp.CSS(`[data-testid=save]`)),
			chromedp.WaitVisible(chromedp.ID("ci-value")),
		)
		run(t, ctx, "check in",
			chromedp.SendKeys(chromedp.ID("ci-value"), "104"),
			chromedp.SendKeys(chromedp.ID("ci-note"), "Reserved instances bought for the build farm"),
			click(chromedp.CSS(`form.checkin[action$="/check-ins"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer .notice.ok`)),
		)
		if value := text(t, ctx, `[data-testid=item-value]`); !strings.Contains(value, "104") || !strings.Contains(value, "80 k$") {
			t.Fatalf("value after check-in is %q, want 104 against 80 k$", value)
		}
		if history := text(t, ctx, `[data-testid=checkins]`); !strings.Contains(history, "Reserved instances") {
			t.Fatalf("check-in list %q lacks the note", history)
		}
		if dots := eval[int](t, ctx, `document.querySelectorAll("[data-testid=chart] circle.dot").length`); dots != 1 {
			t.Fatalf("chart shows %d check-in dots, want 1", dots)
		}
		// The tree refreshes itself after the check-in, without a page load.
		run(t, ctx, "tree updates", chromedp.WaitVisible(`//div[contains(@class,"row")][.//a[contains(.,"Monthly cloud bill")]]//span[@class="value"][contains(.,"104")]`))
	})

	t.Run("ConversationInTheDrawer", func(t *testing.T) {
		// The drawer of "Monthly cloud bill" is still open from the step before.
		run(t, ctx, "check in with a confidence",
			chromedp.SendKeys(chromedp.ID("ci-value"), "100"),
			chromedp.SetValue(chromedp.ID("ci-confidence"), "8"),
			click(chromedp.CSS(`form.checkin[action$="/check-ins"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=confidence]`)),
		)
		if got := text(t, ctx, `#drawer [data-testid=confidence]`); got != "confidence 8/10" {
			t.Fatalf("the check-in list says %q", got)
		}
		run(t, ctx, "comment with a mention",
			chromedp.SendKeys(chromedp.ID("comment-body"), "@admin the bill is dropping: keep the reservations"),
			click(chromedp.CSS(`#comments form.comment-form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer mark.mention`)),
		)
		if got := text(t, ctx, `#drawer mark.mention`); got != "@admin" {
			t.Fatalf("the mention reads %q, want @admin", got)
		}
		run(t, ctx, "reply to the check-in",
			click(chromedp.CSS(`#drawer details.thread > summary`)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer details.thread textarea`)),
			chromedp.SendKeys(chromedp.CSS(`#drawer details.thread textarea`), "Why 8 and not 9?"),
			click(chromedp.CSS(`#drawer details.thread button[type=submit]`)),
		)
		until(t, ctx, "the reply shows in the open thread", `[...document.querySelectorAll("#drawer details.thread[open] .comment-text")].some(e => e.textContent.includes("Why 8"))`)
		run(t, ctx, "open the history",
			click(chromedp.CSS(`#drawer details.history > summary`)),
			chromedp.WaitVisible(chromedp.CSS(`#drawer .audit`)),
		)
		if h := text(t, ctx, `#drawer .audit`); !strings.Contains(h, "checked in") || !strings.Contains(h, "created this key result") || !strings.Contains(h, "Confidence") {
			t.Fatalf("the history reads %q", h)
		}
		run(t, ctx, "scroll to the conversation", chromedp.Evaluate[chromedp.Void](`document.querySelector("#drawer [data-testid=checkins]").scrollIntoView()`))
		s.shot(t, ctx, "conversation")
	})

	t.Run("DetailPanelWithChart", func(t *testing.T) {
		run(t, ctx, "open a demo key result",
			chromedp.Navigate(s.base+"/o/fabrikam/okrs"),
			chromedp.WaitVisible(chromedp.CSS(`.tree`)),
			click(`//a[contains(@class,"title")][contains(.,"Checkout conversion")]`),
			chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=chart] svg`)),
		)
		if loc := get(t, ctx, "url", chromedp.Location()); !strings.Contains(loc, "/okrs/key-results/") {
			t.Fatalf("opening the drawer left the URL at %s, want the item's own URL", loc)
		}
		s.shot(t, ctx, "detail-panel")
		run(t, ctx, "Esc closes", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS(`#drawer .drawer-inner`)))
		run(t, ctx, "j, j and Enter open the second row",
			chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
			chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(`#drawer .drawer-title`)),
		)
		second := eval[string](t, ctx, `document.querySelectorAll(".tree .row a.title")[1].textContent.replace(/^(Key result|Objective|Initiative): /, "")`)
		if got := text(t, ctx, `#drawer .drawer-title`); got != second {
			t.Fatalf("keyboard opened %q, want the second row %q", got, second)
		}
		run(t, ctx, "slash searches", chromedp.KeyEvent(kb.Escape), chromedp.KeyEvent("/"))
		if id := eval[string](t, ctx, `document.activeElement.id`); id != "global-search" {
			t.Fatalf("/ focused %q, want the search box", id)
		}
	})

	t.Run("BadInputShowsMessageNextToField", func(t *testing.T) {
		before := objectiveCount(t, ctx)
		run(t, ctx, "empty title",
			chromedp.Navigate(s.base+"/o/fabrikam/objectives/new"),
			chromedp.WaitVisible(chromedp.ID("title")),
			click(chromedp.CSS(`[data-testid=save]`)),
			chromedp.WaitVisible(chromedp.ID("err-title")),
		)
		if msg := text(t, ctx, `#err-title`); !strings.Contains(msg, "required") {
			t.Fatalf("empty title says %q", msg)
		}
		run(t, ctx, "too long title",
			chromedp.SetValue(chromedp.ID("title"), strings.Repeat("x", 301)),
			click(chromedp.CSS(`[data-testid=save]`)),
		)
		until(t, ctx, "the new message", `document.querySelector("#err-title") !== null && document.querySelector("#err-title").textContent.includes("longer")`)
		if msg := text(t, ctx, `#err-title`); !strings.Contains(msg, "longer than 300") {
			t.Fatalf("a 301-character title says %q", msg)
		}
		if got := objectiveCount(t, ctx); got != before {
			t.Fatalf("refused forms saved something: %d objectives, want %d", got, before)
		}
	})

	t.Run("ViewerSeesNoEditControlsAndForgedPostIsRefused", func(t *testing.T) {
		run(t, ctx, "add a viewer",
			chromedp.Navigate(s.base+"/o/fabrikam/admin/members"),
			chromedp.WaitVisible(chromedp.ID("m-email")),
			chromedp.SendKeys(chromedp.ID("m-email"), "viewer@demo.cairn.example"),
			chromedp.SendKeys(chromedp.ID("m-name"), "Vera Viewer"),
			chromedp.SetValue(chromedp.ID("m-role"), "viewer"),
			chromedp.SendKeys(chromedp.ID("m-password"), "viewer-password-1"),
			chromedp.Submit(chromedp.ID("m-email")),
			chromedp.WaitVisible(`//td[contains(., "Vera Viewer")]`),
		)
		before := objectiveCount(t, ctx)
		v := incognito(t, ctx)
		s.signIn(t, v, "viewer@demo.cairn.example", "viewer-password-1")
		newButtons := eval[int](t, v, `document.querySelectorAll('a[href*="/objectives/new"]').length`)
		run(t, v, "open a key result as viewer",
			click(`//a[contains(@class,"title")][contains(.,"Checkout conversion")]`),
			chromedp.WaitVisible(chromedp.CSS(`#drawer .drawer-title`)),
		)
		editLinks := eval[int](t, v, `document.querySelectorAll('#drawer a[href$="/edit"]').length`)
		checkIns := eval[int](t, v, `document.querySelectorAll('#ci-value').length`)
		if newButtons+editLinks+checkIns != 0 {
			t.Fatalf("viewer sees %d new, %d edit and %d check-in controls, want none", newButtons, editLinks, checkIns)
		}
		token := eval[string](t, v, `JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]`)
		form := "title=Forged&period_id=1&owner_ids=1"
		res := fetch(t, v, "POST", "/o/fabrikam/objectives", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token}, form)
		if res.Status != http.StatusForbidden {
			t.Fatalf("viewer's POST with a valid CSRF token answered %d, want 403", res.Status)
		}
		if !strings.Contains(res.Body, "Not allowed") {
			t.Fatalf("refusal page does not say why: %.300s", res.Body)
		}
		res = fetch(t, v, "POST", "/o/fabrikam/objectives", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form)
		if res.Status != http.StatusForbidden {
			t.Fatalf("POST without a CSRF token answered %d, want 403", res.Status)
		}
		if got := objectiveCount(t, ctx); got != before {
			t.Fatalf("forged POSTs saved something: %d objectives, want %d", got, before)
		}
	})

	t.Run("JobsUIOpensFromTheAdminMenu", func(t *testing.T) {
		link := chromedp.CSS(`.sidenav a[href="/admin/jobs/"]`)
		run(t, ctx, "open River's UI from the admin menu",
			chromedp.Navigate(s.base+"/o/fabrikam/admin"),
			chromedp.WaitVisible(link),
			click(link),
		)
		// River's scripts and styles load from /admin/jobs and its API answers them.
		until(t, ctx, "River's UI renders", `location.pathname.startsWith("/admin/jobs/") && document.querySelector("#root").innerText.includes("Job State")`)
		run(t, ctx, "completed jobs", chromedp.Navigate(s.base+"/admin/jobs/jobs?state=completed"))
		until(t, ctx, "River's UI lists the sync scheduler's jobs", `document.querySelector("#root").innerText.includes("schedule_syncs")`)
		// River's UI sends no CSRF token; its calls from the page must still work.
		for _, action := range []string{"pause", "resume"} {
			if res := fetch(t, ctx, "PUT", "/admin/jobs/api/queues/azure_devops/"+action, nil, ""); res.Status != http.StatusOK {
				t.Fatalf("%s the queue from River's UI: %d %s", action, res.Status, res.Body)
			}
		}
	})

	t.Run("ErrorPageNamesRequestID", func(t *testing.T) {
		run(t, ctx, "missing item",
			chromedp.Navigate(s.base+"/o/fabrikam/okrs/objectives/987654"),
			chromedp.WaitVisible(chromedp.CSS(`.error-page`)),
		)
		heading, id := text(t, ctx, `.error-page h1`), text(t, ctx, `[data-testid=request-id]`)
		if heading != "Not found" || len(id) < 8 {
			t.Fatalf("error page says %q with request id %q", heading, id)
		}
	})

	t.Run("PhoneAndDarkMode", func(t *testing.T) {
		phone := incognito(t, ctx)
		run(t, phone, "phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		s.signIn(t, phone, s.email, s.password)
		if eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			t.Fatal("the OKR page scrolls sideways at 390 px")
		}
		s.shot(t, phone, "phone-okr-list")
		run(t, ctx, "dark mode", colorScheme("dark"),
			chromedp.Navigate(s.base+"/o/fabrikam/okrs"),
			chromedp.WaitVisible(chromedp.CSS(`.tree`)),
		)
		if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(1, 4, 9)" {
			t.Fatalf("dark mode background is %s", bg)
		}
		s.shot(t, ctx, "dark-okr-list")
		run(t, ctx, "light mode", colorScheme("light"))
	})
}
