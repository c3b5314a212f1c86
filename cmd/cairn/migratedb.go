package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cairn-okr/cairn/jobs"
	"github.com/cairn-okr/cairn/sqldb"
)

const migrateDBHelp = `Copies a Cairn SQLite database into PostgreSQL: every row of every Cairn table, in
one PostgreSQL transaction, from one consistent snapshot of the SQLite file.

The target is created and migrated first (Cairn's schema and River's). A target whose
Cairn tables hold any row is refused unless --force, which empties them first. The
PostgreSQL sequences continue after the copied ids.

The SQLite file may be in use: the copy reads one snapshot and blocks no writer, but
writes made after the snapshot are not copied. For the final move, stop the server (or
every writer), run migrate-db (with --force after a rehearsal), then start the servers
on the PostgreSQL URL with the same CAIRN_SECRET_KEY or key file: the sealed credentials
are copied as they are.

Not copied, and why: River's job queue and its bookkeeping (river_job, river_leader,
river_queue, river_client, river_client_queue, river_migration, river_notification and
any other river_* table) — queued syncs are
transient, and the sync scheduler queues every due connection when the first server
starts on PostgreSQL; goose_db_version and sqlite_sequence — the target's migrations and
sequences keep their own; SQLite's planner statistics (sqlite_stat*). After the copy the
tables are analyzed, so that PostgreSQL plans the first requests with their real sizes.`

// skippedTables are the tables of a Cairn SQLite database that migrate-db does not
// copy, with the reason. Any other table named river_* is River's too and is skipped
// (see skipReason).
var skippedTables = map[string]string{
	"river_job":          "River's job queue: queued syncs are transient, and the scheduler queues every due connection on the first start",
	"river_leader":       "River's leader election of the running servers",
	"river_queue":        "River's queue state of the running servers",
	"river_client":       "River's registry of running servers",
	"river_client_queue": "River's registry of running servers",
	"river_migration":    "River's schema version; the target's River migrations write their own",
	"river_notification": "River's notification outbox on SQLite; PostgreSQL uses LISTEN/NOTIFY",
	"goose_db_version":   "Cairn's schema version; the target's migrations write their own",
	"sqlite_sequence":    "SQLite's id counters; the PostgreSQL sequences are set after the copy",
}

// skipReason says why migrate-db leaves a table out, or false when it copies it.
func skipReason(name string) (string, bool) {
	if why, ok := skippedTables[name]; ok {
		return why, true
	}
	if strings.HasPrefix(name, "river_") {
		return "River's own bookkeeping: the job queue's state belongs to the servers that run on it", true
	}
	if strings.HasPrefix(name, "sqlite_stat") {
		return "SQLite's query planner statistics; PostgreSQL gathers its own when the copy is analyzed", true
	}
	return "", false
}

// colKind is the kind of a column's values, as the copy converts them.
type colKind int

const (
	kindText colKind = iota
	kindInt
	kindReal
	kindBool
	kindTime
	kindBlob
	kindJSON
	kindOther // enums, arrays and the like: copied as text, left to PostgreSQL to parse
)

type column struct {
	name     string
	kind     colKind
	notNull  bool
	pk       int    // position in the primary key, 0 when not in it
	refTable string // the table a foreign key on this column references
}

type dbTable struct {
	name    string
	columns []column
}

func (t dbTable) pkColumns() []string {
	var pk []column
	for _, c := range t.columns {
		if c.pk > 0 {
			pk = append(pk, c)
		}
	}
	sort.Slice(pk, func(i, j int) bool { return pk[i].pk < pk[j].pk })
	out := make([]string, len(pk))
	for i, c := range pk {
		out[i] = c.name
	}
	return out
}

// orderBy returns the ORDER BY list that reads the table in a stable order.
func (t dbTable) orderBy() string {
	cols := t.pkColumns()
	if len(cols) == 0 {
		for _, c := range t.columns {
			cols = append(cols, c.name)
		}
	}
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqliteKind maps a declared SQLite column type to its kind, as SQLite's type affinity
// rules do, with BOOLEAN and TIMESTAMP as Cairn declares them.
func sqliteKind(decl string) colKind {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "BOOL"):
		return kindBool
	case strings.Contains(d, "INT"):
		return kindInt
	case strings.Contains(d, "TIMESTAMP") || strings.Contains(d, "DATETIME"):
		return kindTime
	case strings.Contains(d, "CHAR") || strings.Contains(d, "CLOB") || strings.Contains(d, "TEXT"):
		return kindText
	case strings.Contains(d, "BLOB") || d == "":
		return kindBlob
	case strings.Contains(d, "REAL") || strings.Contains(d, "FLOA") || strings.Contains(d, "DOUB"):
		return kindReal
	}
	return kindReal // NUMERIC affinity
}

