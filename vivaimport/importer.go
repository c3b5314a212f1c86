package vivaimport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
)

// hashVersion changes when the import maps records differently, so that a new version of the
// import updates what an older one wrote.
const hashVersion = 2

// importer is one run of an import inside its transaction.
type importer struct {
	ctx  context.Context
	tx   cairn.ImportTx
	org  *cairn.Org
	exp  *viva.Export
	opts Options
	dry  bool
	now  time.Time
	sum  *Summary
	fake int64 // the last id handed out in a dry run

	maps     map[mapKey]*cairn.ImportMapping
	existing map[cairn.MappingKind]map[int64]bool

	periods      map[string]*cairn.Period // by Viva period key
	cairnPeriods map[int64]*cairn.Period
	// periodMatched says which periods the import found rather than created.
	periodMatched map[int64]bool
	teams         map[string]int64 // by Viva team key
	members       []*cairn.Member
	people        map[string]int64     // by person key, see personKeys
	personSeen    map[int64]bool       // users counted in the summary already
	known         map[string]bool      // the keys of the export's people, integrations excepted
	ambiguous     map[string]bool      // name keys that several people of the export share
	placed        map[int64]*placement // by Viva id
	byRef         map[cairn.Ref]*placement
	current       map[cairn.Ref]currentOf
	holders       map[int64]int64    // Cairn period id → holding objective id
	fallback      int64              // the stand-in owner of objectives nobody owns
	rebinds       map[cairn.Ref]bool // items on the re-bind checklist, read by a dry run
	// graphs holds, per Cairn period, the items as the import wrote them, from which
	// compareProgress works out the progress Cairn shows.
	graphs map[int64]*cairn.Graph

	// rerun says that earlier imports mapped records of the organization: created records
	// are then changes too.
	rerun bool
	// prior holds the records earlier imports stored, read before the transaction, from
	// which changes name their fields; nil when the store cannot read them.
	prior map[mapKey]priorRecord
	// itemChanges are the changes of items, by Viva id.
	itemChanges map[int64]*Change
}

// mapKey identifies a mapping.
type mapKey struct {
	kind cairn.MappingKind
	id   string
}

// placement is where an imported item ended up in Cairn.
type placement struct {
	ref cairn.Ref
	// objectiveID is the objective the item is or hangs under: itself for an objective,
	// its objective for a key result, the parent's objective for an initiative.
	objectiveID int64
	// parent is an initiative's parent.
	parent   cairn.Ref
	periodID int64
}

func newImporter(ctx context.Context, tx cairn.ImportTx, org *cairn.Org, exp *viva.Export, opts Options) *importer {
	im := &importer{
		ctx: ctx, tx: tx, org: org, exp: exp, opts: opts, dry: opts.DryRun, now: opts.Now().UTC(),
		sum:           &Summary{DryRun: opts.DryRun, Org: org.Slug, Format: exp.Format, Items: len(exp.Items)},
		maps:          map[mapKey]*cairn.ImportMapping{},
		existing:      map[cairn.MappingKind]map[int64]bool{},
		periods:       map[string]*cairn.Period{},
		cairnPeriods:  map[int64]*cairn.Period{},
		periodMatched: map[int64]bool{},
		teams:         map[string]int64{},
		people:        map[string]int64{},
		personSeen:    map[int64]bool{},
		known:         map[string]bool{},
		ambiguous:     map[string]bool{},
		placed:        map[int64]*placement{},
		byRef:         map[cairn.Ref]*placement{},
		current:       map[cairn.Ref]currentOf{},
		holders:       map[int64]int64{},
		graphs:        map[int64]*cairn.Graph{},
		itemChanges:   map[int64]*Change{},
	}
	for _, k := range cairn.MappingKinds {
		im.sum.Count(k)
	}
	im.sum.Problems = append(im.sum.Problems, exp.Warnings...)
	return im
}

func (im *importer) run() error {
	ms, err := im.tx.Mappings(im.ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		im.maps[mapKey{m.Kind, m.VivaID}] = m
	}
	im.rerun = len(ms) > 0
	if im.members, err = im.tx.ListMembers(im.ctx); err != nil {
		return err
	}
	names := map[string]int{}
	for _, p := range im.exp.People {
		keys := personKeys(p)
		if len(keys) > 1 && strings.HasPrefix(keys[len(keys)-1], "name:") {
			names[keys[len(keys)-1]]++
		}
	}
	for name, n := range names {
		im.ambiguous[name] = n > 1
	}
	for _, p := range im.exp.People {
		for _, k := range im.personKeys(p) {
			im.known[k] = true
		}
	}
	if err := im.importPeriods(); err != nil {
		return err
	}
	for _, p := range im.exp.People {
		if _, err := im.person(p); err != nil {
			return err
		}
	}
	if err := im.importTeams(); err != nil {
		return err
	}
	items := im.exp.ParentsFirst()
	im.opts.progress(PhaseWrite, 0, len(items))
	for n, it := range items {
		if err := im.importItem(it); err != nil {
			return itemError(it, err)
		}
		im.opts.progress(PhaseWrite, n+1, len(items))
	}
	im.compareProgress()
	if err := im.closePeriods(); err != nil {
		return err
	}
	if !im.dry {
		im.sum.PeriodIDs = im.itemPeriods()
	}
	return nil
}

