package azdoemu

import (
	"net/http"
	"strconv"
	"strings"
)

// This file serves a work item's history: …/workitems/{id}/updates[/{n}] and
// …/revisions/{rev}. Both are derived from the stored revisions, so they always agree
// with the PATCHes that were applied: update n is the difference between revision n-1
// and revision n (update 1 holds every field of the first revision as a new value).

// itemForHistory finds the work item of a history request and writes the 404 itself.
func (c *reqCtx) itemForHistory() *workItem {
	id, err := strconv.Atoi(c.rest[2])
	if err != nil {
		c.fail(errBadRequest("The value '%s' is not a valid work item id.", c.rest[2]))
		return nil
	}
	w, ok := c.org.items[id]
	if !ok || w.deleted || (c.proj != nil && w.proj != c.proj) {
		c.fail(errWorkItemNotFound(id))
		return nil
	}
	return w
}

// pageParams reads $top and $skip of a history list.
func (c *reqCtx) pageParams() (top, skip int, err *apiError) {
	top = -1
	for name, dst := range map[string]*int{"$top": &top, "$skip": &skip} {
		v := c.param(name)
		if v == "" {
			continue
		}
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, errBadRequest("The value '%s' is not valid for %s.", v, name)
		}
		*dst = n
	}
	return top, skip, nil
}

// updateJSON renders update i (0-based index into w.revs) of w.
func (s *Server) updateJSON(c *reqCtx, w *workItem, i int) map[string]any {
	cur := w.revs[i]
	var prev *revision
	if i > 0 {
		prev = w.revs[i-1]
	}
	fields := map[string]any{}
	for k, v := range cur.fields {
		var old any
		had := false
		if prev != nil {
			old, had = prev.fields[k]
		}
		if had && sameValue(old, v) {
			continue
		}
		d := map[string]any{"newValue": restValue(c, v)}
		if had {
			d["oldValue"] = restValue(c, old)
		}
		fields[k] = d
	}
	if prev != nil {
		for k, old := range prev.fields {
			if _, has := cur.fields[k]; !has {
				fields[k] = map[string]any{"oldValue": restValue(c, old)}
			}
		}
	}
	n := i + 1
	u := c.itemURL(w) + "/updates/" + strconv.Itoa(n)
	by, _ := cur.fields["System.ChangedBy"].(Identity)
	revisedBy := identityJSON(c.base, c.org.name, by)
	revisedBy.Name = by.String()
	out := map[string]any{
		"id":          n,
		"workItemId":  w.id,
		"rev":         cur.rev(),
		"revisedBy":   revisedBy,
		"revisedDate": fmtTime(w.revisedDate(i)),
		"url":         u,
	}
	if len(fields) > 0 {
		out["fields"] = fields
	}
	var prevRels []relation
	if prev != nil {
		prevRels = prev.relations
	}
	if rd := relationDiff(c, s, prevRels, cur.relations); rd != nil {
		out["relations"] = rd
	}
	return out
}

// listUpdates serves GET …/wit/workitems/{id}/updates with $top and $skip.
func (s *Server) listUpdates(c *reqCtx) {
	w := c.itemForHistory()
	if w == nil {
		return
	}
	top, skip, err := c.pageParams()
	if err != nil {
		c.fail(err)
		return
	}
	out := []any{}
	for i := skip; i < len(w.revs) && (top < 0 || len(out) < top); i++ {
		out = append(out, s.updateJSON(c, w, i))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// getUpdate serves GET …/wit/workitems/{id}/updates/{n}.
func (s *Server) getUpdate(c *reqCtx) {
	w := c.itemForHistory()
	if w == nil {
		return
	}
	n, err := strconv.Atoi(c.rest[4])
	if err != nil || n < 1 || n > len(w.revs) {
		c.fail(newAPIError(http.StatusNotFound, "WorkItemUpdateNotFoundException", nsWIT,
			"VS402323: Work item %d does not have an update with number %s.", w.id, c.rest[4]))
		return
	}
	c.json(s.updateJSON(c, w, n-1))
}

// getRevision serves GET …/wit/workitems/{id}/revisions/{rev}.
func (s *Server) getRevision(c *reqCtx) {
	w := c.itemForHistory()
	if w == nil {
		return
	}
	n, err := strconv.Atoi(c.rest[4])
	if err == nil {
		for _, r := range w.revs {
			if r.rev() == n {
				c.json(s.itemJSON(c, w, r, nil, strings.ToLower(c.param("$expand")), false))
				return
			}
		}
	}
	c.fail(newAPIError(http.StatusNotFound, "WorkItemRevisionNotFoundException", nsWIT,
		"VS402324: Work item %d does not have revision %s.", w.id, c.rest[4]))
}

// getField serves GET …/wit/fields/{name or reference name}.
func (s *Server) getField(c *reqCtx) {
	f, ok := c.org.field(c.rest[2])
	if !ok {
		c.fail(newAPIError(http.StatusNotFound, "WorkItemTrackingFieldDefinitionNotFoundException", nsWIT,
			"TF51535: Cannot find field %s.", c.rest[2]))
		return
	}
	c.json(fieldJSON(c, f))
}
