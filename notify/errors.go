package notify

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// permanenter is implemented by errors that know whether retrying the
// same delivery can succeed. Errors that do not implement it (timeouts,
// refused connections, DNS failures, a cancelled context) are transient:
// the delivery engine retries them with backoff until it gives up, because
// for a page, one more attempt is cheaper than a missed responder.
type permanenter interface{ permanent() bool }

type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) permanent() bool { return true }

// Permanent marks err as not worth retrying: the same request would fail
// the same way (a 404, a refused destination, an address that does not
// parse), so the delivery engine records the failure at once instead of
// burning its retries. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, says retrying
// cannot help. The outermost error with an opinion wins.
func IsPermanent(err error) bool {
	var p permanenter
	return errors.As(err, &p) && p.permanent()
}

// RetryAfter returns how long the receiver asked us to wait before the
// next attempt (an HTTP Retry-After header), or 0 if it did not say; the
// delivery engine then uses its own backoff.
func RetryAfter(err error) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// MaxRetryAfter caps a receiver's Retry-After: a page held back for longer
// is no longer a page, and a hostile or broken receiver must not be able
// to park a notification forever.
const MaxRetryAfter = time.Hour

// maxErrorBody is how much of a failed response's body goes into the
// error: enough for a receiver's one-line reason, not enough for a
// misbehaving receiver to bloat the notification's last_error.
const maxErrorBody = 512

// StatusError is a non-2xx answer from an HTTP receiver.
type StatusError struct {
	StatusCode int
	// Body is the start of the response body, made printable.
	Body string
	// RetryAfter is the receiver's Retry-After, capped at MaxRetryAfter.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// permanent says which statuses retrying cannot fix. Retried: 5xx (the
// receiver is down or overloaded), 408 and 429 (it asked us to come back),
// 425 (Too Early, RFC 8470, likewise), and 409, which the Idempotency-Key
// specification (draft-ietf-httpapi-idempotency-key-header) uses for "a
// request with this key is still being processed": since we send that
// header, a 409 means our earlier attempt may yet land, and retrying with
// the same key is exactly the safe move. Every other status (other 4xx,
// and 1xx/3xx that reached us unfollowed) is a configuration problem.
func (e *StatusError) permanent() bool {
	switch c := e.StatusCode; {
	case c >= 500 && c <= 599:
		return false
	case c == http.StatusRequestTimeout, c == http.StatusConflict,
		c == http.StatusTooEarly, c == http.StatusTooManyRequests:
		return false
	}
	return true
}

// CheckResponse returns nil for a 2xx response and a *StatusError for any
// other, reading at most a small prefix of the body for the message. It
// does not close the body. now is used to turn a Retry-After date into a
// delay when the response has no usable Date header; with one, the delay
// is measured on the receiver's own clock, so clock skew does not matter.
func CheckResponse(resp *http.Response, now time.Time) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		now = d
	}
	return &StatusError{
		StatusCode: resp.StatusCode,
		Body:       printable(b),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
	}
}

// parseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): either
// delay-seconds or an HTTP-date. Garbage and past dates give 0; the result
// is capped at MaxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseUint(v, 10, 64); err == nil {
		if n > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, MaxRetryAfter))
}

// printable turns a body prefix into one line of valid UTF-8 without
// control characters, so a receiver cannot inject lines or terminal
// escapes into logs and the UI through last_error.
func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
