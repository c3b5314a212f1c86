package main

import (
	"context"
	"strings"

	"github.com/cairn-okr/cairn/azdo"
)

// azdoTypeView is one work item type as `cairn azdo types` prints it.
type azdoTypeView struct {
	Name          string          `json:"name"`
	ReferenceName string          `json:"referenceName,omitempty"`
	States        []azdo.State    `json:"states"`
	NumericFields []azdoFieldView `json:"numericFields"`
}

// azdoFieldView is a numeric field of a type with its value type.
type azdoFieldView struct {
	ReferenceName string `json:"referenceName"`
	Name          string `json:"name"`
	Type          string `json:"type"`
}

// runAzdoTypes prints each work item type of the project with its states, their
// categories, and its numeric fields: what Cairn decides completion and measures by.
func runAzdoTypes(ctx context.Context, s *azdoSession, args []string) error {
	if err := s.noArgs(args); err != nil {
		return err
	}
	if err := s.needProject(); err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	ts, err := c.WorkItemTypes(ctx, s.project)
	if err != nil {
		return err
	}
	fs, err := c.Fields(ctx, s.project)
	if err != nil {
		return err
	}
	numeric := map[string]azdo.Field{}
	for _, f := range fs {
		if f.Numeric() {
			numeric[strings.ToLower(f.ReferenceName)] = f
		}
	}
	out := make([]azdoTypeView, 0, len(ts))
	for _, t := range ts {
		if s.search != "" && !strings.EqualFold(t.Name, s.search) {
			continue
		}
		states, err := c.States(ctx, s.project, t.Name)
		if err != nil {
			return err
		}
		tfs, err := c.WorkItemTypeFields(ctx, s.project, t.Name)
		if err != nil {
			return err
		}
		v := azdoTypeView{Name: t.Name, ReferenceName: t.ReferenceName, States: states, NumericFields: []azdoFieldView{}}
		if v.States == nil {
			v.States = []azdo.State{}
		}
		for _, tf := range tfs {
			if f, ok := numeric[strings.ToLower(tf.ReferenceName)]; ok && !strings.HasPrefix(f.ReferenceName, "System.") {
				v.NumericFields = append(v.NumericFields, azdoFieldView{ReferenceName: f.ReferenceName, Name: f.Name, Type: f.Type})
			}
		}
		out = append(out, v)
	}
	if s.search != "" && len(out) == 0 {
		return s.usageError("project %q has no work item type %q", s.project, s.search)
	}
	return s.print(out)
}
