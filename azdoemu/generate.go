package azdoemu

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// GenerateSpec sizes a generated data set; see ParseGenerateSpec.
type GenerateSpec struct {
	Epics, Features, Stories, Tasks, Bugs int
	People                                int
	Days                                  int
	Seed                                  int64
	// Process is the process of the generated project: agile (the default),
	// scrum, basic, cmmi or custom (the inherited process).
	Process string
}

// ParseGenerateSpec reads "epics=20,features=200,stories=2000,tasks=8000,
// bugs=500,seed=1" (also people=, days= and process=). Missing counts are 0,
// people defaults to 12, days (how far back history goes) to 180 and process
// to agile; process is agile, scrum, basic, cmmi or custom.
func ParseGenerateSpec(spec string) (GenerateSpec, error) {
	g := GenerateSpec{People: 12, Days: 180, Seed: 1, Process: "agile"}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return g, fmt.Errorf("generate spec: %q is not key=value", part)
		}
		if strings.EqualFold(strings.TrimSpace(k), "process") {
			name := strings.ToLower(strings.TrimSpace(v))
			if _, ok := genRolesFor(name); !ok {
				return g, fmt.Errorf("generate spec: process=%q is not a process (want agile, scrum, basic, cmmi or custom)", v)
			}
			g.Process = name
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return g, fmt.Errorf("generate spec: %s=%q is not a non-negative whole number", k, v)
		}
		limit := int64(1_000_000)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "epics":
			g.Epics = int(min(n, limit))
		case "features":
			g.Features = int(min(n, limit))
		case "stories":
			g.Stories = int(min(n, limit))
		case "tasks":
			g.Tasks = int(min(n, limit))
		case "bugs":
			g.Bugs = int(min(n, limit))
		case "people":
			g.People = int(max(min(n, 1000), 1))
		case "days":
			g.Days = int(max(min(n, 3650), 1))
		case "seed":
			g.Seed = n
		default:
			return g, fmt.Errorf("generate spec: unknown key %q (want epics, features, stories, tasks, bugs, people, days, seed, process)", k)
		}
	}
	if g.Features > 0 && g.Epics == 0 || g.Stories > 0 && g.Features == 0 || g.Tasks > 0 && g.Stories == 0 {
		return g, fmt.Errorf("generate spec: %q: each level needs at least one parent above it (epics > features > stories > tasks)", spec)
	}
	return g, nil
}

var (
	genFirst = []string{"Jamal", "Christie", "Johnnie", "Raisa", "Mateo", "Aiko", "Priya", "Lars", "Fatima", "Wei", "Olga", "Kwame", "Sofia", "Diego", "Hana", "Tomasz"}
	genLast  = []string{"Hartnett", "Church", "McLeod", "Pokrovskaya", "Silva", "Tanaka", "Raman", "Nilsson", "Haddad", "Zhang", "Ivanova", "Mensah", "Rossi", "Lopez", "Kim", "Nowak"}
	genVerbs = []string{"Improve", "Add", "Redesign", "Support", "Speed up", "Simplify", "Localize", "Secure", "Automate", "Audit"}
	genNouns = []string{"checkout", "sign-in", "service tickets", "billing", "customer portal", "technician app", "search", "notifications",
		"reporting", "onboarding", "payments", "outage map", "installation booking", "invoices", "chat support", "network status"}
	genAreas = []string{"Web", "Mobile", "Services", "Billing"}
)

