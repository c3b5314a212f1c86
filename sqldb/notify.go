package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/cairn-okr/cairn"
)

var _ cairn.NotifyStore = (*DB)(nil)

// OrgCadence returns the organization's time zone and cadence, cairn.DefaultCadence when it
// set none.
func (db *DB) OrgCadence(ctx context.Context, orgID int64) (*cairn.OrgCadence, error) {
	oc := &cairn.OrgCadence{Cadence: cairn.DefaultCadence}
	err := db.read().queryRow(ctx, `SELECT time_zone FROM orgs WHERE id = ?`, orgID).Scan(&oc.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("organization", orgID)
	}
	if err != nil {
		return nil, db.wrap("org cadence", err)
	}
	c := &oc.Cadence
	err = db.read().queryRow(ctx, `SELECT frequency, weekday, month_day, hour FROM org_cadences WHERE org_id = ?`, orgID).
		Scan(&c.Frequency, &c.Weekday, &c.MonthDay, &c.Hour)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, db.wrap("org cadence", err)
	}
	return oc, nil
}

// SetOrgCadence stores the organization's time zone and cadence in one transaction.
func (db *DB) SetOrgCadence(ctx context.Context, orgID int64, oc *cairn.OrgCadence) error {
	if err := oc.Cadence.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, "set org cadence", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE orgs SET time_zone = ? WHERE id = ?`, oc.TimeZone, orgID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("organization", orgID)
		}
		c := oc.Cadence
		_, err = r.exec(ctx, `INSERT INTO org_cadences (org_id, frequency, weekday, month_day, hour) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET frequency = excluded.frequency, weekday = excluded.weekday,
			month_day = excluded.month_day, hour = excluded.hour`, orgID, c.Frequency, c.Weekday, c.MonthDay, c.Hour)
		return err
	})
}

// TeamCadences returns the organization's teams' own cadences by team id.
func (db *DB) TeamCadences(ctx context.Context, orgID int64) (map[int64]cairn.Cadence, error) {
	rows, err := db.read().query(ctx, `SELECT team_id, frequency, weekday, month_day, hour FROM team_cadences WHERE org_id = ?`, orgID)
	if err != nil {
		return nil, db.wrap("team cadences", err)
	}
	defer rows.Close()
	out := map[int64]cairn.Cadence{}
	for rows.Next() {
		var id int64
		var c cairn.Cadence
		if err := rows.Scan(&id, &c.Frequency, &c.Weekday, &c.MonthDay, &c.Hour); err != nil {
			return nil, db.wrap("team cadences", err)
		}
		out[id] = c
	}
	return out, db.wrap("team cadences", rows.Err())
}

// SetTeamCadence sets or, with nil, drops a team's own cadence.
func (db *DB) SetTeamCadence(ctx context.Context, orgID, teamID int64, c *cairn.Cadence) error {
	return db.tx(ctx, "set team cadence", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM teams WHERE id = ? AND org_id = ?`, teamID, orgID)
		if err != nil {
			return err
		}
		if !ok {
			return cairn.NotFound("team", teamID)
		}
		if c == nil {
			_, err = r.exec(ctx, `DELETE FROM team_cadences WHERE team_id = ?`, teamID)
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO team_cadences (team_id, org_id, frequency, weekday, month_day, hour) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (team_id) DO UPDATE SET frequency = excluded.frequency, weekday = excluded.weekday,
			month_day = excluded.month_day, hour = excluded.hour`, teamID, orgID, c.Frequency, c.Weekday, c.MonthDay, c.Hour)
		return err
	})
}

// NotifyPrefs returns the person's preferences, cairn.DefaultNotifyPrefs when none are set.
func (db *DB) NotifyPrefs(ctx context.Context, userID int64) (cairn.NotifyPrefs, error) {
	p := cairn.DefaultNotifyPrefs
	err := db.read().queryRow(ctx, `SELECT email, teams, slack, digest FROM notify_prefs WHERE user_id = ?`, userID).
		Scan(&p.Email, &p.Teams, &p.Slack, &p.Digest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, db.wrap("notify prefs", err)
	}
	return p, nil
}

// SetNotifyPrefs stores the person's preferences.
func (db *DB) SetNotifyPrefs(ctx context.Context, userID int64, p cairn.NotifyPrefs) error {
	_, err := db.write().exec(ctx, `INSERT INTO notify_prefs (user_id, email, teams, slack, digest) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, teams = excluded.teams, slack = excluded.slack,
		digest = excluded.digest`, userID, p.Email, p.Teams, p.Slack, p.Digest)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.NotFound("user", userID)
	}
	return db.wrap("set notify prefs", err)
}

// DigestUsers lists the people who asked for the weekly digest.
func (db *DB) DigestUsers(ctx context.Context) ([]int64, error) {
	return db.ids(ctx, "digest users", `SELECT user_id FROM notify_prefs WHERE digest = ? ORDER BY user_id`, true)
}

func (db *DB) ids(ctx context.Context, op, q string, args ...any) ([]int64, error) {
	rows, err := db.read().query(ctx, q, args...)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, db.wrap(op, err)
		}
		out = append(out, id)
	}
	return out, db.wrap(op, rows.Err())
}

// TeamWebhooks lists the organization's team webhooks, with teamID 0 of every team.
func (db *DB) TeamWebhooks(ctx context.Context, orgID, teamID int64) ([]*cairn.TeamWebhook, error) {
	q := `SELECT team_id, org_id, kind, url_sealed, hint, created_at FROM team_webhooks WHERE org_id = ?`
	args := []any{orgID}
	if teamID != 0 {
		q += ` AND team_id = ?`
		args = append(args, teamID)
	}
	rows, err := db.read().query(ctx, q+` ORDER BY team_id, kind`, args...)
	if err != nil {
		return nil, db.wrap("team webhooks", err)
	}
	defer rows.Close()
	out := []*cairn.TeamWebhook{}
	for rows.Next() {
		w := &cairn.TeamWebhook{}
		if err := rows.Scan(&w.TeamID, &w.OrgID, &w.Kind, &w.Sealed, &w.Hint, &w.CreatedAt); err != nil {
			return nil, db.wrap("team webhooks", err)
		}
		w.CreatedAt = w.CreatedAt.UTC()
		out = append(out, w)
	}
	return out, db.wrap("team webhooks", rows.Err())
}

// PutTeamWebhook stores a team's webhook of its kind, replacing the one it had.
func (db *DB) PutTeamWebhook(ctx context.Context, w *cairn.TeamWebhook) error {
	return db.tx(ctx, "put team webhook", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM teams WHERE id = ? AND org_id = ?`, w.TeamID, w.OrgID)
		if err != nil {
			return err
		}
		if !ok {
			return cairn.NotFound("team", w.TeamID)
		}
		w.CreatedAt = clean(w.CreatedAt)
		_, err = r.exec(ctx, `INSERT INTO team_webhooks (team_id, org_id, kind, url_sealed, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (team_id, kind) DO UPDATE SET url_sealed = excluded.url_sealed, hint = excluded.hint,
			created_at = excluded.created_at`, w.TeamID, w.OrgID, w.Kind, w.Sealed, w.Hint, w.CreatedAt)
		return err
	})
}

