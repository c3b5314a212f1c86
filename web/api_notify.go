package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

// TeamCadenceBody is the body of PUT …/teams/{id}/cadence: the team's own cadence, or null
// to follow the organization's.
type TeamCadenceBody struct {
	Cadence *cairn.Cadence `json:"cadence"`
}

// WebhookInput is the body of PUT …/teams/{id}/webhooks/{kind}.
type WebhookInput struct {
	URL string `json:"url"`
}

// notifyRoutes are the routes of the inbox, notification settings, cadences, team webhooks
// and failed deliveries.
func (s *Server) notifyRoutes(org string) []route {
	return []route{
		{"GET", "/api/v1/me/notifications", s.listNotifications, false},
		{"GET", "/api/v1/me/notifications/unread-count", s.unreadCount, false},
		{"POST", "/api/v1/me/notifications/{id}/read", s.markRead, false},
		{"POST", "/api/v1/me/notifications/read-all", s.markAllRead, false},
		{"GET", "/api/v1/me/notification-settings", s.getNotifyPrefs, false},
		{"PUT", "/api/v1/me/notification-settings", s.putNotifyPrefs, false},
		{"GET", org + "/cadence", s.getOrgCadence, false},
		{"PUT", org + "/cadence", s.putOrgCadence, false},
		{"GET", org + "/teams/{id}/cadence", s.getTeamCadence, false},
		{"PUT", org + "/teams/{id}/cadence", s.putTeamCadence, false},
		{"GET", org + "/teams/{id}/webhooks", s.listTeamWebhooks, false},
		{"PUT", org + "/teams/{id}/webhooks/{kind}", s.putTeamWebhook, false},
		{"DELETE", org + "/teams/{id}/webhooks/{kind}", s.deleteTeamWebhook, false},
		{"GET", org + "/deliveries/failed", s.failedDeliveries, false},
	}
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	ns, err := s.svc.Inbox(r.Context(), r.URL.Query().Get("unread") == "true", 200)
	s.reply(w, r, http.StatusOK, list(ns), err)
}

func (s *Server) unreadCount(w http.ResponseWriter, r *http.Request) {
	n, err := s.svc.UnreadCount(r.Context())
	s.reply(w, r, http.StatusOK, map[string]int{"unread": n}, err)
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.svc.MarkRead(r.Context(), id)
	}
	s.noContent(w, r, err)
}

func (s *Server) markAllRead(w http.ResponseWriter, r *http.Request) {
	s.noContent(w, r, s.svc.MarkRead(r.Context(), 0))
}

func (s *Server) getNotifyPrefs(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.MyNotifyPrefs(r.Context())
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) putNotifyPrefs(w http.ResponseWriter, r *http.Request) {
	var p cairn.NotifyPrefs
	if err := DecodeJSON(r.Body, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, p, s.svc.SetMyNotifyPrefs(r.Context(), p))
}

func (s *Server) getOrgCadence(w http.ResponseWriter, r *http.Request) {
	c, err := s.svc.OrgCadence(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) putOrgCadence(w http.ResponseWriter, r *http.Request) {
	var c cairn.OrgCadence
	if err := DecodeJSON(r.Body, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, &c, s.svc.SetOrgCadence(r.Context(), r.PathValue("org"), &c))
}

func (s *Server) getTeamCadence(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.svc.TeamCadence(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, TeamCadenceBody{Cadence: c}, err)
}

func (s *Server) putTeamCadence(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in TeamCadenceBody
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, in, s.svc.SetTeamCadence(r.Context(), r.PathValue("org"), id, in.Cadence))
}

func (s *Server) listTeamWebhooks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hs, err := s.svc.TeamWebhooks(r.Context(), r.PathValue("org"), id)
	s.reply(w, r, http.StatusOK, list(hs), err)
}

func (s *Server) putTeamWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in WebhookInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	h, err := s.svc.SetTeamWebhook(r.Context(), r.PathValue("org"), id, cairn.Channel(r.PathValue("kind")), in.URL)
	s.reply(w, r, http.StatusOK, h, err)
}

func (s *Server) deleteTeamWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.svc.DeleteTeamWebhook(r.Context(), r.PathValue("org"), id, cairn.Channel(r.PathValue("kind")))
	}
	s.noContent(w, r, err)
}

func (s *Server) failedDeliveries(w http.ResponseWriter, r *http.Request) {
	ds, err := s.svc.FailedDeliveries(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, list(ds), err)
}
