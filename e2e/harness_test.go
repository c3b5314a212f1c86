package e2e_test

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the PNGs of the main pages to docs/screenshots")

// chromiumPath is the Chromium the browser tests drive: Debian's, or CAIRN_CHROMIUM.
var chromiumPath = cmp.Or(os.Getenv("CAIRN_CHROMIUM"), "/usr/bin/chromium")

// server is a running `cairn serve --demo`.
type server struct {
	base     string
	email    string
	password string
	emuURL   string // the emulator's organization URL, such as http://127.0.0.1:1234/fabrikam
	pat      string
	shots    string
	// logPath is the file that receives cairn's log (its standard error).
	logPath string

	mu     sync.Mutex
	stdout strings.Builder
}

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

// needBrowser skips without Chromium, except under CI=true where a missing browser fails.
func needBrowser(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but %s is missing: install Debian's chromium package to run the browser tests", chromiumPath)
		}
		tb.Skipf("%s is missing: install Debian's chromium package to run the browser tests", chromiumPath)
	}
	if testing.Short() && os.Getenv("CI") != "true" {
		tb.Skip("browser tests are skipped with -short")
	}
}

// startServer builds cairn and runs `cairn serve --demo` on a free port until the test ends.
func startServer(tb testing.TB) *server {
	tb.Helper()
	return startServerWith(tb, serverOptions{})
}

// serverOptions change how startServerWith runs cairn.
type serverOptions struct {
	// env is added to cairn's environment, such as CAIRN_AZDO_ALLOWED_HOSTS=host:port. With
	// a CAIRN_LOG_LEVEL entry the log level comes from it instead of --log-level warn.
	env []string
	// database is the --database of cairn; empty is a fresh SQLite file.
	database string
}

// startServerEnv is startServer with extra environment variables.
func startServerEnv(tb testing.TB, env ...string) *server {
	tb.Helper()
	return startServerWith(tb, serverOptions{env: env})
}

// startServerWith is startServer with options.
func startServerWith(tb testing.TB, opts serverOptions) *server {
	tb.Helper()
	root := repoRoot(tb)
	dir := tb.TempDir()
	bin := filepath.Join(dir, "cairn")
	build := exec.Command("go", "build", "-o", bin, "./cmd/cairn")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/cairn: %v\n%s", err, out)
	}
	var pw [9]byte
	_, _ = rand.Read(pw[:])
	s := &server{email: "admin@demo.cairn.example", password: "pw-" + hex.EncodeToString(pw[:]), shots: filepath.Join(dir, "screenshots")}
	if err := os.MkdirAll(s.shots, 0o755); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	database := cmp.Or(opts.database, filepath.Join(dir, "cairn.db"))
	args := []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--database", database}
	if !slices.ContainsFunc(opts.env, func(e string) bool { return strings.HasPrefix(e, "CAIRN_LOG_LEVEL=") }) {
		args = append(args, "--log-level", "warn")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	// The sealing key file goes into the test's folder: with PostgreSQL it would otherwise
	// be made in the working folder, the package's source.
	cmd.Env = append(append(os.Environ(), "CAIRN_ADMIN_EMAIL="+s.email, "CAIRN_ADMIN_PASSWORD="+s.password,
		"CAIRN_SECRET_KEY_FILE="+filepath.Join(dir, "cairn.key")), opts.env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "cairn.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = logf
	s.logPath = logf.Name()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start cairn: %v", err)
	}
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		logf.Close()
		if tb.Failed() {
			if b, err := os.ReadFile(logf.Name()); err == nil {
				tb.Logf("cairn log (last 4 KiB):\n%s", tail(string(b), 4096))
			}
		}
	})
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stdout.WriteString(line + "\n")
			s.mu.Unlock()
			if u, ok := strings.CutPrefix(line, "Cairn is running at "); ok {
				s.base = strings.TrimSpace(u)
			}
			if rest, ok := strings.CutPrefix(line, "Azure DevOps emulator: "); ok {
				u, pat, _ := strings.Cut(rest, " (PAT ")
				s.emuURL, s.pat = strings.TrimSpace(u), strings.TrimSuffix(strings.TrimSpace(pat), ")")
				if !sent {
					sent = true
					ready <- nil
				}
			}
		}
		if !sent {
			ready <- fmt.Errorf("cairn exited before it was ready: %v", sc.Err())
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err := <-ready:
		if err != nil {
			tb.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		tb.Fatal("cairn did not print its URL within 60 s")
	}
	if s.base == "" || s.emuURL == "" {
		tb.Fatalf("could not read the URLs from cairn's output:\n%s", s.stdout.String())
	}
	return s
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// browser starts headless Chromium for the test and returns its first tab.
func browser(tb testing.TB) context.Context {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(tb.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithErrorf(tb.Logf))
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// incognito opens a tab in a fresh browser context: its own cookies, as another person.
func incognito(tb testing.TB, parent context.Context) context.Context {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		tb.Fatal(err)
	}
	return ctx
}

// run runs browser actions with a deadline and fails the test with the step's name.
func run(tb testing.TB, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	settle(ctx)
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		failureShot(tb, ctx)
		tb.Fatalf("%s: %v (page %s)", step, err, loc)
	}
}

