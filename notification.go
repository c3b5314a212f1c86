package cairn

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// NotificationKind is what a notification is about.
type NotificationKind string

// The kinds of notifications.
const (
	// NotifyReminder reminds of a check-in due soon.
	NotifyReminder NotificationKind = "reminder"
	// NotifyOverdue follows a check-in that was due and did not come.
	NotifyOverdue NotificationKind = "overdue"
	// NotifyMention tells of an @mention in a comment.
	NotifyMention NotificationKind = "mention"
	// NotifyComment tells the owners of an item of a comment on it or on its check-ins.
	NotifyComment NotificationKind = "comment"
	// NotifyStatus tells of a key result turning behind or at risk.
	NotifyStatus NotificationKind = "status"
	// NotifySyncFailing tells of a data source whose last syncs failed in a row.
	NotifySyncFailing NotificationKind = "sync_failing"
	// NotifyDigest is the weekly digest of a person's notifications.
	NotifyDigest NotificationKind = "digest"
)

// Channel is a way a notification leaves Cairn besides the in-app inbox.
type Channel string

// The channels.
const (
	ChannelEmail Channel = "email"
	ChannelTeams Channel = "teams"
	ChannelSlack Channel = "slack"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelEmail || c == ChannelTeams || c == ChannelSlack }

// WebhookKind reports whether c is a channel of team webhooks.
func (c Channel) WebhookKind() bool { return c == ChannelTeams || c == ChannelSlack }

// NotificationItem is a key result a notification is about, as its cards show it.
type NotificationItem struct {
	Title string `json:"title"`
	// Value is the key result's current value with its unit, as people read it.
	Value string `json:"value"`
	// Link leads straight to the key result's check-in form.
	Link string `json:"link"`
}

