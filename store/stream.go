package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/jackc/pgx/v5/stdlib"
)

// The live stream's outbox (ARCHITECTURE.md, "Live stream"). The tx
// methods that change an incident, alert, timeline or notification call
// publish; the batch inserts what its surviving requests published just
// before COMMIT (a request rolled back to its savepoint drops its events),
// and fires the stream signal after COMMIT returned. On PostgreSQL the
// insert first takes a transaction-scoped advisory lock, so stream IDs are
// drawn in commit order across writers and nodes (a reader never sees ID
// n+1 before ID n commits), and queues a NOTIFY that PostgreSQL delivers to
// every node's listener at commit, not before, and never on rollback.

// streamChannel is the LISTEN/NOTIFY channel of stream commits.
const streamChannel = "hypercare_stream"

// streamLockKey is the advisory lock held from the stream insert to
// COMMIT ("hyperstr" in ASCII).
const streamLockKey = 0x6879706572737472

var streamOrderPostgres = fmt.Sprintf("SELECT pg_advisory_xact_lock(%d), pg_notify('%s', '')",
	streamLockKey, streamChannel)

// streamInsertRows bounds one multi-row INSERT (5 parameters a row, well
// under both engines' parameter limits).
const streamInsertRows = 500

// pendingEvent is a stream event published in the current batch, not yet
// inserted.
type pendingEvent struct {
	at              int64
	kind, op, incID string
	payload         []byte
}

// published records a stream event for obj when the write that changed it
// succeeded (err nil), and returns err.
func (t *tx) published(err error, kind, op, incidentID string, obj any) error {
	if err != nil {
		return err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("stream %s %s: %w", kind, op, err)
	}
	// The commit's wall-clock time: it only ages the event for retention.
	t.stream = append(t.stream, pendingEvent{at: micros(time.Now()), kind: kind, op: op, incID: incidentID, payload: b})
	return nil
}

// flushStream inserts the batch's stream events; it runs last before
// COMMIT.
func (s *Store) flushStream(t *tx) error {
	if len(t.stream) == 0 {
		return nil
	}
	if s.d.streamOrder != "" {
		if _, err := t.c.conn.ExecContext(t.ctx, s.d.streamOrder); err != nil {
			return fmt.Errorf("stream: order commit: %w", err)
		}
	}
	if t.c.prepare {
		return flushPrepared(t)
	}
	for rest := t.stream; len(rest) > 0; {
		chunk := rest[:min(len(rest), streamInsertRows)]
		rest = rest[len(chunk):]
		if _, err := t.c.conn.ExecContext(t.ctx, streamInsertSQL(len(chunk)), streamArgs(chunk)...); err != nil {
			return fmt.Errorf("stream: insert %d events: %w", len(chunk), err)
		}
	}
	return nil
}

// flushPrepared inserts the batch's stream events with statements
// prepared once on the write connection (SQLite), in chunks of a power of
// two rows: a new statement text per batch size would be parsed and
// planned on every commit, which cost more than the inserts themselves.
func flushPrepared(t *tx) error {
	for rest := t.stream; len(rest) > 0; {
		n := 1 << (bits.Len(uint(min(len(rest), maxPreparedStreamRows))) - 1)
		chunk := rest[:n]
		rest = rest[n:]
		st, err := t.c.streamStmt(t.ctx, n)
		if err == nil {
			_, err = st.ExecContext(t.ctx, streamArgs(chunk)...)
		}
		if err != nil {
			return fmt.Errorf("stream: insert %d events: %w", n, err)
		}
	}
	return nil
}

// maxPreparedStreamRows is the largest prepared stream insert (a power of
// two): at most preparedStreamSizes statements are kept on the connection.
const (
	maxPreparedStreamRows = 1 << (preparedStreamSizes - 1)
	preparedStreamSizes   = 9 // 1, 2, 4, ... 256 rows
)

// streamInsertSQL is the INSERT of n stream events.
func streamInsertSQL(n int) string {
	var q strings.Builder
	q.WriteString("INSERT INTO stream_events (at, kind, op, incident_id, payload) VALUES ")
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		k := 5 * i
		fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5)
	}
	return q.String()
}

// streamArgs are the arguments of streamInsertSQL(len(chunk)).
func streamArgs(chunk []pendingEvent) []any {
	args := make([]any, 0, 5*len(chunk))
	for _, e := range chunk {
		args = append(args, e.at, e.kind, e.op, e.incID, string(e.payload))
	}
	return args
}

// signal is a broadcast: wait returns a channel that fire closes.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (g *signal) wait() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *signal) fire() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

