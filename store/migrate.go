package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFiles are the forward-only schema migrations, one folder per
// dialect, named NNNN_name.sql and applied in order.
//
//go:embed migrations
var migrationFiles embed.FS

// migrateLockKey is the pg_advisory_lock key held while migrating the
// public schema, so nodes starting at once do not race ("hypercar" in
// ASCII).
const migrateLockKey = 0x6879706572636172

// migrateLockSQL and migrateUnlockSQL take and release the migration lock
// of the connection's schema. Advisory locks are database-wide but a
// deployment is one schema: deployments (or test schemas) sharing a
// database used to migrate one at a time. The public schema keeps the key
// every release took, so a node of an older release starting beside a
// newer one still waits for it; every other schema has a key of its own,
// as its NOTIFY channel does (streamChannelOf).
const (
	migrateLockSQL   = "SELECT pg_advisory_lock(" + migrateKeySQL + ")"
	migrateUnlockSQL = "SELECT pg_advisory_unlock(" + migrateKeySQL + ")"
	migrateKeySQL    = "CASE WHEN current_schema() = 'public' THEN $1::bigint " +
		"ELSE hashtextextended(current_schema() || ':migrate', 0) END"
)

type migration struct {
	version int64
	name    string
	sql     string
}

// loadMigrations reads dir's migrations in version order.
func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies every migration not yet recorded in schema_migrations,
// each in its own transaction. On an up-to-date database it changes
// nothing.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.d.migrations)
	if err != nil {
		return err
	}
	var conn *sql.Conn
	if s.wconn != nil {
		conn = s.wconn.conn // SQLite: the one write connection
	} else {
		if conn, err = s.db.Conn(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, migrateLockSQL, int64(migrateLockKey)); err != nil {
			return fmt.Errorf("migrate: take advisory lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), migrateUnlockSQL, int64(migrateLockKey))
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations ("+
		"version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := s.applyMigration(ctx, conn, m); err != nil {
			return err
		}
	}
	return refuseNewer(ctx, conn, ms)
}

// refuseNewer fails when the database records a migration this binary
// does not have: a newer Hypercare (or another branch's) migrated it, and
// this one would read and write a schema it does not know (an older
// binary would, for one, send live-stream events stored without a copy
// of their object as null).
func refuseNewer(ctx context.Context, conn *sql.Conn, ms []migration) error {
	known := map[int64]bool{}
	var newest int64
	for _, m := range ms {
		known[m.version], newest = true, max(newest, m.version)
	}
	rows, err := conn.QueryContext(ctx, "SELECT version, name FROM schema_migrations ORDER BY version")
	if err != nil {
		return fmt.Errorf("migrate: read the recorded migrations: %w", err)
	}
	defer rows.Close()
	var unknown []string
	for rows.Next() {
		var v int64
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return fmt.Errorf("migrate: read the recorded migrations: %w", err)
		}
		if !known[v] {
			unknown = append(unknown, fmt.Sprintf("%04d (%s)", v, name))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: read the recorded migrations: %w", err)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("the database was migrated by a newer Hypercare: it records schema migration %s, "+
			"which this binary (migrations up to %04d) does not have; run that version or a later one, "+
			"or restore a backup taken before the upgrade", strings.Join(unknown, ", "), newest)
	}
	return nil
}

// applyMigration runs m in a transaction unless it is already recorded.
// The check is inside the transaction (under SQLite's write lock or PG's
// advisory lock), so two processes cannot both apply it.
func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %04d_%s: begin: %w", m.version, m.name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
		m.version).Scan(&n); err != nil {
		return fmt.Errorf("migration %04d_%s: check: %w", m.version, m.name, err)
	}
	if n > 0 {
		return nil
	}
	s.log.Info("applying migration", "dialect", s.d.name, "version", m.version, "name", m.name)
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
		m.version, m.name, micros(time.Now())); err != nil {
		return fmt.Errorf("migration %04d_%s: record: %w", m.version, m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %04d_%s: commit: %w", m.version, m.name, err)
	}
	return nil
}
