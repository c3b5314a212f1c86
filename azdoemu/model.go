package azdoemu

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cairn-okr/cairn/wiql"
)

// Identity is a person known to the emulator. In REST bodies it is an
// identity object; in service-hook payloads and WIQL it is "Name <upn>".
type Identity struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	UniqueName  string `json:"uniqueName"`
	Descriptor  string `json:"descriptor"`
}

// String returns the identity as Azure DevOps writes it in hook payloads
// and WIQL values: "Display Name <upn>".
func (i Identity) String() string { return i.DisplayName + " <" + i.UniqueName + ">" }

// Link types the emulator knows.
const (
	LinkChild   = "System.LinkTypes.Hierarchy-Forward"
	LinkParent  = "System.LinkTypes.Hierarchy-Reverse"
	LinkRelated = "System.LinkTypes.Related"
)

var linkNames = map[string]string{LinkChild: "Child", LinkParent: "Parent", LinkRelated: "Related"}

// relation is one link from a work item to another.
type relation struct {
	Rel    string
	Target int
}

// revision is one full snapshot of a work item.
type revision struct {
	fields    map[string]any // reference name → string, int, float64, bool, time.Time, Identity
	relations []relation
	changed   time.Time
	watermark int
}

func (r *revision) rev() int { n, _ := r.fields["System.Rev"].(int); return n }

// workItem is a work item with its whole history.
type workItem struct {
	id          int
	proj        *project
	revs        []*revision
	deleted     bool
	deletedDate time.Time
	deletedBy   Identity
	deletedWM   int        // org watermark of the last delete or restore
	wq          *wiql.Item // cached WIQL view, nil when stale
}

func (w *workItem) deletedWatermark() int { return w.deletedWM }

func (w *workItem) cur() *revision { return w.revs[len(w.revs)-1] }

// asOf returns the revision current at t, or nil when the item did not exist.
func (w *workItem) asOf(t time.Time) *revision {
	var found *revision
	for _, r := range w.revs {
		if r.changed.After(t) {
			break
		}
		found = r
	}
	return found
}

// revisedDate returns when revision index i stopped being current.
func (w *workItem) revisedDate(i int) time.Time {
	if i+1 < len(w.revs) {
		return w.revs[i+1].changed
	}
	return farFuture
}

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// queryItem is a saved query or a query folder.
type queryItem struct {
	id      string
	name    string
	folder  bool
	wiql    string
	qtype   string
	public  bool
	deleted bool // soft-deleted: hidden until undeleted with PATCH isDeleted=false
	// deletedWith is the item whose DELETE deleted this one: itself, or the
	// folder above it that was deleted with everything it held.
	deletedWith *queryItem
	parent      *queryItem
	children    []*queryItem
	created     time.Time
	modified    time.Time
	by          Identity
	denied      []string // upns that may not read it or anything beneath it
}

func (q *queryItem) path() string {
	if q.parent == nil {
		return q.name
	}
	return q.parent.path() + "/" + q.name
}

// project is a team project.
type project struct {
	id          string
	name        string
	description string
	process     *Process
	org         *org
	roots       []*queryItem // "My Queries", "Shared Queries"
	areas       []string
	iterations  []string
	currentIter string
	created     time.Time
	revision    int
}

func (p *project) teamName() string { return p.name + " Team" }

// org is an organization (a project collection).
type org struct {
	name      string
	id        string
	projects  []*project
	items     map[int]*workItem
	nextID    int
	watermark int
	fields    map[string]fieldInfo // lower-case reference name → info
	subs      map[string]*subscription
	subOrder  []string
	cap       bool
	dsMu      sync.Mutex    // guards ds and items' wq while readers share s.mu
	ds        *wiql.Dataset // cached WIQL dataset, nil when stale
}

func newOrg(name string) *org {
	o := &org{name: name, id: guidFrom("org", name), items: map[int]*workItem{}, nextID: 1,
		fields: map[string]fieldInfo{}, subs: map[string]*subscription{}}
	for _, f := range standardFields {
		o.fields[strings.ToLower(f.Ref)] = f
	}
	return o
}

func (o *org) projectByNameOrID(s string) *project {
	for _, p := range o.projects {
		if strings.EqualFold(p.name, s) || strings.EqualFold(p.id, s) {
			return p
		}
	}
	return nil
}

// field resolves a reference name or friendly name to a known field.
func (o *org) field(name string) (fieldInfo, bool) {
	if f, ok := o.fields[strings.ToLower(name)]; ok {
		return f, true
	}
	for _, f := range o.fields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return fieldInfo{}, false
}

// registerField adds a custom field, inferring its type from a sample value.
func (o *org) registerField(ref string, sample any) fieldInfo {
	if f, ok := o.fields[strings.ToLower(ref)]; ok {
		return f
	}
	typ := "string"
	switch sample.(type) {
	case int, int64, float64, float32:
		typ = "double"
	case bool:
		typ = "boolean"
	case time.Time:
		typ = "dateTime"
	}
	name := ref
	if i := strings.LastIndex(ref, "."); i >= 0 {
		name = ref[i+1:]
	}
	f := fieldInfo{Ref: ref, Name: name, Type: typ}
	o.fields[strings.ToLower(ref)] = f
	return f
}

