package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/hypercare/hypercare"
)

// Describe splits a delivery error into a short reason every role may see
// ("connection refused", "HTTP 503 Service Unavailable", "timeout") and
// the full detail for admins and the server log, which may name the
// receiver's host, address and port. A notification stores both; the API
// shows the detail only to admins, since a webhook's host and port map a
// team's internal network.
func Describe(err error) (safe, detail string) {
	if err == nil {
		return "", ""
	}
	return errorClass(err), err.Error()
}

// errorClass names the kind of failure without any address in it. It is
// also the key failure logs are sampled by.
func errorClass(err error) string {
	var (
		se   *StatusError
		re   *RefusedError
		dns  *net.DNSError
		herr *hypercare.Error
		cert *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		hn   x509.HostnameError
		ne   net.Error
		rs   Reasoner
	)
	switch {
	case errors.As(err, &rs):
		return rs.Reason()
	case errors.As(err, &se):
		return fmt.Sprintf("HTTP %d %s", se.StatusCode, http.StatusText(se.StatusCode))
	case errors.Is(err, errGone):
		return errGone.Error()
	case errors.Is(err, ErrUnsupported):
		return "no channel for this contact type"
	case errors.As(err, &re):
		return "destination refused: not a public address"
	case errors.As(err, &herr) && herr.Code == hypercare.CodeInvalid:
		return "invalid address"
	case errors.As(err, &dns):
		return "DNS lookup failed"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &cert), errors.As(err, &ua), errors.As(err, &hn):
		return "TLS certificate not trusted"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "delivery failed"
}

// failureLog logs delivery failures without flooding the log when a
// receiver is down for hours: per channel and kind of failure, the first
// one is logged at once, then at most one line per interval carrying how
// many were suppressed since the last line.
type failureLog struct {
	log      *slog.Logger
	clock    hypercare.Clock
	interval time.Duration
	mu       sync.Mutex
	seen     map[string]*failureClass
}

type failureClass struct {
	last       time.Time
	suppressed int
}

// failureLogInterval is the most often one kind of failure is logged.
const failureLogInterval = time.Minute

func newFailureLog(log *slog.Logger, clk hypercare.Clock) *failureLog {
	return &failureLog{log: log, clock: clk, interval: failureLogInterval, seen: map[string]*failureClass{}}
}

// failed records one failed attempt and logs it unless this channel has
// logged the same kind of failure within the interval. final says the
// page was given up on (rather than to be retried).
func (f *failureLog) failed(n *hypercare.Notification, err error, final bool) {
	safe, detail := Describe(err)
	key := string(n.Type) + "\x00" + safe
	now := f.clock.Now()
	f.mu.Lock()
	c := f.seen[key]
	if c == nil {
		c = &failureClass{}
		f.seen[key] = c
	} else if now.Sub(c.last) < f.interval {
		c.suppressed++
		f.mu.Unlock()
		return
	}
	suppressed := c.suppressed
	c.last, c.suppressed = now, 0
	f.mu.Unlock()
	msg := "page delivery failed, will retry"
	if final {
		msg = "page delivery failed, giving up"
	}
	f.log.Warn(msg, slog.String("channel", string(n.Type)), slog.String("reason", safe),
		slog.String("error", detail), slog.String("notification", n.ID), slog.String("incident", n.IncidentID),
		slog.String("user", n.UserID), slog.Int("attempt", n.Attempts),
		slog.Int("suppressed_since_last_log", suppressed))
}
