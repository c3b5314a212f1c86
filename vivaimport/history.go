package vivaimport

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
)

// checkInRecord is a check-in as the mapping keeps it.
func checkInRecord(c viva.CheckIn) viva.CheckIn {
	c.Pos = viva.Position{}
	return c
}

// commentRecord is a comment as the mapping keeps it.
func commentRecord(c viva.Comment) viva.Comment {
	c.Pos = viva.Position{}
	return c
}

// keyer makes the keys of check-ins and comments: their Viva id when the export gives one,
// and always what identifies them without (the item, the date, the author, the value), with
// which of equal ones it is. A check-in imported from a spreadsheet export, which gives no
// ids, is so found again in a bundle.
type keyer map[string]int

func (k keyer) keys(id int64, parts ...string) []string {
	base := strings.Join(parts, "|")
	k[base]++
	key := base + "|" + strconv.Itoa(k[base])
	if id != 0 {
		return []string{"id:" + strconv.FormatInt(id, 10), key}
	}
	return []string{key}
}

// authorKey names who made a check-in or comment, for keys, as both kinds of exports name
// them: by name, else by email, else by integration.
func (im *importer) authorKey(p viva.Person, integration string) string {
	switch {
	case integration != "" && !im.isPerson(p):
		return "integration:" + strings.ToLower(integration)
	case strings.TrimSpace(p.Name) != "":
		return "name:" + strings.ToLower(strings.Join(strings.Fields(p.Name), " "))
	case p.Email != "":
		return "email:" + strings.ToLower(strings.TrimSpace(p.Email))
	case p.ID != 0:
		return "id:" + strconv.FormatInt(p.ID, 10)
	}
	return "nobody"
}

// checkInKeys are the keys of a check-in: its id, and its item, date, author and value.
func (im *importer) checkInKeys(k keyer, it *viva.Item, c *viva.CheckIn) []string {
	value := ""
	if c.Value != nil {
		value = strconv.FormatFloat(*c.Value, 'g', -1, 64)
	}
	return k.keys(c.ID, strconv.FormatInt(it.ID, 10), c.Date.String(), im.authorKey(c.Author, c.Integration), value)
}

