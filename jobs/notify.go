package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/notify"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// NotifyQueue is the River queue of reminders, notifications and their deliveries.
const NotifyQueue = "notify"

// onceStates are the states in which a reminder, digest or delivery job is not inserted
// again: every state but discarded and cancelled, so that a completed job is not repeated
// while River keeps it. The notifications and deliveries tables guard the rest of the time.
var onceStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStateCompleted, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// NotifyConfig configures reminders and notifications.
type NotifyConfig struct {
	Service *cairn.Service
	// Mailer sends e-mail; nil sends none.
	Mailer *notify.Mailer
	// Poster posts to team webhooks; nil posts none.
	Poster *notify.Poster
	// PublicURL makes links absolute.
	PublicURL string
	// Every is how often the leader plans reminders and scans for events; a minute when
	// zero.
	Every time.Duration
	// DigestHour is the hour (UTC) on Mondays from which weekly digests go out; 7 when
	// zero.
	DigestHour int
}

// PlanArgs is the periodic plan_notifications job: make the notifications of new events,
// queue the reminders that are due and the deliveries that have not gone out.
type PlanArgs struct{}

// Kind names the job.
func (PlanArgs) Kind() string { return "plan_notifications" }

// InsertOpts makes the planner unique while queued or running.
func (PlanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: NotifyQueue, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// RemindArgs is the remind job: one person's reminder (or follow-up) of one due time in one
// organization. It is unique per person, organization, due time and kind.
type RemindArgs struct {
	OrgID        int64     `json:"org_id" river:"unique"`
	UserID       int64     `json:"user_id" river:"unique"`
	Due          time.Time `json:"due" river:"unique"`
	FollowUp     bool      `json:"follow_up" river:"unique"`
	KeyResultIDs []int64   `json:"key_result_ids"`
}

// Kind names the job.
func (RemindArgs) Kind() string { return "remind" }

// InsertOpts makes a reminder unique per person and due time.
func (RemindArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: NotifyQueue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: onceStates}}
}

