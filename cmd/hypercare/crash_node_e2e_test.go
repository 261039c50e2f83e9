//go:build unix

package main

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

// Two nodes on one PostgreSQL database. While node a, alive, is sending a
// page (the receiver holds it), node b leaves it alone, however long; once
// a is killed (SIGKILL), b sends the page again within seconds (node
// liveness, store/liveness.go), not after its three-minute lease. Real
// time: about 15 s.
func TestPageInFlightOnAKilledNodeIsSentByAnother(t *testing.T) {
	storeArgs := []string{"--database-url", storetest.PostgresURL(t)}
	rec := &holdingReceiver{arrived: make(chan struct{}), release: make(chan struct{})}
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(rec.release) }) }
	t.Cleanup(release)

	a := startServerWithConfig(t, crashSendConfig(hs.URL), storeArgs)
	startServerWithConfig(t, crashSendConfig(hs.URL), storeArgs) // node b, stopped at the end
	if err := postTrigger(a.URL, "crash-node"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rec.arrived:
	case <-time.After(firstPageLimit):
		t.Fatalf("no page within %v of the trigger", firstPageLimit)
	}
	held := rec.snapshot()[0]

	// a is alive: more than the grace and two checks later, b has not
	// sent the page a is sending.
	time.Sleep(8 * time.Second)
	if pages := rec.snapshot(); len(pages) != 1 {
		t.Fatalf("pages while the node sending it is alive: %+v, want the one in flight", pages)
	}

	a.kill(t)
	killed := time.Now()
	release()
	deadline := killed.Add(15 * time.Second)
	for len(rec.snapshot()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the page in flight on the killed node was not sent again within 15 s: %+v", rec.snapshot())
		}
		time.Sleep(pagePoll)
	}
	time.Sleep(quietWindow)
	pages := rec.snapshot()
	if len(pages) != 2 || pages[1].ID != held.ID {
		t.Fatalf("pages after the kill: %+v, want the held page (%s) once more, same ID", pages, held.ID)
	}
	t.Logf("sent again by the other node %v after the kill", pages[1].At.Sub(killed).Round(time.Millisecond))
}
