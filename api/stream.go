package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/loop"
)

// Live stream settings.
const (
	// streamKeepalive is how often an idle stream gets a comment, so
	// proxies and phones do not drop a quiet connection.
	streamKeepalive = 15 * time.Second
	// streamWriteTimeout bounds one write to a client. It replaces the
	// server's WriteTimeout (counted from the request, so it would cut
	// every stream after 90 s) for stream responses only, and still ends
	// a client that stopped reading.
	streamWriteTimeout = 10 * time.Second
	// streamBuffer is how many events a client may be behind before it is
	// cut off (it resumes with Last-Event-ID).
	streamBuffer = 256
	// DefaultStreamRetention is how long stream events stay resumable.
	DefaultStreamRetention = 24 * time.Hour
	// DefaultStreamKeep bounds the retained stream events whatever their
	// age.
	DefaultStreamKeep = 1_000_000
	// streamPrunePoll is how often retention is applied.
	streamPrunePoll = time.Minute
)

// Run runs the server's background work until ctx ends: the live stream's
// broker and its retention. Until Run runs, GET /api/v1/stream answers
// 503. When ctx ends every open stream ends, so an http.Server's graceful
// Shutdown does not wait for them.
func (s *Server) Run(ctx context.Context) error {
	if s.broker == nil {
		<-ctx.Done()
		return nil
	}
	prune := loop.New("stream retention", s.clock, streamPrunePoll, s.log)
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = prune.Run(ctx, func(ctx context.Context) (int, error) {
			// The store stamps stream events with the wall-clock time of
			// their commit, so their age is measured on the wall clock too
			// (a test's fake clock must not prune events just written).
			n, err := s.streamStore.PruneStream(ctx, time.Now().Add(-s.streamRetention), s.streamKeep)
			return int(n), err
		})
	})
	err := s.broker.Run(ctx)
	wg.Wait()
	return err
}

// stream answers GET /api/v1/stream: Server-Sent Events of every committed
// incident, alert, timeline and notification change the caller may see
// (docs in README "Live updates"; wire format in ARCHITECTURE.md).
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	if s.broker == nil {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnavailable, "the live stream is not available on this server"))
		return
	}
	after, resume, err := lastEventID(r)
	if err == nil {
		err = textParams(r, "incident")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	incidentID := ""
	if ref := r.URL.Query().Get("incident"); ref != "" {
		inc, err := s.incidents.Lookup(r.Context(), ref)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		incidentID = inc.ID
	}
	sub, cursor, ok := s.broker.subscribe(r.Context(), incidentID)
	if !ok {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodeUnavailable, "the live stream is not running (the server is starting or stopping)"))
		return
	}
	defer s.broker.unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	out := &sseWriter{w: w, rc: http.NewResponseController(w)}
	hello := "retry: 2000\n: connected\n\n"
	if !resume {
		// A fresh connection starts at the cursor: say so with an id: line
		// (an event with no data fires nothing but sets the EventSource's
		// last event ID), so a client that drops before its first event
		// reconnects with Last-Event-ID and loses nothing committed
		// meanwhile.
		hello = "retry: 2000\nid: " + strconv.FormatInt(cursor, 10) + "\n: connected\n\n"
	}
	if out.write([]byte(hello)) != nil {
		return
	}
	c := newStreamClient(out, sub, cursor, isAdmin(r), time.Now())
	if resume {
		if err := s.replay(r.Context(), c, after, cursor); err != nil {
			s.log.Debug("stream: replay ended", "error", err)
			return
		}
	}
	s.live(r.Context(), c, s.stillAuthorized(r))
}

// stillAuthorized returns a check, run at each keepalive, that the
// request's credentials still authenticate with the role the stream was
// opened with: a web session signed out, ended by a password change or
// expired, or a user whose role changed, must not keep a stream (opened
// before) that carries every change. A store error keeps the stream (it
// is not a refusal).
func (s *Server) stillAuthorized(r *http.Request) func() bool {
	opened, _ := hypercare.PrincipalFrom(r.Context())
	return func() bool {
		p, err := s.auth.authenticate(r)
		if err != nil {
			return hypercare.ErrorCode(err) != hypercare.CodeUnauthenticated
		}
		return p.Role == opened.Role
	}
}

// drain appends the items already waiting in ch to items, up to max in
// all, without waiting for more.
func drain(ch <-chan *streamItem, items []*streamItem, max int) []*streamItem {
	for len(items) < max {
		select {
		case it := <-ch:
			items = append(items, it)
		default:
			return items
		}
	}
	return items
}

