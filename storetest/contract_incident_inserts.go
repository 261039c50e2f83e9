package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testIncidentInsertsInBulk: new incidents numbered by the store and
// timeline entries may be written late, several rows a statement (SQLite
// holds them to the batch's next statement, PostgreSQL queues them), and
// still every read of the transaction sees them, every row lands with a
// number of its own, and a conflict fails its own request only, naming
// its row.
func testIncidentInsertsInBulk(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.InsertIncident(ctx, incident("inc-pre", 0, svcCheckout)); err != nil {
			return err
		}
		return tx.AppendTimeline(ctx, entry("tl-pre", "inc-pre"))
	})
	// 70 incidents and entries in one request (64 + 4 + 2 rows of each on
	// SQLite), read back in the transaction.
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for i := range 70 {
			id := fmt.Sprintf("inc-%02d", i)
			if err := tx.InsertIncident(ctx, incident(id, 0, svcCheckout)); err != nil {
				return err
			}
			if err := tx.AppendTimeline(ctx, entry("tl-"+id, id)); err != nil {
				return err
			}
		}
		inc, err := tx.GetIncident(ctx, "inc-69")
		if err != nil || inc == nil || inc.Title != "Disk full on inc-69" {
			return fmt.Errorf("incident inc-69 in the transaction = %+v, %v", inc, err)
		}
		return nil
	})
	pre, err := s.GetIncident(ctx, "inc-pre")
	if err != nil {
		t.Fatalf("incident inc-pre: %v", err)
	}
	numbers := map[int64]string{pre.Number: pre.ID}
	for i := range 70 {
		id := fmt.Sprintf("inc-%02d", i)
		inc, err := s.GetIncident(ctx, id)
		if err != nil {
			t.Fatalf("incident %s after commit: %v", id, err)
		}
		if other, ok := numbers[inc.Number]; ok {
			t.Errorf("incident %s has number %d, %s's", id, inc.Number, other)
		}
		numbers[inc.Number] = id
		if got, _, err := s.ListTimeline(ctx, id, hypercare.Page{}); err != nil || len(got) != 1 || got[0].ID != "tl-"+id {
			t.Errorf("timeline of %s after commit: %+v, %v; want tl-%s", id, got, err, id)
		}
	}
	// A taken incident ID and a taken entry ID: each conflict names its
	// row, and none of its request's rows is stored.
	for _, taken := range []struct{ incident, entry, name string }{
		{"inc-pre", "tl-y0", `"inc-pre"`}, {"inc-y1", "tl-pre", `"tl-pre"`},
	} {
		err := s.Write(ctx, "k", func(tx hypercare.Tx) error {
			for _, id := range []string{"inc-y0", taken.incident, "inc-y2"} {
				if err := tx.InsertIncident(ctx, incident(id, 0, svcCheckout)); err != nil {
					return err
				}
				if err := tx.AppendTimeline(ctx, entry(strings.Replace(id, "inc", "tl", 1), id)); err != nil {
					return err
				}
			}
			return tx.AppendTimeline(ctx, entry(taken.entry, "inc-y0"))
		})
		if hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), taken.name) {
			t.Errorf("insert of %s: %v; want a conflict naming it", taken.name, err)
		}
		for _, id := range []string{"inc-y0", "inc-y1", "inc-y2"} {
			if _, err := s.GetIncident(ctx, id); hypercare.ErrorCode(err) != hypercare.CodeNotFound {
				t.Errorf("incident %s of a failed request: %v; want not found", id, err)
			}
		}
	}
	incidentInsertIsolation(t, s, numbers)
}

// incidentInsertIsolation: requests sharing a commit, one inserting an
// incident whose ID is taken, one an entry whose ID is, and one failing
// after its inserts, fail alone; the others' incidents, entries and
// events commit, with numbers no other incident has.
func incidentInsertIsolation(t *testing.T, s *store.Store, numbers map[int64]string) {
	ctx := t.Context()
	insert := func(name, incidentID, entryID string) func(hypercare.Tx) error {
		return func(tx hypercare.Tx) error {
			if err := tx.InsertEvent(ctx, event(name)); err != nil {
				return err
			}
			if err := tx.InsertIncident(ctx, incident(incidentID, 0, svcCheckout)); err != nil {
				return err
			}
			return tx.AppendTimeline(ctx, entry(entryID, incidentID))
		}
	}
	fns := map[string]func(hypercare.Tx) error{
		"ok-a":         insert("ok-a", "inc-a", "tl-a"),
		"incident-dup": insert("incident-dup", "inc-pre", "tl-d"),
		"ok-b":         insert("ok-b", "inc-b", "tl-b"),
		"entry-dup":    insert("entry-dup", "inc-e", "tl-pre"),
		"ok-c":         insert("ok-c", "inc-c", "tl-c"),
		"boom": func(tx hypercare.Tx) error {
			if err := insert("boom", "inc-boom", "tl-boom")(tx); err != nil {
				return err
			}
			return errBoom
		},
	}
	StartRun(t, s)
	errs, _ := queueBehind(t, s, "k", "blocker-incidents", fns)
	for name, row := range map[string]string{"incident-dup": `"inc-pre"`, "entry-dup": `"tl-pre"`} {
		if err := errs[name]; hypercare.ErrorCode(err) != hypercare.CodeConflict || !strings.Contains(err.Error(), row) {
			t.Errorf("%s: %v; want a conflict naming %s", name, err, row)
		}
	}
	if !errors.Is(errs["boom"], errBoom) {
		t.Errorf("boom: %v; want its own error", errs["boom"])
	}
	ids := eventIDs(t, s)
	for _, name := range []string{"ok-a", "ok-b", "ok-c"} {
		if errs[name] != nil || !ids[name] {
			t.Errorf("%s: %v, event stored %v", name, errs[name], ids[name])
		}
	}
	for _, name := range []string{"incident-dup", "entry-dup", "boom"} {
		if ids[name] {
			t.Errorf("%s failed, and its event was stored", name)
		}
	}
	for _, id := range []string{"inc-e", "inc-boom"} {
		if _, err := s.GetIncident(ctx, id); hypercare.ErrorCode(err) != hypercare.CodeNotFound {
			t.Errorf("incident %s of a failed request: %v; want not found", id, err)
		}
	}
	for _, id := range []string{"a", "b", "c"} {
		inc, err := s.GetIncident(ctx, "inc-"+id)
		if err != nil {
			t.Fatalf("incident inc-%s: %v", id, err)
		}
		if other, ok := numbers[inc.Number]; ok {
			t.Errorf("incident inc-%s has number %d, %s's", id, inc.Number, other)
		}
		numbers[inc.Number] = inc.ID
		if got, _, err := s.ListTimeline(ctx, inc.ID, hypercare.Page{}); err != nil || len(got) != 1 || got[0].ID != "tl-"+id {
			t.Errorf("timeline of inc-%s: %+v, %v; want tl-%s", id, got, err, id)
		}
	}
}

// entry is a note on incidentID.
func entry(id, incidentID string) *hypercare.TimelineEntry {
	return &hypercare.TimelineEntry{ID: id, IncidentID: incidentID, At: t0, Type: hypercare.TimelineNote,
		Actor: hypercare.SystemActor, Message: "note " + id}
}
