package vivaimport

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
)

// The outcomes a Change reports.
const (
	ChangeCreated = created // the record was not there before
	ChangeUpdated = updated // the record changed since the last import
)

// Change is a record that an import updated, or created in an organization that an earlier
// import had imported into: an item, a check-in, a comment, a period or a team. People the
// import created are in Summary.People.
type Change struct {
	Kind cairn.MappingKind `json:"kind"`
	// Outcome is ChangeCreated or ChangeUpdated.
	Outcome string `json:"outcome"`
	// VivaID is the Viva Goals Id of the item, or of the item a check-in or comment belongs
	// to, or of the team; 0 when the export gives none.
	VivaID int64 `json:"viva_id,omitempty"`
	// ItemKind is the kind of the item, or of the item of a check-in or comment.
	ItemKind viva.Kind `json:"item_kind,omitempty"`
	// Title is the item's title, or the period's or team's name.
	Title string `json:"title"`
	// Of says which check-in or comment of the item it is, by its date and author, and which
	// period a holding objective holds.
	Of string `json:"of,omitempty"`
	// Fields names what changed in an updated record, as people call it ("title", "target",
	// "status", "check-ins"), in a fixed order.
	Fields []string `json:"fields,omitempty"`
	// Pos is where the export holds the record; zero for periods and teams.
	Pos viva.Position `json:"pos"`
}

// FieldList writes the changed fields: "title, target, check-ins".
func (c *Change) FieldList() string { return strings.Join(c.Fields, ", ") }

// Subject names the record: `key result 1002 "Grow ARR"`, `check-in of 2025-03-10 by Roland
// Green on key result 1002 "Grow ARR"`.
func (c *Change) Subject() string {
	item := func() string {
		if c.VivaID != 0 {
			return fmt.Sprintf("%s %d %q", itemKindName(c.ItemKind), c.VivaID, c.Title)
		}
		return fmt.Sprintf("%s %q", itemKindName(c.ItemKind), c.Title)
	}
	switch c.Kind {
	case cairn.MappingPeriod:
		return fmt.Sprintf("period %q", c.Title)
	case cairn.MappingTeam:
		if c.VivaID != 0 {
			return fmt.Sprintf("team %d %q", c.VivaID, c.Title)
		}
		return fmt.Sprintf("team %q", c.Title)
	case cairn.MappingHolder:
		return fmt.Sprintf("holding objective %q of period %q", c.Title, c.Of)
	case cairn.MappingCheckIn, cairn.MappingObjectiveCheckIn:
		return "check-in of " + c.Of + " on " + item()
	case cairn.MappingComment:
		return "comment of " + c.Of + " on " + item()
	}
	return item()
}

// Lead writes the subject as a line starts it: `Key result 1002 "Grow ARR"`, or for a record
// that is new, `New key result 1007 "Cut costs"`.
func (c *Change) Lead() string {
	if c.Outcome == ChangeCreated {
		return "New " + c.Subject()
	}
	s := c.Subject()
	return strings.ToUpper(s[:1]) + s[1:]
}

// String writes the change as the summary lists it: `Key result 1002 "Grow ARR": target,
// check-ins`, or `New key result 1007 "Cut costs"`.
func (c *Change) String() string {
	switch {
	case c.Outcome == ChangeCreated:
		return c.Lead()
	case len(c.Fields) == 0:
		return c.Lead() + ": changed"
	}
	return c.Lead() + ": " + c.FieldList()
}

// itemKindName names a kind of item in the singular, as Cairn calls it.
func itemKindName(k viva.Kind) string {
	switch k {
	case viva.KindObjective:
		return "objective"
	case viva.KindKeyResult:
		return "key result"
	case viva.KindInitiative:
		return "initiative"
	}
	return "item"
}

// Names of changes that no field of the export explains.
const (
	fieldCheckIns = "check-ins"
	fieldComments = "comments"
	// fieldMapping: the record is as it was, and so are its check-ins, but what Cairn made of
	// it is not, such as after a newer version of the import.
	fieldMapping = "how Cairn keeps it"
)

// mappingReader reads the organization's import mappings with their data. *sqldb.DB does;
// ImportTx lists mappings without their data, so the import reads the records as the last
// import stored them through this before its transaction, to name the fields that changed.
type mappingReader interface {
	ImportMappings(ctx context.Context, orgID int64, kind cairn.MappingKind) ([]*cairn.ImportMapping, error)
}

// priorKinds are the kinds whose records the import compares to name changed fields.
var priorKinds = []cairn.MappingKind{cairn.MappingTeam, cairn.MappingObjective, cairn.MappingKeyResult,
	cairn.MappingInitiative, cairn.MappingCheckIn, cairn.MappingObjectiveCheckIn, cairn.MappingComment}

