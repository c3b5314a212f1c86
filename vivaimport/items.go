package vivaimport

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
	"github.com/cairn-okr/cairn/viva"
)

// Cairn's limits on text, in runes for titles and bytes for the rest.
const (
	maxTitle       = 300
	maxDescription = 10000
	maxNote        = 5000
	maxUnit        = 20
	maxOwners      = 50
)

// itemRecord is an item as the mapping keeps it: everything the export says of it but its
// check-ins and comments, which have mappings of their own, and its position, which moves
// when rows are sorted differently.
func itemRecord(it *viva.Item) viva.Item {
	r := *it
	r.CheckIns, r.Comments, r.Pos = nil, nil, viva.Position{}
	return r
}

// importItem creates or updates one item, then its check-ins and comments, and puts it on the
// re-bind checklist when an integration drove it.
func (im *importer) importItem(it *viva.Item) error {
	var (
		ref     cairn.Ref
		outcome string
		err     error
	)
	switch it.Kind {
	case viva.KindObjective:
		ref, outcome, err = im.objective(it)
	case viva.KindKeyResult:
		ref, outcome, err = im.keyResult(it)
	case viva.KindInitiative:
		ref, outcome, err = im.initiative(it)
	default:
		return cairn.FieldError("Object Type", "unknown kind %q", it.Kind)
	}
	if err != nil {
		return err
	}
	if len(it.Alignments) > 1 {
		mp := &MultiParent{VivaID: it.ID, Title: it.Title, Pos: it.Pos, Alignments: it.Alignments}
		if a := firstCounted(it); a != nil {
			mp.Parent = a.ParentID
		}
		im.sum.MultiParent = append(im.sum.MultiParent, mp)
	}
	checkIns, err := im.history(it, ref, outcome)
	if err != nil {
		return err
	}
	comments, err := im.comments(it, ref)
	if err != nil {
		return err
	}
	im.finishItemChange(it, checkIns, comments)
	im.unkept(it)
	if it.AzureDevOps() || it.ProgressSource == viva.ProgressIntegration {
		source := it.DataSource
		if source == "" {
			source = "an integration"
		}
		e := &cairn.RebindEntry{Item: ref, VivaID: strconv.FormatInt(it.ID, 10),
			Reason: fmt.Sprintf("%s set its progress in Viva Goals: bind it to a data source again", source)}
		if err := e.Validate(); err != nil {
			return err
		}
		added, err := im.addRebind(e)
		if err != nil {
			return err
		}
		if added {
			im.sum.Rebind++
			im.sum.RebindItems = append(im.sum.RebindItems, &RebindNote{VivaID: it.ID, Title: it.Title, Kind: it.Kind, Pos: it.Pos, Source: source})
		}
	}
	return nil
}

// addRebind puts an item on the re-bind checklist unless it is there already, and reports
// whether it did (or in a dry run would).
func (im *importer) addRebind(e *cairn.RebindEntry) (bool, error) {
	if !im.dry {
		return im.tx.AddRebind(im.ctx, e)
	}
	if im.rebinds == nil {
		var err error
		if im.rebinds, err = im.tx.RebindItems(im.ctx); err != nil {
			return false, err
		}
	}
	return !im.rebinds[e.Item], nil
}

// firstCounted returns the first alignment that counts towards its parent.
func firstCounted(it *viva.Item) *viva.Alignment {
	for i := range it.Alignments {
		if it.Alignments[i].Counted() {
			return &it.Alignments[i]
		}
	}
	return nil
}

// weight maps a Viva weight onto Cairn's relative weight: the share in percent over 100, so
// that 100 % is Cairn's default weight 1.
func weight(a *viva.Alignment) float64 {
	if a == nil || a.Weight == nil || *a.Weight <= 0 {
		return 1
	}
	w := math.Round(*a.Weight*100) / 10000
	return math.Max(w, 0.0001)
}

// alignWeight maps a Viva weight onto the weight of a Cairn alignment: like weight, except
// that 0 % stays 0, aligned but not counted.
func alignWeight(a *viva.Alignment) float64 {
	if a.Weight != nil && *a.Weight <= 0 {
		return 0
	}
	return weight(a)
}

