package viva

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// entity is the kind of records a bundle file holds.
type entity int

// The bundle's files, in the order they are read: people, teams, periods and tags before the
// items that name them, items before their check-ins and comments.
const (
	entityUsers entity = iota
	entityTeams
	entityPeriods
	entityTags
	entityObjectives
	entityCheckIns
	entityComments
	entityCount
)

// entityPrefixes are the squashed file name prefixes of each entity.
var entityPrefixes = [entityCount]string{"user", "team", "timeperiod", "tag", "objective", "checkin", "comment"}

// classify tells which entity a bundle file holds from its name, such as "objectives_1.json".
func classify(name string) (entity, bool) {
	base := path.Base(name)
	if !strings.EqualFold(path.Ext(base), ".json") || strings.HasPrefix(base, ".") {
		return 0, false
	}
	key := squash(strings.TrimSuffix(base, path.Ext(base)))
	for e, prefix := range entityPrefixes {
		if strings.HasPrefix(key, prefix) {
			return entity(e), true
		}
	}
	return 0, false
}

// ReadBundleZip reads a JSON bundle from a .zip archive of size bytes.
func ReadBundleZip(r io.ReaderAt, size int64, opts Options) (*Export, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("read bundle: not a zip archive: %w", err)
	}
	return ReadBundle(zr, opts)
}

