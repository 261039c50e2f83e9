// Package storetest runs Hypercare's tests on every store engine: SQLite
// always, PostgreSQL when HYPERCARE_TEST_DATABASE_URL is set (and CI must
// set it). It holds the contract suite every engine must pass, and helpers
// other packages use to run their own tests on both engines, so "works on
// SQLite" never hides "broken on PostgreSQL".
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hypercare/hypercare/store"
)

// EnvDatabaseURL names the PostgreSQL server tests use, e.g.
// postgres://root@127.0.0.1:5432/test?sslmode=disable. Each test gets its
// own schema there.
const EnvDatabaseURL = "HYPERCARE_TEST_DATABASE_URL"

// Engine is one store engine to run a test on.
type Engine struct {
	Name string
	// Options returns options naming a fresh, empty database (a temporary
	// directory or PostgreSQL schema) removed when the test ends; for tests
	// that open it themselves, e.g. twice or through the server binary.
	Options func(t testing.TB) store.Options
	// Open opens a fresh migrated store, closed when the test ends.
	Open func(t testing.TB) *store.Store
}

// Engines returns SQLite and PostgreSQL. The PostgreSQL engine skips its
// test when EnvDatabaseURL is unset, and fails it when CI=true.
func Engines(t testing.TB) []Engine {
	t.Helper()
	sqlite := Engine{Name: "sqlite", Options: func(t testing.TB) store.Options {
		return store.Options{DataDir: t.TempDir()}
	}}
	pg := Engine{Name: "postgres", Options: func(t testing.TB) store.Options {
		return store.Options{DatabaseURL: PostgresURL(t), Writers: TestWriters}
	}}
	engines := []Engine{sqlite, pg}
	for i := range engines {
		opts := engines[i].Options
		engines[i].Open = func(t testing.TB) *store.Store { return OpenStore(t, opts(t)) }
	}
	engines[0].Open = func(t testing.TB) *store.Store {
		o := sqlite.Options(t)
		template.seed(t, o.DataDir)
		return OpenStore(t, o)
	}
	return engines
}

// ForEachEngine runs fn as one subtest per engine. Without EnvDatabaseURL
// the PostgreSQL subtest is skipped once (failed when CI=true) instead of
// in every test nested inside it.
func ForEachEngine(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			if e.Name == "postgres" {
				postgresBase(t)
			}
			fn(t, e)
		})
	}
}

// OpenStore opens a store with opts (on PostgreSQL TestWriters writers,
// unless opts names a number) and closes it when the test ends.
func OpenStore(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	if opts.Writers == 0 {
		opts.Writers = TestWriters
	}
	s, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		checkReferences(t, s)
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

// checkReferences fails the test if its store holds a row naming a row
// that does not exist. No database checks the references (migration 0046
// dropped the foreign keys for speed): the store keeps them whole, and
// this check, run as every test's store closes, is what holds it to that.
func checkReferences(t testing.TB, s *store.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	orphans, err := s.Orphans(ctx)
	if errors.Is(err, store.ErrClosed) {
		return
	}
	if err != nil {
		t.Errorf("check references: %v", err)
		return
	}
	for ref, n := range orphans {
		if n != 0 {
			t.Errorf("%d rows of %s name a row that does not exist", n, ref)
		}
	}
}

// TestWriters is the number of PostgreSQL writers of the stores OpenStore
// opens unless told otherwise: 4 whatever this machine's CPUs (the
// default of an 8-CPU machine, store.AutoWriters), so that the tests
// cover as many writers waiting on each other's locks on a 2-CPU CI
// machine as before the default followed the CPUs.
const TestWriters = 4

// PostgresURL returns a URL of the test PostgreSQL server whose
// search_path is a fresh schema, dropped when the test ends. Without
// EnvDatabaseURL it skips the test, or fails it when CI=true.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return schemaURL(t, postgresBase(t))
}

// schemaURL returns base with a search_path of a fresh schema, dropped
// when the test ends.
func schemaURL(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvDatabaseURL)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "hc_test_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvDatabaseURL, err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(t, base, schema) })

	q := u.Query()
	q.Set("search_path", schema)
	// The sessions of one test are told apart from other tests' by it
	// (LockProbe).
	q.Set("application_name", schema)
	// A test's commits need not wait for PostgreSQL's WAL flush: nothing
	// here survives a PostgreSQL crash, and a store open (38 migrations)
	// took ~300 ms instead of ~230.
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// postgresBase returns EnvDatabaseURL, skipping the test without it (or
// failing it when CI=true: CI must never silently skip PostgreSQL).
func postgresBase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests", EnvDatabaseURL)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://root@127.0.0.1:5432/test?sslmode=disable)", EnvDatabaseURL)
	}
	return base
}

func dropSchema(t testing.TB, base, schema string) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Errorf("drop test schema: %v", err)
		return
	}
	defer admin.Close()
	// DROP … CASCADE locks the schema's objects one by one; a session of
	// the test's that is still ending (a LISTEN connection closing, an
	// engine's last write failing) can take one of them in another order
	// and PostgreSQL picks the DROP as the deadlock victim. It is retried:
	// the test is over, only its leftovers are in the way.
	for attempt := 1; ; attempt++ {
		_, err = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		var pgErr *pgconn.PgError
		if err == nil || attempt == 5 || !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			break
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	if err != nil {
		t.Errorf("drop test schema %s: %v", schema, err)
	}
}
