package azdoemu

import (
	"sort"
	"strings"
)

// WorkItemSnapshot is a copy of a work item's current state for tests and
// the demo. Fields hold string, int, float64, bool and time.Time values;
// identities are "Name <upn>" strings.
type WorkItemSnapshot struct {
	ID      int
	Rev     int
	Type    string
	State   string
	Title   string
	Parent  int
	Deleted bool
	Fields  map[string]any
}

// ProjectInfo describes a project.
type ProjectInfo struct {
	ID      string
	Name    string
	Process string
	// Types are the names of the process's work item types.
	Types []string
}

func snapshotOf(w *workItem) WorkItemSnapshot {
	r := w.cur()
	f := make(map[string]any, len(r.fields))
	for k, v := range r.fields {
		if id, ok := v.(Identity); ok {
			f[k] = id.String()
			continue
		}
		f[k] = v
	}
	typ, _ := r.fields["System.WorkItemType"].(string)
	st, _ := r.fields["System.State"].(string)
	title, _ := r.fields["System.Title"].(string)
	return WorkItemSnapshot{ID: w.id, Rev: r.rev(), Type: typ, State: st, Title: title,
		Parent: parentOf(r.relations), Deleted: w.deleted, Fields: f}
}

// WorkItems returns the live (not deleted) work items of a project, by id.
func (s *Server) WorkItems(orgName, projectName string) ([]WorkItemSnapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, p, err := s.lookup(orgName, projectName)
	if err != nil {
		return nil, err
	}
	var out []WorkItemSnapshot
	for _, w := range o.items {
		if !w.deleted && (p == nil || w.proj == p) {
			out = append(out, snapshotOf(w))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// WorkItem returns one work item, deleted or not.
func (s *Server) WorkItem(orgName string, id int) (WorkItemSnapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.orgs[strings.ToLower(orgName)]
	if o == nil {
		return WorkItemSnapshot{}, errOrgNotFound(orgName)
	}
	w := o.items[id]
	if w == nil {
		return WorkItemSnapshot{}, errWorkItemNotFound(id)
	}
	return snapshotOf(w), nil
}

// Project returns a project's id, name and process.
func (s *Server) Project(orgName, name string) (ProjectInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, p, err := s.lookup(orgName, name)
	if err != nil {
		return ProjectInfo{}, err
	}
	if p == nil {
		return ProjectInfo{}, errProjectNotFound(name)
	}
	types := make([]string, 0, len(p.process.Types))
	for _, t := range p.process.Types {
		types = append(types, t.Name)
	}
	return ProjectInfo{ID: p.id, Name: p.name, Process: p.process.Name, Types: types}, nil
}