// StreamChanged returns a channel closed at the next commit that
// published stream events (on PostgreSQL: on any node, through LISTEN).
func (s *Store) StreamChanged() <-chan struct{} { return s.streamSig.wait() }

// streamAfterSQL is the stream's resume read: a range of stream_events'
// primary key, each joined to its incident by primary key.
const streamAfterSQL = "SELECT e.id, e.at, e.kind, e.op, e.incident_id, COALESCE(i.number, 0), e.payload " +
	"FROM stream_events e LEFT JOIN incidents i ON i.id = e.incident_id " +
	"WHERE e.id > $1 ORDER BY e.id LIMIT $2"

// StreamAfter returns up to limit retained stream events with ID > after,
// in ID order, each with its incident's number.
func (s *Store) StreamAfter(ctx context.Context, after int64, limit int) ([]hypercare.StreamEvent, error) {
	rows, err := s.rdb.QueryContext(ctx, streamAfterSQL, after, limit)
	if err != nil {
		return nil, fmt.Errorf("stream events after %d: %w", after, err)
	}
	out, err := collect(rows, func(r rowScanner, e *hypercare.StreamEvent) error {
		var at int64
		var payload string
		if err := r.Scan(&e.ID, &at, &e.Kind, &e.Op, &e.IncidentID, &e.IncidentNumber, &payload); err != nil {
			return err
		}
		e.At, e.Object = fromMicros(at), json.RawMessage(payload)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stream events after %d: %w", after, err)
	}
	return out, nil
}

// StreamHorizon returns the highest pruned stream ID and the highest
// committed one.
func (s *Store) StreamHorizon(ctx context.Context) (pruned, last int64, err error) {
	err = s.rdb.QueryRowContext(ctx, "SELECT pruned_through, "+
		"(SELECT COALESCE(MAX(id), 0) FROM stream_events) FROM stream_state").Scan(&pruned, &last)
	if err != nil {
		return 0, 0, fmt.Errorf("stream horizon: %w", err)
	}
	return pruned, max(pruned, last), nil
}

// PruneStream deletes the stream events committed before cutoff and all
// but the newest keep, and records how far it pruned. It reads first and
// writes only when there is something to delete, so an idle server
// commits nothing. It returns the number of events deleted.
func (s *Store) PruneStream(ctx context.Context, cutoff time.Time, keep int) (int64, error) {
	var byAge, byCount sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, "SELECT (SELECT MAX(id) FROM stream_events WHERE at < $1), "+
		"(SELECT id FROM stream_events ORDER BY id DESC LIMIT 1 OFFSET $2)", micros(cutoff), keep).Scan(&byAge, &byCount)
	if err != nil {
		return 0, fmt.Errorf("prune stream: %w", err)
	}
	through := max(byAge.Int64, byCount.Int64)
	if through == 0 {
		return 0, nil
	}
	var deleted int64
	err = s.Write(ctx, "stream-prune", func(htx hypercare.Tx) error {
		t := htx.(*tx)
		t.statements++
		res, err := t.c.conn.ExecContext(t.ctx, "DELETE FROM stream_events WHERE id <= $1", through)
		if err != nil {
			return fmt.Errorf("prune stream through %d: %w", through, err)
		}
		if deleted, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("prune stream through %d: %w", through, err)
		}
		t.statements++
		_, err = t.c.conn.ExecContext(t.ctx, "UPDATE stream_state SET pruned_through = $1 WHERE pruned_through < $1", through)
		if err != nil {
			return fmt.Errorf("prune stream through %d: record: %w", through, err)
		}
		return nil
	})
	return deleted, err
}

// listen holds a PostgreSQL connection that LISTENs for stream commits of
// every node and fires the stream signal on each, until ctx ends. A lost
// connection is re-established after a second; the signal fires after
// every (re)connect, since notifications may have been missed meanwhile.
func (s *Store) listen(ctx context.Context) {
	for {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("stream: LISTEN connection lost; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listenOnce(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("stream listen: %w", err)
	}
	defer conn.Close()
	var cause error
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("stream listen: driver connection is %T, not pgx", dc)
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+streamChannel); err != nil {
			cause = err
			return driver.ErrBadConn
		}
		s.streamSig.fire()
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				// The connection is mid-wait or broken: never hand it
				// back to the pool still listening.
				cause = err
				return driver.ErrBadConn
			}
			s.streamSig.fire()
		}
	})
	if cause != nil {
		return fmt.Errorf("stream listen: %w", cause)
	}
	if err != nil && !errors.Is(err, driver.ErrBadConn) {
		return fmt.Errorf("stream listen: %w", err)
	}
	return err
}
