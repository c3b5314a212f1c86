package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

type listResponse[T any] struct {
	Items []T `json:"items"`
	Count int `json:"count"`
}

func list[T any](items []T) listResponse[T] {
	if items == nil {
		items = []T{}
	}
	return listResponse[T]{Items: items, Count: len(items)}
}

type createOrgRequest struct {
	Name      string  `json:"name"`
	Slug      string  `json:"slug"`
	AtRiskGap float64 `json:"at_risk_gap"`
}

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) {
	orgs, err := s.svc.ListOrgs(r.Context())
	s.reply(w, r, http.StatusOK, list(orgs), err)
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) {
	var in createOrgRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	o := &cairn.Org{Name: in.Name, Slug: in.Slug, AtRiskGap: in.AtRiskGap}
	if err := s.svc.CreateOrg(r.Context(), o); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) {
	o, err := s.svc.Org(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, o, err)
}

func (s *Server) updateOrg(w http.ResponseWriter, r *http.Request) {
	var in cairn.OrgUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.svc.UpdateOrg(r.Context(), r.PathValue("org"), in)
	s.reply(w, r, http.StatusOK, o, err)
}

func (s *Server) deleteOrg(w http.ResponseWriter, r *http.Request) {
	s.noContent(w, r, s.svc.DeleteOrg(r.Context(), r.PathValue("org")))
}
