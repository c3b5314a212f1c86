package vivaimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
)

// Options tune an import. The zero value imports for real, without progress reports.
type Options struct {
	// DryRun reads the organization and reports what the import would do, writing nothing.
	DryRun bool
	// Progress, when set, is told how far reading and writing are. It runs on the import's
	// goroutine, so it should return quickly.
	Progress func(Progress)
	// Now is the clock that closes periods; time.Now when nil.
	Now func() time.Time
	// Read tunes the reader of ReadFile and Read; its Progress is set from Progress.
	Read viva.Options
}

// The phases of Progress.
const (
	PhaseRead  = "read"  // rows (or bundle records) read
	PhaseWrite = "write" // items imported, with their check-ins and comments
)

// Progress says how far an import is: Done of Total rows read or items imported.
type Progress struct {
	Phase string `json:"phase"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

func (o *Options) progress(phase string, done, total int) {
	if o.Progress != nil {
		o.Progress(Progress{Phase: phase, Done: done, Total: total})
	}
}

func (o *Options) readOptions() viva.Options {
	ro := o.Read
	if o.Progress != nil {
		ro.Progress = func(done, total int) { o.progress(PhaseRead, done, total) }
	}
	return ro
}

// ReadFile reads the Viva Goals export at path (a CSV or XLSX file, a folder or a .zip
// bundle), reporting rows read to opts.Progress. An export that cannot be read is a
// *viva.ParseError naming every row and column at fault.
func ReadFile(path string, opts Options) (*viva.Export, error) {
	return viva.ReadFile(path, opts.readOptions())
}

// Read reads an export of size bytes, such as an upload named name, like ReadFile.
func Read(name string, r io.ReaderAt, size int64, opts Options) (*viva.Export, error) {
	return viva.Read(name, r, size, opts.readOptions())
}

// Plan reports what importing the export into the organization would do, and writes nothing.
func Plan(ctx context.Context, st cairn.ImportStore, org *cairn.Org, exp *viva.Export, opts Options) (*Summary, error) {
	opts.DryRun = true
	return Import(ctx, st, org, exp, opts)
}

// Apply imports the export into the organization in one transaction and reports what it did.
func Apply(ctx context.Context, st cairn.ImportStore, org *cairn.Org, exp *viva.Export, opts Options) (*Summary, error) {
	opts.DryRun = false
	return Import(ctx, st, org, exp, opts)
}

// Import imports the export into the organization, or with opts.DryRun only reports what it
// would do. It writes in one transaction: on any error nothing is stored. Errors about an
// item name its row (or bundle record) and Viva Goals id.
func Import(ctx context.Context, st cairn.ImportStore, org *cairn.Org, exp *viva.Export, opts Options) (*Summary, error) {
	if st == nil || org == nil || exp == nil {
		return nil, cairn.Internal("import Viva Goals export", errors.New("store, organization and export are required"))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// The records as the last import stored them, which the transaction cannot read, name
	// the fields that changed.
	prior, err := readPrior(ctx, st, org.ID)
	if err != nil {
		return nil, err
	}
	var sum *Summary
	err = st.Import(ctx, org.ID, !opts.DryRun, func(tx cairn.ImportTx) error {
		im := newImporter(ctx, tx, org, exp, opts)
		im.prior = prior
		if err := im.run(); err != nil {
			return err
		}
		sum = im.sum
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// Summary is what an import did, or in a dry run would do.
type Summary struct {
	DryRun bool        `json:"dry_run"`
	Org    string      `json:"org"`
	Format viva.Format `json:"format"`
	// Items is how many objectives, key results and initiatives the export holds.
	Items int `json:"items"`
	// Counts has one entry per kind, in cairn.MappingKinds' order.
	Counts []*Count `json:"counts"`
	// Problems lists what the import had to approximate or leave out of Cairn's own columns
	// (it is all in the mappings' data), with the export's warnings first.
	Problems []*viva.RowError `json:"problems"`
	// MultiParent lists the items that align to more than one item.
	MultiParent []*MultiParent `json:"multi_parent"`
	// People lists the people the import created unclaimed or matched to an account.
	People []*PersonNote `json:"people"`
	// ClosedPeriods names the periods the import closed; LeftOpen those whose items were all
	// closed in Viva Goals but that the import matched to an existing period and left open.
	ClosedPeriods []string `json:"closed_periods"`
	LeftOpen      []string `json:"left_open"`
	// PeriodIDs are the Cairn periods that hold the imported items, such as for a link to
	// them; a dry run leaves it empty.
	PeriodIDs []int64 `json:"period_ids,omitempty"`
	// Rebind is how many items the import put on the re-bind checklist; RebindItems lists
	// them, so that a dry run can show which items will need a data source again.
	Rebind      int           `json:"rebind"`
	RebindItems []*RebindNote `json:"rebind_items"`
	// Changes lists, in the order the import went through them, every item, check-in,
	// comment and team it updated, with the fields that changed, and when the organization
	// had imported before, every item, check-in, comment, period and team it created. A
	// first import, which creates everything, lists only what it updated.
	Changes []*Change `json:"changes"`
}

// RebindNote is an item the import put, or in a dry run would put, on the re-bind checklist.
type RebindNote struct {
	VivaID int64         `json:"viva_id"`
	Title  string        `json:"title"`
	Kind   viva.Kind     `json:"kind"`
	Pos    viva.Position `json:"pos"`
	// Source names the integration that drove the item's progress in Viva Goals, such as
	// "Azure DevOps", or "an integration" when the export does not say which.
	Source string `json:"source"`
}

// Count is what an import did with the records of one kind.
type Count struct {
	Kind cairn.MappingKind `json:"kind"`
	// Created were new; Matched were found in Cairn (a period of the same name, a person with
	// the same email); Updated had changed since the last import; Unchanged had not.
	Created   int `json:"created"`
	Matched   int `json:"matched"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Total is the number of records of the kind.
func (c *Count) Total() int { return c.Created + c.Matched + c.Updated + c.Unchanged }

// MultiParent is an item that aligns to several items in Viva Goals.
type MultiParent struct {
	VivaID     int64            `json:"viva_id"`
	Title      string           `json:"title"`
	Pos        viva.Position    `json:"pos"`
	Alignments []viva.Alignment `json:"alignments"`
	// Parent is the Viva id of the alignment that became the primary Cairn parent (a key
	// result's objective); 0 when none did. The others are the item's other parents.
	Parent int64 `json:"parent"`
}

// How a person was found.
const (
	PersonUnclaimed      = "unclaimed"        // created as an unclaimed member
	PersonMatchedByEmail = "matched_by_email" // an account with the email
	PersonMatchedByName  = "matched_by_name"  // the one member with the name
)

// PersonNote is a person the import created or matched.
type PersonNote struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	// UserID is the Cairn user; 0 in a dry run for a user it would create.
	UserID int64  `json:"user_id,omitempty"`
	How    string `json:"how"`
}

