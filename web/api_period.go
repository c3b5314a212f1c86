package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

type createPeriodRequest struct {
	Name  string     `json:"name"`
	Start cairn.Date `json:"start"`
	End   cairn.Date `json:"end"`
}

type closePeriodRequest struct {
	Scores []scoreInput `json:"scores"`
}

type scoreInput struct {
	Type  cairn.ItemType `json:"type"`
	ID    int64          `json:"id"`
	Score float64        `json:"score"`
}

type closePeriodResponse struct {
	Period *cairn.Period `json:"period"`
	Scores []scoreInput  `json:"scores"`
}

func (s *Server) listPeriods(w http.ResponseWriter, r *http.Request) {
	ps, err := s.svc.ListPeriods(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, list(ps), err)
}

func (s *Server) createPeriod(w http.ResponseWriter, r *http.Request) {
	var in createPeriodRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := &cairn.Period{Name: in.Name, Start: in.Start, End: in.End}
	if err := s.svc.CreatePeriod(r.Context(), r.PathValue("org"), p); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) getPeriod(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.Period(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) updatePeriod(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.PeriodUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.UpdatePeriod(r.Context(), r.PathValue("org"), id, in)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) deletePeriod(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.DeletePeriod(r.Context(), r.PathValue("org"), id))
}

func (s *Server) closePeriod(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in closePeriodRequest
	if r.ContentLength != 0 {
		if err := DecodeJSON(r.Body, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	overrides := make([]cairn.Score, 0, len(in.Scores))
	for _, sc := range in.Scores {
		overrides = append(overrides, cairn.Score{Item: cairn.Ref{Type: sc.Type, ID: sc.ID}, Value: sc.Score})
	}
	p, scores, err := s.svc.ClosePeriod(r.Context(), r.PathValue("org"), id, overrides)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := closePeriodResponse{Period: p, Scores: make([]scoreInput, 0, len(scores))}
	for _, sc := range scores {
		out.Scores = append(out.Scores, scoreInput{Type: sc.Item.Type, ID: sc.Item.ID, Score: sc.Value})
	}
	writeJSON(w, http.StatusOK, out)
}
