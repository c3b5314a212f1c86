package jobs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

const (
	// spSecret is the service principal's client secret the stand-in authority accepts.
	spSecret = "jobs-sp-client-secret-41c9"
	// spAccessToken is the token it issues for it, which the emulator accepts.
	spAccessToken = "jobs-sp-access-token-77ab"
)

// entraStandIn issues spAccessToken for client credentials with spSecret, as Microsoft
// Entra does for a service principal.
func entraStandIn(emu *azdoemu.Server) http.Handler {
	emu.AddBearerToken(spAccessToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_secret") != spSecret {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, spAccessToken)
	})
}

// hostOf returns the host:port of a base URL.
func hostOf(u string) string {
	return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
}

// riverJob is a row of river_job, its JSON columns as text (SQLite stores them as JSONB).
type riverJob struct {
	kind, args, errors, metadata string
}

func riverJobs(tb testing.TB, db *sqldb.DB) []riverJob {
	tb.Helper()
	q := `SELECT kind, json(args), COALESCE(json(errors), ''), json(metadata) FROM river_job ORDER BY id`
	if db.Dialect() == sqldb.DialectPostgres {
		q = `SELECT kind, args::text, COALESCE(array_to_string(errors, ','), ''), metadata::text FROM river_job ORDER BY id`
	}
	rows, err := db.SQL().Query(q)
	must(tb, err)
	defer rows.Close()
	var out []riverJob
	for rows.Next() {
		var j riverJob
		must(tb, rows.Scan(&j.kind, &j.args, &j.errors, &j.metadata))
		out = append(out, j)
	}
	must(tb, rows.Err())
	return out
}

// TestRiverJobsNeverHoldTheCredential runs every kind of sync through River (on binding,
// on request, from a service hook, and one that fails on an expired token) for a PAT and
// a service principal connection, then reads River's own table: the jobs hold the
// connection's id and the trigger, and none of the credentials.
func TestRiverJobsNeverHoldTheCredential(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, dialect string) {
		b := setup(t, dialect, time.Hour)
		_, d := b.bind(t)
		sp, err := b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{Name: "service principal", OrganizationURL: b.emuURL + "/fabrikam",
			Project: "Fabrikam Fiber", Visibility: cairn.VisibilityShared,
			Auth: datasource.AuthInput{Type: cairn.AuthClientCredentials, TenantID: "tenant-1", ClientID: "app-1", ClientSecret: spSecret}})
		must(t, err)
		kr := &cairn.KeyResult{ObjectiveID: b.kr.ObjectiveID, Title: "Epics done", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 5}}
		must(t, b.svc.CreateKeyResult(b.actx, b.org.Slug, kr))
		spd, err := b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: kr.ID},
			ConnectionID: sp.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
		must(t, err)
		for _, id := range []int64{d.ID, spd.ID} {
			waitFor(t, "the first syncs", 10*time.Second, func() bool { return b.dataSource(t, id).Value != nil })
		}
		waitIdle := func() {
			t.Helper()
			waitFor(t, "the sync jobs to finish", 15*time.Second, func() bool {
				var n int
				must(t, b.db.SQL().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'sync_connection' AND state <> 'completed'`).Scan(&n))
				return n == 0
			})
		}
		waitIdle()
		// On request, for both connections.
		for _, id := range []int64{d.ID, spd.ID} {
			_, err := b.ds.SyncNow(b.actx, b.org.Slug, id, false)
			must(t, err)
		}
		waitIdle()
		// From a service hook.
		before := len(riverJobs(t, b.db))
		must(t, b.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", openStoryUnder(t, b.emu, 1), map[string]any{"System.State": "Closed"}))
		waitFor(t, "a job queued by the service hook", 10*time.Second, func() bool { return len(riverJobs(t, b.db)) > before })
		waitIdle()
		// One that fails: Azure DevOps no longer takes the PAT.
		must(t, b.emu.SetPATExpired(pat, true))
		_, err = b.ds.SyncNow(b.actx, b.org.Slug, d.ID, false)
		must(t, err)
		waitFor(t, "the failed sync", 10*time.Second, func() bool { return b.dataSource(t, d.ID).Error != nil })
		waitIdle()

		triggers := map[string]bool{}
		for _, j := range riverJobs(t, b.db) {
			for _, secret := range []string{pat, spSecret, spAccessToken} {
				if strings.Contains(j.args+j.errors+j.metadata, secret) {
					t.Errorf("a %s job holds the credential %q: args %s, errors %s, metadata %s", j.kind, secret, j.args, j.errors, j.metadata)
				}
			}
			if j.kind != "sync_connection" {
				continue
			}
			var args map[string]any
			must(t, json.Unmarshal([]byte(j.args), &args))
			for k := range args {
				switch k {
				case "connection_id", "trigger", "follow_up", "not_before":
				default:
					t.Errorf("sync job args %s carry %q, beyond the connection and the trigger", j.args, k)
				}
			}
			tr, _ := args["trigger"].(string)
			triggers[tr] = true
		}
		for _, tr := range []string{cairn.TriggerCreate, cairn.TriggerManual, cairn.TriggerHook} {
			if !triggers[tr] {
				t.Errorf("no sync job triggered by %q among %v: the test did not run every kind of sync", tr, triggers)
			}
		}
	})
}
