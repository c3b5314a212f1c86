package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Queue is the River queue of Azure DevOps syncs.
const Queue = "azure_devops"

// uniqueStates are the job states in which a second sync of the same connection is not
// inserted: queued, scheduled or running. Completed jobs do not count, so the next
// request after a sync always queues one.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// SyncArgs is the sync_connection job: sync one Azure DevOps connection. It is unique by
// connection while queued, scheduled or running.
type SyncArgs struct {
	ConnectionID int64  `json:"connection_id" river:"unique"`
	Trigger      string `json:"trigger"`
	// Slot tells apart the syncs of one connection that may exist at once: a request that
	// comes while every lower slot's sync is already running takes the next slot, so that
	// a change that arrives during a sync is never folded into it unseen. A queued sync in
	// any slot absorbs the requests that come before it starts.
	Slot int `json:"slot,omitempty" river:"unique"`
	// NotBefore debounces: the worker waits until then, so that a burst of service hooks
	// is read in one sync. (River promotes scheduled jobs only every few seconds, too slow
	// for real time, so the job is available at once and waits itself.)
	NotBefore time.Time `json:"not_before,omitzero"`
}

// Kind names the job.
func (SyncArgs) Kind() string { return "sync_connection" }

// InsertOpts makes the job unique per connection in the Azure DevOps queue.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 5,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// ScheduleArgs is the periodic schedule_syncs job: queue the connections that are due.
// It is unique while queued or running, so that overlapping leaders add nothing twice.
type ScheduleArgs struct{}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "schedule_syncs" }

