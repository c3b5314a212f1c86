package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestDebugListenerServesProfilesOnLoopbackOnly: CAIRN_DEBUG_ADDR starts a pprof listener
// that the main listener does not share, and an address off the loopback is refused.
func TestDebugListenerServesProfilesOnLoopbackOnly(t *testing.T) {
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	t.Setenv("CAIRN_SECRET_KEY", testKey(t, "k1"))
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debug := free.Addr().String()
	free.Close()

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	var out bytes.Buffer
	cfg := serveConfig{addr: "127.0.0.1:0", database: filepath.Join(t.TempDir(), "c.db"), logLevel: "error", debugAddr: debug}
	go func() { errc <- serve(ctx, cfg, &out, slog.New(slog.NewJSONHandler(io.Discard, nil)), ready) }()
	var base string
	select {
	case base = <-ready:
	case err := <-errc:
		cancel()
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}()
	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("http://" + debug + "/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("the debug listener: %d %.200s", code, body)
	}
	if code, body := get("http://" + debug + "/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(body, "goroutine profile") {
		t.Errorf("the goroutine profile: %d %.200s", code, body)
	}
	if code, _ := get(base + "/debug/pprof/"); code == 200 {
		t.Error("the main listener serves the profiles too")
	}
	if !strings.Contains(out.String(), "Profiles (pprof) at http://"+debug+"/debug/pprof/") {
		t.Errorf("serve does not print the debug listener:\n%s", out.String())
	}

	for addr, want := range map[string]string{"0.0.0.0:6060": "binds to loopback only", "10.1.2.3:6060": "binds to loopback only", "6060": "want host:port"} {
		if _, err := debugAddr(addr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("debugAddr(%q) = %v, want an error saying %q", addr, err, want)
		}
	}
	for addr, want := range map[string]string{":6060": "127.0.0.1:6060", "[::1]:6060": "[::1]:6060", "localhost:6060": "localhost:6060"} {
		if got, err := debugAddr(addr); err != nil || got != want {
			t.Errorf("debugAddr(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	var o, e bytes.Buffer
	if code := run([]string{"serve", "--debug-addr", "0.0.0.0:6060"}, &o, &e); code != 1 || !strings.Contains(e.String(), "loopback only") {
		t.Errorf("serve with a public debug address: exit %d %s", code, e.String())
	}
}
