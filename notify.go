package cairn

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

// ReminderLead is how long before a due check-in its reminder goes out.
const ReminderLead = 24 * time.Hour

// FollowUpDelay is how long after a due check-in that did not come its follow-up goes out.
const FollowUpDelay = 24 * time.Hour

// FailingRuns is how many syncs in a row must fail before a data source's creator and the
// organization's admins are told.
const FailingRuns = 3

// NeedsNote reports whether a status asks for a person's note even on a key result that
// Azure DevOps tracks: behind (off track) and at risk.
func NeedsNote(s progress.Status) bool { return s == progress.Behind || s == progress.AtRisk }

// statusRank orders statuses by how bad they are, so that only a turn for the worse is told.
func statusRank(s string) int {
	switch progress.Status(s) {
	case progress.Behind:
		return 1
	case progress.AtRisk:
		return 2
	}
	return 0
}

// Reminder is one person's reminder of a check-in due in one organization, or with
// FollowUp the follow-up of one that was due and did not come, for the key results listed.
type Reminder struct {
	OrgID        int64
	UserID       int64
	Due          time.Time
	FollowUp     bool
	KeyResultIDs []int64
}

// Key is what makes a reminder unique for its person: its kind, organization and due time,
// such as "reminder:7:2026-04-06T09:00:00Z". A person in two organizations whose check-ins
// fall due at the same time gets a reminder from each.
func (r Reminder) Key() string {
	kind := "reminder"
	if r.FollowUp {
		kind = "overdue"
	}
	return kind + ":" + strconv.FormatInt(r.OrgID, 10) + ":" + r.Due.UTC().Format(time.RFC3339)
}

// DigestKey is what makes a weekly digest unique for its person: one per organization and
// ISO week, such as "digest:7:2026-W15".
func DigestKey(orgID int64, week string) string {
	return "digest:" + strconv.FormatInt(orgID, 10) + ":" + week
}

// orgPlan is what planning needs of one organization.
type orgPlan struct {
	org     *Org
	loc     *time.Location
	cadence Cadence
	teams   map[int64]Cadence
	members map[int64]*Member
}

