package store_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestOpenMustExist: with MustExist, Open refuses a directory without a
// database and creates nothing there (not even the directory), so `token
// create` run from the wrong directory cannot leave a stray database
// behind; once the database exists it opens, and Location names its file.
func TestOpenMustExist(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, err := store.Open(t.Context(), store.Options{DataDir: dir, MustExist: true})
	if !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), filepath.Join(dir, "hypercare.db")) {
		t.Fatalf("Open(MustExist) on an empty directory: %v, want ErrNoDatabase naming the file", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open(MustExist) created %s (stat: %v)", dir, err)
	}
	storetest.OpenStore(t, store.Options{DataDir: dir}).Close()
	s := storetest.OpenStore(t, store.Options{DataDir: dir, MustExist: true})
	if want := "SQLite database " + filepath.Join(dir, "hypercare.db"); s.Location() != want {
		t.Errorf("Location() = %q, want %q", s.Location(), want)
	}
}

// TestOpenPostgresMissingSchema: a database URL whose search_path names a
// schema that does not exist fails with a message saying so and how to
// create it, not PostgreSQL's bare SQLSTATE 3F000.
func TestOpenPostgresMissingSchema(t *testing.T) {
	u, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", "hc_no_such_schema")
	u.RawQuery = q.Encode()
	s, err := store.Open(context.Background(), store.Options{DatabaseURL: u.String()})
	if err == nil {
		s.Close()
		t.Fatal("Open with a missing schema succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "schema hc_no_such_schema does not exist") ||
		!strings.Contains(msg, "CREATE SCHEMA hc_no_such_schema") || strings.Contains(msg, "SQLSTATE") {
		t.Errorf("Open with a missing schema: %q, want it named with how to create it", msg)
	}
}

// TestLocationPostgres: Location names the database and search_path and
// never the password.
func TestLocationPostgres(t *testing.T) {
	raw := storetest.PostgresURL(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.OpenStore(t, store.Options{DatabaseURL: raw})
	loc := s.Location()
	if !strings.HasPrefix(loc, "PostgreSQL database ") || !strings.Contains(loc, u.Query().Get("search_path")) {
		t.Errorf("Location() = %q", loc)
	}
	if pw, ok := u.User.Password(); ok && strings.Contains(loc, pw) {
		t.Errorf("Location() = %q shows the password", loc)
	}
}
