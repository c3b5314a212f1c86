package azdoemu

import (
	"net/http"
	"sort"
	"strings"
)

var commonTypeFields = []string{"System.Id", "System.Title", "System.State", "System.Reason", "System.AssignedTo",
	"System.AreaPath", "System.IterationPath", "System.TeamProject", "System.WorkItemType", "System.Tags",
	"System.Description", "System.CreatedDate", "System.CreatedBy", "System.ChangedDate", "System.ChangedBy",
	"System.Rev", "System.Parent"}

func (s *Server) typeJSON(c *reqCtx, t *WorkItemType) map[string]any {
	typeURL := c.projURL(c.proj) + "/_apis/wit/workItemTypes/" + pathEscape(t.Name)
	var fields []any
	for _, ref := range append(append([]string(nil), commonTypeFields...), t.Fields...) {
		f, ok := c.org.field(ref)
		if !ok {
			continue
		}
		fields = append(fields, map[string]any{
			"defaultValue":   nil,
			"helpText":       "",
			"alwaysRequired": ref == "System.Title",
			"referenceName":  f.Ref,
			"name":           f.Name,
			"url":            c.orgURL() + "/_apis/wit/fields/" + f.Ref,
		})
	}
	var transitions = map[string]any{}
	for _, from := range append([]State{{Name: ""}}, t.States...) {
		var to []any
		for _, st := range t.States {
			if st.Name != from.Name {
				to = append(to, map[string]any{"to": st.Name, "actions": nil})
			}
		}
		transitions[from.Name] = to
	}
	states := make([]any, len(t.States))
	for i, st := range t.States {
		states[i] = map[string]any{"name": st.Name, "color": st.Color, "category": st.Category}
	}
	return map[string]any{
		"name":           t.Name,
		"referenceName":  t.ReferenceName,
		"description":    t.Description,
		"color":          t.Color,
		"icon":           map[string]any{"id": t.Icon, "url": c.orgURL() + "/_apis/wit/workItemIcons/" + t.Icon + "?color=" + t.Color + "&v=2"},
		"isDisabled":     false,
		"fieldInstances": fields,
		"fields":         fields,
		"transitions":    transitions,
		"states":         states,
		"_links":         map[string]any{"self": map[string]any{"href": typeURL}},
		"url":            typeURL,
	}
}

func (s *Server) listTypes(c *reqCtx) {
	out := make([]any, 0, len(c.proj.process.Types))
	for _, t := range c.proj.process.Types {
		out = append(out, s.typeJSON(c, t))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

func (s *Server) getType(c *reqCtx) {
	t := c.proj.process.typeByName(c.rest[2])
	if t == nil {
		c.fail(errTypeNotFound(c.rest[2]))
		return
	}
	c.json(s.typeJSON(c, t))
}

func (s *Server) listStates(c *reqCtx) {
	t := c.proj.process.typeByName(c.rest[2])
	if t == nil {
		c.fail(errTypeNotFound(c.rest[2]))
		return
	}
	out := make([]any, len(t.States))
	for i, st := range t.States {
		out[i] = map[string]any{"name": st.Name, "color": st.Color, "category": st.Category}
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// relationTypes are the link types the emulator knows.
var relationTypes = []string{LinkChild, LinkParent, LinkRelated}

func (c *reqCtx) relationTypeJSON(k string) map[string]any {
	topo := "tree"
	if k == LinkRelated {
		topo = "network"
	}
	return map[string]any{
		"referenceName": k,
		"name":          linkNames[k],
		"attributes": map[string]any{"usage": "workItemLink", "editable": false, "enabled": true,
			"acyclic": k != LinkRelated, "directional": k != LinkRelated, "singleTarget": k == LinkParent,
			"topology": topo, "isForward": k != LinkParent, "oppositeEndReferenceName": inverse(k)},
		"url": c.orgURL() + "/_apis/wit/workItemRelationTypes/" + k,
	}
}

func (s *Server) listRelationTypes(c *reqCtx) {
	out := make([]any, 0, len(relationTypes))
	for _, k := range relationTypes {
		out = append(out, c.relationTypeJSON(k))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// getRelationType serves GET …/wit/workitemrelationtypes/{reference name}.
func (s *Server) getRelationType(c *reqCtx) {
	for _, k := range relationTypes {
		if strings.EqualFold(k, c.rest[2]) {
			c.json(c.relationTypeJSON(k))
			return
		}
	}
	c.fail(newAPIError(http.StatusNotFound, "WorkItemLinkTypeNotFoundException", nsWIT,
		"The work item relation type %s does not exist.", c.rest[2]))
}

func (s *Server) listFields(c *reqCtx) {
	refs := make([]string, 0, len(c.org.fields))
	for _, f := range c.org.fields {
		refs = append(refs, f.Ref)
	}
	sort.Strings(refs)
	out := make([]any, 0, len(refs))
	for _, r := range refs {
		f, _ := c.org.field(r)
		out = append(out, fieldJSON(c, f))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// fieldJSON renders a field definition (WorkItemField2).
func fieldJSON(c *reqCtx, f fieldInfo) map[string]any {
	return map[string]any{
		"name": f.Name, "referenceName": f.Ref, "type": f.Type, "readOnly": strings.HasPrefix(f.Ref, "System.") && f.Ref != "System.Title",
		"usage": "workItem", "isIdentity": f.Type == "identity", "isPicklist": false, "isQueryable": true,
		"url": c.orgURL() + "/_apis/wit/fields/" + f.Ref,
	}
}

// RenameType renames a work item type in a project's process (and every
// item of that type), to test how clients cope with a type that vanished.
func (s *Server) RenameType(orgName, projectName, oldName, newName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, p, err := s.lookup(orgName, projectName)
	if err != nil {
		return err
	}
	t := p.process.typeByName(oldName)
	if t == nil {
		return errorf("rename type", "project %s has no work item type %q", p.name, oldName)
	}
	if newName == "" || (p.process.typeByName(newName) != nil && !strings.EqualFold(oldName, newName)) {
		return errorf("rename type", "invalid new name %q", newName)
	}
	t.Name = newName
	for _, w := range o.items {
		if w.proj == p {
			for _, r := range w.revs {
				if strings.EqualFold(r.fields["System.WorkItemType"].(string), oldName) {
					r.fields["System.WorkItemType"] = newName
				}
			}
			o.invalidate(w)
		}
	}
	return nil
}

// RemoveField deletes a custom field from an organization and from every
// work item that has it, as an administrator deleting the field would.
func (s *Server) RemoveField(orgName, ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[strings.ToLower(orgName)]
	if o == nil {
		return errorf("remove field", "no organization %q", orgName)
	}
	f, ok := o.field(ref)
	if !ok {
		return errorf("remove field", "organization %s has no field %q", o.name, ref)
	}
	delete(o.fields, strings.ToLower(f.Ref))
	for _, w := range o.items {
		for _, r := range w.revs {
			delete(r.fields, f.Ref)
		}
		o.invalidate(w)
	}
	return nil
}

// lookup finds an organization and project. Callers hold s.mu.
func (s *Server) lookup(orgName, projectName string) (*org, *project, error) {
	o := s.orgs[strings.ToLower(orgName)]
	if o == nil {
		return nil, nil, errOrgNotFound(orgName)
	}
	if projectName == "" {
		return o, nil, nil
	}
	p := o.projectByNameOrID(projectName)
	if p == nil {
		return nil, nil, errProjectNotFound(projectName)
	}
	return o, p, nil
}
