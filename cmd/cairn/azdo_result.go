package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/cairn-okr/cairn/azdo"
)

// Formats of `--output` for the commands that run a query.
const (
	outputTable = "table"
	outputJSON  = "json"
)

// resultFields are the fields a query's work items are fetched with: what
// the table and the JSON rows show.
var resultFields = []string{"System.Id", "System.WorkItemType", "System.State", "System.Title", "System.AssignedTo"}

// titleCells bounds the TITLE column so that one long title does not push
// the ASSIGNED TO column off every row's screen.
const titleCells = 60

// resultHelp explains the output of run-query and wiql; the JSON field names
// it lists are a promise to scripts.
const resultHelp = "Prints the work items the query returns, in the result's order: for tree and one-hop\n" +
	"(link) queries each distinct source and target item once. With --output table (the default)\n" +
	"it prints ID, TYPE, STATE, TITLE and ASSIGNED TO, cutting long titles; with --output json an\n" +
	"array of {\"id\", \"type\", \"state\", \"title\", \"assigned_to\"} objects where assigned_to is\n" +
	"{\"display_name\", \"unique_name\"} or null. --raw prints the WIQL result (IDs or links) as\n" +
	"Azure DevOps returns it instead."

// resultFlags adds --output and --raw.
func resultFlags(fs *flag.FlagSet, s *azdoSession) {
	fs.StringVar(&s.output, "output", outputTable, "table or json")
	fs.BoolVar(&s.raw, "raw", false, "print the WIQL result as returned instead of the work items")
}

// resultFormat checks --output and --raw before anything is fetched.
func (s *azdoSession) resultFormat() (string, error) {
	format := strings.ToLower(strings.TrimSpace(s.output))
	switch format {
	case outputTable, outputJSON:
	default:
		return "", s.usageError("--output %q is not a format: use table or json", s.output)
	}
	if s.raw && format == outputTable && s.flagSet("output") {
		return "", s.usageError("--raw prints the WIQL result as JSON: drop --output table")
	}
	return format, nil
}

// flagSet reports whether a flag was given on the command line.
func (s *azdoSession) flagSet(name string) bool {
	set := false
	s.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// resultRow is one work item of a query as `--output json` prints it. The
// field names are documented in resultHelp: keep them stable.
type resultRow struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	State      string          `json:"state"`
	Title      string          `json:"title"`
	AssignedTo *resultIdentity `json:"assigned_to"`
}

// resultIdentity is the person a work item is assigned to.
type resultIdentity struct {
	DisplayName string `json:"display_name"`
	UniqueName  string `json:"unique_name"`
}

// printResult prints a query's result in the chosen format, fetching its
// work items unless --raw asks for the result itself.
func (s *azdoSession) printResult(ctx context.Context, c *azdo.Client, r azdo.WIQLResult, format string) error {
	if s.raw {
		return s.print(r)
	}
	rows, err := s.resultRows(ctx, c, r.IDs())
	if err != nil {
		return err
	}
	if format == outputJSON {
		return s.print(rows)
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(s.stdout, "no work items match the query")
		return err
	}
	return writeResultTable(s.stdout, rows)
}

// resultRows fetches the items in batches (the client splits ids by 200) and
// returns them in the order of ids. The items are read as they are now,
// like Cairn reads them elsewhere; an item deleted since the query ran is
// left out and named on stderr rather than failing the whole listing.
func (s *azdoSession) resultRows(ctx context.Context, c *azdo.Client, ids []int) ([]resultRow, error) {
	rows := []resultRow{}
	if len(ids) == 0 {
		return rows, nil
	}
	// No project: a WIQL query may return items of several projects.
	items, err := c.WorkItems(ctx, "", ids, azdo.WorkItemsOptions{Fields: resultFields, ErrorPolicy: azdo.ErrorPolicyOmit})
	if err != nil {
		return nil, err
	}
	byID := make(map[int]azdo.WorkItem, len(items))
	for _, w := range items {
		byID[w.ID] = w
	}
	var missing []string
	for _, id := range ids {
		w, ok := byID[id]
		if !ok {
			missing = append(missing, strconv.Itoa(id))
			continue
		}
		row := resultRow{
			ID:    id,
			Type:  w.String("System.WorkItemType"),
			State: w.String("System.State"),
			Title: w.String("System.Title"),
		}
		if who, ok := w.Identity("System.AssignedTo"); ok {
			row.AssignedTo = &resultIdentity{DisplayName: who.DisplayName, UniqueName: who.UniqueName}
		}
		rows = append(rows, row)
	}
	if len(missing) > 0 {
		fmt.Fprintf(s.stderr, "cairn azdo: left out work items that could no longer be read (deleted or not visible): %s\n",
			strings.Join(missing, ", "))
	}
	return rows, nil
}

// writeResultTable prints the rows as columns aligned by display width, so
// that titles in wide scripts or with emoji keep the next column in place.
func writeResultTable(w io.Writer, rows []resultRow) error {
	cells := [][]string{{"ID", "TYPE", "STATE", "TITLE", "ASSIGNED TO"}}
	for _, r := range rows {
		who := ""
		if r.AssignedTo != nil {
			who = r.AssignedTo.DisplayName
			if who == "" {
				who = r.AssignedTo.UniqueName
			}
		}
		cells = append(cells, []string{
			strconv.Itoa(r.ID),
			cellText(r.Type),
			cellText(r.State),
			truncateCells(cellText(r.Title), titleCells),
			cellText(who),
		})
	}
	widths := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, c := range row {
			widths[i] = max(widths[i], cellWidth(c))
		}
	}
	var b strings.Builder
	for _, row := range cells {
		var line strings.Builder
		for i, c := range row {
			line.WriteString(c)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-cellWidth(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cellText puts a value on one line: tabs, newlines and other control
// characters (which would break the columns or drive the terminal) become
// spaces, and runs of spaces one.
func cellText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncateCells cuts s to at most n terminal cells, ending it with "…"
// when it was longer.
func truncateCells(s string, n int) string {
	if cellWidth(s) <= n {
		return s
	}
	used := 0
	for i, r := range s {
		rw := runeWidth(r)
		if used+rw > n-1 { // keep one cell for the ellipsis
			return strings.TrimRight(s[:i], " ") + "…"
		}
		used += rw
	}
	return s
}

// cellWidth is the number of terminal cells s takes.
func cellWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// runeWidth is 0 for combining marks and format characters, 2 for East
// Asian wide and fullwidth characters (CJK, most emoji) and 1 otherwise.
func runeWidth(r rune) int {
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}