// ReadBundle reads the JSON data export: the files objectives_*.json, checkins_*.json,
// comments_*.json, Teams_*.json, Tags_*.json, TimePeriods_*.json and Users_*.json, anywhere in
// fsys (a folder through os.DirFS, or a *zip.Reader). File names are matched without regard to
// case, and an entity may be split over several files. Each file holds a JSON array of records;
// the fields each record may have are described in the package documentation. Only the
// objectives files are required.
func ReadBundle(fsys fs.FS, opts Options) (*Export, error) {
	p := newProblems(opts.MaxProblems)
	var files [entityCount][]string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name != "." && (d.Name() == "__MACOSX" || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if e, ok := classify(name); ok {
			files[e] = append(files[e], name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	if len(files[entityObjectives]) == 0 {
		return nil, one(&RowError{File: "objectives_*.json", Message: "the bundle has no objectives file, so it is not a Viva Goals JSON export"})
	}

	// Read every file first, so that progress knows the total.
	var records [entityCount][]*record
	total := 0
	for e := range files {
		for _, name := range files[e] {
			recs, err := readRecords(fsys, name, p, &opts)
			if err != nil {
				return nil, err
			}
			records[e] = append(records[e], recs...)
			total += len(recs)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}

	b := &bundle{e: &Export{Format: FormatBundle}, p: p, opts: &opts, total: total, failed: map[int64]bool{}}
	b.opts.progress(0, total)
	b.each(records[entityUsers], b.user)
	b.each(records[entityTeams], b.team)
	b.each(records[entityPeriods], b.period)
	b.each(records[entityTags], b.tag)
	b.each(records[entityObjectives], b.item)
	b.byID = map[int64]*Item{}
	for _, it := range b.e.Items {
		if _, dup := b.byID[it.ID]; !dup {
			b.byID[it.ID] = it
		}
	}
	b.each(records[entityCheckIns], b.checkIn)
	b.each(records[entityComments], b.comment)
	if p.full() && b.done < total {
		p.truncated = true
	}
	finalize(b.e, p, &opts, bundleColumns, b.failed)
	if err := p.err(); err != nil {
		return nil, err
	}
	return b.e, nil
}

// readRecords reads one bundle file: a JSON array of objects.
func readRecords(fsys fs.FS, name string, p *problems, opts *Options) ([]*record, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(&capped{r: f, left: opts.maxFileSize()})
	if errors.Is(err, errTooLarge) {
		p.add(&RowError{File: name, Message: fmt.Sprintf("the file is larger than %d bytes", opts.maxFileSize())})
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read bundle: %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syn *json.SyntaxError
		msg := "the file is not a JSON array of records"
		if errors.As(err, &syn) {
			msg = fmt.Sprintf("the file is not valid JSON (at byte %d: %v)", syn.Offset, syn)
		}
		p.add(&RowError{File: name, Message: msg})
		return nil, nil
	}
	out := make([]*record, 0, len(raw))
	for i, m := range raw {
		r := &record{file: name, row: i + 1, p: p, opts: opts}
		if !r.load(m) {
			p.add(&RowError{File: name, Row: i + 1, Message: "the record is not a JSON object"})
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// bundle turns records into an Export.
type bundle struct {
	e    *Export
	p    *problems
	opts *Options
	byID map[int64]*Item
	// failed holds the Ids of items left out for their own problems.
	failed map[int64]bool
	done   int
	total  int
}

func (b *bundle) each(recs []*record, fn func(*record)) {
	for _, r := range recs {
		if b.p.full() {
			return
		}
		fn(r)
		b.done++
		b.opts.progress(b.done, b.total)
	}
}

func (b *bundle) user(r *record) {
	p := r.personFields()
	if p.IsZero() {
		r.fail("Name", "the user has neither Id, name nor email")
		return
	}
	b.e.People = append(b.e.People, p)
}

func (b *bundle) team(r *record) {
	t := Team{
		ID:          r.id(false, "ID"),
		Name:        r.text("Team Name", "Name"),
		Parent:      r.name("Parent Team", "Parent"),
		Owners:      r.people("Team Owners", "Owners"),
		Type:        r.text("Team Type", "Type"),
		Status:      r.text("Status"),
		Description: r.text("Description"),
	}
	if t.Name == "" {
		r.fail("Team Name", "the team has no name")
		return
	}
	b.e.Teams = append(b.e.Teams, t)
}

func (b *bundle) period(r *record) {
	pd := Period{
		ID:    r.id(false, "ID"),
		Name:  r.text("Time Period Name", "Name"),
		Start: r.date("Start Date", "Start"),
		End:   r.date("End Date", "End"),
	}
	if pd.Name == "" {
		r.fail("Time Period Name", "the time period has no name")
		return
	}
	if !pd.Start.IsZero() && !pd.End.IsZero() && pd.End.Before(pd.Start) {
		r.fail("End Date", "the end date %s is before the start date %s", pd.End, pd.Start)
		return
	}
	b.e.Periods = append(b.e.Periods, pd)
}

func (b *bundle) tag(r *record) {
	t := Tag{ID: r.id(false, "ID"), Name: r.text("Tag Name", "Name")}
	if t.Name == "" && t.ID == 0 {
		r.fail("Tag Name", "the tag has no name")
		return
	}
	b.e.Tags = append(b.e.Tags, t)
}

func (b *bundle) item(r *record) {
	bad := b.p.n
	it := &Item{Pos: Position{File: r.file, Row: r.row}}
	it.ID = r.id(true, "ID", "Id")
	it.TypeText = r.text("Type", "Object Type")
	if k, err := parseKind(it.TypeText, r.opts.KindNames); err != nil {
		r.fail("Type", "%v", err)
	} else {
		it.Kind = k
	}
	it.Title = collapseSpace(r.text("Title"))
	if it.Title == "" {
		r.fail("Title", "the title is empty")
	}
	it.Description = r.text("Description")
	it.Creator = r.person("Created By", "Creator")
	it.Owners = r.people("Owner", "Owners")
	it.CheckInOwners = r.people("Check-in Owners", "Checkin Owners")
	it.Teams = r.refs("Teams", "Team")
	it.Tags = r.refs("Tags")
	if refs := r.refs("Time Period", "Period"); len(refs) > 0 {
		it.Period = refs[0]
	}
	it.Start = r.date("Start Date")
	it.End = r.date("End Date")
	if !it.Start.IsZero() && !it.End.IsZero() && it.End.Before(it.Start) {
		r.fail("End Date", "the end date %s is before the start date %s", it.End, it.Start)
	}
	it.Alignments = r.alignments()
	if cfg := r.object("Progress and Status Configuration"); cfg != nil {
		it.ProgressRule = cfg.text("Progress")
		it.StatusRule = cfg.text("Status")
		it.DataSource = dataSourceName(cfg.name("Data Source", "Integration", "Source"))
		cfg.done()
	}
	it.ProgressSource = progressSource(it.ProgressRule, it.DataSource)
	it.Progress, _ = r.number("Progress", "Progress %")
	it.StatusText = collapseSpace(r.text("Status"))
	if s, err := parseStatus(it.StatusText); err != nil {
		r.fail("Status", "%v", err)
	} else {
		it.Status = s
	}
	it.Score = r.score("Score")
	it.GoalType = collapseSpace(r.text("Goal Type"))
	dir, aspirational, known := goalType(it.GoalType)
	it.Aspirational = aspirational
	if !known {
		b.e.Warnings = append(b.e.Warnings, &RowError{File: r.file, Row: r.row, Column: "Goal Type",
			Message: fmt.Sprintf("Goal Type %s is not one Cairn knows; it is kept as written", quote(it.GoalType))})
	}
	it.Metric = r.metric(dir)
	it.CreatedAt = r.time("Created At")
	it.LastCheckIn = r.time("Last Check-in", "Last Checkin")
	it.LastCheckInNote = r.text("Last Check-in Note")
	r.skip("Children") // the alignments of the children say the same
	it.Extra = r.extra()
	if b.p.n > bad {
		if it.ID != 0 {
			b.failed[it.ID] = true
		}
		return
	}
	b.e.Items = append(b.e.Items, it)
}

// progressSource reads the bundle's progress rule and data source.
func progressSource(rule, dataSource string) ProgressSource {
	k := squash(rule)
	switch {
	case dataSource != "" || strings.Contains(k, "datasource") || strings.Contains(k, "integration"):
		return ProgressIntegration
	case strings.Contains(k, "children") || strings.Contains(k, "rollup") || strings.Contains(k, "aligned"):
		return ProgressChildren
	case strings.Contains(k, "automatic"):
		return ProgressIntegration
	case strings.Contains(k, "manual") || strings.Contains(k, "checkin"):
		return ProgressManual
	}
	return ProgressUnknown
}

func (b *bundle) checkIn(r *record) {
	bad := b.p.n
	okr := r.id(true, "OKR ID", "Objective ID", "Item ID")
	c := CheckIn{ID: r.id(false, "ID"), Pos: Position{File: r.file, Row: r.row}}
	c.Date = r.date("CheckIn Date", "Checkin Date", "Date")
	if c.Date.IsZero() && b.p.n == bad {
		r.fail("CheckIn Date", "the check-in has no date")
	}
	c.Author = r.person("Check In Owner", "Checkin Owner", "User", "Owner", "Created By")
	if note := r.object("Check In Note", "Checkin Note", "Note"); note != nil {
		c.Note = note.text("Check In Note", "Checkin Note", "Note", "Text")
		c.NoteHTML = note.text("Check In Note HTML", "Checkin Note HTML", "Note HTML", "HTML")
		note.done()
	} else {
		c.Note = r.text("Check In Note", "Checkin Note", "Note")
	}
	c.MetricName = collapseSpace(r.text("Metric Name"))
	c.StatusText = collapseSpace(r.text("Status"))
	var err error
	if c.Status, err = parseStatus(c.StatusText); err != nil {
		r.fail("Status", "%v", err)
	}
	c.Value, c.ValueText = r.value("Current Value", "Value")
	c.ActivityAt = r.time("Activity Date")
	c.Integration = detectIntegration(c.Author.Name, c.Note, r.opts.IntegrationNames)
	r.done()
	if b.p.n > bad {
		return
	}
	it, ok := b.byID[okr]
	switch {
	case b.failed[okr]:
		return
	case !ok && b.opts.DropDangling:
		b.e.Warnings = append(b.e.Warnings, &RowError{File: r.file, Row: r.row, Column: "OKR ID", Message: fmt.Sprintf("dropped the check-in of Id %d, which is not in the export", okr)})
		return
	case !ok:
		r.fail("OKR ID", "the check-in is of Id %d, which is not in the export", okr)
		return
	}
	if c.Integration == "" && c.Author.IsZero() && it.DataSource != "" {
		// A check-in nobody made on an item a data source drove is the data source's.
		c.Integration = it.DataSource
	}
	it.CheckIns = append(it.CheckIns, c)
}

func (b *bundle) comment(r *record) {
	bad := b.p.n
	okr := r.id(true, "OKR ID", "Objective ID", "Item ID")
	c := Comment{ID: r.id(false, "ID"), Pos: Position{File: r.file, Row: r.row}}
	if obj := r.object("Comment"); obj != nil {
		c.Text = obj.text("Comment", "Text")
		obj.done()
	} else {
		c.Text = r.text("Comment", "Text")
	}
	c.Author = r.person("Created By", "Author", "User")
	c.CreatedAt = r.time("Created At", "Date")
	r.done()
	if b.p.n > bad {
		return
	}
	it, ok := b.byID[okr]
	switch {
	case b.failed[okr]:
		return
	case !ok && b.opts.DropDangling:
		b.e.Warnings = append(b.e.Warnings, &RowError{File: r.file, Row: r.row, Column: "OKR ID", Message: fmt.Sprintf("dropped the comment on Id %d, which is not in the export", okr)})
		return
	case !ok:
		r.fail("OKR ID", "the comment is on Id %d, which is not in the export", okr)
		return
	}
	it.Comments = append(it.Comments, c)
}

// record is one JSON object of a bundle file, read field by field. Field names are matched
// without regard to case, spaces and punctuation ("CheckIn Date" is "Check-in Date"), and every
// problem is placed at the file, the record and the field.
type record struct {
	file   string
	row    int
	prefix string // the path of a nested object, such as "Outcome."
	fields map[string]json.RawMessage
	names  map[string]string // squashed name → name as written
	used   map[string]bool
	p      *problems
	opts   *Options
}

// load reads raw into the record and reports whether it is a JSON object.
func (r *record) load(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	if jsonKind(raw) != '{' || json.Unmarshal(raw, &m) != nil {
		return false
	}
	r.fields = make(map[string]json.RawMessage, len(m))
	r.names = make(map[string]string, len(m))
	r.used = map[string]bool{}
	for k, v := range m {
		r.fields[squash(k)] = v
		r.names[squash(k)] = k
	}
	return true
}

func (r *record) fail(field, format string, args ...any) {
	r.p.add(&RowError{File: r.file, Row: r.row, Column: r.prefix + field, Message: fmt.Sprintf(format, args...)})
}

// get returns the first of the fields present and not null, and its name as written.
func (r *record) get(keys ...string) (json.RawMessage, string) {
	for _, k := range keys {
		sk := squash(k)
		v, ok := r.fields[sk]
		if !ok {
			continue
		}
		r.used[sk] = true
		if jsonKind(v) == 'n' {
			continue
		}
		return v, r.names[sk]
	}
	return nil, ""
}

func (r *record) skip(keys ...string) {
	for _, k := range keys {
		r.used[squash(k)] = true
	}
}

// done marks every field used: the caller read all it wanted of a nested object.
func (r *record) done() {
	for k := range r.fields {
		r.used[k] = true
	}
}

// jsonKind returns the first byte of a JSON value: '{', '[', '"', 'n', 't', 'f' or a digit/'-'.
func jsonKind(v json.RawMessage) byte {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

// text reads a string field; a number or boolean is taken as its text.
func (r *record) text(keys ...string) string {
	v, name := r.get(keys...)
	if v == nil {
		return ""
	}
	switch jsonKind(v) {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			return strings.TrimSpace(s)
		}
	case 't', 'f':
		return string(bytes.TrimSpace(v))
	case '{', '[':
		r.fail(name, "want text, not a JSON %s", jsonTypeName(v))
		return ""
	default:
		return string(bytes.TrimSpace(v))
	}
	r.fail(name, "cannot read the text")
	return ""
}

// name reads a field that names something: a string, or an object with a Name field.
func (r *record) name(keys ...string) string {
	v, name := r.get(keys...)
	if v == nil {
		return ""
	}
	switch jsonKind(v) {
	case '{':
		sub := r.sub(name, v)
		if sub == nil {
			return ""
		}
		defer sub.done()
		for _, k := range []string{"Name", "Title", "Type", "Team Name", "Integration", "Source", "Provider"} {
			if s := sub.text(k); s != "" {
				return s
			}
		}
		return ""
	case 't':
		return "Integration"
	case 'f':
		return ""
	}
	return r.text(name)
}

func jsonTypeName(v json.RawMessage) string {
	switch jsonKind(v) {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// id reads a Viva Id: a JSON number, or a string of digits.
func (r *record) id(required bool, keys ...string) int64 {
	v, name := r.get(keys...)
	if v == nil {
		if required {
			r.fail(keys[0], "the Id is missing")
		}
		return 0
	}
	return r.idValue(name, v)
}

func (r *record) idValue(field string, v json.RawMessage) int64 {
	text := string(bytes.TrimSpace(v))
	switch jsonKind(v) {
	case '"':
		_ = json.Unmarshal(v, &text)
	case '{', '[', 't', 'f', 'n':
		r.fail(field, "want an Id, not a JSON %s", jsonTypeName(v))
		return 0
	}
	id, err := parseID(text)
	if err != nil {
		r.fail(field, "%v", err)
		return 0
	}
	return id
}

// number reads a number: a JSON number, or text ParseNumber reads.
func (r *record) number(keys ...string) (*float64, MetricKind) {
	v, text := r.value(keys...)
	if v == nil {
		return nil, ""
	}
	_, _, kind, _ := parseNumber(text)
	return v, kind
}

// value reads a number and also returns it as written.
func (r *record) value(keys ...string) (*float64, string) {
	v, name := r.get(keys...)
	if v == nil {
		return nil, ""
	}
	var text string
	switch jsonKind(v) {
	case '"':
		_ = json.Unmarshal(v, &text)
	case '{', '[', 't', 'f':
		r.fail(name, "want a number, not a JSON %s", jsonTypeName(v))
		return nil, ""
	default:
		text = string(bytes.TrimSpace(v))
	}
	f, ok, _, err := parseNumber(text)
	if err != nil {
		r.fail(name, "%v", err)
		return nil, text
	}
	if !ok {
		return nil, text
	}
	return &f, strings.TrimSpace(text)
}

func (r *record) score(keys ...string) *float64 {
	v, name := r.get(keys...)
	if v == nil {
		return nil
	}
	var text string
	if jsonKind(v) == '"' {
		_ = json.Unmarshal(v, &text)
	} else {
		text = string(bytes.TrimSpace(v))
	}
	s, err := parseScore(text)
	if err != nil {
		r.fail(name, "%v", err)
	}
	return s
}

func (r *record) date(keys ...string) cairn.Date {
	t := r.time(keys...)
	if t.IsZero() {
		return cairn.Date{}
	}
	return cairn.DateOf(t)
}

func (r *record) time(keys ...string) time.Time {
	v, name := r.get(keys...)
	if v == nil {
		return time.Time{}
	}
	var s string
	if jsonKind(v) != '"' || json.Unmarshal(v, &s) != nil {
		r.fail(name, "want a date, not a JSON %s", jsonTypeName(v))
		return time.Time{}
	}
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, err := parseTime(s, r.opts.DayFirst, r.opts.Location)
	if err != nil {
		r.fail(name, "%v", err)
	}
	return t
}

// sub makes a record of a nested object, for messages that name the path to the field.
func (r *record) sub(name string, v json.RawMessage) *record {
	s := &record{file: r.file, row: r.row, prefix: r.prefix + name + ".", p: r.p, opts: r.opts}
	if !s.load(v) {
		r.fail(name, "want a JSON object, not a JSON %s", jsonTypeName(v))
		return nil
	}
	return s
}

// object returns a nested object field, or nil when the field is missing, null or not an object
// (then the caller may read it as something else).
func (r *record) object(keys ...string) *record {
	for _, k := range keys {
		sk := squash(k)
		v, ok := r.fields[sk]
		if !ok || jsonKind(v) != '{' {
			continue
		}
		r.used[sk] = true
		return r.sub(r.names[sk], v)
	}
	return nil
}

// array returns the elements of an array field; a lone object counts as an array of one.
func (r *record) array(keys ...string) ([]json.RawMessage, string) {
	v, name := r.get(keys...)
	if v == nil {
		return nil, ""
	}
	switch jsonKind(v) {
	case '{', '"':
		return []json.RawMessage{v}, name
	case '[':
		var out []json.RawMessage
		if err := json.Unmarshal(v, &out); err != nil {
			r.fail(name, "cannot read the array")
			return nil, name
		}
		return out, name
	}
	r.fail(name, "want a list, not a JSON %s", jsonTypeName(v))
	return nil, name
}

// personFields reads a person from the record's own fields.
func (r *record) personFields() Person {
	p := Person{
		ID:    r.id(false, "ID", "User ID"),
		Name:  collapseSpace(r.text("Name", "Display Name", "Full Name")),
		Email: strings.TrimSpace(r.text("Email", "Email Address", "Mail")),
	}
	r.extra() // a user's teams, manager, role and the like are not needed
	return p
}

// person reads a person field: an object with ID, Name and Email, or a name.
func (r *record) person(keys ...string) Person {
	ps := r.peopleOf(keys...)
	if len(ps) == 0 {
		return Person{}
	}
	return ps[0]
}

// people reads a list of people: objects or names, or one of them alone.
func (r *record) people(keys ...string) []Person {
	return r.peopleOf(keys...)
}

func (r *record) peopleOf(keys ...string) []Person {
	elems, name := r.array(keys...)
	var out []Person
	for i, v := range elems {
		switch jsonKind(v) {
		case '{':
			sub := r.sub(fmt.Sprintf("%s[%d]", name, i), v)
			if sub == nil {
				continue
			}
			if p := sub.personFields(); !p.IsZero() {
				out = append(out, p)
			}
		case '"':
			var s string
			_ = json.Unmarshal(v, &s)
			for _, n := range ParseNames(s) {
				out = append(out, Person{Name: n})
			}
		case 'n':
		default:
			r.fail(fmt.Sprintf("%s[%d]", name, i), "want a person, not a JSON %s", jsonTypeName(v))
		}
	}
	return out
}

// refs reads a list of references to teams, periods or tags: objects with an Id and a name, or
// names.
func (r *record) refs(keys ...string) []Ref {
	elems, name := r.array(keys...)
	var out []Ref
	for i, v := range elems {
		switch jsonKind(v) {
		case '{':
			sub := r.sub(fmt.Sprintf("%s[%d]", name, i), v)
			if sub == nil {
				continue
			}
			ref := Ref{ID: sub.id(false, "ID"), Name: collapseSpace(sub.text("Name", "Tag Name", "Team Name", "Time Period Name", "Title"))}
			sub.done()
			if ref.ID != 0 || ref.Name != "" {
				out = append(out, ref)
			}
		case '"':
			var s string
			_ = json.Unmarshal(v, &s)
			if s = collapseSpace(s); s != "" {
				out = append(out, Ref{Name: s})
			}
		case 'n':
		default:
			r.fail(fmt.Sprintf("%s[%d]", name, i), "want a name or an object, not a JSON %s", jsonTypeName(v))
		}
	}
	return out
}

// alignments reads Alignment (objects with ID, Title and Weight) and adds the Parent IDs that
// Alignment does not list, without a weight.
func (r *record) alignments() []Alignment {
	var out []Alignment
	seen := map[int64]bool{}
	elems, name := r.array("Alignment", "Alignments", "Aligned To")
	for i, v := range elems {
		field := fmt.Sprintf("%s[%d]", name, i)
		if jsonKind(v) == '"' {
			var s string
			_ = json.Unmarshal(v, &s)
			as, err := ParseAlignments(s)
			if err != nil {
				r.fail(field, "%v", err)
			}
			for _, a := range as {
				if !seen[a.ParentID] {
					seen[a.ParentID] = true
					out = append(out, a)
				}
			}
			continue
		}
		sub := r.sub(field, v)
		if sub == nil {
			continue
		}
		a := Alignment{ParentID: sub.id(true, "ID", "Id", "Parent ID"), ParentTitle: collapseSpace(sub.text("Title", "Name"))}
		if wv, wname := sub.get("Weight"); wv != nil {
			var text string
			if jsonKind(wv) == '"' {
				_ = json.Unmarshal(wv, &text)
			} else {
				text = string(bytes.TrimSpace(wv))
			}
			if w, err := parseWeight(text); err != nil {
				sub.fail(wname, "%v", err)
			} else {
				a.Weight = &w
			}
		}
		sub.done()
		if a.ParentID == 0 || seen[a.ParentID] {
			continue
		}
		seen[a.ParentID] = true
		out = append(out, a)
	}
	ids, name := r.array("Parent IDs", "Parent Ids", "Parents")
	for i, v := range ids {
		id := r.idValue(fmt.Sprintf("%s[%d]", name, i), v)
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, Alignment{ParentID: id})
		}
	}
	return out
}

// metric reads the Outcome object (or, failing that, the record's own metric fields) and the
// phased targets.
func (r *record) metric(goalDir Direction) *Metric {
	src := r.object("Outcome")
	if src == nil {
		src = r
	}
	m := &Metric{
		Name: collapseSpace(src.text("Metric Name", "Name")),
		Unit: collapseSpace(src.text("Metric Unit", "Unit")),
	}
	outcomeType := src.text("Outcome Type")
	if src != r {
		outcomeType = src.text("Outcome Type", "Type")
	}
	var k1, k2, k3 MetricKind
	m.Start, k1 = src.number("Start", "Start Value")
	m.Target, k2 = src.number("Target", "Target Value")
	m.Current, k3 = src.number("Current Value", "Current", "Actual Progress", "Actual")
	m.TargetType = collapseSpace(src.text("Target Type"))
	if src != r {
		src.done()
		if m.Current == nil {
			m.Current, k3 = r.number("Current Value", "Actual Progress")
		}
	}
	m.PhasedTargets = r.phasedTargets()
	if outcomeType == "" && m.Name == "" && m.Unit == "" && m.Start == nil && m.Target == nil && m.Current == nil && len(m.PhasedTargets) == 0 {
		return nil
	}
	if squash(outcomeType) == "percentage" && m.Unit == "" {
		m.Unit = "%"
	}
	m.Kind = metricKind(m.Unit, k1, k2, k3)
	m.Direction = goalDir
	if d, _, _ := goalType(m.TargetType); d != DirectionUnknown {
		m.Direction = d
	}
	if m.Direction == DirectionUnknown {
		m.Direction = inferDirection(m.Start, m.Target)
	}
	return m
}

// phasedTargets reads "Phased Targets": "Disabled", a list of {Target Value, Target Date}, or an
// object with such a list under "Phased Targets".
func (r *record) phasedTargets() []PhasedTarget {
	v, name := r.get("Phased Targets")
	if v == nil {
		return nil
	}
	switch jsonKind(v) {
	case '"':
		return nil // "Disabled"
	case '{':
		sub := r.sub(name, v)
		if sub == nil {
			return nil
		}
		defer sub.done()
		return sub.phasedTargets()
	}
	elems, _ := r.array(name)
	var out []PhasedTarget
	for i, e := range elems {
		sub := r.sub(fmt.Sprintf("%s[%d]", name, i), e)
		if sub == nil {
			continue
		}
		val, _ := sub.number("Target Value", "Value", "Target")
		d := sub.date("Target Date", "Date")
		sub.done()
		if val == nil || d.IsZero() {
			sub.fail("Target Date", "a phased target needs a target value and a target date")
			continue
		}
		out = append(out, PhasedTarget{Date: d, Value: *val})
	}
	return out
}

// extra returns the fields no one read, as compact JSON, and marks them read.
func (r *record) extra() map[string]string {
	var out map[string]string
	for k, v := range r.fields {
		if r.used[k] {
			continue
		}
		r.used[k] = true
		if jsonKind(v) == 'n' {
			continue
		}
		var buf bytes.Buffer
		if json.Compact(&buf, v) != nil {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[r.names[k]] = buf.String()
	}
	return out
}
