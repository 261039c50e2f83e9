package storetest

import (
	"database/sql"
	"errors"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hypercare/hypercare/store"
)

// enUSDatabase is the database PostgresEnUS creates on the test server
// (once: later runs find it) and gives each test a schema of.
const enUSDatabase = "hypercare_test_en_us"

// PostgresEnUS is the PostgreSQL engine on a database whose default
// collation is ICU's en-US, as on a server initialised with an en_US
// locale (most installations): text there sorts as people read it
// ("checkout" before "Payments", "web_api" before "web-api"), not by
// bytes as on SQLite and on a test server in the C locale. Tests of what
// the store orders by text run on it too, so an ORDER BY that holds only
// under C collation fails. It skips when the server has no ICU.
func PostgresEnUS() Engine {
	e := Engine{Name: "postgres-en-US", Options: func(t testing.TB) store.Options {
		return store.Options{DatabaseURL: schemaURL(t, enUSBase(t))}
	}}
	e.Open = func(t testing.TB) *store.Store { return OpenStore(t, e.Options(t)) }
	return e
}

// enUSBase returns the URL of enUSDatabase, creating it when missing.
func enUSBase(t testing.TB) string {
	t.Helper()
	base := postgresBase(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvDatabaseURL, err)
	}
	defer admin.Close()
	_, err = admin.Exec("CREATE DATABASE " + enUSDatabase +
		" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'")
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
	case errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505"):
		// It exists, or another test process is creating it now.
	case errors.As(err, &pgErr) && pgErr.Code == "0A000":
		t.Skipf("PostgreSQL without ICU: %v", err)
	default:
		t.Fatalf("create database %s: %v", enUSDatabase, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s must be a postgres:// URL", EnvDatabaseURL)
	}
	u.Path = "/" + enUSDatabase
	return u.String()
}
