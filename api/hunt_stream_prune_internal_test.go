package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// pruningOutbox holds events 1..n; retention prunes through pruneTo right
// after the first read (it runs once a minute, concurrently with a
// client's replay).
type pruningOutbox struct {
	emptyStream
	mu      sync.Mutex
	n       int64
	pruned  int64
	pruneTo int64
	reads   int
}

func (f *pruningOutbox) StreamHorizon(context.Context) (int64, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pruned, f.n, nil
}

func (f *pruningOutbox) StreamAfter(_ context.Context, after int64, limit int) ([]hypercare.StreamEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reads++; f.reads == 2 {
		f.pruned = f.pruneTo // the retention pass committed between two pages
	}
	var out []hypercare.StreamEvent
	for id := max(after, f.pruned) + 1; id <= f.n && len(out) < limit; id++ {
		out = append(out, hypercare.StreamEvent{ID: id, Kind: hypercare.StreamIncident, Op: hypercare.StreamUpdated,
			IncidentID: "inc", Object: json.RawMessage(`{"id":"inc"}`)})
	}
	return out, nil
}

// TestStreamReplayRacingRetention: a client resumes from an ID that is
// still retained when it connects, and retention prunes past it while the
// replay is under way (a replay of a long backlog takes many pages; the
// StreamKeep bound moves every minute under a storm). Events the replay
// had not reached yet are gone: the client must be told (event: reset),
// not silently skip them and go on as if nothing was missed.
func TestStreamReplayRacingRetention(t *testing.T) {
	src := &pruningOutbox{n: 3 * streamPage, pruneTo: 2 * streamPage}
	s := &Server{streamStore: src}
	rec := httptest.NewRecorder()
	c := newStreamClient(&sseWriter{w: rec, rc: http.NewResponseController(rec)}, &subscriber{}, src.n, true, time.Now())
	if err := s.replay(t.Context(), c, 0, src.n); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	reset := false
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if line == "event: reset" {
			reset = true
		}
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			id, _ := strconv.ParseInt(v, 10, 64)
			ids = append(ids, id)
		}
	}
	if reset {
		return
	}
	for i, id := range ids {
		if id != int64(i+1) {
			t.Fatalf("replay sent id %d after %d with no reset: events %d..%d, pruned during the replay, were skipped silently",
				id, ids[i-1], ids[i-1]+1, id-1)
		}
	}
}
