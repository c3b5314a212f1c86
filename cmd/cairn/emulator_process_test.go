package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
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
