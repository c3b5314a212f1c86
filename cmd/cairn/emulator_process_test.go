package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
)

// TestEmulatorGenerateProcess starts `cairn emulator --generate …,process=cmmi` and reads
// the generated project's process, its requirements and their states' categories.
func TestEmulatorGenerateProcess(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run([]string{"emulator", "--addr", "127.0.0.1:0", "--generate", "epics=2,features=4,stories=12,tasks=10,bugs=2,seed=3,process=cmmi", "--pat", "fixed-pat"}, pw, io.Discard)
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	var base string
	for base == "" && sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Azure DevOps emulator listening on "); ok {
			base = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		t.Fatal("the emulator printed no address")
	}
	get := func(method, path, body string, out any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+"/fabrikam/Fabrikam%20Fiber/_apis/"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(":fixed-pat")))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(out); err != nil || res.StatusCode != 200 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, err)
		}
	}
	var states struct {
		Value []struct{ Name, Category string } `json:"value"`
	}
	get("GET", "wit/workitemtypes/Requirement/states?api-version=7.1", "", &states)
	var got []string
	for _, s := range states.Value {
		got = append(got, s.Name+"="+s.Category)
	}
	if want := "Proposed=Proposed Active=InProgress Resolved=Resolved Closed=Completed"; strings.Join(got, " ") != want {
		t.Errorf("Requirement states = %v, want %s", got, want)
	}
	var q struct {
		WorkItems []struct{ ID int } `json:"workItems"`
	}
	get("POST", "wit/wiql?api-version=7.1", `{"query":"SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Requirement'"}`, &q)
	if len(q.WorkItems) != 12 {
		t.Errorf("generated %d requirements, want 12", len(q.WorkItems))
	}
	_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
	if code := <-done; code != 0 {
		t.Fatalf("emulator exited %d", code)
	}
}

// TestEmulatorGenerateUnknownProcess refuses a process the emulator does not have, and
// names the ones it has.
func TestEmulatorGenerateUnknownProcess(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"emulator", "--addr", "127.0.0.1:0", "--generate", "epics=1,process=waterfall"}, io.Discard, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), `process="waterfall"`) || !strings.Contains(stderr.String(), "agile, scrum, basic, cmmi or custom") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestEmulatorGenerateEachProcess starts `cairn emulator --generate …,process=X` for each
// process the generator knows and checks, over HTTP, the project's process, that the
// process's requirement type exists and holds the generated stories, and that a type of
// another process does not exist.
func TestEmulatorGenerateEachProcess(t *testing.T) {
	for _, tc := range []struct {
		process, template, requirement, foreign string
		// stories is how many items of the requirement type the spec makes: Basic makes
		// its features, stories and bugs all Issues, and the custom process makes every
		// third story a Customer Request.
		stories int
	}{
		{"agile", "Agile", "User Story", "Product Backlog Item", 12},
		{"scrum", "Scrum", "Product Backlog Item", "User Story", 12},
		{"basic", "Basic", "Issue", "User Story", 4 + 12 + 2},
		{"cmmi", "CMMI", "Requirement", "User Story", 12},
		{"custom", "Fabrikam Agile", "Customer Request", "Product Backlog Item", 4},
	} {
		t.Run(tc.process, func(t *testing.T) {
			pr, pw := io.Pipe()
			done := make(chan int, 1)
			var errb bytes.Buffer
			go func() {
				code := run([]string{"emulator", "--addr", "127.0.0.1:0", "--generate", "epics=2,features=4,stories=12,tasks=6,bugs=2,seed=3,process=" + tc.process, "--pat", "process-pat"}, pw, &errb)
				pw.Close()
				done <- code
			}()
			sc := bufio.NewScanner(pr)
			var base, orgURL string
			for orgURL == "" && sc.Scan() {
				if v, ok := strings.CutPrefix(sc.Text(), "Azure DevOps emulator listening on "); ok {
					base = v
				}
				if v, ok := strings.CutPrefix(sc.Text(), "Organization URL: "); ok {
					orgURL = v
				}
			}
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			if base == "" || orgURL != base+"/fabrikam" {
				code := <-done
				t.Fatalf("the emulator printed base %q and organization URL %q (exit %d): %s", base, orgURL, code, errb.String())
			}
			defer func() {
				_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
				if code := <-done; code != 0 {
					t.Errorf("emulator exited %d: %s", code, errb.String())
				}
			}()
			call := func(method, path, body string, out any) int {
				t.Helper()
				req, _ := http.NewRequest(method, orgURL+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(":process-pat")))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				if res.StatusCode == http.StatusOK {
					if err := json.NewDecoder(res.Body).Decode(out); err != nil {
						t.Fatalf("%s %s: %v", method, path, err)
					}
				}
				return res.StatusCode
			}
			var project struct {
				Capabilities struct {
					ProcessTemplate struct{ TemplateName string } `json:"processTemplate"`
				} `json:"capabilities"`
			}
			if st := call("GET", "/_apis/projects/Fabrikam%20Fiber?includeCapabilities=true&api-version=7.1", "", &project); st != http.StatusOK {
				t.Fatalf("project: %d", st)
			}
			if got := project.Capabilities.ProcessTemplate.TemplateName; got != tc.template {
				t.Errorf("process %q, want %q", got, tc.template)
			}
			var typ struct{ Name string }
			if st := call("GET", "/Fabrikam%20Fiber/_apis/wit/workitemtypes/"+url.PathEscape(tc.requirement)+"?api-version=7.1", "", &typ); st != http.StatusOK || typ.Name != tc.requirement {
				t.Errorf("work item type %s: %d %q", tc.requirement, st, typ.Name)
			}
			if st := call("GET", "/Fabrikam%20Fiber/_apis/wit/workitemtypes/"+url.PathEscape(tc.foreign)+"?api-version=7.1", "", &typ); st != http.StatusNotFound {
				t.Errorf("work item type %s of another process: %d, want 404", tc.foreign, st)
			}
			var q struct {
				WorkItems []struct{ ID int } `json:"workItems"`
			}
			wiql := `{"query":"SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.WorkItemType] = '` + tc.requirement + `'"}`
			if st := call("POST", "/Fabrikam%20Fiber/_apis/wit/wiql?api-version=7.1", wiql, &q); st != http.StatusOK {
				t.Fatalf("wiql: %d", st)
			}
			if len(q.WorkItems) != tc.stories {
				t.Errorf("%d items of type %s, want %d", len(q.WorkItems), tc.requirement, tc.stories)
			}
		})
	}
}
