package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn/azdo"
)

// azdoSubcommand is one `cairn azdo` subcommand.
type azdoSubcommand struct {
	summary string
	usage   string // arguments after the subcommand name
	help    string
	run     func(ctx context.Context, s *azdoSession, args []string) error
	// flags adds the subcommand's own flags; nil when it has none.
	flags func(fs *flag.FlagSet, s *azdoSession)
}

// azdoSession holds the parsed flags and output of one invocation.
type azdoSession struct {
	orgURL, project, pat, vsspsURL string
	stdout, stderr                 io.Writer
	fs                             *flag.FlagSet

	// Subcommand flags.
	search, queryRef, ids, fields, expand, asOf, errorPolicy, output string
	depth, top                                                       int
	timePrecision, raw                                               bool

	// Saved-query writes.
	folder, name, wiqlText, moveTo      string
	isFolder, validateOnly, descendants bool
}

func azdoSubcommands() map[string]azdoSubcommand {
	return map[string]azdoSubcommand{
		"projects": {
			summary: "list the organization's projects",
			help:    "Prints every project of the organization as a JSON array, following continuation tokens.",
			run:     runAzdoProjects,
		},
		"queries": {
			summary: "list, search, create, update or delete saved queries",
			usage:   "[list|create|update|delete|undelete] [flags]",
			help: "list (the default) prints the project's query folders (My Queries, Shared Queries) with\n" +
				"children down to --depth as JSON, or with --search the saved queries whose name contains TEXT.\n\n" +
				"create saves a query (--name and --wiql) or a folder (--name and --is-folder) in --folder,\n" +
				"such as \"Shared Queries/Team\"; --validate-only checks the WIQL and saves nothing.\n" +
				"update changes the query --query (ID or path): --name renames it, --wiql replaces its\n" +
				"WIQL, --move-to moves it into another folder.\n" +
				"delete deletes --query, and a folder with everything in it; Azure DevOps keeps it, and\n" +
				"undelete --query ID [--descendants] brings it back.\n\n" +
				"Each write prints the query as Azure DevOps returns it; delete prints nothing.",
			flags: func(fs *flag.FlagSet, s *azdoSession) {
				fs.StringVar(&s.search, "search", "", "list: search saved queries by name instead of listing the tree")
				fs.IntVar(&s.depth, "depth", 1, "list: depth of the tree, 0 to 2")
				fs.StringVar(&s.expand, "expand", "", "list: detail per query: none, wiql, clauses, all or minimal")
				fs.IntVar(&s.top, "top", 0, "list: with --search, the most queries to return (0: server default)")
				fs.StringVar(&s.folder, "folder", "Shared Queries", "create: the folder to save in, by ID or path")
				fs.StringVar(&s.name, "name", "", "create, update: the query's or folder's name")
				fs.StringVar(&s.wiqlText, "wiql", "", "create, update: the query's WIQL")
				fs.BoolVar(&s.isFolder, "is-folder", false, "create: make a folder instead of a query")
				fs.BoolVar(&s.validateOnly, "validate-only", false, "create: check the WIQL, save nothing")
				fs.StringVar(&s.queryRef, "query", "", "update, delete, undelete: the query's or folder's ID or path")
				fs.StringVar(&s.moveTo, "move-to", "", "update: move the query into this folder (ID or path)")
				fs.BoolVar(&s.descendants, "descendants", false, "undelete: restore a folder's contents too")
			},
			run: runAzdoQueries,
		},
		"run-query": {
			summary: "run a saved query by ID or path and list its work items",
			usage:   "--query ID|PATH [--top N] [--output table|json] [--raw]",
			help: "Runs a saved query. A path such as \"Shared Queries/Team/Open Bugs\" needs --project.\n\n" +
				resultHelp,
			flags: func(fs *flag.FlagSet, s *azdoSession) {
				fs.StringVar(&s.queryRef, "query", "", "the saved query's GUID or path (required)")
				fs.IntVar(&s.top, "top", 0, "the most rows to return (0: server default)")
				resultFlags(fs, s)
			},
			run: runAzdoRunQuery,
		},
		"wiql": {
			summary: "run a WIQL query and list its work items",
			usage:   "\"SELECT … FROM WorkItems …\" [--top N] [--time-precision] [--output table|json] [--raw]",
			help:    "Runs the WIQL text given as the argument.\n\n" + resultHelp,
			flags: func(fs *flag.FlagSet, s *azdoSession) {
				fs.IntVar(&s.top, "top", 0, "the most rows to return (0: server default)")
				fs.BoolVar(&s.timePrecision, "time-precision", false, "compare dates with their time of day")
				resultFlags(fs, s)
			},
			run: runAzdoWIQL,
		},
		"items": {
			summary: "fetch work items by ID",
			usage:   "--ids 1,2,3 [--fields f1,f2] [--expand relations] [--as-of TIME] [--error-policy fail|omit]",
			help: "Fetches work items in batches of 200 and prints them as one JSON array of\n" +
				"{\"id\",\"rev\",\"fields\",…} objects as Azure DevOps returns them.",
			flags: func(fs *flag.FlagSet, s *azdoSession) {
				fs.StringVar(&s.ids, "ids", "", "comma-separated work item IDs (required)")
				fs.StringVar(&s.fields, "fields", "", "comma-separated field reference names (default: all)")
				fs.StringVar(&s.expand, "expand", "", "none, relations, fields, links or all (not with --fields, except links)")
				fs.StringVar(&s.asOf, "as-of", "", "read the items as of this RFC 3339 time")
				fs.StringVar(&s.errorPolicy, "error-policy", "", "fail (default) or omit missing items")
			},
			run: runAzdoItems,
		},
		"types": {
			summary: "list the work item types with their states' categories and numeric fields",
			usage:   "[--type NAME]",
			help: "Prints each work item type of the project (or only --type) as JSON: its states with\n" +
				"their categories (Proposed, InProgress, Resolved, Completed, Removed), which decide\n" +
				"completion in Cairn, and its numeric fields, which a data source can sum.",
			flags: func(fs *flag.FlagSet, s *azdoSession) {
				fs.StringVar(&s.search, "type", "", "only this work item type")
			},
			run: runAzdoTypes,
		},
		"profile": {
			summary: "show the signed-in user and their organizations",
			help: "Prints the caller's profile and organizations from the profile service (--vssps-url).\n" +
				"Needs credentials valid outside one organization, such as an Entra token or a\n" +
				"PAT for all accessible organizations.",
			run: runAzdoProfile,
		},
	}
}

func azdoUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: cairn azdo <subcommand> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Talks to Azure DevOps (REST 7.1) and prints JSON to stdout; run-query and wiql")
	fmt.Fprintln(w, "print the query's work items as a table unless given --output json or --raw.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Subcommands:")
	subs := azdoSubcommands()
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, subs[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Common flags:")
	fmt.Fprintln(w, "  --org-url URL     organization or collection URL (env AZURE_DEVOPS_ORG_URL)")
	fmt.Fprintln(w, "  --project NAME    project name or ID (env AZURE_DEVOPS_PROJECT)")
	fmt.Fprintln(w, "  --pat TOKEN       personal access token (env AZURE_DEVOPS_PAT)")
	fmt.Fprintln(w, "  --vssps-url URL   profile service for 'profile' (default "+azdo.DefaultVSSPSURL+")")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'cairn azdo <subcommand> -h' for its flags.")
}

// runAzdo runs `cairn azdo`.
func runAzdo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		azdoUsage(stderr)
		return errUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		azdoUsage(stdout)
		return nil
	}
	sub, ok := azdoSubcommands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cairn azdo: unknown subcommand %q\n\n", args[0])
		azdoUsage(stderr)
		return errUsage
	}
	s := &azdoSession{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("cairn azdo "+args[0], flag.ContinueOnError)
	s.fs = fs
	fs.StringVar(&s.orgURL, "org-url", os.Getenv("AZURE_DEVOPS_ORG_URL"), "organization or collection URL, such as https://dev.azure.com/fabrikam (env AZURE_DEVOPS_ORG_URL)")
	fs.StringVar(&s.project, "project", os.Getenv("AZURE_DEVOPS_PROJECT"), "project name or ID (env AZURE_DEVOPS_PROJECT)")
	fs.StringVar(&s.pat, "pat", "", "personal access token (default: env AZURE_DEVOPS_PAT)")
	fs.StringVar(&s.vsspsURL, "vssps-url", "", "profile service URL (default "+azdo.DefaultVSSPSURL+")")
	if sub.flags != nil {
		sub.flags(fs, s)
	}
	name := args[0]
	fs.Usage = func() {
		w := fs.Output()
		line := "cairn azdo " + name + " [flags]"
		if sub.usage != "" {
			line = "cairn azdo " + name + " " + sub.usage + " [flags]"
		}
		fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", line, sub.help)
		fs.PrintDefaults()
	}
	for _, a := range args[1:] {
		if a == "--" {
			break
		}
		switch a {
		case "-h", "-help", "--help":
			fs.SetOutput(stdout)
			fs.Usage()
			return nil
		}
	}
	fs.SetOutput(stderr)
	positional, err := azdoParseInterspersed(fs, args[1:])
	if err != nil {
		return errUsage // the flag package already printed the problem and the usage
	}
	if s.pat == "" {
		s.pat = os.Getenv("AZURE_DEVOPS_PAT")
	}
	return sub.run(ctx, s, positional)
}

