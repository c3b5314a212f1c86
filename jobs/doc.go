// Package jobs runs Cairn's background work on River, a job queue that lives in the same
// database: riversqlite on SQLite and riverdatabasesql on PostgreSQL, both over the
// store's *sql.DB, so that a job is inserted in the same transaction as the write that
// causes it.
//
// Azure DevOps syncs take two kinds of job. sync_connection syncs one Azure DevOps connection; it is
// unique per connection while queued or running, so that a burst of service hooks folds
// into one sync, and a request that arrives while it runs makes it run once more.
// schedule_syncs is periodic and runs on the elected leader only: it queues a sync for
// every connection whose organization's interval has passed.
//
// Reminders and notifications (with Config.Notify) take four more, in the notify queue.
// plan_notifications is periodic and runs on the leader: it makes the notifications of new
// events, queues a remind job per person and due time, digests on Mondays, and a deliver
// job for every delivery still pending. Notifications and their deliveries are written in
// one transaction (an outbox), so a delivery whose job was lost in a crash is queued again
// by the next plan. remind and digest are unique per person and due time or week; deliver is
// unique per delivery, and River retries a failed send with its back-off. The tables'
// unique keys, not the jobs' uniqueness alone, make sure nothing is sent twice.
package jobs
