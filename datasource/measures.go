package datasource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// MeasureField is a numeric field a data source can sum: one the project's process really
// has, on the work item types that have it.
type MeasureField struct {
	// ReferenceName is the field's reference name, such as Microsoft.VSTS.Scheduling.Size.
	ReferenceName string `json:"reference_name"`
	// Name is the field's name in Azure DevOps, such as "Size".
	Name string `json:"name"`
	// Types are the work item types (of those asked about) that have the field.
	Types []string `json:"types"`
}

// notMeasures are numeric fields that order or identify work rather than size it.
var notMeasures = []string{"Microsoft.VSTS.Common.Priority", "Microsoft.VSTS.Common.StackRank",
	"Microsoft.VSTS.Common.BacklogPriority", "Microsoft.VSTS.Common.Rating"}

// measurable reports whether a field can be a measure: numeric, not a system field, and
// not one that only ranks work.
func measurable(f azdo.Field) bool {
	return f.Numeric() && !f.IsDeleted && !strings.HasPrefix(f.ReferenceName, "System.") &&
		!slices.ContainsFunc(notMeasures, func(n string) bool { return strings.EqualFold(n, f.ReferenceName) })
}

// measureFields reads which numeric fields the given work item types have: the value types
// come from the fields API, the fields of each type from the work item type fields API.
// With no types, every type of the project is asked about. A type that does not exist is
// reported by its name in missing.
func measureChoices(ctx context.Context, cl *azdo.Client, project string, types []string) (out []MeasureField, missing []string, err error) {
	fs, err := cl.Fields(ctx, project)
	if err != nil {
		return nil, nil, err
	}
	numeric := map[string]azdo.Field{}
	for _, f := range fs {
		if measurable(f) {
			numeric[strings.ToLower(f.ReferenceName)] = f
		}
	}
	if len(types) == 0 {
		ts, err := cl.WorkItemTypes(ctx, project)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range ts {
			if !t.IsDisabled {
				types = append(types, t.Name)
			}
		}
	}
	byRef := map[string]*MeasureField{}
	for _, t := range types {
		tfs, err := cl.WorkItemTypeFields(ctx, project, t)
		if errors.Is(err, azdo.ErrNotFound) {
			missing = append(missing, t)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		for _, tf := range tfs {
			f, ok := numeric[strings.ToLower(tf.ReferenceName)]
			if !ok {
				continue
			}
			m := byRef[strings.ToLower(f.ReferenceName)]
			if m == nil {
				name := f.Name
				if name == "" {
					name = tf.Name
				}
				m = &MeasureField{ReferenceName: f.ReferenceName, Name: name}
				byRef[strings.ToLower(f.ReferenceName)] = m
			}
			if !slices.Contains(m.Types, t) {
				m.Types = append(m.Types, t)
			}
		}
	}
	out = make([]MeasureField, 0, len(byRef))
	for _, m := range byRef {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name); a != b {
			return a < b
		}
		return out[i].ReferenceName < out[j].ReferenceName
	})
	return out, missing, nil
}

// MeasureFields lists the numeric fields a data source over the connection's project can
// sum: those the given work item types have (every type of the project when none is
// given), as the process defines them, custom fields included.
func (s *Service) MeasureFields(ctx context.Context, org string, connectionID int64, types []string) ([]MeasureField, error) {
	c, cl, err := s.lookupClient(ctx, org, connectionID)
	if err != nil {
		return nil, err
	}
	var clean []string
	for _, t := range types {
		if t = strings.TrimSpace(t); t != "" && t != cairn.ProgressAll && !slices.Contains(clean, t) {
			clean = append(clean, t)
		}
	}
	out, missing, err := measureChoices(ctx, cl, project(c), clean)
	if err != nil {
		return nil, apiError(err, "the fields of the work item types")
	}
	if len(missing) > 0 && len(missing) == len(clean) {
		return nil, cairn.FieldError("type", "project %q has no work item type %s", c.Project, quoteAll(missing))
	}
	return out, nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// checkMeasure validates a data source's measure against the process: the field must be
// numeric and on the progress type, or on some type of the project for all types. It
// returns the field's reference name as Azure DevOps spells it.
func checkMeasure(ctx context.Context, cl *azdo.Client, conn *cairn.Connection, progressType, measure string) (string, error) {
	var types []string
	if progressType != cairn.ProgressAll {
		types = []string{progressType}
	}
	ms, _, err := measureChoices(ctx, cl, project(conn), types)
	if err != nil {
		return "", apiError(err, "the fields of the work item types")
	}
	for _, m := range ms {
		if strings.EqualFold(m.ReferenceName, measure) {
			return m.ReferenceName, nil
		}
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	have := "it has no numeric fields"
	if len(names) > 0 {
		have = "choose one of " + strings.Join(names, ", ")
	}
	if progressType == cairn.ProgressAll {
		return "", cairn.FieldError("measure", "no work item type of project %q has the numeric field %s: %s", conn.Project, measure, have)
	}
	return "", cairn.FieldError("measure", "work item type %q has no numeric field %s: %s", progressType, measure, have)
}
