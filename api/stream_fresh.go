package api

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hypercare/hypercare"
)

// Never backwards. An event's object is read when the event is read
// (the slim outbox, store/stream_read.go), so two events of one object
// can carry states from different reads. A client must never get an
// object in an older state than one it was already sent; this can happen
// when a reconnecting client replays from the store (its own reads) while
// the broker reads ahead into its buffer, and across a reconnect.
//
// Each client remembers, per object, the read that gave it the state it
// has, when that read was its own (a replay page) or a read again (seen;
// the broker's reads follow each other, so they need no entry). For a new
// event of that object read by read B:
//   - B began after the client's read ended, or is the same read: B's
//     state is at least as new; it goes out as read.
//   - The client's read began after B ended: the client's state is newer,
//     and includes this change (B saw the change committed, so it
//     committed before B ended); that state goes out again with the event.
//   - The reads overlapped: neither is known to be newer. The broker reads
//     the object again (serveRefresh), between two of its own reads, so
//     the new read began after both ended and every event the broker
//     hands out later was read after it: overlaps never chain.
//
// An object the client has not seen on this connection counts as seen by
// a read at the connection's start, so states read before it (which a
// previous connection may have been sent newer ones of) are read again.

// objectKey names an object of the stream (no string built per lookup).
type objectKey struct{ kind, id string }

// seenObject is the read that gave a client an object's state, and that
// state.
type seenObject struct {
	from, to time.Time
	obj      json.RawMessage
}

// streamClient is one connected client's side of the stream: where it is,
// what it may see, and which object states it has.
type streamClient struct {
	out   *sseWriter
	sub   *subscriber
	admin bool
	// sent is the last event ID the client has (or skipped).
	sent int64
	// since is when the connection began.
	since time.Time
	// seen maps an object to the read of its newest state sent, for the
	// states that came from the client's own reads (a replay) or a read
	// again; states the broker read in order need no entry (each broker
	// read begins after the one before ended). Once the broker's reads
	// begin after every remembered read ended (seenTo), it is emptied.
	seen   map[objectKey]seenObject
	seenTo time.Time
	// broker is the start of the newest broker read the client has taken
	// events from: every later event comes from a read that began after
	// it, so what the client saw from reads that ended before it no
	// longer matters and may be forgotten.
	broker time.Time
	// forgot is the end of the newest read of an object forgotten while it
	// still mattered (limit): an object the client has no entry for
	// counts as seen by a read ending then, so a state read before is read
	// again rather than trusted.
	forgot time.Time
	// limit is how many objects it remembers (seenLimit).
	limit int
}

func newStreamClient(out *sseWriter, sub *subscriber, sent int64, admin bool, since time.Time) *streamClient {
	return &streamClient{out: out, sub: sub, sent: sent, admin: admin, since: since,
		seen: map[objectKey]seenObject{}, limit: seenLimit}
}

// seenLimit is how many objects a client remembers: twice a page, so the
// broker's reads (a page each) never make it forget what still matters.
const seenLimit = 2 * streamPage

// How an event's object goes out (check).
const (
	asRead    = iota // the event's own object
	asSeen           // the newer state the client already has
	readAgain        // neither is known to be newer: read it again
)

// check says how ev's object must go out; obj is the state the client
// has for asSeen.
func (c *streamClient) check(ev *hypercare.StreamEvent) (how int, obj json.RawMessage) {
	if ev.Object == nil || ev.ObjectID == "" {
		return asRead, nil // gone, or stored with a copy before the slim outbox
	}
	var s seenObject
	ok := false
	if len(c.seen) > 0 {
		s, ok = c.seen[objectKey{ev.Kind, ev.ObjectID}]
	}
	if !ok {
		s = seenObject{from: c.since, to: c.since}
		if c.forgot.After(s.to) {
			s.to = c.forgot
		}
	}
	switch {
	case ev.ReadFrom.Equal(s.from) && ev.ReadTo.Equal(s.to), !ev.ReadFrom.Before(s.to):
		return asRead, nil
	case !s.from.Before(ev.ReadTo) && s.obj != nil:
		return asSeen, s.obj
	}
	return readAgain, nil
}

// send writes ev with the object check chooses, unless it is gone (the
// client moves past it either way); shared, when set, is the broker's item
// ev came from, whose frames its clients share when the object goes out
// as read; own says ev's object came from the client's own read or a read
// again, to be remembered. An event check says to read again must have
// been read again first.
func (c *streamClient) send(ev hypercare.StreamEvent, shared *streamItem, own bool) error {
	c.sent = ev.ID
	how, obj := c.check(&ev)
	switch {
	case how == readAgain:
		return errors.New("stream: an object needs reading again before it is sent")
	case ev.Object == nil:
		return nil // its object is gone (retention)
	case how == asSeen:
		ev.Object, shared = obj, nil
	case own && ev.ObjectID != "":
		c.remember(&ev)
	}
	if shared == nil {
		return c.out.write(encodeFrame(ev, c.admin))
	}
	return c.out.write(shared.frame(c.admin))
}