// alignments returns the Cairn parents of every alignment of the item except skip (the one
// that placed it), first the counted one given first, in the export's order, each with its
// weight. own is a parent the item counts towards already (a key result's objective); an
// alignment that lands there or on a parent already listed, which moving up from a
// deliverable can make, is reported and left out.
func (im *importer) alignments(it *viva.Item, first, skip *viva.Alignment, own *cairn.Ref) []cairn.Alignment {
	order := make([]*viva.Alignment, 0, len(it.Alignments))
	if first != nil {
		order = append(order, first)
	}
	for n := range it.Alignments {
		if a := &it.Alignments[n]; a != first {
			order = append(order, a)
		}
	}
	out := []cairn.Alignment{}
	seen := map[cairn.Ref]bool{}
	if own != nil {
		seen[*own] = true
	}
	for _, a := range order {
		if a == skip {
			continue
		}
		p, parent, ok := im.parentOf(a)
		if !ok {
			continue
		}
		if p.ref.Type == cairn.ItemInitiative {
			im.itemProblem(it, "Aligned To", "aligns to a deliverable (Id %d); Cairn aligns it to that deliverable's parent", a.ParentID)
		}
		if seen[parent] {
			im.itemProblem(it, "Aligned To", "aligns to Id %d, which lands on a %s it aligns to already; Cairn keeps the first alignment there", a.ParentID, strings.ReplaceAll(string(parent.Type), "_", " "))
			continue
		}
		seen[parent] = true
		out = append(out, cairn.Alignment{Type: parent.Type, ID: parent.ID, Weight: alignWeight(a)})
	}
	if len(out) > cairn.MaxParents {
		im.itemProblem(it, "Aligned To", "%d alignments; Cairn keeps the first %d, and the import's records all of them", len(out), cairn.MaxParents)
		out = out[:cairn.MaxParents]
	}
	return out
}

// parentOf returns where the alignment's parent sits in Cairn, moved up from an initiative
// to its parent, which is what Cairn's objectives and initiatives may align to.
func (im *importer) parentOf(a *viva.Alignment) (*placement, cairn.Ref, bool) {
	if a == nil {
		return nil, cairn.Ref{}, false
	}
	p := im.placed[a.ParentID]
	if p == nil {
		return nil, cairn.Ref{}, false
	}
	if p.ref.Type == cairn.ItemInitiative {
		return p, p.parent, true
	}
	return p, p.ref, true
}

// itemPeriod returns the Cairn period of an item.
func (im *importer) itemPeriod(it *viva.Item) (*cairn.Period, error) {
	p := im.periods[periodOf(it)]
	if p == nil {
		return nil, cairn.FieldError("Period", "period %q is not among the export's periods", it.Period.Name)
	}
	return p, nil
}

