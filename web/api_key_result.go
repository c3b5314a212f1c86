package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

// KeyResultInput is the body of POST …/key-results.
type KeyResultInput struct {
	ObjectiveID    int64                `json:"objective_id"`
	Title          string               `json:"title"`
	Metric         MetricInput          `json:"metric"`
	ProgressSource cairn.ProgressSource `json:"progress_source"`
	OwnerIDs       []int64              `json:"owner_ids"`
	Weight         float64              `json:"weight"`
	// Parents are the other objectives and key results it counts towards, with weights.
	Parents []cairn.Alignment `json:"parents"`
}

// MetricInput is a metric as a client sends it; the current value comes from check-ins.
type MetricInput struct {
	Kind   cairn.MetricKind `json:"kind"`
	Start  float64          `json:"start"`
	Target float64          `json:"target"`
	Unit   string           `json:"unit"`
}

func (m MetricInput) metric() cairn.Metric {
	return cairn.Metric{Kind: m.Kind, Start: m.Start, Target: m.Target, Unit: m.Unit, Current: m.Start}
}

func (s *Server) listKeyResults(w http.ResponseWriter, r *http.Request) {
	oid, err := queryInt(r, "objective_id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pid, err := queryInt(r, "period_id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ks, err := s.svc.ListKeyResults(r.Context(), r.PathValue("org"), oid, pid)
	s.reply(w, r, http.StatusOK, list(ks), err)
}

func (s *Server) createKeyResult(w http.ResponseWriter, r *http.Request) {
	var in KeyResultInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	k := &cairn.KeyResult{ObjectiveID: in.ObjectiveID, Title: in.Title, Metric: in.Metric.metric(), ProgressSource: in.ProgressSource, OwnerIDs: in.OwnerIDs, Weight: in.Weight, Parents: in.Parents}
	if err := s.svc.CreateKeyResult(r.Context(), r.PathValue("org"), k); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.KeyResult(r.Context(), r.PathValue("org"), k.ID)
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) getKeyResult(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.KeyResult(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) updateKeyResult(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cairn.KeyResultUpdate
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.UpdateKeyResult(r.Context(), r.PathValue("org"), id, in)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) deleteKeyResult(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.svc.DeleteKeyResult(r.Context(), r.PathValue("org"), id))
}
