package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

// integration returns the Azure DevOps integration or answers 501.
func (s *Server) integration(w http.ResponseWriter, r *http.Request) (*datasource.Service, bool) {
	if s.azdo == nil {
		writeProblem(w, r, http.StatusNotImplemented, cairn.ENOTIMPLEMENTED, "the Azure DevOps integration is not configured on this server", "")
		return nil, false
	}
	return s.azdo, true
}

func (s *Server) getTenantIntegration(w http.ResponseWriter, r *http.Request) {
	t, err := s.svc.TenantIntegration(r.Context())
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) putTenantIntegration(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Enabled      *bool     `json:"enabled"`
		AllowedHosts *[]string `json:"allowed_hosts"`
	}
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Enabled == nil && in.AllowedHosts == nil {
		s.writeError(w, r, cairn.FieldError("enabled", "send enabled (true or false), allowed_hosts (a list of hosts), or both"))
		return
	}
	ctx := r.Context()
	if in.AllowedHosts != nil {
		if _, err := s.svc.SetAllowedHosts(ctx, *in.AllowedHosts); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if in.Enabled != nil {
		if err := s.svc.SetTenantIntegration(ctx, &cairn.TenantIntegration{Enabled: *in.Enabled}); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	t, err := s.svc.TenantIntegration(ctx)
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) getOrgIntegration(w http.ResponseWriter, r *http.Request) {
	o, err := s.svc.OrgIntegration(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, o, err)
}

func (s *Server) putOrgIntegration(w http.ResponseWriter, r *http.Request) {
	var in cairn.OrgIntegrationUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.svc.SetOrgIntegration(r.Context(), r.PathValue("org"), in)
	s.reply(w, r, http.StatusOK, o, err)
}

// CheckInPauseInput is the body of POST …/check-ins: a check-in, and pause_sync to pause
// the item's Azure DevOps data source instead of overriding it until the next sync.
type CheckInPauseInput struct {
	Value      *float64 `json:"value"`
	Status     string   `json:"status"`
	Note       string   `json:"note"`
	Confidence *int     `json:"confidence"`
	PauseSync  bool     `json:"pause_sync"`
}

func (s *Server) checkInOrPause(w http.ResponseWriter, r *http.Request, t cairn.ItemType, plain http.HandlerFunc) {
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		s.writeError(w, r, cairn.Errorf(cairn.EINVALID, "cannot read the request body: %v", err))
		return
	}
	var probe struct {
		PauseSync *bool `json:"pause_sync"`
	}
	if json.Unmarshal(data, &probe) != nil || probe.PauseSync == nil {
		// A plain check-in: the usual handler with its own validation.
		r.Body = io.NopCloser(bytes.NewReader(data))
		plain(w, r)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in CheckInPauseInput
	if err := DecodeJSON(bytes.NewReader(data), &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Value == nil {
		s.writeError(w, r, cairn.FieldError("value", "value is required"))
		return
	}
	c := &cairn.CheckIn{Item: cairn.Ref{Type: t, ID: id}, Value: *in.Value, Status: in.Status, Note: in.Note, Confidence: in.Confidence}
	if err := c.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.CheckInAndPause(r.Context(), r.PathValue("org"), c, in.PauseSync); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) keyResultCheckInOrPause(w http.ResponseWriter, r *http.Request) {
	s.checkInOrPause(w, r, cairn.ItemKeyResult, s.keyResultCheckIn)
}

func (s *Server) initiativeCheckInOrPause(w http.ResponseWriter, r *http.Request) {
	s.checkInOrPause(w, r, cairn.ItemInitiative, s.initiativeCheckIn)
}

func (s *Server) itemDataSource(w http.ResponseWriter, r *http.Request, t cairn.ItemType) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := ig.DataSourceForItem(r.Context(), r.PathValue("org"), cairn.Ref{Type: t, ID: id})
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) keyResultDataSource(w http.ResponseWriter, r *http.Request) {
	s.itemDataSource(w, r, cairn.ItemKeyResult)
}

func (s *Server) initiativeDataSource(w http.ResponseWriter, r *http.Request) {
	s.itemDataSource(w, r, cairn.ItemInitiative)
}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ts, err := ig.Tasks(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, list(ts), err)
}
