package azdoemu

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn/wiql"
	"go.yaml.in/yaml/v3"
)

// Scenario describes emulator data: identities, organizations, projects,
// work items with history and links, and saved queries. It is read from
// YAML or JSON (see testdata/demo.yaml for a complete example).
//
// Dates are RFC 3339 or YYYY-MM-DD, or relative to the time the scenario is
// loaded: "-30d", "-2w", "-6h", "now".
type Scenario struct {
	Identities    []ScenarioIdentity `yaml:"identities" json:"identities"`
	Organizations []ScenarioOrg      `yaml:"organizations" json:"organizations"`
}

// ScenarioIdentity is a person; the first one owns the emulator's PATs.
type ScenarioIdentity struct {
	Name  string `yaml:"name" json:"name"`
	Email string `yaml:"email" json:"email"`
}

// ScenarioOrg is an organization.
type ScenarioOrg struct {
	Name     string            `yaml:"name" json:"name"`
	Fields   []ScenarioField   `yaml:"fields" json:"fields"`
	Projects []ScenarioProject `yaml:"projects" json:"projects"`
}

// ScenarioField declares a custom field; Type is string, integer, double,
// dateTime, boolean or identity.
type ScenarioField struct {
	Ref  string `yaml:"ref" json:"ref"`
	Name string `yaml:"name" json:"name"`
	Type string `yaml:"type" json:"type"`
}

// ScenarioProject is a project with its process, classification paths,
// work items, links and saved queries.
type ScenarioProject struct {
	Name             string          `yaml:"name" json:"name"`
	ID               string          `yaml:"id" json:"id"`
	Process          string          `yaml:"process" json:"process"`
	Description      string          `yaml:"description" json:"description"`
	Areas            []string        `yaml:"areas" json:"areas"`
	Iterations       []string        `yaml:"iterations" json:"iterations"`
	CurrentIteration string          `yaml:"currentIteration" json:"currentIteration"`
	Items            []ScenarioItem  `yaml:"items" json:"items"`
	Links            []ScenarioLink  `yaml:"links" json:"links"`
	Queries          []ScenarioQuery `yaml:"queries" json:"queries"`
}

// ScenarioItem is a work item. Parent and Related name other items by key
// or id. State is the state at creation; History moves the item on.
type ScenarioItem struct {
	Key       string           `yaml:"key" json:"key"`
	ID        int              `yaml:"id" json:"id"`
	Type      string           `yaml:"type" json:"type"`
	Title     string           `yaml:"title" json:"title"`
	State     string           `yaml:"state" json:"state"`
	Assignee  string           `yaml:"assignee" json:"assignee"`
	Area      string           `yaml:"area" json:"area"`
	Iteration string           `yaml:"iteration" json:"iteration"`
	Tags      []string         `yaml:"tags" json:"tags"`
	Fields    map[string]any   `yaml:"fields" json:"fields"`
	Parent    string           `yaml:"parent" json:"parent"`
	Related   []string         `yaml:"related" json:"related"`
	Created   string           `yaml:"created" json:"created"`
	CreatedBy string           `yaml:"createdBy" json:"createdBy"`
	History   []ScenarioChange `yaml:"history" json:"history"`
}

// ScenarioChange is one later revision of an item.
type ScenarioChange struct {
	Date     string         `yaml:"date" json:"date"`
	By       string         `yaml:"by" json:"by"`
	State    string         `yaml:"state" json:"state"`
	Assignee string         `yaml:"assignee" json:"assignee"`
	Fields   map[string]any `yaml:"fields" json:"fields"`
}

// ScenarioLink links two items by key or id; Type is Hierarchy-Forward
// (source is the parent), Hierarchy-Reverse or Related, with or without
// the System.LinkTypes. prefix.
type ScenarioLink struct {
	Type   string `yaml:"type" json:"type"`
	Source string `yaml:"source" json:"source"`
	Target string `yaml:"target" json:"target"`
}

// ScenarioQuery is a saved query. Folder is a path such as
// "Shared Queries/Team" (default "Shared Queries").
type ScenarioQuery struct {
	ID     string `yaml:"id" json:"id"`
	Folder string `yaml:"folder" json:"folder"`
	Name   string `yaml:"name" json:"name"`
	WIQL   string `yaml:"wiql" json:"wiql"`
}

