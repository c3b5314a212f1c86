package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBenchFleet runs `cairn bench fleet` on a tiny fleet with real replicas (this test
// binary as `cairn serve`, see TestMain): both passes are measured within the call
// budget, with a CPU column per replica and the database's size.
func TestBenchFleet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		replicas int
		postgres bool
	}{
		{"SQLiteOneReplica", 1, false},
		{"SQLiteTwoReplicas", 2, false},
		{"PostgresTwoReplicas", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"bench", "fleet", "--fleet", "4,2,20", "--latency", "0s", "--replicas", strconv.Itoa(tc.replicas), "--timeout", "3m"}
			if tc.postgres {
				url := os.Getenv("CAIRN_TEST_POSTGRES_URL")
				if url == "" {
					if os.Getenv("CI") == "true" {
						t.Fatal("CAIRN_TEST_POSTGRES_URL is not set; CI must run on PostgreSQL")
					}
					t.Skip("CAIRN_TEST_POSTGRES_URL is not set; skipping PostgreSQL")
				}
				args = append(args, "--database", url)
			}
			if tc.replicas == 1 {
				args = append(args, "--pprof")
			}
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
			if n := strings.Count(stderr.String(), "/debug/pprof/profile"); tc.replicas == 1 && n != 1 {
				t.Errorf("--pprof printed %d debug listeners, want 1:\n%s", n, stderr.String())
			}
			out := stdout.String()
			cells := func(label string) []string {
				for _, line := range strings.Split(out, "\n") {
					if l := strings.TrimSpace(line); strings.HasPrefix(l, label+" ") {
						return strings.Fields(strings.TrimPrefix(l, label))
					}
				}
				t.Fatalf("no %q row:\n%s", label, out)
				return nil
			}
			if !strings.Contains(out, "first pass  hourly pass\n") {
				t.Errorf("the table does not show both passes:\n%s", out)
			}
			calls, budget := cells("API calls"), cells("budget")
			// Per connection: 2 membership queries, 1 changed-since call, and 1 batch for
			// the first pass's 40 items; the hourly pass fetches nothing.
			if want := []string{"16", "12"}; strings.Join(budget, ",") != strings.Join(want, ",") {
				t.Errorf("budget = %v, want %v", budget, want)
			}
			for i := range calls {
				c, _ := strconv.Atoi(calls[i])
				b, _ := strconv.Atoi(budget[i])
				if c == 0 || c > b {
					t.Errorf("pass %d made %d calls, budget %d:\n%s", i+1, c, b, out)
				}
			}
			if got := cells("wit/workitemsbatch"); got[1] != "0" {
				t.Errorf("the hourly pass fetched unchanged items: %v", got)
			}
			if got := cells("connections synced"); strings.Join(got, ",") != "4,4" {
				t.Errorf("connections synced = %v, want 4,4", got)
			}
			if got := cells("failed data sources"); strings.Join(got, ",") != "0,0" {
				t.Errorf("failed data sources = %v", got)
			}
			for i := 1; i <= tc.replicas; i++ {
				if got := cells(fmt.Sprintf("CPU replica %d", i)); len(got) != 4 || got[1] != "s" {
					t.Errorf("CPU replica %d = %v", i, got)
				}
			}
			if strings.Contains(out, fmt.Sprintf("CPU replica %d", tc.replicas+1)) {
				t.Errorf("more CPU columns than replicas:\n%s", out)
			}
			for _, c := range cells("database size") {
				if c == "MiB" {
					continue
				}
				if v, err := strconv.ParseFloat(c, 64); err != nil || v <= 0 {
					t.Errorf("database size %q is not a positive size:\n%s", c, out)
				}
			}
			for _, d := range cells("wall time") {
				if v, err := time.ParseDuration(d); err != nil || v <= 0 {
					t.Errorf("wall time %q", d)
				}
			}
			if !strings.Contains(stderr.String(), "hourly pass: 4/4 connections synced") {
				t.Errorf("no progress on stderr:\n%s", stderr.String())
			}
		})
	}
}

func TestBenchFleetRefusesBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--replicas", "0"}, "--replicas 0: want 1 to 32"},
		{[]string{"--fleet", "4,2"}, "want connections,sources,items"},
		{[]string{"--database", "mysql://x"}, "want a postgres:// URL"},
		{[]string{"--workers", "0"}, "--workers 0: must be at least 1"},
		{[]string{"-h"}, "Usage: cairn bench fleet"},
	} {
		var stdout, stderr bytes.Buffer
		run(append([]string{"bench", "fleet"}, tc.args...), &stdout, &stderr)
		if !strings.Contains(stderr.String(), tc.want) || stdout.Len() > 0 {
			t.Errorf("%v: stderr %q, stdout %q; want %q", tc.args, stderr.String(), stdout.String(), tc.want)
		}
	}
}
