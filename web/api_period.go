package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

type createPeriodRequest struct {
	Name  string     `json:"name"`
	Start cairn.Date `json:"start"`
	End   cairn.Date `json:"end"`
}

type closePeriodRequest struct {
	Scores         []scoreInput `json:"scores"`
	Note           string       `json:"closing_note"`
	CarryForwardTo int64        `json:"carry_forward_to"`
}

// scoreInput overrides what a close gives one item; a missing score or closing status
// leaves it to the owners' choice or the suggestion, and an empty closing status makes it
// follow the score.
type scoreInput struct {
	Type          cairn.ItemType          `json:"type"`
	ID            int64                   `json:"id"`
	Score         *float64                `json:"score"`
	ClosingStatus *progress.ClosingStatus `json:"closing_status"`
}

type scoreOutput struct {
	Type          cairn.ItemType         `json:"type"`
	ID            int64                  `json:"id"`
	Score         float64                `json:"score"`
	ClosingStatus progress.ClosingStatus `json:"closing_status"`
}

type carriedOutput struct {
	KeyResultID     int64 `json:"key_result_id"`
	CopyID          int64 `json:"copy_id"`
	ObjectiveID     int64 `json:"objective_id"`
	CopyObjectiveID int64 `json:"copy_objective_id"`
	DataSourceMoved bool  `json:"data_source_moved"`
}

type closePeriodResponse struct {
	Period  *cairn.Period   `json:"period"`
	Scores  []scoreOutput   `json:"scores"`
	Carried []carriedOutput `json:"carried"`
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
	req := cairn.PeriodClose{Note: in.Note, CarryForwardTo: in.CarryForwardTo, Scores: make([]cairn.ScoreOverride, 0, len(in.Scores))}
	for _, sc := range in.Scores {
		req.Scores = append(req.Scores, cairn.ScoreOverride{Item: cairn.Ref{Type: sc.Type, ID: sc.ID}, Value: sc.Score, Status: sc.ClosingStatus})
	}
	c, err := s.svc.ClosePeriodWith(r.Context(), r.PathValue("org"), id, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := closePeriodResponse{Period: c.Period, Scores: make([]scoreOutput, 0, len(c.Scores)), Carried: make([]carriedOutput, 0, len(c.Carried))}
	for _, sc := range c.Scores {
		out.Scores = append(out.Scores, scoreOutput{Type: sc.Item.Type, ID: sc.Item.ID, Score: sc.Value, ClosingStatus: sc.Status})
	}
	for _, cf := range c.Carried {
		out.Carried = append(out.Carried, carriedOutput{KeyResultID: cf.From.ID, CopyID: cf.Copy.ID, ObjectiveID: cf.From.ObjectiveID,
			CopyObjectiveID: cf.Objective.ID, DataSourceMoved: cf.MovedDataSource})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) reopenPeriod(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.ReopenPeriod(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, p, err)
}
