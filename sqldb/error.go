package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/cairn-okr/cairn"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// constraint kinds that violation reports.
const (
	violUnique  = "unique"
	violForeign = "foreign"
	violCheck   = "check"
	violNotNull = "not_null"
)

// violation reports which kind of constraint err violates, if any, and the column it names
// when the database says so ("" otherwise).
func violation(err error) (kind, column string) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		msg := se.Error()
		switch {
		case strings.Contains(msg, "UNIQUE constraint failed"):
			return violUnique, sqliteColumn(msg)
		case strings.Contains(msg, "FOREIGN KEY constraint failed"):
			return violForeign, ""
		case strings.Contains(msg, "CHECK constraint failed"):
			return violCheck, ""
		case strings.Contains(msg, "NOT NULL constraint failed"):
			return violNotNull, sqliteColumn(msg)
		}
		return "", ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return violUnique, pgColumn(pe)
		case "23503":
			return violForeign, ""
		case "23514":
			return violCheck, ""
		case "23502":
			return violNotNull, pe.ColumnName
		}
	}
	return "", ""
}

// sqliteColumn reads the last column of "UNIQUE constraint failed: users.email".
func sqliteColumn(msg string) string {
	_, cols, ok := strings.Cut(msg, "failed: ")
	if !ok {
		return ""
	}
	cols, _, _ = strings.Cut(cols, " (")
	parts := strings.Split(cols, ",")
	last := strings.TrimSpace(parts[len(parts)-1])
	if _, col, ok := strings.Cut(last, "."); ok {
		return col
	}
	return last
}

// pgColumn reads the column of a constraint named like PostgreSQL's default, users_email_key.
func pgColumn(pe *pgconn.PgError) string {
	name := strings.TrimPrefix(pe.ConstraintName, pe.TableName+"_")
	if strings.HasSuffix(name, "_pkey") || name == "pkey" {
		return ""
	}
	return strings.TrimSuffix(name, "_key")
}

// wrap turns a database error into a cairn.Error: constraint violations become ECONFLICT
// or EINVALID, and anything else EINTERNAL naming the operation. A cairn.Error passes
// through unchanged.
func (db *DB) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *cairn.Error
	if errors.As(err, &ce) {
		return err
	}
	switch kind, col := violation(err); kind {
	case violUnique:
		if col == "" {
			return &cairn.Error{Code: cairn.ECONFLICT, Message: "it exists already"}
		}
		return &cairn.Error{Code: cairn.ECONFLICT, Field: col, Message: "this " + col + " is taken already"}
	case violForeign:
		return cairn.Errorf(cairn.EINVALID, "it refers to something that does not exist")
	case violCheck, violNotNull:
		return &cairn.Error{Code: cairn.EINVALID, Field: col, Message: "the value is not allowed", Err: err}
	}
	if unreachable(err) {
		return &cairn.Error{Code: cairn.EUNAVAILABLE, Err: err,
			Message: "the database cannot be reached right now; Cairn reconnects by itself, so try again in a few seconds"}
	}
	return cairn.Internal("sqldb: "+op, err)
}

// unreachable reports whether err says that the database could not be reached or that
// the connection broke, as opposed to a failed statement: a refused or reset connection,
// a network timeout, a connection the pool found dead, or a pool wait that ran out.
func unreachable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		// A statement that ran out of time is the caller's; one that never got a
		// connection is the database's. (DeadlineExceeded is a net.Error too.)
		return strings.Contains(err.Error(), "connect") || strings.Contains(err.Error(), "dial")
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	return strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "unexpected EOF")
}
