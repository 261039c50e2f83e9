package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"

	"github.com/hypercare/hypercare"
)

// statusOf maps error codes to HTTP statuses, in this one place.
func statusOf(code hypercare.Code) int {
	switch code {
	case hypercare.CodeInvalid:
		return http.StatusBadRequest
	case hypercare.CodeUnauthenticated:
		return http.StatusUnauthorized
	case hypercare.CodePermissionDenied:
		return http.StatusForbidden
	case hypercare.CodeNotFound:
		return http.StatusNotFound
	case hypercare.CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case hypercare.CodeConflict:
		return http.StatusConflict
	case hypercare.CodeRateLimited:
		return http.StatusTooManyRequests
	case hypercare.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case hypercare.CodeUnavailable:
		return http.StatusServiceUnavailable
	case hypercare.CodeDeliveryFailed:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// internalBody is the answer when a response cannot be encoded; it is a
// constant so that answering the failure cannot fail too.
const internalBody = `{"error":{"code":"internal","message":"internal error"}}` + "\n"

// writeJSON writes v as JSON with the given status. It encodes to a buffer
// first: a value that cannot be encoded (a time outside the years 0–9999,
// say) is logged and answered 500 in the error envelope, never a 200 with
// an empty or cut-off body.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		s.log.Error("cannot encode response", slog.Int("status", status), slog.Any("error", err))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, internalBody)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeError writes err in the API envelope. Internal errors are logged and
// answered with a generic message: 5xx never echoes internals.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := hypercare.ErrorCode(err)
	body := hypercare.ErrorBody{Error: hypercare.ErrorDetail{Code: code, Message: hypercare.ErrorMessage(err)}}
	var he *hypercare.Error
	if errors.As(err, &he) && code != hypercare.CodeInternal {
		body.Error.Details = he.Details
	}
	s.logFailure(r, code, err)
	s.writeJSON(w, statusOf(code), body)
}

// logFailure logs server-side failures with their cause.
func (s *Server) logFailure(r *http.Request, code hypercare.Code, err error) {
	if code == hypercare.CodeInternal || code == hypercare.CodeUnavailable {
		s.metrics.storeErrors.Inc()
		s.log.Error("request failed", slog.String("method", r.Method), slog.String("path", logPath(r)), slog.Any("error", err))
	}
}

// logPath is the request's path as logs may show it: a route whose path
// carries a secret, an integration key (/integrations/{key}) or a
// one-click action token (/act/{token}, which acts as the paged user), is
// logged by its pattern, since logs are read by many more people than
// those the secret is for.
func logPath(r *http.Request) string {
	if r.PathValue("key") == "" && r.PathValue("token") == "" {
		return r.URL.Path
	}
	_, pattern, _ := strings.Cut(r.Pattern, " ")
	return pattern
}

// readBody reads the whole body up to limit bytes; a larger body is a
// payload_too_large error, an unreadable one (a client too slow for the
// server's ReadTimeout, a reset connection) invalid.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := readAllSized(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, presizeLimit)
	if err != nil {
		return nil, bodyError(err, limit)
	}
	return body, nil
}

// presizeLimit bounds the buffer readBody sizes from a Content-Length
// before any byte of the body arrived: a client that announces a large
// body and sends nothing holds at most this much.
const presizeLimit = 64 << 10

// readAllSized is io.ReadAll into one buffer of the size the client
// announced (up to most bytes; growing as io.ReadAll does past it), plus
// a byte to meet the end without growing. io.ReadAll starts at 512 bytes
// and grows by copying: a 60 KB Alertmanager notification cost about
// twice its size in buffers, a twelfth of the bytes the server allocated
// per re-sent alert.
func readAllSized(r io.Reader, announced, most int64) ([]byte, error) {
	size := int64(512)
	if announced > 0 {
		size = min(announced, most) + 1
	}
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow, as io.ReadAll does
		}
	}
}

// bodyError is the answer to a body that could not be read: too large
// for limit (413), or not received.
func bodyError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return hypercare.Errorf(hypercare.CodeTooLarge, "request body exceeds %d bytes", limit)
	}
	// The cause (a network error naming the server's address) is for the
	// log only, never for the answer.
	msg := "cannot read request body"
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		msg = "request body not received in time"
	}
	return &hypercare.Error{Code: hypercare.CodeInvalid, Message: msg, Err: err}
}

// decodeJSON decodes a small JSON request body strictly: unknown fields and
// wrong types are invalid_argument errors naming the field.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r, 64<<10)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return hypercare.Errorf(hypercare.CodeInvalid, "request body must be a JSON object")
		case errors.As(err, &typeErr):
			return hypercare.InvalidFields("invalid request body",
				hypercare.FieldError{Field: typeErr.Field, Message: "must be " + jsonKind(typeErr.Type)})
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return hypercare.InvalidFields("invalid request body",
				hypercare.FieldError{Field: field, Message: "unknown field"})
		}
		return hypercare.Errorf(hypercare.CodeInvalid, "request body is not valid JSON: %v", err)
	}
	// One value, then nothing: a second object or stray text after the
	// first is a mistake the sender should hear of, not silently lose.
	if _, err := dec.Token(); err != io.EOF {
		return hypercare.Errorf(hypercare.CodeInvalid, "request body is not valid JSON: more after the object")
	}
	return nil
}

// jsonKind names the JSON type a Go type decodes from, for an error a
// client can act on: "an integer", not "int" or "hypercare.Role".
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// respondList answers a listing: {key: [...]} (never null), or err.
func respondList[T any](s *Server, w http.ResponseWriter, r *http.Request, key string, list []T, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{key: nonNil(list)})
}

// respondPage answers one page of a listing with its next cursor, or err.
func respondPage[T any](s *Server, w http.ResponseWriter, r *http.Request, key string, list []T, next string, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{key: nonNil(list), "next_cursor": next})
}
