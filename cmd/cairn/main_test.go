package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServe runs `cairn serve` in-process on a free port and returns its URL, the lines it
// printed so far, and a channel with its exit code.
func startServe(t *testing.T, args ...string) (string, []string, <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		code := run(append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "error"}, args...), pw, &stderr)
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	url := ""
	demo := false
	for _, a := range args {
		demo = demo || a == "--demo"
	}
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if u, ok := strings.CutPrefix(line, "Cairn is running at "); ok {
			url = u
		}
		// The demo prints its credentials and the emulator's address after the URL.
		if url != "" && (!demo || strings.HasPrefix(line, "Azure DevOps emulator: ")) {
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			return url, lines, done
		}
	}
	t.Fatalf("serve exited before listening: %v\n%s", lines, stderr.String())
	return "", nil, nil
}

// slowBody feeds a request body slowly, so the request is in flight during shutdown.
type slowBody struct {
	sent    bool
	started chan struct{}
}

func (s *slowBody) Read(p []byte) (int, error) {
	if !s.sent {
		s.sent = true
		close(s.started)
		return copy(p, `{"email":"admin@example.com",`), nil
	}
	time.Sleep(500 * time.Millisecond)
	return copy(p, `"password":"correct-horse"}`), io.EOF
}

// TestServeFinishesInFlightRequestsOnSIGTERM sends SIGTERM while a request is half sent and
// checks that the request still gets its answer and the server then exits cleanly.
func TestServeFinishesInFlightRequestsOnSIGTERM(t *testing.T) {
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	url, lines, done := startServe(t, "--database", filepath.Join(t.TempDir(), "c.db"))
	if !strings.Contains(strings.Join(lines, "\n"), "Created the tenant and its admin admin@example.com") {
		t.Fatalf("first start did not create the admin: %v", lines)
	}
	body := &slowBody{started: make(chan struct{})}
	type result struct {
		status int
		err    error
	}
	res := make(chan result, 1)
	go func() {
		r, err := http.Post(url+"/api/v1/auth/login", "application/json", body)
		if err != nil {
			res <- result{err: err}
			return
		}
		r.Body.Close()
		res <- result{status: r.StatusCode}
	}()
	<-body.started
	time.Sleep(100 * time.Millisecond)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-res
	if r.err != nil || r.status != 200 {
		t.Fatalf("in-flight request: status %d, err %v; want 200", r.status, r.err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited with %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
}

func TestServePrintsSetupLinkWithoutAdmin(t *testing.T) {
	t.Setenv("CAIRN_ADMIN_EMAIL", "")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "")
	url, lines, done := startServe(t, "--database", filepath.Join(t.TempDir(), "c.db"))
	var link string
	for _, l := range lines {
		if strings.Contains(l, "/setup?token=") {
			link = strings.TrimSpace(l)
		}
	}
	if !strings.HasPrefix(link, url+"/setup?token=setup_") {
		t.Fatalf("no setup link in %v", lines)
	}
	r, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("setup page: %d", r.StatusCode)
	}
	_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
	<-done
}

func TestTokenCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	url, _, done := startServe(t, "--database", db)
	var out, errb bytes.Buffer
	if code := run([]string{"token", "create", "--email", "Admin@Example.com", "--name", "ci", "--database", db}, &out, &errb); code != 0 {
		t.Fatalf("token create: %d %s", code, errb.String())
	}
	tok := strings.TrimSpace(out.String())
	if !strings.HasPrefix(tok, "cairn_pat_") {
		t.Fatalf("token %q", tok)
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("token refused: %d", r.StatusCode)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"token", "create", "--email", "nobody@example.com", "--database", db}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "no user with email nobody@example.com") {
		t.Fatalf("unknown user: code %d, stderr %q", code, errb.String())
	}
	if code := run([]string{"token", "create", "--database", db}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--email is required") {
		t.Fatalf("missing email: code %d, stderr %q", code, errb.String())
	}
	_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
	<-done
}

func TestHelpForEveryCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for name := range commands() {
		if !strings.Contains(out.String(), name) {
			t.Errorf("usage does not list %q", name)
		}
		if name == "version" {
			continue
		}
		var o, e bytes.Buffer
		code := run([]string{name, "-h"}, &o, &e)
		help := o.String() + e.String()
		if code != 0 || !strings.Contains(help, "Usage") {
			t.Errorf("cairn %s -h: exit %d, output %q", name, code, help)
		}
	}
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %q", code, errb.String())
	}
	if code := run([]string{"serve", "--log-level", "loud"}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "--log-level") {
		t.Fatalf("bad log level accepted: %d %q", code, errb.String())
	}
}

// TestServeHelpDocumentsNotifications checks that `cairn serve -h` tells operators how to
// set up e-mail and webhooks.
func TestServeHelpDocumentsNotifications(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"serve", "-h"}, &o, &e); code != 0 {
		t.Fatalf("serve -h exit %d", code)
	}
	help := o.String() + e.String()
	for _, want := range []string{"CAIRN_SMTP_URL", "CAIRN_SMTP_FROM", "smtps://", "STARTTLS", "?starttls=none",
		"CAIRN_WEBHOOK_ALLOWED_HOSTS", "CAIRN_NOTIFY_INTERVAL"} {
		if !strings.Contains(help, want) {
			t.Errorf("serve -h does not mention %q", want)
		}
	}
}

// TestServeRefusesBadSMTPSettings starts serve with e-mail settings that cannot work and
// checks that it stops with an error naming the variable, before listening.
func TestServeRefusesBadSMTPSettings(t *testing.T) {
	for _, tc := range []struct {
		url, from, want string
	}{
		{"http://mail.example.com", "cairn@example.com", "CAIRN_SMTP_URL must start with smtp:// or smtps://"},
		{"smtp://mail.example.com", "", "CAIRN_SMTP_FROM is required"},
		{"", "cairn@example.com", "CAIRN_SMTP_FROM is set but CAIRN_SMTP_URL is not"},
	} {
		t.Setenv("CAIRN_SMTP_URL", tc.url)
		t.Setenv("CAIRN_SMTP_FROM", tc.from)
		var o, e bytes.Buffer
		db := filepath.Join(t.TempDir(), "cairn.db")
		if code := run([]string{"serve", "--database", db, "--addr", "127.0.0.1:0"}, &o, &e); code == 0 || !strings.Contains(e.String(), tc.want) {
			t.Errorf("CAIRN_SMTP_URL=%q CAIRN_SMTP_FROM=%q: exit %d, stderr %q; want %q", tc.url, tc.from, code, e.String(), tc.want)
		}
	}
}

// TestServeRefusesBadMirrorCacheSize: CAIRN_MIRROR_CACHE_ITEMS must be a whole number of
// work items; anything else stops serve with a clear error.
func TestServeRefusesBadMirrorCacheSize(t *testing.T) {
	for _, v := range []string{"-5", "lots", "1.5"} {
		t.Setenv("CAIRN_MIRROR_CACHE_ITEMS", v)
		var o, e bytes.Buffer
		db := filepath.Join(t.TempDir(), "cairn.db")
		want := fmt.Sprintf("CAIRN_MIRROR_CACHE_ITEMS=%q: want a whole number of work items", v)
		if code := run([]string{"serve", "--database", db, "--addr", "127.0.0.1:0"}, &o, &e); code == 0 || !strings.Contains(e.String(), want) {
			t.Errorf("CAIRN_MIRROR_CACHE_ITEMS=%q: exit %d, stderr %q; want %q", v, code, e.String(), want)
		}
	}
}

// TestServeRefusesBadSyncWorkers: CAIRN_SYNC_WORKERS must be 1 or more.
func TestServeRefusesBadSyncWorkers(t *testing.T) {
	for _, v := range []string{"0", "-2", "four"} {
		t.Setenv("CAIRN_SYNC_WORKERS", v)
		var o, e bytes.Buffer
		db := filepath.Join(t.TempDir(), "cairn.db")
		want := fmt.Sprintf("CAIRN_SYNC_WORKERS=%q: want how many syncs run at once", v)
		if code := run([]string{"serve", "--database", db, "--addr", "127.0.0.1:0"}, &o, &e); code == 0 || !strings.Contains(e.String(), want) {
			t.Errorf("CAIRN_SYNC_WORKERS=%q: exit %d, stderr %q; want %q", v, code, e.String(), want)
		}
	}
}
