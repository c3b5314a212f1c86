package azdoemu

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// event is a work item change that may fire service hooks.
type event struct {
	kind string // created, updated, deleted, restored
	w    *workItem
	prev *revision
	cur  *revision
}

var readOnlyFields = map[string]bool{"System.Id": true, "System.Rev": true, "System.Watermark": true,
	"System.TeamProject": true, "System.RevisedDate": true, "System.AuthorizedDate": true, "System.AuthorizedAs": true}

// prepareSet normalizes incoming field values. A "System.Parent" entry is
// returned separately as a link change: parentSet reports whether it was
// given, parent is the new parent id (0 to remove).
func (s *Server) prepareSet(o *org, in map[string]any) (set map[string]any, parentSet bool, parent int, err error) {
	set = map[string]any{}
	for name, v := range in {
		f, ok := o.field(name)
		if !ok {
			return nil, false, 0, errFieldNotFound(name)
		}
		if f.Ref == "System.Parent" {
			parentSet = true
			if v != nil {
				n, err := s.normalize(f, v)
				if err != nil {
					return nil, false, 0, err
				}
				parent, _ = n.(int)
			}
			continue
		}
		if readOnlyFields[f.Ref] {
			return nil, false, 0, newAPIError(http.StatusBadRequest, "WorkItemFieldReadOnlyException", nsWIT,
				"TF401326: The field %s is read-only.", f.Ref)
		}
		n, err := s.normalize(f, v)
		if err != nil {
			return nil, false, 0, err
		}
		set[f.Ref] = n
	}
	return set, parentSet, parent, nil
}

// parentChange turns a System.Parent assignment into relation changes.
func parentChange(w *workItem, parent int) (add, remove []relation) {
	old := parentOf(w.cur().relations)
	if old == parent {
		return nil, nil
	}
	if old != 0 {
		remove = append(remove, relation{LinkParent, old})
	}
	if parent != 0 {
		add = append(add, relation{LinkParent, parent})
	}
	return add, remove
}

// update writes field and relation changes to w and the partner ends of
// changed links. Callers hold s.mu.
func (s *Server) update(o *org, w *workItem, set map[string]any, add, remove []relation, by Identity, when time.Time) ([]event, error) {
	rels := w.cur().relations
	changedRels := false
	for _, r := range remove {
		var found bool
		if rels, found = relationsWithout(rels, r); !found {
			return nil, errBadRequest("VS402625: Work item %d has no %s link to work item %d.", w.id, r.Rel, r.Target)
		}
		changedRels = true
	}
	for _, r := range add {
		if err := s.checkLink(o, w, r.Rel, r.Target); err != nil {
			return nil, err
		}
		var added bool
		if rels, added = relationsWith(rels, r); added {
			changedRels = true
		}
	}
	prev := w.cur()
	changed := false
	for k, v := range set {
		if old, ok := prev.fields[k]; (v == nil && ok) || (v != nil && (!ok || !sameValue(old, v))) {
			changed = true
			break
		}
	}
	if !changed && !changedRels {
		return nil, nil
	}
	cs := changeSet{set: set}
	if changedRels {
		cs.relations, cs.relsSet = rels, true
		if cs.set == nil {
			cs.set = map[string]any{}
		}
		cs.set["System.Parent"] = parentFieldFor(rels)
	}
	r, err := s.writeRevision(o, w, cs, by, when)
	if err != nil {
		return nil, err
	}
	events := []event{{kind: "updated", w: w, prev: prev, cur: r}}
	partner := func(rel relation, adding bool) error {
		t := o.items[rel.Target]
		if t == nil || t.deleted {
			return nil
		}
		inv := relation{inverse(rel.Rel), w.id}
		var trels []relation
		if adding {
			trels, _ = relationsWith(t.cur().relations, inv)
		} else {
			trels, _ = relationsWithout(t.cur().relations, inv)
		}
		tprev := t.cur()
		tr, err := s.writeRevision(o, t, changeSet{set: map[string]any{"System.Parent": parentFieldFor(trels)}, relations: trels, relsSet: true}, by, when)
		if err != nil {
			return err
		}
		events = append(events, event{kind: "updated", w: t, prev: tprev, cur: tr})
		return nil
	}
	for _, rl := range remove {
		if err := partner(rl, false); err != nil {
			return events, err
		}
	}
	for _, rl := range add {
		if err := partner(rl, true); err != nil {
			return events, err
		}
	}
	return events, nil
}

// sameValue compares stored field values.
func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return a == b
}

