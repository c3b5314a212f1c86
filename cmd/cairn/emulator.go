package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cairn-okr/cairn/azdoemu"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	*l = append(*l, v)
	return nil
}

const emulatorHelp = `Usage: cairn emulator [flags]

Runs an in-memory Azure DevOps Services REST 7.1 emulator. Organizations and
projects are served under http://ADDR/{org}/... (projects by name or id), the
profile and accounts APIs under http://ADDR/_vssps/_apis/..., counters at
GET /_emulator/stats and POST /_emulator/reset.

Authenticate with Basic auth: any user name, an accepted PAT as password.
Without --scenario or --generate, the built-in "Fabrikam Fiber" demo is
loaded (organization fabrikam, project "Fabrikam Fiber").

With --server 2019, 2020 or 2022 it plays that Azure DevOps Server release
instead: the first organization is served as the collection
http://ADDR/tfs/DefaultCollection, api-versions newer than the release knows
(5.0, 6.0 and 7.0) are refused with 400 VssVersionOutOfRangeException,
OPTIONS .../_apis lists the resource locations with their versions, and the
profile and accounts services, which Server lacks, are absent.

Flags:
`

// runEmulator runs `cairn emulator` until ctx is cancelled.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	scenario := fs.String("scenario", "", "load a scenario `file` (YAML or JSON)")
	generate := fs.String("generate", "", "generate data from a `spec` such as epics=20,features=200,stories=2000,tasks=8000,bugs=500,seed=1,process=cmmi\n(process is agile, scrum, basic, cmmi or custom, an inherited process with custom types and states; agile by default)")
	latency := fs.Duration("latency", 0, "latency added to every API call, e.g. 40ms")
	faults := fs.String("faults", "", "fault `spec`, e.g. '*:5xx@10%,wit/wiql:429=2s@5%'")
	budget := fs.Float64("budget", 0, "rate limit in TSTU per 5 minutes per identity (0 = unlimited; Azure DevOps uses 200)")
	seed := fs.Int64("seed", 1, "seed for injected faults")
	queryLimit := fs.Int("query-limit", 0, "rows a query may return before it fails with VS402337 (0 = Azure DevOps' 20,000)")
	server := fs.String("server", "", "play Azure DevOps Server `release` 2019, 2020 or 2022 instead of Services")
	var pats, bearers stringList
	fs.Var(&pats, "pat", "accept this personal access `token` (repeatable; random when none)")
	fs.Var(&bearers, "bearer", "accept this bearer `token` (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), emulatorHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return errHelp
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cairn emulator: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *queryLimit < 0 {
		fmt.Fprintf(stderr, "cairn emulator: --query-limit %d: must not be negative\n", *queryLimit)
		return errUsage
	}
	if *server != "" && !slices.Contains(azdoemu.ServerReleases(), *server) {
		fmt.Fprintf(stderr, "cairn emulator: --server %q: the releases are %s\n", *server, strings.Join(azdoemu.ServerReleases(), ", "))
		return errUsage
	}
	opts := azdoemu.Options{PATs: pats, BearerTokens: bearers, Latency: *latency, Faults: *faults,
		Budget: *budget, Generate: *generate, Seed: *seed, Server: *server}
	switch {
	case *scenario != "":
		sc, err := azdoemu.LoadScenario(*scenario)
		if err != nil {
			return err
		}
		opts.Scenario = sc
	case *generate == "":
		opts.Scenario = azdoemu.DemoScenario()
	}
	srv, err := azdoemu.New(opts)
	if err != nil {
		return err
	}
	srv.SetQueryLimit(*queryLimit)
	base, err := srv.Start(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Azure DevOps emulator listening on %s\n", base)
	if *server != "" {
		fmt.Fprintf(stdout, "Azure DevOps Server %s (REST API up to %s)\n", *server, srv.ServerAPIVersion())
		fmt.Fprintf(stdout, "Collection URL: %s\n", srv.OrgURL())
	} else {
		fmt.Fprintf(stdout, "Organization URL: %s\n", srv.OrgURL())
	}
	for _, p := range srv.PATs() {
		fmt.Fprintf(stdout, "PAT: %s\n", p)
	}
	for _, b := range bearers {
		fmt.Fprintf(stdout, "Bearer token: %s\n", b)
	}
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
