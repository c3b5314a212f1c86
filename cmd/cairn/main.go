// Command cairn is the Cairn OKR service: its server, its CLI and its Azure DevOps emulator.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	_ "time/tzdata" // time zones of organizations, also where the system has none
)

// command is one `cairn` subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"emulator":   {"run the Azure DevOps REST 7.1 emulator", runEmulator},
		"azdo":       {"talk to Azure DevOps (projects, queries, WIQL, items)", runAzdo},
		"version":    {"print the version", runVersion},
		"serve":      {"run the Cairn server", runServe},
		"migrate":    {"apply database migrations and exit", runMigrate},
		"token":      {"manage personal API tokens (token create)", runToken},
		"import":     {"import OKRs from Microsoft Viva Goals (import viva)", runImport},
		"bench":      {"measure Azure DevOps syncs against the emulator and check the call budget", runBench},
		"migrate-db": {"copy a SQLite database into PostgreSQL", runMigrateDB},
		"backup":     {"take a consistent copy of a live SQLite database", runBackup},
		"secrets":    {"rotate the keys that seal credentials (secrets status, rotate, new-key)", runSecrets},
		"remind":     {"send the check-in reminders due now (remind --now)", runRemind},
	}
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	_, err := fmt.Fprintf(stdout, "cairn %s\n", version)
	return err
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: cairn <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'cairn <command> -h' for the flags of a command.")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cairn: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, args[1:], stdout, stderr); err != nil {
		if err == errUsage {
			return 2
		}
		if err == errHelp {
			return 0
		}
		fmt.Fprintf(stderr, "cairn %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