// generate builds a random hierarchy in fabrikam/Fabrikam Fiber.
func (s *Server) generate(g GenerateSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rng := rand.New(rand.NewPCG(uint64(g.Seed), uint64(g.Seed)^0x5851f42d4c957f2d))
	now := s.now().UTC().Truncate(24 * time.Hour)
	roles, ok := genRolesFor(g.Process)
	if !ok {
		return fmt.Errorf("azdoemu: generate: unknown process %q (want agile, scrum, basic, cmmi or custom)", g.Process)
	}
	o := s.ensureOrg("fabrikam")
	p := o.projectByNameOrID("Fabrikam Fiber")
	if p == nil {
		var err error
		if p, err = s.addProject(o, "Fabrikam Fiber", roles.process, "", now.AddDate(0, 0, -g.Days-30)); err != nil {
			return err
		}
	}
	if !strings.EqualFold(p.process.Name, roles.process) {
		return fmt.Errorf("azdoemu: generate: project %s uses the %s process; the generator was asked for %s", p.name, p.process.Name, roles.process)
	}
	for _, a := range genAreas {
		p.areas = append(p.areas, p.name+`\`+a)
	}
	sprints := max(g.Days/14, 1)
	for i := 1; i <= sprints; i++ {
		p.iterations = append(p.iterations, fmt.Sprintf(`%s\Sprint %d`, p.name, i))
	}
	p.currentIter = p.iterations[len(p.iterations)-1]
	people := make([]Identity, g.People)
	for i := range people {
		first, last := genFirst[i%len(genFirst)], genLast[(i/len(genFirst)+i*7)%len(genLast)]
		name := first + " " + last
		if i >= len(genFirst) {
			name += " " + strconv.Itoa(i/len(genFirst)+1)
		}
		people[i] = s.identityFor(name + " <" + strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@fabrikam.example>")
	}
	if len(s.identities) > 0 && s.me.UniqueName == "emulator.user@fabrikam.example" {
		s.me = people[0]
	}
	o.registerField("Custom.Value", 1.0)

	var epics, features, stories []*workItem
	mk := func(typ string, parent *workItem, extra map[string]any) (*workItem, error) {
		title := genVerbs[rng.IntN(len(genVerbs))] + " " + genNouns[rng.IntN(len(genNouns))]
		created := now.Add(-time.Duration(rng.IntN(g.Days*24)) * time.Hour).Add(-time.Duration(rng.IntN(3600)) * time.Second)
		area := p.name + `\` + genAreas[rng.IntN(len(genAreas))]
		if parent != nil {
			area, _ = parent.revs[0].fields["System.AreaPath"].(string)
		}
		sprint := int(created.Sub(now.AddDate(0, 0, -g.Days)).Hours()/(14*24)) + 1
		sprint = min(max(sprint, 1), sprints)
		set := map[string]any{
			"System.Title":         title,
			"System.AreaPath":      area,
			"System.IterationPath": fmt.Sprintf(`%s\Sprint %d`, p.name, sprint),
			fPriority:              1 + rng.IntN(4),
		}
		if !p.process.typeByName(typ).hasField(fPriority) {
			delete(set, fPriority)
		}
		if rng.IntN(10) < 8 {
			set["System.AssignedTo"] = people[rng.IntN(len(people))]
		}
		if rng.IntN(4) == 0 {
			set["System.Tags"] = []string{"customer", "tech-debt", "compliance", "Q3", "performance"}[rng.IntN(5)]
		}
		for k, v := range extra {
			set[k] = v
		}
		p.attachFields(typ, extra)
		by := people[rng.IntN(len(people))]
		w, err := s.createItem(o, p, typ, set, by, created)
		if err != nil {
			return nil, err
		}
		if parent != nil {
			w.revs[0].relations = []relation{{LinkParent, parent.id}}
			w.revs[0].fields["System.Parent"] = parent.id
			parent.revs[0].relations = append(parent.revs[0].relations, relation{LinkChild, w.id})
		}
		s.genHistory(rng, o, w, people, now)
		return w, nil
	}
	pick := func(list []*workItem) *workItem {
		if len(list) == 0 {
			return nil
		}
		return list[rng.IntN(len(list))]
	}
	for i := 0; i < g.Epics; i++ {
		w, err := mk(roles.epic, nil, roles.epicFields(rng))
		if err != nil {
			return err
		}
		epics = append(epics, w)
		for _, side := range roles.epicSide {
			if _, err := mk(side, w, nil); err != nil {
				return err
			}
		}
	}
	for i := 0; i < g.Features; i++ {
		w, err := mk(roles.feature, pick(epics), roles.featureFields(rng))
		if err != nil {
			return err
		}
		features = append(features, w)
	}
	for i := 0; i < g.Stories; i++ {
		typ := roles.story
		if roles.altStory != "" && i%3 == 2 {
			typ = roles.altStory
		}
		w, err := mk(typ, pick(features), roles.storyFields(rng))
		if err != nil {
			return err
		}
		stories = append(stories, w)
	}
	for i := 0; i < g.Tasks; i++ {
		if _, err := mk(roles.task, pick(stories), roles.taskFields(rng)); err != nil {
			return err
		}
	}
	for i := 0; i < g.Bugs; i++ {
		parent := pick(stories)
		if parent == nil {
			parent = pick(features)
		}
		if _, err := mk(roles.bug, parent, roles.bugFields(rng)); err != nil {
			return err
		}
	}
	// Parents' first revisions gained child links after their history was
	// written; every later revision must carry them too.
	for _, w := range o.items {
		if w.proj != p {
			continue
		}
		for _, r := range w.revs[1:] {
			r.relations = w.revs[0].relations
			if pid := parentFieldFor(r.relations); pid != nil {
				r.fields["System.Parent"] = pid
			}
		}
		o.invalidate(w)
	}
	queries := []struct{ name, wiql string }{
		{roles.activeQuery, `SELECT [System.Id], [System.Title], [System.State], [System.AssignedTo]` + roles.storyColumn + ` FROM WorkItems WHERE [System.TeamProject] = @project AND [System.WorkItemType] = '` + roles.story + `' AND [System.State] = '` + roles.active + `' ORDER BY [System.Id]`},
		{"All work items", `SELECT [System.Id], [System.Title], [System.WorkItemType], [System.State] FROM WorkItems WHERE [System.TeamProject] = @project`},
		{"Epic tree", `SELECT [System.Id], [System.Title], [System.WorkItemType], [System.State] FROM WorkItemLinks WHERE ([Source].[System.TeamProject] = @project AND [Source].[System.WorkItemType] = 'Epic') AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward') AND ([Target].[System.TeamProject] = @project) ORDER BY [System.Id] MODE (Recursive)`},
		{roles.linkQuery, `SELECT [System.Id], [System.Title], [System.State] FROM WorkItemLinks WHERE ([Source].[System.WorkItemType] = '` + roles.feature + `') AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward') AND ([Target].[System.WorkItemType] = '` + roles.story + `') MODE (MustContain)`},
	}
	for _, q := range queries {
		if p.findQuery("Shared Queries/Generated/"+q.name) != nil {
			continue
		}
		if _, err := s.addQuery(p, "Shared Queries/Generated", q.name, q.wiql, "", s.me, now.AddDate(0, 0, -g.Days)); err != nil {
			return fmt.Errorf("azdoemu: generate: %w", err)
		}
	}
	return nil
}

// genHistory moves a new item through its states to a random final state.
func (s *Server) genHistory(rng *rand.Rand, o *org, w *workItem, people []Identity, now time.Time) {
	typ := w.proj.process.typeByName(w.cur().fields["System.WorkItemType"].(string))
	// Weights over the type's states in order: most items are in progress or done.
	var path []string
	roll := rng.IntN(100)
	inProg, resolved, done, removed := typ.stateIn(CategoryInProgress), typ.stateIn(CategoryResolved), typ.stateIn(CategoryCompleted), typ.stateIn(CategoryRemoved)
	if len(removed) > 1 {
		removed = removed[rng.IntN(len(removed)):][:1]
	}
	switch {
	case roll < 20:
	case roll < 55:
		path = inProg
	case roll < 65 && len(resolved) > 0:
		path = append(append(path, inProg...), resolved...)
	case roll < 96:
		path = append(append(append(path, inProg...), resolved...), done...)
	default:
		if len(removed) > 0 {
			path = removed
		} else {
			path = done
		}
	}
	when := w.cur().changed
	left := now.Sub(when)
	for _, st := range path {
		step := time.Duration(rng.Int64N(int64(left/time.Duration(len(path)+1)) + 1))
		when = when.Add(step + time.Minute)
		if !when.Before(now) {
			when = now.Add(-time.Minute)
		}
		set := map[string]any{"System.State": st}
		if cat := typ.category(st); w.cur().fields[fRemaining] != nil && (cat == CategoryCompleted || cat == CategoryRemoved) {
			set[fRemaining] = 0.0
		}
		_, _ = s.writeRevision(o, w, changeSet{set: set}, people[rng.IntN(len(people))], when)
	}
}
