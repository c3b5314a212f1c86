package vivaimport

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
)

// refKey is the key of a period, team or tag reference: its Viva id, else its name.
func refKey(id int64, name string) string {
	if id != 0 {
		return "id:" + strconv.FormatInt(id, 10)
	}
	return "name:" + strings.ToLower(strings.TrimSpace(name))
}

// noPeriod is the key of the period of items that name none.
const noPeriod = "none"

// periodOf returns the key of an item's period.
func periodOf(it *viva.Item) string {
	if it.Period.ID == 0 && strings.TrimSpace(it.Period.Name) == "" {
		return noPeriod
	}
	if it.Period.ID != 0 {
		return refKey(it.Period.ID, "")
	}
	return refKey(0, it.Period.Name)
}

// importPeriods finds or creates the Cairn period of every Viva period, and of the items
// that name none.
func (im *importer) importPeriods() error {
	existing, err := im.tx.ListPeriods(im.ctx)
	if err != nil {
		return err
	}
	for _, p := range existing {
		im.cairnPeriods[p.ID] = p
	}
	for _, vp := range im.exp.Periods {
		key := refKey(vp.ID, vp.Name)
		p, err := im.period(key, vp, existing)
		if err != nil {
			return fmt.Errorf("period %q: %w", vp.Name, err)
		}
		im.periods[key] = p
		if vp.ID != 0 {
			// Items of a spreadsheet name periods by name only.
			im.periods[refKey(0, vp.Name)] = p
		}
	}
	var start, end cairn.Date
	orphans := false
	for _, it := range im.exp.Items {
		if periodOf(it) == noPeriod {
			orphans = true
			start, end = widen(start, end, it.Start, it.End)
		}
	}
	if orphans {
		vp := viva.Period{Name: "Without a period in Viva Goals", Start: start, End: end, Derived: true}
		p, err := im.period(noPeriod, vp, existing)
		if err != nil {
			return fmt.Errorf("period %q: %w", vp.Name, err)
		}
		im.periods[noPeriod] = p
	}
	return nil
}

// widen returns the span from start to end widened to hold from to to.
func widen(start, end, from, to cairn.Date) (cairn.Date, cairn.Date) {
	if !from.IsZero() && (start.IsZero() || from.Before(start)) {
		start = from
	}
	if !to.IsZero() && (end.IsZero() || end.Before(to)) {
		end = to
	}
	return start, end
}