//go:embed testdata/demo.yaml
var demoYAML []byte

// DemoScenario returns the built-in "Fabrikam Fiber" demo data.
func DemoScenario() *Scenario {
	sc, err := ParseScenario(demoYAML)
	if err != nil {
		panic("azdoemu: embedded demo.yaml is invalid: " + err.Error())
	}
	return sc
}

// LoadScenario reads a scenario file (YAML or JSON).
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("azdoemu: load scenario: %w", err)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("azdoemu: load scenario %s: %w", path, err)
	}
	return sc, nil
}

// ParseScenario decodes a scenario from YAML or JSON and checks its shape.
// Unknown keys are errors.
func ParseScenario(data []byte) (*Scenario, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("scenario is empty")
		}
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if err := sc.validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

func (sc *Scenario) validate() error {
	if len(sc.Organizations) == 0 {
		return errors.New("scenario: no organizations")
	}
	for i, id := range sc.Identities {
		if strings.TrimSpace(id.Name) == "" || !strings.Contains(id.Email, "@") {
			return fmt.Errorf("scenario: identities[%d]: need a name and an email address, got %q <%s>", i, id.Name, id.Email)
		}
	}
	for oi, o := range sc.Organizations {
		at := fmt.Sprintf("organizations[%d]", oi)
		if !orgNameRE.MatchString(o.Name) {
			return fmt.Errorf("scenario: %s: invalid organization name %q (letters, digits and - only)", at, o.Name)
		}
		for pi, p := range o.Projects {
			pat := fmt.Sprintf("%s.projects[%d]", at, pi)
			if strings.TrimSpace(p.Name) == "" {
				return fmt.Errorf("scenario: %s: project name is empty", pat)
			}
			proc := p.Process
			if proc == "" {
				proc = "Agile"
			}
			pr, ok := newProcess(proc)
			if !ok {
				return fmt.Errorf("scenario: %s (%s): unknown process %q (want Agile, Scrum, Basic, CMMI or custom)", pat, p.Name, p.Process)
			}
			keys := map[string]bool{}
			for ii, it := range p.Items {
				iat := fmt.Sprintf("%s.items[%d]", pat, ii)
				t := pr.typeByName(it.Type)
				if t == nil {
					return fmt.Errorf("scenario: %s (%q): unknown work item type %q for the %s process (want %s)", iat, it.Title, it.Type, pr.Name, typeNames(pr))
				}
				if strings.TrimSpace(it.Title) == "" {
					return fmt.Errorf("scenario: %s: title is empty", iat)
				}
				if it.State != "" && t.state(it.State) == nil {
					return fmt.Errorf("scenario: %s (%q): unknown state %q for %s (want %s)", iat, it.Title, it.State, t.Name, stateNames(t))
				}
				for hi, h := range it.History {
					if h.State != "" && t.state(h.State) == nil {
						return fmt.Errorf("scenario: %s.history[%d] (%q): unknown state %q for %s (want %s)", iat, hi, it.Title, h.State, t.Name, stateNames(t))
					}
					if h.Date == "" {
						return fmt.Errorf("scenario: %s.history[%d] (%q): date is missing", iat, hi, it.Title)
					}
				}
				if it.Key != "" {
					if keys[it.Key] {
						return fmt.Errorf("scenario: %s: duplicate key %q", iat, it.Key)
					}
					keys[it.Key] = true
				}
			}
			for qi, q := range p.Queries {
				if strings.TrimSpace(q.Name) == "" || strings.Contains(q.Name, "/") {
					return fmt.Errorf("scenario: %s.queries[%d]: invalid query name %q", pat, qi, q.Name)
				}
				if _, err := wiql.Parse(q.WIQL); err != nil {
					return fmt.Errorf("scenario: %s.queries[%d] (%q): invalid WIQL: %w", pat, qi, q.Name, err)
				}
			}
		}
	}
	return nil
}

var orgNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,49}$`)

func typeNames(p *Process) string {
	var n []string
	for _, t := range p.Types {
		n = append(n, t.Name)
	}
	return strings.Join(n, ", ")
}

func stateNames(t *WorkItemType) string {
	var n []string
	for _, s := range t.States {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}

var relTimeRE = regexp.MustCompile(`^([+-]?\d+)([dhwm])$`)

// resolveTime reads an absolute or relative scenario date.
func resolveTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "now") {
		return now, nil
	}
	if m := relTimeRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "w": 7 * 24 * time.Hour, "m": time.Minute}[m[2]]
		return now.Add(time.Duration(n) * unit), nil
	}
	return parseTime(s)
}

// ensureOrg finds or creates an organization. Callers hold s.mu.
func (s *Server) ensureOrg(name string) *org {
	if o := s.orgs[strings.ToLower(name)]; o != nil {
		return o
	}
	o := newOrg(name)
	s.orgs[strings.ToLower(name)] = o
	s.orgOrder = append(s.orgOrder, o)
	return o
}

// addProject creates a project with empty query roots. Callers hold s.mu.
func (s *Server) addProject(o *org, name, process, id string, created time.Time) (*project, error) {
	if o.projectByNameOrID(name) != nil {
		return nil, fmt.Errorf("azdoemu: add project: %s already has a project %q", o.name, name)
	}
	if process == "" {
		process = "Agile"
	}
	pr, ok := newProcess(process)
	if !ok {
		return nil, fmt.Errorf("azdoemu: add project %q: unknown process %q (want Agile, Scrum, Basic, CMMI or custom)", name, process)
	}
	if id == "" {
		id = guidFrom("project", o.name, name)
	}
	p := &project{id: strings.ToLower(id), name: name, process: pr, org: o, created: created, revision: 1,
		areas: []string{name}, iterations: []string{name}}
	for i, root := range []string{"My Queries", "Shared Queries"} {
		p.roots = append(p.roots, &queryItem{id: guidFrom("query", o.name, p.id, root), name: root, folder: true,
			public: i == 1, created: created, modified: created, by: s.me})
	}
	o.registerProcessFields(pr)
	o.projects = append(o.projects, p)
	return p, nil
}

// addQuery adds a saved query under a folder path, creating folders.
func (s *Server) addQuery(p *project, folder, name, text, id string, by Identity, when time.Time) (*queryItem, error) {
	if folder == "" {
		folder = "Shared Queries"
	}
	parts := strings.Split(strings.Trim(folder, "/"), "/")
	var parent *queryItem
	for _, r := range p.roots {
		if strings.EqualFold(r.name, parts[0]) {
			parent = r
		}
	}
	if parent == nil {
		return nil, fmt.Errorf("query folder %q must start with \"My Queries\" or \"Shared Queries\"", folder)
	}
	for _, part := range parts[1:] {
		var next *queryItem
		for _, ch := range parent.children {
			if ch.folder && strings.EqualFold(ch.name, part) {
				next = ch
			}
		}
		if next == nil {
			next = &queryItem{id: guidFrom("query", p.org.name, p.id, parent.path()+"/"+part), name: part, folder: true,
				public: parent.public, parent: parent, created: when, modified: when, by: by}
			parent.children = append(parent.children, next)
		}
		parent = next
	}
	for _, ch := range parent.children {
		if strings.EqualFold(ch.name, name) {
			return nil, fmt.Errorf("query %q already exists in %s", name, parent.path())
		}
	}
	pq, err := wiql.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("query %q: invalid WIQL: %w", name, err)
	}
	if id == "" {
		id = guidFrom("query", p.org.name, p.id, parent.path()+"/"+name)
	}
	q := &queryItem{id: strings.ToLower(id), name: name, wiql: text, qtype: pq.QueryType(), public: parent.public,
		parent: parent, created: when, modified: when, by: by}
	parent.children = append(parent.children, q)
	return q, nil
}

// AddQuery saves a WIQL query under a folder path such as "Shared Queries"
// or "My Queries/Mine" and returns its id.
func (s *Server) AddQuery(orgName, projectName, folder, name, text string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.lookup(orgName, projectName)
	if err != nil {
		return "", err
	}
	if p == nil {
		return "", errorf("add query", "a project is required")
	}
	q, err := s.addQuery(p, folder, name, text, "", s.me, s.now())
	if err != nil {
		return "", fmt.Errorf("azdoemu: add query: %w", err)
	}
	return q.id, nil
}

// loadScenario adds a scenario's data.
func (s *Server) loadScenario(sc *Scenario) error {
	if err := sc.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, id := range sc.Identities {
		s.identityFor(id.Name + " <" + id.Email + ">")
	}
	if len(sc.Identities) > 0 {
		s.me = s.identities[0]
	}
	for oi, so := range sc.Organizations {
		o := s.ensureOrg(so.Name)
		for fi, f := range so.Fields {
			typ := f.Type
			if typ == "" {
				typ = "double"
			}
			switch typ {
			case "string", "integer", "double", "dateTime", "boolean", "identity":
			default:
				return fmt.Errorf("scenario: organizations[%d].fields[%d] (%s): unknown type %q", oi, fi, f.Ref, f.Type)
			}
			if !strings.Contains(f.Ref, ".") {
				return fmt.Errorf("scenario: organizations[%d].fields[%d]: reference name %q needs a namespace such as Custom.Value", oi, fi, f.Ref)
			}
			name := f.Name
			if name == "" {
				name = f.Ref[strings.LastIndex(f.Ref, ".")+1:]
			}
			o.fields[strings.ToLower(f.Ref)] = fieldInfo{Ref: f.Ref, Name: name, Type: typ}
		}
		for pi, sp := range so.Projects {
			at := fmt.Sprintf("scenario: organizations[%d].projects[%d] (%s)", oi, pi, sp.Name)
			p, err := s.addProject(o, sp.Name, sp.Process, sp.ID, now.AddDate(0, 0, -180))
			if err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			p.description = sp.Description
			p.areas = append(p.areas, sp.Areas...)
			p.iterations = append(p.iterations, sp.Iterations...)
			p.currentIter = sp.CurrentIteration
			if err := s.loadItems(o, p, sp, now, at); err != nil {
				return err
			}
			for qi, q := range sp.Queries {
				if _, err := s.addQuery(p, q.Folder, q.Name, q.WIQL, q.ID, s.me, now.AddDate(0, 0, -60)); err != nil {
					return fmt.Errorf("%s.queries[%d]: %w", at, qi, err)
				}
			}
		}
	}
	return nil
}

// loadItems creates a project's scenario items, links and history.
func (s *Server) loadItems(o *org, p *project, sp ScenarioProject, now time.Time, at string) error {
	byKey := map[string]*workItem{}
	items := make([]*workItem, len(sp.Items))
	for i, it := range sp.Items {
		iat := fmt.Sprintf("%s.items[%d] (%q)", at, i, it.Title)
		created, err := resolveTime(it.Created, now)
		if it.Created == "" {
			created = now.AddDate(0, 0, -90)
		}
		if err != nil {
			return fmt.Errorf("%s: created: %w", iat, err)
		}
		by := s.me
		if it.CreatedBy != "" {
			by = s.identityFor(it.CreatedBy)
		}
		in := map[string]any{"System.Title": it.Title}
		if it.State != "" {
			in["System.State"] = it.State
		}
		if it.Assignee != "" {
			in["System.AssignedTo"] = it.Assignee
		}
		if it.Area != "" {
			in["System.AreaPath"] = it.Area
		}
		if it.Iteration != "" {
			in["System.IterationPath"] = it.Iteration
		}
		if len(it.Tags) > 0 {
			in["System.Tags"] = strings.Join(it.Tags, "; ")
		}
		set, err := s.scenarioFields(o, in, it.Fields)
		if err != nil {
			return fmt.Errorf("%s: %w", iat, err)
		}
		if it.ID != 0 {
			if _, taken := o.items[it.ID]; taken {
				return fmt.Errorf("%s: id %d is already used", iat, it.ID)
			}
			if it.ID >= o.nextID {
				o.nextID = it.ID
			} else {
				saved := o.nextID
				o.nextID = it.ID
				defer func() { o.nextID = max(o.nextID, saved) }()
			}
		}
		w, err := s.createItem(o, p, it.Type, set, by, created)
		if err != nil {
			return fmt.Errorf("%s: %w", iat, err)
		}
		p.attachFields(it.Type, set)
		items[i] = w
		if it.Key != "" {
			byKey[it.Key] = w
		}
		byKey["#"+strconv.Itoa(w.id)] = w
	}
	find := func(ref string) *workItem {
		if w := byKey[ref]; w != nil {
			return w
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(ref, "#")); err == nil {
			if w := o.items[n]; w != nil {
				return w
			}
		}
		return nil
	}
	link := func(src *workItem, rel string, ref, where string) error {
		t := find(ref)
		if t == nil {
			return fmt.Errorf("%s: no item with key or id %q", where, ref)
		}
		if err := s.checkLink(o, src, rel, t.id); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		a, b := src.revs[0], t.revs[0]
		a.relations, _ = relationsWith(a.relations, relation{rel, t.id})
		b.relations, _ = relationsWith(b.relations, relation{inverse(rel), src.id})
		for _, x := range []*workItem{src, t} {
			if pid := parentFieldFor(x.revs[0].relations); pid != nil {
				x.revs[0].fields["System.Parent"] = pid
			}
			o.invalidate(x)
		}
		return nil
	}
	for i, it := range sp.Items {
		iat := fmt.Sprintf("%s.items[%d] (%q)", at, i, it.Title)
		if it.Parent != "" {
			if err := link(items[i], LinkParent, it.Parent, iat+": parent"); err != nil {
				return err
			}
		}
		for _, r := range it.Related {
			if err := link(items[i], LinkRelated, r, iat+": related"); err != nil {
				return err
			}
		}
	}
	for li, l := range sp.Links {
		lat := fmt.Sprintf("%s.links[%d]", at, li)
		src := find(l.Source)
		if src == nil {
			return fmt.Errorf("%s: no item with key or id %q", lat, l.Source)
		}
		rel := l.Type
		if !strings.HasPrefix(rel, "System.LinkTypes.") {
			rel = "System.LinkTypes." + rel
		}
		rel = canonicalRel(rel)
		if _, ok := linkNames[rel]; !ok {
			return fmt.Errorf("%s: unknown link type %q (want Hierarchy-Forward, Hierarchy-Reverse or Related)", lat, l.Type)
		}
		if err := link(src, rel, l.Target, lat); err != nil {
			return err
		}
	}
	for i, it := range sp.Items {
		w := items[i]
		for hi, h := range it.History {
			hat := fmt.Sprintf("%s.items[%d] (%q).history[%d]", at, i, it.Title, hi)
			when, err := resolveTime(h.Date, now)
			if err != nil {
				return fmt.Errorf("%s: date: %w", hat, err)
			}
			if !when.After(w.cur().changed) {
				return fmt.Errorf("%s: date %s is not after the previous revision (%s)", hat, fmtTime(when), fmtTime(w.cur().changed))
			}
			in := map[string]any{}
			if h.State != "" {
				in["System.State"] = h.State
			}
			if h.Assignee != "" {
				in["System.AssignedTo"] = h.Assignee
			}
			set, err := s.scenarioFields(o, in, h.Fields)
			if err != nil {
				return fmt.Errorf("%s: %w", hat, err)
			}
			p.attachFields(w.cur().fields["System.WorkItemType"].(string), set)
			by := s.me
			if h.By != "" {
				by = s.identityFor(h.By)
			}
			if _, err := s.writeRevision(o, w, changeSet{set: set}, by, when); err != nil {
				return fmt.Errorf("%s: %w", hat, err)
			}
		}
	}
	return nil
}

// scenarioFields normalizes scenario field values, registering custom fields.
func (s *Server) scenarioFields(o *org, base map[string]any, extra map[string]any) (map[string]any, error) {
	out := map[string]any{}
	all := map[string]any{}
	for k, v := range base {
		all[k] = v
	}
	for k, v := range extra {
		all[k] = v
	}
	for name, v := range all {
		f, ok := o.field(name)
		if !ok {
			if !strings.Contains(name, ".") {
				return nil, fmt.Errorf("unknown field %q (use a reference name such as Custom.%s)", name, strings.ReplaceAll(name, " ", ""))
			}
			f = o.registerField(name, v)
		}
		if readOnlyFields[f.Ref] || f.Ref == "System.Parent" {
			return nil, fmt.Errorf("field %s cannot be set in a scenario", f.Ref)
		}
		n, err := s.normalize(f, v)
		if err != nil {
			return nil, err
		}
		if n != nil {
			out[f.Ref] = n
		}
	}
	return out, nil
}