// priorRecord is a record as the last import stored it, with its hash.
type priorRecord struct {
	hash, data string
}

// readPrior reads the records the organization's earlier imports stored, when the store can.
func readPrior(ctx context.Context, st cairn.ImportStore, orgID int64) (map[mapKey]priorRecord, error) {
	r, ok := st.(mappingReader)
	if !ok {
		return nil, nil
	}
	out := map[mapKey]priorRecord{}
	for _, kind := range priorKinds {
		ms, err := r.ImportMappings(ctx, orgID, kind)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			out[mapKey{kind, m.VivaID}] = priorRecord{hash: m.Hash, data: m.Data}
		}
	}
	return out, nil
}

// priorData returns the record of a mapping as the last import stored it, when it is the one
// the transaction sees: another import may have stored a newer one since it was read.
func (im *importer) priorData(m *cairn.ImportMapping) (string, bool) {
	if m == nil {
		return "", false
	}
	p, ok := im.prior[mapKey{m.Kind, m.VivaID}]
	if !ok || p.hash != m.Hash || p.data == "" {
		return "", false
	}
	return p.data, true
}

// noteChange adds a change to the summary, unless it is a record created by the
// organization's first import, which creates everything. It returns the change it added.
func (im *importer) noteChange(c *Change) *Change {
	if c.Outcome == created && !im.rerun {
		return nil
	}
	if c.Outcome != created && c.Outcome != updated {
		return nil
	}
	im.sum.Changes = append(im.sum.Changes, c)
	return c
}

// itemChange notes an item that was created or updated, with the fields of its record that
// changed since m's record. An item whose record is as it was gets the fields that fallback,
// which compares the Cairn row before the update with the one the import writes, names.
func (im *importer) itemChange(it *viva.Item, kind cairn.MappingKind, outcome string, m *cairn.ImportMapping, fallback func() ([]string, error)) error {
	c := &Change{Kind: kind, Outcome: outcome, VivaID: it.ID, ItemKind: it.Kind, Title: it.Title, Pos: it.Pos}
	if outcome == updated {
		if old, ok := im.priorData(m); ok {
			c.Fields = itemFields(old, itemRecord(it))
		}
		if len(c.Fields) == 0 && fallback != nil {
			var err error
			if c.Fields, err = fallback(); err != nil {
				return err
			}
		}
	}
	if c = im.noteChange(c); c != nil {
		im.itemChanges[it.ID] = c
	}
	return nil
}

// finishItemChange adds to an updated item's fields that its check-ins or comments changed,
// and says that something did when nothing else does.
func (im *importer) finishItemChange(it *viva.Item, checkIns, comments bool) {
	c := im.itemChanges[it.ID]
	if c == nil || c.Outcome != updated {
		return
	}
	var f fieldSet = c.Fields
	f.add(checkIns, fieldCheckIns)
	f.add(comments, fieldComments)
	f.add(len(f) == 0, fieldMapping)
	c.Fields = f
}

// checkInChange notes a check-in (or an objective's check-in, kept as a comment) that was
// created or updated.
func (im *importer) checkInChange(kind cairn.MappingKind, it *viva.Item, c *viva.CheckIn, outcome string, m *cairn.ImportMapping) {
	ch := &Change{Kind: kind, Outcome: outcome, VivaID: it.ID, ItemKind: it.Kind, Title: it.Title,
		Of: c.Date.String() + " by " + authorName(c.Author, c.Integration), Pos: c.Pos}
	if outcome == updated {
		if old, ok := im.priorData(m); ok {
			ch.Fields = checkInFields(old, checkInRecord(*c))
		}
	}
	im.noteChange(ch)
}

