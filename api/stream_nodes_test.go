package api_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
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

// TestStreamLateLowerID: a transaction on another node takes its
// transaction ID (so, on PostgreSQL, its stream IDs) before this node
// commits a new incident, and commits after it: its events have the lower
// IDs but commit later. A client that resumes with Last-Event-ID while
// that transaction is open, then follows live, gets every event exactly
// once, in ID order: the late, lower ones first (the watermark held the
// higher ones back until they could no longer be overtaken).
func TestStreamLateLowerID(t *testing.T) {
	url := storetest.PostgresURL(t)
	e := newEnv(t, storetest.OpenStore(t, store.Options{DatabaseURL: url}), 0)
	other := storetest.OpenStore(t, store.Options{DatabaseURL: url}) // a second node, writing directly

	s1 := e.openStream(e.viewer, "", "")
	e.send(trigger(keyCheckout, "disk", "Disk full"))
	last := s1.expect(e.committed(0))
	s1.close()

	aOpen, release, aDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		aDone <- other.Write(context.Background(), "late", func(tx hypercare.Tx) error {
			now := time.Now()
			if err := tx.InsertIncident(context.Background(), &hypercare.Incident{ID: "inc-late", Title: "Late",
				Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical,
				ServiceID: "checkout", CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			close(aOpen)
			<-release
			return nil
		})
	}()
	<-aOpen
	e.send(trigger(keySearch, "cpu", "CPU high")) // commits while the other node's transaction is open
	s2 := e.openStream(e.viewer, "", strconv.FormatInt(last, 10))
	close(release)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	want := e.committed(last)
	if len(want) < 4 || want[0].IncidentID != "inc-late" {
		t.Fatalf("committed after %d: %+v; want the late incident's event first", last, want)
	}
	last = s2.expect(want)
	// Nothing delivered twice or skipped: the next event follows at once.
	e.send(trigger(keySearch, "mem", "Memory high"))
	s2.expect(e.committed(last))
}

// TestStreamFirstClientGetsAHeldEvent: a change committed while an older
// transaction (any in the PostgreSQL cluster that took a transaction ID)
// is still open is held back by the watermark. The first client to
// subscribe after it, while it is held, starts at the horizon before it,
// and must get it once the older transaction ends, though nothing else
// commits. It used to wait for the next commit of its own deployment: the
// subscription arranged no re-read, so nothing checked for held events.
func TestStreamFirstClientGetsAHeldEvent(t *testing.T) {
	url := storetest.PostgresURL(t)
	e := newEnv(t, storetest.OpenStore(t, store.Options{DatabaseURL: url}), 0)
	older, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer older.Close()
	holder, err := older.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec("SELECT pg_current_xact_id()"); err != nil { // takes its ID: the watermark stays below it
		t.Fatal(err)
	}
	e.send(trigger(keyCheckout, "disk", "Disk full")) // held back
	s := e.openStream(e.viewer, "", "")
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	s.expect(e.committed(0))
}
