package sqldb_test

import (
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/sqldb"
)

// schema is a database's tables as the parity test compares them.
type schema struct {
	columns map[string]string // "table.column" -> "type null|not null"
	indexes map[string]string // index or constraint key -> definition
	fkeys   map[string]string // "table.column" -> "table(column) on delete …"
}

// normType maps each dialect's column types onto one vocabulary.
var normType = map[string]string{
	"INTEGER": "int", "BIGINT": "int", "bigint": "int", "integer": "int",
	"TEXT": "text", "text": "text",
	"REAL": "float", "double precision": "float",
	"TIMESTAMP": "time", "timestamp with time zone": "time",
	"BOOLEAN": "bool", "boolean": "bool",
}

func typeOf(t string) string {
	if n, ok := normType[t]; ok {
		return n
	}
	return "unknown:" + t
}

// migrationTable is goose's own bookkeeping, which differs by dialect by design.
const migrationTable = "goose_db_version"

func sqliteSchema(t *testing.T, db *sql.DB) schema {
	t.Helper()
	s := schema{columns: map[string]string{}, indexes: map[string]string{}, fkeys: map[string]string{}}
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?`, migrationTable)
	for _, table := range tables {
		rows, err := db.Query(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, table)
		must(t, err)
		for rows.Next() {
			var name, typ string
			var notNull, pk int
			must(t, rows.Scan(&name, &typ, &notNull, &pk))
			// PostgreSQL makes primary key columns NOT NULL; SQLite only says so for
			// INTEGER PRIMARY KEY implicitly.
			s.columns[table+"."+name] = column(typeOf(typ), notNull == 1 || pk > 0)
		}
		must(t, rows.Err())
		rows.Close()

		rows, err = db.Query(`SELECT name, "unique", origin FROM pragma_index_list(?)`, table)
		must(t, err)
		type index struct {
			name, origin string
			unique       bool
		}
		var idx []index
		for rows.Next() {
			var x index
			must(t, rows.Scan(&x.name, &x.unique, &x.origin))
			idx = append(idx, x)
		}
		must(t, rows.Err())
		rows.Close()
		for _, x := range idx {
			cols := strings.Join(queryStrings(t, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, x.name), ",")
			addIndex(s, table, x.name, cols, x.origin, x.unique)
		}
		// An INTEGER PRIMARY KEY is the rowid and has no index of its own.
		pk := queryStrings(t, db, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, table)
		if _, ok := s.indexes["pk "+table]; !ok && len(pk) > 0 {
			addIndex(s, table, "", strings.Join(pk, ","), "pk", true)
		}

		rows, err = db.Query(`SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?)`, table)
		must(t, err)
		for rows.Next() {
			var from, ref, to, onDelete string
			must(t, rows.Scan(&from, &ref, &to, &onDelete))
			s.fkeys[table+"."+from] = fmt.Sprintf("%s(%s) on delete %s", ref, to, strings.ToLower(onDelete))
		}
		must(t, rows.Err())
		rows.Close()
	}
	return s
}

func postgresSchema(t *testing.T, db *sql.DB) schema {
	t.Helper()
	s := schema{columns: map[string]string{}, indexes: map[string]string{}, fkeys: map[string]string{}}
	rows, err := db.Query(`SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> $1`, migrationTable)
	must(t, err)
	for rows.Next() {
		var table, name, typ, nullable string
		must(t, rows.Scan(&table, &name, &typ, &nullable))
		s.columns[table+"."+name] = column(typeOf(typ), nullable == "NO")
	}
	must(t, rows.Err())
	rows.Close()

	rows, err = db.Query(`SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary,
			EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype = 'u'),
			(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE ns.nspname = current_schema() AND t.relname <> $1`, migrationTable)
	must(t, err)
	for rows.Next() {
		var table, name, cols string
		var unique, primary, constraint bool
		must(t, rows.Scan(&table, &name, &unique, &primary, &constraint, &cols))
		origin := "c"
		switch {
		case primary:
			origin = "pk"
		case constraint:
			origin = "u"
		}
		addIndex(s, table, name, cols, origin, unique)
	}
	must(t, rows.Err())
	rows.Close()

	rows, err = db.Query(`SELECT t.relname, a.attname, rt.relname, ra.attname, c.confdeltype
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_class rt ON rt.oid = c.confrelid
		JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
		WHERE c.contype = 'f' AND ns.nspname = current_schema()`)
	must(t, err)
	actions := map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
	for rows.Next() {
		var table, col, ref, to, del string
		must(t, rows.Scan(&table, &col, &ref, &to, &del))
		s.fkeys[table+"."+col] = fmt.Sprintf("%s(%s) on delete %s", ref, to, actions[del])
	}
	must(t, rows.Err())
	rows.Close()
	return s
}

func column(typ string, notNull bool) string {
	if notNull {
		return typ + " not null"
	}
	return typ + " null"
}

// addIndex records an index: named ones by name, those behind UNIQUE and PRIMARY KEY
// constraints (named differently by each database) by their columns.
func addIndex(s schema, table, name, cols, origin string, unique bool) {
	switch origin {
	case "pk":
		s.indexes["pk "+table] = cols
	case "u":
		s.indexes["unique "+table+"("+cols+")"] = "constraint"
	default:
		s.indexes[name] = fmt.Sprintf("on %s(%s) unique=%v", table, cols, unique)
	}
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		out = append(out, s)
	}
	must(t, rows.Err())
	return out
}

// diffSchemas lists every difference between a and b.
func diffSchemas(a, b schema) []string {
	var diffs []string
	for _, part := range []struct {
		name string
		a, b map[string]string
	}{{"column", a.columns, b.columns}, {"index", a.indexes, b.indexes}, {"foreign key", a.fkeys, b.fkeys}} {
		keys := slices.Sorted(maps.Keys(part.a))
		for k := range part.b {
			if _, ok := part.a[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			va, oka := part.a[k]
			vb, okb := part.b[k]
			switch {
			case !okb:
				diffs = append(diffs, fmt.Sprintf("%s %s: only in sqlite (%s)", part.name, k, va))
			case !oka:
				diffs = append(diffs, fmt.Sprintf("%s %s: only in postgres (%s)", part.name, k, vb))
			case va != vb:
				diffs = append(diffs, fmt.Sprintf("%s %s: sqlite %s, postgres %s", part.name, k, va, vb))
			}
		}
	}
	return diffs
}

func TestSchemaParity(t *testing.T) {
	t.Parallel()
	lite := sqliteSchema(t, MustOpenDB(t, sqldb.DialectSQLite, sqldb.Options{}).SQL())
	if len(lite.columns) == 0 || len(lite.indexes) == 0 || len(lite.fkeys) == 0 {
		t.Fatalf("the SQLite schema reads as empty: %+v", lite)
	}
	for k, v := range lite.columns {
		if strings.HasPrefix(v, "unknown:") {
			t.Errorf("column %s has an unmapped type %s", k, v)
		}
	}

	t.Run("DetectsDrift", func(t *testing.T) {
		for name, mutate := range map[string]func(s schema){
			"MissingColumn": func(s schema) { delete(s.columns, "users.email") },
			"Type":          func(s schema) { s.columns["orgs.at_risk_gap"] = "text not null" },
			"Nullability":   func(s schema) { s.columns["objectives.score"] = "float not null" },
			"IndexName": func(s schema) {
				s.indexes["check_ins_item_idx2"] = s.indexes["check_ins_item_idx"]
				delete(s.indexes, "check_ins_item_idx")
			},
			"ForeignKey": func(s schema) { s.fkeys["key_results.objective_id"] = "objectives(id) on delete no action" },
		} {
			t.Run(name, func(t *testing.T) {
				drifted := schema{columns: maps.Clone(lite.columns), indexes: maps.Clone(lite.indexes), fkeys: maps.Clone(lite.fkeys)}
				mutate(drifted)
				if d := diffSchemas(lite, drifted); len(d) == 0 {
					t.Fatal("the comparison missed a drift")
				}
			})
		}
	})

	t.Run("SQLiteMatchesPostgres", func(t *testing.T) {
		pg := postgresSchema(t, MustOpenDB(t, sqldb.DialectPostgres, sqldb.Options{}).SQL())
		for _, d := range diffSchemas(lite, pg) {
			t.Error(d)
		}
	})
}
