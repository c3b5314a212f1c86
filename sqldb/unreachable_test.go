package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestUnreachableDatabaseIsUnavailable: an error that says the database cannot be reached
// becomes EUNAVAILABLE (a 503 with a clear message), while a failed statement stays
// EINTERNAL.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	// A real connection error: nothing listens on a port that was just closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, connErr := pgconn.Connect(ctx, "postgres://postgres@"+addr+"/test?sslmode=disable&connect_timeout=2")
	if connErr == nil {
		t.Fatal("connected to a closed port")
	}
	db := &DB{}
	for name, err := range map[string]error{
		"ConnectError":    connErr,
		"Refused":         &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		"Reset":           &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET},
		"BadConn":         driver.ErrBadConn,
		"PoolWaitTimeout": errors.Join(errors.New("failed to connect"), context.DeadlineExceeded),
	} {
		got := db.wrap("read things", err)
		if cairn.ErrorCode(got) != cairn.EUNAVAILABLE {
			t.Errorf("%s: code %q, want %q (%v)", name, cairn.ErrorCode(got), cairn.EUNAVAILABLE, got)
		}
		if msg := cairn.ErrorMessage(got); msg == "" || msg == "internal error" {
			t.Errorf("%s: message %q says nothing", name, msg)
		}
	}
	for name, err := range map[string]error{
		"Syntax":            &pgconn.PgError{Code: "42601", Message: "syntax error"},
		"StatementDeadline": context.DeadlineExceeded,
		"Plain":             errors.New("no rows"),
	} {
		if got := db.wrap("read things", err); cairn.ErrorCode(got) != cairn.EINTERNAL {
			t.Errorf("%s: code %q, want %q", name, cairn.ErrorCode(got), cairn.EINTERNAL)
		}
	}
}
