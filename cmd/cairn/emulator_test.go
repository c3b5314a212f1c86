package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// TestEmulatorCommand starts `cairn emulator` with generated data and a fixed PAT, and
// reads the generated items through its REST API.
func TestEmulatorCommand(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run([]string{"emulator", "--addr", "127.0.0.1:0", "--generate", "epics=2,features=4,stories=10,tasks=20,seed=7", "--pat", "fixed-pat", "--query-limit", "30"}, pw, io.Discard)
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	var base, pat string
	for (base == "" || pat == "") && sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "Azure DevOps emulator listening on "); ok {
			base = v
		}
		if v, ok := strings.CutPrefix(line, "PAT: "); ok {
			pat = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" || pat != "fixed-pat" {
		t.Fatalf("emulator printed base %q and PAT %q", base, pat)
	}
	req, _ := http.NewRequest("POST", base+"/fabrikam/Fabrikam%20Fiber/_apis/wit/wiql?api-version=7.1", strings.NewReader(`{"query":"SELECT [System.Id] FROM WorkItems WHERE [System.WorkItemType] = 'Epic'"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(":fixed-pat")))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		WorkItems []struct{ ID int } `json:"workItems"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
		t.Fatalf("wiql: %d %v", res.StatusCode, err)
	}
	if len(out.WorkItems) != 2 {
		t.Fatalf("generated %d epics, want 2", len(out.WorkItems))
	}
	// 36 items are more than --query-limit 30 allows.
	req, _ = http.NewRequest("POST", base+"/fabrikam/Fabrikam%20Fiber/_apis/wit/wiql?api-version=7.1", strings.NewReader(`{"query":"SELECT [System.Id] FROM WorkItems"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(":fixed-pat")))
	big, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(big.Body)
	big.Body.Close()
	if big.StatusCode != 400 || !strings.Contains(string(body), "VS402337: The number of work items returned exceeds the size limit of 30.") {
		t.Errorf("a query over --query-limit: %d %s", big.StatusCode, body)
	}
	_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
	if code := <-done; code != 0 {
		t.Fatalf("emulator exited %d", code)
	}
}

func TestEmulatorRefusesNegativeQueryLimit(t *testing.T) {
	var stderr strings.Builder
	if code := run([]string{"emulator", "--query-limit", "-1"}, io.Discard, &stderr); code == 0 || !strings.Contains(stderr.String(), "--query-limit -1: must not be negative") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
