package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	ms, err := s.svc.ListMembers(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, list(ms), err)
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	var in cairn.NewMember
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.svc.AddMember(r.Context(), r.PathValue("org"), in)
	s.reply(w, r, http.StatusCreated, m, err)
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.svc.Member(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, m, err)
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
	s.reply(w, r, http.StatusOK, m, err)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.RemoveMember(r.Context(), r.PathValue("org"), id))
}

// unlockMember lifts a sign-in lock on a member's email at once.
func (s *Server) unlockMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.UnlockMember(r.Context(), r.PathValue("org"), id))
}

// claimMember merges an unclaimed member, a person an import named, into a real account.
func (s *Server) claimMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.ClaimInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.svc.ClaimMember(r.Context(), r.PathValue("org"), id, in)
	s.reply(w, r, http.StatusOK, m, err)
}