// htmxSettled holds once htmx has finished every swap and has set up every element that
// carries an hx- request attribute: a click or a key before that would reach a form that
// htmx does not handle yet, which a person is never fast enough to do.
const htmxSettled = `(() => {
	if (typeof htmx === "undefined") return true;
	if (document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")) return false;
	for (const e of document.querySelectorAll("[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete]")) {
		const d = e["htmx-internal-data"];
		if (!d || !d.initHash) return false;
	}
	return true;
})()`

// settle waits, for up to 5 s, until htmxSettled holds; a page that is loading counts as
// settled, and the step that follows waits for what it needs.
func settle(ctx context.Context) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](htmxSettled))
		cancel()
		if err != nil || ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settled is settle as a step among others.
func settled() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		settle(ctx)
		return chromedp.Void{}, nil
	}
}

// click is chromedp.Click once htmx has settled (see htmxSettled).
func click[S chromedp.Selectable](sel S, opts ...chromedp.QueryOption) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		settle(ctx)
		return chromedp.Click(sel, opts...)(ctx, t)
	}
}

// failureShot keeps a PNG of the page at a failure, in FAILURE_SHOTS when set.
func failureShot(tb testing.TB, ctx context.Context) {
	dir := os.Getenv("FAILURE_SHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if png, err := chromedp.Run(c, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(tb.Name())+".png"), png, 0o644)
	}
}

// get runs one browser action that returns a value.
func get[T any](tb testing.TB, ctx context.Context, step string, a chromedp.Action[T]) T {
	tb.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		tb.Fatalf("%s: %v (page %s)", step, err, loc)
	}
	return v
}

// until evaluates the JavaScript condition until it holds, across page loads.
func until(tb testing.TB, ctx context.Context, step, js string) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			tb.Fatalf("%s: %s did not hold within 20 s (last error %v, page %s)", step, js, err, loc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// eval evaluates JavaScript in the page.
func eval[T any](tb testing.TB, ctx context.Context, js string) T {
	tb.Helper()
	return get(tb, ctx, "evaluate "+js, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// shot saves a PNG of the page under the test's temp dir, and under docs/screenshots with
// -update-screenshots.
func (s *server) shot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	time.Sleep(150 * time.Millisecond)
	png := get(tb, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	if len(png) < 1000 {
		tb.Fatalf("screenshot %s is only %d bytes", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(s.shots, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
	if *updateScreenshots {
		dir := filepath.Join(repoRoot(tb), "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// signIn signs in through the form and waits for the OKR tree.
func (s *server) signIn(tb testing.TB, ctx context.Context, email, password string) {
	tb.Helper()
	run(tb, ctx, "sign in as "+email,
		chromedp.Navigate(s.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".okrs-main")),
	)
}

// fetchResult is what a fetch made inside the page answered.
type fetchResult struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// fetch runs fetch() inside the page, with the page's cookies, and returns status and body.
func fetch(tb testing.TB, ctx context.Context, method, path string, headers map[string]string, body string) fetchResult {
	tb.Helper()
	if headers == nil {
		headers = map[string]string{}
	}
	h, _ := json.Marshal(headers)
	b, _ := json.Marshal(body)
	script := fmt.Sprintf(`(async () => { const init = {method: %q, headers: %s, credentials: "same-origin"}; if (%q !== "GET") init.body = %s; const r = await fetch(%q, init); return {status: r.status, body: await r.text()}; })()`, method, h, method, b, path)
	return get(tb, ctx, method+" "+path, chromedp.Evaluate[fetchResult](script, chromedp.EvalAwaitPromise))
}

// apiGet reads a JSON API resource as the page's user.
func apiGet(tb testing.TB, ctx context.Context, path string, v any) {
	tb.Helper()
	res := fetch(tb, ctx, "GET", path, nil, "")
	if res.Status != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}
	if err := json.Unmarshal([]byte(res.Body), v); err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
}
