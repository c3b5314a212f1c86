package sqldb_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/sqldb"
)

// TestReplicasMigrateTogether: replicas started together on one fresh database each open
// it and migrate it at once; they take turns, and every one opens. Without the migration
// lock, SQLite's replicas race on creating the same tables.
func TestReplicasMigrateTogether(t *testing.T) {
	t.Parallel()
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dsn := filepath.Join(t.TempDir(), "cairn.db")
			if dialect == sqldb.DialectPostgres {
				dsn = mustSchema(t, postgresURL(t))
			}
			const replicas = 4
			var wg sync.WaitGroup
			errs := make([]error, replicas)
			dbs := make([]*sqldb.DB, replicas)
			for i := range replicas {
				wg.Go(func() { dbs[i], errs[i] = sqldb.Open(context.Background(), dsn, sqldb.Options{}) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: %v", i+1, err)
					continue
				}
				if err := dbs[i].Ping(context.Background()); err != nil {
					t.Errorf("replica %d is not ready: %v", i+1, err)
				}
				dbs[i].Close()
			}
		})
	}
}

// TestMigrationLockExcludes: a second holder of the migration lock waits until the first
// lets go.
func TestMigrationLockExcludes(t *testing.T) {
	t.Parallel()
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "cairn.db")
			if dialect == sqldb.DialectPostgres {
				dsn = mustSchema(t, postgresURL(t))
			}
			a, err := sqldb.Open(ctx, dsn, sqldb.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := sqldb.Open(ctx, dsn, sqldb.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			unlock, err := a.MigrationLock(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan error, 1)
			go func() {
				u, err := b.MigrationLock(ctx)
				if err == nil {
					u()
				}
				got <- err
			}()
			select {
			case err := <-got:
				t.Fatalf("the second holder took the lock while the first held it (err %v)", err)
			case <-time.After(300 * time.Millisecond):
			}
			unlock()
			if err := <-got; err != nil {
				t.Fatalf("the second holder, after the first let go: %v", err)
			}
		})
	}
}
