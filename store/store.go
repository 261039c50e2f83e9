// Package store is Hypercare's one SQL implementation of hypercare.Store,
// for both SQLite (embedded, zero setup) and PostgreSQL (multi-node).
//
// Both engines run the same portable SQL through database/sql; a small
// dialect value holds the few differences (migrations folder, row locks,
// incident-number source, error classification). Writes go through group
// commit: while Run is active, concurrent Write calls share one durable
// commit, which is what lets a single SQLite file with synchronous=FULL
// acknowledge tens of thousands of events per second. Without Run (CLI
// commands, simple tests) each Write is its own transaction.
//
// Use:
//
//	s, err := store.Open(ctx, store.Options{DataDir: dir}) // or DatabaseURL: "postgres://…"
//	defer s.Close()
//	go s.Run(ctx) // group commit until ctx ends
//	err = s.Write(ctx, key, func(tx hypercare.Tx) error { … })
//
// Text that PostgreSQL cannot store (NUL bytes, invalid UTF-8) is rejected
// with invalid_argument on both engines, so the engines behave the same.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hypercare/hypercare"
)

// Options configures Open.
type Options struct {
	// DatabaseURL selects PostgreSQL (postgres:// or postgresql://). Empty
	// means SQLite in DataDir.
	DatabaseURL string
	// DataDir holds the SQLite database file hypercare.db. Default
	// "hypercare-data", created with mode 0700 because it holds secrets'
	// hashes and incident data.
	DataDir string
	// Writers is the number of parallel group-commit writers on
	// PostgreSQL (0: AutoWriters). SQLite always has exactly one writer.
	Writers int
	// MaxBatch bounds how many Write calls share one commit (default 256).
	MaxBatch int
	// Logger receives lifecycle and migration messages (default: none).
	Logger *slog.Logger
	// MustExist makes Open fail with ErrNoDatabase instead of creating a
	// new SQLite database. Admin commands that work on the server's store
	// (`token create`) set it: run from the wrong directory they would
	// otherwise write to a fresh, empty database the server never reads.
	// PostgreSQL databases are never created by Open, so it does not
	// apply there.
	MustExist bool
	// Throwaway turns off SQLite's fsync at commit (synchronous=OFF) for a
	// database deleted after use, such as replay's: commits then cost no
	// disk flush, and a crash loses only what nobody keeps. Never set it
	// for the server's database: a 2xx must mean durable.
	Throwaway bool
}

// ErrNoDatabase is returned by Open with MustExist when DataDir holds no
// SQLite database.
var ErrNoDatabase = errors.New("no database")

// ErrClosed is returned by Orphans once the store is closed: a test that
// closed its store itself has nothing left to check.
var ErrClosed = errors.New("store closed")

// Defaults for Options.
const (
	DefaultDataDir  = "hypercare-data"
	DefaultMaxBatch = 256
)

// Store implements hypercare.Store on SQLite or PostgreSQL.
type Store struct {
	d        *dialect
	location string // see Location
	q        [numQueries]string
	// guards are the writes of q made to fail when they affect no row
	// (PostgreSQL only; pipeline_guard.go).
	guards [numQueries]string
	// plainGuards marks the guards that are inserts without their ON
	// CONFLICT DO NOTHING (plainGuard).
	plainGuards [numQueries]bool
	// merged are the multi-row texts of the inserts a queue's runs merge
	// into (PostgreSQL only; pipeline_merge.go).
	merged multiRowSQLs
	// openKeys remembers the alert keys FindOpenAlert last found open,
	// so a re-trigger does not read ahead the key's recent alerts
	// (PostgreSQL only; recent_prefetch.go).
	openKeys openKeyHint
	log      *slog.Logger
	// db is the write pool: exactly one connection on SQLite, the only
	// pool on PostgreSQL.
	db *sql.DB
	// rdb is the read pool: query_only connections on SQLite, so reads
	// never wait for the writer; the same pool as db on PostgreSQL.
	rdb *sql.DB
	// reads caches the read pool's prepared statements (SQLite;
	// readstmt.go).
	reads readStmts
	// nodeLocks holds LockAcrossNodes' sessions (PostgreSQL only; nil on
	// SQLite; nodelock.go).
	nodeLocks *sql.DB
	// live holds this node's liveness lock (PostgreSQL only; nil on
	// SQLite; liveness.go).
	live *liveness
	// ckpt runs WAL checkpoints off the write path (SQLite only; nil on
	// PostgreSQL; checkpoint.go).
	ckpt *checkpointer
	// wconn is SQLite's one write connection with its prepared statements,
	// held for the store's life and guarded by wmu.
	wmu   sync.Mutex
	wconn *writeConn
	// keys is the alert-key filter of SQLite's writer (keyfilter.go); nil
	// on PostgreSQL.
	keys *alertKeys

	writers  int
	maxBatch int

	runMu  sync.Mutex // guards run start/stop and closed
	run    atomic.Pointer[runState]
	closed bool

	stats writeStats
	// requests recycles Write's request objects (and their channels): at
	// tens of thousands of writes per second they show up in profiles.
	requests sync.Pool
	// streamSig fires after each commit that published stream events
	// (stream.go).
	streamSig signal
	// channel is the LISTEN/NOTIFY channel of this deployment's schema
	// (PostgreSQL: streamChannelOf).
	channel string
	// streamNotify queues a NOTIFY for the announcer, streamHeld a
	// re-wake for events held back by the watermark (PG; stream.go).
	streamNotify, streamHeld chan struct{}
	// announcing is set while Run's announcer sends the NOTIFYs.
	announcing atomic.Bool
	// wakes marks the queries that write engine work; workSig fires after
	// a commit that ran one, and notifyWork makes the next NOTIFY say so,
	// naming node (wake.go).
	wakes      [numQueries]bool
	workSig    signal
	notifyWork atomic.Bool
	node       string
}

