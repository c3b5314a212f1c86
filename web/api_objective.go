package web

import (
	"io"
	"net/http"

	"github.com/cairn-okr/cairn"
)

// ObjectiveInput is the body of POST …/objectives.
type ObjectiveInput struct {
	PeriodID     int64       `json:"period_id"`
	Title        string      `json:"title"`
	Description  string      `json:"description"`
	Level        cairn.Level `json:"level"`
	TeamID       *int64      `json:"team_id"`
	Aspirational bool        `json:"aspirational"`
	OwnerIDs     []int64     `json:"owner_ids"`
	EditorIDs    []int64     `json:"editor_ids"`
	// Parent and Weight give a single parent; Parents gives several, each with its weight.
	// A body gives one form or the other.
	Parent  *cairn.Ref        `json:"parent"`
	Weight  float64           `json:"weight"`
	Parents []cairn.Alignment `json:"parents"`
}

// DecodeObjective reads and validates a new objective from a request body. References to
// other items are checked later, by the service, against the organization.
func DecodeObjective(body io.Reader) (*cairn.Objective, error) {
	var in ObjectiveInput
	if err := DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	o := &cairn.Objective{
		PeriodID: in.PeriodID, Title: in.Title, Description: in.Description, Level: in.Level,
		TeamID: in.TeamID, Aspirational: in.Aspirational, OwnerIDs: in.OwnerIDs,
		EditorIDs: in.EditorIDs, Parent: in.Parent, Weight: in.Weight,
	}
	if in.Parents != nil {
		if in.Parent != nil || in.Weight != 0 {
			return nil, cairn.FieldError("parents", "give parents alone, with each parent's weight in it, not with parent or weight")
		}
		o.SetParents(in.Parents)
	}
	if err := o.ValidateNew(); err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Server) listObjectives(w http.ResponseWriter, r *http.Request) {
	var q cairn.ObjectiveQuery
	var err error
	if q.PeriodID, err = queryInt(r, "period_id"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.TeamID, err = queryInt(r, "team_id"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.OwnerID, err = queryInt(r, "owner_id"); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	offset, err := queryInt(r, "offset")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q.Limit, q.Offset = int(limit), int(offset)
	if st := r.URL.Query().Get("status"); st != "" {
		if err := mustBeOneOf("status", st, "not_started", "on_track", "behind", "at_risk"); err != nil {
			s.writeError(w, r, err)
			return
		}
		q.Status = st
	}
	os, err := s.svc.ListObjectives(r.Context(), r.PathValue("org"), q)
	s.reply(w, r, http.StatusOK, list(os), err)
}

func (s *Server) createObjective(w http.ResponseWriter, r *http.Request) {
	o, err := DecodeObjective(r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.CreateObjective(r.Context(), r.PathValue("org"), o); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.Objective(r.Context(), r.PathValue("org"), o.ID)
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) getObjective(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.Objective(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) objectiveTree(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.svc.ObjectiveTree(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) updateObjective(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.ObjectiveUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.UpdateObjective(r.Context(), r.PathValue("org"), id, in)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) deleteObjective(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.DeleteObjective(r.Context(), r.PathValue("org"), id))
}
