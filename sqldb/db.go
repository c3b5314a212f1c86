package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	// The two database/sql drivers: "pgx" and "sqlite".
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// The dialect names that Dialect returns.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Options tune a DB. The zero value is ready to use.
type Options struct {
	// Now is the clock that stamps created and updated times; time.Now when nil.
	Now func() time.Time
	// OnQuery, when set, is called with the text of every statement the store runs, as
	// sent to the database. Tests use it to count queries.
	OnQuery func(query string)
	// BusyTimeout is how long a SQLite connection waits for a lock; 10 s when zero.
	BusyTimeout time.Duration
	// MaxOpenConns caps the PostgreSQL pool and the SQLite reader pool; a default that
	// suits the machine when zero.
	MaxOpenConns int
}

// DB is Cairn's store on SQLite or PostgreSQL. It implements cairn.Store and is safe for
// concurrent use.
type DB struct {
	dialect string
	writer  *sql.DB // the single SQLite writer, or the PostgreSQL pool
	reader  *sql.DB // the SQLite reader pool, or the PostgreSQL pool
	now     func() time.Time
	onQuery func(string)
	latest  int64 // the newest migration version
	// lockPath is the SQLite database's migration lock file; "" in memory.
	lockPath string

	rebound sync.Map // query with ? -> query with $n, for PostgreSQL
}

var _ cairn.Store = (*DB)(nil)

// Open opens the database named by dsn and applies any pending migrations. A dsn that
// starts with postgres:// or postgresql:// opens PostgreSQL; anything else is the path of
// a SQLite file, created when missing, optionally with driver parameters after a '?'.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, cairn.Errorf(cairn.EINVALID, "sqldb: the database dsn is empty")
	}
	db := &DB{now: opts.Now, onQuery: opts.OnQuery}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = db.openPostgres(dsn, opts)
	} else {
		err = db.openSQLite(dsn, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) openPostgres(dsn string, opts Options) error {
	db.dialect = DialectPostgres
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return cairn.Internal("sqldb: open postgres", err)
	}
	n := opts.MaxOpenConns
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
		n = max(8, min(n, 32))
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxLifetime(30 * time.Minute)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db.writer, db.reader = pool, pool
	return nil
}

