package main

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeDemoBindsEveryTargetAndMethod starts `cairn serve --demo` and checks that its
// data sources cover every target × method and sync from the in-process emulator.
func TestServeDemoBindsEveryTargetAndMethod(t *testing.T) {
	t.Setenv("CAIRN_ADMIN_EMAIL", "")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "demo-password-1")
	t.Setenv("CAIRN_SECRET_KEY", "")
	url, lines, done := startServe(t, "--demo")
	defer func() {
		_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
		<-done
	}()
	email := ""
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "Demo admin: "); ok {
			email, _, _ = strings.Cut(rest, " / ")
		}
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	r, err := c.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"demo-password-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	type ds struct {
		Target  struct{ Type string } `json:"target"`
		Method  string                `json:"method"`
		Measure string                `json:"measure"`
		Value   *float64              `json:"value"`
		Error   any                   `json:"error"`
	}
	var list struct{ Items []ds }
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := c.Get(url + "/api/v1/orgs/fabrikam/data-sources")
		if err != nil {
			t.Fatal(err)
		}
		list.Items = nil
		err = json.NewDecoder(res.Body).Decode(&list)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		synced := 0
		for _, d := range list.Items {
			if d.Value != nil && d.Error == nil {
				synced++
			}
		}
		if len(list.Items) > 0 && synced == len(list.Items) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo data sources did not all sync: %+v", list.Items)
		}
		time.Sleep(100 * time.Millisecond)
	}
	seen := map[string]bool{}
	for _, d := range list.Items {
		seen[d.Target.Type+"/"+d.Method] = true
		// The projects of other processes: CMMI's Closed requirement (size 8) is done;
		// the inherited process's Shipped requests (impact 8 and 2) are done, and its
		// Won't fix request (3) leaves the total of 8+5+2+6.
		switch d.Measure {
		case "Microsoft.VSTS.Scheduling.Size":
			seen["cmmi"] = true
			if *d.Value != 8 {
				t.Errorf("the CMMI key result is %v, want 8", *d.Value)
			}
		case "Custom.CustomerImpact":
			seen["custom"] = true
			if want := 100 * 10.0 / 21; *d.Value < want-1e-9 || *d.Value > want+1e-9 {
				t.Errorf("the inherited process's initiative is %v, want %v", *d.Value, want)
			}
		}
	}
	if !seen["cmmi"] || !seen["custom"] {
		t.Errorf("the demo binds no CMMI (%v) or inherited-process (%v) project", seen["cmmi"], seen["custom"])
	}
	for _, target := range []string{"key_result", "initiative_metric", "initiative_tasks"} {
		for _, method := range []string{"shared_query", "work_items"} {
			if !seen[target+"/"+method] {
				t.Errorf("the demo binds no %s by %s", target, method)
			}
		}
	}
}