// text trims s and cuts it to max runes, or with bytes to max bytes, reporting a cut as a
// problem of the item.
func (im *importer) text(it *viva.Item, column, s string, max int, bytes bool) string {
	s = strings.TrimSpace(s)
	if bytes {
		if len(s) <= max {
			return s
		}
		cut := max - len("…")
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		im.itemProblem(it, column, "%s is longer than Cairn keeps (%d bytes); it is cut, and kept whole in the import's records", strings.ToLower(column), max)
		return s[:cut] + "…"
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	im.itemProblem(it, column, "%s is longer than Cairn keeps (%d characters); it is cut, and kept whole in the import's records", strings.ToLower(column), max)
	return string(r[:max-1]) + "…"
}

// utf8Start reports whether b starts a UTF-8 sequence.
func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// owners returns the Cairn users of an item's owners, the creator when there are none, and
// with need a stand-in when there is neither.
func (im *importer) owners(it *viva.Item, need bool) ([]int64, error) {
	people := it.Owners
	if len(people) == 0 && !it.Creator.IsZero() {
		people = []viva.Person{it.Creator}
	}
	var ids []int64
	for _, p := range people {
		id, err := im.person(p)
		if err != nil {
			return nil, err
		}
		ids = appendNew(ids, id)
	}
	if len(ids) > maxOwners {
		im.itemProblem(it, "Owner", "%d owners; Cairn keeps the first %d", len(ids), maxOwners)
		ids = ids[:maxOwners]
	}
	if len(ids) == 0 && need {
		id, err := im.fallbackOwner()
		if err != nil {
			return nil, err
		}
		im.itemProblem(it, "Owner", "no owner nor creator: the unclaimed member %q owns it until someone else does", "Owner unknown (Viva Goals import)")
		ids = []int64{id}
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// score returns an objective's or key result's score, if the export gives a usable one.
func (im *importer) score(it *viva.Item) *float64 {
	if it.Score == nil {
		return nil
	}
	if s := *it.Score; s >= 0 && s <= 1 {
		return &s
	}
	im.itemProblem(it, "Score", "score %g is not between 0 and 1; Cairn keeps none", *it.Score)
	return nil
}

// objective creates or updates an objective.
func (im *importer) objective(it *viva.Item) (cairn.Ref, string, error) {
	period, err := im.itemPeriod(it)
	if err != nil {
		return cairn.Ref{}, "", err
	}
	o := &cairn.Objective{PeriodID: period.ID, Title: im.text(it, "Title", it.Title, maxTitle, false),
		Description: im.text(it, "Description", it.Description, maxDescription, true),
		Level:       cairn.LevelOrganization, Aspirational: it.Aspirational, Score: im.score(it),
		StatedStatus: statedStatus(it), ClosedAt: im.closedAt(it)}
	if len(it.Teams) > 0 {
		id, err := im.team(it.Teams[0])
		if err != nil {
			return cairn.Ref{}, "", err
		}
		o.Level, o.TeamID = cairn.LevelTeam, &id
		if len(it.Teams) > 1 {
			im.itemProblem(it, "Team", "%d teams; a Cairn objective has one, %q, and the import's records keep the others", len(it.Teams), it.Teams[0].Name)
		}
	}
	if o.OwnerIDs, err = im.owners(it, true); err != nil {
		return cairn.Ref{}, "", err
	}
	o.SetParents(im.alignments(it, firstCounted(it), nil, nil))
	if firstCounted(it) == nil && len(it.Alignments) > 0 {
		im.itemProblem(it, "Aligned To", "every alignment has weight 0 %%: Cairn shows them and counts none")
	}
	if err := o.Validate(); err != nil {
		return cairn.Ref{}, "", err
	}
	hash := hashOf(itemRecord(it), o)
	m, ok, err := im.mapped(cairn.MappingObjective, strconv.FormatInt(it.ID, 10))
	if err != nil {
		return cairn.Ref{}, "", err
	}
	outcome := created
	switch {
	case ok && m.Hash == hash:
		o.ID, outcome = m.CairnID, unchanged
	case ok:
		o.ID, outcome = m.CairnID, updated
		old, err := im.tx.ObjectiveByID(im.ctx, o.ID)
		if err != nil {
			return cairn.Ref{}, "", err
		}
		o.EditorIDs = withoutIDs(old.EditorIDs, o.OwnerIDs)
		if err := im.itemChange(it, cairn.MappingObjective, outcome, m, func() ([]string, error) {
			return objectiveFields(old, o), nil
		}); err != nil {
			return cairn.Ref{}, "", err
		}
		if err := im.write(func() error { return im.tx.UpdateObjective(im.ctx, o) }); err != nil {
			return cairn.Ref{}, "", err
		}
	default:
		if err := im.create(&o.ID, func() error { return im.tx.CreateObjective(im.ctx, o) }); err != nil {
			return cairn.Ref{}, "", err
		}
		if err := im.itemChange(it, cairn.MappingObjective, outcome, m, nil); err != nil {
			return cairn.Ref{}, "", err
		}
	}
	im.count(cairn.MappingObjective, outcome)
	im.graph(period.ID).Objectives = append(im.graph(period.ID).Objectives, o)
	ref := cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}
	im.place(it.ID, &placement{ref: ref, objectiveID: o.ID, periodID: period.ID})
	return ref, outcome, im.record(cairn.MappingObjective, strconv.FormatInt(it.ID, 10), o.ID, false, hash, itemRecord(it))
}

// withoutIDs returns ids without those in drop, never nil.
func withoutIDs(ids, drop []int64) []int64 {
	out := []int64{}
	for _, id := range ids {
		keep := true
		for _, d := range drop {
			keep = keep && d != id
		}
		if keep {
			out = append(out, id)
		}
	}
	return out
}

// holder returns the objective that holds the key results and initiatives of a period that
// align to no objective, made on first need.
func (im *importer) holder(it *viva.Item, period *cairn.Period) (int64, error) {
	if id, ok := im.holders[period.ID]; ok {
		return id, nil
	}
	key := "period:" + strconv.FormatInt(period.ID, 10)
	m, ok, err := im.mapped(cairn.MappingHolder, key)
	if err != nil {
		return 0, err
	}
	if ok {
		im.holders[period.ID] = m.CairnID
		im.count(cairn.MappingHolder, unchanged)
		return m.CairnID, nil
	}
	owners, err := im.owners(it, true)
	if err != nil {
		return 0, err
	}
	o := &cairn.Objective{PeriodID: period.ID, Level: cairn.LevelOrganization, OwnerIDs: owners,
		Title:       "Imported from Viva Goals without an objective",
		Description: "Viva Goals key results and deliverables of this period that aligned to no objective. Move them under the objectives they serve."}
	if err := o.Validate(); err != nil {
		return 0, err
	}
	if err := im.create(&o.ID, func() error { return im.tx.CreateObjective(im.ctx, o) }); err != nil {
		return 0, err
	}
	im.holders[period.ID] = o.ID
	im.count(cairn.MappingHolder, created)
	im.noteChange(&Change{Kind: cairn.MappingHolder, Outcome: created, Title: o.Title, Of: period.Name})
	return o.ID, im.record(cairn.MappingHolder, key, o.ID, false, "", map[string]any{"period": period.Name})
}

// objectiveFor returns the objective a key result or initiative goes under: that of the first
// counted alignment, or the first alignment, or the period's holding objective.
func (im *importer) objectiveFor(it *viva.Item, period *cairn.Period) (int64, *viva.Alignment, error) {
	a := firstCounted(it)
	if a == nil && len(it.Alignments) > 0 {
		a = &it.Alignments[0]
	}
	if p := im.placedOf(a); p != nil {
		if p.ref.Type != cairn.ItemObjective {
			im.itemProblem(it, "Aligned To", "aligns to a %s (Id %d); Cairn puts it under the objective above that", strings.ReplaceAll(string(p.ref.Type), "_", " "), a.ParentID)
		}
		if p.periodID != period.ID {
			im.itemProblem(it, "Period", "its period is %q, its objective's %q: Cairn keeps it under the objective, in that period", period.Name, im.cairnPeriods[p.periodID].Name)
		}
		return p.objectiveID, a, nil
	}
	id, err := im.holder(it, period)
	if err != nil {
		return 0, nil, err
	}
	im.itemProblem(it, "Aligned To", "aligns to no objective: Cairn puts it under %q in its period", "Imported from Viva Goals without an objective")
	return id, nil, nil
}

// placedOf returns where an alignment's parent was placed.
func (im *importer) placedOf(a *viva.Alignment) *placement {
	if a == nil {
		return nil
	}
	return im.placed[a.ParentID]
}

// metric converts an item's metric. A metric Cairn cannot hold becomes the percentage of
// Viva's progress; ok is false then.
func (im *importer) metric(it *viva.Item) (m cairn.Metric, ok bool) {
	vm := it.Metric
	percent := func(why string) cairn.Metric {
		if vm != nil {
			im.itemProblem(it, "Target", "%s: Cairn tracks Viva's progress in percent instead, and the import's records keep the metric", why)
		}
		cur := 0.0
		if it.Progress != nil {
			cur = *it.Progress
		}
		return cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%", Current: cur}
	}
	if vm == nil {
		return percent(""), false
	}
	kind := cairn.MetricKind(vm.Kind)
	if kind == "" {
		kind = cairn.MetricNumber
	}
	start, target := 0.0, 100.0
	if vm.Start != nil {
		start = *vm.Start
	}
	switch {
	case vm.Target != nil:
		target = *vm.Target
	case kind != cairn.MetricPercentage:
		return percent("the metric has no target"), false
	}
	if start == target {
		return percent(fmt.Sprintf("the metric's start and target are both %g", start)), false
	}
	unit := strings.TrimSpace(vm.Unit)
	switch strings.ToLower(unit) {
	case "number", "numbers", "#", "percent", "percentage", "currency":
		unit = ""
	}
	if kind == cairn.MetricPercentage && unit == "" {
		unit = "%"
	}
	if len(unit) > maxUnit {
		im.itemProblem(it, "Unit", "unit %q is longer than Cairn keeps (%d bytes); it is left out", unit, maxUnit)
		unit = ""
	}
	m = cairn.Metric{Kind: kind, Start: start, Target: target, Unit: unit, Current: start}
	switch v := latestValue(it); {
	case vm.Current != nil:
		m.Current = *vm.Current
	case v != nil:
		m.Current = *v
	case it.Progress != nil:
		// No value anywhere, but a progress: the value that makes it, so that Cairn shows
		// the progress the file says.
		m.Current = start + *it.Progress/100*(target-start)
		im.itemProblem(it, "Actual Progress", "no current value nor check-in: Cairn takes %g, the value at its Progress %s", m.Current, percentText(*it.Progress))
	}
	return m, true
}

// latestValue returns the value of the item's latest check-in that has one.
func latestValue(it *viva.Item) *float64 {
	var best *viva.CheckIn
	for i := range it.CheckIns {
		c := &it.CheckIns[i]
		if c.Value != nil && (best == nil || !checkInTime(c).Before(checkInTime(best))) {
			best = c
		}
	}
	if best == nil {
		return nil
	}
	return best.Value
}

// keyResult creates or updates a key result.
func (im *importer) keyResult(it *viva.Item) (cairn.Ref, string, error) {
	period, err := im.itemPeriod(it)
	if err != nil {
		return cairn.Ref{}, "", err
	}
	objID, a, err := im.objectiveFor(it, period)
	if err != nil {
		return cairn.Ref{}, "", err
	}
	k := &cairn.KeyResult{ObjectiveID: objID, Title: im.text(it, "Title", it.Title, maxTitle, false),
		Description:    im.text(it, "Description", it.Description, maxDescription, true),
		ProgressSource: cairn.SourceManual, Weight: weight(a), Score: im.score(it), ClosedAt: im.closedAt(it)}
	if a != nil && !a.Counted() {
		im.itemProblem(it, "Aligned To", "every alignment has weight 0 %%, but a Cairn key result always counts towards its own objective: it counts there with weight 1")
	}
	own := cairn.Ref{Type: cairn.ItemObjective, ID: objID}
	k.Parents = im.alignments(it, nil, a, &own)
	if it.ProgressSource == viva.ProgressChildren {
		k.ProgressSource = cairn.SourceRollUp
	}
	var ok bool
	if k.Metric, ok = im.metric(it); ok {
		im.goal(it, &k.Metric, true)
		im.milestones(it, &k.Metric, period)
	}
	k.LastCheckInAt = lastCheckIn(it)
	im.statusProblem(it)
	if k.OwnerIDs, err = im.owners(it, false); err != nil {
		return cairn.Ref{}, "", err
	}
	if err := k.Validate(); err != nil {
		return cairn.Ref{}, "", err
	}
	hash := hashOf(itemRecord(it), k)
	vid := strconv.FormatInt(it.ID, 10)
	m, ok, err := im.mapped(cairn.MappingKeyResult, vid)
	if err != nil {
		return cairn.Ref{}, "", err
	}
	outcome := created
	switch {
	case ok && m.Hash == hash:
		k.ID, outcome = m.CairnID, unchanged
	case ok:
		k.ID, outcome = m.CairnID, updated
		if err := im.itemChange(it, cairn.MappingKeyResult, outcome, m, func() ([]string, error) {
			old, err := im.tx.KeyResultByID(im.ctx, k.ID)
			if err != nil {
				return nil, err
			}
			return keyResultFields(old, k), nil
		}); err != nil {
			return cairn.Ref{}, "", err
		}
		if err := im.write(func() error { return im.tx.UpdateKeyResult(im.ctx, k) }); err != nil {
			return cairn.Ref{}, "", err
		}
	default:
		if err := im.create(&k.ID, func() error { return im.tx.CreateKeyResult(im.ctx, k) }); err != nil {
			return cairn.Ref{}, "", err
		}
		if err := im.itemChange(it, cairn.MappingKeyResult, outcome, m, nil); err != nil {
			return cairn.Ref{}, "", err
		}
	}
	im.count(cairn.MappingKeyResult, outcome)
	ref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
	pl := &placement{ref: ref, objectiveID: objID, periodID: period.ID}
	if pp := im.byRef[cairn.Ref{Type: cairn.ItemObjective, ID: objID}]; pp != nil {
		pl.periodID = pp.periodID
	}
	im.place(it.ID, pl)
	im.graph(pl.periodID).KeyResults = append(im.graph(pl.periodID).KeyResults, k)
	im.current[ref] = currentOf{value: k.Metric.Current, start: k.Metric.Start}
	return ref, outcome, im.record(cairn.MappingKeyResult, vid, k.ID, false, hash, itemRecord(it))
}

// initiative creates or updates an initiative.
func (im *importer) initiative(it *viva.Item) (cairn.Ref, string, error) {
	period, err := im.itemPeriod(it)
	if err != nil {
		return cairn.Ref{}, "", err
	}
	i := &cairn.Initiative{Title: im.text(it, "Title", it.Title, maxTitle, false), Contributes: true,
		Score: im.score(it), ClosedAt: im.closedAt(it)}
	a := firstCounted(it)
	if a == nil && len(it.Alignments) > 0 {
		a = &it.Alignments[0]
		i.Contributes = false
	}
	p, parent, ok := im.parentOf(a)
	if ok {
		i.Parent, i.Weight = parent, weight(a)
		if p.ref.Type == cairn.ItemInitiative {
			im.itemProblem(it, "Aligned To", "aligns to a deliverable (Id %d); Cairn puts it under that deliverable's parent", a.ParentID)
		}
	} else {
		id, err := im.holder(it, period)
		if err != nil {
			return cairn.Ref{}, "", err
		}
		im.itemProblem(it, "Aligned To", "aligns to nothing: Cairn puts it under %q in its period", "Imported from Viva Goals without an objective")
		i.Parent, i.Weight = cairn.Ref{Type: cairn.ItemObjective, ID: id}, 1
	}
	vm := it.Metric
	manual := vm == nil || (vm.Kind == viva.MetricPercentage && (vm.Start == nil || *vm.Start == 0) &&
		(vm.Target == nil || *vm.Target == 100))
	if !manual {
		m, ok := im.metric(it)
		if ok {
			im.goal(it, &m, false)
			i.ProgressMode, i.Metric = cairn.ModeMetric, &m
			i.Current = m.Current
		} else {
			manual = true
		}
	}
	if manual {
		i.ProgressMode = cairn.ModeManual
		switch {
		case vm != nil && vm.Current != nil:
			i.Current = *vm.Current
		case it.Progress != nil:
			i.Current = *it.Progress
		default:
			if v := latestValue(it); v != nil {
				i.Current = *v
			}
		}
	}
	if i.OwnerIDs, err = im.owners(it, false); err != nil {
		return cairn.Ref{}, "", err
	}
	i.LastCheckInAt = lastCheckIn(it)
	im.statusProblem(it)
	if err := i.Validate(); err != nil {
		return cairn.Ref{}, "", err
	}
	hash := hashOf(itemRecord(it), i)
	vid := strconv.FormatInt(it.ID, 10)
	m, ok, err := im.mapped(cairn.MappingInitiative, vid)
	if err != nil {
		return cairn.Ref{}, "", err
	}
	outcome := created
	switch {
	case ok && m.Hash == hash:
		i.ID, outcome = m.CairnID, unchanged
	case ok:
		i.ID, outcome = m.CairnID, updated
		if err := im.itemChange(it, cairn.MappingInitiative, outcome, m, func() ([]string, error) {
			old, err := im.tx.InitiativeByID(im.ctx, i.ID)
			if err != nil {
				return nil, err
			}
			return initiativeFields(old, i), nil
		}); err != nil {
			return cairn.Ref{}, "", err
		}
		if err := im.write(func() error { return im.tx.UpdateInitiative(im.ctx, i) }); err != nil {
			return cairn.Ref{}, "", err
		}
	default:
		if err := im.create(&i.ID, func() error { return im.tx.CreateInitiative(im.ctx, i) }); err != nil {
			return cairn.Ref{}, "", err
		}
		if err := im.itemChange(it, cairn.MappingInitiative, outcome, m, nil); err != nil {
			return cairn.Ref{}, "", err
		}
	}
	im.count(cairn.MappingInitiative, outcome)
	ref := cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}
	pl := &placement{ref: ref, parent: i.Parent, periodID: period.ID}
	if pp := im.byRef[i.Parent]; pp != nil {
		pl.objectiveID, pl.periodID = pp.objectiveID, pp.periodID
	}
	im.place(it.ID, pl)
	im.graph(pl.periodID).Initiatives = append(im.graph(pl.periodID).Initiatives, i)
	start := 0.0
	if i.Metric != nil {
		start = i.Metric.Start
	}
	im.current[ref] = currentOf{value: i.Current, start: start}
	return ref, outcome, im.record(cairn.MappingInitiative, vid, i.ID, false, hash, itemRecord(it))
}

// place records where an item went.
func (im *importer) place(vivaID int64, p *placement) {
	im.placed[vivaID] = p
	im.byRef[p.ref] = p
}

// currentOf is the current value an import gives a key result or initiative, and the value
// its metric starts from.
type currentOf struct {
	value, start float64
}

// lastCheckIn returns when the item's latest check-in happened, or the export's last
// check-in time of it; nil when it has neither.
func lastCheckIn(it *viva.Item) *time.Time {
	var latest *time.Time
	for n := range it.CheckIns {
		at := checkInTime(&it.CheckIns[n])
		if at.IsZero() {
			continue
		}
		if latest == nil || at.After(*latest) {
			latest = &at
		}
	}
	if latest == nil && !it.LastCheckIn.IsZero() {
		t := it.LastCheckIn.UTC()
		latest = &t
	}
	return latest
}

// checkInTime is when a check-in happened: its date, at the time of day of its activity time
// when that falls on the same date.
func checkInTime(c *viva.CheckIn) time.Time {
	switch {
	case c.Date.IsZero():
		return c.ActivityAt.UTC()
	case !c.ActivityAt.IsZero() && cairn.DateOf(c.ActivityAt) == c.Date:
		return c.ActivityAt.UTC()
	default:
		return c.Date.Time()
	}
}

// statedStatus is the status an objective's owners stated in Viva Goals, which the Cairn
// objective keeps stating: the export's Status, unless it is Closed or empty.
func statedStatus(it *viva.Item) progress.Status {
	if st := progress.Status(it.Status); st.Valid() {
		return st
	}
	return ""
}

// closedAt is when an item closed in Viva Goals was closed: its latest check-in, else the end
// of its dates or of its period. The export gives no closing time; these make the same time
// on every import of the same export.
func (im *importer) closedAt(it *viva.Item) *time.Time {
	if !it.Closed() {
		return nil
	}
	if t := lastCheckIn(it); t != nil {
		return t
	}
	end := it.End
	if end.IsZero() {
		if p := im.periods[periodOf(it)]; p != nil {
			end = p.End
		}
	}
	t := end.Time().Add(24*time.Hour - time.Second)
	return &t
}

// statusProblem reports an item whose status in Viva Goals Cairn will not show: Cairn shows
// the status of a key result's or initiative's latest check-in when it gave one, and else
// works it out from the pace, which may differ.
func (im *importer) statusProblem(it *viva.Item) {
	if it.Status == viva.StatusNone || it.Closed() {
		return
	}
	var latest *viva.CheckIn
	for n := range it.CheckIns {
		c := &it.CheckIns[n]
		if latest == nil || !checkInTime(c).Before(checkInTime(latest)) {
			latest = c
		}
	}
	switch {
	case latest == nil && it.Status == viva.StatusNotStarted:
	case latest == nil:
		im.itemProblem(it, "Status", "status %s without a check-in: Cairn works the status out from the pace until the first check-in gives one", it.StatusText)
	case latest.Status == viva.StatusNone:
		im.itemProblem(it, "Status", "status %s, but its latest check-in gave none: Cairn works the status out from the pace", it.StatusText)
	case latest.Status != it.Status:
		im.itemProblem(it, "Status", "status %s, but its latest check-in (%s) says %s: Cairn shows the check-in's", it.StatusText, latest.Date, latest.StatusText)
	}
}

// goal gives a metric the goal the export says: increase, decrease, or with keyResult stay
// above or stay below. A goal the start and target contradict, or a control goal on an
// initiative, which Cairn's initiatives do not have, is reported and left to start and
// target to tell.
func (im *importer) goal(it *viva.Item, m *cairn.Metric, keyResult bool) {
	dir := it.Metric.Direction
	if dir == viva.DirectionUnknown {
		return
	}
	g := cairn.MetricGoal(dir)
	if g.Control() && !keyResult {
		im.itemProblem(it, "Goal Type", "goal %s: a Cairn initiative's metric increases or decreases, so it is measured from start to target", strings.ReplaceAll(string(g), "_", " "))
		return
	}
	test := *m
	test.Goal = g
	if err := test.Validate("metric"); err != nil {
		im.itemProblem(it, "Goal Type", "goal %s does not fit its start %g and target %g (%s); Cairn goes by start and target", strings.ReplaceAll(string(g), "_", " "), m.Start, m.Target, cairn.ErrorMessage(err))
		return
	}
	m.Goal = g
}

// milestones turns a key result's phased targets into its milestones, in date order. Phased
// targets Cairn cannot hold as milestones (outside the period, going backwards, past the
// target, more than it keeps) are reported and left out; the import's records keep them.
func (im *importer) milestones(it *viva.Item, m *cairn.Metric, period *cairn.Period) {
	pts := it.Metric.PhasedTargets
	if len(pts) == 0 {
		return
	}
	ms := make([]cairn.Milestone, 0, len(pts))
	for _, pt := range pts {
		ms = append(ms, cairn.Milestone{Date: pt.Date, Value: pt.Value})
	}
	slices.SortStableFunc(ms, func(a, b cairn.Milestone) int { return a.Date.Time().Compare(b.Date.Time()) })
	// A phased target on the period's last day at the target says what the end of the
	// period says already.
	if n := len(ms); n > 0 && ms[n-1].Date == period.End && ms[n-1].Value == m.Target {
		ms = ms[:n-1]
	}
	test := *m
	test.Milestones = ms
	err := test.Validate("metric")
	if err == nil {
		err = test.ValidateMilestonesIn("metric", period)
	}
	if err != nil {
		im.itemProblem(it, "Phased Targets", "phased targets Cairn cannot keep as milestones (%s); the import's records keep them", cairn.ErrorMessage(err))
		return
	}
	m.Milestones = test.Milestones
}

// unkept reports what Cairn has no field for, which only the import's records keep: tags.
// (The team of a key result or initiative, which Cairn places in its objective's team, is
// kept there too, unreported: nearly every Viva Goals item names one.)
func (im *importer) unkept(it *viva.Item) {
	if len(it.Tags) > 0 {
		names := make([]string, len(it.Tags))
		for n, t := range it.Tags {
			names[n] = t.Name
		}
		im.itemProblem(it, "Tags", "tags %s: Cairn has no tags, and the import's records keep them", strings.Join(names, ", "))
	}
}

// graph returns the items the import wrote into a period, with the period.
func (im *importer) graph(periodID int64) *cairn.Graph {
	g := im.graphs[periodID]
	if g == nil {
		g = &cairn.Graph{Period: im.cairnPeriods[periodID]}
		im.graphs[periodID] = g
	}
	return g
}

// compareProgress reports every item whose progress in Cairn, worked out by Cairn's rules
// from what the import wrote, differs from the export's Progress % by half a point or more.
// Cairn keeps its own rules (docs/progress.md); the problem says both values, and the
// import's records keep Viva Goals'. The usual cause is an objective that objectives align
// to: Viva Goals rolled those up into it, Cairn rolls an objective up from key results and
// initiatives only.
func (im *importer) compareProgress() {
	evs := map[int64]map[cairn.Ref]cairn.Eval{}
	for _, it := range im.exp.Items {
		p := im.placed[it.ID]
		if p == nil || it.Progress == nil || im.graphs[p.periodID] == nil || im.graphs[p.periodID].Period == nil {
			continue
		}
		ev, ok := evs[p.periodID]
		if !ok {
			ev = cairn.EvaluateGraph(im.graphs[p.periodID], im.org, im.now)
			evs[p.periodID] = ev
		}
		got, want := ev[p.ref].Progress*100, *it.Progress
		if math.Abs(got-want) < 0.5 {
			continue
		}
		why := "Cairn works it out from the values imported (docs/progress.md)"
		switch {
		case want == 100 && got > want:
			why = "Cairn does not cap progress at 100 %: it shows over-achievement (docs/progress.md)"
		case it.Kind == viva.KindObjective && latestValue(it) != nil:
			why = "Viva Goals took it from the objective's own check-ins; Cairn rolls an objective up from its key results and initiatives by their weights (docs/progress.md)"
		case it.Kind == viva.KindObjective:
			why = "Cairn rolls an objective up from its key results and initiatives by their weights, not from the objectives aligned to it (docs/progress.md)"
		}
		im.itemProblem(it, "Progress %", "progress %s in Viva Goals, %s in Cairn: %s; the import's records keep Viva Goals' value",
			percentText(want), percentText(got), why)
	}
}

// percentText writes a percentage as the problems say it: "55 %", "48.3 %".
func percentText(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10+0, 'f', -1, 64) + " %"
}