// DeleteTeamWebhook removes a team's webhook of a kind; ENOTFOUND when it has none.
func (db *DB) DeleteTeamWebhook(ctx context.Context, orgID, teamID int64, kind cairn.Channel) error {
	n, err := db.write().affected(ctx, `DELETE FROM team_webhooks WHERE org_id = ? AND team_id = ? AND kind = ?`, orgID, teamID, kind)
	if err != nil {
		return db.wrap("delete team webhook", err)
	}
	if n == 0 {
		return cairn.NotFound(string(kind)+" webhook of team", teamID)
	}
	return nil
}

// AddNotification stores a notification and its deliveries in one transaction, unless the
// person has one of the same key: then it stores nothing and reports false.
func (db *DB) AddNotification(ctx context.Context, n *cairn.Notification, ds []*cairn.Delivery) (bool, error) {
	created := false
	err := db.tx(ctx, "add notification", func(r runner) error {
		var err error
		created, err = insertNotification(ctx, r, n, ds)
		return err
	})
	return created, err
}

func insertNotification(ctx context.Context, r runner, n *cairn.Notification, ds []*cairn.Delivery) (bool, error) {
	if n.Items == nil {
		n.Items = []cairn.NotificationItem{}
	}
	items, err := json.Marshal(n.Items)
	if err != nil {
		return false, err
	}
	n.CreatedAt = clean(n.CreatedAt)
	err = r.queryRow(ctx, `INSERT INTO notifications (user_id, org_id, kind, dedup_key, title, body, link, items, team_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, dedup_key) DO NOTHING RETURNING id`,
		n.UserID, n.OrgID, n.Kind, n.Key, n.Title, n.Body, n.Link, string(items), nullInt(n.TeamID), n.CreatedAt).Scan(&n.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, d := range ds {
		d.NotificationID, d.OrgID, d.Status, d.UpdatedAt = n.ID, n.OrgID, cairn.DeliveryPending, n.CreatedAt
		if err := r.queryRow(ctx, `INSERT INTO deliveries (notification_id, org_id, channel, target, status, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (notification_id, channel, target) DO NOTHING RETURNING id`,
			d.NotificationID, d.OrgID, d.Channel, d.Target, d.Status, d.UpdatedAt).Scan(&d.ID); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
	}
	return true, nil
}

const notificationColumns = `id, user_id, org_id, kind, dedup_key, title, body, link, items, team_id, created_at, read_at`

func scanNotification(s interface{ Scan(...any) error }) (*cairn.Notification, error) {
	n := &cairn.Notification{}
	var items string
	var team sql.NullInt64
	var read sql.NullTime
	if err := s.Scan(&n.ID, &n.UserID, &n.OrgID, &n.Kind, &n.Key, &n.Title, &n.Body, &n.Link, &items, &team, &n.CreatedAt, &read); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(items), &n.Items); err != nil || n.Items == nil {
		n.Items = []cairn.NotificationItem{}
	}
	n.TeamID, n.CreatedAt, n.ReadAt = int64Ptr(team), n.CreatedAt.UTC(), timePtr(read)
	return n, nil
}