// invalidate drops the cached WIQL views of the org and of an item.
func (o *org) invalidate(w *workItem) {
	o.ds = nil
	if w != nil {
		w.wq = nil
	}
}

// guidFrom derives a stable GUID-formatted id from its parts.
func guidFrom(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	b := h[:16]
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	s := hex.EncodeToString(b)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// newIdentity builds an identity with stable ids from a display name and upn.
func newIdentity(name, upn string) Identity {
	id := guidFrom("identity", strings.ToLower(upn))
	return Identity{ID: id, DisplayName: name, UniqueName: upn,
		Descriptor: "aad." + strings.TrimRight(encodeB64(id), "=")}
}

// parseIdentityString splits "Name <upn>" (or a bare upn or name).
func parseIdentityString(s string) (name, upn string) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "<"); i >= 0 && strings.HasSuffix(s, ">") {
		return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1 : len(s)-1])
	}
	if strings.Contains(s, "@") {
		local := s[:strings.Index(s, "@")]
		parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
		for i, p := range parts {
			if p != "" {
				parts[i] = strings.ToUpper(p[:1]) + p[1:]
			}
		}
		return strings.Join(parts, " "), s
	}
	return s, strings.ToLower(strings.ReplaceAll(s, " ", ".")) + "@fabrikam.example"
}

// wiqlItem returns the cached WIQL view of a work item.
func (w *workItem) wiqlItem() *wiql.Item {
	if w.wq != nil {
		return w.wq
	}
	it := w.wiqlItemAt(len(w.revs) - 1)
	w.wq = it
	return it
}

// wiqlItemAt builds the WIQL view of revision index i, with the earlier
// revisions as history.
func (w *workItem) wiqlItemAt(i int) *wiql.Item {
	it := &wiql.Item{ID: w.id, Fields: wiqlFields(w.revs[i].fields, w.revisedDate(i))}
	it.Revisions = make([]map[string]any, i)
	for j := 0; j < i; j++ {
		it.Revisions[j] = wiqlFields(w.revs[j].fields, w.revisedDate(j))
	}
	return it
}

// datasetAsOf builds a WIQL dataset of the org as it was at t.
func (o *org) datasetAsOf(t time.Time) *wiql.Dataset {
	ids := make([]int, 0, len(o.items))
	for id, w := range o.items {
		if !w.deleted || w.deletedDate.After(t) {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	ds := &wiql.Dataset{}
	live := map[int]bool{}
	rels := map[int][]relation{}
	for _, id := range ids {
		w := o.items[id]
		r := w.asOf(t)
		if r == nil {
			continue
		}
		ds.Items = append(ds.Items, w.wiqlItemAt(w.revisionIndex(r)))
		live[id] = true
		rels[id] = r.relations
	}
	for _, id := range ids {
		for _, r := range rels[id] {
			if !live[r.Target] {
				continue
			}
			if r.Rel == LinkChild || (r.Rel == LinkRelated && id < r.Target) {
				ds.Links = append(ds.Links, wiql.Link{Type: r.Rel, Source: id, Target: r.Target})
			}
		}
	}
	return ds
}

func wiqlFields(f map[string]any, revised time.Time) map[string]any {
	out := make(map[string]any, len(f)+1)
	for k, v := range f {
		if id, ok := v.(Identity); ok {
			out[k] = id.String()
			continue
		}
		out[k] = v
	}
	out["System.RevisedDate"] = revised
	return out
}

// dataset returns the org's WIQL dataset (live items and their links).
func (o *org) dataset() *wiql.Dataset {
	o.dsMu.Lock()
	defer o.dsMu.Unlock()
	if o.ds != nil {
		return o.ds
	}
	ids := make([]int, 0, len(o.items))
	for id, w := range o.items {
		if !w.deleted {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	ds := &wiql.Dataset{Items: make([]*wiql.Item, 0, len(ids))}
	for _, id := range ids {
		w := o.items[id]
		ds.Items = append(ds.Items, w.wiqlItem())
		for _, r := range w.cur().relations {
			t, ok := o.items[r.Target]
			if !ok || t.deleted {
				continue
			}
			switch {
			case r.Rel == LinkChild:
				ds.Links = append(ds.Links, wiql.Link{Type: LinkChild, Source: id, Target: r.Target})
			case r.Rel == LinkRelated && id < r.Target:
				ds.Links = append(ds.Links, wiql.Link{Type: LinkRelated, Source: id, Target: r.Target})
			}
		}
	}
	o.ds = ds
	return ds
}

// subscription is a service-hook subscription.
type subscription struct {
	id               string
	eventType        string
	publisherID      string
	resourceVersion  string
	consumerID       string
	consumerActionID string
	publisherInputs  map[string]string
	consumerInputs   map[string]string
	status           string
	created          time.Time
	modified         time.Time
	createdBy        Identity
	notifications    int
}

// errorf builds a plain error with an operation prefix.
func errorf(op, format string, args ...any) error {
	return fmt.Errorf("azdoemu: %s: %s", op, fmt.Sprintf(format, args...))
}