// azdoParseInterspersed parses flags that may follow positional arguments,
// as in `cairn azdo wiql "SELECT …" --project P`.
func azdoParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil // everything after -- is positional
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError prints a problem and the subcommand's usage, and returns
// errUsage.
func (s *azdoSession) usageError(format string, a ...any) error {
	fmt.Fprintf(s.stderr, format+"\n\n", a...)
	s.fs.SetOutput(s.stderr)
	s.fs.Usage()
	return errUsage
}

// noArgs rejects positional arguments.
func (s *azdoSession) noArgs(args []string) error {
	if len(args) > 0 {
		return s.usageError("unexpected argument %q", args[0])
	}
	return nil
}

// client builds the Azure DevOps client from the common flags.
func (s *azdoSession) client() (*azdo.Client, error) {
	if strings.TrimSpace(s.orgURL) == "" {
		return nil, s.usageError("missing --org-url (or AZURE_DEVOPS_ORG_URL), such as https://dev.azure.com/fabrikam")
	}
	if s.pat == "" {
		return nil, s.usageError("missing --pat (or AZURE_DEVOPS_PAT): a personal access token with Work Items (Read) scope")
	}
	c, err := azdo.New(azdo.Config{
		OrgURL:    s.orgURL,
		VSSPSURL:  s.vsspsURL,
		Auth:      azdo.PAT(s.pat),
		UserAgent: "cairn/" + version,
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// noteVersions tells, on stderr, which REST API version the client
// negotiated with a server that does not know APIVersion.
func (s *azdoSession) noteVersions(c *azdo.Client) {
	if v, ok := c.APIVersions(); ok && v.Negotiated != azdo.APIVersion {
		fmt.Fprintf(s.stderr, "cairn azdo: the server knows REST API versions up to %s; using %s\n", v.Server, v.Negotiated)
	}
}

func (s *azdoSession) needProject() error {
	if strings.TrimSpace(s.project) == "" {
		return s.usageError("missing --project (or AZURE_DEVOPS_PROJECT)")
	}
	return nil
}

func (s *azdoSession) print(v any) error {
	enc := json.NewEncoder(s.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runAzdoProjects(ctx context.Context, s *azdoSession, args []string) error {
	if err := s.noArgs(args); err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	ps, err := c.AllProjects(ctx)
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []azdo.Project{}
	}
	s.noteVersions(c)
	return s.print(ps)
}

func runAzdoQueries(ctx context.Context, s *azdoSession, args []string) error {
	action := "list"
	if len(args) > 0 {
		action, args = args[0], args[1:]
	}
	if err := s.noArgs(args); err != nil {
		return err
	}
	switch action {
	case "list":
	case "create", "update", "delete", "undelete":
		return runAzdoQueryWrite(ctx, s, action)
	default:
		return s.usageError("unknown queries action %q: use list, create, update, delete or undelete", action)
	}
	if s.depth < 0 || s.depth > 2 {
		return s.usageError("--depth %d is out of range: use 0, 1 or 2", s.depth)
	}
	if err := s.needProject(); err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	var qs []azdo.QueryItem
	if s.search != "" {
		qs, err = c.SearchQueries(ctx, s.project, s.search, s.top)
	} else {
		qs, err = c.Queries(ctx, s.project, s.depth, s.expand)
	}
	if err != nil {
		return err
	}
	if qs == nil {
		qs = []azdo.QueryItem{}
	}
	return s.print(qs)
}

// runAzdoQueryWrite runs `cairn azdo queries create|update|delete|undelete`.
func runAzdoQueryWrite(ctx context.Context, s *azdoSession, action string) error {
	if err := s.needProject(); err != nil {
		return err
	}
	ref := strings.TrimSpace(s.queryRef)
	switch action {
	case "create":
		if strings.TrimSpace(s.name) == "" {
			return s.usageError("queries create: missing --name")
		}
		if s.isFolder == (strings.TrimSpace(s.wiqlText) != "") {
			return s.usageError("queries create: give --wiql for a query, or --is-folder for a folder")
		}
	case "update":
		if ref == "" {
			return s.usageError("queries update: missing --query ID|PATH")
		}
		if s.name == "" && s.wiqlText == "" && s.moveTo == "" {
			return s.usageError("queries update: nothing to change: give --name, --wiql or --move-to")
		}
	case "delete", "undelete":
		if ref == "" {
			return s.usageError("queries %s: missing --query ID|PATH", action)
		}
		if action == "undelete" && !azdoGUID.MatchString(ref) {
			return s.usageError("queries undelete: --query must be the deleted query's ID: a deleted query has no path")
		}
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	switch action {
	case "create":
		item, err := c.CreateQuery(ctx, s.project, s.folder, azdo.NewQuery{Name: s.name, Wiql: s.wiqlText, IsFolder: s.isFolder}, s.validateOnly)
		if err != nil {
			return err
		}
		return s.print(item)
	case "update":
		var item azdo.QueryItem
		var ch azdo.QueryChange
		if s.name != "" {
			ch.Name = &s.name
		}
		if s.wiqlText != "" {
			ch.Wiql = &s.wiqlText
		}
		if ch.Name != nil || ch.Wiql != nil {
			if item, err = c.UpdateQuery(ctx, s.project, ref, ch); err != nil {
				return err
			}
			ref = item.ID
		}
		if s.moveTo != "" {
			if !azdoGUID.MatchString(ref) {
				found, err := c.Query(ctx, s.project, ref, "")
				if err != nil {
					return err
				}
				ref = found.ID
			}
			if item, err = c.MoveQuery(ctx, s.project, ref, s.moveTo); err != nil {
				return err
			}
		}
		return s.print(item)
	case "delete":
		return c.DeleteQuery(ctx, s.project, ref)
	default:
		item, err := c.UndeleteQuery(ctx, s.project, ref, s.descendants)
		if err != nil {
			return err
		}
		return s.print(item)
	}
}

var azdoGUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func runAzdoRunQuery(ctx context.Context, s *azdoSession, args []string) error {
	if len(args) == 1 && s.queryRef == "" {
		s.queryRef = args[0]
	} else if err := s.noArgs(args); err != nil {
		return err
	}
	ref := strings.TrimSpace(s.queryRef)
	if ref == "" {
		return s.usageError("missing --query: a saved query's GUID or path")
	}
	if !azdoGUID.MatchString(ref) {
		if err := s.needProject(); err != nil {
			return err
		}
	}
	format, err := s.resultFormat()
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	id := ref
	if !azdoGUID.MatchString(ref) {
		q, err := c.Query(ctx, s.project, ref, "")
		if err != nil {
			return err
		}
		if q.IsFolder {
			return fmt.Errorf("%q is a query folder, not a query", ref)
		}
		id = q.ID
	}
	r, err := c.RunSavedQuery(ctx, s.project, id, s.top)
	if err != nil {
		return err
	}
	return s.printResult(ctx, c, r, format)
}

func runAzdoWIQL(ctx context.Context, s *azdoSession, args []string) error {
	if len(args) == 0 {
		return s.usageError("missing the WIQL text, such as \"SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project\"")
	}
	if len(args) > 1 {
		return s.usageError("expected one WIQL argument, got %d (quote the query)", len(args))
	}
	if strings.TrimSpace(args[0]) == "" {
		return s.usageError("the WIQL text is empty")
	}
	format, err := s.resultFormat()
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	r, err := c.WIQL(ctx, s.project, args[0], azdo.WIQLOptions{Top: s.top, TimePrecision: s.timePrecision})
	if err != nil {
		return err
	}
	return s.printResult(ctx, c, r, format)
}

func runAzdoItems(ctx context.Context, s *azdoSession, args []string) error {
	if err := s.noArgs(args); err != nil {
		return err
	}
	if strings.TrimSpace(s.ids) == "" {
		return s.usageError("missing --ids: comma-separated work item IDs, such as --ids 1,2,3")
	}
	ids, err := azdoParseIDs(s.ids)
	if err != nil {
		return s.usageError("--ids: %v", err)
	}
	opts := azdo.WorkItemsOptions{Expand: s.expand, ErrorPolicy: s.errorPolicy}
	for _, f := range strings.Split(s.fields, ",") {
		if f = strings.TrimSpace(f); f != "" {
			opts.Fields = append(opts.Fields, f)
		}
	}
	if s.asOf != "" {
		t, err := time.Parse(time.RFC3339Nano, s.asOf)
		if err != nil {
			return s.usageError("--as-of %q is not an RFC 3339 time such as 2026-01-31T12:00:00Z", s.asOf)
		}
		opts.AsOf = t
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	items, err := c.WorkItems(ctx, s.project, ids, opts)
	if err != nil {
		return err
	}
	if items == nil {
		items = []azdo.WorkItem{}
	}
	return s.print(items)
}

// azdoParseIDs reads "1,2, 3".
func azdoParseIDs(s string) ([]int, error) {
	var ids []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive work item ID", part)
		}
		ids = append(ids, n)
	}
	if len(ids) == 0 {
		return nil, errors.New("no IDs given")
	}
	return ids, nil
}

func runAzdoProfile(ctx context.Context, s *azdoSession, args []string) error {
	if err := s.noArgs(args); err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	p, err := c.Profile(ctx)
	if err != nil {
		return err
	}
	accounts, err := c.Accounts(ctx, p.ID)
	if err != nil {
		return err
	}
	if accounts == nil {
		accounts = []azdo.Account{}
	}
	return s.print(struct {
		Profile  azdo.Profile   `json:"profile"`
		Accounts []azdo.Account `json:"accounts"`
	}{p, accounts})
}