// patchOp is one JSON Patch operation.
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	From  string          `json:"from"`
	Value json.RawMessage `json:"value"`
}

// patchPlan is a parsed JSON Patch document for a work item.
type patchPlan struct {
	fields    map[string]any
	add       []relation
	removeIdx []int
	tests     []patchOp
}

func parsePatch(r *http.Request) (*patchPlan, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "application/json-patch+json" {
		return nil, newAPIError(http.StatusUnsupportedMediaType, "VssRequestContentTypeNotSupportedException", nsVSS,
			"VS403432: The request indicated a Content-Type of %q for method type %q which is not supported. Valid content types for this method are: application/json-patch+json.", ct, r.Method)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return nil, errBadRequest("Could not read the request body: %v", err)
	}
	var ops []patchOp
	if err := json.Unmarshal(data, &ops); err != nil {
		return nil, newAPIError(http.StatusBadRequest, "VssPropertyValidationException", nsVSS,
			"VS403494: The request body must be a JSON Patch array of operations: %v", err)
	}
	if len(ops) == 0 {
		return nil, newAPIError(http.StatusBadRequest, "VssPropertyValidationException", nsVSS,
			"You must pass a valid patch document in the body of the request.")
	}
	p := &patchPlan{fields: map[string]any{}}
	for i, op := range ops {
		kind := strings.ToLower(op.Op)
		path := op.Path
		lower := strings.ToLower(path)
		var value any
		if len(op.Value) > 0 {
			dec := json.NewDecoder(strings.NewReader(string(op.Value)))
			if err := dec.Decode(&value); err != nil {
				return nil, errBadRequest("Operation %d has an invalid value: %v", i, err)
			}
		}
		switch {
		case kind == "test":
			p.tests = append(p.tests, op)
		case strings.HasPrefix(lower, "/fields/"):
			name := path[len("/fields/"):]
			switch kind {
			case "add", "replace":
				p.fields[name] = value
			case "remove":
				p.fields[name] = nil
			default:
				return nil, errBadRequest("Operation %d: op %q is not supported for %s.", i, op.Op, path)
			}
		case lower == "/relations/-" && kind == "add":
			m, _ := value.(map[string]any)
			rel, _ := m["rel"].(string)
			u, _ := m["url"].(string)
			id, err := workItemIDFromURL(u)
			if rel == "" || err != nil {
				return nil, errBadRequest("VS402625: Operation %d: a relation needs rel and a work item url, got rel %q url %q.", i, rel, u)
			}
			p.add = append(p.add, relation{canonicalRel(rel), id})
		case strings.HasPrefix(lower, "/relations/") && kind == "remove":
			n, err := strconv.Atoi(path[len("/relations/"):])
			if err != nil || n < 0 {
				return nil, errBadRequest("Operation %d: invalid relation index in %s.", i, path)
			}
			p.removeIdx = append(p.removeIdx, n)
		case strings.HasPrefix(lower, "/relations/") && kind == "replace":
			// Only link attributes (comments) can be replaced; the emulator keeps none.
		default:
			return nil, errBadRequest("Operation %d: op %q on path %q is not supported.", i, op.Op, path)
		}
	}
	return p, nil
}

func canonicalRel(rel string) string {
	for k := range linkNames {
		if strings.EqualFold(k, rel) {
			return k
		}
	}
	return rel
}

// workItemIDFromURL reads the id at the end of a work item URL.
func workItemIDFromURL(u string) (int, error) {
	u = strings.TrimRight(u, "/")
	i := strings.LastIndex(u, "/")
	if i < 0 || !strings.Contains(strings.ToLower(u), "/workitems/") {
		return 0, fmt.Errorf("not a work item url: %q", u)
	}
	return strconv.Atoi(u[i+1:])
}

// runTests checks JSON Patch test operations against the current item.
func (s *Server) runTests(o *org, w *workItem, tests []patchOp) error {
	for _, t := range tests {
		var want any
		_ = json.Unmarshal(t.Value, &want)
		var have any
		switch {
		case strings.EqualFold(t.Path, "/rev"):
			have = float64(w.cur().rev())
		case strings.HasPrefix(strings.ToLower(t.Path), "/fields/"):
			f, ok := o.field(t.Path[len("/fields/"):])
			if !ok {
				return errFieldNotFound(t.Path[len("/fields/"):])
			}
			have = hookValue(w.cur().fields[f.Ref])
			if n, ok := have.(int); ok {
				have = float64(n)
			}
		default:
			return errBadRequest("The test operation on path %q is not supported.", t.Path)
		}
		if fmt.Sprint(have) != fmt.Sprint(want) {
			return newAPIError(http.StatusPreconditionFailed, "InvalidTestValueException", nsVSS,
				"TF401289: The test operation for path %s failed: expected %v, found %v.", t.Path, want, have)
		}
	}
	return nil
}

