package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

// CommentInput is the body of POST …/comments and PATCH …/comments/{id}. Mentions are
// found in the body: "@" and a member's name, email handle or email.
type CommentInput struct {
	Body string `json:"body"`
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, t cairn.ItemType) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.svc.ListComments(r.Context(), r.PathValue("org"), cairn.Ref{Type: t, ID: id})
	s.reply(w, r, http.StatusOK, list(cs), err)
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request, t cairn.ItemType) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in CommentInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c := &cairn.Comment{Item: cairn.Ref{Type: t, ID: id}, Body: in.Body}
	if err := s.svc.AddComment(r.Context(), r.PathValue("org"), c); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) updateComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in CommentInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.svc.UpdateComment(r.Context(), r.PathValue("org"), id, in.Body)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.DeleteComment(r.Context(), r.PathValue("org"), id))
}

// commentRoutes are the comment routes of each kind of thing people comment on.
func (s *Server) commentRoutes(org string) []route {
	var out []route
	for _, k := range []struct {
		path string
		t    cairn.ItemType
	}{
		{"/objectives/{id}", cairn.ItemObjective}, {"/key-results/{id}", cairn.ItemKeyResult},
		{"/initiatives/{id}", cairn.ItemInitiative}, {"/check-ins/{id}", cairn.ItemCheckIn},
	} {
		t := k.t
		out = append(out,
			route{"GET", org + k.path + "/comments", func(w http.ResponseWriter, r *http.Request) { s.listComments(w, r, t) }, false},
			route{"POST", org + k.path + "/comments", func(w http.ResponseWriter, r *http.Request) { s.addComment(w, r, t) }, false})
	}
	return append(out,
		route{"PATCH", org + "/comments/{id}", s.updateComment, false},
		route{"DELETE", org + "/comments/{id}", s.deleteComment, false})
}
