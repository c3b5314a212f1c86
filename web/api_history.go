package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

func (s *Server) history(w http.ResponseWriter, r *http.Request, t cairn.ItemType) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	es, err := s.svc.History(r.Context(), r.PathValue("org"), cairn.Ref{Type: t, ID: id}, int(limit))
	s.reply(w, r, http.StatusOK, list(es), err)
}

// historyRoutes are the audit trail's routes, one for each kind of thing it records.
func (s *Server) historyRoutes(org string) []route {
	var out []route
	for _, k := range []struct {
		path string
		t    cairn.ItemType
	}{
		{"/objectives/{id}", cairn.ItemObjective}, {"/key-results/{id}", cairn.ItemKeyResult},
		{"/initiatives/{id}", cairn.ItemInitiative}, {"/check-ins/{id}", cairn.ItemCheckIn},
		{"/data-sources/{id}", cairn.ItemDataSource},
	} {
		t := k.t
		out = append(out, route{"GET", org + k.path + "/history", func(w http.ResponseWriter, r *http.Request) { s.history(w, r, t) }, false})
	}
	return out
}
