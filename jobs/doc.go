// Package jobs runs Cairn's background work on River, a job queue that lives in the same
// database: riversqlite on SQLite and riverdatabasesql on PostgreSQL, both over the
// store's *sql.DB, so that a job is inserted in the same transaction as the write that
// causes it.
//
// Two kinds of job exist. sync_connection syncs one Azure DevOps connection; it is
// unique per connection while queued or running, so that a burst of service hooks folds
// into one sync, and a request that arrives while it runs makes it run once more.
// schedule_syncs is periodic and runs on the elected leader only: it queues a sync for
// every connection whose organization's interval has passed.
package jobs
