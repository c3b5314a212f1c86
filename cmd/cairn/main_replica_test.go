package main

import (
	"os"
	"testing"
)

// TestMain lets `cairn bench fleet`, run by a test, start this test binary as its
// replicas: with CAIRN_BENCH_REPLICA=1 it runs the cairn command of its arguments.
func TestMain(m *testing.M) {
	if os.Getenv("CAIRN_BENCH_REPLICA") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
