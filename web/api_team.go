package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

type createTeamRequest struct {
	Name      string  `json:"name"`
	MemberIDs []int64 `json:"member_ids"`
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) {
	ts, err := s.svc.ListTeams(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, list(ts), err)
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) {
	var in createTeamRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	t := &cairn.Team{Name: in.Name, MemberIDs: in.MemberIDs}
	if err := s.svc.CreateTeam(r.Context(), r.PathValue("org"), t); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.svc.Team(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.TeamUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.svc.UpdateTeam(r.Context(), r.PathValue("org"), id, in)
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.DeleteTeam(r.Context(), r.PathValue("org"), id))
}
