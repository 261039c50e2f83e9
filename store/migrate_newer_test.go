package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

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

// Deployments (and test schemas) sharing one PostgreSQL database migrate
// at once: the migration lock is the schema's own. A node migrating
// schema A (its lock held here) holds up the nodes of A only.
func TestMigrationLockIsTheSchemas(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		if e.Name != "postgres" {
			return // one file per deployment: nothing shared
		}
		a, b := e.Options(t), e.Options(t)
		holder, err := sql.Open("pgx", a.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		ctx := context.Background()
		conn, err := holder.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		const key = "hashtextextended(current_schema() || ':migrate', 0)"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
			t.Fatal(err)
		}
		storetest.OpenStore(t, b) // would wait for a database-wide lock
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if s, err := store.Open(short, a); err == nil {
			s.Close()
			t.Fatal("opened schema A while its migration lock was held")
		}
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock("+key+")"); err != nil {
			t.Fatal(err)
		}
		storetest.OpenStore(t, a)
	})
}
