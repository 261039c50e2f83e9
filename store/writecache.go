package store

import (
	"database/sql"
	"math"
	"slices"

	"github.com/hypercare/hypercare"
)

// Two more reads every new incident makes come from memory: the silences
// not yet ended, and whether the service had a change event recently. On
// SQLite the one write connection keeps them, dropped whenever another
// connection commits (data_version moved), as the alert caches are; on
// PostgreSQL, whose writers on several nodes commit at any time, they live
// for one batch's transaction (Store.acquire gives each batch fresh ones),
// so a batch of new incidents reads each once. The incident numbers below
// are SQLite's only (PostgreSQL draws a sequence inside the INSERT).

// silenceCache holds the silences that had not ended at some time; later
// times filter that list in memory. A silence written by this connection
// (created or expired) empties it until the batch after the write's, so a
// rolled-back write is never served and a read after it in the same batch
// sees the database.
type silenceCache struct {
	// list holds the silences with ends_at after since, as ActiveSilences
	// returns them (by created_at, id); valid says it is loaded.
	list  []hypercare.Silence
	since int64 // micros
	valid bool
	// wrote says this batch wrote a silence: no caching until it ends.
	wrote bool
}

// begin starts a batch; a write in the previous batch already emptied
// the cache, committed or not.
func (c *silenceCache) begin() { c.wrote = false }

func (c *silenceCache) drop() { c.list, c.valid = nil, false }

// written records a silence write by this connection.
func (c *silenceCache) written() {
	if c == nil { // no cache (PostgreSQL): nothing to forget
		return
	}
	c.drop()
	c.wrote = true
}

// active returns the silences not ended at at (micros) from memory; ok is
// false when the database must be read.
func (c *silenceCache) active(at int64) (list []hypercare.Silence, ok bool) {
	if !c.valid || at < c.since {
		return nil, false
	}
	for _, s := range c.list {
		if micros(s.EndsAt) > at {
			list = append(list, cloneSilence(s))
		}
	}
	return list, true
}

// read keeps what the database answered for at, unless this batch wrote
// a silence (the answer may hold an uncommitted write).
func (c *silenceCache) read(at int64, list []hypercare.Silence) {
	if c.wrote {
		return
	}
	c.list, c.since, c.valid = make([]hypercare.Silence, 0, len(list)), at, true
	for _, s := range list {
		c.list = append(c.list, cloneSilence(s))
	}
}

// cloneSilence copies s so callers never share the cache's slices.
func cloneSilence(s hypercare.Silence) hypercare.Silence {
	s.Matchers, s.Services = slices.Clone(s.Matchers), slices.Clone(s.Services)
	if s.ExpiredAt != nil {
		at := *s.ExpiredAt
		s.ExpiredAt = &at
	}
	return s
}

// changeCache holds, per service, an upper bound of its change events'
// timestamps (micros): a read of a window that starts after the bound
// finds nothing. The bound only errs high (an insert rolled back, a change
// event deleted by retention), which costs a read, never a missed change.
// Retention's deletes would let a bound read in the same batch err low if
// the batch then rolled back, so such a batch drops the bounds and keeps
// none it reads until it ends.
type changeCache struct {
	latest map[string]int64
	// deleted says this batch deleted change events.
	deleted bool
}

// begin starts a batch; a delete in the previous batch already dropped
// the bounds, committed or not.
func (c *changeCache) begin() { c.deleted = false }

// deleting records that the batch deletes change events.
func (c *changeCache) deleting() {
	if c == nil { // no cache (PostgreSQL): nothing to forget
		return
	}
	c.drop()
	c.deleted = true
}

// maxCachedServices bounds the change cache; when full it starts over.
const maxCachedServices = 1 << 12

func (c *changeCache) drop() { clear(c.latest) }

// noneSince reports that the service has no change event at or after
// since; known is false when no bound is held (read the database).
func (c *changeCache) noneSince(serviceID string, since int64) (none, known bool) {
	latest, ok := c.latest[serviceID]
	return ok && latest < since, ok
}

// bound records the service's latest change event timestamp as read
// (math.MinInt64 when it has none).
func (c *changeCache) bound(serviceID string, latest int64) {
	if c.deleted {
		return
	}
	if c.latest == nil || len(c.latest) >= maxCachedServices {
		c.latest = map[string]int64{}
	}
	c.latest[serviceID] = latest
}

// boundRead records the service's latest change event timestamp as
// qLatestChange read it (NULL: none) and returns the bound it keeps.
func (c *changeCache) boundRead(serviceID string, latest sql.NullInt64) int64 {
	bound := int64(math.MinInt64)
	if latest.Valid {
		bound = latest.Int64
	}
	c.bound(serviceID, bound)
	return bound
}

// inserted raises the service's bound to a change event being inserted.
func (c *changeCache) inserted(serviceID string, at int64) {
	if latest, ok := c.latest[serviceID]; ok && at > latest {
		c.latest[serviceID] = at
	}
}

// numberCache hands out incident numbers on SQLite's writer from memory
// instead of an UPDATE … RETURNING of the counter row per incident: the
// counter is written once per batch, before COMMIT, with the batch's last
// number. Numbers are staged like the open-alert cache's rows: a request
// that fails gives its numbers back, so numbers stay gapless as before.
type numberCache struct {
	// committed is the counter as committed; batch and req the last number
	// handed out by the batch's finished requests and by the running one.
	committed, batch, req int64
	// valid says committed was read (and no other connection committed
	// since).
	valid bool
	// reread asks the next batch to read the counter again: a commit
	// failed (it may have been durable all the same), or a drawn number
	// was already taken. The old UPDATE … RETURNING could not drift from
	// the database; this repairs the cache if it ever does.
	reread bool
}

// begin starts a batch from the committed counter.
func (c *numberCache) begin() {
	if c.reread {
		c.valid, c.reread = false, false
	}
	c.batch, c.req = c.committed, c.committed
}

// distrust makes the next batch read the counter again.
func (c *numberCache) distrust() { c.reread = true }

func (c *numberCache) drop() { c.valid = false }

// loaded sets the committed counter as read, before any number of the
// batch was handed out from memory.
func (c *numberCache) loaded(committed int64) {
	c.committed, c.batch, c.req, c.valid = committed, committed, committed, true
}

func (c *numberCache) next() int64 {
	c.req++
	return c.req
}

// endRequest keeps the running request's numbers if it succeeded.
func (c *numberCache) endRequest(ok bool) {
	if ok {
		c.batch = c.req
	} else {
		c.req = c.batch
	}
}

// pending returns the counter the batch must write before COMMIT, if any.
func (c *numberCache) pending() (int64, bool) { return c.batch, c.valid && c.batch != c.committed }

// committedBatch moves the batch's counter to the committed one.
func (c *numberCache) committedBatch() { c.committed = c.batch }
