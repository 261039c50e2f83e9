package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// A binary older than the database it is pointed at (a rollback after an
// upgrade, or an old node left running) refuses to start, naming both
// schema versions, instead of working on a schema it does not know.
func TestOpenRefusesANewerSchema(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		o := openCurrent(t, opts)
		o.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_a_later_release.sql', 0)")
		o.db.Close()
		s, err := store.Open(context.Background(), opts)
		if err == nil {
			s.Close()
			t.Fatal("opened a database migrated by a newer binary")
		}
		if !strings.Contains(err.Error(), "9999 (from_a_later_release.sql)") || !strings.Contains(err.Error(), "newer Hypercare") {
			t.Fatalf("error = %v", err)
		}
	})
}
