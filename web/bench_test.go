package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

// The size of the benchmark period: 2,000 objectives, 6,000 key results, 60,000 check-ins.
const (
	benchObjectives = 2000
	benchKRsPerObj  = 3
	benchCheckIns   = 10 // per key result
)

type benchEnv struct {
	srv       http.Handler
	token     string
	periodID  int64
	objective int64
}

// benchDSN returns a fresh database for the dialect: a temp SQLite file, or a new schema in
// the PostgreSQL database of CAIRN_TEST_POSTGRES_URL.
func benchDSN(b *testing.B, dialect string) string {
	if dialect == "sqlite" {
		return filepath.Join(b.TempDir(), "bench.db")
	}
	base := os.Getenv("CAIRN_TEST_POSTGRES_URL")
	if base == "" {
		b.Skip("CAIRN_TEST_POSTGRES_URL is not set")
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	schema := "bench_" + hex.EncodeToString(r[:])
	admin, err := sqldb.Open(context.Background(), base, sqldb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := admin.SQL().Exec("CREATE SCHEMA " + schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_, _ = admin.SQL().Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func seedBenchEnv(b *testing.B, dialect string) *benchEnv {
	b.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, benchDSN(b, dialect), sqldb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
	svc := cairn.NewService(db, cairn.ServiceOptions{Now: func() time.Time { return now }})
	srv, err := web.New(web.Config{Service: svc, Store: db, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: cheapHasher(b)})
	if err != nil {
		b.Fatal(err)
	}
	admin := &cairn.User{Email: "admin@example.com", Name: "Admin", TenantAdmin: true}
	if err := db.CreateTenant(ctx, &cairn.Tenant{Name: "Bench"}, admin); err != nil {
		b.Fatal(err)
	}
	_, tok, err := web.CreateAPIToken(ctx, db, admin.ID, "bench", now)
	if err != nil {
		b.Fatal(err)
	}
	actx := cairn.NewContext(ctx, admin)
	org := &cairn.Org{Name: "Bench", Slug: "bench"}
	if err := svc.CreateOrg(actx, org); err != nil {
		b.Fatal(err)
	}
	p := &cairn.Period{Name: "Q3", Start: cairn.Date{Year: 2026, Month: 7, Day: 1}, End: cairn.Date{Year: 2026, Month: 9, Day: 30}}
	if err := svc.CreatePeriod(actx, "bench", p); err != nil {
		b.Fatal(err)
	}
	env := &benchEnv{srv: srv, token: tok, periodID: p.ID}
	var checkIns []*cairn.CheckIn
	// Objectives come in groups of ten: one top objective with nine aligned to it.
	var parent *cairn.Ref
	for i := 0; i < benchObjectives; i++ {
		if i%10 == 0 {
			parent = nil
		}
		o := &cairn.Objective{OrgID: org.ID, PeriodID: p.ID, Title: fmt.Sprint("Objective ", i), Level: cairn.LevelOrganization, OwnerIDs: []int64{admin.ID}, EditorIDs: []int64{}, Weight: 1, Parent: parent, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateObjective(ctx, o); err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			env.objective = o.ID
			parent = &cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}
		}
		for k := 0; k < benchKRsPerObj; k++ {
			kr := &cairn.KeyResult{OrgID: org.ID, ObjectiveID: o.ID, Title: "KR", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 100}, ProgressSource: cairn.SourceManual, OwnerIDs: []int64{}, Weight: 1, CreatedAt: now, UpdatedAt: now}
			if err := db.CreateKeyResult(ctx, kr); err != nil {
				b.Fatal(err)
			}
			for c := 0; c < benchCheckIns; c++ {
				checkIns = append(checkIns, &cairn.CheckIn{OrgID: org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: kr.ID}, Value: float64(c * 5), Source: cairn.CheckInManual, CreatedAt: now.Add(time.Duration(c-benchCheckIns) * 24 * time.Hour)})
			}
		}
	}
	if err := db.ImportCheckIns(ctx, checkIns); err != nil {
		b.Fatal(err)
	}
	// Fresh statistics, as an import (or autovacuum on a live database) leaves them.
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	return env
}

// BenchmarkAPI measures the objective tree, the period's OKR list, the filtered items, the
// dashboard and the period's export over a period of 2,000 objectives, 6,000 key results and
// 60,000 check-ins, and reports p50/p99 latency.
func BenchmarkAPI(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			env := seedBenchEnv(b, dialect)
			for _, c := range []struct{ name, path string }{
				{"Tree", fmt.Sprintf("/api/v1/orgs/bench/objectives/%d/tree", env.objective)},
				{"PeriodList", fmt.Sprintf("/api/v1/orgs/bench/objectives?period_id=%d", env.periodID)},
				{"Items", fmt.Sprintf("/api/v1/orgs/bench/items?period_id=%d&type=key_result", env.periodID)},
				{"Dashboard", "/api/v1/orgs/bench/dashboard"},
				{"ExportCSV", fmt.Sprintf("/api/v1/orgs/bench/export?format=csv&period_id=%d", env.periodID)},
				{"ExportXLSX", fmt.Sprintf("/api/v1/orgs/bench/export?format=xlsx&period_id=%d", env.periodID)},
			} {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					var lat []time.Duration
					for b.Loop() {
						req := httptest.NewRequest("GET", c.path, nil)
						req.Header.Set("Authorization", "Bearer "+env.token)
						rec := httptest.NewRecorder()
						start := time.Now()
						env.srv.ServeHTTP(rec, req)
						lat = append(lat, time.Since(start))
						if rec.Code != 200 {
							b.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}
