package store_test

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

// Two stores on one database (two nodes): a lock one holds makes the
// other wait for it, whatever connection each uses; another key does not
// wait; a wait given up when its context ends leaves no lock behind.
// SQLite serves one node per file, so its lock returns at once.
func TestLockAcrossNodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		a, b := storetest.OpenStore(t, opts), storetest.OpenStore(t, opts)
		ctx := context.Background()
		const key = "pace:alice:sms"
		if _, err := a.LockAcrossNodes(ctx, "bad\x00key"); err == nil {
			t.Error("a key with a NUL byte was taken")
		}
		unlockA, err := a.LockAcrossNodes(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == "sqlite" {
			unlockB, err := b.LockAcrossNodes(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			unlockB()
			unlockA()
			return
		}
		unlockOther, err := b.LockAcrossNodes(ctx, "pace:bob:sms")
		if err != nil {
			t.Fatalf("another key: %v", err)
		}
		unlockOther()

		got := make(chan error, 1)
		go func() {
			unlock, err := b.LockAcrossNodes(ctx, key)
			if err == nil {
				defer unlock()
			}
			got <- err
		}()
		storetest.WaitForNodeLockWaiter(t, opts.DatabaseURL, key)
		select {
		case err := <-got:
			t.Fatalf("the second node took a held lock (%v)", err)
		default:
		}
		unlockA()
		if err := <-got; err != nil {
			t.Fatalf("after release: %v", err)
		}

		// A wait that ends with its context holds nothing afterwards.
		unlockA, err = a.LockAcrossNodes(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		go func() {
			unlock, err := b.LockAcrossNodes(cctx, key)
			if err == nil {
				unlock()
			}
			got <- err
		}()
		storetest.WaitForNodeLockWaiter(t, opts.DatabaseURL, key)
		cancel()
		if err := <-got; err == nil {
			t.Fatal("a cancelled wait took the lock")
		}
		unlockA()
		unlock, err := b.LockAcrossNodes(ctx, key)
		if err != nil {
			t.Fatalf("after a cancelled wait: %v", err)
		}
		unlock()
	})
}
