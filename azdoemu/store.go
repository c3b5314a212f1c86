package azdoemu

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func encodeB64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// identityFor finds a known identity by "Name <upn>", upn or display name,
// and registers a new one when none matches. Callers hold s.mu for writing.
func (s *Server) identityFor(v string) Identity {
	name, upn := parseIdentityString(v)
	for _, id := range s.identities {
		if strings.EqualFold(id.UniqueName, upn) {
			return id
		}
	}
	if !strings.Contains(v, "<") && !strings.Contains(v, "@") {
		for _, id := range s.identities {
			if strings.EqualFold(id.DisplayName, name) {
				return id
			}
		}
	}
	id := newIdentity(name, upn)
	s.identities = append(s.identities, id)
	return id
}

// normalize converts an incoming field value to the stored type of f.
// A nil result means the field is cleared.
func (s *Server) normalize(f fieldInfo, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if str, ok := v.(string); ok && str == "" {
		return nil, nil
	}
	bad := func() (any, error) {
		return nil, newAPIError(http.StatusBadRequest, "WorkItemFieldInvalidTypeForFieldException", nsWIT,
			"TF401326: Invalid field value %v for field %s (%s).", v, f.Ref, f.Type)
	}
	switch f.Type {
	case "integer":
		switch x := v.(type) {
		case int:
			return x, nil
		case int64:
			return int(x), nil
		case float64:
			if x != math.Trunc(x) {
				return bad()
			}
			return int(x), nil
		case json.Number:
			n, err := strconv.Atoi(string(x))
			if err != nil {
				return bad()
			}
			return n, nil
		case string:
			n, err := strconv.Atoi(strings.TrimSpace(x))
			if err != nil {
				return bad()
			}
			return n, nil
		}
		return bad()
	case "double":
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		case json.Number:
			n, err := x.Float64()
			if err != nil {
				return bad()
			}
			return n, nil
		case string:
			n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return bad()
			}
			return n, nil
		}
		return bad()
	case "dateTime":
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			t, err := parseTime(x)
			if err != nil {
				return bad()
			}
			return t, nil
		}
		return bad()
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(x)
			if err != nil {
				return bad()
			}
			return b, nil
		}
		return bad()
	case "identity":
		switch x := v.(type) {
		case Identity:
			return x, nil
		case string:
			return s.identityFor(x), nil
		case map[string]any:
			if u, ok := x["uniqueName"].(string); ok && u != "" {
				name, _ := x["displayName"].(string)
				if name == "" {
					return s.identityFor(u), nil
				}
				return s.identityFor(name + " <" + u + ">"), nil
			}
			if n, ok := x["displayName"].(string); ok && n != "" {
				return s.identityFor(n), nil
			}
		}
		return bad()
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return bad()
}

// parseTime accepts RFC 3339 and plain dates.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errorf("parse time", "%q is not a date (want RFC 3339 or YYYY-MM-DD)", s)
}

// changeSet is one write to a work item.
type changeSet struct {
	set       map[string]any // reference name → normalized value, nil clears
	relations []relation     // the new relation list, used when relsSet
	relsSet   bool
}

// pending is a service-hook event waiting to be delivered after the lock is
// released.
type pending struct {
	subID   string
	target  hookTarget
	payload []byte
}

// writeRevision appends a new revision to w. Callers hold s.mu.
func (s *Server) writeRevision(o *org, w *workItem, cs changeSet, by Identity, when time.Time) (*revision, error) {
	prev := w.cur()
	fields := make(map[string]any, len(prev.fields)+len(cs.set))
	for k, v := range prev.fields {
		fields[k] = v
	}
	for k, v := range cs.set {
		if v == nil {
			delete(fields, k)
		} else {
			fields[k] = v
		}
	}
	if err := s.checkFields(w.proj, fields, prev.fields); err != nil {
		return nil, err
	}
	if !when.After(prev.changed) {
		when = prev.changed.Add(time.Millisecond)
	}
	rels := prev.relations
	if cs.relsSet {
		rels = cs.relations
	}
	o.watermark++
	fields["System.Rev"] = prev.rev() + 1
	fields["System.ChangedDate"] = when
	fields["System.ChangedBy"] = by
	fields["System.AuthorizedDate"] = when
	fields["System.AuthorizedAs"] = by
	fields["System.Watermark"] = o.watermark
	if fields["System.State"] != prev.fields["System.State"] {
		fields[fStateChange] = when
		if _, given := cs.set["System.Reason"]; !given {
			st, _ := fields["System.State"].(string)
			fields["System.Reason"] = reasonFor(w.proj.process.typeByName(fields["System.WorkItemType"].(string)), st, false)
		}
	}
	r := &revision{fields: fields, relations: rels, changed: when, watermark: o.watermark}
	w.revs = append(w.revs, r)
	o.invalidate(w)
	return r, nil
}

