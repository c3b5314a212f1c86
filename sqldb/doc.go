// Package sqldb is Cairn's storage adapter: it implements cairn.Store on database/sql for
// SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx's stdlib driver,
// for several replicas).
//
// One code path serves both databases. Queries are written with ? placeholders and rebound
// to $n for PostgreSQL; dates are stored as 'YYYY-MM-DD' text and times in UTC with
// microsecond precision, so that both databases return the same values. Migrations live
// in migrations/sqlite and migrations/postgres, are applied by goose on Open, and a parity
// test keeps the two schemas alike.
//
// SQLite runs in WAL mode with two pools: a single writer connection whose transactions
// begin IMMEDIATE, so that concurrent writers queue instead of failing with SQLITE_BUSY,
// and a pool of read-only connections.
package sqldb
