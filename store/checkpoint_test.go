package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// SQLite's writer does not copy the WAL into the database file inside its
// commits (the slowest first pages waited for that): below its bound the
// file holds none of what it committed; Run's checkpointer copies it soon
// after a commit. With SQLite's default (the writer checkpoints at 1,000
// pages) the first check fails.
func TestCheckpointsOffTheWriter(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := storetest.OpenStore(t, store.Options{DataDir: dir})
	payload := []byte(`{"summary":"` + strings.Repeat("x", 8000) + `"}`)
	logEvents := func(from, n int) {
		t.Helper()
		err := s.Write(ctx, "svc", func(tx hypercare.Tx) error {
			for i := from; i < from+n; i++ {
				err := tx.InsertEvent(ctx, &hypercare.EventRecord{ID: fmt.Sprintf("ev-%05d", i), ReceivedAt: time.Now(),
					IntegrationID: "int", ServiceID: "svc", Action: hypercare.ActionTrigger, DedupKey: "k",
					AlertID: "a", IncidentID: "i", Outcome: "new_incident", Payload: payload})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 { // about 5 MB, 1,300 pages: over SQLite's default, under the bound
		logEvents(i*20, 20)
	}
	if n, err := eventsInFile(t, dir); err != nil || n != 0 {
		t.Fatalf("the database file holds %d events (%v): the writer checkpointed", n, err)
	}

	storetest.StartRun(t, s)
	logEvents(600, 1)
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := eventsInFile(t, dir)
		if n == 601 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file holds %d of 601 events (%v) 20 s after the last commit", n, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// eventsInFile counts the events in a copy of the store's database file
// without its WAL: what checkpoints copied into it (0 before the schema). A copy torn by a
// checkpoint running meanwhile is an error; the caller tries again.
func eventsInFile(t *testing.T, dir string) (int, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "hypercare.db"))
	if err != nil {
		return 0, err
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'events'").Scan(&n)
	if err != nil || n == 0 {
		return 0, err // not even the schema was copied yet
	}
	err = db.QueryRow("SELECT count(*) FROM events").Scan(&n)
	return n, err
}

// A background checkpoint that a reader kept from copying the last commit
// is tried again once the reader is gone, without waiting for another
// commit: a quiet spell after a storm would otherwise leave its pages only
// in the WAL until the next write.
func TestCheckpointRetriedAfterReader(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := storetest.OpenStore(t, store.Options{DataDir: dir})
	storetest.StartRun(t, s)
	reader, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "hypercare.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	rtx, err := reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil { // holds its snapshot
		t.Fatal(err)
	}
	tried := s.CheckpointsTried()
	err = s.Write(ctx, "svc", func(tx hypercare.Tx) error {
		return tx.InsertEvent(ctx, &hypercare.EventRecord{ID: "ev-1", ReceivedAt: time.Now(), IntegrationID: "int",
			ServiceID: "svc", Action: hypercare.ActionTrigger, DedupKey: "k", AlertID: "a", IncidentID: "i", Outcome: "new_incident"})
	})
	if err != nil {
		t.Fatal(err)
	}
	// (The file cannot be read meanwhile: without the WAL it is
	// consistent only once a checkpoint copied everything.)
	waitFor(t, "a checkpoint after the commit", func() bool { return s.CheckpointsTried() > tried })
	if err := rtx.Rollback(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the commit copied into the database file", func() bool {
		n, err := eventsInFile(t, dir)
		return err == nil && n == 1
	})
}

// waitFor polls cond until it holds, failing the test after 20 s: for the
// checkpointer, which runs on real timers.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("20 s without %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
