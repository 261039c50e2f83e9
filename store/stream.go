package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
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
// and fires the stream signal after COMMIT returned.
//
// Readers follow the outbox by ID, so a row must never commit with an ID
// below one a reader has already passed. SQLite's single writer draws IDs
// in commit order. On PostgreSQL several writers and nodes commit
// concurrently, so IDs are not drawn from a counter: a transaction's
// events get IDs xid<<20 + 0, 1, 2, ... (xid: its top-level transaction
// ID, pg_current_xact_id()), and readers only read IDs below the
// watermark xmin<<20, where xmin is the oldest transaction still running
// in their snapshot. Every transaction below xmin has ended and every
// later one has an xid ≥ xmin, so the rows below the watermark never
// change again: a reader that delivers them in ID order and moves its
// cursor to the last one never skips a row that commits later, nor reads
// one twice. Commits are announced to every node's listener by a NOTIFY
// sent after COMMIT, outside the writers' transactions (a NOTIFY inside
// would serialise their commits on PostgreSQL's notify queue lock).

// streamChannel is the LISTEN/NOTIFY channel of stream commits in the
// schema public.
const streamChannel = "hypercare_stream"

// streamChannelOf is the LISTEN/NOTIFY channel of the deployment in
// schema. Channels are database-wide while a deployment is one schema (the
// URL's search_path): deployments sharing a database in schemas of their
// own would otherwise wake each other's stream readers and engines on
// every commit. public keeps streamChannel, so a rolling upgrade of a
// deployment there keeps hearing its older nodes.
func streamChannelOf(schema string) string {
	if schema == "public" {
		return streamChannel
	}
	sum := sha256.Sum256([]byte(schema))
	return streamChannel + "_" + hex.EncodeToString(sum[:8])
}

// streamIDBits is how many low bits of a PostgreSQL stream ID number the
// events of one transaction.
const streamIDBits = 20

var (
	streamIDPostgres        = fmt.Sprintf("(pg_current_xact_id()::text::bigint << %d)", streamIDBits)
	streamWatermarkPostgres = fmt.Sprintf("(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << %d)", streamIDBits)
)

// streamNotifySQL announces commits on channel in its own transaction,
// without waiting for its commit record to reach disk (a lost
// notification only delays a wake; the events themselves are durable),
// with payload unless it is "" (hex and "w:": nothing to quote).
func streamNotifySQL(channel, payload string) string {
	if payload == "" {
		return "BEGIN; SET LOCAL synchronous_commit TO off; NOTIFY " + channel + "; COMMIT"
	}
	return "BEGIN; SET LOCAL synchronous_commit TO off; NOTIFY " + channel + ", '" + payload + "'; COMMIT"
}

// streamInsertRows bounds one multi-row INSERT (6 parameters a row, well
// under both engines' parameter limits).
const streamInsertRows = 500

// streamHeldPoll is how soon readers are woken again when events have
// committed above the watermark (a transaction with a lower xid still
// running): its commit wakes them too if it published events, this
// catches one that did not.
const streamHeldPoll = 10 * time.Millisecond

// pendingEvent is a stream event published in the current batch, not yet
// inserted: which object changed, not a copy of it (readers read the
// object itself, stream_read.go).
type pendingEvent struct {
	at                     int64
	kind, op, incID, objID string
}

// published records a stream event for the object objectID of kind when
// the write that changed it succeeded (err nil), and returns err.
func (t *tx) published(err error, kind, op, incidentID, objectID string) error {
	if err != nil {
		return err
	}
	// The commit's wall-clock time: it only ages the event for retention.
	t.stream = append(t.stream, pendingEvent{at: micros(time.Now()), kind: kind, op: op, incID: incidentID, objID: objectID})
	return nil
}