func (db *DB) notifications(ctx context.Context, op, q string, args ...any) ([]*cairn.Notification, error) {
	rows, err := db.read().query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE `+q, args...)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	out := []*cairn.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, db.wrap(op, err)
		}
		out = append(out, n)
	}
	return out, db.wrap(op, rows.Err())
}

// ListNotifications lists a person's notifications, newest first; only the unread ones
// with unread.
func (db *DB) ListNotifications(ctx context.Context, userID int64, unread bool, limit int) ([]*cairn.Notification, error) {
	q := `user_id = ?`
	if unread {
		q += ` AND read_at IS NULL`
	}
	return db.notifications(ctx, "list notifications", q+` ORDER BY created_at DESC, id DESC LIMIT ?`, userID, limit)
}

// NotificationsSince lists a person's notifications in an organization since a time, oldest
// first, digests left out.
func (db *DB) NotificationsSince(ctx context.Context, userID, orgID int64, since time.Time) ([]*cairn.Notification, error) {
	return db.notifications(ctx, "notifications since", `user_id = ? AND org_id = ? AND created_at >= ? AND kind <> ?
		ORDER BY created_at, id`, userID, orgID, clean(since), cairn.NotifyDigest)
}

// NotificationByID returns one notification.
func (db *DB) NotificationByID(ctx context.Context, id int64) (*cairn.Notification, error) {
	ns, err := db.notifications(ctx, "notification by id", `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, cairn.NotFound("notification", id)
	}
	return ns[0], nil
}

// UnreadCount counts a person's unread notifications.
func (db *DB) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.read().queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, db.wrap("unread count", err)
}

