package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestEmulatorServerCommand starts `cairn emulator --server` for each Azure DevOps Server
// release, reads the collection URL it prints, and lists the projects through it with
// `cairn azdo projects`, which must negotiate the release's REST API version.
func TestEmulatorServerCommand(t *testing.T) {
	collRE := regexp.MustCompile(`^http://127\.0\.0\.1:\d+/tfs/DefaultCollection$`)
	for _, tc := range []struct{ release, latest string }{{"2019", "5.0"}, {"2020", "6.0"}, {"2022", "7.0"}} {
		t.Run(tc.release, func(t *testing.T) {
			pr, pw := io.Pipe()
			done := make(chan int, 1)
			go func() {
				code := run([]string{"emulator", "--addr", "127.0.0.1:0", "--server", tc.release, "--pat", "server-pat"}, pw, io.Discard)
				pw.Close()
				done <- code
			}()
			sc := bufio.NewScanner(pr)
			var base, coll, banner string
			for coll == "" && sc.Scan() {
				line := sc.Text()
				if v, ok := strings.CutPrefix(line, "Azure DevOps emulator listening on "); ok {
					base = v
				}
				if strings.HasPrefix(line, "Azure DevOps Server ") {
					banner = line
				}
				if v, ok := strings.CutPrefix(line, "Collection URL: "); ok {
					coll = v
				}
			}
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			defer func() {
				_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
				if code := <-done; code != 0 {
					t.Errorf("emulator exited %d", code)
				}
			}()
			if !collRE.MatchString(coll) || coll != base+"/tfs/DefaultCollection" {
				t.Fatalf("collection URL %q (base %q)", coll, base)
			}
			if banner != "Azure DevOps Server "+tc.release+" (REST API up to "+tc.latest+")" {
				t.Errorf("banner %q", banner)
			}
			var out, errb bytes.Buffer
			if code := run([]string{"azdo", "projects", "--org-url", coll, "--pat", "server-pat"}, &out, &errb); code != 0 {
				t.Fatalf("cairn azdo projects: exit %d: %s", code, errb.String())
			}
			var projects []struct{ Name, URL string }
			if err := json.Unmarshal(out.Bytes(), &projects); err != nil || len(projects) == 0 || projects[0].Name != "Fabrikam Fiber" {
				t.Fatalf("projects %s: %v", out.String(), err)
			}
			if !strings.HasPrefix(projects[0].URL, coll+"/_apis/projects/") {
				t.Errorf("project url %q", projects[0].URL)
			}
			if want := "up to " + tc.latest + "; using " + tc.latest; !strings.Contains(errb.String(), want) {
				t.Errorf("stderr %q lacks %q", errb.String(), want)
			}
		})
	}
}

// TestEmulatorServerFlagRejectsUnknownRelease names the releases it knows.
func TestEmulatorServerFlagRejectsUnknownRelease(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"emulator", "--addr", "127.0.0.1:0", "--server", "2018"}, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `--server "2018": the releases are 2019, 2020, 2022`) {
		t.Errorf("stderr %q", errb.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q", out.String())
	}
}