// InsertOpts makes the scheduler unique.
func (ScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// Config configures the job runner.
type Config struct {
	// DB is the store's writer pool (sqldb.DB.SQL()) and Dialect its dialect ("sqlite" or
	// "postgres").
	DB      *sql.DB
	Dialect string
	Store   datasource.Store
	Syncer  *datasource.Syncer
	// Workers is how many syncs run at once in this process; 4 when zero.
	Workers int
	// ScheduleEvery is how often the leader looks for due connections; a minute when zero.
	ScheduleEvery time.Duration
	// PollInterval is how often an idle worker looks for new jobs; 250 ms when zero.
	PollInterval time.Duration
	// RescueAfter is how long a job may stay running before the leader takes it for lost,
	// as when the process running it was killed, and queues it again; an hour when zero.
	// A sync may run for at most three quarters of it (and 15 minutes), so that a sync that
	// is still working is never run twice.
	RescueAfter time.Duration
	// ID names this process among the replicas in River's records (attempted_by); the
	// host name and process id when empty.
	ID  string
	Now func() time.Time
	Log *slog.Logger
	// Metrics, when set, records each sync's lag from being queued (see NewMetrics).
	Metrics *Metrics
	// RetryPolicy spaces the attempts of failed jobs; River's default (attempt⁴ seconds)
	// when nil.
	RetryPolicy river.ClientRetryPolicy
	// Notify runs reminders and notifications; nil runs none.
	Notify *NotifyConfig
	// NotifyOnly works the notification queue alone, with no sync and no periodic job:
	// for `cairn remind`, which sends what is due beside the servers. Notify must be set.
	NotifyOnly bool
	// MigrationLock, when set, is held while River's migrations run, so that replicas
	// started together take turns (sqldb.DB.MigrationLock).
	MigrationLock func(ctx context.Context) (unlock func(), err error)
}

// syncTimeout is the longest a sync job may run.
func (c Config) syncTimeout() time.Duration { return min(15*time.Minute, c.RescueAfter*3/4) }

// Runner owns the River client: it inserts sync jobs and, once started, works them.
type Runner struct {
	cfg    Config
	client *river.Client[*sql.Tx]
}

var _ datasource.Enqueuer = (*Runner)(nil)

func driver(db *sql.DB, dialect string) (riverdriver.Driver[*sql.Tx], error) {
	switch dialect {
	case "sqlite":
		return riversqlite.New(db), nil
	case "postgres":
		return riverdatabasesql.New(db), nil
	}
	return nil, fmt.Errorf("jobs: unknown dialect %q", dialect)
}

func migrateLocked(ctx context.Context, cfg Config) error {
	if cfg.MigrationLock != nil {
		unlock, err := cfg.MigrationLock(ctx)
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		defer unlock()
	}
	return Migrate(ctx, cfg.DB, cfg.Dialect)
}

// Migrate applies River's own migrations to the database; New calls it.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	d, err := driver(db, dialect)
	if err != nil {
		return err
	}
	m, err := rivermigrate.New(d, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// New migrates River's tables and returns a Runner; Start begins working jobs.
func New(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.ScheduleEvery <= 0 {
		cfg.ScheduleEvery = time.Minute
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = time.Hour
	}
	if cfg.RescueAfter < 4*time.Second {
		return nil, fmt.Errorf("jobs: rescue after %s is too short: give it at least 4s", cfg.RescueAfter)
	}
	if cfg.ID == "" {
		host, _ := os.Hostname()
		cfg.ID = fmt.Sprintf("%s_%d", cmp.Or(host, "cairn"), os.Getpid())
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if err := migrateLocked(ctx, cfg); err != nil {
		return nil, err
	}
	d, err := driver(cfg.DB, cfg.Dialect)
	if err != nil {
		return nil, err
	}
	if cfg.NotifyOnly && cfg.Notify == nil {
		return nil, errors.New("jobs: a notification runner needs its notification configuration")
	}
	r := &Runner{cfg: cfg}
	workers := river.NewWorkers()
	queues := map[string]river.QueueConfig{}
	var periodic []*river.PeriodicJob
	if !cfg.NotifyOnly {
		river.AddWorker(workers, &syncWorker{r: r})
		river.AddWorker(workers, &scheduleWorker{r: r})
		queues[Queue] = river.QueueConfig{MaxWorkers: cfg.Workers}
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(cfg.ScheduleEvery),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true, ID: "schedule_syncs"}))
	}
	if n := cfg.Notify; n != nil {
		if n.Every <= 0 {
			n.Every = time.Minute
		}
		if n.DigestHour <= 0 {
			n.DigestHour = 7
		}
		river.AddWorker(workers, &planWorker{r: r})
		river.AddWorker(workers, &remindWorker{r: r})
		river.AddWorker(workers, &digestWorker{r: r})
		river.AddWorker(workers, &deliverWorker{r: r})
		queues[NotifyQueue] = river.QueueConfig{MaxWorkers: 4}
		if !cfg.NotifyOnly {
			periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(n.Every),
				func() (river.JobArgs, *river.InsertOpts) { return PlanArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "plan_notifications"}))
		}
	}
	client, err := river.NewClient(d, &river.Config{
		Queues:            queues,
		Workers:           workers,
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, 100*time.Millisecond),
		Logger:            cfg.Log.With(slog.String("component", "river")),
		ID:                cfg.ID,
		// River's default job timeout (a minute) bounds the other jobs; syncs set their
		// own. The rescuer must not take a job that may still be running.
		JobTimeout:           min(time.Minute, cfg.syncTimeout()),
		RescueStuckJobsAfter: cfg.RescueAfter,
		PeriodicJobs:         periodic,
		RetryPolicy:          cfg.RetryPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	r.client = client
	return r, nil
}

// Start works jobs until ctx ends or Stop is called.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop waits for running jobs to finish, then stops.
func (r *Runner) Stop(ctx context.Context) error {
	return r.client.Stop(ctx)
}

// Client returns the River client, for River's UI and tests.
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// EnqueueSync inserts a sync of the connection inside tx, after delay. A sync of the same
// connection that is already queued or running absorbs it.
func (r *Runner) EnqueueSync(ctx context.Context, tx *sql.Tx, connectionID int64, trigger string, delay time.Duration) error {
	args := SyncArgs{ConnectionID: connectionID, Trigger: trigger}
	if delay > 0 {
		args.NotBefore = r.cfg.Now().Add(delay).UTC()
	}
	for args.Slot = 0; args.Slot < syncSlots; args.Slot++ {
		res, err := r.client.InsertTx(ctx, tx, args, nil)
		if err != nil {
			return fmt.Errorf("jobs: enqueue sync of connection %d: %w", connectionID, err)
		}
		if !res.UniqueSkippedAsDuplicate || res.Job == nil || res.Job.State != rivertype.JobStateRunning {
			return nil // queued, or absorbed by a sync that has not started yet
		}
		var running SyncArgs
		if err := json.Unmarshal(res.Job.EncodedArgs, &running); err == nil && r.cfg.Now().Before(running.NotBefore) {
			return nil // running, but still waiting out its debounce: it reads this change
		}
		// That sync is running and may have read Azure DevOps before this change: queue
		// one in the next slot.
	}
	// Every slot's sync is running. The request stays recorded on the connection
	// (RequestSync), which makes it due: the leader's next schedule pass queues it.
	return nil
}