// remember records that the client has ev's object as ev's read left it.
// Past the limit it forgets the objects whose read ended before the
// newest broker read began (they no longer matter) and, if that is not
// enough (a long replay), all of them, forgot keeping the bound.
func (c *streamClient) remember(ev *hypercare.StreamEvent) {
	key := objectKey{ev.Kind, ev.ObjectID}
	if s, ok := c.seen[key]; ok && !ev.ReadTo.After(s.to) {
		return
	}
	c.seen[key] = seenObject{from: ev.ReadFrom, to: ev.ReadTo, obj: ev.Object}
	if ev.ReadTo.After(c.seenTo) {
		c.seenTo = ev.ReadTo
	}
	if len(c.seen) <= c.limit {
		return
	}
	for k, s := range c.seen {
		if !s.to.After(c.broker) {
			delete(c.seen, k)
		}
	}
	if len(c.seen) <= c.limit {
		return
	}
	for k, s := range c.seen {
		if s.to.After(c.forgot) {
			c.forgot = s.to
		}
		delete(c.seen, k)
	}
}

// fromBroker notes that ev, about to be sent, came from a broker read.
func (c *streamClient) fromBroker(ev *hypercare.StreamEvent) {
	if !ev.ReadFrom.After(c.broker) {
		return
	}
	c.broker = ev.ReadFrom
	if len(c.seen) > 0 && !c.seenTo.After(c.broker) {
		clear(c.seen) // every later read begins after all of them ended
	}
}

// sendItems sends the broker's items after c.sent in order. An object
// check says to read again is read again, with every later item's that
// needs it, in one read by the broker between two of its own.
func (s *Server) sendItems(ctx context.Context, c *streamClient, items []*streamItem) error {
	var fresh map[int64]hypercare.StreamEvent // read again, by event ID; nil until needed
	for i, it := range items {
		if it.ev.ID <= c.sent {
			continue
		}
		if _, ok := fresh[it.ev.ID]; !ok {
			if how, _ := c.check(&it.ev); how == readAgain {
				var err error
				if fresh, err = s.readAgain(ctx, c, items[i:], fresh); err != nil {
					return err
				}
			}
		}
		ev, shared := it.ev, it
		f, own := fresh[ev.ID]
		if own {
			ev, shared = f, nil
		}
		c.fromBroker(&ev)
		if err := c.send(ev, shared, own); err != nil {
			return err
		}
	}
	return nil
}

// readAgain has the broker read the objects of the items check says to
// read again, together, and returns fresh with them added by event ID.
func (s *Server) readAgain(ctx context.Context, c *streamClient, items []*streamItem,
	fresh map[int64]hypercare.StreamEvent) (map[int64]hypercare.StreamEvent, error) {
	var stale []hypercare.StreamEvent
	for _, it := range items {
		if _, done := fresh[it.ev.ID]; done {
			continue
		}
		if how, _ := c.check(&it.ev); how == readAgain {
			stale = append(stale, it.ev)
		}
	}
	evs, err := s.broker.refresh(ctx, stale)
	if err != nil {
		return fresh, err
	}
	if fresh == nil {
		fresh = make(map[int64]hypercare.StreamEvent, len(evs))
	}
	for _, ev := range evs {
		fresh[ev.ID] = ev
	}
	return fresh, nil
}

// refreshRequest asks the broker to read the objects of evs again.
type refreshRequest struct {
	evs   []hypercare.StreamEvent
	reply chan refreshReply
}

type refreshReply struct {
	evs []hypercare.StreamEvent
	err error
}

// refresh has Run read the objects of evs again, between two of its own
// reads, and returns the events with them.
func (b *broker) refresh(ctx context.Context, evs []hypercare.StreamEvent) ([]hypercare.StreamEvent, error) {
	req := refreshRequest{evs: evs, reply: make(chan refreshReply, 1)}
	select {
	case b.refreshes <- req:
	case <-b.halted:
		return nil, errors.New("stream: the broker stopped")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.reply:
		return r.evs, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serveRefresh reads the objects of a client's request again.
func (b *broker) serveRefresh(ctx context.Context, req refreshRequest) {
	evs, err := b.src.StreamRefresh(ctx, req.evs)
	b.mu.Lock()
	b.rereads += uint64(len(req.evs))
	b.mu.Unlock()
	req.reply <- refreshReply{evs: evs, err: err}
}
