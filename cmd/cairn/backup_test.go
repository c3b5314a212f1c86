package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/sqldb"
)

// TestBackupWhileTheServerWrites takes backups of a SQLite database while a running
// server stores check-ins as fast as it can: each backup opens as a migrated Cairn
// database that passes SQLite's integrity and foreign key checks, holds at least the
// check-ins stored before it started and at most those stored when it ended, and shows
// the key result's current value equal to its newest check-in, as each write left them.
func TestBackupWhileTheServerWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cairn.db")
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	t.Setenv("CAIRN_SECRET_KEY_FILE", "")
	var cfg serveConfig
	d, err := startDemo(&cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	srv := startServer(t, path, testKey(t, "k1"), d)
	defer srv.stop()
	s := signIn(t, srv.base, "admin@example.com")

	ro, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var kr int64
	if err := ro.QueryRow(`SELECT min(id) FROM key_results WHERE id NOT IN (SELECT key_result_id FROM azdo_data_sources WHERE key_result_id IS NOT NULL)`).Scan(&kr); err != nil {
		t.Fatal(err)
	}
	countCheckIns := func(db *sql.DB) int {
		t.Helper()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM check_ins WHERE item_type = 'key_result' AND item_id = ?`, kr).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			res, body := s.do("POST", fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d/check-ins", kr),
				map[string]any{"value": float64(10 + i%80), "note": fmt.Sprintf("write %d", i)}, map[string]string{"X-CSRF-Token": s.csrf})
			if res.StatusCode != 201 {
				t.Errorf("check-in %d: %d %s", i, res.StatusCode, body)
				return
			}
			written.Add(1)
		}
	}()

	for b := range 3 {
		// Let some writes land between backups.
		for w := written.Load(); written.Load() < w+5; {
			if t.Failed() {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		before := countCheckIns(ro)
		to := filepath.Join(dir, fmt.Sprintf("backup-%d.db", b))
		var out, errb bytes.Buffer
		if code := run([]string{"backup", "--database", path, "--to", to}, &out, &errb); code != 0 {
			t.Fatalf("backup %d: exit %d\n%s%s", b, code, out.String(), errb.String())
		}
		after := countCheckIns(ro)
		if !strings.Contains(out.String(), "Wrote "+to) {
			t.Errorf("backup output:\n%s", out.String())
		}
		fi, err := os.Stat(to)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("the backup file: %v, mode %v", err, fi.Mode())
		}

		bk, err := sql.Open("sqlite", to+"?_pragma=query_only(1)")
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := bk.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("backup %d integrity: %v %s", b, err, check)
		}
		rows, err := bk.Query(`PRAGMA foreign_key_check`)
		if err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Errorf("backup %d breaks a foreign key", b)
		}
		rows.Close()
		n := countCheckIns(bk)
		if n < before || n > after {
			t.Errorf("backup %d holds %d check-ins; %d were stored before it started and %d when it ended", b, n, before, after)
		}
		var current, newest float64
		if err := bk.QueryRow(`SELECT current_value FROM key_results WHERE id = ?`, kr).Scan(&current); err != nil {
			t.Fatal(err)
		}
		if err := bk.QueryRow(`SELECT value FROM check_ins WHERE item_type = 'key_result' AND item_id = ? ORDER BY id DESC LIMIT 1`, kr).Scan(&newest); err != nil {
			t.Fatal(err)
		}
		if current != newest {
			t.Errorf("backup %d: the key result's current value is %v but its newest check-in says %v", b, current, newest)
		}
		bk.Close()
		// The copy is a Cairn database at the current version.
		db, err := sqldb.Open(context.Background(), to, sqldb.Options{})
		if err != nil {
			t.Fatalf("open backup %d: %v", b, err)
		}
		if _, err := db.Tenant(context.Background()); err != nil {
			t.Errorf("backup %d has no tenant: %v", b, err)
		}
		db.Close()
		t.Logf("backup %d: %d check-ins (%d to %d while it ran), %d bytes", b, n, before, after, fi.Size())
	}
	close(stop)
	wg.Wait()
	if written.Load() < 15 {
		t.Fatalf("only %d check-ins were written during the backups", written.Load())
	}

	// Refusals: an existing file without --force, PostgreSQL, the database itself.
	var out, errb bytes.Buffer
	to := filepath.Join(dir, "backup-0.db")
	if code := run([]string{"backup", "--database", path, "--to", to}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "exists; pick another name or pass --force") {
		t.Errorf("over an existing file: exit %d %s", code, errb.String())
	}
	if code := run([]string{"backup", "--database", path, "--to", to, "--force"}, &out, &errb); code != 0 {
		t.Errorf("--force: exit %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"backup", "--database", "postgres://x/y", "--to", filepath.Join(dir, "pg.db")}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "pg_dump") {
		t.Errorf("PostgreSQL: exit %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"backup", "--database", path, "--to", path, "--force"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "names the database itself") {
		t.Errorf("onto itself: exit %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"backup", "--database", path}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--to is required") {
		t.Errorf("no --to: exit %d %s", code, errb.String())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".partial") {
			t.Errorf("a partial backup was left behind: %s", e.Name())
		}
	}
}
