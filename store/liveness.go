package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
)

// Node liveness (PostgreSQL). A page or announcement in flight is leased
// for three minutes (notify.Lease); a node killed mid-send (SIGKILL, OOM,
// host loss) used to leave it silent until the lease ran out, since nodes
// could not tell a dead node's lease from a live one's.
//
// Now every claim records the claiming node (lease_node: the store's
// random ID, the one its NOTIFY payloads carry) while that node holds its
// liveness lock (claimArgs; NULL when it does not), and every node holds,
// for as long as it runs, a session-level advisory lock on "live:<ID>" on
// a connection of its own (the same hashing as LockAcrossNodes). The lock
// is the liveness signal: PostgreSQL frees it when the session ends, at
// once when the process dies and its host closes the socket, and within
// about 11 s when the host is lost (the session's server-side TCP
// keepalives: idle 5 s, then 3 probes 2 s apart). There is no heartbeat
// row, so an idle cluster commits nothing, and a node that is slow but
// alive (a long GC pause, a hung provider) keeps its session and so its
// leases: only the lease's end frees them, as before.
//
// TakeOverLeases, run by every node every LivenessInterval (serve), finds
// the nodes holding leases and, for each, tries the transaction-level lock
// on the same key. Getting it means the node's session is gone; holding
// it to the commit keeps that node from taking its lock back meanwhile.
// A node found so for DeadNodeGrace in a row has its leases ended (as
// SQLite's restart does), so any node claims its pages at once. The grace
// lets a node whose connection dropped while it lives (a PostgreSQL
// restart, a network blip) take its lock back under the same ID
// (KeepAlive) before its leases are taken.
//
// A lease ended (an outcome recorded, a cancel, a digest, a take-over)
// clears lease_node with lease_until: a row a node of an older release
// claims next (a rolling upgrade; its claim does not write lease_node)
// then names nobody, instead of the dead node whose lease was taken over,
// which would have its live lease taken over at once.

// DeadNodeGrace is how long a node's liveness lock must be seen free
// before its leases are taken over: longer than a node needs to notice a
// lost liveness connection and lock again (KeepAlive every
// LivenessInterval).
const DeadNodeGrace = 5 * time.Second

// LivenessInterval is how often a node checks its own liveness lock and
// looks for dead nodes' leases.
const LivenessInterval = 2 * time.Second

const (
	// tryLockInTxSQL tries the transaction-level lock on a key that
	// nodeLockSQL takes at session level.
	tryLockInTxSQL = "SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))"
	// leaseNodesSQL lists the other nodes holding leases now; the
	// status IN term lets the partial index notifications_due serve it.
	leaseNodesSQL = "SELECT lease_node FROM notifications WHERE status IN ('pending', 'sending') AND " +
		"status = 'sending' AND lease_until > $1 AND lease_node IS NOT NULL AND lease_node <> $2 " +
		"UNION SELECT lease_node FROM announcements WHERE status = 'sending' AND lease_until > $1 " +
		"AND lease_node IS NOT NULL AND lease_node <> $2"
)

// NodeID names this node in the leases it holds (lease_node) and in its
// NOTIFY payloads: random per store, so a restarted node is a new one.
// serve logs it at start, so an admin can match a "took over the leases
// of a node that is gone" warning to the node that died.
func (s *Store) NodeID() string { return s.node }

// liveKey is the advisory lock key of node's liveness.
func liveKey(node string) string { return "live:" + node }

// liveness holds this node's liveness lock and what it saw of the others.
type liveness struct {
	db *sql.DB
	mu sync.Mutex
	// conn is the session holding the lock (nil: lost, KeepAlive locks
	// again).
	conn *sql.Conn
	// pid is conn's backend PID (0 while conn is nil), which claims check
	// holds the lock (claimArgs). Atomic, not under mu: a claim must not
	// wait for a KeepAlive that waits for the database.
	pid atomic.Int64
	// deadSince is when each node's lock was first seen free, by the
	// times TakeOverLeases was given; a node seen alive is forgotten.
	deadSince map[string]time.Time
}

