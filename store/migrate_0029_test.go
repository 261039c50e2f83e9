package store_test

import (
	"context"
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

// A stream event written before migration 0029 carries a copy of its
// object and no object ID: after the migration a client resuming across
// it still gets that copy.
func TestMigration0029KeepsCopiedStreamEvents(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		o := openOld(t, e.Options(t))
		o.applyBelow(29)
		insert := "INSERT INTO stream_events (at, kind, op, incident_id, payload) VALUES (1, 'incident', 'created', 'inc-old', $1)"
		if o.dir == "postgres" {
			insert = "INSERT INTO stream_events (id, at, kind, op, incident_id, payload) VALUES (7, 1, 'incident', 'created', 'inc-old', $1)"
		}
		o.exec(insert, `{"id":"inc-old","status":"triggered"}`)
		s := o.upgrade()
		evs, err := s.StreamAfter(context.Background(), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].ObjectID != "" || string(evs[0].Object) != `{"id":"inc-old","status":"triggered"}` {
			t.Fatalf("events after 0029 = %+v", evs)
		}
	})
}
