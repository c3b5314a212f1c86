package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// TestServeDemo starts `cairn serve --demo` and signs in with the printed credentials.
func TestServeDemo(t *testing.T) {
	t.Setenv("CAIRN_ADMIN_EMAIL", "")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "")
	url, lines, done := startServe(t, "--demo")
	defer func() {
		_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
		<-done
	}()
	var email, password string
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "Demo admin: "); ok {
			email, password, _ = strings.Cut(rest, " / ")
		}
	}
	if email == "" || password == "" {
		t.Fatalf("no demo credentials in %v", lines)
	}
	body := strings.NewReader(`{"email":"` + email + `","password":"` + password + `"}`)
	r, err := http.Post(url+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("demo sign-in: %d", r.StatusCode)
	}
	var me struct {
		Orgs []struct{ Slug string } `json:"orgs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&me); err != nil {
		t.Fatal(err)
	}
	if len(me.Orgs) != 1 || me.Orgs[0].Slug != "fabrikam" {
		t.Fatalf("demo orgs %+v, want fabrikam", me.Orgs)
	}
	emu := ""
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "Azure DevOps emulator: "); ok {
			emu, _, _ = strings.Cut(rest, " ")
		}
	}
	if emu == "" {
		t.Fatalf("no emulator URL in %v", lines)
	}
	res, err := http.Get(strings.TrimSuffix(emu, "/fabrikam") + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("emulator stats: %d", res.StatusCode)
	}
}
