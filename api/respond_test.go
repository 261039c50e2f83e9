package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/prometheus/client_golang/prometheus"
)

// TestWriteJSONNeverSendsABrokenOK: a value encoding/json refuses (a time
// in year 10000) is answered 500 in the error envelope, not a 200 with an
// empty body.
func TestWriteJSONNeverSendsABrokenOK(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rec := httptest.NewRecorder()
	s.writeJSON(rec, http.StatusOK, map[string]any{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	var body hypercare.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("answer %q is not JSON: %v", rec.Body.String(), err)
	}
	if rec.Code != http.StatusInternalServerError || body.Error.Code != "internal" {
		t.Fatalf("answer %d %q, want 500 with code internal", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	s.writeJSON(rec, http.StatusAccepted, map[string]string{"status": "success"})
	if rec.Code != http.StatusAccepted || rec.Body.String() != "{\"status\":\"success\"}\n" {
		t.Fatalf("ordinary answer: %d %q", rec.Code, rec.Body.String())
	}
}

// timeoutBody fails like a connection whose client is too slow for the
// server's ReadTimeout: a net.Error naming both addresses.
type timeoutBody struct{}

func (timeoutBody) Read([]byte) (int, error) {
	return 0, &net.OpError{Op: "read", Net: "tcp", Source: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 8080},
		Addr: &net.TCPAddr{IP: net.IPv4(10, 9, 9, 9), Port: 5555}, Err: os.ErrDeadlineExceeded}
}
func (timeoutBody) Close() error { return nil }

// TestReadBodyHidesTheCause: a body that cannot be read (here a slow client
// hitting the read deadline) is a 400 that says so without echoing the
// network error, which names the server's address.
func TestReadBodyHidesTheCause(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: newMetrics(prometheus.NewRegistry(), nil, nil)}
	for _, pd := range []bool{true, false} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/v2/enqueue", nil)
		req.Body = timeoutBody{}
		_, err := readBody(rec, req, 512<<10)
		if pd {
			s.writePDError(rec, req, err, false)
		} else {
			s.writeError(rec, req, err)
		}
		if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "10.1.2.3") ||
			!strings.Contains(rec.Body.String(), "request body not received in time") {
			t.Errorf("answer %d %s, want a 400 saying the body came too late, without addresses", rec.Code, rec.Body.String())
		}
	}
}
