package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
)

// maxCachedAlerts bounds the open-alert cache; when full it starts over,
// which costs only reads.
const maxCachedAlerts = 1 << 16

// alertCache is the open alerts the SQLite write connection knows, so a
// repeated trigger (the bulk of a storm) finds its alert without a SELECT.
// It is owned by the one write connection and used only under the lock
// that serialises batches on it (Store.acquire). Every write of an alert
// row goes through InsertAlert or UpdateAlert, which stage the row as
// written; staged rows reach the committed layer only when their request
// succeeded and their batch committed, so a rolled-back write is never
// seen. Another connection committing to the database (a second process
// on the same file; admin commands) changes SQLite's data_version, which
// each batch checks after BEGIN, dropping the whole cache. PostgreSQL has
// several writers and nodes: it reads every time.
type alertCache struct {
	// committed holds open alerts as committed, by alertCacheKey.
	committed map[alertKey]*cachedAlert
	// batch and req hold the rows written by the batch's finished
	// requests and by the running request; a resolved alert is staged
	// too, and hides a committed entry.
	batch, req map[alertKey]*cachedAlert
	// dataVersion is SQLite's PRAGMA data_version when last checked.
	dataVersion int64
}

func newAlertCache() *alertCache {
	return &alertCache{committed: map[alertKey]*cachedAlert{}, batch: map[alertKey]*cachedAlert{},
		req: map[alertKey]*cachedAlert{}}
}

// cachedAlert is an open alert's row and the event whose payload its next
// events may share (shared_payload.go). The layers hold pointers, and an
// entry is never changed once staged (a change stages a new one): moving
// a request's rows to the batch and the batch's to the committed layer
// then copies no row. Held by value, every such move allocated (a map
// keeps values this large out of line), a twelfth of the bytes allocated
// per re-sent alert.
type cachedAlert struct {
	hypercare.Alert
	shared payloadRef
}

// alertKey identifies an open alert: its service and dedup key (a pair,
// not a joined string, so a lookup allocates nothing).
type alertKey struct{ service, dedup string }

func alertCacheKey(serviceID, dedupKey string) alertKey { return alertKey{serviceID, dedupKey} }

// begin starts a batch: nothing staged, and the committed layer dropped
// if another connection committed since the last batch.
func (c *alertCache) begin(ctx context.Context, wc *writeConn) error {
	clear(c.batch)
	clear(c.req)
	var v int64
	if err := wc.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return fmt.Errorf("read data_version: %w", err)
	}
	if v != c.dataVersion {
		clear(c.committed)
		c.dataVersion = v
		wc.othersCommitted()
	}
	return nil
}

// distrust makes the next batch drop this cache and every other cache of
// the write connection, as after another connection's commit: a COMMIT
// that reported an error may have been durable all the same, and then the
// committed layer is behind the database (the batch's rows never reached
// it), which the short update of a repeated trigger would trust.
func (c *alertCache) distrust() { c.dataVersion = -1 }

// endRequest keeps the running request's rows when it succeeded and drops
// them when its writes were undone.
func (c *alertCache) endRequest(ok bool) {
	if ok {
		for k, a := range c.req {
			c.batch[k] = a
		}
	}
	clear(c.req)
}

// committedBatch moves the batch's rows to the committed layer after
// COMMIT returned.
func (c *alertCache) committedBatch() {
	if len(c.committed)+len(c.batch) > maxCachedAlerts {
		clear(c.committed)
	}
	for k, a := range c.batch {
		if a.Status == hypercare.StatusResolved {
			delete(c.committed, k)
		} else {
			c.committed[k] = a
		}
	}
	clear(c.batch)
}

// find returns the open alert with the key as this transaction sees it;
// known is false when the cache cannot tell (read the database).
func (c *alertCache) find(serviceID, dedupKey string) (a *hypercare.Alert, known bool) {
	v, ok := c.visible(alertCacheKey(serviceID, dedupKey))
	if !ok || v.Status == hypercare.StatusResolved {
		return nil, ok
	}
	out := cloneAlert(&v.Alert, v.CustomDetails)
	return &out, true
}