// createWorkItemREST serves POST …/wit/workitems/${type}.
func (s *Server) createWorkItemREST(c *reqCtx) []pending {
	plan, err := parsePatch(c.r)
	if err != nil {
		c.fail(err)
		return nil
	}
	typeName := strings.TrimPrefix(c.rest[2], "$")
	events, w, err := s.create(c.org, c.proj, typeName, plan.fields, plan.add, c.me, s.now())
	if err != nil {
		c.fail(err)
		return nil
	}
	c.json(s.itemJSON(c, w, w.cur(), nil, "relations", true))
	return s.hookDeliveries(c, events)
}

// create makes a work item and its links. Callers hold s.mu.
func (s *Server) create(o *org, p *project, typeName string, in map[string]any, add []relation, by Identity, when time.Time) ([]event, *workItem, error) {
	set, parentSet, parent, err := s.prepareSet(o, in)
	if err != nil {
		return nil, nil, err
	}
	if parentSet && parent != 0 {
		add = append(add, relation{LinkParent, parent})
	}
	if p.process.typeByName(typeName) == nil {
		return nil, nil, errTypeNotFound(typeName)
	}
	// Validate links against a placeholder before the item exists.
	probe := &workItem{id: o.nextID, proj: p, revs: []*revision{{fields: map[string]any{}}}}
	for _, r := range add {
		if err := s.checkLink(o, probe, r.Rel, r.Target); err != nil {
			return nil, nil, err
		}
	}
	w, err := s.createItem(o, p, typeName, set, by, when)
	if err != nil {
		return nil, nil, err
	}
	events := []event{{kind: "created", w: w, cur: w.cur()}}
	if len(add) > 0 {
		more, err := s.update(o, w, nil, add, nil, by, when)
		if err != nil {
			return events, w, err
		}
		// The links belong to the first revision, as in Azure DevOps.
		if len(more) > 0 && more[0].w == w {
			first := w.revs[0]
			last := w.cur()
			first.relations = last.relations
			if pid := parentFieldFor(last.relations); pid != nil {
				first.fields["System.Parent"] = pid
			}
			w.revs = w.revs[:1]
			o.invalidate(w)
			more = more[1:]
		}
		events[0].cur = w.cur()
		events = append(events, more...)
	}
	return events, w, nil
}

// updateWorkItemREST serves PATCH …/wit/workitems/{id}.
func (s *Server) updateWorkItemREST(c *reqCtx) []pending {
	id, err := strconv.Atoi(c.rest[2])
	if err != nil || id <= 0 {
		c.fail(errBadRequest("The value '%s' is not a valid work item id.", c.rest[2]))
		return nil
	}
	w, ok := c.org.items[id]
	if !ok || w.deleted {
		c.fail(errWorkItemNotFound(id))
		return nil
	}
	plan, err := parsePatch(c.r)
	if err != nil {
		c.fail(err)
		return nil
	}
	if err := s.runTests(c.org, w, plan.tests); err != nil {
		c.fail(err)
		return nil
	}
	set, parentSet, parent, err := s.prepareSet(c.org, plan.fields)
	if err != nil {
		c.fail(err)
		return nil
	}
	var remove []relation
	cur := w.cur().relations
	for _, i := range plan.removeIdx {
		if i >= len(cur) {
			c.fail(errBadRequest("VS402625: Relation index %d is out of range; work item %d has %d relations.", i, id, len(cur)))
			return nil
		}
		remove = append(remove, cur[i])
	}
	add := plan.add
	if parentSet {
		a, r := parentChange(w, parent)
		add, remove = append(add, a...), append(remove, r...)
	}
	events, err := s.update(c.org, w, set, add, remove, c.me, s.now())
	if err != nil {
		c.fail(err)
		return nil
	}
	c.json(s.itemJSON(c, w, w.cur(), nil, "relations", true))
	return s.hookDeliveries(c, events)
}

