package web

import (
	"io"
	"net/http"

	"github.com/cairn-okr/cairn"
)

// CheckInInput is the body of POST …/check-ins.
type CheckInInput struct {
	Value  *float64 `json:"value"`
	Status string   `json:"status"`
	Note   string   `json:"note"`
	// Confidence, from 1 to 10, is for key results only.
	Confidence *int `json:"confidence"`
}

// DecodeCheckIn reads and validates a check-in for the item from a request body.
func DecodeCheckIn(body io.Reader, item cairn.Ref) (*cairn.CheckIn, error) {
	var in CheckInInput
	if err := DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.Value == nil {
		return nil, cairn.FieldError("value", "value is required")
	}
	c := &cairn.CheckIn{Item: item, Value: *in.Value, Status: in.Status, Note: in.Note, Confidence: in.Confidence}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Server) checkIn(w http.ResponseWriter, r *http.Request, t cairn.ItemType) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := DecodeCheckIn(r.Body, cairn.Ref{Type: t, ID: id})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.CheckIn(r.Context(), r.PathValue("org"), c); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) listCheckIns(w http.ResponseWriter, r *http.Request, t cairn.ItemType) {
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
	cs, err := s.svc.ListCheckIns(r.Context(), r.PathValue("org"), cairn.Ref{Type: t, ID: id}, int(limit))
	s.reply(w, r, http.StatusOK, list(cs), err)
}

func (s *Server) keyResultCheckIn(w http.ResponseWriter, r *http.Request) {
	s.checkIn(w, r, cairn.ItemKeyResult)
}

func (s *Server) initiativeCheckIn(w http.ResponseWriter, r *http.Request) {
	s.checkIn(w, r, cairn.ItemInitiative)
}

func (s *Server) listKeyResultCheckIns(w http.ResponseWriter, r *http.Request) {
	s.listCheckIns(w, r, cairn.ItemKeyResult)
}

func (s *Server) listInitiativeCheckIns(w http.ResponseWriter, r *http.Request) {
	s.listCheckIns(w, r, cairn.ItemInitiative)
}
