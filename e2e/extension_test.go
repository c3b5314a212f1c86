package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-okr/cairn/internal/extbuild"
)

const (
	// extensionSecret is the extension secret that both the host and Cairn know.
	extensionSecret = "e2e-extension-secret"
	// revokedSecret signed tokens before the secret was rotated; Cairn no longer accepts it.
	revokedSecret = "e2e-revoked-extension-secret"
	e2eAzureUser  = "8c3b0b5e-6a8c-4f3e-9d55-3f7e2a9b1c01"
)

// repoRoot walks up from the working directory to the folder with go.mod.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// skipUnlessCI skips the test locally, and fails it under CI=true, where everything it
// needs must be there.
func skipUnlessCI(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CAIRN_CHROMIUM"); p != "" {
		// A chosen browser is the only one: a missing one means no browser.
		if _, err := os.Stat(p); err != nil {
			skipUnlessCI(tb, "CAIRN_CHROMIUM=%s does not exist", p)
		}
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	skipUnlessCI(tb, "chromium is not installed; apt-get install chromium")
	return ""
}

// extensionDist returns the built extension, building it with npm when it is missing.
func extensionDist(tb testing.TB, root string) string {
	tb.Helper()
	ext := filepath.Join(root, "extension")
	dist := filepath.Join(ext, "dist")
	if _, err := os.Stat(filepath.Join(dist, "page.js")); err == nil {
		return dist
	}
	if err := extbuild.Ensure(ext, "dist/page.js", "build"); err != nil {
		if errors.Is(err, extbuild.ErrNoNPM) {
			skipUnlessCI(tb, "the extension is not built and %v", err)
		}
		tb.Fatal(err)
	}
	return dist
}

// cairnServer is a running `cairn serve --demo`.
type cairnServer struct {
	url    string
	emuURL string // the emulator's organization URL, .../fabrikam
}

func startCairn(tb testing.TB, root, hostOrigin string) *cairnServer {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "cairn")
	build := exec.Command("go", "build", "-o", bin, "./cmd/cairn")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/cairn: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(),
		"CAIRN_ADMIN_PASSWORD=e2e-admin-password",
		"CAIRN_AZDO_EXTENSION_SECRET="+extensionSecret,
		"CAIRN_AZDO_EXTENSION_SECRET_PREVIOUS=",
		"CAIRN_AZDO_EXTENSION_ORIGINS="+hostOrigin,
		"CAIRN_LOG_LEVEL=warn",
	)
	cmd.Dir = tb.TempDir()
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	s := &cairnServer{}
	found := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "Cairn is running at "); ok {
				s.url = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "Azure DevOps emulator: "); ok {
				s.emuURL = strings.Fields(v)[0]
			}
			if s.url != "" && s.emuURL != "" {
				found <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		found <- errors.New("cairn serve --demo stopped before printing its URLs")
	}()
	select {
	case err := <-found:
		if err != nil {
			tb.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		tb.Fatal("cairn serve --demo did not start within 60s")
	}
	return s
}