// lastEventID reads the resume point: the Last-Event-ID header an
// EventSource sends on reconnect, or ?last_event_id= for the first
// connection.
func lastEventID(r *http.Request) (id int64, ok bool, err error) {
	field, v := "Last-Event-ID", r.Header.Get("Last-Event-ID")
	if v == "" {
		field, v = "last_event_id", r.URL.Query().Get("last_event_id")
	}
	if v = strings.TrimSpace(v); v == "" {
		return 0, false, nil
	}
	id, err = strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, false, hypercare.Errorf(hypercare.CodeInvalid,
			"%s: %q is not an event ID (a decimal number from the stream's id: lines)", field, v)
	}
	return id, true, nil
}

// replay sends the retained events after `after` up to the broker's cursor
// (later ones arrive through sub), or a reset when after is not a point the
// store can resume from.
func (s *Server) replay(ctx context.Context, c *streamClient, after, cursor int64) error {
	pruned, last, err := s.streamStore.StreamHorizon(ctx)
	if err != nil {
		return err
	}
	if after > max(last, cursor) {
		return c.reset(cursor, "this ID was never issued by this server's database")
	}
	if after < pruned {
		return c.reset(cursor, prunedReason)
	}
	for after < cursor {
		evs, err := s.streamStore.StreamAfter(ctx, after, streamPage)
		if err != nil {
			return err
		}
		// Retention may have pruned past `after` since it was last
		// checked (it runs while replays do): the page would then start
		// after a gap. Pruning records how far it pruned in its own
		// commit, so a read after the page tells.
		if pruned, _, err = s.streamStore.StreamHorizon(ctx); err != nil {
			return err
		}
		if after < pruned {
			return c.reset(cursor, prunedReason)
		}
		for i := range evs {
			if evs[i].ID > cursor {
				return nil
			}
			after = evs[i].ID
			if c.sub.wants(&evs[i]) {
				if err := c.send(evs[i], nil, true); err != nil {
					return err
				}
			}
		}
		if len(evs) < streamPage {
			break
		}
	}
	c.sent = max(after, cursor)
	return nil
}

// prunedReason is the reset's reason for a resume point retention passed.
const prunedReason = "events after this ID are no longer retained"

// reset tells the client it missed events it cannot get (event: reset),
// with the ID it follows from now.
func (c *streamClient) reset(cursor int64, reason string) error {
	c.sent = cursor
	frame := "id: " + strconv.FormatInt(cursor, 10) + "\nevent: reset\ndata: " +
		`{"reason":"` + reason + `: reload the page or refetch, then follow the stream"}` + "\n\n"
	return c.out.write([]byte(frame))
}

// live sends the broker's events (those after c.sent) and keepalives
// until the client leaves, falls behind, the broker stops, or, checked at
// each keepalive, the client's credentials no longer authorize it.
func (s *Server) live(ctx context.Context, c *streamClient, authorized func() bool) {
	keepalive := s.clock.After(streamKeepalive)
	for {
		var err error
		select {
		case it := <-c.sub.ch:
			items := []*streamItem{it}
			if how, _ := c.check(&it.ev); how == readAgain { // read again what waits with it, in one read
				items = drain(c.sub.ch, items, streamPage)
			}
			err = s.sendItems(ctx, c, items)
		case <-keepalive:
			if !authorized() {
				s.log.Info("stream: ended: the client's credentials no longer authorize it", "last_sent", c.sent)
				return
			}
			keepalive = s.clock.After(streamKeepalive)
			err = c.out.write(s.broker.passed(c))
		case <-c.sub.gone:
			if s.broker.wasSlow(c.sub) {
				s.log.Info("stream: client fell behind and was cut off; it resumes with Last-Event-ID", "last_sent", c.sent)
			}
			return
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// passed returns the keepalive frame for client c. When events were
// fanned out since the last one c sent, all of them skipped by its filter
// (?incident=: another incident's), the frame carries an id: line with the
// broker's cursor, which moves the EventSource's last event ID (a dispatch
// with no data fires no event but sets it, as the connection's first block
// does). A single-incident client otherwise kept its incident's last event
// ID while the rest of the cluster's events went by: after a quiet day, or
// a million other events, retention had pruned past it, and its next
// reconnect was answered with a reset (and before that, each reconnect
// replayed every event since it, to skip them all).
func (b *broker) passed(c *streamClient) []byte {
	id, ok := b.position(c.sub)
	if !ok || id <= c.sent {
		return []byte(": keepalive\n\n")
	}
	c.sent = id
	return []byte("id: " + strconv.FormatInt(id, 10) + "\n: keepalive\n\n")
}

// sseWriter writes and flushes stream frames, each under its own write
// deadline.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (o *sseWriter) write(b []byte) error {
	// Network deadlines are wall-clock time, not the engine clock.
	_ = o.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if _, err := o.w.Write(b); err != nil {
		return err
	}
	return o.rc.Flush()
}