func (db *DB) openSQLite(dsn string, opts Options) error {
	db.dialect = DialectSQLite
	path, query, _ := strings.Cut(dsn, "?")
	if path == "" {
		return cairn.Errorf(cairn.EINVALID, "sqldb: the SQLite path is empty")
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return cairn.Errorf(cairn.EINVALID, "sqldb: bad SQLite parameters in %q: %v", dsn, err)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 10 * time.Second
	}
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "cache_size(-16000)") // 16 MB of pages per connection
	params.Set("_time_format", "sqlite")
	params.Set("_timezone", "UTC")
	memory := strings.Contains(path, ":memory:") || params.Get("mode") == "memory"
	db.lockPath = sqliteLockPath(path, memory)
	if !memory {
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "synchronous(NORMAL)")
	}

	w := cloneValues(params)
	w.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", path+"?"+w.Encode())
	if err != nil {
		return cairn.Internal("sqldb: open sqlite", err)
	}
	// One writer connection: SQLite allows one writer at a time, and queueing in the pool
	// is kinder than failing with SQLITE_BUSY.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	db.writer = writer
	if memory {
		// Each connection to an in-memory database sees its own database, so one
		// connection serves reads and writes alike.
		db.reader = writer
		return nil
	}

	r := cloneValues(params)
	r.Add("_pragma", "query_only(1)")
	reader, err := sql.Open("sqlite", path+"?"+r.Encode())
	if err != nil {
		writer.Close()
		return cairn.Internal("sqldb: open sqlite reader", err)
	}
	n := opts.MaxOpenConns
	if n <= 0 {
		n = max(4, runtime.GOMAXPROCS(0))
	}
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	reader.SetConnMaxIdleTime(5 * time.Minute)
	db.reader = reader
	return nil
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Close closes the database pools.
func (db *DB) Close() error {
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	if err != nil {
		return cairn.Internal("sqldb: close", err)
	}
	return nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// SQL returns the pool that writes: the single SQLite writer connection or the PostgreSQL
// pool. Code that must write in the same transaction as the store, like the job queue,
// uses it.
func (db *DB) SQL() *sql.DB { return db.writer }

// Analyze refreshes PostgreSQL's planner statistics of Cairn's tables after a bulk write,
// such as an import. Autovacuum gets there on its own within minutes, but until then
// PostgreSQL may plan a period's queries as if its tables were nearly empty: over 60,000
// freshly written check-ins that made the period list take 3.5 s instead of 0.13 s. On
// SQLite it does nothing: Cairn's queries are planned well there without statistics, and
// ANALYZE's made the objective tree slower.
func (db *DB) Analyze(ctx context.Context) error {
	if db.dialect != DialectPostgres {
		return nil
	}
	// Only the tables of Cairn's schema: the database may hold other schemas.
	var tables []string
	rows, err := db.writer.QueryContext(ctx, `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
		WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return db.wrap("analyze", err)
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return db.wrap("analyze", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(tables) == 0 {
		return db.wrap("analyze", err)
	}
	_, err = db.writer.ExecContext(ctx, `ANALYZE `+strings.Join(tables, ", "))
	return db.wrap("analyze", err)
}

// Stats returns the statistics of the writer pool, for metrics.
func (db *DB) Stats() sql.DBStats { return db.writer.Stats() }

// ReaderStats returns the statistics of the SQLite reader pool; for PostgreSQL it equals
// Stats.
func (db *DB) ReaderStats() sql.DBStats { return db.reader.Stats() }

func (db *DB) migrations() (fs.FS, goose.Dialect, error) {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	if db.dialect == DialectPostgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrationFiles, dir)
	return sub, dialect, err
}

func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	fsys, dialect, err := db.migrations()
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(quietLogger{}),
	}
	if db.dialect == DialectPostgres {
		// Replicas that start together take turns migrating. The lock is per schema, so
		// that installations sharing a server in separate schemas do not wait on each
		// other.
		var schema string
		if err := db.writer.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return nil, err
		}
		h := fnv.New64a()
		h.Write([]byte(schema))
		id := lock.DefaultLockID ^ int64(h.Sum64()>>1)
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 600))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.writer, fsys, opts...)
}

// Migrate applies every pending migration. Open calls it; it is safe to call again.
func (db *DB) Migrate(ctx context.Context) error {
	if db.dialect == DialectSQLite {
		// PostgreSQL's goose session locker does the same there.
		unlock, err := db.MigrationLock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	p, err := db.provider(ctx)
	if err != nil {
		return cairn.Internal("sqldb: migrate", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return cairn.Internal("sqldb: migrate", err)
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		db.latest = srcs[len(srcs)-1].Version
	}
	return nil
}

// Ping checks that the database answers and that every migration has been applied. A
// database behind the code, or ahead of it, answers EUNAVAILABLE.
func (db *DB) Ping(ctx context.Context) error {
	var version sql.NullInt64
	err := db.read().queryRow(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&version)
	if err != nil {
		return &cairn.Error{Code: cairn.EUNAVAILABLE, Message: "database is unreachable or not migrated", Err: err}
	}
	if version.Int64 != db.latest {
		return cairn.Errorf(cairn.EUNAVAILABLE, "database schema is at version %d, want %d", version.Int64, db.latest)
	}
	return nil
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
func (quietLogger) Fatalf(format string, v ...any) {
	// goose calls Fatalf only from its global command helpers, which Cairn does not use.
}

// stamp returns the clock's time in UTC at microsecond precision, which both databases
// keep exactly.
func (db *DB) stamp() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// clean returns t in UTC at microsecond precision.
func clean(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner runs statements on a pool or a transaction, rebinding placeholders for the
// dialect and reporting each statement to OnQuery.
type runner struct {
	db *DB
	q  queryer
}

func (db *DB) read() runner  { return runner{db, db.reader} }
func (db *DB) write() runner { return runner{db, db.writer} }

func (r runner) prepare(query string) string {
	query = r.db.rebind(query)
	if r.db.onQuery != nil {
		r.db.onQuery(query)
	}
	return query
}

func (r runner) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.q.ExecContext(ctx, r.prepare(query), args...)
}

func (r runner) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.q.QueryContext(ctx, r.prepare(query), args...)
}

func (r runner) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return r.q.QueryRowContext(ctx, r.prepare(query), args...)
}

// affected runs an UPDATE or DELETE and returns how many rows it touched.
func (r runner) affected(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := r.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// exists reports whether the query returns a row.
func (r runner) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := r.queryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// rebind turns ? placeholders into $1, $2, … for PostgreSQL. Queries in this package never
// put a ? inside a string literal.
func (db *DB) rebind(query string) string {
	if db.dialect != DialectPostgres || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := db.rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	q := b.String()
	// Queries with generated IN lists vary in length; caching only the fixed ones keeps
	// the cache small.
	if n <= 16 {
		db.rebound.Store(query, q)
	}
	return q
}

// tx runs fn in a write transaction, committing when fn returns nil and rolling back
// otherwise.
func (db *DB) tx(ctx context.Context, op string, fn func(r runner) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return db.wrap(op, err)
	}
	if err := fn(runner{db, tx}); err != nil {
		_ = tx.Rollback()
		return db.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return db.wrap(op, err)
	}
	return nil
}

// snapshot runs fn in a read-only transaction so that its several queries see one state of
// the database.
func (db *DB) snapshot(ctx context.Context, op string, fn func(r runner) error) error {
	var opts *sql.TxOptions
	if db.dialect == DialectPostgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.reader.BeginTx(ctx, opts)
	if err != nil {
		return db.wrap(op, err)
	}
	defer tx.Rollback()
	if err := fn(runner{db, tx}); err != nil {
		return db.wrap(op, err)
	}
	return nil
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// int64Args converts ids into query arguments.
func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// nullTime converts an optional time into a query argument.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return clean(*t)
}

// timePtr converts a scanned optional time.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// floatPtr converts a scanned optional number.
func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

// nullFloat converts an optional number into a query argument.
func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// nullInt converts an optional id into a query argument.
func nullInt(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// int64Ptr converts a scanned optional id.
func int64Ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// chunks splits ids into slices of at most n, so that IN lists stay within the
// databases' limits on parameters.
func chunks(ids []int64, n int) [][]int64 {
	var out [][]int64
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// limitOffset appends LIMIT and OFFSET clauses; a zero limit means no limit. Negative
// values are refused.
func (db *DB) limitOffset(q string, args []any, limit, offset int) (string, []any, error) {
	if limit < 0 {
		return "", nil, cairn.FieldError("limit", "limit must not be negative")
	}
	if offset < 0 {
		return "", nil, cairn.FieldError("offset", "offset must not be negative")
	}
	switch {
	case limit > 0:
		q += " LIMIT ? OFFSET ?"
		args = append(args, limit, offset)
	case offset > 0 && db.dialect == DialectSQLite:
		q += " LIMIT -1 OFFSET ?" // SQLite wants a LIMIT before an OFFSET
		args = append(args, offset)
	case offset > 0:
		q += " OFFSET ?"
		args = append(args, offset)
	}
	return q, args, nil
}

// optTime scans an optional time into a *time.Time field.
type optTime struct{ p **time.Time }

// Scan implements sql.Scanner.
func (o optTime) Scan(src any) error {
	var t sql.NullTime
	if err := t.Scan(src); err != nil {
		return err
	}
	*o.p = timePtr(t)
	return nil
}