// itemPeriods lists the Cairn periods that hold the export's items, in ascending order.
func (im *importer) itemPeriods() []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, p := range im.placed {
		if p.periodID != 0 && !seen[p.periodID] {
			seen[p.periodID] = true
			ids = append(ids, p.periodID)
		}
	}
	slices.Sort(ids)
	return ids
}

// dryRunIDs is where the ids a dry run hands out start: far above any real id, so that they
// pass validation and never meet one.
const dryRunIDs = 1 << 62

// fakeID hands out the id of a row a dry run would create.
func (im *importer) fakeID() int64 {
	if im.fake == 0 {
		im.fake = dryRunIDs
	}
	im.fake++
	return im.fake
}

// create stores a new row with fn and reports its id; a dry run only hands out an id.
func (im *importer) create(id *int64, fn func() error) error {
	if im.dry {
		*id = im.fakeID()
		return nil
	}
	return fn()
}

// write runs fn unless in a dry run.
func (im *importer) write(fn func() error) error {
	if im.dry {
		return nil
	}
	return fn()
}

// mapped returns the mapping of a Viva id whose Cairn row still exists.
func (im *importer) mapped(kind cairn.MappingKind, vivaID string) (*cairn.ImportMapping, bool, error) {
	m, ok := im.maps[mapKey{kind, vivaID}]
	if !ok {
		return nil, false, nil
	}
	ids, err := im.existingIDs(kind)
	if err != nil {
		return nil, false, err
	}
	return m, ids[m.CairnID], nil
}

func (im *importer) existingIDs(kind cairn.MappingKind) (map[int64]bool, error) {
	if ids, ok := im.existing[kind]; ok {
		return ids, nil
	}
	ids, err := im.tx.ExistingIDs(im.ctx, kind)
	if err != nil {
		return nil, err
	}
	im.existing[kind] = ids
	return ids, nil
}

// record stores the mapping of a Viva id, unless it is stored already as it is.
func (im *importer) record(kind cairn.MappingKind, vivaID string, cairnID int64, matched bool, hash string, data any) error {
	if old, ok := im.maps[mapKey{kind, vivaID}]; ok && old.CairnID == cairnID && old.Hash == hash && old.Matched == matched {
		return nil
	}
	m := &cairn.ImportMapping{Kind: kind, VivaID: vivaID, CairnID: cairnID, Matched: matched, Hash: hash}
	im.maps[mapKey{kind, vivaID}] = m
	if ids, ok := im.existing[kind]; ok && cairnID > 0 {
		ids[cairnID] = true
	}
	if im.dry {
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return cairn.Internal("import: encode the record", err)
	}
	m.Data = string(b)
	return im.tx.PutMapping(im.ctx, m)
}

// problem reports what the import approximated about something at a position of the export.
func (im *importer) problem(pos viva.Position, column, format string, args ...any) {
	im.sum.Problems = append(im.sum.Problems, &viva.RowError{File: pos.File, Row: pos.Row, Column: column,
		Message: fmt.Sprintf(format, args...)})
}

// itemProblem reports a problem of an item, naming its Viva id.
func (im *importer) itemProblem(it *viva.Item, column, format string, args ...any) {
	im.problem(it.Pos, column, "Id %d: %s", it.ID, fmt.Sprintf(format, args...))
}

// hashOf returns the hash of what a record is and what it was mapped to.
func hashOf(parts ...any) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(hashVersion)
	for _, p := range parts {
		if err := enc.Encode(p); err != nil {
			// Every part is plain data; an encoding failure only makes the record look
			// changed.
			fmt.Fprintf(h, "%v", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// itemError places an error about an item in the export.
func itemError(it *viva.Item, err error) error {
	code := cairn.ErrorCode(err)
	if code == cairn.EINTERNAL {
		return fmt.Errorf("%s: %w", where(it.Pos, it.ID), err)
	}
	// The message holds the cause's field and message; the cause is not wrapped, so that
	// they are not said twice.
	return &cairn.Error{Code: code, Message: where(it.Pos, it.ID) + ": " + err.Error()}
}

// where names a position of the export and the Viva id found there.
func where(pos viva.Position, id int64) string {
	e := &viva.RowError{File: pos.File, Row: pos.Row, Message: fmt.Sprintf("Viva Goals Id %d", id)}
	return e.Error()
}

// count tallies one record of a kind.
func (im *importer) count(kind cairn.MappingKind, outcome string) {
	c := im.sum.Count(kind)
	switch outcome {
	case created:
		c.Created++
	case matched:
		c.Matched++
	case updated:
		c.Updated++
	default:
		c.Unchanged++
	}
}

// The outcomes of count.
const (
	created   = "created"
	matched   = "matched"
	updated   = "updated"
	unchanged = "unchanged"
)