// Count returns the count of a kind.
func (s *Summary) Count(kind cairn.MappingKind) *Count {
	for _, c := range s.Counts {
		if c.Kind == kind {
			return c
		}
	}
	c := &Count{Kind: kind}
	s.Counts = append(s.Counts, c)
	return c
}

// Changed reports whether the import created or updated anything.
func (s *Summary) Changed() bool {
	for _, c := range s.Counts {
		if c.Created+c.Updated > 0 {
			return true
		}
	}
	return s.Rebind > 0 || len(s.ClosedPeriods) > 0
}

// Unclaimed lists the people the import created unclaimed.
func (s *Summary) Unclaimed() []*PersonNote {
	var out []*PersonNote
	for _, p := range s.People {
		if p.How == PersonUnclaimed {
			out = append(out, p)
		}
	}
	return out
}

// kindNames are the kinds as a report names them.
var kindNames = map[cairn.MappingKind]string{
	cairn.MappingPeriod:           "periods",
	cairn.MappingTeam:             "teams",
	cairn.MappingPerson:           "people",
	cairn.MappingHolder:           "holding objectives",
	cairn.MappingObjective:        "objectives",
	cairn.MappingKeyResult:        "key results",
	cairn.MappingInitiative:       "initiatives",
	cairn.MappingCheckIn:          "check-ins",
	cairn.MappingObjectiveCheckIn: "objective check-ins (as comments)",
	cairn.MappingComment:          "comments",
}

// KindName names a kind of mapping for people, in the plural: "key results".
func KindName(kind cairn.MappingKind) string {
	if n, ok := kindNames[kind]; ok {
		return n
	}
	return string(kind)
}

// WriteText writes the summary for people: the counts, then what changed, at most
// maxChanges of the changes, then the problems, at most maxProblems of them (all when 0).
func (s *Summary) WriteText(w io.Writer, maxProblems, maxChanges int) error {
	verb := "Imported"
	if s.DryRun {
		verb = "Dry run, nothing written. Would import"
	}
	p := &printer{w: w}
	p.f("%s %d items into %s (%s export):\n", verb, s.Items, s.Org, s.Format)
	p.f("  %-36s %8s %8s %8s %9s\n", "", "created", "matched", "updated", "unchanged")
	for _, c := range s.Counts {
		if c.Total() == 0 && (c.Kind == cairn.MappingHolder || c.Kind == cairn.MappingObjectiveCheckIn) {
			continue
		}
		p.f("  %-36s %8d %8d %8d %9d\n", KindName(c.Kind), c.Created, c.Matched, c.Updated, c.Unchanged)
	}
	if len(s.Changes) > 0 {
		what := "Changed since the last import"
		if s.DryRun {
			what = "Would change since the last import"
		}
		p.f("%s (%d):\n", what, len(s.Changes))
		for i, c := range s.Changes {
			if maxChanges > 0 && i == maxChanges {
				p.f("  … and %d more\n", len(s.Changes)-maxChanges)
				break
			}
			p.f("  %s\n", c)
		}
	}
	if n := len(s.Unclaimed()); n > 0 {
		p.f("%s no account yet and became unclaimed members: claim them for real accounts under Members.\n", count(n, "person has", "people have"))
	}
	for _, name := range s.ClosedPeriods {
		p.f("Closed period %q: every item of it was closed in Viva Goals.\n", name)
	}
	for _, name := range s.LeftOpen {
		p.f("Period %q existed before the import and is left open, though every item of it was closed in Viva Goals.\n", name)
	}
	if s.Rebind > 0 {
		p.f("%s progress from an integration: on the re-bind checklist.\n", count(s.Rebind, "item took its", "items took their"))
	}
	if len(s.MultiParent) > 0 {
		p.f("%s to more than one item; Cairn aligns it to each, with its weight, the first counted one as the primary parent.\n", count(len(s.MultiParent), "item aligns", "items align"))
	}
	if len(s.Problems) > 0 {
		p.f("Problems (%d):\n", len(s.Problems))
		for i, e := range s.Problems {
			if maxProblems > 0 && i == maxProblems {
				p.f("  … and %d more\n", len(s.Problems)-maxProblems)
				break
			}
			p.f("  %s\n", e.Error())
		}
	}
	return p.err
}

// count writes n with the words for one or for many.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// printer writes formatted lines and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
