package api_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestStreamTwoNodes: two servers on one PostgreSQL database (two stores,
// two API servers, as two nodes). A change committed through node A
// appears on node B's stream within a second: B's broker has no poll, so
// only A's NOTIFY (delivered by PostgreSQL at commit) can wake it. Both
// nodes' streams carry the same IDs, so a client can resume on either.
func TestStreamTwoNodes(t *testing.T) {
	url := storetest.PostgresURL(t)
	a := newEnv(t, storetest.OpenStore(t, store.Options{DatabaseURL: url}), 0)
	b := newEnv(t, storetest.OpenStore(t, store.Options{DatabaseURL: url}), 0)
	onB := b.openStream(b.viewer, "", "")
	onA := a.openStream(a.viewer, "", "")

	start := time.Now()
	a.send(trigger(keyCheckout, "disk", "Disk full"))
	evB := onB.next()
	latency := time.Since(start)
	t.Logf("node A commit → node B stream: %v", latency)
	if latency > time.Second {
		t.Errorf("node B saw node A's change after %v, want within 1 s", latency)
	}
	evA := onA.next()
	if evA.ID != evB.ID || evA.Data != evB.Data || evB.Event != "incident" {
		t.Fatalf("nodes disagree: A %+v, B %+v", evA, evB)
	}
	// The other way, and a client that moves from A to B resumes losslessly.
	last := onA.expect(a.committed(evA.ID))
	onA.close()
	b.send(trigger(keySearch, "cpu", "CPU high"))
	moved := b.openStream(b.viewer, "", strconv.FormatInt(last, 10))
	moved.expect(b.committed(last))
}