var _ hypercare.Store = (*Store)(nil)

// Open opens (creating if needed) and migrates the database named by opts.
func Open(ctx context.Context, opts Options) (*Store, error) {
	opts = withDefaults(opts)
	var (
		s   *Store
		err error
	)
	switch {
	case opts.DatabaseURL == "":
		s, err = openSQLite(ctx, opts)
	case strings.HasPrefix(opts.DatabaseURL, "postgres://"), strings.HasPrefix(opts.DatabaseURL, "postgresql://"):
		s, err = openPostgres(ctx, opts)
	default:
		scheme, _, _ := strings.Cut(opts.DatabaseURL, "://")
		return nil, fmt.Errorf("open store: unsupported database URL scheme %q (want postgres:// or postgresql://, or no URL for SQLite)", scheme)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.closePools()
		return nil, err
	}
	s.log.Info("store opened", "dialect", s.d.name, "writers", s.writers, "max_batch", s.maxBatch, "node", s.node)
	return s, nil
}

// AutoWriters is the default number of PostgreSQL writers: half of
// GOMAXPROCS (the CPUs this process may use), at least 2, at most 8.
//
// Each writer is a connection whose batches run one after another, and
// each batch pays its BEGIN, its COMMIT and a statement per table
// whatever its size: the fewer the writers, the larger their batches and
// the less each event costs. On a 2-CPU machine sharing its cores with
// PostgreSQL, 2 writers took 1.18× the new alerts and 1.22× the
// re-triggers per second that 4 did (1 writer 1.31× and 1.48×), with
// PostgreSQL's CPU per new alert halved at 1 (BENCHMARKS.md,
// "PostgreSQL: fewer, larger batches"). One writer is not the default
// because every write of the node then queues behind the batch in
// flight: a first page at 500 new alerts/s took 9.4–10.2 ms at the
// median against 7.3 ms with 2 or 4. More writers let PostgreSQL run a
// node's batches on several of its cores at once, which pays once the
// node has CPUs to feed them; serve's --db-writers sets the number
// where this guess is wrong.
func AutoWriters() int {
	return min(max(runtime.GOMAXPROCS(0)/2, 2), 8)
}

func withDefaults(o Options) Options {
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir
	}
	if o.Writers <= 0 {
		o.Writers = AutoWriters()
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func newStore(d *dialect, opts Options, db, rdb *sql.DB, writers int) *Store {
	s := &Store{
		d:        d,
		q:        buildQueries(d),
		log:      opts.Logger,
		db:       db,
		rdb:      rdb,
		writers:  writers,
		maxBatch: min(opts.MaxBatch, d.maxBatch),
	}
	s.streamNotify, s.streamHeld = make(chan struct{}, 1), make(chan struct{}, 1)
	s.wakes, s.node = engineWrites(&s.q), newNodeID()
	if d.pipeline {
		s.guards, s.plainGuards = buildGuards(&s.q)
		s.merged = buildMerged(&s.q)
	}
	s.requests.New = func() any { return &request{done: make(chan struct{}, 1)} }
	return s
}

// Dialect names the engine ("sqlite" or "postgres") for logs and metrics.
func (s *Store) Dialect() string { return s.d.name }

// Location says which database the store opened, for messages that tell a
// person where something was written: the SQLite file's absolute path, or
// the PostgreSQL database, host and search_path (never the credentials).
func (s *Store) Location() string { return s.location }

// Ping checks that both pools can reach the database. On SQLite
// (d.prepare) the write pool's only connection is held by wconn for the
// store's life, so pinging that pool would wait forever; the read pool
// opens the same file.
func (s *Store) Ping(ctx context.Context) error {
	if !s.d.prepare {
		if err := s.db.PingContext(ctx); err != nil {
			return fmt.Errorf("ping %s: %w", s.d.name, err)
		}
	}
	if s.rdb != s.db {
		if err := s.rdb.PingContext(ctx); err != nil {
			return fmt.Errorf("ping %s read pool: %w", s.d.name, err)
		}
	}
	return nil
}

// Close stops the writers if Run is active (answering what they hold) and
// closes the database. It is safe to call after Run ended, and twice.
func (s *Store) Close() error {
	s.runMu.Lock()
	if s.closed {
		s.runMu.Unlock()
		return nil
	}
	s.closed = true
	rs := s.run.Load()
	s.runMu.Unlock()
	if rs != nil {
		rs.cancel()
		<-rs.done
	}
	return s.closePools()
}

func (s *Store) closePools() error {
	var errs []error
	s.wmu.Lock()
	if s.wconn != nil {
		errs = append(errs, s.wconn.close())
		s.wconn = nil
	}
	s.wmu.Unlock()
	errs = append(errs, s.closeReadStmts())
	if s.rdb != s.db {
		errs = append(errs, s.rdb.Close())
	}
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.db.Close())
	}
	if s.nodeLocks != nil {
		errs = append(errs, s.nodeLocks.Close())
	}
	if s.live != nil {
		errs = append(errs, s.live.close())
	}
	errs = append(errs, s.db.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close %s store: %w", s.d.name, err)
	}
	return nil
}

// SchemaVersion returns the highest migration applied, for logs and
// readiness checks.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.rdb.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
