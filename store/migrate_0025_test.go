package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// A verification code pending before migration 0025 was hashed without a
// server key, so it can never match a keyed hash: the migration expires
// it (the user is told to send a new code) and keeps methods already
// verified.
func TestMigration0025ExpiresUnkeyedCodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		driver, dsn, dir := "pgx", opts.DatabaseURL, "postgres"
		if opts.DatabaseURL == "" {
			driver, dsn, dir = "sqlite", filepath.Join(opts.DataDir, "hypercare.db"), "sqlite"
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%.60s: %v", q, err)
			}
		}
		exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
		files, err := os.ReadDir(filepath.Join("migrations", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			v, err := strconv.Atoi(f.Name()[:4])
			if err != nil || v >= 25 {
				continue
			}
			b, err := os.ReadFile(filepath.Join("migrations", dir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			exec(string(b))
			exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)", v, f.Name())
		}
		later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
		exec("INSERT INTO contact_verifications (user_id, contact_method, address_hash, code_hash, expires_at, attempts, verified_at) "+
			"VALUES ('alice', 'alice-sms', 'a1', 'unkeyed', $1, 0, NULL), ('bob', 'bob-sms', 'b1', '', 0, 0, 5)", later)
		db.Close()

		s, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		if out, err := s.ConfirmVerification(ctx, "alice", "alice-sms", "a1", "unkeyed", 5, now); err != nil || out != store.CodeExpired {
			t.Fatalf("pending code after 0025 = %v, %v; want CodeExpired", out, err)
		}
		list, err := s.Verifications(ctx)
		if err != nil || len(list) != 1 || list[0].UserID != "bob" {
			t.Fatalf("verified methods after 0025 = %+v, %v", list, err)
		}
	})
}