// openLiveness opens the liveness pool and takes node's lock.
func openLiveness(ctx context.Context, url, node string) (*liveness, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open liveness pool: %w", redactErr(err))
	}
	db.SetMaxOpenConns(1)
	l := &liveness{db: db, deadSince: map[string]time.Time{}}
	if err := l.lock(ctx, node); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// lock opens a session and takes node's liveness lock on it. The session's
// server-side keepalives make PostgreSQL notice a lost host within about
// 11 s; idle_session_timeout (PostgreSQL 14) must not end it. Settings an
// older server lacks are skipped.
func (l *liveness) lock(ctx context.Context, node string) error {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("liveness lock: %w", err)
	}
	for _, set := range []string{"SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 2",
		"SET tcp_keepalives_count = 3"} {
		if _, err := conn.ExecContext(ctx, set); err != nil {
			discard(conn)
			return fmt.Errorf("liveness lock: %s: %w", set, err)
		}
	}
	for _, set := range []string{"SET tcp_user_timeout = 11000", "SET idle_session_timeout = 0"} {
		// Unknown to an older server (12, 14): an error outside a
		// transaction leaves the session usable.
		_, _ = conn.ExecContext(ctx, set)
	}
	var pid int64
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		discard(conn)
		return fmt.Errorf("liveness lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, nodeLockSQL, liveKey(node)); err != nil {
		discard(conn)
		return fmt.Errorf("liveness lock: %w", err)
	}
	l.conn = conn
	l.pid.Store(pid)
	return nil
}

// claimArgs returns a claim's arguments: args, which end with this node's
// ID, and on PostgreSQL the backend PID of its liveness session (0 when
// it has none), for the claim's statement to check that session holds the
// node's liveness lock (dialect.leaseNode). A node whose lock is gone
// while it lives (its session ended, and it could not lock again yet)
// then leases under no node: the other nodes, which see its lock free,
// would otherwise take over, after DeadNodeGrace, leases of pages it is
// still sending, and send them again. Such a lease ends when it runs out,
// as every lease did before node liveness; the node keeps paging (a node
// that stopped claiming would leave a one-node cluster silent), and its
// claims name it again once KeepAlive has the lock back.
func (s *Store) claimArgs(args ...any) []any {
	if !s.d.nodes {
		return args
	}
	var pid int64
	if s.live != nil {
		pid = s.live.pid.Load()
	}
	return append(args, pid)
}

// KeepAlive checks that this node still holds its liveness lock and, if
// its session was lost (a PostgreSQL restart, a dropped connection), takes
// it again under the same node ID, so the leases this node holds stay its
// own. A no-op on SQLite.
func (s *Store) KeepAlive(ctx context.Context) error {
	l := s.live
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		// A session-level lock lasts as long as its session: a session
		// that answers still holds it. A check cut short is no loss, but
		// the driver ends a session whose statement its context cut, so
		// an ended context does not ping at all (and serve gives the
		// ping no deadline).
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("keep alive: %w", err)
		}
		err := l.conn.PingContext(ctx)
		if err == nil {
			return nil
		}
		l.pid.Store(0)
		discard(l.conn)
		l.conn = nil
		s.log.Warn("liveness: lost this node's lock; taking it again (until then its leases name no node)", "node", s.node, "error", err)
	}
	if err := l.lock(ctx, s.node); err != nil {
		return fmt.Errorf("keep alive: %w", err)
	}
	return nil
}