// alignmentOf asks Cairn's alignment API about a work item as the extension does; it
// returns the HTTP status and the decoded body.
func (c *cairnServer) alignmentOf(tb testing.TB, project string, id int) (int, any) {
	tb.Helper()
	q := url.Values{"org-url": {c.emuURL}, "project": {project}, "work-item": {strconv.Itoa(id)}}
	req, err := http.NewRequest("GET", c.url+"/api/v1/azure-devops/alignment?"+q.Encode(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+signAppToken(tb, extensionSecret, e2eAzureUser, time.Now(), 5*time.Minute))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var v any
	_ = json.NewDecoder(res.Body).Decode(&v)
	return res.StatusCode, v
}

// linkAsAdmin links the Azure DevOps user to the demo admin as a person would: the
// extension asks for a one-time code, and the signed-in admin confirms it in Cairn. It
// returns an HTTP client signed in as the admin.
func (c *cairnServer) linkAsAdmin(tb testing.TB, azureID string) *http.Client {
	tb.Helper()
	req, _ := http.NewRequest("POST", c.url+"/api/v1/azure-devops/extension/link-codes", strings.NewReader(`{"azure_user_name":"Ada Lovelace"}`))
	req.Header.Set("Authorization", "Bearer "+signAppToken(tb, extensionSecret, azureID, time.Now(), 5*time.Minute))
	req.Header.Set("Content-Type", "application/json")
	var code struct {
		Code string `json:"code"`
	}
	doJSON(tb, http.DefaultClient, req, http.StatusCreated, &code)

	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	admin := &http.Client{Jar: jar}
	req, _ = http.NewRequest("POST", c.url+"/api/v1/auth/login", strings.NewReader(`{"email":"admin@demo.cairn.example","password":"e2e-admin-password"}`))
	req.Header.Set("Content-Type", "application/json")
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	doJSON(tb, admin, req, http.StatusOK, &login)
	req, _ = http.NewRequest("POST", c.url+"/api/v1/azure-devops/links", strings.NewReader(`{"code":"`+code.Code+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", login.CSRFToken)
	doJSON(tb, admin, req, http.StatusOK, nil)
	return admin
}

func doJSON(tb testing.TB, client *http.Client, req *http.Request, want int, v any) {
	tb.Helper()
	res, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		tb.Fatalf("%s %s: status %d, want %d: %s", req.Method, req.URL.Path, res.StatusCode, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			tb.Fatalf("%s %s: %v: %s", req.Method, req.URL.Path, err, body)
		}
	}
}

// hasItems reports whether an alignment answer lists anything.
func hasItems(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) > 0
	case map[string]any:
		for _, k := range []string{"alignments", "items", "value"} {
			if hasItems(x[k]) {
				return true
			}
		}
	}
	return false
}

// pageState is what the extension's page shows.
type pageState struct {
	Phase      string `json:"phase"`
	Text       string `json:"text"`
	Background string `json:"background"`
	Links      []struct {
		Text string `json:"text"`
		Href string `json:"href"`
	} `json:"links"`
}

const readPage = `(() => {
  const f = document.getElementById("ext");
  const d = f && f.contentDocument;
  const root = d && d.getElementById("root");
  if (!root) return { phase: "", text: "", background: "", links: [] };
  return {
    phase: root.dataset.phase || "",
    text: root.innerText,
    background: getComputedStyle(d.body).backgroundColor,
    links: Array.from(root.querySelectorAll("a")).map((a) => ({ text: a.innerText, href: a.href })),
  };
})()`

// checkInFromPage opens "Check in" on the first chain, enters a value and a note and
// submits; it answers which item the form acted on.
const checkInFromPage = `(() => {
  const d = document.getElementById("ext").contentDocument;
  const btn = d.querySelector('[data-action="check-in"]');
  if (!btn) return { error: "no Check in button" };
  btn.click();
  const form = d.querySelector("form.checkin");
  if (!form) return { error: "Check in opened no form" };
  const section = btn.closest("section");
  const row = Array.from(section.querySelectorAll("li.row")).find((r) => r.dataset.type !== "objective");
  form.elements.value.value = "3";
  form.elements.note.value = "Checked in from Azure Boards";
  form.requestSubmit();
  return { org: section.dataset.org, type: row.dataset.type, id: row.dataset.id, error: "" };
})()`

// extensionComment is what the browser test comments from the work item, mentioning the
// demo admin by the handle of its email.
const extensionComment = "Card form is blocked on the review, @admin can you look?"