// deleteJSON renders a WorkItemDelete.
func (s *Server) deleteJSON(c *reqCtx, w *workItem, withResource bool) map[string]any {
	f := w.cur().fields
	out := map[string]any{
		"id":          w.id,
		"code":        200,
		"deletedBy":   w.deletedBy.String(),
		"deletedDate": fmtTime(w.deletedDate),
		"name":        f["System.Title"],
		"project":     w.proj.name,
		"type":        f["System.WorkItemType"],
		"url":         c.orgURL() + "/" + w.proj.id + "/_apis/wit/recyclebin/" + strconv.Itoa(w.id),
	}
	if withResource {
		out["resource"] = s.itemJSON(c, w, w.cur(), nil, "relations", false)
	}
	return out
}

func (s *Server) itemFromPath(c *reqCtx) (*workItem, bool) {
	id, err := strconv.Atoi(c.rest[2])
	if err != nil || id <= 0 {
		c.fail(errBadRequest("The value '%s' is not a valid work item id.", c.rest[2]))
		return nil, false
	}
	w, ok := c.org.items[id]
	if !ok {
		c.fail(errWorkItemNotFound(id))
		return nil, false
	}
	return w, true
}

// deleteWorkItemREST serves DELETE …/wit/workitems/{id}.
func (s *Server) deleteWorkItemREST(c *reqCtx) []pending {
	w, ok := s.itemFromPath(c)
	if !ok {
		return nil
	}
	if w.deleted {
		c.fail(errWorkItemNotFound(w.id))
		return nil
	}
	destroy := strings.EqualFold(c.param("destroy"), "true")
	events := s.remove(c.org, w, c.me, s.now(), destroy)
	if destroy {
		c.w.WriteHeader(http.StatusNoContent)
	} else {
		c.json(s.deleteJSON(c, w, true))
	}
	return s.hookDeliveries(c, events)
}

// remove moves w to the recycle bin (or destroys it). Callers hold s.mu.
func (s *Server) remove(o *org, w *workItem, by Identity, when time.Time, destroy bool) []event {
	w.deleted = true
	w.deletedBy = by
	w.deletedDate = when
	o.watermark++
	w.deletedWM = o.watermark
	o.invalidate(w)
	if destroy {
		delete(o.items, w.id)
	}
	return []event{{kind: "deleted", w: w, cur: w.cur()}}
}

