package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

const importHelp = `Imports OKRs from another tool.

  cairn import viva [flags] PATH   imports a Microsoft Viva Goals export

Run 'cairn import viva -h' for its flags.`

const importVivaHelp = `Imports a Microsoft Viva Goals export into an organization: periods, teams, people,
objectives, key results, deliverables (as initiatives), alignments with their weights,
every check-in, scores and comments.

PATH is the Explorer export saved as CSV or XLSX, or the JSON data export as a folder or
.zip bundle. The whole import is one transaction: a file Cairn cannot read, or any failure,
writes nothing, and the problems are listed with their row and column.

Importing the same export again changes nothing; importing a newer one updates what changed
and adds what is new, and lists each item, check-in, comment and team it updated, with the
fields that changed (title, target, status, check-ins, …), and each record it added: the
first --changes of them, all of them with --json. People who have no Cairn account become
unclaimed members, which an admin claims for real accounts. Items whose progress Azure
DevOps or another integration drove are put on the organization's re-bind checklist.

--dry-run reads the organization and prints what the import would do, writing nothing.`

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, "Usage: cairn import viva [flags] PATH")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, importHelp)
		if len(args) == 0 {
			return errUsage
		}
		return errHelp
	}
	if args[0] != "viva" {
		fmt.Fprintf(stderr, "unknown import source %q; try: cairn import viva PATH\n", args[0])
		return errUsage
	}
	return runImportViva(ctx, args[1:], stdout, stderr)
}

func runImportViva(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import viva", "cairn import viva [--org SLUG] [--dry-run] [--json] [--changes N] [--database DSN] PATH", importVivaHelp, stderr)
	org := fs.String("org", "", "the organization's slug; may be left out when there is only one")
	dryRun := fs.Bool("dry-run", false, "print what the import would do and write nothing")
	database := fs.String("database", env("CAIRN_DATABASE_URL", "cairn.db"), "SQLite file or postgres:// URL (CAIRN_DATABASE_URL)")
	dayFirst := fs.Bool("day-first", false, "read slashed dates as day/month/year (10/03/2025 is 10 March)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	maxProblems := fs.Int("problems", 100, "the most problems to list; 0 lists them all")
	maxChanges := fs.Int("changes", 50, "the most changes since the last import to list; 0 lists them all")
	path, err := parseImportArgs(fs, args)
	if err != nil {
		return err
	}

	db, err := sqldb.Open(ctx, *database, sqldb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := importOrg(ctx, db, *org)
	if err != nil {
		return err
	}

	prog := newProgress(stderr)
	opts := vivaimport.Options{DryRun: *dryRun, Progress: prog.report, Read: viva.Options{DayFirst: *dayFirst}}
	exp, err := vivaimport.ReadFile(path, opts)
	prog.finish()
	var pe *viva.ParseError
	if errors.As(err, &pe) {
		fmt.Fprintf(stderr, "%s is not a Viva Goals export Cairn can read; nothing was imported:\n", path)
		for _, p := range pe.Problems {
			fmt.Fprintf(stderr, "  %s\n", p.Error())
		}
		if pe.Truncated {
			fmt.Fprintln(stderr, "  … and more")
		}
		return fmt.Errorf("%d problems in %s", len(pe.Problems), path)
	}
	if err != nil {
		return err
	}
	sum, err := vivaimport.Import(ctx, db, o, exp, opts)
	prog.finish()
	if err != nil {
		return fmt.Errorf("nothing was imported: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	return sum.WriteText(stdout, *maxProblems, *maxChanges)
}

// parseImportArgs parses the flags, which may come before or after PATH, and returns PATH.
func parseImportArgs(fs *flag.FlagSet, args []string) (string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return "", errHelp
			}
			return "", errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(paths) {
	case 0:
		fmt.Fprintln(fs.Output(), "PATH is required: the export's file, folder or .zip")
	case 1:
		return paths[0], nil
	default:
		fmt.Fprintf(fs.Output(), "one PATH only, not %q\n", paths)
	}
	fs.Usage()
	return "", errUsage
}

// importOrg returns the organization of the slug, or the only one when no slug is given.
func importOrg(ctx context.Context, db *sqldb.DB, slug string) (*cairn.Org, error) {
	if slug = strings.ToLower(strings.TrimSpace(slug)); slug != "" {
		o, err := db.OrgBySlug(ctx, slug)
		if cairn.ErrorCode(err) == cairn.ENOTFOUND {
			return nil, fmt.Errorf("no organization %q", slug)
		}
		return o, err
	}
	orgs, err := db.ListOrgs(ctx, 0)
	if err != nil {
		return nil, err
	}
	switch len(orgs) {
	case 0:
		return nil, errors.New("there is no organization yet: create one first (cairn serve, then the web page)")
	case 1:
		return orgs[0], nil
	}
	slugs := make([]string, len(orgs))
	for i, o := range orgs {
		slugs[i] = o.Slug
	}
	return nil, fmt.Errorf("choose the organization with --org: %s", strings.Join(slugs, ", "))
}

// progress reports an import's progress: one line rewritten in place on a terminal, and
// otherwise a plain line at every tenth of the way.
type progress struct {
	w        io.Writer
	terminal bool
	phase    string
	shown    int       // the last tenth shown, in plain mode
	last     time.Time // the last redraw, on a terminal
	open     bool      // a terminal line waits for its end
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, shown: -1}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

var phaseWords = map[string]string{vivaimport.PhaseRead: "rows read", vivaimport.PhaseWrite: "items written"}

func (p *progress) report(pr vivaimport.Progress) {
	if pr.Phase != p.phase {
		p.finish()
		p.phase, p.shown = pr.Phase, -1
	}
	if pr.Total <= 0 {
		return
	}
	line := fmt.Sprintf("%s: %d of %d", phaseWords[pr.Phase], pr.Done, pr.Total)
	if p.terminal {
		if pr.Done < pr.Total && time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.open = true
		return
	}
	tenth := pr.Done * 10 / pr.Total
	if pr.Done == 0 || tenth == p.shown {
		return
	}
	p.shown = tenth
	fmt.Fprintln(p.w, line)
}

// finish ends a terminal's progress line.
func (p *progress) finish() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}
