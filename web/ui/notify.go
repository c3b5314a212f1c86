package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
)

// notifyRoutes adds the inbox, the notification settings, the unsubscribe page and the
// admins' notification page.
func (u *UI) notifyRoutes(in options) {
	u.handle("GET /inbox", options{}, u.inboxPage)
	u.handle("POST /inbox/read-all", options{}, u.markAllRead)
	u.handle("POST /inbox/{id}/read", options{}, u.markRead)
	u.handle("POST /account/notifications", options{}, u.saveNotifyPrefs)
	u.handle("GET /unsubscribe", options{public: true}, u.unsubscribePage)
	u.handle("POST /unsubscribe", options{public: true}, u.unsubscribe)
	u.handle("GET /o/{org}/admin/notifications", in, u.notifyAdminPage)
	u.handle("POST /o/{org}/admin/notifications/cadence", in, u.saveOrgCadence)
	u.handle("POST /o/{org}/admin/notifications/teams/{id}", in, u.saveTeamNotify)
	u.handle("POST /o/{org}/admin/notifications/teams/{id}/webhooks/{kind}/delete", in, u.deleteTeamWebhook)
}

// inboxData is the inbox page.
type inboxData struct {
	Items []*cairn.Notification
}

func (u *UI) inboxPage(q *request) error {
	q.orgs, _ = u.svc.ListOrgs(q.r.Context())
	ns, err := u.svc.Inbox(q.r.Context(), false, 100)
	if err != nil {
		return err
	}
	return u.render(q, http.StatusOK, "inbox", "Inbox", "inbox", inboxData{Items: ns})
}

func (u *UI) markRead(q *request) error {
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := u.svc.MarkRead(q.r.Context(), id); err != nil {
		return err
	}
	return u.redirect(q, "/inbox")
}

func (u *UI) markAllRead(q *request) error {
	if err := u.svc.MarkRead(q.r.Context(), 0); err != nil {
		return err
	}
	return u.redirect(q, "/inbox")
}

func (u *UI) saveNotifyPrefs(q *request) error {
	if err := parseForm(q); err != nil {
		return err
	}
	v := q.r.PostForm
	p := cairn.NotifyPrefs{Email: v.Get("email") == "on", Teams: v.Get("teams") == "on", Slack: v.Get("slack") == "on", Digest: v.Get("digest") == "on"}
	if err := u.svc.SetMyNotifyPrefs(q.r.Context(), p); err != nil {
		return err
	}
	return u.redirect(q, "/account?saved=notifications")
}

// unsubscribeData is the unsubscribe page.
type unsubscribeData struct {
	Token   string
	Email   string
	Channel string
	Done    bool
	Problem string
}

// channelName names a channel as people know it.
func channelName(c cairn.Channel) string {
	switch c {
	case cairn.ChannelTeams:
		return "Microsoft Teams"
	case cairn.ChannelSlack:
		return "Slack"
	}
	return "e-mail"
}

// unsubscribePage asks to confirm, so that a link scanner that opens every link in a
// message turns nothing off; mail clients use the one-click POST (RFC 8058).
func (u *UI) unsubscribePage(q *request) error {
	tok := q.r.URL.Query().Get("t")
	d := unsubscribeData{Token: tok}
	usr, c, err := u.svc.UnsubscribeInfo(q.r.Context(), tok)
	if err != nil {
		d.Problem = "This unsubscribe link is not valid. Sign in and turn channels off on your account page instead."
		return u.render(q, http.StatusBadRequest, "unsubscribe", "Unsubscribe", "", d)
	}
	d.Email, d.Channel = usr.Email, channelName(c)
	return u.render(q, http.StatusOK, "unsubscribe", "Unsubscribe", "", d)
}

func (u *UI) unsubscribe(q *request) error {
	if err := parseForm(q); err != nil {
		return err
	}
	tok := q.r.Form.Get("t")
	d := unsubscribeData{Token: tok}
	usr, _, err := u.svc.UnsubscribeInfo(q.r.Context(), tok)
	if err != nil {
		d.Problem = "This unsubscribe link is not valid. Sign in and turn channels off on your account page instead."
		return u.render(q, http.StatusBadRequest, "unsubscribe", "Unsubscribe", "", d)
	}
	c, err := u.svc.Unsubscribe(q.r.Context(), tok)
	if err != nil {
		return err
	}
	d.Email, d.Channel, d.Done = usr.Email, channelName(c), true
	return u.render(q, http.StatusOK, "unsubscribe", "Unsubscribe", "", d)
}

// teamNotify is one team on the admins' notification page.
type teamNotify struct {
	Team    *cairn.Team
	Cadence *cairn.Cadence
	// Shown is the cadence the form shows: the team's own, or the organization's.
	Shown    cairn.Cadence
	Webhooks []*cairn.TeamWebhook
}

