package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/vivaexport"
)

// ViewInput is the body of POST …/views.
type ViewInput struct {
	Name   string           `json:"name"`
	Shared bool             `json:"shared"`
	Filter cairn.ViewFilter `json:"filter"`
}

func (s *Server) viewRoutes(org string) []route {
	return []route{
		{"GET", org + "/views", s.listViews, false},
		{"POST", org + "/views", s.createView, false},
		{"GET", org + "/views/{id}", s.getView, false},
		{"PATCH", org + "/views/{id}", s.updateView, false},
		{"DELETE", org + "/views/{id}", s.deleteView, false},
		{"GET", org + "/items", s.listItems, false},
		{"GET", org + "/export", s.export, false},
		{"GET", org + "/dashboard", s.dashboard, false},
	}
}

func (s *Server) listViews(w http.ResponseWriter, r *http.Request) {
	vs, err := s.svc.ListViews(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, list(vs), err)
}

func (s *Server) createView(w http.ResponseWriter, r *http.Request) {
	var in ViewInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v := &cairn.SavedView{Name: in.Name, Shared: in.Shared, Filter: in.Filter}
	err := s.svc.CreateView(r.Context(), r.PathValue("org"), v)
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) getView(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.View(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) updateView(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.ViewUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.UpdateView(r.Context(), r.PathValue("org"), id, in)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) deleteView(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.DeleteView(r.Context(), r.PathValue("org"), id))
}

// filterParams are the query parameters of a filter, besides view_id.
var filterParams = []string{"period_id", "team_id", "owner_id", "status", "type", "level", "source", "q"}

// queryFilter reads a filter from the query: view_id names a saved view to take it from,
// else period_id (repeatable), team_id, owner_id, status, type, level, source and q give
// it. Both at once are refused.
func (s *Server) queryFilter(r *http.Request) (cairn.ViewFilter, error) {
	var f cairn.ViewFilter
	q := r.URL.Query()
	viewID, err := queryInt(r, "view_id")
	if err != nil {
		return f, err
	}
	if viewID != 0 {
		for _, p := range filterParams {
			if q.Has(p) {
				return f, cairn.FieldError(p, "give view_id or filter parameters such as %s, not both", p)
			}
		}
		// Another member's private view is not found, as at GET …/views/{id}.
		v, err := s.svc.View(r.Context(), r.PathValue("org"), viewID)
		if err != nil {
			return f, err
		}
		return v.Filter, nil
	}
	for _, v := range q["period_id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, cairn.FieldError("period_id", "query parameter period_id must be a positive integer, not %q", v)
		}
		f.PeriodIDs = append(f.PeriodIDs, id)
	}
	if f.TeamID, err = queryInt(r, "team_id"); err != nil {
		return f, err
	}
	if f.OwnerID, err = queryInt(r, "owner_id"); err != nil {
		return f, err
	}
	f.Status, f.Source, f.Q = q.Get("status"), q.Get("source"), q.Get("q")
	f.Type, f.Level = cairn.ItemType(q.Get("type")), cairn.Level(q.Get("level"))
	return f, f.Validate()
}

// listedItem is one row of GET …/items.
type listedItem struct {
	Type        cairn.ItemType `json:"type"`
	ID          int64          `json:"id"`
	Title       string         `json:"title"`
	PeriodID    int64          `json:"period_id"`
	ObjectiveID int64          `json:"objective_id"`
	TeamID      *int64         `json:"team_id"`
	Level       cairn.Level    `json:"level"`
	OwnerIDs    []int64        `json:"owner_ids"`
	Status      string         `json:"status"`
	Source      string         `json:"source"`
	Progress    float64        `json:"progress"`
}

func (s *Server) listItems(w http.ResponseWriter, r *http.Request) {
	f, err := s.queryFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, err := s.svc.ListItems(r.Context(), r.PathValue("org"), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]listedItem, 0, len(items))
	for _, it := range items {
		li := listedItem{Type: it.Ref.Type, ID: it.Ref.ID, Title: it.Title(), PeriodID: it.Period.ID, ObjectiveID: it.Owner.ID,
			TeamID: it.Owner.TeamID, Level: it.Owner.Level, OwnerIDs: it.OwnerIDs(), Status: it.Status(), Source: it.Source()}
		switch {
		case it.Objective != nil:
			li.Progress = it.Objective.Progress
		case it.KeyResult != nil:
			li.Progress = it.KeyResult.Progress
		default:
			li.Progress = it.Initiative.Progress
		}
		out = append(out, li)
	}
	s.reply(w, r, http.StatusOK, list(out), nil)
}

// export answers the items a filter or a saved view selects as a Viva Goals Explorer
// export, CSV or XLSX.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if err := mustBeOneOf("format", format, "csv", "xlsx"); err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.queryFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, org := r.Context(), r.PathValue("org")
	o, err := s.svc.Org(ctx, org)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.exportInput(r, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	rows := vivaexport.Rows(*in)
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = vivaexport.WriteXLSX(&buf, rows)
	} else {
		err = vivaexport.WriteCSV(&buf, rows)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := "cairn-" + o.Slug + "-" + s.now().UTC().Format("2006-01-02") + "." + format
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}

// exportInput loads what an export of the filter's items needs: the items, the names of
// people and teams, every check-in of the items and their last Azure DevOps syncs.
func (s *Server) exportInput(r *http.Request, f cairn.ViewFilter) (*vivaexport.Input, error) {
	ctx, org := r.Context(), r.PathValue("org")
	items, err := s.svc.ListItems(ctx, org, f)
	if err != nil {
		return nil, err
	}
	in := &vivaexport.Input{Items: items, People: map[int64]string{}, Teams: map[int64]string{},
		CheckIns: map[cairn.Ref][]*cairn.CheckIn{}, LastSync: map[cairn.Ref]time.Time{}}
	members, err := s.svc.ListMembers(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		in.People[m.UserID] = m.Name
		if m.Name == "" {
			in.People[m.UserID] = m.Email
		}
	}
	teams, err := s.svc.ListTeams(ctx, org)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		in.Teams[t.ID] = t.Name
	}
	refs := make([]cairn.Ref, 0, len(items))
	for _, it := range items {
		refs = append(refs, it.Ref)
	}
	if in.CheckIns, err = s.svc.ItemCheckIns(ctx, org, refs, 1000); err != nil {
		return nil, err
	}
	if s.azdo != nil {
		ds, err := s.azdo.ListDataSources(ctx, org)
		if err == nil {
			for _, d := range ds {
				if d.LastSuccessAt != nil {
					in.LastSync[d.Target.Ref()] = *d.LastSuccessAt
				}
			}
		} else if c := cairn.ErrorCode(err); c != cairn.EFORBIDDEN && c != cairn.ENOTFOUND && c != cairn.ENOTIMPLEMENTED {
			return nil, err
		}
	}
	return in, nil
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	var q cairn.DashboardQuery
	var err error
	if q.TeamID, err = queryInt(r, "team_id"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.PeriodID, err = queryInt(r, "period_id"); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.svc.Dashboard(r.Context(), r.PathValue("org"), q)
	s.reply(w, r, http.StatusOK, d, err)
}
