package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	ms, err := s.svc.ListMembers(r.Context(), r.PathValue("org"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list(ms))
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	var in cairn.NewMember
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.svc.AddMember(r.Context(), r.PathValue("org"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.svc.Member(r.Context(), r.PathValue("org"), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.MemberUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.svc.UpdateMember(r.Context(), r.PathValue("org"), id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.RemoveMember(r.Context(), r.PathValue("org"), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
