package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

func testOpenAlertUnique(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, alert("al-1", svcCheckout, "inc-1", "disk"))
	})
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		return tx.InsertAlert(ctx, alert("al-2", svcCheckout, "inc-1", "disk"))
	})
	wantCode(t, err, hypercare.CodeConflict)
	// Same dedup key on another service is another alert.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		return tx.InsertAlert(ctx, alert("al-3", svcSearch, "inc-1", "disk"))
	})
	// Once the first is resolved, the key may open a new alert.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		// Unlocked by any other transaction, the non-waiting read finds
		// the same alert.
		if a, err := tx.FindOpenAlertSkipLocked(ctx, svcCheckout, "disk"); err != nil || a == nil || a.ID != "al-1" {
			return fmt.Errorf("find open alert (skip locked) = %+v, %v", a, err)
		}
		a, err := tx.FindOpenAlert(ctx, svcCheckout, "disk")
		if err != nil || a == nil || a.ID != "al-1" {
			return fmt.Errorf("find open alert = %+v, %v", a, err)
		}
		a.Status, a.ResolvedAt = hypercare.StatusResolved, ptr(t0)
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return err
		}
		if a, err := tx.FindOpenAlert(ctx, svcCheckout, "disk"); err != nil || a != nil {
			return fmt.Errorf("resolved alert still open: %+v, %v", a, err)
		}
		if a, err := tx.FindOpenAlertSkipLocked(ctx, svcCheckout, "disk"); err != nil || a != nil {
			return fmt.Errorf("resolved alert still open (skip locked): %+v, %v", a, err)
		}
		return tx.InsertAlert(ctx, alert("al-2", svcCheckout, "inc-1", "disk"))
	})
	checkAlerts(t, s, hypercare.AlertFilter{ServiceID: svcCheckout, Statuses: []hypercare.Status{hypercare.StatusTriggered}},
		alert("al-2", svcCheckout, "inc-1", "disk"))
	// Reopening the resolved alert would make two open alerts: a
	// conflict (a unique violation raised by UPDATE, classified per engine).
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error {
		a := alert("al-1", svcCheckout, "inc-1", "disk")
		return tx.UpdateAlert(ctx, a)
	})
	wantCode(t, err, hypercare.CodeConflict)
	// A duplicate primary key is a conflict too.
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error {
		return tx.InsertAlert(ctx, alert("al-2", svcBilling, "inc-1", "other"))
	})
	wantCode(t, err, hypercare.CodeConflict)
}

// testConflictThenContinue: a conflict of a read-and-insert (a duplicate
// incident number, drawn in the INSERT's RETURNING on PostgreSQL) must not
// poison the transaction, on either engine (on PostgreSQL a raw unique
// violation would abort it), so a fn can go on after it. A second open
// alert fails its request, reported by InsertAlert (SQLite) or late, by
// the request's next statement that needs an answer or by the write
// itself (PostgreSQL queues the insert, Tx's doc): nothing of that
// request commits, and a new write finds and updates the open alert, as
// intake's retry does.
func testConflictThenContinue(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, alert("al-1", svcCheckout, "inc-1", "disk"))
	})
	for _, then := range []string{"read", "commit"} {
		err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
			if err := tx.InsertEvent(ctx, event("ev-conflict-"+then)); err != nil {
				return err
			}
			if err := tx.InsertAlert(ctx, alert("al-2-"+then, svcCheckout, "inc-1", "disk")); err != nil {
				return err
			}
			if then == "read" {
				_, err := tx.FindOpenAlert(ctx, svcCheckout, "disk")
				return err
			}
			return nil
		})
		wantCode(t, err, hypercare.CodeConflict)
		if eventIDs(t, s)["ev-conflict-"+then] {
			t.Errorf("conflict found at %s: the failed request's event was committed", then)
		}
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-2", 1, svcCheckout)); hypercare.ErrorCode(err) != hypercare.CodeConflict {
			return fmt.Errorf("duplicate incident number: %v, want conflict", err)
		}
		a, err := tx.FindOpenAlert(ctx, svcCheckout, "disk")
		if err != nil || a == nil {
			return fmt.Errorf("find open alert after conflict: %+v, %v", a, err)
		}
		a.EventCount++
		if err := tx.UpdateAlert(ctx, a); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, event("ev-after-conflict"))
	})
	got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{DedupKey: "disk"})
	if err != nil || len(got) != 1 || got[0].EventCount != 2 {
		t.Fatalf("alerts after conflict-then-update = %+v, %v", got, err)
	}
	if !eventIDs(t, s)["ev-after-conflict"] {
		t.Fatal("write after a conflict in the same fn was not committed")
	}
}

// testIncidentNumbers: numbers are unique and increase in the order each
// caller allocates them, with group commit and without, under concurrency.
func testIncidentNumbers(t *testing.T, open func(testing.TB) *store.Store) {
	for _, withRun := range []bool{true, false} {
		t.Run(fmt.Sprintf("run=%v", withRun), func(t *testing.T) {
			s := openSeeded(t, open)
			if withRun {
				StartRun(t, s)
			}
			const workers, each = 20, 10
			nums := make([][]int64, workers)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range each {
						id := fmt.Sprintf("inc-%d-%d", w, i)
						var n int64 // the last attempt's number: fn may run again on retry
						err := s.Write(t.Context(), id, func(tx hypercare.Tx) (err error) {
							if n, err = tx.NextIncidentNumber(t.Context()); err != nil {
								return err
							}
							return tx.InsertIncident(t.Context(), incident(id, n, svcCheckout))
						})
						if err != nil {
							t.Errorf("write %s: %v", id, err)
							return
						}
						nums[w] = append(nums[w], n)
					}
				})
			}
			wg.Wait()
			checkNumbers(t, s, nums, workers*each)
		})
	}
}

func checkNumbers(t *testing.T, s *store.Store, nums [][]int64, total int) {
	t.Helper()
	for w, ns := range nums {
		if !slices.IsSorted(ns) || len(slices.Compact(slices.Clone(ns))) != len(ns) {
			t.Errorf("worker %d got numbers %v: not strictly increasing", w, ns)
		}
	}
	incs, _, err := s.ListIncidents(t.Context(), hypercare.IncidentFilter{Page: hypercare.Page{Limit: 1000}})
	if err != nil || len(incs) != total {
		t.Fatalf("ListIncidents = %d, %v; want %d", len(incs), err, total)
	}
	seen := map[int64]bool{}
	for _, inc := range incs {
		if seen[inc.Number] || inc.Number <= 0 {
			t.Fatalf("incident number %d duplicated or not positive", inc.Number)
		}
		seen[inc.Number] = true
	}
}
