package api

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// TestReadBatchBodyTurns: a native webhook body up to the single-event
// limit is read at once; a larger one, up to the batch limit, needs one of
// the turns and holds it until released; a sender that goes away while
// waiting for one is answered unavailable; one over the batch limit is
// too large, naming that limit.
func TestReadBatchBodyTurns(t *testing.T) {
	s := &Server{maxBody: 10, largeBody: largeBodies{limit: 100, turns: make(chan struct{}, 1)}}
	read := func(ctx context.Context, body string) ([]byte, func(), error) {
		r := httptest.NewRequest("POST", "/integrations/k", strings.NewReader(body)).WithContext(ctx)
		return s.readBatchBody(httptest.NewRecorder(), r)
	}
	small, large := strings.Repeat("s", 10), strings.Repeat("L", 100)

	got, release, err := read(context.Background(), large)
	if err != nil || string(got) != large {
		t.Fatalf("large body = %q, %v; want it whole", got, err)
	}
	if len(s.largeBody.turns) != 1 {
		t.Fatalf("a large body being handled holds %d turns, want 1", len(s.largeBody.turns))
	}
	// Every turn taken: a small body still goes at once.
	if got, rel, err := read(context.Background(), small); err != nil || string(got) != small {
		t.Fatalf("small body while the turns are taken = %q, %v", got, err)
	} else {
		rel()
	}
	// A large one waits; its sender leaves.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := read(ctx, large); hypercare.ErrorCode(err) != hypercare.CodeUnavailable {
		t.Fatalf("large body with every turn taken and its request gone: %v, want unavailable", err)
	}
	release()
	if len(s.largeBody.turns) != 0 {
		t.Fatalf("after release %d turns are still taken", len(s.largeBody.turns))
	}
	got, release, err = read(context.Background(), large)
	if err != nil || string(got) != large {
		t.Fatalf("large body after release = %q, %v", got, err)
	}
	release()

	_, _, err = read(context.Background(), large+"!")
	var herr *hypercare.Error
	if !errors.As(err, &herr) || herr.Code != hypercare.CodeTooLarge || !strings.Contains(herr.Message, "100 bytes") {
		t.Fatalf("body over the batch limit: %v, want too large naming 100 bytes", err)
	}
	if len(s.largeBody.turns) != 0 {
		t.Fatalf("a refused body kept its turn")
	}
}