// notifyAdminData is the admins' notification page.
type notifyAdminData struct {
	Org      *cairn.OrgCadence
	Teams    []teamNotify
	Failed   []*cairn.Delivery
	Names    map[int64]string
	Saved    bool
	Problem  string
	Weekdays []string
}

// cadenceFields is the cadence part of a form: its inputs' id prefix, the cadence shown and
// the weekdays' names.
type cadenceFields struct {
	P string
	C cairn.Cadence
	W []string
}

var weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func (u *UI) notifyAdminPage(q *request) error {
	return u.renderNotifyAdmin(q, http.StatusOK, "")
}

func (u *UI) renderNotifyAdmin(q *request, status int, problem string) error {
	if err := adminOnly(q, "manage check-in reminders"); err != nil {
		return err
	}
	ctx := q.r.Context()
	d := notifyAdminData{Saved: q.r.URL.Query().Get("saved") == "1", Problem: problem, Weekdays: weekdays, Names: map[int64]string{}}
	var err error
	if d.Org, err = u.svc.OrgCadence(ctx, q.org.Slug); err != nil {
		return err
	}
	ts, err := u.svc.ListTeams(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	for _, t := range ts {
		tn := teamNotify{Team: t}
		if tn.Cadence, err = u.svc.TeamCadence(ctx, q.org.Slug, t.ID); err != nil {
			return err
		}
		tn.Shown = d.Org.Cadence
		if tn.Cadence != nil {
			tn.Shown = *tn.Cadence
		}
		if tn.Webhooks, err = u.svc.TeamWebhooks(ctx, q.org.Slug, t.ID); err != nil {
			return err
		}
		d.Teams = append(d.Teams, tn)
	}
	if d.Failed, err = u.svc.FailedDeliveries(ctx, q.org.Slug); err != nil {
		return err
	}
	ms, err := u.svc.ListMembers(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	for _, m := range ms {
		d.Names[m.UserID] = m.Name
	}
	return u.render(q, status, "admin_notifications", "Reminders · "+q.org.Name, "reminders", d)
}

// cadenceFrom reads a cadence from a form.
func cadenceFrom(q *request) cairn.Cadence {
	v := q.r.PostForm
	atoi := func(s string) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return -1
		}
		return n
	}
	return cairn.Cadence{Frequency: cairn.Frequency(v.Get("frequency")), Weekday: atoi(v.Get("weekday")),
		MonthDay: atoi(v.Get("month_day")), Hour: atoi(v.Get("hour"))}
}

// problemOr renders the page again with a validation error, and returns any other error.
func (u *UI) problemOr(q *request, err error) error {
	if code := cairn.ErrorCode(err); code == cairn.EINVALID || code == cairn.ENOTIMPLEMENTED {
		return u.renderNotifyAdmin(q, http.StatusUnprocessableEntity, cairn.ErrorMessage(err))
	}
	return err
}

func (u *UI) saveOrgCadence(q *request) error {
	if err := adminOnly(q, "manage check-in reminders"); err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	oc := &cairn.OrgCadence{TimeZone: strings.TrimSpace(q.r.PostForm.Get("time_zone")), Cadence: cadenceFrom(q)}
	if err := u.svc.SetOrgCadence(q.r.Context(), q.org.Slug, oc); err != nil {
		return u.problemOr(q, err)
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/notifications?saved=1")
}

// saveTeamNotify saves a team's cadence (or its following the organization's) and, when
// given, a new webhook URL of each kind.
func (u *UI) saveTeamNotify(q *request) error {
	if err := adminOnly(q, "manage check-in reminders"); err != nil {
		return err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	ctx := q.r.Context()
	var c *cairn.Cadence
	if q.r.PostForm.Get("own_cadence") == "on" {
		cc := cadenceFrom(q)
		c = &cc
	}
	if err := u.svc.SetTeamCadence(ctx, q.org.Slug, id, c); err != nil {
		return u.problemOr(q, err)
	}
	for _, kind := range []cairn.Channel{cairn.ChannelTeams, cairn.ChannelSlack} {
		raw := strings.TrimSpace(q.r.PostForm.Get(string(kind) + "_url"))
		if raw == "" {
			continue
		}
		if _, err := u.svc.SetTeamWebhook(ctx, q.org.Slug, id, kind, raw); err != nil {
			return u.problemOr(q, err)
		}
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/notifications?saved=1")
}

func (u *UI) deleteTeamWebhook(q *request) error {
	if err := adminOnly(q, "manage check-in reminders"); err != nil {
		return err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := u.svc.DeleteTeamWebhook(q.r.Context(), q.org.Slug, id, cairn.Channel(q.r.PathValue("kind"))); err != nil {
		return err
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/notifications?saved=1")
}