// TakeOverLeases ends, as of now, the leases of pages and announcements
// held by a process that is gone, so they are sent again at once
// (at-least-once, under the same ID the receiver dedupes on) instead of
// when the lease would have run out (notify.Lease, three minutes). It
// returns how many it took over and, when that is not 0, wakes this
// node's engines (WorkChanged).
//
// On SQLite only a process that is the one user of the database may call
// it: serve, holding the data directory's lock, before its engines start;
// it takes over every lease. On PostgreSQL it takes over only the leases
// of nodes whose liveness lock has been free for DeadNodeGrace, as of the
// times given to earlier calls (see liveness.go); serve calls it every
// LivenessInterval.
func (s *Store) TakeOverLeases(ctx context.Context, now time.Time) (int64, error) {
	if s.d.name == "sqlite" {
		return s.takeOverAll(ctx, now)
	}
	if s.live == nil {
		return 0, nil
	}
	nodes, err := s.leaseNodes(ctx, now)
	if err != nil || len(nodes) == 0 {
		return 0, err
	}
	var n int64
	var dead []string
	err = s.Write(ctx, "take-over-leases", func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		n, dead = 0, nil
		for _, node := range nodes {
			var free bool
			t.statements++
			if err := t.c.conn.QueryRowContext(t.ctx, tryLockInTxSQL, liveKey(node)).Scan(&free); err != nil {
				return t.s.dbErr(err, "check the liveness of node %s", node)
			}
			if !free {
				continue
			}
			dead = append(dead, node)
			if since, ok := s.live.seenDead(node); !ok || now.Sub(since) < DeadNodeGrace {
				continue
			}
			for _, table := range []string{"notifications", "announcements"} {
				res, err := t.execText(ctx, "UPDATE "+table+" SET lease_until = $1, lease_node = NULL "+
					"WHERE status = 'sending' AND lease_node = $2 AND lease_until > $1", micros(now), node)
				if err != nil {
					return t.s.dbErr(err, "take over the leases of node %s in %s", node, table)
				}
				if c, err := res.RowsAffected(); err == nil {
					n += c
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("take over leases: %w", err)
	}
	s.live.note(now, dead)
	if n > 0 {
		s.log.Warn("took over the leases of a node that is gone", "pages", n, "nodes", dead)
		s.workSig.fire()
	}
	return n, nil
}

// seenDead returns when node's lock was first seen free, if it was.
func (l *liveness) seenDead(node string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.deadSince[node]
	return t, ok
}

// note records what a committed check saw: the nodes found dead keep the
// time they were first seen so; the others (alive, or holding no lease
// any more) are forgotten.
func (l *liveness) note(now time.Time, dead []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	next := make(map[string]time.Time, len(dead))
	for _, node := range dead {
		since, ok := l.deadSince[node]
		if !ok {
			since = now
		}
		next[node] = since
	}
	l.deadSince = next
}

// leaseNodes returns the other nodes holding leases at now.
func (s *Store) leaseNodes(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, leaseNodesSQL, micros(now), s.node)
	if err != nil {
		return nil, fmt.Errorf("list the nodes holding leases: %w", err)
	}
	out, err := collect(rows, func(r rowScanner, node *string) error { return r.Scan(node) })
	if err != nil {
		return nil, fmt.Errorf("list the nodes holding leases: %w", err)
	}
	return out, nil
}

// takeOverAll ends every lease (SQLite: the one process restarted).
func (s *Store) takeOverAll(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.Write(ctx, "take-over-leases", func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		n = 0
		for _, table := range []string{"notifications", "announcements"} {
			res, err := t.execText(ctx, "UPDATE "+table+" SET lease_until = $1 "+
				"WHERE status = 'sending' AND lease_until > $1", micros(now))
			if err != nil {
				return t.s.dbErr(err, "take over the leases of %s", table)
			}
			if c, err := res.RowsAffected(); err == nil {
				n += c
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("take over leases: %w", err)
	}
	return n, nil
}

// close ends the liveness session: other nodes may take over this node's
// leases after DeadNodeGrace.
func (l *liveness) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.pid.Store(0)
		l.conn.Close()
		l.conn = nil
	}
	return l.db.Close()
}
