package sqldb

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/cairn-okr/cairn"
)

// MigrationLock holds off every other process that migrates the same database until
// unlock is called, so that replicas started together take turns applying the schema:
// an exclusive lock on a file beside a SQLite database (cairn.db.migrate-lock), and a
// PostgreSQL advisory lock per schema. Open takes it around Cairn's migrations; the job
// runner takes it around River's.
func (db *DB) MigrationLock(ctx context.Context) (unlock func(), err error) {
	if db.dialect == DialectPostgres {
		return db.advisoryMigrationLock(ctx)
	}
	if db.lockPath == "" {
		return func() {}, nil // an in-memory database belongs to one process
	}
	unlock, err = lockFile(ctx, db.lockPath)
	if err != nil {
		return nil, cairn.Internal("sqldb: lock "+db.lockPath+" for migrating", err)
	}
	return unlock, nil
}

// migrationLockClass tells Cairn's advisory lock for River's migrations from goose's.
const migrationLockClass = 0x6361697213 // "cairn", 0x13

func (db *DB) advisoryMigrationLock(ctx context.Context) (func(), error) {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return nil, db.wrap("migration lock", err)
	}
	var schema string
	if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		conn.Close()
		return nil, db.wrap("migration lock", err)
	}
	h := fnv.New64a()
	h.Write([]byte(schema))
	id := int64(h.Sum64()>>1) ^ migrationLockClass
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		conn.Close()
		return nil, db.wrap("migration lock", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, id)
		conn.Close()
	}, nil
}

// sqliteLockPath is the lock file of the SQLite database at path ("" in memory).
func sqliteLockPath(path string, memory bool) string {
	if memory {
		return ""
	}
	path = strings.TrimPrefix(path, "file:")
	if path == "" {
		return ""
	}
	return fmt.Sprintf("%s.migrate-lock", path)
}
