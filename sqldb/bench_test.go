package sqldb_test

import (
	"database/sql"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/sqldb"
)

// The size of the benchmark period.
const (
	benchUsers          = 50
	benchObjectives     = 2000
	benchKRsPerObj      = 3
	benchCheckInsPerKR  = 10
	benchInitiativesPer = 1 // per objective, alternating between objective and key result parents
)

// benchDB is a seeded database for benchmarks.
type benchDB struct {
	db       *sqldb.DB
	queries  *atomic.Int64
	orgID    int64
	periodID int64
}

// BenchmarkPeriodGraph loads a period of 2,000 objectives, 6,000 key results and 2,000
// initiatives, in a database that also holds 60,000 check-ins.
func BenchmarkPeriodGraph(b *testing.B) {
	for _, d := range dialects {
		if d == sqldb.DialectPostgres && os.Getenv(postgresEnv) == "" {
			if os.Getenv("CI") == "true" {
				b.Fatalf("%s is not set; CI must benchmark PostgreSQL too", postgresEnv)
			}
			b.Run(d, func(b *testing.B) { b.Skipf("%s is not set", postgresEnv) })
			continue
		}
		// Seeded once per run, outside the timed sub-benchmark, which runs several times.
		bd := seedBench(b, d)
		b.Run(d, func(b *testing.B) {
			b.ReportAllocs()
			start := bd.queries.Load()
			for b.Loop() {
				g, err := bd.db.PeriodGraph(ctx, bd.orgID, bd.periodID)
				if err != nil {
					b.Fatal(err)
				}
				if len(g.Objectives) != benchObjectives {
					b.Fatalf("graph has %d objectives", len(g.Objectives))
				}
			}
			b.ReportMetric(float64(bd.queries.Load()-start)/float64(b.N), "queries/op")
		})
	}
}

// seedBench opens a fresh database and fills it in one transaction with multi-row inserts.
func seedBench(b *testing.B, dialect string) *benchDB {
	b.Helper()
	bd := &benchDB{queries: &atomic.Int64{}, orgID: 1, periodID: 1}
	bd.db = MustOpenDB(b, dialect, sqldb.Options{OnQuery: func(string) { bd.queries.Add(1) }})
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

	tx, err := bd.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	ins := func(table string, cols string, rows [][]any) {
		b.Helper()
		if err := insertRows(tx, dialect, table, cols, rows); err != nil {
			b.Fatalf("seed %s: %v", table, err)
		}
	}
	var rows [][]any
	for u := int64(1); u <= benchUsers; u++ {
		rows = append(rows, []any{u, "user" + itoa(u) + "@example.com", "User " + itoa(u), now})
	}
	ins("users", "id, email, name, created_at", rows)
	ins("orgs", "id, name, slug, at_risk_gap, created_at", [][]any{{int64(1), "Bench", "bench", 0.25, now}})
	ins("periods", "id, org_id, name, start_date, end_date", [][]any{{int64(1), int64(1), "Q2", "2026-04-01", "2026-06-30"}})

	var objs, aligns, people, krs, krOwners, inits, initOwners, checkIns [][]any
	kr, init, ci := int64(0), int64(0), int64(0)
	for o := int64(1); o <= benchObjectives; o++ {
		if o > 10 {
			// Align to one of the first ten objectives.
			aligns = append(aligns, []any{int64(1), o, (o-1)%10 + 1, 1.0, int64(0)})
		}
		objs = append(objs, []any{o, int64(1), int64(1), "Objective " + itoa(o), "organization", 1.0, now, now})
		people = append(people, []any{o, o%benchUsers + 1, "owner"}, []any{o, (o+1)%benchUsers + 1, "editor"})
		var firstKR int64
		for range benchKRsPerObj {
			kr++
			if firstKR == 0 {
				firstKR = kr
			}
			krs = append(krs, []any{kr, int64(1), o, "Key result " + itoa(kr), "number", 0.0, 100.0, 42.0, "manual", 1.0, now, now, now})
			krOwners = append(krOwners, []any{kr, kr%benchUsers + 1})
			for range benchCheckInsPerKR {
				ci++
				checkIns = append(checkIns, []any{ci, int64(1), "key_result", kr, float64(ci % 100), "manual", now.Add(time.Duration(ci) * time.Second)})
			}
		}
		for range benchInitiativesPer {
			init++
			var pk, po any = firstKR, nil
			if init%2 == 0 {
				pk, po = nil, o
			}
			inits = append(inits, []any{init, int64(1), pk, po, "Initiative " + itoa(init), true, "manual", 0.5, 1.0, now, now})
			initOwners = append(initOwners, []any{init, init%benchUsers + 1})
		}
	}
	ins("objectives", "id, org_id, period_id, title, level, weight, created_at, updated_at", objs)
	ins("alignments", "org_id, child_objective_id, parent_objective_id, weight, position", aligns)
	ins("objective_people", "objective_id, user_id, role", people)
	ins("key_results", "id, org_id, objective_id, title, metric_kind, start_value, target_value, current_value, progress_source, weight, last_check_in_at, created_at, updated_at", krs)
	ins("key_result_owners", "key_result_id, user_id", krOwners)
	ins("initiatives", "id, org_id, parent_key_result_id, parent_objective_id, title, contributes, progress_mode, current_value, weight, created_at, updated_at", inits)
	ins("initiative_owners", "initiative_id, user_id", initOwners)
	ins("check_ins", "id, org_id, item_type, item_id, value, source, created_at", checkIns)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if dialect == sqldb.DialectPostgres {
		// Fresh statistics, as autovacuum would gather them on a live database.
		if _, err := bd.db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	} else if _, err := bd.db.SQL().ExecContext(ctx, `PRAGMA optimize`); err != nil {
		b.Fatal(err)
	}
	return bd
}

// insertRows inserts rows with multi-row INSERT statements that stay below both
// databases' limits on parameters.
func insertRows(tx *sql.Tx, dialect, table, cols string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	per := 30000 / width
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		args := make([]any, 0, n*width)
		for i, r := range rows[:n] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, rebind(dialect, sb.String()), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}
