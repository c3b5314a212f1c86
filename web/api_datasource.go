package web

import (
	"net/http"

	"github.com/cairn-okr/cairn/datasource"
)

func (s *Server) listDataSources(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	ds, err := ig.ListDataSources(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, list(ds), err)
}

func (s *Server) createDataSource(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	var in datasource.DataSourceInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := ig.CreateDataSource(r.Context(), r.PathValue("org"), in)
	s.reply(w, r, http.StatusCreated, d, err)
}

func (s *Server) previewDataSource(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	var in datasource.DataSourceInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := ig.Preview(r.Context(), r.PathValue("org"), in)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) getDataSource(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := ig.DataSource(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) updateDataSource(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var up datasource.DataSourceUpdate
	if err := DecodeJSON(r.Body, &up); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := ig.UpdateDataSource(r.Context(), r.PathValue("org"), id, up)
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) deleteDataSource(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, ig.DeleteDataSource(r.Context(), r.PathValue("org"), id))
}

func (s *Server) syncDataSource(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	wait := r.URL.Query().Get("wait") == "true"
	d, err := ig.SyncNow(r.Context(), r.PathValue("org"), id, wait)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusAccepted
	if wait {
		status = http.StatusOK
	}
	writeJSON(w, status, d)
}

func (s *Server) listSyncRuns(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
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
	runs, err := ig.Runs(r.Context(), r.PathValue("org"), id, int(limit))
	s.reply(w, r, http.StatusOK, list(runs), err)
}