// author returns the Cairn user who made a check-in or comment; nil for an integration's.
func (im *importer) author(p viva.Person, integration string) (*int64, error) {
	if p.IsZero() || (integration != "" && !im.isPerson(p)) {
		return nil, nil
	}
	id, err := im.person(p)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// checkInStatus maps a Viva status onto the statuses a Cairn check-in may give; Closed has
// none and lets Cairn compute it.
func checkInStatus(s viva.Status) string {
	switch s {
	case viva.StatusNotStarted, viva.StatusOnTrack, viva.StatusBehind, viva.StatusAtRisk:
		return string(s)
	}
	return ""
}

// history imports the check-ins of an item, and then sets the current value of a key result
// or initiative that was there already when it or its check-ins changed. It reports whether
// it created or updated a check-in.
func (im *importer) history(it *viva.Item, ref cairn.Ref, outcome string) (bool, error) {
	if ref.Type == cairn.ItemObjective {
		return im.objectiveCheckIns(it, ref)
	}
	cur := im.current[ref]
	prev := cur.start
	keys := keyer{}
	changed := false
	for n := range it.CheckIns {
		c := &it.CheckIns[n]
		ks := im.checkInKeys(keys, it, c)
		at := checkInTime(c)
		if at.IsZero() {
			return false, cairn.FieldError("Checkins", "a check-in has no date")
		}
		value := prev
		if c.Value != nil {
			value = *c.Value
		}
		prev = value
		ci := &cairn.CheckIn{Item: ref, Value: value, Status: checkInStatus(c.Status), CreatedAt: at,
			Source: cairn.CheckInManual}
		if viva.IsAzureDevOps(c.Integration) {
			ci.Source = cairn.CheckInAzureDevOps
		}
		ci.Note = im.note(it, c)
		var err error
		if ci.AuthorID, err = im.author(c.Author, c.Integration); err != nil {
			return false, err
		}
		if err := ci.Validate(); err != nil {
			return false, fmt.Errorf("check-in of %s: %w", c.Date, err)
		}
		o, m, err := im.put(cairn.MappingCheckIn, ks, checkInRecord(*c), ci, &ci.ID,
			func() error { return im.tx.AddCheckIn(im.ctx, ci) },
			func() error { return im.tx.UpdateCheckIn(im.ctx, ci) })
		if err != nil {
			return false, err
		}
		im.checkInChange(cairn.MappingCheckIn, it, c, o, m)
		changed = changed || o != unchanged
	}
	// A new item was stored with its current value and last check-in time.
	if outcome == created || (outcome == unchanged && !changed) {
		return changed, nil
	}
	latest := lastCheckIn(it)
	if !im.dry {
		// Someone may have checked in on Cairn since the last import: their value stands.
		var last *time.Time
		if ref.Type == cairn.ItemKeyResult {
			k, err := im.tx.KeyResultByID(im.ctx, ref.ID)
			if err != nil {
				return false, err
			}
			last = k.LastCheckInAt
		} else {
			i, err := im.tx.InitiativeByID(im.ctx, ref.ID)
			if err != nil {
				return false, err
			}
			last = i.LastCheckInAt
		}
		if last != nil && (latest == nil || last.After(*latest)) {
			return changed, nil
		}
	}
	return changed, im.write(func() error { return im.tx.SetCurrent(im.ctx, ref, cur.value, latest) })
}

// note returns a check-in's note as Cairn keeps it.
func (im *importer) note(it *viva.Item, c *viva.CheckIn) string {
	note := strings.TrimSpace(c.Note)
	if len(note) <= maxNote {
		return note
	}
	cut := maxNote - len("…")
	for cut > 0 && !utf8Start(note[cut]) {
		cut--
	}
	im.problem(c.Pos, "Note", "Id %d: the note of the check-in of %s is longer than Cairn keeps (%d bytes); it is cut, and kept whole in the import's records", it.ID, c.Date, maxNote)
	return note[:cut] + "…"
}

// put creates, updates or leaves alone the Cairn row of a check-in or comment, found by the
// first of its keys that is mapped, and maps every key. row is the Cairn row without its id,
// whose hash tells whether it changed. It returns what it did, and the mapping it found.
func (im *importer) put(kind cairn.MappingKind, keys []string, record, row any, id *int64, add, update func() error) (string, *cairn.ImportMapping, error) {
	hash := hashOf(record, row)
	var (
		m   *cairn.ImportMapping
		ok  bool
		err error
	)
	for _, key := range keys {
		if m, ok, err = im.mapped(kind, key); err != nil || ok {
			break
		}
	}
	if err != nil {
		return "", nil, err
	}
	outcome := created
	switch {
	case ok && m.Hash == hash:
		*id, outcome = m.CairnID, unchanged
	case ok:
		*id, outcome = m.CairnID, updated
		if err := im.write(update); err != nil {
			return "", nil, err
		}
	default:
		if err := im.create(id, add); err != nil {
			return "", nil, err
		}
	}
	im.count(kind, outcome)
	// The mapping found, before record replaces it.
	var found *cairn.ImportMapping
	if ok {
		c := *m
		found = &c
	}
	for _, key := range keys {
		if err := im.record(kind, key, *id, false, hash, record); err != nil {
			return "", nil, err
		}
	}
	return outcome, found, nil
}

// objectiveCheckIns keeps an objective's check-ins as comments on it, since Cairn's objectives
// take none: their progress rolls up. It reports whether it created or updated one.
func (im *importer) objectiveCheckIns(it *viva.Item, ref cairn.Ref) (bool, error) {
	keys := keyer{}
	changed := false
	for n := range it.CheckIns {
		c := &it.CheckIns[n]
		ks := im.checkInKeys(keys, it, c)
		at := checkInTime(c)
		if at.IsZero() {
			return false, cairn.FieldError("Checkins", "a check-in has no date")
		}
		var facts []string
		if c.ValueText != "" {
			facts = append(facts, c.ValueText)
		} else if c.Value != nil {
			facts = append(facts, strconv.FormatFloat(*c.Value, 'g', -1, 64))
		}
		if c.StatusText != "" {
			facts = append(facts, c.StatusText)
		}
		if c.Integration != "" {
			facts = append(facts, "by "+c.Integration)
		}
		body := "Viva Goals check-in of " + c.Date.String()
		if len(facts) > 0 {
			body += ": " + strings.Join(facts, " · ")
		}
		if note := strings.TrimSpace(c.Note); note != "" {
			body += "\n\n" + note
		}
		cm := &cairn.Comment{Item: ref, Body: im.cut(it, c.Pos, "Note", body), CreatedAt: at}
		var err error
		if cm.AuthorID, err = im.author(c.Author, c.Integration); err != nil {
			return false, err
		}
		if err := cm.Validate(); err != nil {
			return false, fmt.Errorf("check-in of %s: %w", c.Date, err)
		}
		o, m, err := im.put(cairn.MappingObjectiveCheckIn, ks, checkInRecord(*c), cm, &cm.ID,
			func() error { return im.tx.AddComment(im.ctx, cm) },
			func() error { return im.tx.UpdateComment(im.ctx, cm) })
		if err != nil {
			return false, err
		}
		im.checkInChange(cairn.MappingObjectiveCheckIn, it, c, o, m)
		changed = changed || o != unchanged
	}
	return changed, nil
}

// cut cuts a comment's body to what Cairn keeps, reporting it.
func (im *importer) cut(it *viva.Item, pos viva.Position, column, body string) string {
	if len(body) <= cairn.MaxCommentLength {
		return body
	}
	cut := cairn.MaxCommentLength - len("…")
	for cut > 0 && !utf8Start(body[cut]) {
		cut--
	}
	im.problem(pos, column, "Id %d: a comment is longer than Cairn keeps (%d bytes); it is cut, and kept whole in the import's records", it.ID, cairn.MaxCommentLength)
	return body[:cut] + "…"
}

// comments imports an item's comments, and reports whether it created or updated one.
func (im *importer) comments(it *viva.Item, ref cairn.Ref) (bool, error) {
	keys := keyer{}
	changed := false
	for n := range it.Comments {
		c := &it.Comments[n]
		ks := keys.keys(c.ID, strconv.FormatInt(it.ID, 10), c.CreatedAt.UTC().Format(time.RFC3339Nano), im.authorKey(c.Author, ""))
		if strings.TrimSpace(c.Text) == "" {
			im.problem(c.Pos, "Comment", "Id %d: an empty comment is left out", it.ID)
			continue
		}
		// A comment the export gives no time has its item's; one whose item has none either
		// gets the time of the import that stores it.
		at := c.CreatedAt.UTC()
		if at.IsZero() {
			at = it.CreatedAt.UTC()
		}
		cm := &cairn.Comment{Item: ref, Body: im.cut(it, c.Pos, "Comment", strings.TrimSpace(c.Text)), CreatedAt: at}
		var err error
		if cm.AuthorID, err = im.author(c.Author, ""); err != nil {
			return false, err
		}
		if err := cm.Validate(); err != nil {
			return false, fmt.Errorf("comment: %w", err)
		}
		o, m, err := im.put(cairn.MappingComment, ks, commentRecord(*c), cm, &cm.ID,
			func() error { return im.tx.AddComment(im.ctx, cm) },
			func() error { return im.tx.UpdateComment(im.ctx, cm) })
		if err != nil {
			return false, err
		}
		im.commentChange(it, c, o, m)
		changed = changed || o != unchanged
	}
	return changed, nil
}
