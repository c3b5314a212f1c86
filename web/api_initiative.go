package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

// InitiativeInput is the body of POST …/initiatives.
type InitiativeInput struct {
	Parent       cairn.Ref          `json:"parent"`
	Title        string             `json:"title"`
	Contributes  *bool              `json:"contributes"`
	ProgressMode cairn.ProgressMode `json:"progress_mode"`
	Metric       *MetricInput       `json:"metric"`
	OwnerIDs     []int64            `json:"owner_ids"`
	Weight       float64            `json:"weight"`

	EditorIDs       []int64 `json:"editor_ids"`
	CheckInOwnerIDs []int64 `json:"checkin_owner_ids"`
}

func (s *Server) listInitiatives(w http.ResponseWriter, r *http.Request) {
	var parent *cairn.Ref
	for _, t := range []cairn.ItemType{cairn.ItemKeyResult, cairn.ItemObjective} {
		id, err := queryInt(r, string(t)+"_id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if id != 0 {
			if parent != nil {
				s.writeError(w, r, cairn.FieldError("objective_id", "filter by key_result_id or objective_id, not both"))
				return
			}
			parent = &cairn.Ref{Type: t, ID: id}
		}
	}
	is, err := s.svc.ListInitiatives(r.Context(), r.PathValue("org"), parent)
	s.reply(w, r, http.StatusOK, list(is), err)
}

func (s *Server) createInitiative(w http.ResponseWriter, r *http.Request) {
	var in InitiativeInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	i := &cairn.Initiative{Parent: in.Parent, Title: in.Title, Contributes: true, ProgressMode: in.ProgressMode, OwnerIDs: in.OwnerIDs, Weight: in.Weight,
		EditorIDs: in.EditorIDs, CheckInOwnerIDs: in.CheckInOwnerIDs}
	if in.Contributes != nil {
		i.Contributes = *in.Contributes
	}
	if in.Metric != nil {
		m, err := in.Metric.metric()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		i.Metric = &m
	}
	if err := s.svc.CreateInitiative(r.Context(), r.PathValue("org"), i); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.Initiative(r.Context(), r.PathValue("org"), i.ID)
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) getInitiative(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.Initiative(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) updateInitiative(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.InitiativeUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.UpdateInitiative(r.Context(), r.PathValue("org"), id, in)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) deleteInitiative(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.DeleteInitiative(r.Context(), r.PathValue("org"), id))
}
