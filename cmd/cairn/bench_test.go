package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestBenchCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout bool
	}{
		{
			name: "TinyRunStaysWithinBudget",
			args: []string{"--latency", "0s", "--generate", "epics=1,features=3,stories=12,tasks=24,bugs=0,seed=2", "--change", "4", "--fleet", "3,2,20", "--workers", "2"},
			code: 0,
			stdout: []string{"Cairn sync benchmark on sqlite", "first sync", "re-sync", "after 4 changes", "fleet first (3×2×20)",
				"wit/workitemsbatch", "wit/reporting/workitemrevisions", "within budget", "peak heap"},
			stderr: []string{"first sync… 40 items", "no-change re-sync…", "sync after changing 4 items…", "fleet: first syncs of 3 connections"},
		},
		{name: "HelpExitsCleanly", args: []string{"-h"}, code: 0, stderr: []string{"Usage: cairn bench", "-latency", "-fleet"}, noStdout: true},
		{name: "BadFleetIsAUsageError", args: []string{"--fleet", "3,2"}, code: 1, stderr: []string{"--fleet \"3,2\": want connections,sources,items"}, noStdout: true},
		{name: "NegativeLatencyIsRefused", args: []string{"--latency", "-1s"}, code: 1, stderr: []string{"--latency -1s: must not be negative"}, noStdout: true},
		{name: "NegativeBudgetIsRefused", args: []string{"--budget", "-5"}, code: 1, stderr: []string{"--budget -5: must not be negative"}, noStdout: true},
		{name: "BudgetWithFleetIsRefused", args: []string{"--budget", "200", "--fleet", "3,2,20"}, code: 1, stderr: []string{"--budget and --fleet do not combine"}, noStdout: true},
		{name: "BadSpecIsRefused", args: []string{"--generate", "epics=lots"}, code: 1, stderr: []string{"--generate"}, noStdout: true},
		{name: "TooManyChangesAreRefused", args: []string{"--latency", "0s", "--generate", "epics=1,features=1,stories=2,tasks=2,bugs=0,seed=1", "--change", "99"},
			code: 1, stderr: []string{"--change 99: the generated data has 6 items"}, noStdout: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"bench"}, tc.args...), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if tc.noStdout && stdout.Len() > 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			if strings.Contains(stdout.String(), " NO ") || strings.Contains(stdout.String(), "NO\n") {
				t.Errorf("a phase is over its budget:\n%s", stdout.String())
			}
		})
	}
}

// TestBenchOtherProcesses runs the bench over data generated in processes other than
// Agile: the data sources measure by the process's requirement type (CMMI's Requirement;
// User Story in the inherited custom process, whose every third story is a Customer
// Request), and every phase, the fleet's included, stays within its call budget.
func TestBenchOtherProcesses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		process string
		// items is what the spec generates: CMMI adds a Risk, an Issue, a Change Request
		// and a Review under every epic.
		items int
	}{
		{"cmmi", 1 + 4 + 3 + 12 + 24 + 2},
		{"custom", 1 + 3 + 12 + 24 + 2},
	} {
		for _, dialect := range []string{"sqlite", "postgres"} {
			t.Run(tc.process+"/"+dialect, func(t *testing.T) {
				t.Parallel()
				testBenchProcess(t, tc.process, dialect, tc.items)
			})
		}
	}
}

// testBenchProcess runs the bench over the process's generated data on the dialect's
// database and checks its table; items is how many work items the spec generates.
func testBenchProcess(t *testing.T, process, dialect string, items int) {
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--latency", "0s", "--generate", "epics=1,features=3,stories=12,tasks=24,bugs=2,seed=2,process=" + process,
		"--change", "4", "--fleet", "2,2,20", "--workers", "2"}
	if dialect == "postgres" {
		args = append(args, "--database", postgresDatabase(t))
	}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{fmt.Sprintf("emulator: %d work items", items), fmt.Sprintf("first sync… %d items", items),
		"fleet: first syncs of 2 connections"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	out := stdout.String()
	for _, want := range []string{"first sync", "re-sync", "after 4 changes", "fleet first (2×2×20)", "fleet re-sync"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "within budget"):
			rows++
			if got := strings.Join(f[2:], " "); got != "yes yes yes yes yes" {
				t.Errorf("within budget: %s\n%s", got, out)
			}
		case strings.HasPrefix(strings.TrimSpace(line), "failed data sources"):
			rows++
			if got := strings.Join(f[3:], " "); got != "0 0 0 0 0" {
				t.Errorf("failed data sources: %s\n%s", got, out)
			}
		case strings.HasPrefix(strings.TrimSpace(line), "items fetched"):
			rows++
			if len(f) < 3 || f[2] != strconv.Itoa(items) {
				t.Errorf("the first sync fetched %v items, want %d\n%s", f[2:], items, out)
			}
		}
	}
	if rows != 3 {
		t.Errorf("the table lacks a within budget, failed data sources or items fetched row:\n%s", out)
	}
	if !strings.Contains(out, "Cairn sync benchmark on "+dialect) {
		t.Errorf("the bench did not run on %s:\n%s", dialect, out)
	}
}

func TestOverBudgetFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		phases []*benchPhase
		want   string
	}{
		{name: "WithinBudgetPasses", phases: []*benchPhase{{name: "first sync", count: 52, budget: callBudget(1, 10000)}}},
		{name: "OneCallOverFails", phases: []*benchPhase{{name: "first sync", count: 53, budget: callBudget(1, 10000)}}, want: "first sync made 53 calls, budget 52"},
		{name: "FailedSourcesFail", phases: []*benchPhase{{name: "re-sync", count: 2, budget: 2, failed: 1}}, want: "re-sync: 1 data sources failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := overBudget(tc.phases)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCallBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		sources, changed int
		want             int
	}{
		{"NoChangeIsTwoCalls", 1, 0, 2},
		{"ThousandItemsIsSevenCalls", 1, 1000, 7},
		{"TenThousandItemsIsFiftyTwoCalls", 1, 10000, 52},
		{"PartialBatchCountsWhole", 1, 201, 4},
		{"EachSourceQueriesOnce", 4, 2000, 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := callBudget(tc.sources, tc.changed); got != tc.want {
				t.Fatalf("callBudget(%d, %d) = %d, want %d", tc.sources, tc.changed, got, tc.want)
			}
		})
	}
}

// TestBenchUnderRateLimit runs the bench against an emulator with a budget far below what
// the syncs spend: Azure DevOps delays answers, and Cairn must wait rather than be refused.
func TestBenchUnderRateLimit(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--latency", "0s", "--generate", "epics=1,features=3,stories=12,tasks=24,bugs=0,seed=2", "--change", "4", "--budget", "40", "--budget-syncs", "2"}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	cells := func(label string) []string {
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), label) {
				return strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), label))
			}
		}
		t.Fatalf("no %q row:\n%s", label, out)
		return nil
	}
	if !strings.Contains(out, "rate limit 40 TSTU per identity per 5 minutes") {
		t.Errorf("the header does not name the budget:\n%s", out)
	}
	delayed := 0
	for _, c := range cells("delayed answers") {
		if c != "0" {
			delayed++
		}
	}
	if delayed == 0 {
		t.Errorf("no phase saw a delayed answer under a budget of 40:\n%s", out)
	}
	for _, c := range cells("refused (429)") {
		if c != "0" {
			t.Errorf("Cairn was refused with 429 instead of slowing down:\n%s", out)
			break
		}
	}
	if got := cells("budget left (TSTU)"); len(got) == 0 || !strings.Contains(strings.Join(got, " "), "of 40") {
		t.Errorf("the budget left is not shown: %v", got)
	}
}

// TestBenchWritesProfiles: --cpuprofile and --memprofile write profiles that pprof reads
// (gzip-compressed protocol buffers).
func TestBenchWritesProfiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	var stdout, stderr bytes.Buffer
	code := run([]string{"bench", "--latency", "0s", "--generate", "epics=1,features=3,stories=12,tasks=24,bugs=0,seed=2", "--change", "4",
		"--cpuprofile", cpu, "--memprofile", mem}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	for _, p := range []string{cpu, mem} {
		data, err := os.ReadFile(p)
		if err != nil || len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			t.Errorf("%s is not a profile: %v, %d bytes", p, err, len(data))
		}
		if !strings.Contains(stderr.String(), "profile to "+p) {
			t.Errorf("stderr does not say where the profile went:\n%s", stderr.String())
		}
	}
	stderr.Reset()
	if code := run([]string{"bench", "--cpuprofile", filepath.Join(dir, "no", "such", "dir", "cpu.pprof")}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "--cpuprofile") {
		t.Errorf("an unwritable profile: exit %d %s", code, stderr.String())
	}
}
