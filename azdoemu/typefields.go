package azdoemu

import "strings"

// typeFieldJSON is one field of a work item type as the Work Item Types
// Field API returns it (WorkItemTypeFieldWithReferences). It carries no
// value type: clients read that from the fields API.
func (s *Server) typeFieldJSON(c *reqCtx, f fieldInfo, expand string) map[string]any {
	out := map[string]any{
		"alwaysRequired": f.Ref == "System.Title" || f.Ref == "System.State",
		"defaultValue":   nil,
		"helpText":       "",
		"referenceName":  f.Ref,
		"name":           f.Name,
		"url":            c.orgURL() + "/_apis/wit/fields/" + f.Ref,
	}
	// Azure DevOps lists allowed values as strings, which the 7.1 OpenAPI document
	// describes as objects; they are left out to keep answers valid against it.
	if expand == "dependentfields" || expand == "all" {
		out["dependentFields"] = []any{}
	}
	return out
}

// typeFields returns the fields of a work item type: the common system
// fields and the type's own, skipping any the organization no longer has.
func (c *reqCtx) typeFields(t *WorkItemType) []fieldInfo {
	refs := append(append([]string(nil), commonTypeFields...), t.Fields...)
	out := make([]fieldInfo, 0, len(refs))
	for _, ref := range refs {
		if f, ok := c.org.field(ref); ok {
			out = append(out, f)
		}
	}
	return out
}

// listTypeFields serves GET …/wit/workitemtypes/{type}/fields.
func (s *Server) listTypeFields(c *reqCtx) {
	t := c.proj.process.typeByName(c.rest[2])
	if t == nil {
		c.fail(errTypeNotFound(c.rest[2]))
		return
	}
	expand := strings.ToLower(c.param("$expand"))
	fs := c.typeFields(t)
	out := make([]any, 0, len(fs))
	for _, f := range fs {
		out = append(out, s.typeFieldJSON(c, f, expand))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// getTypeField serves GET …/wit/workitemtypes/{type}/fields/{field}.
func (s *Server) getTypeField(c *reqCtx) {
	t := c.proj.process.typeByName(c.rest[2])
	if t == nil {
		c.fail(errTypeNotFound(c.rest[2]))
		return
	}
	f, ok := c.org.field(c.rest[4])
	if !ok || !t.hasField(f.Ref) {
		c.fail(errFieldNotFound(c.rest[4]))
		return
	}
	c.json(s.typeFieldJSON(c, f, strings.ToLower(c.param("$expand"))))
}