// commentChange notes a comment that was created or updated.
func (im *importer) commentChange(it *viva.Item, c *viva.Comment, outcome string, m *cairn.ImportMapping) {
	of := "no date"
	if !c.CreatedAt.IsZero() {
		of = c.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	ch := &Change{Kind: cairn.MappingComment, Outcome: outcome, VivaID: it.ID, ItemKind: it.Kind, Title: it.Title,
		Of: of + " by " + authorName(c.Author, ""), Pos: c.Pos}
	if outcome == updated {
		if old, ok := im.priorData(m); ok {
			ch.Fields = commentFields(old, commentRecord(*c))
		}
	}
	im.noteChange(ch)
}

// authorName names who made a check-in or comment.
func authorName(p viva.Person, integration string) string {
	switch {
	case strings.TrimSpace(p.Name) != "":
		return strings.Join(strings.Fields(p.Name), " ")
	case p.Email != "":
		return p.Email
	case integration != "":
		return integration
	case p.ID != 0:
		return fmt.Sprintf("Viva Goals user %d", p.ID)
	}
	return "nobody"
}

// fieldSet is a list of field names, each once, in the order added.
type fieldSet []string

func (f *fieldSet) add(changed bool, name string) {
	if changed && !slices.Contains(*f, name) {
		*f = append(*f, name)
	}
}

// decodeAs decodes the JSON of a record into T, and passes rec through JSON too, so that the
// two compare alike (times, empty lists).
func decodeAs[T any](old string, rec T) (before, now T, ok bool) {
	if err := json.Unmarshal([]byte(old), &before); err != nil {
		return before, now, false
	}
	b, err := json.Marshal(rec)
	if err != nil || json.Unmarshal(b, &now) != nil {
		return before, now, false
	}
	return before, now, true
}

func eqFloat(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// same reports whether two values are equal, an empty list and none alike.
func same(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Kind() == reflect.Slice && vb.Kind() == reflect.Slice || va.Kind() == reflect.Map && vb.Kind() == reflect.Map {
		return va.Len() == 0 && vb.Len() == 0
	}
	return false
}

// itemFields names the fields in which an item's record differs from the one stored before.
func itemFields(old string, rec viva.Item) []string {
	a, b, ok := decodeAs(old, rec)
	if !ok {
		return nil
	}
	var f fieldSet
	f.add(a.Title != b.Title, "title")
	f.add(a.Description != b.Description, "description")
	f.add(a.Kind != b.Kind || a.TypeText != b.TypeText, "type")
	f.add(a.URL != b.URL, "link")
	f.add(!same(a.Period, b.Period), "period")
	f.add(a.Start != b.Start, "start date")
	f.add(a.End != b.End, "end date")
	f.add(!same(a.Teams, b.Teams), "teams")
	f.add(!same(a.Creator, b.Creator), "creator")
	f.add(!same(a.Owners, b.Owners), "owners")
	f.add(!same(a.CheckInOwners, b.CheckInOwners), "check-in owners")
	f.add(!same(a.Tags, b.Tags), "tags")
	// A parent's title, as the alignment cell writes it, changes with the parent: the
	// alignment itself is as it was.
	f.add(!same(alignmentsOnly(a.Alignments), alignmentsOnly(b.Alignments)), "alignments")
	f.add(same(alignmentsOnly(a.Alignments), alignmentsOnly(b.Alignments)) && !same(a.Alignments, b.Alignments), "parent's title")
	switch ma, mb := a.Metric, b.Metric; {
	case ma == nil && mb == nil:
	case ma == nil || mb == nil:
		f.add(true, "metric")
	default:
		f.add(ma.Name != mb.Name, "metric name")
		f.add(ma.Unit != mb.Unit, "unit")
		f.add(ma.Kind != mb.Kind, "metric kind")
		f.add(!eqFloat(ma.Start, mb.Start), "start value")
		f.add(!eqFloat(ma.Target, mb.Target), "target")
		f.add(!eqFloat(ma.Current, mb.Current), "current value")
		f.add(ma.Direction != mb.Direction || ma.TargetType != mb.TargetType, "goal")
		f.add(!same(ma.PhasedTargets, mb.PhasedTargets), "phased targets")
	}
	f.add(!eqFloat(a.Progress, b.Progress), "progress")
	f.add(a.Status != b.Status || a.StatusText != b.StatusText, "status")
	f.add(!eqFloat(a.Score, b.Score), "score")
	f.add(a.GoalType != b.GoalType || a.Aspirational != b.Aspirational, "goal type")
	f.add(a.ProgressSource != b.ProgressSource || a.ProgressRule != b.ProgressRule, "progress source")
	f.add(a.StatusRule != b.StatusRule, "status rule")
	f.add(a.DataSource != b.DataSource, "data source")
	f.add(!a.CreatedAt.Equal(b.CreatedAt), "created at")
	f.add(!a.LastCheckIn.Equal(b.LastCheckIn), "last check-in")
	f.add(a.LastCheckInNote != b.LastCheckInNote, "last check-in note")
	keys := slices.Sorted(maps.Keys(a.Extra))
	for k := range b.Extra {
		if _, ok := a.Extra[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		f.add(a.Extra[k] != b.Extra[k], k)
	}
	return f
}

// alignmentsOnly returns alignments without their parents' titles.
func alignmentsOnly(as []viva.Alignment) []viva.Alignment {
	out := make([]viva.Alignment, len(as))
	for n, a := range as {
		a.ParentTitle = ""
		out[n] = a
	}
	return out
}

// checkInFields names the fields in which a check-in's record differs from the one stored
// before.
func checkInFields(old string, rec viva.CheckIn) []string {
	a, b, ok := decodeAs(old, rec)
	if !ok {
		return nil
	}
	var f fieldSet
	f.add(a.Date != b.Date, "date")
	f.add(!a.ActivityAt.Equal(b.ActivityAt), "time")
	f.add(!same(a.Author, b.Author), "author")
	f.add(!eqFloat(a.Value, b.Value) || a.ValueText != b.ValueText, "value")
	f.add(a.Status != b.Status || a.StatusText != b.StatusText, "status")
	f.add(a.Note != b.Note || a.NoteHTML != b.NoteHTML, "note")
	f.add(a.MetricName != b.MetricName, "metric name")
	f.add(a.Integration != b.Integration, "integration")
	return f
}

// commentFields names the fields in which a comment's record differs from the one stored
// before.
func commentFields(old string, rec viva.Comment) []string {
	a, b, ok := decodeAs(old, rec)
	if !ok {
		return nil
	}
	var f fieldSet
	f.add(!same(a.Author, b.Author), "author")
	f.add(!a.CreatedAt.Equal(b.CreatedAt), "time")
	f.add(a.Text != b.Text, "text")
	return f
}

// teamFields names the fields in which a team's record differs from the one stored before.
func teamFields(old string, rec viva.Team) []string {
	a, b, ok := decodeAs(old, rec)
	if !ok {
		return nil
	}
	var f fieldSet
	f.add(a.Name != b.Name, "name")
	f.add(a.Parent != b.Parent, "parent team")
	f.add(!same(a.Owners, b.Owners), "owners")
	f.add(a.Type != b.Type, "type")
	f.add(a.Status != b.Status, "status")
	f.add(a.Description != b.Description, "description")
	return f
}

// objectiveFields names what the import changes of an objective as Cairn holds it (old),
// for an objective whose record is as it was, such as one whose team was made again.
func objectiveFields(old, o *cairn.Objective) []string {
	var f fieldSet
	f.add(old.Title != o.Title, "title")
	f.add(old.Description != o.Description, "description")
	f.add(old.PeriodID != o.PeriodID, "period")
	f.add(old.Level != o.Level || !eqID(old.TeamID, o.TeamID), "team")
	f.add(!sameIDs(old.OwnerIDs, o.OwnerIDs), "owners")
	f.add(!same(old.Parents, o.Parents), "alignments")
	f.add(old.Aspirational != o.Aspirational, "goal type")
	f.add(!eqFloat(old.Score, o.Score), "score")
	f.add(old.StatedStatus != o.StatedStatus, "status")
	f.add(!eqTime(old.ClosedAt, o.ClosedAt), "closed")
	return f
}

// keyResultFields names what the import changes of a key result as Cairn holds it; its
// current value and last check-in follow its check-ins.
func keyResultFields(old, k *cairn.KeyResult) []string {
	var f fieldSet
	f.add(old.Title != k.Title, "title")
	f.add(old.Description != k.Description, "description")
	f.add(old.ObjectiveID != k.ObjectiveID, "objective")
	f.add(old.Weight != k.Weight, "weight")
	f.add(!same(old.Parents, k.Parents), "alignments")
	f.add(!sameIDs(old.OwnerIDs, k.OwnerIDs), "owners")
	f.add(old.ProgressSource != k.ProgressSource, "progress source")
	metricFields(&f, &old.Metric, &k.Metric)
	f.add(!eqFloat(old.Score, k.Score), "score")
	f.add(!eqTime(old.ClosedAt, k.ClosedAt), "closed")
	return f
}

// initiativeFields names what the import changes of an initiative as Cairn holds it.
func initiativeFields(old, i *cairn.Initiative) []string {
	var f fieldSet
	f.add(old.Title != i.Title, "title")
	f.add(old.Parent != i.Parent, "parent")
	f.add(old.Weight != i.Weight || old.Contributes != i.Contributes, "weight")
	f.add(!sameIDs(old.OwnerIDs, i.OwnerIDs), "owners")
	f.add(old.ProgressMode != i.ProgressMode, "progress source")
	switch {
	case old.Metric == nil && i.Metric == nil:
	case old.Metric == nil || i.Metric == nil:
		f.add(true, "metric")
	default:
		metricFields(&f, old.Metric, i.Metric)
	}
	f.add(!eqFloat(old.Score, i.Score), "score")
	f.add(!eqTime(old.ClosedAt, i.ClosedAt), "closed")
	return f
}

func metricFields(f *fieldSet, a, b *cairn.Metric) {
	f.add(a.Kind != b.Kind, "metric kind")
	f.add(a.Unit != b.Unit, "unit")
	f.add(a.Start != b.Start, "start value")
	f.add(a.Target != b.Target, "target")
	f.add(a.Goal != b.Goal, "goal")
	f.add(!same(a.Milestones, b.Milestones), "phased targets")
}

func eqID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func eqTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

// sameIDs reports whether two lists hold the same ids, in any order.
func sameIDs(a, b []int64) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