// listRecycleBin serves GET …/wit/recyclebin: a shallow reference to each
// deleted work item of the project, or, with ids=, the deleted items among
// those ids (each other id as an entry with code 404).
func (s *Server) listRecycleBin(c *reqCtx) {
	out := []any{}
	if v := c.param("ids"); v != "" {
		ids, err := parseIDs(v)
		if err != nil {
			c.fail(err)
			return
		}
		if len(ids) > 200 {
			c.fail(errTooManyIDs(len(ids)))
			return
		}
		for _, id := range ids {
			if w, ok := c.org.items[id]; ok && w.deleted && w.proj == c.proj {
				out = append(out, s.deleteJSON(c, w, false))
				continue
			}
			out = append(out, map[string]any{"id": id, "code": http.StatusNotFound,
				"message": fmt.Sprintf("VS402323: Work item %d is not in the recycle bin.", id)})
		}
		c.json(map[string]any{"count": len(out), "value": out})
		return
	}
	ids := make([]int, 0)
	for id, w := range c.org.items {
		if w.deleted && w.proj == c.proj {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	for _, id := range ids {
		out = append(out, map[string]any{"id": id, "url": c.orgURL() + "/" + c.proj.id + "/_apis/wit/recyclebin/" + strconv.Itoa(id)})
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// getRecycleBin serves GET …/wit/recyclebin/{id}.
func (s *Server) getRecycleBin(c *reqCtx) {
	w, ok := s.itemFromPath(c)
	if !ok {
		return
	}
	if !w.deleted {
		c.fail(newAPIError(http.StatusNotFound, "WorkItemNotDeletedException", nsWIT,
			"VS402323: Work item %d is not in the recycle bin.", w.id))
		return
	}
	c.json(s.deleteJSON(c, w, true))
}

// restoreWorkItemREST serves PATCH …/wit/recyclebin/{id} with {"IsDeleted": false}.
func (s *Server) restoreWorkItemREST(c *reqCtx) []pending {
	w, ok := s.itemFromPath(c)
	if !ok {
		return nil
	}
	var body map[string]any
	if err := decodeBody(c.r, &body); err != nil {
		c.fail(err)
		return nil
	}
	var isDeleted any = true
	for k, v := range body {
		if strings.EqualFold(k, "IsDeleted") {
			isDeleted = v
		}
	}
	if isDeleted != false {
		c.fail(errBadRequest("VS402324: To restore a work item send {\"IsDeleted\": false}."))
		return nil
	}
	if !w.deleted {
		c.fail(newAPIError(http.StatusNotFound, "WorkItemNotDeletedException", nsWIT,
			"VS402323: Work item %d is not in the recycle bin.", w.id))
		return nil
	}
	events := s.restore(c.org, w)
	out := s.deleteJSON(c, w, false)
	c.json(out)
	return s.hookDeliveries(c, events)
}

func (s *Server) restore(o *org, w *workItem) []event {
	w.deleted = false
	o.watermark++
	w.deletedWM = o.watermark
	o.invalidate(w)
	return []event{{kind: "restored", w: w, cur: w.cur()}}
}

// goCtx builds a rendering context for Go API calls.
func (s *Server) goCtx(o *org) *reqCtx {
	base := "http://localhost"
	if b := s.base.Load(); b != nil && *b != "" {
		base = *b
	}
	return &reqCtx{base: base, org: o, me: s.me}
}

// CreateWorkItem creates a work item of type typ with the given fields
// (reference or friendly names; "System.Parent" links it to a parent) and
// returns its id. Service hooks fire as for a REST create.
func (s *Server) CreateWorkItem(orgName, projectName, typ string, fields map[string]any) (int, error) {
	s.mu.Lock()
	o, p, err := s.lookup(orgName, projectName)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	if p == nil {
		s.mu.Unlock()
		return 0, errorf("create work item", "a project is required")
	}
	events, w, err := s.create(o, p, typ, fields, nil, s.me, s.now())
	out := s.hookDeliveries(s.goCtx(o), events)
	s.mu.Unlock()
	s.deliver(out)
	if err != nil {
		return 0, err
	}
	return w.id, nil
}

// UpdateWorkItem changes fields of a work item (nil clears a field;
// "System.Parent" re-parents it), writing one new revision.
func (s *Server) UpdateWorkItem(orgName, projectName string, id int, fields map[string]any) error {
	s.mu.Lock()
	o, w, err := s.liveItem(orgName, id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	var events []event
	set, parentSet, parent, err := s.prepareSet(o, fields)
	if err == nil {
		var add, remove []relation
		if parentSet {
			add, remove = parentChange(w, parent)
		}
		events, err = s.update(o, w, set, add, remove, s.me, s.now())
	}
	out := s.hookDeliveries(s.goCtx(o), events)
	s.mu.Unlock()
	s.deliver(out)
	return err
}

// AddLink links two work items. linkType is
// System.LinkTypes.Hierarchy-Forward (source is the parent of target),
// System.LinkTypes.Hierarchy-Reverse or System.LinkTypes.Related.
func (s *Server) AddLink(orgName string, source, target int, linkType string) error {
	s.mu.Lock()
	o, w, err := s.liveItem(orgName, source)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	events, err := s.update(o, w, nil, []relation{{canonicalRel(linkType), target}}, nil, s.me, s.now())
	out := s.hookDeliveries(s.goCtx(o), events)
	s.mu.Unlock()
	s.deliver(out)
	return err
}

// DeleteWorkItem moves a work item to the recycle bin.
func (s *Server) DeleteWorkItem(orgName, projectName string, id int) error {
	s.mu.Lock()
	o, w, err := s.liveItem(orgName, id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	out := s.hookDeliveries(s.goCtx(o), s.remove(o, w, s.me, s.now(), false))
	s.mu.Unlock()
	s.deliver(out)
	return nil
}

// RestoreWorkItem brings a work item back from the recycle bin.
func (s *Server) RestoreWorkItem(orgName, projectName string, id int) error {
	s.mu.Lock()
	o := s.orgs[strings.ToLower(orgName)]
	if o == nil {
		s.mu.Unlock()
		return errOrgNotFound(orgName)
	}
	w := o.items[id]
	if w == nil || !w.deleted {
		s.mu.Unlock()
		return errorf("restore work item", "work item %d is not in the recycle bin", id)
	}
	out := s.hookDeliveries(s.goCtx(o), s.restore(o, w))
	s.mu.Unlock()
	s.deliver(out)
	return nil
}

// liveItem finds a work item that is not deleted. Callers hold s.mu.
func (s *Server) liveItem(orgName string, id int) (*org, *workItem, error) {
	o := s.orgs[strings.ToLower(orgName)]
	if o == nil {
		return nil, nil, errOrgNotFound(orgName)
	}
	w := o.items[id]
	if w == nil || w.deleted {
		return nil, nil, errWorkItemNotFound(id)
	}
	return o, w, nil
}