// syncSlots is how many syncs of one connection may be queued or running at once.
const syncSlots = 4

// syncWorker works sync_connection jobs.
type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	r *Runner
}

// Timeout allows a large connection's sync to take its time; Azure DevOps' own waits are
// bounded by the client.
func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return w.r.cfg.syncTimeout() }

// Work syncs the connection. A connection deleted meanwhile needs nothing; a sync that
// Azure DevOps asked to wait runs again later. A request that comes in while the sync
// runs has queued a follow-up job (EnqueueSync).
func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	if wait := job.Args.NotBefore.Sub(w.r.cfg.Now()); wait > 0 {
		t := time.NewTimer(min(wait, time.Minute))
		select {
		case <-ctx.Done():
			t.Stop()
			return river.JobSnooze(0)
		case <-t.C:
		}
	}
	trigger := job.Args.Trigger
	if rescued(job.JobRow) {
		trigger = cairn.TriggerRescued
		w.r.cfg.Log.WarnContext(ctx, "resuming an azure devops sync that another replica left unfinished",
			slog.Int64("connection", job.Args.ConnectionID), slog.Int("attempt", job.Attempt),
			slog.String("first_trigger", job.Args.Trigger), slog.Any("attempted_by", job.AttemptedBy))
	}
	sync := w.r.cfg.Syncer.Sync
	if trigger == cairn.TriggerSchedule {
		// The schedule read the due connections before it queued this job: a sync that
		// finished in between leaves nothing to do.
		sync = w.r.cfg.Syncer.SyncIfDue
	}
	rep, err := sync(ctx, job.Args.ConnectionID, trigger)
	if err == nil && !rep.Deferred && !rep.Skipped && !rep.NotDue {
		w.r.cfg.Metrics.observeLag(trigger, job.CreatedAt, w.r.cfg.Now())
	}
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if rep.Deferred {
		return river.JobSnooze(30 * time.Second)
	}
	return nil
}

// rescuerError is the error River's rescuer records on a job it found running for longer
// than RescueStuckJobsAfter.
const rescuerError = "Stuck job rescued"

// rescued reports whether the job runs again because the rescuer found it abandoned: its
// last recorded error is the rescuer's.
func rescued(job *rivertype.JobRow) bool {
	if len(job.Errors) == 0 {
		return false
	}
	return strings.HasPrefix(job.Errors[len(job.Errors)-1].Error, rescuerError)
}

// scheduleWorker works schedule_syncs jobs, which River inserts on the leader only.
type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	r *Runner
}

// Work queues a sync of every due connection; unique jobs make it safe to repeat.
func (w *scheduleWorker) Work(ctx context.Context, job *river.Job[ScheduleArgs]) error {
	on, err := w.r.cfg.Store.Setting(ctx, cairn.TenantIntegrationSetting)
	if cairn.ErrorCode(err) == cairn.ENOTFOUND || (err == nil && on != "true") {
		return nil
	}
	if err != nil {
		return err
	}
	ids, err := w.r.cfg.Store.DueConnections(ctx, w.r.cfg.Now(), 1000)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: SyncArgs{ConnectionID: id, Trigger: cairn.TriggerSchedule}}
	}
	if _, err := w.r.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("jobs: queue %d due connections: %w", len(ids), err)
	}
	w.r.cfg.Log.InfoContext(ctx, "queued due azure devops syncs", slog.Int("connections", len(ids)))
	return nil
}
