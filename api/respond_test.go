package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWriteJSONNeverSendsABrokenOK: a value encoding/json refuses (a time
// in year 10000) is answered 500 in the error envelope, not a 200 with an
// empty body.
func TestWriteJSONNeverSendsABrokenOK(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rec := httptest.NewRecorder()
	s.writeJSON(rec, http.StatusOK, map[string]any{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	var body errorBody
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
