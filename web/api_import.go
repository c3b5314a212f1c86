package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

// rebindRequest puts an item on the re-bind checklist.
type rebindRequest struct {
	Item   cairn.Ref `json:"item"`
	Reason string    `json:"reason"`
}

// listRebind lists the re-bind checklist: the open entries, or with ?all=true every one.
func (s *Server) listRebind(w http.ResponseWriter, r *http.Request) {
	es, err := s.svc.RebindChecklist(r.Context(), r.PathValue("org"), r.URL.Query().Get("all") == "true")
	s.reply(w, r, http.StatusOK, list(es), err)
}

// addRebind puts an item on the re-bind checklist, or opens its entry again.
func (s *Server) addRebind(w http.ResponseWriter, r *http.Request) {
	var in rebindRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	e := &cairn.RebindEntry{Item: in.Item, Reason: in.Reason}
	err := s.svc.AddRebind(r.Context(), r.PathValue("org"), e)
	s.reply(w, r, http.StatusCreated, e, err)
}

// markRebindDone ticks an entry of the re-bind checklist off.
func (s *Server) markRebindDone(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.svc.MarkRebindDone(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, e, err)
}