// openID is the ID of the open alert of (serviceID, dedupKey) the cache
// holds, or "" when it holds none open or does not know.
func (c *alertCache) openID(serviceID, dedupKey string) string {
	v, ok := c.visible(alertCacheKey(serviceID, dedupKey))
	if !ok || v.Status == hypercare.StatusResolved {
		return ""
	}
	return v.ID
}

// visible is the newest entry for k: the running request's, the batch's,
// or the committed one.
func (c *alertCache) visible(k alertKey) (*cachedAlert, bool) {
	if v, ok := c.req[k]; ok {
		return v, true
	}
	if v, ok := c.batch[k]; ok {
		return v, true
	}
	v, ok := c.committed[k]
	return v, ok
}

// read records an open alert read from the database, which no write of
// this batch touched (it would be staged), so it is the committed row.
func (c *alertCache) read(a *hypercare.Alert) {
	if len(c.committed) >= maxCachedAlerts {
		clear(c.committed)
	}
	c.committed[alertCacheKey(a.ServiceID, a.DedupKey)] = &cachedAlert{Alert: cloneAlert(a, nil)}
}

// wrote stages a row the running request wrote, as the database holds it,
// and returns its entry (nil for a resolved row it does not stage).
// An open row is the key's one open alert (a unique index says so, and
// no statement changes an alert's service or dedup key). A
// resolved row hides the key's entry only if that entry is this alert: an
// older alert of the key written again (moved by a merge, say) must not
// hide the open one.
func (c *alertCache) wrote(a *hypercare.Alert) *cachedAlert {
	k := alertCacheKey(a.ServiceID, a.DedupKey)
	v, ok := c.visible(k)
	same := ok && v.ID == a.ID
	if a.Status == hypercare.StatusResolved && !same {
		return nil
	}
	var kept json.RawMessage
	if ok {
		kept = v.CustomDetails
	}
	e := &cachedAlert{Alert: cloneAlert(a, kept)}
	if same {
		// sent_key is written once, when the row is inserted: an update
		// leaves the column as it is, whatever a holds.
		e.SentKey, e.shared = v.SentKey, v.shared
	}
	c.req[k] = e
	return e
}

// forget drops alert id from every layer, so the next find reads the
// database: a statement changed its row behind the cache's back
// (SetAlertSentKey).
func (c *alertCache) forget(id string) {
	for _, m := range []map[alertKey]*cachedAlert{c.req, c.batch, c.committed} {
		for k, v := range m {
			if v.ID == id {
				delete(m, k)
			}
		}
	}
}

// cloneAlert copies a as a read from the database returns it: times in
// whole microseconds (UTC), empty lists and details nil, nothing shared
// with a (callers append to Links). The one exception is kept: details
// the cache already holds, equal to a's, are shared instead of copied
// (a repeated trigger's, whose kilobyte of labels would otherwise be
// copied twice per event). Details are JSON that no caller writes into,
// only replaces, and they are shared with no spare capacity, so even an
// append copies.
func cloneAlert(a *hypercare.Alert, kept json.RawMessage) hypercare.Alert {
	out := *a
	out.FirstSeenAt, out.LastSeenAt = fromMicros(micros(a.FirstSeenAt)), fromMicros(micros(a.LastSeenAt))
	out.AcknowledgedAt = cloneMicros(a.AcknowledgedAt)
	out.ResolvedAt = cloneMicros(a.ResolvedAt)
	out.CustomDetails, out.Links, out.Images = nil, nil, nil
	switch {
	case len(a.CustomDetails) == 0:
	case bytes.Equal(kept, a.CustomDetails):
		out.CustomDetails = kept[:len(kept):len(kept)]
	default:
		out.CustomDetails = bytes.Clone(a.CustomDetails)
	}
	if len(a.Links) > 0 {
		out.Links = slices.Clone(a.Links)
	}
	if len(a.Images) > 0 {
		out.Images = slices.Clone(a.Images)
	}
	return out
}

func cloneMicros(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := fromMicros(t.UnixMicro())
	return &v
}