// DeliverArgs is the deliver job: send one delivery. River retries a failed send with its
// back-off.
type DeliverArgs struct {
	DeliveryID int64 `json:"delivery_id" river:"unique"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "deliver" }

// InsertOpts makes a delivery's job unique.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: NotifyQueue, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: onceStates}}
}

// DigestArgs is the digest job: one person's weekly digest.
type DigestArgs struct {
	UserID int64  `json:"user_id" river:"unique"`
	Week   string `json:"week" river:"unique"`
}

// Kind names the job.
func (DigestArgs) Kind() string { return "digest" }

// InsertOpts makes a digest unique per person and week.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: NotifyQueue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: onceStates}}
}

type planWorker struct {
	river.WorkerDefaults[PlanArgs]
	r *Runner
}

// Work scans for events, queues due reminders and digests, and queues the deliveries that
// have not gone out (after a restart, or made by the scan).
func (w *planWorker) Work(ctx context.Context, _ *river.Job[PlanArgs]) error {
	n := w.r.cfg.Notify
	now := w.r.cfg.Now()
	made, err := n.Service.ScanEvents(ctx, now)
	if err != nil {
		return fmt.Errorf("jobs: scan events: %w", err)
	}
	rs, err := n.Service.PlanReminders(ctx, now)
	if err != nil {
		return fmt.Errorf("jobs: plan reminders: %w", err)
	}
	var params []river.InsertManyParams
	for _, r := range rs {
		params = append(params, river.InsertManyParams{Args: RemindArgs{OrgID: r.OrgID, UserID: r.UserID, Due: r.Due, FollowUp: r.FollowUp, KeyResultIDs: r.KeyResultIDs}})
	}
	if now.UTC().Weekday() == time.Monday && now.UTC().Hour() >= n.DigestHour {
		users, err := n.Service.DigestUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			params = append(params, river.InsertManyParams{Args: DigestArgs{UserID: u, Week: cairn.DigestWeek(now)}})
		}
	}
	if len(params) > 0 {
		if _, err := w.r.client.InsertMany(ctx, params); err != nil {
			return fmt.Errorf("jobs: queue %d reminders and digests: %w", len(params), err)
		}
	}
	if made > 0 || len(rs) > 0 {
		w.r.cfg.Log.InfoContext(ctx, "planned notifications", slog.Int("events", made), slog.Int("reminders", len(rs)))
	}
	return w.r.queuePending(ctx)
}

// queuePending queues a deliver job for each delivery that has not gone out; the unique
// jobs absorb those queued already.
func (r *Runner) queuePending(ctx context.Context) error {
	ids, err := r.cfg.Notify.Service.PendingDeliveries(ctx, 500)
	if err != nil {
		return err
	}
	return r.queueDeliveries(ctx, ids)
}

// queueDeliveries queues a deliver job for each delivery id.
func (r *Runner) queueDeliveries(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: DeliverArgs{DeliveryID: id}}
	}
	if _, err := r.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("jobs: queue %d deliveries: %w", len(ids), err)
	}
	return nil
}

type remindWorker struct {
	river.WorkerDefaults[RemindArgs]
	r *Runner
}

// Work stores the reminder's notification and queues its deliveries; a reminder stored
// before adds nothing.
func (w *remindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) error {
	a := job.Args
	if _, _, err := w.r.cfg.Notify.Service.CreateReminder(ctx, cairn.Reminder{OrgID: a.OrgID, UserID: a.UserID, Due: a.Due,
		FollowUp: a.FollowUp, KeyResultIDs: a.KeyResultIDs}); err != nil {
		return err
	}
	return w.r.queuePending(ctx)
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	r *Runner
}

// Work stores the person's digests and queues their deliveries.
func (w *digestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	if _, err := w.r.cfg.Notify.Service.CreateDigest(ctx, job.Args.UserID, w.r.cfg.Now()); err != nil {
		return err
	}
	return w.r.queuePending(ctx)
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	r *Runner
}

// Timeout bounds one attempt at an SMTP server or a webhook.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return time.Minute }

// Work sends one delivery unless it went out already or its person turned the channel off.
// A failure is recorded with its reason, logged, and returned so that River retries it.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	n := w.r.cfg.Notify
	out, err := n.Service.Outgoing(ctx, job.Args.DeliveryID)
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	d := out.Delivery
	if d.Status == cairn.DeliverySent || d.Status == cairn.DeliverySkipped {
		return nil
	}
	if out.Skip {
		return n.Service.RecordDelivery(ctx, d, cairn.DeliverySkipped, nil)
	}
	msg := notify.NewMessage(out.Notification, n.PublicURL, n.Service.UnsubscribeURL(n.PublicURL, out.User.ID, d.Channel))
	if d.Channel.WebhookKind() {
		msg.For = out.User.Name
	}
	switch d.Channel {
	case cairn.ChannelEmail:
		if n.Mailer == nil {
			err = fmt.Errorf("e-mail is not configured (CAIRN_SMTP_URL)")
		} else {
			err = n.Mailer.Send(ctx, d.Target, msg)
		}
	default:
		if n.Poster == nil {
			err = fmt.Errorf("webhooks are not configured")
		} else {
			err = n.Poster.Post(ctx, d.Channel, out.WebhookURL, msg)
		}
	}
	if err != nil {
		w.r.cfg.Log.WarnContext(ctx, "notification delivery failed", slog.Int64("delivery", d.ID), slog.String("channel", string(d.Channel)),
			slog.Int("attempt", job.Attempt), slog.Int("max_attempts", job.MaxAttempts), slog.String("reason", err.Error()))
		if rerr := n.Service.RecordDelivery(ctx, d, cairn.DeliveryFailed, err); rerr != nil {
			return rerr
		}
		return err
	}
	return n.Service.RecordDelivery(ctx, d, cairn.DeliverySent, nil)
}

// RemindReport is what RemindNow did.
type RemindReport struct {
	// Reminders are the reminders and follow-ups due, each with whether this run made it
	// (Made) or found it made before, by a server's planner or an earlier run.
	Reminders []RemindOutcome
	// Pending is true when the wait ended with deliveries still to go out; they stay
	// queued for the next worker.
	Pending bool
}

// RemindOutcome is one reminder of a RemindReport.
type RemindOutcome struct {
	Reminder     cairn.Reminder
	Notification *cairn.Notification
	Made         bool
	// Deliveries are the messages of a reminder made now, as they stood when the wait
	// ended: sent, skipped, failed (River retries it later) or still pending.
	Deliveries []*cairn.Delivery
}

// Count returns how many deliveries of the reminders made now have the status.
func (rep *RemindReport) Count(status cairn.DeliveryStatus) int {
	n := 0
	for _, o := range rep.Reminders {
		for _, d := range o.Deliveries {
			if d.Status == status {
				n++
			}
		}
	}
	return n
}

// RemindNow makes the reminders and follow-ups due now in one organization (orgID), or in
// every one with 0, and sends their messages, waiting until each has gone out, been
// skipped or failed once, or until ctx ends. It uses the same notifications and unique
// deliver jobs as the servers' planner: a reminder made before is not made or sent again,
// and a delivery is sent by one worker only, this runner's or a server's. The runner must
// be started.
func (r *Runner) RemindNow(ctx context.Context, orgID int64) (*RemindReport, error) {
	n := r.cfg.Notify
	if n == nil {
		return nil, errors.New("jobs: reminders are not configured")
	}
	rs, err := n.Service.PlanReminders(ctx, r.cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("jobs: plan reminders: %w", err)
	}
	rep := &RemindReport{}
	var deliveries []int64
	for _, rem := range rs {
		if orgID != 0 && rem.OrgID != orgID {
			continue
		}
		note, made, err := n.Service.CreateReminder(ctx, rem)
		if err != nil {
			return rep, fmt.Errorf("jobs: make the reminder of user %d due %s: %w", rem.UserID, rem.Due.Format(time.RFC3339), err)
		}
		if note == nil {
			continue // its key results are gone
		}
		out := RemindOutcome{Reminder: rem, Notification: note, Made: made}
		if made {
			if out.Deliveries, err = n.Service.DeliveriesOf(ctx, note.ID); err != nil {
				return rep, err
			}
			for _, d := range out.Deliveries {
				deliveries = append(deliveries, d.ID)
			}
		}
		rep.Reminders = append(rep.Reminders, out)
	}
	if len(deliveries) == 0 {
		return rep, nil
	}
	if err := r.queueDeliveries(ctx, deliveries); err != nil {
		return rep, err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		rep.Pending = false
		for i := range rep.Reminders {
			o := &rep.Reminders[i]
			if !o.Made {
				continue
			}
			ds, err := n.Service.DeliveriesOf(context.WithoutCancel(ctx), o.Notification.ID)
			if err != nil {
				return rep, err
			}
			o.Deliveries = ds
			for _, d := range ds {
				rep.Pending = rep.Pending || d.Status == cairn.DeliveryPending
			}
		}
		if !rep.Pending {
			return rep, nil
		}
		select {
		case <-ctx.Done():
			return rep, nil
		case <-tick.C:
		}
	}
}
