package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"
)

// Locks across the nodes of a cluster. Some decisions read a count and act
// on it outside any transaction: a throttled page counts its user's recent
// sends, then sends. One node serialises such decisions in process; nodes
// sharing a PostgreSQL database must serialise them in the database, or
// each of them allows the whole throttle.
//
// On PostgreSQL a lock is a session-level advisory lock on a connection of
// its own pool (maxNodeLocks), held from LockAcrossNodes to unlock: a
// node that dies mid-send drops its session and PostgreSQL frees the lock,
// with no lease to tune. The pool is separate so that lock holders waiting
// for reads can never take every connection reads need. Keys are hashed
// with the schema's name: nodes of other Hypercare installations in other
// schemas of the same database do not wait for each other. SQLite serves
// one server per database file (serve refuses a second one), so its lock
// is the caller's in-process one and LockAcrossNodes returns at once.

// maxNodeLocks bounds the connections one node holds locks on; a further
// locker waits for one of them. A paced page holds its lock while it is
// sent, so this is also how many paced pages one node sends at once: the
// default per-channel concurrency (notify.DefaultConcurrency, 32), so the
// lock does not slow a throttled channel below what it allowed before. The
// connections are opened as needed and closed after a minute idle.
const maxNodeLocks = 32

const (
	nodeLockSQL   = "SELECT pg_advisory_lock(hashtextextended(current_schema() || ':' || $1, 0))"
	nodeUnlockSQL = "SELECT pg_advisory_unlock(hashtextextended(current_schema() || ':' || $1, 0))"
)

// openNodeLocks opens the lock pool (connections are made on first use).
func openNodeLocks(url string) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open lock pool: %w", redactErr(err))
	}
	db.SetMaxOpenConns(maxNodeLocks)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// LockAcrossNodes waits until it holds the lock named key, which every node
// sharing this database sees, and returns the function that releases it.
// It fails only when ctx ends first or the database is unreachable; then
// no lock is held.
func (s *Store) LockAcrossNodes(ctx context.Context, key string) (unlock func(), err error) {
	if err := checkText("lock across nodes", "key", key); err != nil {
		return nil, err
	}
	if s.nodeLocks == nil {
		return func() {}, nil
	}
	conn, err := s.nodeLocks.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %q across nodes: %w", key, err)
	}
	if _, err := conn.ExecContext(ctx, nodeLockSQL, key); err != nil {
		// The lock may have been granted as ctx ended: end the session
		// so it cannot stay held by a pooled connection.
		discard(conn)
		return nil, fmt.Errorf("lock %q across nodes: %w", key, err)
	}
	return func() {
		// Not the caller's context, which may have ended: the lock must go.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(ctx, nodeUnlockSQL, key); err != nil {
			s.log.Warn("unlock across nodes: ending the session instead", "key", key, "error", err)
			discard(conn)
			return
		}
		conn.Close()
	}, nil
}

// discard closes conn's session instead of returning it to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}
