package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// sqliteFile is the database file name inside Options.DataDir.
const sqliteFile = "hypercare.db"

// busyTimeoutMS is how long a SQLite connection waits for a lock held by
// another process before failing with SQLITE_BUSY (which the writer retries).
const busyTimeoutMS = "5000"

func openSQLite(ctx context.Context, opts Options) (*Store, error) {
	path, err := filepath.Abs(filepath.Join(opts.DataDir, sqliteFile))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if opts.MustExist {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open sqlite: %w at %s", ErrNoDatabase, path)
		}
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite: create data dir: %w", err)
	}
	// A file: URI with an escaped path, so '?' or '#' in a directory name
	// cannot be mistaken for parameters.
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(" + busyTimeoutMS + ")"
	sync := "FULL"
	if opts.Throwaway {
		// A crash loses a database nobody keeps; a
		// larger page cache keeps the replay's working set in memory.
		sync = "OFF"
		base += "&_pragma=cache_size(-32768)"
	}
	// Foreign keys off: as on PostgreSQL (migration 0046), no reference is
	// checked by the database, whose check cost every row naming an
	// incident or a service a lookup; the store keeps them whole and the
	// tests count what it misses (Store.Orphans).
	db, err := sql.Open("sqlite", base+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous("+sync+")&_pragma=foreign_keys(0)&_pragma=temp_store(MEMORY)&_txlock=immediate"+
		"&_pragma=wal_autocheckpoint("+strconv.Itoa(walBoundPages)+")")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)

	conn, err := connectSQLite(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("open sqlite read pool %s: %w", path, err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)

	ckpt, err := openCheckpointer(base + "&_pragma=synchronous(" + sync + ")")
	if err != nil {
		rdb.Close()
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s := newStore(sqliteDialect(), opts, db, rdb, 1)
	s.ckpt = ckpt
	s.location = "SQLite database " + path
	s.wconn = newWriteConn(conn, &s.q, true)
	s.wconn.alerts = newAlertCache()
	s.keys = newAlertKeys()
	s.wconn.keys = s.keys
	s.wconn.silences, s.wconn.changes, s.wconn.numbers = &silenceCache{}, &changeCache{}, &numberCache{}
	s.wconn.deferEvents, s.wconn.holdInserts = true, true
	s.log.Debug("sqlite database", "path", path)
	return s, nil
}

// connectSQLite opens the write connection. Switching a new database to
// WAL needs an exclusive lock that SQLite does not wait for with the busy
// handler, so two processes creating the same database at once retry.
func connectSQLite(ctx context.Context, db *sql.DB) (*sql.Conn, error) {
	for attempt := 1; ; attempt++ {
		conn, err := db.Conn(ctx)
		if err == nil || classifySQLite(err) != classRetryable || attempt == 20 {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff(attempt)):
		}
	}
}

func openPostgres(ctx context.Context, opts Options) (*Store, error) {
	db, err := sql.Open("pgx", opts.DatabaseURL)
	if err != nil {
		// The URL may hold a password: never echo it.
		return nil, fmt.Errorf("open postgres: %w", redactErr(err))
	}
	db.SetMaxOpenConns(opts.Writers + 20)
	db.SetMaxIdleConns(opts.Writers + 20)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", redactErr(err))
	}
	schema, err := checkSchema(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := newStore(postgresDialect(), opts, db, db, opts.Writers)
	s.channel = streamChannelOf(schema)
	s.location = postgresLocation(opts.DatabaseURL)
	if s.nodeLocks, err = openNodeLocks(opts.DatabaseURL); err != nil {
		db.Close()
		return nil, err
	}
	if s.live, err = openLiveness(ctx, opts.DatabaseURL, s.node); err != nil {
		s.nodeLocks.Close()
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkSchema fails clearly when no schema on the connection's search_path
// exists (a search_path in the URL naming a schema not yet created):
// otherwise the first migration fails with PostgreSQL's bare "no schema
// has been selected to create in (SQLSTATE 3F000)".
func checkSchema(ctx context.Context, db *sql.DB) (string, error) {
	var current sql.NullString
	var searchPath string
	if err := db.QueryRowContext(ctx, "SELECT current_schema(), current_setting('search_path')").Scan(&current, &searchPath); err != nil {
		return "", fmt.Errorf("open postgres: read search_path: %w", err)
	}
	if current.Valid {
		return current.String, nil
	}
	var first string
	for _, name := range strings.Split(searchPath, ",") {
		if name = strings.TrimSpace(name); first == "" || first == `"$user"` {
			first = name
		}
	}
	return "", fmt.Errorf("open postgres: schema %s does not exist (search_path is %q): create it first "+
		"(CREATE SCHEMA %s;) or change search_path in the database URL", first, searchPath, first)
}

// postgresLocation describes a database URL without its credentials.
func postgresLocation(databaseURL string) string {
	cfg, err := pgconn.ParseConfig(databaseURL)
	if err != nil {
		return "PostgreSQL database"
	}
	loc := fmt.Sprintf("PostgreSQL database %q on %s:%d", cfg.Database, cfg.Host, cfg.Port)
	if sp := cfg.RuntimeParams["search_path"]; sp != "" {
		loc += fmt.Sprintf(", search_path %q", sp)
	}
	return loc
}

// redactErr replaces a URL parse error, whose text quotes the URL and so
// maybe a password (pgx redacts only on a best-effort basis), with a fixed
// message.
func redactErr(err error) error {
	var perr *pgconn.ParseConfigError
	if errors.As(err, &perr) {
		return errors.New("cannot parse database URL")
	}
	return err
}