// MarkRead marks one of the person's notifications read, or all of them with id 0. One of
// someone else is ENOTFOUND.
func (db *DB) MarkRead(ctx context.Context, userID, id int64, at time.Time) error {
	if id == 0 {
		_, err := db.write().exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, clean(at), userID)
		return db.wrap("mark read", err)
	}
	ok, err := db.read().exists(ctx, `SELECT 1 FROM notifications WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return db.wrap("mark read", err)
	}
	if !ok {
		return cairn.NotFound("notification", id)
	}
	_, err = db.write().exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`, clean(at), id, userID)
	return db.wrap("mark read", err)
}

const deliveryColumns = `d.id, d.notification_id, d.org_id, d.channel, d.target, d.status, d.attempts, d.last_error,
	d.updated_at, d.sent_at, n.title, n.user_id`

func scanDelivery(s interface{ Scan(...any) error }) (*cairn.Delivery, error) {
	d := &cairn.Delivery{}
	var sent sql.NullTime
	if err := s.Scan(&d.ID, &d.NotificationID, &d.OrgID, &d.Channel, &d.Target, &d.Status, &d.Attempts, &d.LastError,
		&d.UpdatedAt, &sent, &d.Title, &d.UserID); err != nil {
		return nil, err
	}
	d.UpdatedAt, d.SentAt = d.UpdatedAt.UTC(), timePtr(sent)
	return d, nil
}

// DeliveryByID returns one delivery.
func (db *DB) DeliveryByID(ctx context.Context, id int64) (*cairn.Delivery, error) {
	d, err := scanDelivery(db.read().queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries d
		JOIN notifications n ON n.id = d.notification_id WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("delivery", id)
	}
	if err != nil {
		return nil, db.wrap("delivery by id", err)
	}
	return d, nil
}

// UpdateDelivery stores a delivery's status, attempts, error and times. A delivery sent
// already stays sent.
func (db *DB) UpdateDelivery(ctx context.Context, d *cairn.Delivery) error {
	_, err := db.write().exec(ctx, `UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, updated_at = ?, sent_at = ?
		WHERE id = ? AND status <> ?`, d.Status, d.Attempts, d.LastError, clean(d.UpdatedAt), nullTime(cleanPtr(d.SentAt)),
		d.ID, cairn.DeliverySent)
	return db.wrap("update delivery", err)
}

// PendingDeliveries lists the ids of the deliveries that have not gone out, oldest first.
func (db *DB) PendingDeliveries(ctx context.Context, limit int) ([]int64, error) {
	return db.ids(ctx, "pending deliveries", `SELECT id FROM deliveries WHERE status = ? ORDER BY id LIMIT ?`, cairn.DeliveryPending, limit)
}

// ListDeliveries lists the organization's deliveries of a status, newest first.
func (db *DB) ListDeliveries(ctx context.Context, orgID int64, status cairn.DeliveryStatus, limit int) ([]*cairn.Delivery, error) {
	return db.deliveries(ctx, "list deliveries", `d.org_id = ? AND d.status = ? ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`, orgID, status, limit)
}

// DeliveriesOf lists a notification's deliveries in the order they were made.
func (db *DB) DeliveriesOf(ctx context.Context, notificationID int64) ([]*cairn.Delivery, error) {
	return db.deliveries(ctx, "deliveries of notification", `d.notification_id = ? ORDER BY d.id`, notificationID)
}

func (db *DB) deliveries(ctx context.Context, op, where string, args ...any) ([]*cairn.Delivery, error) {
	rows, err := db.read().query(ctx, `SELECT `+deliveryColumns+` FROM deliveries d JOIN notifications n ON n.id = d.notification_id
		WHERE `+where, args...)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	out := []*cairn.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, db.wrap(op, err)
		}
		out = append(out, d)
	}
	return out, db.wrap(op, rows.Err())
}

// LatestCommentID returns the highest comment id; 0 when there are none.
func (db *DB) LatestCommentID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := db.read().queryRow(ctx, `SELECT MAX(id) FROM item_comments`).Scan(&id)
	return id.Int64, db.wrap("latest comment id", err)
}

