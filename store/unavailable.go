package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hypercare/hypercare"
)

// unavailable turns err into an unavailable error (the API's 503) when it
// says the database cannot be reached now: a refused, dropped or timed
// out connection, or a server that is shutting down or starting up
// (SQLSTATE classes 08 and 57P). Those pass with a failover or a restart,
// so callers should retry; as internal errors they were answered 500
// "internal error", which says the request itself broke the server.
// Other errors, and a caller's own cancellation, are returned as they
// are.
func unavailable(err error) error {
	if err == nil || hypercare.ErrorCode(err) != hypercare.CodeInternal || errors.Is(err, context.Canceled) || !unreachable(err) {
		return err
	}
	return &hypercare.Error{Code: hypercare.CodeUnavailable, Message: "the database is not reachable now; try again", Err: err}
}

// unreachable reports whether err is a failure to reach the database
// rather than a failure of the statement.
func unreachable(err error) bool {
	var connect *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, io.ErrUnexpectedEOF): // a connection the server dropped mid-statement
		return true
	case errors.As(err, &pgErr):
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	return pgconn.Timeout(err)
}