// flushStream inserts the batch's stream events; it runs last before
// COMMIT, once per transaction.
func (s *Store) flushStream(t *tx) error {
	if len(t.stream) == 0 {
		return nil
	}
	if t.c.prepare {
		return flushPrepared(t)
	}
	qs, args, err := s.streamInserts(t)
	if err != nil {
		return err
	}
	for i, q := range qs {
		if _, err := t.c.conn.ExecContext(t.ctx, q, args[i]...); err != nil {
			return fmt.Errorf("stream: insert events: %w", err)
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
		n := sizedRows(len(rest), maxPreparedStreamRows)
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

// streamInsertSQL is the INSERT of n stream events, prepared on SQLite's
// write connection, with anonymous parameters (see positional.go: 1,280
// numbered ones cost more to bind than the rows to insert).
func streamInsertSQL(n int) string {
	var q strings.Builder
	q.WriteString("INSERT INTO stream_events (at, kind, op, incident_id, object_id, payload) VALUES ")
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?, ?, ?, ?, ?, '')")
	}
	return q.String()
}

// streamArgs are the arguments of streamInsertSQL(len(chunk)).
func streamArgs(chunk []pendingEvent) []any {
	args := make([]any, 0, 5*len(chunk))
	for _, e := range chunk {
		args = append(args, e.at, e.kind, e.op, e.incID, e.objID)
	}
	return args
}

// streamInserts returns the INSERTs of the transaction's stream events,
// at most streamInsertRows each, with their arguments.
func (s *Store) streamInserts(t *tx) (qs []string, args [][]any, err error) {
	if s.d.streamID != "" && len(t.stream) >= 1<<streamIDBits {
		return nil, nil, fmt.Errorf("stream: %d events in one transaction, at most %d", len(t.stream), 1<<streamIDBits-1)
	}
	for done := 0; done < len(t.stream); {
		chunk := t.stream[done:min(len(t.stream), done+streamInsertRows)]
		q, a := s.streamInsert(chunk, done)
		qs, args = append(qs, q), append(args, a)
		done += len(chunk)
	}
	return qs, args, nil
}

// streamInsert builds the multi-row INSERT of chunk, the events from
// offset on of the transaction's.
func (s *Store) streamInsert(chunk []pendingEvent, offset int) (string, []any) {
	var q strings.Builder
	args := make([]any, 0, 6*len(chunk)+1)
	if s.d.streamID == "" {
		q.WriteString("INSERT INTO stream_events (at, kind, op, incident_id, object_id, payload) VALUES ")
	} else {
		q.WriteString("INSERT INTO stream_events (id, at, kind, op, incident_id, object_id, payload) VALUES ")
		args = append(args, offset)
	}
	for i, e := range chunk {
		if i > 0 {
			q.WriteByte(',')
		}
		n := len(args)
		if s.d.streamID == "" {
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, '')", n+1, n+2, n+3, n+4, n+5)
		} else {
			fmt.Fprintf(&q, "(%s + $1 + %d, $%d, $%d, $%d, $%d, $%d, '')", s.d.streamID, i, n+1, n+2, n+3, n+4, n+5)
		}
		args = append(args, e.at, e.kind, e.op, e.incID, e.objID)
	}
	return q.String(), args
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
// published stream events (on PostgreSQL: on any node, through LISTEN),
// or, on PostgreSQL, shortly after a read found events held back by the
// watermark (they may be readable by then).
func (s *Store) StreamChanged() <-chan struct{} { return s.streamSig.wait() }

// StreamSettle waits until every stream event committed before the call
// is below the watermark, so that StreamAfter returns it: at once on
// SQLite; on PostgreSQL once the transactions that began before those
// events' own have ended. Tests and tools use it to read "everything
// committed so far"; the stream itself never waits (StreamChanged).
func (s *Store) StreamSettle(ctx context.Context) error {
	var target int64
	if err := s.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM stream_events").Scan(&target); err != nil {
		return fmt.Errorf("stream settle: %w", err)
	}
	for {
		var below bool
		if err := s.queryRow(ctx, "SELECT $1 < "+s.d.streamWatermark, target).Scan(&below); err != nil {
			return fmt.Errorf("stream settle: %w", err)
		}
		if below {
			return nil
		}
		t := time.NewTimer(time.Millisecond) // database time, not engine time
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("stream settle: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// StreamHorizon returns the highest pruned stream ID and the highest
// committed one below the watermark (a reader starting there misses
// nothing committed later).
func (s *Store) StreamHorizon(ctx context.Context) (pruned, last int64, err error) {
	err = s.queryRow(ctx, "SELECT pruned_through, "+
		"(SELECT COALESCE(MAX(id), 0) FROM stream_events WHERE id < "+s.d.streamWatermark+") FROM stream_state").Scan(&pruned, &last)
	if err != nil {
		return 0, 0, fmt.Errorf("stream horizon: %w", err)
	}
	return pruned, max(pruned, last), nil
}

// pruneStreamSQL reads how far PruneStream may delete: by age, the
// highest ID below the first event committed at or after the cutoff (the
// highest below the watermark when there is none), and by count, the
// newest keep.
// Events are numbered in commit order, so the old ones are the lowest IDs:
// the walk from the oldest stops at the first new one, reading as many
// rows as the prune deletes, without an index on the time (migration 0043
// dropped it: every stream event paid an insert into it).
func pruneStreamSQL(d *dialect) string {
	below := "id < " + d.streamWatermark
	return "SELECT CASE WHEN n.first IS NULL THEN (SELECT MAX(id) FROM stream_events WHERE " + below + ") " +
		"ELSE (SELECT MAX(id) FROM stream_events WHERE id < n.first) END, " +
		"(SELECT id FROM stream_events WHERE " + below + " ORDER BY id DESC LIMIT 1 OFFSET $2) " +
		"FROM (SELECT (SELECT id FROM stream_events WHERE at >= $1 AND " + below + " ORDER BY id LIMIT 1) AS first) n"
}

// PruneStream deletes the stream events committed before cutoff and all
// but the newest keep, never above the watermark (an event no reader
// could have read yet), and records how far it pruned. It reads first and
// writes only when there is something to delete, so an idle server
// commits nothing. It returns the number of events deleted.
func (s *Store) PruneStream(ctx context.Context, cutoff time.Time, keep int) (int64, error) {
	var byAge, byCount sql.NullInt64
	err := s.queryRow(ctx, pruneStreamSQL(s.d), micros(cutoff), keep).Scan(&byAge, &byCount)
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

// announceCommit wakes this node's readers after a commit that published
// stream events and, on PostgreSQL, has the other nodes' woken: through
// the announcer while Run is active (commits that land while a NOTIFY is
// on its way share the next one), else at once on c, the connection that
// committed (a second pooled one could be a wait on a full pool).
func (s *Store) announceCommit(ctx context.Context, c *writeConn, work bool) {
	s.streamSig.fire()
	if !s.d.nodes {
		return
	}
	if work {
		s.notifyWork.Store(true) // the next NOTIFY says so (wake.go)
	}
	if s.announcing.Load() {
		select {
		case s.streamNotify <- struct{}{}:
		default: // one is already due
		}
		return
	}
	s.notifyNodes(ctx, c.conn)
}

// execer is a pool or a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// notifyNodes sends one NOTIFY on the stream channel, with this node's
// work payload if a commit it announces wrote engine work (wake.go).
func (s *Store) notifyNodes(ctx context.Context, on execer) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	payload, work := "", s.notifyWork.Swap(false)
	if work {
		payload = workPayload(s.node)
	}
	notify := streamNotifySQL(s.channel, payload)
	if _, err := on.ExecContext(ctx, notify); err != nil {
		if work {
			s.notifyWork.Store(true) // the next NOTIFY carries it
		}
		s.log.Warn("stream: NOTIFY failed; other nodes see these events at the next commit", "err", err)
	}
}

// announce sends a NOTIFY for the commits announceCommit queued until stop
// is closed, then for any still queued.
func (s *Store) announce(ctx context.Context, stop <-chan struct{}) {
	s.announcing.Store(true)
	defer func() {
		s.announcing.Store(false)
		select {
		case <-s.streamNotify:
			s.notifyNodes(ctx, s.db)
		default:
		}
	}()
	for {
		select {
		case <-stop:
			return
		case <-s.streamNotify:
			s.notifyNodes(ctx, s.db)
		}
	}
}

// rewakeHeld fires the stream signal streamHeldPoll after a read found
// events held back by the watermark, until ctx ends.
func (s *Store) rewakeHeld(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.streamHeld:
		}
		t := time.NewTimer(streamHeldPoll) // database time, not engine time
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		s.streamSig.fire()
	}
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
		if _, err := pc.Exec(ctx, "LISTEN "+s.channel); err != nil {
			cause = err
			return driver.ErrBadConn
		}
		s.workSig.fire() // either may have been missed while not listening
		s.streamSig.fire()
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// The connection is mid-wait or broken: never hand it
				// back to the pool still listening.
				cause = err
				return driver.ErrBadConn
			}
			if isOthersWork(n.Payload, s.node) {
				s.workSig.fire() // first: a reader woken by the stream sees it fired
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