// CommentsAfter lists the comments with an id above afterID, oldest first, with their
// mentions, author, item, its owners and its team.
func (db *DB) CommentsAfter(ctx context.Context, afterID int64, limit int) ([]*cairn.MentionEvent, error) {
	var out []*cairn.MentionEvent
	err := db.snapshot(ctx, "comments after", func(r runner) error {
		rows, err := r.query(ctx, `SELECT `+commentColumns+`, COALESCE(u.name, '') FROM item_comments c
			LEFT JOIN users u ON u.id = c.author_id WHERE c.id > ? ORDER BY c.id LIMIT ?`, afterID, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			c := &cairn.Comment{MentionedUserIDs: []int64{}}
			var author sql.NullInt64
			var edited sql.NullTime
			ev := &cairn.MentionEvent{Comment: c}
			if err := rows.Scan(&c.ID, &c.OrgID, &c.Item.Type, &c.Item.ID, &author, &c.Body, &c.CreatedAt, &edited, &ev.AuthorName); err != nil {
				rows.Close()
				return err
			}
			c.AuthorID, c.EditedAt = int64Ptr(author), timePtr(edited)
			if ev.AuthorName == "" {
				ev.AuthorName = "Someone"
			}
			out = append(out, ev)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, ev := range out {
			if err := commentContext(ctx, r, ev); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// commentContext fills in a comment event's mentions, item, owners and team.
func commentContext(ctx context.Context, r runner, ev *cairn.MentionEvent) error {
	c := ev.Comment
	rows, err := r.query(ctx, `SELECT user_id FROM comment_mentions WHERE comment_id = ? ORDER BY user_id`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		c.MentionedUserIDs = append(c.MentionedUserIDs, id)
	}
	rows.Close()
	ev.Item = c.Item
	if c.Item.Type == cairn.ItemCheckIn {
		if err := r.queryRow(ctx, `SELECT item_type, item_id FROM check_ins WHERE id = ?`, c.Item.ID).Scan(&ev.Item.Type, &ev.Item.ID); err != nil {
			return err
		}
	}
	var title string
	var team sql.NullInt64
	var ownersQ string
	switch ev.Item.Type {
	case cairn.ItemObjective:
		err = r.queryRow(ctx, `SELECT title, team_id FROM objectives WHERE id = ?`, ev.Item.ID).Scan(&title, &team)
		ownersQ = `SELECT user_id FROM objective_people WHERE objective_id = ? AND role = 'owner' ORDER BY user_id`
	case cairn.ItemKeyResult:
		err = r.queryRow(ctx, `SELECT k.title, o.team_id FROM key_results k JOIN objectives o ON o.id = k.objective_id WHERE k.id = ?`,
			ev.Item.ID).Scan(&title, &team)
		ownersQ = `SELECT user_id FROM key_result_owners WHERE key_result_id = ? ORDER BY user_id`
	case cairn.ItemInitiative:
		err = r.queryRow(ctx, `SELECT title FROM initiatives WHERE id = ?`, ev.Item.ID).Scan(&title)
		ownersQ = `SELECT user_id FROM initiative_owners WHERE initiative_id = ? ORDER BY user_id`
	}
	if err != nil {
		return err
	}
	ev.ItemTitle, ev.TeamID = title, int64Ptr(team)
	if ownersQ == "" {
		return nil
	}
	rows, err = r.query(ctx, ownersQ, ev.Item.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ev.OwnerIDs = append(ev.OwnerIDs, id)
	}
	return rows.Err()
}

// SeenStatuses returns the last status each key result of the organization was seen in.
func (db *DB) SeenStatuses(ctx context.Context, orgID int64) (map[int64]string, error) {
	rows, err := db.read().query(ctx, `SELECT s.key_result_id, s.status FROM key_result_status_seen s
		JOIN key_results k ON k.id = s.key_result_id WHERE k.org_id = ?`, orgID)
	if err != nil {
		return nil, db.wrap("seen statuses", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, db.wrap("seen statuses", err)
		}
		out[id] = st
	}
	return out, db.wrap("seen statuses", rows.Err())
}

// SeeStatus records a key result's status and stores the notifications of its turn, in one
// transaction.
func (db *DB) SeeStatus(ctx context.Context, keyResultID int64, status string, at time.Time, ns []*cairn.Notification, ds [][]*cairn.Delivery) error {
	return db.tx(ctx, "see status", func(r runner) error {
		if _, err := r.exec(ctx, `INSERT INTO key_result_status_seen (key_result_id, status, seen_at) VALUES (?, ?, ?)
			ON CONFLICT (key_result_id) DO UPDATE SET status = excluded.status, seen_at = excluded.seen_at`,
			keyResultID, status, clean(at)); err != nil {
			return err
		}
		for i, n := range ns {
			var d []*cairn.Delivery
			if i < len(ds) {
				d = ds[i]
			}
			if _, err := insertNotification(ctx, r, n, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// FailingStreaks lists the data sources whose latest min syncs or more all failed.
func (db *DB) FailingStreaks(ctx context.Context, minRuns int) ([]*cairn.FailingStreak, error) {
	var out []*cairn.FailingStreak
	err := db.snapshot(ctx, "failing streaks", func(r runner) error {
		rows, err := r.query(ctx, `SELECT d.id, d.org_id, d.created_by, d.target_type, d.key_result_id, d.initiative_id,
			COALESCE(k.title, i.title, ''), d.error_message, d.error_guidance FROM azdo_data_sources d
			LEFT JOIN key_results k ON k.id = d.key_result_id LEFT JOIN initiatives i ON i.id = d.initiative_id
			WHERE d.error_kind <> '' ORDER BY d.id`)
		if err != nil {
			return err
		}
		var cands []*cairn.FailingStreak
		for rows.Next() {
			f := &cairn.FailingStreak{}
			var by, kr, in sql.NullInt64
			var target string
			if err := rows.Scan(&f.DataSourceID, &f.OrgID, &by, &target, &kr, &in, &f.ItemTitle, &f.Message, &f.Guidance); err != nil {
				rows.Close()
				return err
			}
			f.CreatedBy = int64Ptr(by)
			if kr.Valid {
				f.Item = cairn.Ref{Type: cairn.ItemKeyResult, ID: kr.Int64}
			} else {
				f.Item = cairn.Ref{Type: cairn.ItemInitiative, ID: in.Int64}
			}
			cands = append(cands, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, f := range cands {
			runs, err := r.query(ctx, `SELECT id, error_kind FROM azdo_sync_runs WHERE data_source_id = ? ORDER BY id DESC LIMIT 100`, f.DataSourceID)
			if err != nil {
				return err
			}
			for runs.Next() {
				var id int64
				var kind string
				if err := runs.Scan(&id, &kind); err != nil {
					runs.Close()
					return err
				}
				if kind == "" {
					break
				}
				f.Runs++
				f.FirstRunID = id
			}
			runs.Close()
			if f.Runs >= minRuns {
				out = append(out, f)
			}
		}
		return nil
	})
	return out, err
}

// CheckInsSince returns, for the organization's key results, the time of the latest
// check-in at or after since, and of the latest manual one with a note.
func (db *DB) CheckInsSince(ctx context.Context, orgID int64, since time.Time) (latest, noted map[int64]time.Time, err error) {
	rows, err := db.read().query(ctx, `SELECT item_id, created_at, source, note FROM check_ins
		WHERE org_id = ? AND item_type = 'key_result' AND created_at >= ?`, orgID, clean(since))
	if err != nil {
		return nil, nil, db.wrap("check-ins since", err)
	}
	defer rows.Close()
	latest, noted = map[int64]time.Time{}, map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at time.Time
		var source, note string
		if err := rows.Scan(&id, &at, &source, &note); err != nil {
			return nil, nil, db.wrap("check-ins since", err)
		}
		at = at.UTC()
		if at.After(latest[id]) {
			latest[id] = at
		}
		if source == string(cairn.CheckInManual) && note != "" && at.After(noted[id]) {
			noted[id] = at
		}
	}
	return latest, noted, db.wrap("check-ins since", rows.Err())
}