// Notification is one message to one person, shown in the in-app inbox and sent to the
// channels the person keeps on. Key names what it is about (a due date, a comment, a
// status change, a failing streak): a person gets one notification per key.
type Notification struct {
	ID     int64            `json:"id"`
	UserID int64            `json:"user_id"`
	OrgID  int64            `json:"org_id"`
	Kind   NotificationKind `json:"kind"`
	Key    string           `json:"key"`
	Title  string           `json:"title"`
	Body   string           `json:"body"`
	// Link is the page the notification is about, relative to Cairn's public URL.
	Link  string             `json:"link"`
	Items []NotificationItem `json:"items"`
	// TeamID is the team whose webhooks also carry it; nil for none.
	TeamID    *int64     `json:"team_id"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// The statuses of a delivery.
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	// DeliveryFailed is a delivery whose last attempt failed; River retries it with
	// back-off until its attempts run out.
	DeliveryFailed DeliveryStatus = "failed"
	// DeliverySkipped is a delivery its person turned the channel off for before it went.
	DeliverySkipped DeliveryStatus = "skipped"
)

// Delivery is one notification to one channel and target: an email address, or a team's
// webhook ("team:7"). There is at most one per notification, channel and target, so that
// nothing is sent twice.
type Delivery struct {
	ID             int64          `json:"id"`
	NotificationID int64          `json:"notification_id"`
	OrgID          int64          `json:"org_id"`
	Channel        Channel        `json:"channel"`
	Target         string         `json:"target"`
	Status         DeliveryStatus `json:"status"`
	Attempts       int            `json:"attempts"`
	LastError      string         `json:"last_error"`
	UpdatedAt      time.Time      `json:"updated_at"`
	SentAt         *time.Time     `json:"sent_at"`
	// Title and UserID are the notification's, for the admins' list.
	Title  string `json:"title"`
	UserID int64  `json:"user_id"`
}

// NotifyPrefs are the channels a person keeps on, and whether they get the weekly digest.
type NotifyPrefs struct {
	Email  bool `json:"email"`
	Teams  bool `json:"teams"`
	Slack  bool `json:"slack"`
	Digest bool `json:"digest"`
}

// DefaultNotifyPrefs are the preferences of a person who set none: every channel on, no
// digest.
var DefaultNotifyPrefs = NotifyPrefs{Email: true, Teams: true, Slack: true}

// On reports whether the channel is on.
func (p NotifyPrefs) On(c Channel) bool {
	switch c {
	case ChannelEmail:
		return p.Email
	case ChannelTeams:
		return p.Teams
	case ChannelSlack:
		return p.Slack
	}
	return false
}

// Set turns a channel on or off.
func (p *NotifyPrefs) Set(c Channel, on bool) {
	switch c {
	case ChannelEmail:
		p.Email = on
	case ChannelTeams:
		p.Teams = on
	case ChannelSlack:
		p.Slack = on
	}
}

// TeamWebhook is a team's incoming webhook of Microsoft Teams or Slack. Its URL is a
// secret: it is stored sealed, and only Hint (the host and the URL's last characters) is
// ever shown.
type TeamWebhook struct {
	TeamID    int64     `json:"team_id"`
	OrgID     int64     `json:"org_id"`
	Kind      Channel   `json:"kind"`
	Sealed    string    `json:"-"`
	Hint      string    `json:"hint"`
	CreatedAt time.Time `json:"created_at"`
}

// OrgCadence is an organization's time zone and default check-in cadence.
type OrgCadence struct {
	TimeZone string  `json:"time_zone"`
	Cadence  Cadence `json:"cadence"`
}

// FailingStreak is a data source whose latest syncs all failed: Runs in a row, the first
// of them FirstRunID, the latest with the error and its guidance.
type FailingStreak struct {
	DataSourceID int64
	OrgID        int64
	CreatedBy    *int64
	Item         Ref
	ItemTitle    string
	Runs         int
	FirstRunID   int64
	Message      string
	Guidance     string
}

// MentionEvent is a comment with what notifications need of it: who wrote it, whom it
// mentions and the key result, objective or initiative it belongs to (for a comment on a
// check-in, the check-in's item) with its owners.
type MentionEvent struct {
	Comment    *Comment
	Item       Ref
	ItemTitle  string
	OwnerIDs   []int64
	AuthorName string
	// TeamID is the team of the item's objective; nil for none.
	TeamID *int64
}

// NotifyStore keeps cadences, preferences, webhooks, the inbox and deliveries. The sqldb
// adapter implements it next to Store.
type NotifyStore interface {
	// OrgCadence returns the organization's time zone and cadence, DefaultCadence when it
	// set none.
	OrgCadence(ctx context.Context, orgID int64) (*OrgCadence, error)
	SetOrgCadence(ctx context.Context, orgID int64, c *OrgCadence) error
	// TeamCadences returns the teams' own cadences by team id.
	TeamCadences(ctx context.Context, orgID int64) (map[int64]Cadence, error)
	// SetTeamCadence sets a team's cadence, or with nil drops it so that the team follows
	// the organization's. ENOTFOUND for a team of another organization.
	SetTeamCadence(ctx context.Context, orgID, teamID int64, c *Cadence) error

	// NotifyPrefs returns the person's preferences, DefaultNotifyPrefs when none are set.
	NotifyPrefs(ctx context.Context, userID int64) (NotifyPrefs, error)
	SetNotifyPrefs(ctx context.Context, userID int64, p NotifyPrefs) error
	// DigestUsers lists the people who asked for the weekly digest.
	DigestUsers(ctx context.Context) ([]int64, error)

	// TeamWebhooks lists the organization's team webhooks, with teamID 0 of every team.
	TeamWebhooks(ctx context.Context, orgID, teamID int64) ([]*TeamWebhook, error)
	// PutTeamWebhook stores a team's webhook of its kind, replacing the one it had.
	PutTeamWebhook(ctx context.Context, w *TeamWebhook) error
	DeleteTeamWebhook(ctx context.Context, orgID, teamID int64, kind Channel) error

	// AddNotification stores a notification and its deliveries in one transaction, unless
	// the person has one of the same key already: then it stores nothing and reports false.
	AddNotification(ctx context.Context, n *Notification, ds []*Delivery) (bool, error)
	// ListNotifications lists a person's notifications, newest first; only the unread ones
	// with unread.
	ListNotifications(ctx context.Context, userID int64, unread bool, limit int) ([]*Notification, error)
	// NotificationsSince lists a person's notifications in an organization since a time,
	// oldest first, digests left out.
	NotificationsSince(ctx context.Context, userID, orgID int64, since time.Time) ([]*Notification, error)
	UnreadCount(ctx context.Context, userID int64) (int, error)
	// MarkRead marks one of the person's notifications read, or all of them with id 0.
	MarkRead(ctx context.Context, userID, id int64, at time.Time) error
	NotificationByID(ctx context.Context, id int64) (*Notification, error)

	DeliveryByID(ctx context.Context, id int64) (*Delivery, error)
	// UpdateDelivery stores a delivery's status, attempts, error and times.
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// PendingDeliveries lists the ids of the deliveries that have not gone out, oldest
	// first.
	PendingDeliveries(ctx context.Context, limit int) ([]int64, error)
	// ListDeliveries lists the organization's deliveries of a status, newest first.
	ListDeliveries(ctx context.Context, orgID int64, status DeliveryStatus, limit int) ([]*Delivery, error)
	// DeliveriesOf lists a notification's deliveries in the order they were made.
	DeliveriesOf(ctx context.Context, notificationID int64) ([]*Delivery, error)

	// LatestCommentID returns the highest comment id; 0 when there are none.
	LatestCommentID(ctx context.Context) (int64, error)
	// CommentsAfter lists the comments with an id above afterID, oldest first.
	CommentsAfter(ctx context.Context, afterID int64, limit int) ([]*MentionEvent, error)
	// SeenStatuses returns the last status each key result of the organization was seen in.
	SeenStatuses(ctx context.Context, orgID int64) (map[int64]string, error)
	// SeeStatus records a key result's status and, in the same transaction, stores the
	// notifications of its turn (as AddNotification does).
	SeeStatus(ctx context.Context, keyResultID int64, status string, at time.Time, ns []*Notification, ds [][]*Delivery) error
	// FailingStreaks lists the data sources whose latest min syncs or more all failed.
	FailingStreaks(ctx context.Context, minRuns int) ([]*FailingStreak, error)
	// CheckInsSince returns, for the organization's key results, the time of the latest
	// check-in at or after since, and of the latest manual one with a note.
	CheckInsSince(ctx context.Context, orgID int64, since time.Time) (latest map[int64]time.Time, noted map[int64]time.Time, err error)
}

// notifyStore returns the store's notification port, or ENOTIMPLEMENTED.
func (s *Service) notifyStore() (NotifyStore, error) {
	ns, ok := s.store.(NotifyStore)
	if !ok {
		return nil, Errorf(ENOTIMPLEMENTED, "this store does not support notifications")
	}
	return ns, nil
}

// UnsubscribeToken returns the signed token of an unsubscribe link: whoever holds it may
// turn the person's channel off, without signing in. It never expires, as links in old
// messages must keep working; turning a channel off is all it can do.
func (s *Service) UnsubscribeToken(userID int64, c Channel) string {
	msg := strconv.FormatInt(userID, 10) + "." + string(c)
	return msg + "." + s.sign("unsubscribe", msg)
}

// sign returns the base64url HMAC-SHA256 of msg under the link key, for a purpose.
func (s *Service) sign(purpose, msg string) string {
	m := hmac.New(sha256.New, s.linkKey)
	m.Write([]byte(purpose + "\x00" + msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:20])
}

// parseUnsubscribe checks an unsubscribe token and returns its person and channel.
func (s *Service) parseUnsubscribe(token string) (int64, Channel, error) {
	parts := strings.Split(token, ".")
	bad := Errorf(EINVALID, "this unsubscribe link is not valid; turn channels off on your account page instead")
	if len(parts) != 3 || len(s.linkKey) == 0 {
		return 0, "", bad
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	c := Channel(parts[1])
	if err != nil || id <= 0 || !c.Valid() {
		return 0, "", bad
	}
	want := s.sign("unsubscribe", parts[0]+"."+parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return 0, "", bad
	}
	return id, c, nil
}

// UnsubscribeInfo returns the person and channel an unsubscribe token names.
func (s *Service) UnsubscribeInfo(ctx context.Context, token string) (*User, Channel, error) {
	id, c, err := s.parseUnsubscribe(token)
	if err != nil {
		return nil, "", err
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, "", err
	}
	return u, c, nil
}

// Unsubscribe turns off the channel an unsubscribe token names. It needs no sign-in: the
// token is the proof.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Channel, error) {
	id, c, err := s.parseUnsubscribe(token)
	if err != nil {
		return "", err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return "", err
	}
	p, err := ns.NotifyPrefs(ctx, id)
	if err != nil {
		return "", err
	}
	p.Set(c, false)
	return c, ns.SetNotifyPrefs(ctx, id, p)
}

// UnsubscribeURL returns the unsubscribe link of a person's channel under the public URL.
func (s *Service) UnsubscribeURL(publicURL string, userID int64, c Channel) string {
	return strings.TrimRight(publicURL, "/") + "/unsubscribe?t=" + url.QueryEscape(s.UnsubscribeToken(userID, c))
}

// MyNotifyPrefs returns the signed-in person's preferences.
func (s *Service) MyNotifyPrefs(ctx context.Context) (NotifyPrefs, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return NotifyPrefs{}, err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return NotifyPrefs{}, err
	}
	return ns.NotifyPrefs(ctx, u.ID)
}

// SetMyNotifyPrefs stores the signed-in person's preferences.
func (s *Service) SetMyNotifyPrefs(ctx context.Context, p NotifyPrefs) error {
	u, err := currentUser(ctx)
	if err != nil {
		return err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return err
	}
	return ns.SetNotifyPrefs(ctx, u.ID, p)
}

// Inbox lists the signed-in person's notifications in every organization, newest first.
func (s *Service) Inbox(ctx context.Context, unread bool, limit int) ([]*Notification, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	return ns.ListNotifications(ctx, u.ID, unread, limit)
}

// UnreadCount counts the signed-in person's unread notifications.
func (s *Service) UnreadCount(ctx context.Context) (int, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return 0, err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return 0, err
	}
	return ns.UnreadCount(ctx, u.ID)
}

// MarkRead marks one of the signed-in person's notifications read, or all with id 0. A
// notification of someone else is not found.
func (s *Service) MarkRead(ctx context.Context, id int64) error {
	u, err := currentUser(ctx)
	if err != nil {
		return err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return err
	}
	return ns.MarkRead(ctx, u.ID, id, s.now().UTC())
}

// OrgCadence returns the organization's time zone and default cadence; every member may
// read them.
func (s *Service) OrgCadence(ctx context.Context, org string) (*OrgCadence, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	return ns.OrgCadence(ctx, a.org.ID)
}

// SetOrgCadence sets the organization's time zone and default cadence; admins may.
func (s *Service) SetOrgCadence(ctx context.Context, org string, c *OrgCadence) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("set the check-in cadence"); err != nil {
		return err
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	if _, err := LoadTimeZone(c.TimeZone); err != nil {
		return err
	}
	if err := c.Cadence.Validate(); err != nil {
		return err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return err
	}
	return ns.SetOrgCadence(ctx, a.org.ID, c)
}

// TeamCadence returns a team's own cadence, or nil when it follows its organization's.
func (s *Service) TeamCadence(ctx context.Context, org string, teamID int64) (*Cadence, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.TeamByID(ctx, a.org.ID, teamID); err != nil {
		return nil, err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	cs, err := ns.TeamCadences(ctx, a.org.ID)
	if err != nil {
		return nil, err
	}
	if c, ok := cs[teamID]; ok {
		return &c, nil
	}
	return nil, nil
}

// SetTeamCadence sets a team's own cadence, or with nil lets it follow its organization's;
// admins may.
func (s *Service) SetTeamCadence(ctx context.Context, org string, teamID int64, c *Cadence) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("set a team's check-in cadence"); err != nil {
		return err
	}
	if c != nil {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	ns, err := s.notifyStore()
	if err != nil {
		return err
	}
	return ns.SetTeamCadence(ctx, a.org.ID, teamID, c)
}

// FailedDeliveries lists the organization's deliveries whose last attempt failed, newest
// first; admins may.
func (s *Service) FailedDeliveries(ctx context.Context, org string) ([]*Delivery, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("see failed deliveries"); err != nil {
		return nil, err
	}
	ns, err := s.notifyStore()
	if err != nil {
		return nil, err
	}
	return ns.ListDeliveries(ctx, a.org.ID, DeliveryFailed, 200)
}
