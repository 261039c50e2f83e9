package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestWorkChanged checks the engines' wake: a commit that writes
// escalation work fires WorkChanged on its node and, on PostgreSQL, on
// every other node; a commit that only opens an incident (a stream event,
// no work) or claims pages fires it nowhere, though the other nodes'
// stream readers are woken as before.
func TestWorkChanged(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a, b, _ := twoNodesWithShop(t, e)
			storetest.StartRun(t, a)
			storetest.StartRun(t, b)
			commit := incidentCommits(t)

			if e.Name == "postgres" { // one node per SQLite database: nothing to tell the others
				// Both listeners up first: each fires WorkChanged once as
				// it connects (a notification may have been missed).
				listening(t, a, b, commit)
				listening(t, b, a, commit)
				// b's own NOTIFYs (above) may still be on their way: wait for
				// several of a's, so that a wrong "w" on one would be seen.
				work := b.WorkChanged()
				for range 5 {
					stream := b.StreamChanged()
					commit(a, false)
					wait(t, stream, "the other node's stream readers woken by a commit without work")
				}
				if closed(work) {
					t.Error("another node's commit without engine work woke this node's engines")
				}
				commit(a, true)
				wait(t, work, "the other node's engines woken by a commit of engine work")
			}
			local := a.WorkChanged()
			commit(a, false)
			if closed(local) {
				t.Error("a commit without engine work woke its node's engines")
			}
			claim := func(tx hypercare.Tx) error { // nothing due: a claim of no rows
				_, err := tx.ClaimNotifications(t.Context(), time.Now(), time.Now().Add(time.Minute), 10)
				return err
			}
			if err := a.Write(t.Context(), "k", claim); err != nil {
				t.Fatal(err)
			}
			if closed(local) {
				t.Error("a claim woke its node's engines (a claim of locked rows would claim again at once)")
			}
			commit(a, true)
			if !closed(local) {
				t.Error("a commit of engine work did not wake its node's engines")
			}
		})
	}
}

// incidentCommits returns a function that commits, on a store of the shop
// service, an incident (the next number each call) and, with work, an
// escalation due a minute later: engine work. The incident alone is a
// stream event without work.
func incidentCommits(t *testing.T) func(s *store.Store, work bool) {
	n := 0
	return func(s *store.Store, work bool) {
		t.Helper()
		n++
		now := time.Date(2026, 11, 27, 8, 0, n, 0, time.UTC)
		inc := &hypercare.Incident{ID: fmt.Sprintf("inc-%d", n), Number: int64(n), Title: "down",
			Status: hypercare.StatusTriggered, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityError,
			ServiceID: "shop", AlertCount: 1, OpenAlertCount: 1, CreatedAt: now, UpdatedAt: now}
		write := func(tx hypercare.Tx) error {
			if err := tx.InsertIncident(t.Context(), inc); err != nil || !work {
				return err
			}
			return tx.SaveEscalation(t.Context(), &hypercare.EscalationState{IncidentID: inc.ID, PolicyID: "web",
				ServiceID: "shop", Status: hypercare.EscalationActive, DueAt: now.Add(time.Minute),
				Urgency: hypercare.UrgencyHigh, AckTimeout: 30 * time.Minute, UpdatedAt: now})
		}
		if err := s.Write(t.Context(), "k", write); err != nil {
			t.Fatal(err)
		}
	}
}

// listening returns once b's LISTEN hears a's commits (its connection is
// made by b's Run in the background), made without engine work.
func listening(t *testing.T, a, b *store.Store, commit func(*store.Store, bool)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ch := b.StreamChanged()
		commit(a, false)
		select {
		case <-ch:
			return
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the second node never heard the first's commits")
			}
		}
	}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// TestDeploymentsInOtherSchemasDoNotWakeEachOther: LISTEN/NOTIFY channels
// are database-wide, a deployment is one schema. A commit of engine work
// by a deployment in another schema of the same database wakes neither
// this deployment's engines (nor, on a channel of its own, its stream
// readers, which this cannot tell apart from its own). (Notifications reach a
// listener in commit order: once b has heard its own deployment's later
// commit, it would have heard the other's.)
func TestDeploymentsInOtherSchemasDoNotWakeEachOther(t *testing.T) {
	e := storetest.Engines(t)[1]
	if e.Name != "postgres" {
		t.Fatalf("engine %s, want postgres", e.Name)
	}
	other, _, _ := twoNodesWithShop(t, e) // another schema; no Run: its NOTIFY is sent as it commits
	b, c, _ := twoNodesWithShop(t, e)
	storetest.StartRun(t, b)
	commit := incidentCommits(t)
	listening(t, c, b, commit) // b's LISTEN is up (and has fired its connect wake)
	work := b.WorkChanged()
	commit(other, true)
	own := b.StreamChanged()
	commit(c, false)
	wait(t, own, "b's stream readers woken by its own deployment's commit")
	if closed(work) {
		t.Error("a commit of engine work in another schema woke this deployment's engines")
	}
}