// commentFromPage opens "Comment" on the first chain, writes extensionComment and posts
// it; it answers which item the form acted on.
var commentFromPage = `(() => {
  const d = document.getElementById("ext").contentDocument;
  const btn = d.querySelector('[data-action="comment"]');
  if (!btn) return { error: "no Comment button" };
  btn.click();
  const form = d.querySelector('form.checkin[data-kind="comment"]');
  if (!form) return { error: "Comment opened no form" };
  if (form.elements.value) return { error: "the comment form asks for a value" };
  const section = btn.closest("section");
  const row = Array.from(section.querySelectorAll("li.row")).find((r) => r.dataset.type !== "objective");
  form.elements.note.value = ` + strconv.Quote(extensionComment) + `;
  form.requestSubmit();
  return { org: section.dataset.org, type: row.dataset.type, id: row.dataset.id, error: "" };
})()`

// show loads the host page for a scenario and waits until the extension settles.
func show(ctx context.Context, tb testing.TB, hostURL string, q url.Values) (pageState, []byte) {
	tb.Helper()
	var st pageState
	if _, err := chromedp.Run(ctx, chromedp.Navigate(hostURL+"/host.html?"+q.Encode())); err != nil {
		tb.Fatalf("open the host page: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if st, err = chromedp.Run(ctx, chromedp.Evaluate[pageState](readPage)); err != nil {
			tb.Fatalf("read the extension's page: %v", err)
		}
		if st.Phase == "ready" || st.Phase == "error" || st.Phase == "unconfigured" || st.Phase == "unsaved" {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the extension's page did not settle; last phase %q, text %q", st.Phase, st.Text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot: %v", err)
	}
	return st, png
}

// TestExtensionInTheWorkItemForm loads the real extension page, inside a host that plays
// Azure DevOps, against cairn serve --demo, and checks what it shows for an aligned work
// item, an unaligned one and a token signed with a revoked secret.
func TestExtensionInTheWorkItemForm(t *testing.T) {
	if testing.Short() {
		t.Skip("starts cairn and a browser")
	}
	chromium := chromiumPath(t)
	root := repoRoot(t)
	dist := extensionDist(t, root)

	// The host must exist first: Cairn allows its origin.
	var mu sync.Mutex
	var cairn *cairnServer
	host := &extensionHost{dist: dist}
	host.cfg = func(r *http.Request) hostConfig {
		mu.Lock()
		defer mu.Unlock()
		q := r.URL.Query()
		id, _ := strconv.Atoi(q.Get("wi"))
		secret := extensionSecret
		if q.Get("token") == "revoked" {
			secret = revokedSecret
		}
		return hostConfig{
			WorkItemID: id, Title: q.Get("title"), Type: "User Story", Project: "Fabrikam Fiber",
			OrgURL: cairn.emuURL, CairnURL: cairn.url, Dark: q.Get("theme") == "dark", UserName: "Ada Lovelace",
			AppToken: signAppToken(t, secret, e2eAzureUser, time.Now(), 5*time.Minute),
		}
	}
	hostSrv := httptest.NewServer(host.handler())
	defer hostSrv.Close()
	mu.Lock()
	cairn = startCairn(t, root, hostSrv.URL)
	mu.Unlock()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1100, 720),
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()

	screenshot := func(png []byte) {
		dir := t.TempDir()
		if os.Getenv("CAIRN_WRITE_SCREENSHOTS") == "1" {
			dir = filepath.Join(root, "docs", "screenshots")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "extension.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("revoked token shows that Cairn refused it", func(t *testing.T) {
		st, _ := show(ctx, t, hostSrv.URL, url.Values{"wi": {"1"}, "title": {"Pay by card"}, "token": {"revoked"}})
		if st.Phase != "error" || !strings.Contains(st.Text, "Cairn refused this extension's token") || !strings.Contains(st.Text, "signature") {
			t.Fatalf("phase %q text %q; want the refused-token error", st.Phase, st.Text)
		}
	})

	aligned, unaligned := 0, 0
	for id := 1; id <= 300 && (aligned == 0 || unaligned == 0); id++ {
		status, v := cairn.alignmentOf(t, "Fabrikam Fiber", id)
		if status != http.StatusOK {
			t.Fatalf("alignment of work item %d: status %d: %v", id, status, v)
		}
		if hasItems(v) {
			if aligned == 0 {
				aligned = id
			}
		} else if unaligned == 0 {
			unaligned = id
		}
	}

	t.Run("unaligned item offers to add an initiative", func(t *testing.T) {
		if unaligned == 0 {
			t.Fatal("the demo has no work item that nothing counts")
		}
		st, _ := show(ctx, t, hostSrv.URL, url.Values{"wi": {strconv.Itoa(unaligned)}, "title": {"Spike: offline sync"}})
		if st.Phase != "ready" || !strings.Contains(st.Text, "Add an initiative in Cairn") {
			t.Fatalf("phase %q text %q; want the add-an-initiative offer", st.Phase, st.Text)
		}
		want := fmt.Sprintf("work-item=%d", unaligned)
		found := false
		for _, l := range st.Links {
			found = found || (strings.Contains(l.Text, "Add an initiative") && strings.HasPrefix(l.Href, cairn.url+"/azure-devops/initiatives/new?") && strings.Contains(l.Href, want))
		}
		if !found {
			t.Fatalf("links %+v; want the wizard pre-filled with %s", st.Links, want)
		}
		if !strings.Contains(st.Text, "Link your Cairn account") {
			t.Fatalf("an unlinked user should be offered linking: %q", st.Text)
		}
	})

	t.Run("aligned item shows its chain of OKRs", func(t *testing.T) {
		if aligned == 0 {
			t.Fatal("the demo has no work item that an initiative or key result counts")
		}
		st, _ := show(ctx, t, hostSrv.URL, url.Values{"wi": {strconv.Itoa(aligned)}, "title": {"One-page checkout: card form"}})
		if st.Phase != "ready" || !strings.Contains(st.Text, "counts towards") || !strings.Contains(st.Text, "%") {
			t.Fatalf("phase %q text %q; want the alignment chain with progress", st.Phase, st.Text)
		}
		opensCairn := false
		for _, l := range st.Links {
			opensCairn = opensCairn || strings.HasPrefix(l.Href, cairn.url+"/o/")
		}
		if !opensCairn {
			t.Fatalf("links %+v; want links that open Cairn", st.Links)
		}
		if strings.Contains(st.Text, "Check in") || !strings.Contains(st.Text, "Link your Cairn account") {
			t.Fatalf("an unlinked user must see alignment read-only: %q", st.Text)
		}
	})

	t.Run("linked user checks in from the work item", func(t *testing.T) {
		if aligned == 0 {
			t.Fatal("the demo has no aligned work item")
		}
		admin := cairn.linkAsAdmin(t, e2eAzureUser)
		st, png := show(ctx, t, hostSrv.URL, url.Values{"wi": {strconv.Itoa(aligned)}, "title": {"One-page checkout: card form"}})
		if st.Phase != "ready" || !strings.Contains(st.Text, "Check in") || !strings.Contains(st.Text, "Comment") || !strings.Contains(st.Text, "Signed in to Cairn as") {
			t.Fatalf("phase %q text %q; want Check in and Comment for a linked user", st.Phase, st.Text)
		}
		screenshot(png)
		target, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](checkInFromPage))
		if err != nil {
			t.Fatalf("check in on the page: %v", err)
		}
		if target["error"] != "" {
			t.Fatal(target["error"])
		}
		kind := map[string]string{"key_result": "key-results", "initiative": "initiatives"}[target["type"]]
		path := fmt.Sprintf("%s/api/v1/orgs/%s/%s/%s/check-ins", cairn.url, target["org"], kind, target["id"])
		deadline := time.Now().Add(15 * time.Second)
		for {
			req, _ := http.NewRequest("GET", path, nil)
			res, err := admin.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK && strings.Contains(string(body), "Checked in from Azure Boards") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the check-in made on the page did not reach Cairn: %s", body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	t.Run("linked user comments from the work item and sees the conversation and trend", func(t *testing.T) {
		if aligned == 0 {
			t.Fatal("the demo has no aligned work item")
		}
		admin := cairn.linkAsAdmin(t, e2eAzureUser)
		q := url.Values{"wi": {strconv.Itoa(aligned)}, "title": {"One-page checkout: card form"}}
		if st, _ := show(ctx, t, hostSrv.URL, q); st.Phase != "ready" || !strings.Contains(st.Text, "Comment") {
			t.Fatalf("phase %q text %q; want Comment for a linked user", st.Phase, st.Text)
		}
		target, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](commentFromPage))
		if err != nil {
			t.Fatalf("comment on the page: %v", err)
		}
		if target["error"] != "" {
			t.Fatal(target["error"])
		}
		kind := map[string]string{"key_result": "key-results", "initiative": "initiatives"}[target["type"]]
		item := fmt.Sprintf("%s/api/v1/orgs/%s/%s/%s", cairn.url, target["org"], kind, target["id"])
		var comments struct {
			Items []struct {
				Body             string  `json:"body"`
				AuthorID         *int64  `json:"author_id"`
				MentionedUserIDs []int64 `json:"mentioned_user_ids"`
			} `json:"items"`
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			req, _ := http.NewRequest("GET", item+"/comments", nil)
			doJSON(t, admin, req, http.StatusOK, &comments)
			if len(comments.Items) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the comment made on the page did not reach Cairn")
			}
			time.Sleep(200 * time.Millisecond)
		}
		c := comments.Items[len(comments.Items)-1]
		if c.Body != extensionComment || c.AuthorID == nil || len(c.MentionedUserIDs) != 1 {
			t.Fatalf("comment = %+v, want %q by the linked admin, mentioning one member", c, extensionComment)
		}
		// A comment is no check-in: the item's check-ins do not hold its text.
		var checkIns struct {
			Items []struct {
				Note string `json:"note"`
			} `json:"items"`
		}
		req, _ := http.NewRequest("GET", item+"/check-ins", nil)
		doJSON(t, admin, req, http.StatusOK, &checkIns)
		for _, ci := range checkIns.Items {
			if ci.Note == extensionComment {
				t.Fatal("the comment was written as a check-in")
			}
		}
		// Two more check-ins rising give the item a trend the page shows.
		var me struct {
			CSRF string `json:"csrf_token"`
			User struct {
				Name string `json:"name"`
			} `json:"user"`
		}
		req, _ = http.NewRequest("GET", cairn.url+"/api/v1/me", nil)
		doJSON(t, admin, req, http.StatusOK, &me)
		csrf := me.CSRF
		for _, v := range []string{"4", "6"} {
			req, _ := http.NewRequest("POST", item+"/check-ins", strings.NewReader(`{"value":`+v+`}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", csrf)
			doJSON(t, admin, req, http.StatusCreated, nil)
		}
		st, png := show(ctx, t, hostSrv.URL, q)
		if me.User.Name == "" {
			t.Fatal("/api/v1/me gave the admin no name")
		}
		for _, want := range []string{extensionComment, me.User.Name, "1 comment", "Trend over the last"} {
			if !strings.Contains(st.Text, want) {
				t.Fatalf("the page does not show %q: %q", want, st.Text)
			}
		}
		if os.Getenv("CAIRN_WRITE_SCREENSHOTS") == "1" {
			if err := os.WriteFile(filepath.Join(root, "docs", "screenshots", "extension-conversation.png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("dark theme is applied", func(t *testing.T) {
		st, _ := show(ctx, t, hostSrv.URL, url.Values{"wi": {strconv.Itoa(max(aligned, unaligned))}, "title": {"Dark"}, "theme": {"dark"}})
		if st.Background != "rgb(32, 31, 30)" {
			t.Fatalf("background %q; want the host's dark theme colour", st.Background)
		}
	})
}
