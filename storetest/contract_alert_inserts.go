package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testAlertInsertsInBulk: new alerts may be written late, several rows a
// statement (SQLite holds them to the batch's next statement, PostgreSQL
// queues them), and still every read of the transaction sees them, every
// row lands, and a conflict fails its own request only, naming its alert.
func testAlertInsertsInBulk(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-1", 1, svcCheckout)); err != nil {
			return err
		}
		return tx.InsertAlert(ctx, alert("al-pre", svcCheckout, "inc-1", "pre"))
	})
	// 70 alerts in one request (64 + 4 + 2 rows on SQLite), read back in
	// the transaction by SQL and by key.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i := range 70 {
			if err := tx.InsertAlert(ctx, alert(fmt.Sprintf("al-%02d", i), svcCheckout, "inc-1", fmt.Sprintf("k%02d", i))); err != nil {
				return err
			}
		}
		got, err := tx.AlertsOfIncident(ctx, "inc-1")
		if err != nil || len(got) != 71 {
			return fmt.Errorf("alerts of incident in the transaction: %d, %v; want 71", len(got), err)
		}
		if a, err := tx.FindOpenAlert(ctx, svcCheckout, "k69"); err != nil || a == nil || a.ID != "al-69" {
			return fmt.Errorf("find open alert k69 = %+v, %v", a, err)
		}
		return nil
	})
	if got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{IncidentID: "inc-1", Page: hypercare.Page{Limit: 100}}); err != nil || len(got) != 71 {
		t.Fatalf("alerts of inc-1 after commit: %d, %v; want 71", len(got), err)
	}
	// One request, its fourth alert's ID taken: the conflict names it and
	// none of the request's alerts is stored.
	err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
		for i, id := range []string{"al-x0", "al-x1", "al-x2", "al-pre", "al-x4"} {
			if err := tx.InsertAlert(ctx, alert(id, svcCheckout, "inc-1", fmt.Sprint("x", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), `"al-pre"`) {
		t.Errorf("insert of a taken ID: %v; want a conflict naming al-pre", err)
	}
	checkNoAlerts(t, s, "x0", "x1", "x2", "x4")
	// A second open alert of a key: refused by InsertAlert, or by the next
	// statement; never read back as the key's open alert.
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error {
		ierr := tx.InsertAlert(ctx, alert("al-second", svcCheckout, "inc-1", "pre"))
		a, ferr := tx.FindOpenAlert(ctx, svcCheckout, "pre")
		switch {
		case ierr != nil && (ferr != nil || a == nil || a.ID != "al-pre"):
			return fmt.Errorf("after the refused insert (%v), find open alert = %+v, %v; want al-pre", ierr, a, ferr)
		case ierr == nil && ferr == nil:
			return fmt.Errorf("insert of a second open alert and its read passed: read %+v", a)
		case ierr != nil:
			return ierr
		}
		return ferr
	})
	if hypercare.ErrorCode(err) != hypercare.CodeConflict {
		t.Errorf("second open alert of a key: %v; want a conflict", err)
	}
	alertInsertIsolation(t, s)
}

// alertInsertIsolation: requests sharing a commit, one inserting an alert
// whose ID a stored alert has, two the same new ID and one failing after
// its insert, fail alone (one of the two, whichever the batch ran second);
// the others' alerts and events commit.
func alertInsertIsolation(t *testing.T, s *store.Store) {
	ctx := t.Context()
	insert := func(name string, ids ...string) func(hypercare.Tx) error {
		return func(tx hypercare.Tx) error {
			if err := tx.InsertEvent(ctx, event(name)); err != nil {
				return err
			}
			for _, id := range ids {
				if err := tx.InsertAlert(ctx, alert(id, svcCheckout, "inc-1", name+"/"+id)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	fns := map[string]func(hypercare.Tx) error{
		"ok-a":   insert("ok-a", "al-a1", "al-a2", "al-a3"),
		"taken":  insert("taken", "al-t1", "al-pre"),
		"ok-b":   insert("ok-b", "al-b1", "al-b2"),
		"pair-1": insert("pair-1", "al-p1", "al-same"),
		"pair-2": insert("pair-2", "al-p2", "al-same"),
		"boom": func(tx hypercare.Tx) error {
			if err := insert("boom", "al-boom")(tx); err != nil {
				return err
			}
			return errBoom
		},
	}
	StartRun(t, s)
	errs, _ := queueBehind(t, s, "k", "blocker-alerts", fns)
	if err := errs["taken"]; hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), `"al-pre"`) {
		t.Errorf("taken: %v; want a conflict naming al-pre", err)
	}
	if !errors.Is(errs["boom"], errBoom) {
		t.Errorf("boom: %v; want its own error", errs["boom"])
	}
	won, lost := "pair-1", "pair-2"
	if errs[won] != nil {
		won, lost = lost, won
	}
	if err := errs[lost]; hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), `"al-same"`) {
		t.Errorf("%s: %v; want a conflict naming al-same (%s: %v)", lost, err, won, errs[won])
	}
	for _, name := range []string{"ok-a", "ok-b", won} {
		if errs[name] != nil {
			t.Errorf("%s: %v", name, errs[name])
		}
	}
	ids := eventIDs(t, s)
	if !ids["ok-a"] || !ids["ok-b"] || !ids[won] || ids["taken"] || ids[lost] || ids["boom"] {
		t.Errorf("events after the batch: %v; want ok-a, ok-b and %s only", ids, won)
	}
	own := map[string]string{"pair-1": "al-p1", "pair-2": "al-p2"}
	checkNoAlerts(t, s, "boom/al-boom", "taken/al-t1", lost+"/"+own[lost], lost+"/al-same")
	for _, key := range []string{"ok-a/al-a1", "ok-a/al-a2", "ok-a/al-a3", "ok-b/al-b1", "ok-b/al-b2", won + "/" + own[won], won + "/al-same"} {
		if got, _, err := s.ListAlerts(ctx, hypercare.AlertFilter{DedupKey: key}); err != nil || len(got) != 1 {
			t.Errorf("alerts of key %s: %d, %v; want 1", key, len(got), err)
		}
	}
}

// checkNoAlerts fails t if any alert of the dedup keys is stored.
func checkNoAlerts(t *testing.T, s *store.Store, keys ...string) {
	t.Helper()
	for _, key := range keys {
		got, _, err := s.ListAlerts(t.Context(), hypercare.AlertFilter{DedupKey: key})
		if err != nil || len(got) != 0 {
			t.Errorf("alerts of key %s: %d, %v; want none", key, len(got), err)
		}
	}
}
