package store_test

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestNotificationGroupLocks (PostgreSQL, two nodes): while one node's
// transaction holds a notification group's lock, another node's takes
// another group's of the same service at once, and waits for the same
// group's, and for the service's grouping lock neither; the service's
// grouping lock does not wait for a group's either. (The contract's
// GroupingLock checks both may be taken, again and after a rollback.)
func TestNotificationGroupLocks(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	a := storetest.OpenStore(t, store.Options{DatabaseURL: url})
	b := storetest.OpenStore(t, store.Options{DatabaseURL: url})
	probe := storetest.NewLockProbe(t, url)
	for _, c := range []struct {
		name  string
		lock  func(tx hypercare.Tx) error
		waits bool
	}{
		{"another group", func(tx hypercare.Tx) error { return tx.LockNotificationGroup(ctx, "shop", "g2") }, false},
		{"the same group", func(tx hypercare.Tx) error { return tx.LockNotificationGroup(ctx, "shop", "g1") }, true},
		{"the same group of another service", func(tx hypercare.Tx) error { return tx.LockNotificationGroup(ctx, "search", "g1") }, false},
		{"the service's grouping lock", func(tx hypercare.Tx) error { return tx.LockGrouping(ctx, "shop") }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan error, 1)
			step := probe.Interleave(t, "", "b's lock", func() error {
				err := b.Write(ctx, "k", c.lock)
				done <- err
				return err
			})
			ended := false
			err := a.Write(ctx, "k", func(tx hypercare.Tx) error {
				if err := tx.LockNotificationGroup(ctx, "shop", "g1"); err != nil {
					return err
				}
				step.Hook() // b's write, until it ends or waits for a lock
				select {
				case <-done:
					ended = true
				default:
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := step.Err(); err != nil {
				t.Fatal(err)
			}
			if !ended {
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			if ended == c.waits {
				t.Errorf("b's lock ended while a held g1's: %v, want %v", ended, !c.waits)
			}
		})
	}
}