// postgresKind maps a PostgreSQL data type to its kind.
func postgresKind(dataType string) colKind {
	switch dataType {
	case "boolean":
		return kindBool
	case "smallint", "integer", "bigint":
		return kindInt
	case "real", "double precision", "numeric":
		return kindReal
	case "timestamp with time zone", "timestamp without time zone":
		return kindTime
	case "bytea":
		return kindBlob
	case "json", "jsonb":
		return kindJSON
	case "text", "character varying", "character":
		return kindText
	}
	return kindOther
}

// listTables returns the tables of the database's current schema with their columns,
// sorted by name.
func listTables(ctx context.Context, db *sql.DB, dialect string) ([]dbTable, error) {
	var names []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if dialect == sqldb.DialectPostgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	if err := queryStrings(ctx, db, &names, q); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables := make([]dbTable, 0, len(names))
	for _, n := range names {
		t := dbTable{name: n}
		var err error
		if dialect == sqldb.DialectPostgres {
			err = postgresColumns(ctx, db, &t)
		} else {
			err = sqliteColumns(ctx, db, &t)
		}
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		tables = append(tables, t)
	}
	return tables, nil
}

func queryStrings(ctx context.Context, db *sql.DB, out *[]string, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		*out = append(*out, s)
	}
	return rows.Err()
}

func sqliteColumns(ctx context.Context, db *sql.DB, t *dbTable) error {
	rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, t.name)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c column
		var decl string
		if err := rows.Scan(&c.name, &decl, &c.notNull, &c.pk); err != nil {
			rows.Close()
			return err
		}
		c.kind = sqliteKind(decl)
		t.columns = append(t.columns, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	fks, err := db.QueryContext(ctx, `SELECT "table", "from" FROM pragma_foreign_key_list(?)`, t.name)
	if err != nil {
		return err
	}
	defer fks.Close()
	for fks.Next() {
		var ref, from string
		if err := fks.Scan(&ref, &from); err != nil {
			return err
		}
		for i := range t.columns {
			if t.columns[i].name == from {
				t.columns[i].refTable = ref
			}
		}
	}
	return fks.Err()
}

