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

	EditorIDs       []int64 `json:"editor_ids"`
	CheckInOwnerIDs []int64 `json:"checkin_owner_ids"`
}

// MetricInput is a metric as a client sends it; the current value comes from check-ins.
// Start may be left out (null) only with baseline_pending, when the first check-in sets
// it; without baseline_pending a missing start is 0, as it always was.
type MetricInput struct {
	Kind            cairn.MetricKind  `json:"kind"`
	Goal            cairn.MetricGoal  `json:"goal"`
	Start           *float64          `json:"start"`
	Target          float64           `json:"target"`
	Unit            string            `json:"unit"`
	BaselinePending bool              `json:"baseline_pending"`
	Milestones      []cairn.Milestone `json:"milestones"`
}

func (m MetricInput) metric() (cairn.Metric, error) {
	out := cairn.Metric{Kind: m.Kind, Goal: m.Goal, Target: m.Target, Unit: m.Unit, BaselinePending: m.BaselinePending, Milestones: m.Milestones}
	switch {
	case m.Start != nil && m.BaselinePending:
		return out, cairn.FieldError("metric.start", "leave start out (or null) while the baseline is pending: the first check-in sets it")
	case m.Start != nil:
		out.Start = *m.Start
	}
	out.Current = out.Start
	return out, nil
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
	m, err := in.Metric.metric()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	k := &cairn.KeyResult{ObjectiveID: in.ObjectiveID, Title: in.Title, Metric: m, ProgressSource: in.ProgressSource, OwnerIDs: in.OwnerIDs, Weight: in.Weight, Parents: in.Parents,
		EditorIDs: in.EditorIDs, CheckInOwnerIDs: in.CheckInOwnerIDs}
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