// checkFields validates type and state after a change.
func (s *Server) checkFields(p *project, fields, prev map[string]any) error {
	typ, _ := fields["System.WorkItemType"].(string)
	t := p.process.typeByName(typ)
	if t == nil {
		return errTypeNotFound(typ)
	}
	title, _ := fields["System.Title"].(string)
	if strings.TrimSpace(title) == "" {
		return newAPIError(http.StatusBadRequest, "RuleValidationException", nsWIT,
			"TF401320: Rule Error for field Title. Error code: Required, InvalidEmpty.")
	}
	st, _ := fields["System.State"].(string)
	state := t.state(st)
	if state == nil {
		return newAPIError(http.StatusBadRequest, "RuleValidationException", nsWIT,
			"TF401320: Rule Error for field State. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty. The value %q is not in the list of supported values for %s.", st, t.Name)
	}
	fields["System.State"] = state.Name
	fields["System.WorkItemType"] = t.Name
	return nil
}

// createItem creates a work item with its first revision. Callers hold s.mu.
func (s *Server) createItem(o *org, p *project, typeName string, set map[string]any, by Identity, when time.Time) (*workItem, error) {
	t := p.process.typeByName(typeName)
	if t == nil {
		return nil, errTypeNotFound(typeName)
	}
	fields := map[string]any{}
	for k, v := range set {
		if v != nil {
			fields[k] = v
		}
	}
	if _, ok := fields["System.State"]; !ok {
		fields["System.State"] = t.States[0].Name
	}
	fields["System.WorkItemType"] = t.Name
	if _, ok := fields["System.AreaPath"]; !ok {
		fields["System.AreaPath"] = p.name
	}
	if _, ok := fields["System.IterationPath"]; !ok {
		fields["System.IterationPath"] = p.name
	}
	if _, ok := fields["System.Reason"]; !ok {
		st, _ := fields["System.State"].(string)
		fields["System.Reason"] = reasonFor(t, st, true)
	}
	fields["System.TeamProject"] = p.name
	if err := s.checkFields(p, fields, nil); err != nil {
		return nil, err
	}
	id := o.nextID
	o.nextID++
	o.watermark++
	fields["System.Id"] = id
	fields["System.Rev"] = 1
	fields["System.CreatedDate"] = when
	fields["System.CreatedBy"] = by
	fields["System.ChangedDate"] = when
	fields["System.ChangedBy"] = by
	fields["System.AuthorizedDate"] = when
	fields["System.AuthorizedAs"] = by
	fields["System.Watermark"] = o.watermark
	fields["System.CommentCount"] = 0
	fields[fStateChange] = when
	if _, ok := fields[fPriority]; !ok && t.hasField(fPriority) {
		fields[fPriority] = 2
	}
	w := &workItem{id: id, proj: p, revs: []*revision{{fields: fields, changed: when, watermark: o.watermark}}}
	o.items[id] = w
	o.invalidate(w)
	return w, nil
}

// relationsWith returns rels plus r, unless it is already there.
func relationsWith(rels []relation, r relation) ([]relation, bool) {
	for _, x := range rels {
		if x == r {
			return rels, false
		}
	}
	out := make([]relation, 0, len(rels)+1)
	out = append(out, rels...)
	return append(out, r), true
}

func relationsWithout(rels []relation, r relation) ([]relation, bool) {
	out := make([]relation, 0, len(rels))
	found := false
	for _, x := range rels {
		if x == r {
			found = true
			continue
		}
		out = append(out, x)
	}
	return out, found
}

// inverse returns the link type seen from the other end.
func inverse(rel string) string {
	switch rel {
	case LinkChild:
		return LinkParent
	case LinkParent:
		return LinkChild
	}
	return rel
}

func parentOf(rels []relation) int {
	for _, r := range rels {
		if r.Rel == LinkParent {
			return r.Target
		}
	}
	return 0
}

// checkLink validates a new link from w (type rel) to target.
func (s *Server) checkLink(o *org, w *workItem, rel string, target int) error {
	if _, ok := linkNames[rel]; !ok {
		return newAPIError(http.StatusBadRequest, "WorkItemLinkTypeNotFoundException", nsWIT,
			"TF201035: The link type %s does not exist.", rel)
	}
	t, ok := o.items[target]
	if !ok || t.deleted {
		return errWorkItemNotFound(target)
	}
	if target == w.id {
		return newAPIError(http.StatusBadRequest, "WorkItemLinkSelfReferenceException", nsWIT,
			"TF201063: You cannot link work item %d to itself.", w.id)
	}
	child, parent := w, t
	if rel == LinkChild {
		child, parent = t, w
	}
	if rel == LinkChild || rel == LinkParent {
		if p := parentOf(child.cur().relations); p != 0 && p != parent.id {
			return newAPIError(http.StatusBadRequest, "WorkItemLinkAddExtraParentException", nsWIT,
				"TF201036: You cannot add a Child link between work items %d and %d because a work item can have only one Parent link.", parent.id, child.id)
		}
		for a := parentOf(parent.cur().relations); a != 0; {
			if a == child.id {
				return newAPIError(http.StatusBadRequest, "WorkItemLinkCircularException", nsWIT,
					"TF201040: The link between work items %d and %d would create a circular relationship.", parent.id, child.id)
			}
			pa, ok := o.items[a]
			if !ok {
				break
			}
			a = parentOf(pa.cur().relations)
		}
	}
	return nil
}

// linkSet adds (or removes) the relation on w's side into cs and returns the
// partner-side change to apply afterwards.
func parentFieldFor(rels []relation) any {
	if p := parentOf(rels); p != 0 {
		return p
	}
	return nil
}
