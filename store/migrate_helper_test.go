package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hypercare/hypercare/store"
)

// oldDB is a database as an older binary left it, for the test of one
// migration: raw SQL writes the old schema and rows, then upgrade opens
// the store, which applies the migrations still missing.
type oldDB struct {
	t    *testing.T
	db   *sql.DB
	opts store.Options
	// dir is the dialect's migrations folder: sqlite or postgres.
	dir string
}

// openOld opens the database opts names with a raw connection.
func openOld(t *testing.T, opts store.Options) *oldDB {
	t.Helper()
	driver, dsn, dir := "pgx", opts.DatabaseURL, "postgres"
	if opts.DatabaseURL == "" {
		driver, dsn, dir = "sqlite", filepath.Join(opts.DataDir, "hypercare.db"), "sqlite"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &oldDB{t: t, db: db, opts: opts, dir: dir}
}

// openCurrent opens the database opts names at the current schema (the
// store migrates it and is closed), with a raw connection, to undo or add
// what a test needs.
func openCurrent(t *testing.T, opts store.Options) *oldDB {
	t.Helper()
	s, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return openOld(t, opts)
}

// exec runs q on the raw connection or fails the test.
func (o *oldDB) exec(q string, args ...any) {
	o.t.Helper()
	if _, err := o.db.Exec(q, args...); err != nil {
		o.t.Fatalf("%.60s: %v", q, err)
	}
}

// apply creates schema_migrations and applies the named migration files
// in the order given, recording each as the store does.
func (o *oldDB) apply(names ...string) {
	o.t.Helper()
	o.exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
	for _, name := range names {
		v, err := strconv.Atoi(name[:4])
		if err != nil {
			o.t.Fatalf("migration %q: no number", name)
		}
		b, err := os.ReadFile(filepath.Join("migrations", o.dir, name))
		if err != nil {
			o.t.Fatal(err)
		}
		o.exec(string(b))
		o.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)", v, name)
	}
}

// applyBelow applies every migration numbered below version, in order.
func (o *oldDB) applyBelow(version int) {
	o.t.Helper()
	files, err := os.ReadDir(filepath.Join("migrations", o.dir))
	if err != nil {
		o.t.Fatal(err)
	}
	var names []string
	for _, f := range files { // ReadDir sorts by name, so by number
		if v, err := strconv.Atoi(f.Name()[:4]); err == nil && v < version {
			names = append(names, f.Name())
		}
	}
	o.apply(names...)
}

// upgrade closes the raw connection and opens the store, which migrates
// the database; the store is closed when the test ends.
func (o *oldDB) upgrade() *store.Store {
	o.t.Helper()
	o.db.Close()
	s, err := store.Open(context.Background(), o.opts)
	if err != nil {
		o.t.Fatal(err)
	}
	o.t.Cleanup(func() { s.Close() })
	return s
}