func (im *importer) period(key string, vp viva.Period, existing []*cairn.Period) (*cairn.Period, error) {
	m, ok, err := im.mapped(cairn.MappingPeriod, key)
	if err != nil {
		return nil, err
	}
	if ok {
		im.count(cairn.MappingPeriod, unchanged)
		im.periodMatched[m.CairnID] = m.Matched
		return im.cairnPeriods[m.CairnID], nil
	}
	var found *cairn.Period
	for _, p := range existing {
		if strings.EqualFold(strings.TrimSpace(p.Name), strings.TrimSpace(vp.Name)) &&
			(found == nil || (p.Start == vp.Start && p.End == vp.End)) {
			found = p
		}
	}
	if found == nil && !vp.Start.IsZero() {
		for _, p := range existing {
			if p.Start == vp.Start && p.End == vp.End {
				found = p
				break
			}
		}
	}
	if found != nil {
		// A period an earlier import created, under another key, is still the import's.
		isMatch := !im.createdByImport(cairn.MappingPeriod, found.ID)
		outcome := matched
		if !isMatch {
			outcome = unchanged
		}
		im.count(cairn.MappingPeriod, outcome)
		im.periodMatched[found.ID] = isMatch
		return found, im.record(cairn.MappingPeriod, key, found.ID, isMatch, hashOf(vp), vp)
	}
	p := &cairn.Period{Name: vp.Name, Start: vp.Start, End: vp.End}
	if p.Start.IsZero() || p.End.IsZero() {
		today := cairn.DateOf(im.now)
		p.Start, p.End = widen(p.Start, p.End, today, today)
		im.problem(viva.Position{}, "Period", "period %q has no dates in the export: it runs from %s to %s", vp.Name, p.Start, p.End)
	}
	if p.End.Before(p.Start) {
		p.Start, p.End = p.End, p.Start
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := im.create(&p.ID, func() error { return im.tx.CreatePeriod(im.ctx, p) }); err != nil {
		return nil, err
	}
	im.cairnPeriods[p.ID] = p
	im.count(cairn.MappingPeriod, created)
	im.noteChange(&Change{Kind: cairn.MappingPeriod, Outcome: created, Title: p.Name})
	return p, im.record(cairn.MappingPeriod, key, p.ID, false, hashOf(vp), vp)
}

// importTeams finds or creates a Cairn team for every Viva team. A team's owners in the
// bundle become its members; members are only ever added.
func (im *importer) importTeams() error {
	existing, err := im.tx.ListTeams(im.ctx)
	if err != nil {
		return err
	}
	byID := map[int64]*cairn.Team{}
	for _, t := range existing {
		byID[t.ID] = t
	}
	for _, vt := range im.exp.Teams {
		key := refKey(vt.ID, vt.Name)
		var owners []int64
		for _, p := range vt.Owners {
			id, err := im.person(p)
			if err != nil {
				return err
			}
			owners = appendNew(owners, id)
		}
		hash := hashOf(vt, owners)
		m, ok, err := im.mapped(cairn.MappingTeam, key)
		if err != nil {
			return err
		}
		var (
			t      *cairn.Team
			fields []string
		)
		outcome, isMatch := unchanged, false
		switch {
		case ok:
			t, isMatch = byID[m.CairnID], m.Matched
			if m.Hash != hash {
				outcome = updated
				if old, ok := im.priorData(m); ok {
					fields = teamFields(old, vt)
				}
			}
		default:
			for _, c := range existing {
				if strings.EqualFold(strings.TrimSpace(c.Name), strings.TrimSpace(vt.Name)) {
					// A team an earlier import created, under another key, is still the
					// import's, known by this key from now on.
					t, outcome, isMatch, fields = c, updated, false, []string{"Viva Id"}
					if !im.createdByImport(cairn.MappingTeam, c.ID) {
						outcome, isMatch = matched, true
					}
					break
				}
			}
		}
		if t == nil {
			t = &cairn.Team{Name: vt.Name, MemberIDs: owners}
			if err := t.Validate(); err != nil {
				return fmt.Errorf("team %q: %w", vt.Name, err)
			}
			if err := im.create(&t.ID, func() error { return im.tx.CreateTeam(im.ctx, t) }); err != nil {
				return fmt.Errorf("team %q: %w", vt.Name, err)
			}
			outcome = created
		} else if outcome != unchanged {
			before := len(t.MemberIDs)
			for _, id := range owners {
				t.MemberIDs = appendNew(t.MemberIDs, id)
			}
			if len(t.MemberIDs) > before {
				if !slices.Contains(fields, "owners") {
					fields = append(fields, "members")
				}
				if err := im.write(func() error { return im.tx.UpdateTeam(im.ctx, t) }); err != nil {
					return fmt.Errorf("team %q: %w", vt.Name, err)
				}
			}
		}
		im.count(cairn.MappingTeam, outcome)
		if outcome == created || outcome == updated {
			if len(fields) == 0 && outcome == updated {
				fields = []string{fieldMapping}
			}
			im.noteChange(&Change{Kind: cairn.MappingTeam, Outcome: outcome, VivaID: vt.ID, Title: vt.Name, Fields: fields})
		}
		im.teams[key] = t.ID
		if vt.ID != 0 {
			im.teams[refKey(0, vt.Name)] = t.ID
		}
		if err := im.record(cairn.MappingTeam, key, t.ID, isMatch, hash, vt); err != nil {
			return err
		}
	}
	return nil
}

// createdByImport reports whether an import created the Cairn row of the kind with the id.
func (im *importer) createdByImport(kind cairn.MappingKind, id int64) bool {
	for k, m := range im.maps {
		if k.kind == kind && m.CairnID == id && !m.Matched {
			return true
		}
	}
	return false
}

// team returns the Cairn team of an item's team reference. A team the export's list lacks is
// created by name.
func (im *importer) team(r viva.Ref) (int64, error) {
	if id, ok := im.teams[refKey(r.ID, r.Name)]; ok {
		return id, nil
	}
	if id, ok := im.teams[refKey(0, r.Name)]; ok {
		return id, nil
	}
	key := refKey(r.ID, r.Name)
	t := &cairn.Team{Name: r.Name}
	if err := t.Validate(); err != nil {
		return 0, fmt.Errorf("team %q: %w", r.Name, err)
	}
	m, ok, err := im.mapped(cairn.MappingTeam, key)
	if err != nil {
		return 0, err
	}
	if ok {
		im.teams[key] = m.CairnID
		im.count(cairn.MappingTeam, unchanged)
		return m.CairnID, nil
	}
	if err := im.create(&t.ID, func() error { return im.tx.CreateTeam(im.ctx, t) }); err != nil {
		return 0, err
	}
	im.teams[key] = t.ID
	im.count(cairn.MappingTeam, created)
	im.noteChange(&Change{Kind: cairn.MappingTeam, Outcome: created, VivaID: r.ID, Title: r.Name})
	return t.ID, im.record(cairn.MappingTeam, key, t.ID, false, hashOf(r), r)
}

// personKeys returns the keys that identify a person: Viva id, email and name, those the
// export gives. The name is no key of a person the export tells from another of the same name
// by id or email.
func (im *importer) personKeys(p viva.Person) []string {
	keys := personKeys(p)
	if len(keys) > 1 && im.ambiguous[keys[len(keys)-1]] {
		keys = keys[:len(keys)-1]
	}
	return keys
}

// personKeys returns the keys a person may have: Viva id, email and name, those given.
func personKeys(p viva.Person) []string {
	var keys []string
	if p.ID != 0 {
		keys = append(keys, "id:"+strconv.FormatInt(p.ID, 10))
	}
	if e := strings.ToLower(strings.TrimSpace(p.Email)); e != "" {
		keys = append(keys, "email:"+e)
	}
	if n := strings.ToLower(strings.Join(strings.Fields(p.Name), " ")); n != "" {
		keys = append(keys, "name:"+n)
	}
	return keys
}

// isPerson reports whether the export names p as one of its people, rather than as an
// integration.
func (im *importer) isPerson(p viva.Person) bool {
	for _, k := range im.personKeys(p) {
		if im.known[k] {
			return true
		}
	}
	return false
}

// person returns the Cairn user of a person, found or created as the package documentation
// says, and makes sure the user is a member of the organization.
func (im *importer) person(p viva.Person) (int64, error) {
	keys := im.personKeys(p)
	if len(keys) == 0 {
		return 0, cairn.FieldError("person", "a person without id, email or name")
	}
	for _, k := range keys {
		if id, ok := im.people[k]; ok {
			return id, im.rememberPerson(p, keys, id, false)
		}
	}
	for _, k := range keys {
		m, ok, err := im.mapped(cairn.MappingPerson, k)
		if err != nil {
			return 0, err
		}
		if ok {
			im.countPerson(m.CairnID, unchanged)
			if err := im.claimHint(p, m.CairnID); err != nil {
				return 0, err
			}
			return m.CairnID, im.rememberPerson(p, keys, m.CairnID, m.Matched)
		}
	}
	name := strings.Join(strings.Fields(p.Name), " ")
	if email := strings.TrimSpace(p.Email); email != "" {
		u, err := im.tx.UserByEmail(im.ctx, email)
		switch {
		case err == nil:
			if err := im.join(u.ID); err != nil {
				return 0, err
			}
			im.countPerson(u.ID, matched)
			im.sum.People = append(im.sum.People, &PersonNote{Name: u.Name, Email: u.Email, UserID: u.ID, How: PersonMatchedByEmail})
			return u.ID, im.rememberPerson(p, keys, u.ID, true)
		case cairn.ErrorCode(err) != cairn.ENOTFOUND:
			return 0, err
		}
	}
	if name != "" && !im.ambiguous["name:"+strings.ToLower(name)] {
		var found *cairn.Member
		n := 0
		for _, m := range im.members {
			if strings.EqualFold(strings.Join(strings.Fields(m.Name), " "), name) {
				found = m
				n++
			}
		}
		if n == 1 {
			im.countPerson(found.UserID, matched)
			im.sum.People = append(im.sum.People, &PersonNote{Name: found.Name, Email: found.Email, UserID: found.UserID, How: PersonMatchedByName})
			return found.UserID, im.rememberPerson(p, keys, found.UserID, true)
		}
	}
	u, err := im.unclaimed(p, keys[0], name)
	if err != nil {
		return 0, err
	}
	im.countPerson(u.ID, created)
	note := &PersonNote{Name: u.Name, Email: strings.TrimSpace(p.Email), UserID: u.ID, How: PersonUnclaimed}
	if im.dry {
		note.UserID = 0
	}
	im.sum.People = append(im.sum.People, note)
	return u.ID, im.rememberPerson(p, keys, u.ID, false)
}

// claimHint reports a person an earlier import made an unclaimed member although this export
// gives an email that has an account: an admin claims the member for it.
func (im *importer) claimHint(p viva.Person, userID int64) error {
	email := strings.TrimSpace(p.Email)
	if email == "" {
		return nil
	}
	for _, m := range im.members {
		if m.UserID != userID || !m.Unclaimed {
			continue
		}
		u, err := im.tx.UserByEmail(im.ctx, email)
		switch {
		case err == nil && !u.Unclaimed:
			im.problem(viva.Position{}, "Email", "%s is an unclaimed member, and %s has an account: claim the member for it (POST …/members/%d/claim)", m.Name, u.Email, userID)
		case err != nil && cairn.ErrorCode(err) != cairn.ENOTFOUND:
			return err
		}
	}
	return nil
}

// unclaimed creates, or finds again, the unclaimed user of a person, as a member.
func (im *importer) unclaimed(p viva.Person, key, name string) (*cairn.User, error) {
	if name == "" {
		name = strings.TrimSpace(p.Email)
	}
	if name == "" {
		name = "Viva Goals user " + strconv.FormatInt(p.ID, 10)
	}
	if n := []rune(name); len(n) > 200 {
		name = string(n[:200])
	}
	sum := sha256.Sum256([]byte(strconv.FormatInt(im.org.ID, 10) + "\x00" + key))
	u := &cairn.User{Email: "viva-" + hex.EncodeToString(sum[:8]) + "@" + cairn.UnclaimedDomain, Name: name, Unclaimed: true}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	// The placeholder is the same on every run: a user removed from the organization since
	// the last import is found again.
	old, err := im.tx.UserByEmail(im.ctx, u.Email)
	switch {
	case err == nil:
		u = old
	case cairn.ErrorCode(err) == cairn.ENOTFOUND:
		if err := im.create(&u.ID, func() error { return im.tx.CreateUser(im.ctx, u) }); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	return u, im.join(u.ID)
}

// join makes a user a member of the organization.
func (im *importer) join(userID int64) error {
	for _, m := range im.members {
		if m.UserID == userID {
			return nil
		}
	}
	im.members = append(im.members, &cairn.Member{OrgID: im.org.ID, UserID: userID, Role: cairn.RoleMember})
	return im.write(func() error { return im.tx.AddMember(im.ctx, userID, cairn.RoleMember) })
}

// countPerson counts a person once, however many keys and references name them.
func (im *importer) countPerson(userID int64, outcome string) {
	if im.personSeen[userID] {
		return
	}
	im.personSeen[userID] = true
	im.count(cairn.MappingPerson, outcome)
}

// rememberPerson caches the user of every key of a person and maps the keys not mapped yet.
func (im *importer) rememberPerson(p viva.Person, keys []string, userID int64, isMatch bool) error {
	for _, k := range keys {
		im.people[k] = userID
		if m, ok := im.maps[mapKey{cairn.MappingPerson, k}]; ok && m.CairnID == userID {
			continue
		}
		if err := im.record(cairn.MappingPerson, k, userID, isMatch, hashOf(p), p); err != nil {
			return err
		}
	}
	return nil
}

// fallbackOwner returns the stand-in owner of objectives that name no owner nor creator: an
// unclaimed member named so that an admin sees what to do.
func (im *importer) fallbackOwner() (int64, error) {
	if im.fallback != 0 {
		return im.fallback, nil
	}
	id, err := im.person(viva.Person{Name: "Owner unknown (Viva Goals import)"})
	im.fallback = id
	return id, err
}

// appendNew appends id unless ids holds it.
func appendNew(ids []int64, id int64) []int64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// closePeriods closes each period the import created whose Viva items were all closed.
func (im *importer) closePeriods() error {
	total := map[string]int{}
	closed := map[string]int{}
	for _, it := range im.exp.Items {
		k := periodOf(it)
		if _, ok := im.periods[k]; !ok {
			continue
		}
		total[k]++
		if it.Closed() {
			closed[k]++
		}
	}
	keys := make([]string, 0, len(total))
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	done := map[int64]bool{}
	for _, k := range keys {
		p := im.periods[k]
		if closed[k] != total[k] || done[p.ID] || p.Closed() {
			continue
		}
		done[p.ID] = true
		if im.periodMatched[p.ID] {
			im.sum.LeftOpen = append(im.sum.LeftOpen, p.Name)
			continue
		}
		at := im.now.Truncate(time.Microsecond)
		p.ClosedAt = &at
		if err := im.write(func() error { return im.tx.UpdatePeriod(im.ctx, p) }); err != nil {
			return fmt.Errorf("close period %q: %w", p.Name, err)
		}
		im.sum.ClosedPeriods = append(im.sum.ClosedPeriods, p.Name)
	}
	return nil
}