func (s *Service) loadOrgPlan(ctx context.Context, ns NotifyStore, o *Org) (*orgPlan, error) {
	oc, err := ns.OrgCadence(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	loc, err := LoadTimeZone(oc.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	teams, err := ns.TeamCadences(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListMembers(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	p := &orgPlan{org: o, loc: loc, cadence: oc.Cadence, teams: teams, members: map[int64]*Member{}}
	for _, m := range ms {
		// Viewers cannot check in, and unclaimed people cannot sign in.
		if !m.Unclaimed && m.Role != RoleViewer {
			p.members[m.UserID] = m
		}
	}
	return p, nil
}

// cadenceOf returns the cadence of a key result: its objective's team's, or the
// organization's.
func (p *orgPlan) cadenceOf(o *Objective) Cadence {
	if o != nil && o.TeamID != nil {
		if c, ok := p.teams[*o.TeamID]; ok {
			return c
		}
	}
	return p.cadence
}

// recipients returns the owners and check-in owners of a key result who may sign in and
// check in (members and admins, not viewers), sorted and without repeats.
func (p *orgPlan) recipients(k *KeyResult) []int64 {
	var out []int64
	for _, id := range slices.Concat(k.OwnerIDs, k.CheckInOwnerIDs) {
		if _, ok := p.members[id]; ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// covers reports whether the period runs on the day of t in loc.
func covers(per *Period, t time.Time, loc *time.Location) bool {
	d := DateOf(t.In(loc))
	return !per.Closed() && !d.Before(per.Start) && !per.End.Before(d)
}

// PlanReminders lists the reminders and follow-ups due at now, in every organization. A
// key result is reminded of when its period is open on the due day, it takes check-ins (it
// does not roll up) and no check-in came since the due time before: for the next due time,
// from ReminderLead before it; for the last one, as a follow-up, from FollowUpDelay after
// it, when the key result existed before it. A key result Azure DevOps tracks takes no
// check-ins from people, and is reminded of only when its status needs a note (NeedsNote)
// and no manual check-in with a note came in that window. Each key result goes to its
// owners and check-in owners; a person gets one reminder per organization and due time.
// Jobs call it without a user.
func (s *Service) PlanReminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	orgs, err := s.store.ListOrgs(ctx, 0)
	if err != nil {
		return nil, err
	}
	type rkey struct {
		org, user int64
		due       int64
		follow    bool
	}
	byKey := map[rkey]*Reminder{}
	var order []rkey
	add := func(org, user int64, due time.Time, follow bool, kr int64) {
		k := rkey{org, user, due.Unix(), follow}
		r, ok := byKey[k]
		if !ok {
			r = &Reminder{OrgID: org, UserID: user, Due: due.UTC(), FollowUp: follow}
			byKey[k] = r
			order = append(order, k)
		}
		r.KeyResultIDs = append(r.KeyResultIDs, kr)
	}
	for _, o := range orgs {
		p, err := s.loadOrgPlan(ctx, ns, o)
		if err != nil {
			return nil, err
		}
		periods, err := s.store.ListPeriods(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		// The earliest window any cadence could ask about: two months back covers the
		// time before a monthly cadence's last due time.
		latest, noted, err := ns.CheckInsSince(ctx, o.ID, now.AddDate(0, -3, 0))
		if err != nil {
			return nil, err
		}
		for _, per := range periods {
			if per.Closed() {
				continue
			}
			first := DateOf(now.In(p.loc).AddDate(0, -2, 0))
			last := DateOf(now.In(p.loc).AddDate(0, 2, 0))
			if per.End.Before(first) || last.Before(per.Start) {
				continue
			}
			g, err := s.store.PeriodGraph(ctx, o.ID, per.ID)
			if err != nil {
				return nil, err
			}
			evals := s.evaluate(g, o, now)
			objectives := map[int64]*Objective{}
			for _, ob := range g.Objectives {
				objectives[ob.ID] = ob
			}
			for _, k := range g.KeyResults {
				if k.ProgressSource == SourceRollUp || k.ClosingStatus != "" {
					continue
				}
				auto := k.ProgressSource == SourceDataSource
				if auto && !NeedsNote(evals[Ref{ItemKeyResult, k.ID}].Status) {
					continue
				}
				done := func(since time.Time) bool {
					if auto {
						return !noted[k.ID].Before(since)
					}
					return !latest[k.ID].Before(since)
				}
				cad := p.cadenceOf(objectives[k.ObjectiveID])
				next, lastDue := cad.Next(now, p.loc), cad.Last(now, p.loc)
				people := p.recipients(k)
				if !next.IsZero() && !now.Before(next.Add(-ReminderLead)) && covers(per, next, p.loc) && !done(lastDue) {
					for _, u := range people {
						add(o.ID, u, next, false, k.ID)
					}
				}
				if lastDue.IsZero() || now.Before(lastDue.Add(FollowUpDelay)) || !covers(per, lastDue, p.loc) || !k.CreatedAt.Before(lastDue) {
					continue
				}
				if before := cad.Previous(lastDue, p.loc); !done(before) {
					for _, u := range people {
						add(o.ID, u, lastDue, true, k.ID)
					}
				}
			}
		}
	}
	out := make([]Reminder, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out, nil
}

// itemPath returns the page of an item relative to the public URL; for a key result or an
// initiative it opens at the check-in form.
func itemPath(slug string, r Ref) string {
	switch r.Type {
	case ItemObjective:
		return "/o/" + slug + "/okrs/objectives/" + strconv.FormatInt(r.ID, 10)
	case ItemInitiative:
		return "/o/" + slug + "/okrs/initiatives/" + strconv.FormatInt(r.ID, 10) + "#checkin-h"
	}
	return "/o/" + slug + "/okrs/key-results/" + strconv.FormatInt(r.ID, 10) + "#checkin-h"
}

// formatValue writes a key result's value as people read it: "42 / 100 %".
func formatValue(k *KeyResult) string {
	unit := k.Metric.Unit
	if k.Metric.Kind == MetricPercentage && unit == "" {
		unit = "%"
	}
	v := strconv.FormatFloat(k.Metric.Current, 'f', -1, 64) + " / " + strconv.FormatFloat(k.Metric.Target, 'f', -1, 64)
	if unit != "" {
		v += " " + unit
	}
	return v
}

// CreateReminder stores the notification of a reminder with its deliveries, once per
// person, organization and due time; it reports false when it was stored before. Jobs
// call it without a user.
func (s *Service) CreateReminder(ctx context.Context, r Reminder) (*Notification, bool, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return nil, false, err
	}
	o, err := s.store.OrgByID(ctx, r.OrgID)
	if err != nil {
		return nil, false, err
	}
	oc, err := ns.OrgCadence(ctx, o.ID)
	if err != nil {
		return nil, false, err
	}
	loc, err := LoadTimeZone(oc.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	n := &Notification{UserID: r.UserID, OrgID: o.ID, Kind: NotifyReminder, Key: r.Key(), CreatedAt: s.now().UTC()}
	due := r.Due.In(loc).Format("Mon 2 Jan 15:04 MST")
	if r.FollowUp {
		n.Kind = NotifyOverdue
		n.Title = "Check-in overdue since " + due
		n.Body = "These key results in " + o.Name + " were due for a check-in and have none yet:"
	} else {
		n.Title = "Check-in due " + due
		n.Body = "These key results in " + o.Name + " are due for a check-in:"
	}
	var teams []int64
	for _, id := range r.KeyResultIDs {
		k, err := s.store.KeyResultByID(ctx, o.ID, id)
		if ErrorCode(err) == ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		link := itemPath(o.Slug, Ref{ItemKeyResult, k.ID})
		n.Items = append(n.Items, NotificationItem{Title: k.Title, Value: formatValue(k), Link: link})
		if ob, err := s.store.ObjectiveByID(ctx, o.ID, k.ObjectiveID); err == nil && ob.TeamID != nil && !slices.Contains(teams, *ob.TeamID) {
			teams = append(teams, *ob.TeamID)
		}
	}
	if len(n.Items) == 0 {
		return nil, false, nil
	}
	n.Link = n.Items[0].Link
	created, err := s.notify(ctx, ns, n, teams)
	return n, created, err
}

// notify stores a notification with a delivery to each channel its person keeps on: e-mail
// when Cairn can send it, and the webhooks of the teams.
func (s *Service) notify(ctx context.Context, ns NotifyStore, n *Notification, teams []int64) (bool, error) {
	ds, err := s.deliveriesFor(ctx, ns, n, teams)
	if err != nil {
		return false, err
	}
	return ns.AddNotification(ctx, n, ds)
}

func (s *Service) deliveriesFor(ctx context.Context, ns NotifyStore, n *Notification, teams []int64) ([]*Delivery, error) {
	if len(teams) > 0 && n.TeamID == nil {
		t := teams[0]
		n.TeamID = &t
	}
	prefs, err := ns.NotifyPrefs(ctx, n.UserID)
	if err != nil {
		return nil, err
	}
	var ds []*Delivery
	if s.email && prefs.Email {
		u, err := s.store.UserByID(ctx, n.UserID)
		if err != nil {
			return nil, err
		}
		if !u.Unclaimed && strings.Contains(u.Email, "@") {
			ds = append(ds, &Delivery{OrgID: n.OrgID, Channel: ChannelEmail, Target: u.Email})
		}
	}
	for _, t := range teams {
		hooks, err := ns.TeamWebhooks(ctx, n.OrgID, t)
		if err != nil {
			return nil, err
		}
		for _, h := range hooks {
			if prefs.On(h.Kind) {
				ds = append(ds, &Delivery{OrgID: n.OrgID, Channel: h.Kind, Target: "team:" + strconv.FormatInt(t, 10)})
			}
		}
	}
	return ds, nil
}

// commentsWatermark is the setting that keeps the last comment notifications were made for.
const commentsWatermark = "notify.comments_after"

// ScanEvents makes the notifications of what happened since the last scan: @mentions,
// comments on items people own, key results that turned behind or at risk (whatever moved
// them: a check-in, a sync, the passing of time), and data sources that failed FailingRuns
// syncs in a row. Each is made once per person (its key); it returns how many it made.
// The first scan only notes where things stand, so that history is not told as news. Jobs
// call it without a user.
func (s *Service) ScanEvents(ctx context.Context, now time.Time) (int, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return 0, err
	}
	made := 0
	n, err := s.scanComments(ctx, ns, now)
	made += n
	if err != nil {
		return made, err
	}
	n, err = s.scanStatuses(ctx, ns, now)
	made += n
	if err != nil {
		return made, err
	}
	n, err = s.scanFailing(ctx, ns, now)
	return made + n, err
}

// PrepareNotifications records where the comments stand when notifications start on a
// database that has never had them: comments made before are not told, every later one is.
// A server calls it before it accepts requests, so that no comment falls between the
// record and the first scan. It does nothing on a database that has the record.
func (s *Service) PrepareNotifications(ctx context.Context) error {
	ns, err := s.notifyStore()
	if err != nil {
		return err
	}
	_, err = s.store.Setting(ctx, commentsWatermark)
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	id, err := ns.LatestCommentID(ctx)
	if err != nil {
		return err
	}
	return s.store.SetSetting(ctx, commentsWatermark, strconv.FormatInt(id, 10))
}

func (s *Service) scanComments(ctx context.Context, ns NotifyStore, now time.Time) (int, error) {
	v, err := s.store.Setting(ctx, commentsWatermark)
	if ErrorCode(err) == ENOTFOUND {
		// Never prepared (a server prepares before it listens): start from here.
		return 0, s.PrepareNotifications(ctx)
	}
	if err != nil {
		return 0, err
	}
	after, _ := strconv.ParseInt(v, 10, 64)
	made := 0
	orgs := map[int64]*Org{}
	for {
		evs, err := ns.CommentsAfter(ctx, after, 200)
		if err != nil {
			return made, err
		}
		if len(evs) == 0 {
			return made, nil
		}
		for _, ev := range evs {
			c := ev.Comment
			o, ok := orgs[c.OrgID]
			if !ok {
				if o, err = s.store.OrgByID(ctx, c.OrgID); err != nil {
					return made, err
				}
				orgs[c.OrgID] = o
			}
			var teams []int64
			if ev.TeamID != nil {
				teams = []int64{*ev.TeamID}
			}
			body := c.Body
			if len(body) > 500 {
				body = body[:500] + "…"
			}
			link := itemPath(o.Slug, ev.Item)
			for _, uid := range c.MentionedUserIDs {
				if c.AuthorID != nil && *c.AuthorID == uid {
					continue
				}
				n := &Notification{UserID: uid, OrgID: o.ID, Kind: NotifyMention, Key: "mention:" + strconv.FormatInt(c.ID, 10),
					Title: ev.AuthorName + " mentioned you on " + ev.ItemTitle, Body: body, Link: link, CreatedAt: now.UTC()}
				ok, err := s.notify(ctx, ns, n, teams)
				if err != nil {
					return made, err
				}
				if ok {
					made++
				}
			}
			for _, uid := range ev.OwnerIDs {
				if (c.AuthorID != nil && *c.AuthorID == uid) || slices.Contains(c.MentionedUserIDs, uid) {
					continue
				}
				n := &Notification{UserID: uid, OrgID: o.ID, Kind: NotifyComment, Key: "comment:" + strconv.FormatInt(c.ID, 10),
					Title: ev.AuthorName + " commented on " + ev.ItemTitle, Body: body, Link: link, CreatedAt: now.UTC()}
				ok, err := s.notify(ctx, ns, n, teams)
				if err != nil {
					return made, err
				}
				if ok {
					made++
				}
			}
			after = c.ID
		}
		if err := s.store.SetSetting(ctx, commentsWatermark, strconv.FormatInt(after, 10)); err != nil {
			return made, err
		}
	}
}

func (s *Service) scanStatuses(ctx context.Context, ns NotifyStore, now time.Time) (int, error) {
	orgs, err := s.store.ListOrgs(ctx, 0)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, o := range orgs {
		seen, err := ns.SeenStatuses(ctx, o.ID)
		if err != nil {
			return made, err
		}
		periods, err := s.store.ListPeriods(ctx, o.ID)
		if err != nil {
			return made, err
		}
		var p *orgPlan
		for _, per := range periods {
			if per.Closed() {
				continue
			}
			g, err := s.store.PeriodGraph(ctx, o.ID, per.ID)
			if err != nil {
				return made, err
			}
			evals := s.evaluate(g, o, now)
			objectives := map[int64]*Objective{}
			for _, ob := range g.Objectives {
				objectives[ob.ID] = ob
			}
			for _, k := range g.KeyResults {
				st := string(evals[Ref{ItemKeyResult, k.ID}].Status)
				prev, known := seen[k.ID]
				if known && prev == st {
					continue
				}
				var nsList []*Notification
				var dsList [][]*Delivery
				if known && statusRank(st) > statusRank(prev) {
					if p == nil {
						if p, err = s.loadOrgPlan(ctx, ns, o); err != nil {
							return made, err
						}
					}
					var teams []int64
					if ob := objectives[k.ObjectiveID]; ob != nil && ob.TeamID != nil {
						teams = []int64{*ob.TeamID}
					}
					label := strings.ReplaceAll(st, "_", " ")
					for _, uid := range p.recipients(k) {
						n := &Notification{UserID: uid, OrgID: o.ID, Kind: NotifyStatus,
							Key:   fmt.Sprintf("status:%d:%s:%d", k.ID, st, now.Unix()),
							Title: k.Title + " is " + label, Body: "It was " + strings.ReplaceAll(prev, "_", " ") + ". Check in with a note on what changed and what happens next.",
							Link: itemPath(o.Slug, Ref{ItemKeyResult, k.ID}), CreatedAt: now.UTC(),
							Items: []NotificationItem{{Title: k.Title, Value: formatValue(k), Link: itemPath(o.Slug, Ref{ItemKeyResult, k.ID})}}}
						ds, err := s.deliveriesFor(ctx, ns, n, teams)
						if err != nil {
							return made, err
						}
						nsList, dsList = append(nsList, n), append(dsList, ds)
					}
				}
				if err := ns.SeeStatus(ctx, k.ID, st, now.UTC(), nsList, dsList); err != nil {
					return made, err
				}
				made += len(nsList)
			}
		}
	}
	return made, nil
}

func (s *Service) scanFailing(ctx context.Context, ns NotifyStore, now time.Time) (int, error) {
	streaks, err := ns.FailingStreaks(ctx, FailingRuns)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, f := range streaks {
		o, err := s.store.OrgByID(ctx, f.OrgID)
		if err != nil {
			return made, err
		}
		ms, err := s.store.ListMembers(ctx, o.ID)
		if err != nil {
			return made, err
		}
		var to []int64
		for _, m := range ms {
			if m.Unclaimed {
				continue
			}
			if m.Role == RoleAdmin || (f.CreatedBy != nil && *f.CreatedBy == m.UserID) {
				to = append(to, m.UserID)
			}
		}
		body := f.Message
		if f.Guidance != "" {
			body += "\n" + f.Guidance
		}
		for _, uid := range to {
			n := &Notification{UserID: uid, OrgID: o.ID, Kind: NotifySyncFailing,
				Key:   fmt.Sprintf("sync_failing:%d:%d", f.DataSourceID, f.FirstRunID),
				Title: fmt.Sprintf("The Azure DevOps data source of %s failed %d syncs in a row", f.ItemTitle, f.Runs),
				Body:  body, Link: itemPath(o.Slug, f.Item), CreatedAt: now.UTC()}
			ok, err := s.notify(ctx, ns, n, nil)
			if err != nil {
				return made, err
			}
			if ok {
				made++
			}
		}
	}
	return made, nil
}

// DigestWeek names the ISO week of t, as digests are keyed: "2026-W50".
func DigestWeek(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// DigestUsers lists the people who asked for the weekly digest. Jobs call it without a
// user.
func (s *Service) DigestUsers(ctx context.Context) ([]int64, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	return ns.DigestUsers(ctx)
}

// CreateDigest stores a person's weekly digest of each organization where they had
// notifications in the seven days before now: one e-mail per organization and week.
func (s *Service) CreateDigest(ctx context.Context, userID int64, now time.Time) (int, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return 0, err
	}
	prefs, err := ns.NotifyPrefs(ctx, userID)
	if err != nil || !prefs.Digest {
		return 0, err
	}
	orgs, err := s.store.ListOrgs(ctx, userID)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, o := range orgs {
		list, err := ns.NotificationsSince(ctx, userID, o.ID, now.Add(-7*24*time.Hour))
		if err != nil {
			return made, err
		}
		if len(list) == 0 {
			continue
		}
		n := &Notification{UserID: userID, OrgID: o.ID, Kind: NotifyDigest, Key: DigestKey(o.ID, DigestWeek(now)),
			Title: fmt.Sprintf("Your week in %s: %d notifications", o.Name, len(list)), Link: "/inbox", CreatedAt: now.UTC()}
		var b strings.Builder
		for _, x := range list {
			b.WriteString("• " + x.Title + "\n")
		}
		n.Body = strings.TrimSpace(b.String())
		var ds []*Delivery
		if s.email {
			if u, err := s.store.UserByID(ctx, userID); err == nil && !u.Unclaimed && strings.Contains(u.Email, "@") {
				ds = append(ds, &Delivery{OrgID: o.ID, Channel: ChannelEmail, Target: u.Email})
			}
		}
		ok, err := ns.AddNotification(ctx, n, ds)
		if err != nil {
			return made, err
		}
		if ok {
			made++
		}
	}
	return made, nil
}

// Outgoing is a delivery ready to go: the notification, its person, and for a webhook the
// URL, opened.
type Outgoing struct {
	Delivery     *Delivery
	Notification *Notification
	User         *User
	// WebhookURL is the team webhook's URL, for Teams and Slack deliveries.
	WebhookURL string
	// Skip says the person turned the channel off since the delivery was made.
	Skip bool
}

// Outgoing returns a delivery with what sending it needs. Jobs call it without a user.
func (s *Service) Outgoing(ctx context.Context, id int64) (*Outgoing, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	d, err := ns.DeliveryByID(ctx, id)
	if err != nil {
		return nil, err
	}
	n, err := ns.NotificationByID(ctx, d.NotificationID)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, n.UserID)
	if err != nil {
		return nil, err
	}
	out := &Outgoing{Delivery: d, Notification: n, User: u}
	if n.Kind != NotifyDigest {
		prefs, err := ns.NotifyPrefs(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out.Skip = !prefs.On(d.Channel)
	}
	if d.Channel.WebhookKind() && !out.Skip {
		teamID, err := strconv.ParseInt(strings.TrimPrefix(d.Target, "team:"), 10, 64)
		if err != nil {
			return nil, Errorf(EINTERNAL, "delivery %d has a bad target %q", d.ID, d.Target)
		}
		hooks, err := ns.TeamWebhooks(ctx, d.OrgID, teamID)
		if err != nil {
			return nil, err
		}
		for _, h := range hooks {
			if h.Kind == d.Channel {
				raw, err := s.openWebhook(h)
				if err != nil {
					return nil, err
				}
				out.WebhookURL = raw
			}
		}
		if out.WebhookURL == "" {
			// The team's webhook was removed since: nothing to send to.
			out.Skip = true
		}
	}
	return out, nil
}

// RecordDelivery stores the outcome of an attempt: sent, skipped, or failed with sendErr.
func (s *Service) RecordDelivery(ctx context.Context, d *Delivery, status DeliveryStatus, sendErr error) error {
	ns, err := s.notifyStore()
	if err != nil {
		return err
	}
	now := s.now().UTC()
	d.Status, d.UpdatedAt = status, now
	switch status {
	case DeliverySent:
		d.Attempts++
		d.SentAt, d.LastError = &now, ""
	case DeliveryFailed:
		d.Attempts++
		if sendErr != nil {
			d.LastError = sendErr.Error()
			if len(d.LastError) > 1000 {
				d.LastError = d.LastError[:1000]
			}
		}
	}
	return ns.UpdateDelivery(ctx, d)
}

// DeliveriesOf lists a notification's deliveries with how each went. Jobs and
// `cairn remind` call it without a user.
func (s *Service) DeliveriesOf(ctx context.Context, notificationID int64) ([]*Delivery, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	return ns.DeliveriesOf(ctx, notificationID)
}

// PendingDeliveries lists the deliveries that have not gone out, for jobs to queue again
// after a restart.
func (s *Service) PendingDeliveries(ctx context.Context, limit int) ([]int64, error) {
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	return ns.PendingDeliveries(ctx, limit)
}

// webhookAAD binds a sealed webhook URL to its team and kind, so that it cannot be moved.
func webhookAAD(teamID int64, kind Channel) []byte {
	return []byte("team_webhook:" + strconv.FormatInt(teamID, 10) + ":" + string(kind))
}

func (s *Service) openWebhook(h *TeamWebhook) (string, error) {
	if s.secrets == nil {
		return "", Errorf(ENOTIMPLEMENTED, "webhooks need Cairn's secret key")
	}
	b, err := s.secrets.Open(h.Sealed, webhookAAD(h.TeamID, h.Kind))
	if err != nil {
		return "", Errorf(EINTERNAL, "the webhook of team %d cannot be opened with Cairn's key", h.TeamID)
	}
	return string(b), nil
}

// webhookHint is what may be shown of a webhook URL: its host and last four characters.
func webhookHint(u *url.URL, raw string) string {
	tail := raw
	if len(tail) > 4 {
		tail = tail[len(tail)-4:]
	}
	return u.Host + "/…" + tail
}

// TeamWebhooks lists a team's webhooks, their URLs hidden; admins may.
func (s *Service) TeamWebhooks(ctx context.Context, org string, teamID int64) ([]*TeamWebhook, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("see team webhooks"); err != nil {
		return nil, err
	}
	if _, err := s.store.TeamByID(ctx, a.org.ID, teamID); err != nil {
		return nil, err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	return ns.TeamWebhooks(ctx, a.org.ID, teamID)
}

// SetTeamWebhook sets a team's incoming webhook of Microsoft Teams or Slack; admins may.
// The URL must be https (or allowed by the webhook egress rules) and is stored sealed.
func (s *Service) SetTeamWebhook(ctx context.Context, org string, teamID int64, kind Channel, raw string) (*TeamWebhook, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("set team webhooks"); err != nil {
		return nil, err
	}
	if !kind.WebhookKind() {
		return nil, FieldError("kind", "kind must be teams or slack, not %q", kind)
	}
	if _, err := s.store.TeamByID(ctx, a.org.ID, teamID); err != nil {
		return nil, err
	}
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return nil, FieldError("url", "url must be the webhook's https URL")
	}
	check := s.checkWebhook
	if check == nil {
		check = func(_ context.Context, _ string) error {
			if u.Scheme != "https" {
				return fmt.Errorf("webhooks must use https")
			}
			return nil
		}
	}
	if err := check(ctx, raw); err != nil {
		return nil, FieldError("url", "Cairn may not post to this URL: %v", err)
	}
	if s.secrets == nil {
		return nil, Errorf(ENOTIMPLEMENTED, "webhooks need Cairn's secret key")
	}
	sealed, err := s.secrets.Seal([]byte(raw), webhookAAD(teamID, kind))
	if err != nil {
		return nil, err
	}
	w := &TeamWebhook{TeamID: teamID, OrgID: a.org.ID, Kind: kind, Sealed: sealed, Hint: webhookHint(u, raw), CreatedAt: s.now().UTC()}
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	if err := ns.PutTeamWebhook(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// DeleteTeamWebhook removes a team's webhook of a kind; admins may.
func (s *Service) DeleteTeamWebhook(ctx context.Context, org string, teamID int64, kind Channel) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("remove team webhooks"); err != nil {
		return err
	}
	if !kind.WebhookKind() {
		return FieldError("kind", "kind must be teams or slack, not %q", kind)
	}
	ns, err := s.notifyStore()
	if err != nil {
		return err
	}
	return ns.DeleteTeamWebhook(ctx, a.org.ID, teamID, kind)
}