func postgresColumns(ctx context.Context, db *sql.DB, t *dbTable) error {
	rows, err := db.QueryContext(ctx, `SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, t.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c column
		var dt string
		if err := rows.Scan(&c.name, &dt, &c.notNull); err != nil {
			return err
		}
		c.kind = postgresKind(dt)
		t.columns = append(t.columns, c)
	}
	return rows.Err()
}

// copyPlan is the order the tables are copied in, and the foreign key columns that are
// written only once every table is in (they point into a cycle or at their own table).
type copyPlan struct {
	order    []dbTable
	deferred map[string][]string // table -> columns
}

// planCopy orders the tables so that each comes after the tables its foreign keys point
// at. A cycle is broken at a table whose pending foreign keys may all be NULL: those
// columns are filled in afterwards, as are columns that reference their own table.
func planCopy(tables []dbTable) (copyPlan, error) {
	p := copyPlan{deferred: map[string][]string{}}
	placed := map[string]bool{}
	known := map[string]bool{}
	for _, t := range tables {
		known[t.name] = true
	}
	pending := func(t dbTable) (all []column, nullable bool) {
		nullable = true
		for _, c := range t.columns {
			if c.refTable == "" || c.refTable == t.name || placed[c.refTable] || !known[c.refTable] {
				continue
			}
			all = append(all, c)
			nullable = nullable && !c.notNull
		}
		return all, nullable
	}
	place := func(t dbTable, deferAlso []column) {
		for _, c := range t.columns {
			if c.refTable == t.name {
				deferAlso = append(deferAlso, c)
			}
		}
		for _, c := range deferAlso {
			if c.notNull {
				continue // checked by the caller
			}
			p.deferred[t.name] = append(p.deferred[t.name], c.name)
		}
		placed[t.name] = true
		p.order = append(p.order, t)
	}
	for len(p.order) < len(tables) {
		progressed := false
		for _, t := range tables {
			if placed[t.name] {
				continue
			}
			if cols, _ := pending(t); len(cols) == 0 {
				place(t, nil)
				progressed = true
			}
		}
		if progressed {
			continue
		}
		// Break the cycle at the table the most waiting tables point at, among those
		// whose pending foreign keys may be NULL for a while.
		best, bestRefs := -1, -1
		for i, t := range tables {
			if placed[t.name] {
				continue
			}
			if _, nullable := pending(t); !nullable {
				continue
			}
			refs := 0
			for _, o := range tables {
				if placed[o.name] || o.name == t.name {
					continue
				}
				for _, c := range o.columns {
					if c.refTable == t.name {
						refs++
					}
				}
			}
			if refs > bestRefs {
				best, bestRefs = i, refs
			}
		}
		if best >= 0 {
			cols, _ := pending(tables[best])
			place(tables[best], cols)
		} else {
			var stuck []string
			for _, t := range tables {
				if !placed[t.name] {
					stuck = append(stuck, t.name)
				}
			}
			return p, fmt.Errorf("the foreign keys of %s form a cycle of NOT NULL columns; they cannot be copied one table at a time", strings.Join(stuck, ", "))
		}
	}
	for _, t := range p.order {
		for _, c := range t.columns {
			if c.refTable == t.name && c.notNull {
				return p, fmt.Errorf("%s.%s references its own table and may not be NULL; it cannot be copied row by row", t.name, c.name)
			}
		}
		if len(p.deferred[t.name]) > 0 && len(t.pkColumns()) == 0 {
			return p, fmt.Errorf("%s has foreign keys written after the copy but no primary key to find its rows by", t.name)
		}
	}
	return p, nil
}

// migrateDBOptions are the flags of migrate-db.
type migrateDBOptions struct {
	from, to string
	force    bool
	batch    int
}

// migrateDBResult is what a copy did: rows per copied table, and the skipped tables.
type migrateDBResult struct {
	copied  map[string]int
	skipped map[string]string
}

func runMigrateDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o migrateDBOptions
	fs := newFlagSet("migrate-db", "cairn migrate-db --from cairn.db --to postgres://… [--force]", migrateDBHelp, stderr)
	fs.StringVar(&o.from, "from", "", "the SQLite database `file` to copy (required)")
	fs.StringVar(&o.to, "to", "", "the PostgreSQL `URL` to copy into (required)")
	fs.BoolVar(&o.force, "force", false, "empty the target's Cairn tables first when they hold rows")
	fs.IntVar(&o.batch, "batch", 5000, "rows per COPY batch")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case o.from == "" || o.to == "":
		fmt.Fprintln(stderr, "--from and --to are both required")
		fs.Usage()
		return errUsage
	case isPostgres(o.from):
		fmt.Fprintln(stderr, "--from must be a SQLite file; to move between PostgreSQL servers use pg_dump and pg_restore")
		return errUsage
	case !isPostgres(o.to):
		fmt.Fprintln(stderr, "--to must be a postgres:// URL; to copy a SQLite database use cairn backup")
		return errUsage
	case o.batch < 1:
		fmt.Fprintln(stderr, "--batch must be at least 1")
		return errUsage
	}
	_, err := migrateDB(ctx, o, stdout)
	return err
}

// migrateDB copies the SQLite database o.from into the PostgreSQL database o.to.
func migrateDB(ctx context.Context, o migrateDBOptions, progress io.Writer) (*migrateDBResult, error) {
	start := time.Now()
	// Bring both schemas to this version of Cairn: the source, so its tables match; the
	// target, Cairn's and River's, so it is ready to serve.
	src, err := openExisting(ctx, o.from)
	if err != nil {
		return nil, err
	}
	src.Close()
	dst, err := sqldb.Open(ctx, o.to, sqldb.Options{})
	if err != nil {
		return nil, fmt.Errorf("open the target: %w", err)
	}
	if err := jobs.Migrate(ctx, dst.SQL(), dst.Dialect()); err != nil {
		dst.Close()
		return nil, fmt.Errorf("migrate the target's job queue: %w", err)
	}
	dstTables, err := listTables(ctx, dst.SQL(), sqldb.DialectPostgres)
	dst.Close()
	if err != nil {
		return nil, fmt.Errorf("the target: %w", err)
	}

	path, _, _ := strings.Cut(o.from, "?")
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	q.Set("_time_format", "sqlite")
	q.Set("_timezone", "UTC")
	sdb, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)
	srcTables, err := listTables(ctx, sdb, sqldb.DialectSQLite)
	if err != nil {
		return nil, fmt.Errorf("the source: %w", err)
	}
	res := &migrateDBResult{copied: map[string]int{}, skipped: map[string]string{}}
	targetCols := map[string]map[string]colKind{}
	for _, t := range dstTables {
		m := map[string]colKind{}
		for _, c := range t.columns {
			m[c.name] = c.kind
		}
		targetCols[t.name] = m
	}
	var copying []dbTable
	for _, t := range srcTables {
		if why, ok := skipReason(t.name); ok {
			res.skipped[t.name] = why
			continue
		}
		cols, ok := targetCols[t.name]
		if !ok {
			return nil, fmt.Errorf("the source table %s has no counterpart in PostgreSQL; the schemas differ", t.name)
		}
		for i, c := range t.columns {
			k, ok := cols[c.name]
			if !ok {
				return nil, fmt.Errorf("the source column %s.%s has no counterpart in PostgreSQL; the schemas differ", t.name, c.name)
			}
			t.columns[i].kind = k // convert to what the target holds
		}
		copying = append(copying, t)
	}
	plan, err := planCopy(copying)
	if err != nil {
		return nil, err
	}

	pg, err := pgx.Connect(ctx, o.to)
	if err != nil {
		return nil, fmt.Errorf("connect to the target: %w", err)
	}
	defer pg.Close(context.WithoutCancel(ctx))
	tx, err := pg.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it does nothing
	var full []string
	for _, t := range plan.order {
		var hasRows bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(t.name)+`)`).Scan(&hasRows); err != nil {
			return nil, fmt.Errorf("check the target's %s: %w", t.name, err)
		}
		if hasRows {
			full = append(full, t.name)
		}
	}
	if len(full) > 0 {
		if !o.force {
			return nil, fmt.Errorf("the target already holds data (in %s); refusing to copy over it. Use an empty database, or --force to empty these tables first", strings.Join(full, ", "))
		}
		names := make([]string, len(plan.order))
		for i, t := range plan.order {
			names[i] = quoteIdent(t.name)
		}
		if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(names, ", ")+` CASCADE`); err != nil {
			return nil, fmt.Errorf("empty the target: %w", err)
		}
		fmt.Fprintf(progress, "Emptied the target's %d tables that held data (--force).\n", len(full))
	}

	// One read transaction on SQLite: every table from the same snapshot.
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		return nil, fmt.Errorf("start reading the source: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`) //nolint:errcheck // read-only
	fmt.Fprintf(progress, "Copying %d tables from %s to PostgreSQL (%d skipped)…\n", len(plan.order), path, len(res.skipped))
	for _, t := range plan.order {
		n, err := copyTable(ctx, conn, tx, t, plan.deferred[t.name], o.batch, progress)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		res.copied[t.name] = n
	}
	for _, t := range plan.order {
		if cols := plan.deferred[t.name]; len(cols) > 0 {
			if err := fillDeferred(ctx, conn, tx, t, cols); err != nil {
				return nil, fmt.Errorf("copy %s: %w", t.name, err)
			}
		}
	}
	if err := resetSequences(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	// Give the planner the copied tables' statistics before the servers start on them.
	adb, err := sqldb.Open(ctx, o.to, sqldb.Options{})
	if err != nil {
		return nil, fmt.Errorf("analyze the copy: %w", err)
	}
	err = adb.Analyze(ctx)
	adb.Close()
	if err != nil {
		return nil, fmt.Errorf("analyze the copy: %w", err)
	}
	total := 0
	for _, n := range res.copied {
		total += n
	}
	fmt.Fprintf(progress, "Copied %d rows in %d tables in %s.\n", total, len(res.copied), time.Since(start).Round(time.Millisecond))
	return res, nil
}

// copyTable streams one table's rows into PostgreSQL with COPY, batch rows at a time,
// with the deferred columns left NULL.
func copyTable(ctx context.Context, src *sql.Conn, tx pgx.Tx, t dbTable, deferred []string, batch int, progress io.Writer) (int, error) {
	names := make([]string, len(t.columns))
	quoted := make([]string, len(t.columns))
	isDeferred := make([]bool, len(t.columns))
	for i, c := range t.columns {
		names[i], quoted[i] = c.name, quoteIdent(c.name)
		for _, d := range deferred {
			isDeferred[i] = isDeferred[i] || d == c.name
		}
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quoteIdent(t.name)+` ORDER BY `+t.orderBy())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	buf := make([][]any, 0, batch)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, names, pgx.CopyFromRows(buf)); err != nil {
			return err
		}
		n += len(buf)
		buf = buf[:0]
		if n >= batch {
			fmt.Fprintf(progress, "  %s: %d rows…\n", t.name, n)
		}
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(t.columns))
		ptrs := make([]any, len(t.columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range t.columns {
			if isDeferred[i] {
				vals[i] = nil
				continue
			}
			v, err := convert(vals[i], c.kind)
			if err != nil {
				return n, fmt.Errorf("row %d, column %s: %w", n+len(buf)+1, c.name, err)
			}
			vals[i] = v
		}
		buf = append(buf, vals)
		if len(buf) == batch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	fmt.Fprintf(progress, "  %s: %d rows\n", t.name, n)
	return n, nil
}

// fillDeferred writes the deferred foreign key columns of every row that has them.
func fillDeferred(ctx context.Context, src *sql.Conn, tx pgx.Tx, t dbTable, cols []string) error {
	pk := t.pkColumns()
	all := append(append([]string(nil), pk...), cols...)
	quoted := make([]string, len(all))
	for i, c := range all {
		quoted[i] = quoteIdent(c)
	}
	var where []string
	for _, c := range cols {
		where = append(where, quoteIdent(c)+` IS NOT NULL`)
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quoteIdent(t.name)+` WHERE `+strings.Join(where, " OR "))
	if err != nil {
		return err
	}
	defer rows.Close()
	var set, match []string
	for i, c := range cols {
		set = append(set, fmt.Sprintf("%s = $%d", quoteIdent(c), i+1))
	}
	for i, c := range pk {
		match = append(match, fmt.Sprintf("%s = $%d", quoteIdent(c), len(cols)+i+1))
	}
	update := `UPDATE ` + quoteIdent(t.name) + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + strings.Join(match, " AND ")
	b := &pgx.Batch{}
	for rows.Next() {
		vals := make([]any, len(all))
		ptrs := make([]any, len(all))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		args := append(append([]any(nil), vals[len(pk):]...), vals[:len(pk)]...)
		b.Queue(update, args...)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// convert turns a value read from SQLite into what a PostgreSQL column of kind takes.
func convert(v any, kind colKind) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch kind {
	case kindBool:
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(x) {
			case "1", "true", "t":
				return true, nil
			case "0", "false", "f":
				return false, nil
			}
		}
		return nil, fmt.Errorf("%T %v is not a boolean", v, v)
	case kindInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == float64(int64(x)) {
				return int64(x), nil
			}
		}
		return nil, fmt.Errorf("%T %v is not an integer", v, v)
	case kindReal:
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		}
		return nil, fmt.Errorf("%T %v is not a number", v, v)
	case kindTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02"} {
				if t, err := time.Parse(layout, x); err == nil {
					return t.UTC(), nil
				}
			}
		}
		return nil, fmt.Errorf("%T %q is not a time", v, v)
	case kindBlob:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
		return nil, fmt.Errorf("%T is not bytes", v)
	default:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case int64, float64:
			return fmt.Sprint(x), nil
		case time.Time:
			return x.UTC().Format("2006-01-02 15:04:05.999999999-07:00"), nil
		}
		return nil, fmt.Errorf("%T is not text", v)
	}
}

// resetSequences moves every sequence owned by a column past the column's largest value.
func resetSequences(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name)
		FROM information_schema.columns c
		WHERE c.table_schema = current_schema() AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("find the sequences: %w", err)
	}
	type seq struct{ table, column, name string }
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.table, &s.column, &s.name); err != nil {
			rows.Close()
			return err
		}
		if _, skip := skipReason(s.table); !skip {
			seqs = append(seqs, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range seqs {
		q := fmt.Sprintf(`SELECT setval($1, COALESCE(MAX(%s), 0) + 1, false) FROM %s`, quoteIdent(s.column), quoteIdent(s.table))
		if _, err := tx.Exec(ctx, q, s.name); err != nil {
			return fmt.Errorf("set the sequence of %s.%s: %w", s.table, s.column, err)
		}
	}
	return nil
}
