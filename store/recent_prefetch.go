package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hypercare/hypercare"
	"github.com/jackc/pgx/v5"
)

// Read-ahead of a key's recent alerts (PostgreSQL). A trigger that finds
// no open alert reads the key's newest alerts next (intake's
// RecentAlertsByKey: the previous one, and those flapping detection looks
// at). On PostgreSQL each read is a round trip, so FindOpenAlert sends that
// read with its own, in one, for keys with no open alert only
// (qRecentUnlessOpen answers nothing when there is one: a re-trigger pays
// an index probe, not rows). RecentAlertsByKey answers from it while the
// request has run no statement since: nothing it wrote can be missing
// from the list. SQLite reads in process, and its key filter already
// skips both reads for a key never seen.

// recentPrefetch is how many of a key's newest alerts are read ahead;
// intake asks for 1, or the flapping threshold + 1.
const recentPrefetch = 8

// recentAhead is the read-ahead of one key.
type recentAhead struct {
	serviceID, dedupKey string
	// alerts are the key's newest alerts, newest first, at most
	// recentPrefetch: all of them when fewer.
	alerts []hypercare.Alert
	// statements is the request's statement count after the read: the
	// list holds only while no other statement ran.
	statements int
	valid      bool
}

// openKeyHint holds the keys (service, dedup key) FindOpenAlert last
// found open on this node: the next trigger of such a key almost surely
// finds its alert open again, and reading its recent alerts ahead would
// cost every re-trigger a statement for nothing. It is only a hint: a key
// it holds wrongly (resolved since, by any node) is read without the
// read-ahead, in one more round trip, and then forgotten. Bounded: when
// full it starts over.
type openKeyHint struct {
	mu   sync.Mutex
	keys map[alertKey]struct{}
}

// maxOpenKeyHints bounds openKeyHint.
const maxOpenKeyHints = 1 << 16

func (h *openKeyHint) open(k alertKey) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.keys[k]
	return ok
}

func (h *openKeyHint) set(k alertKey, open bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !open:
		delete(h.keys, k)
	case h.keys == nil || len(h.keys) >= maxOpenKeyHints:
		h.keys = map[alertKey]struct{}{k: {}}
	default:
		h.keys[k] = struct{}{}
	}
}

// findOpenReadingAhead is FindOpenAlert on PostgreSQL: the open alert
// (locked), and in the same round trip the key's newest alerts when it
// has none, unless the key was found open last time.
func (t *tx) findOpenReadingAhead(ctx context.Context, serviceID, dedupKey string) (*hypercare.Alert, error) {
	t.recent = recentAhead{}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := alertCacheKey(serviceID, dedupKey)
	if t.s.openKeys.open(k) {
		a, err := t.readOpenAlert(ctx, qFindOpenAlert, "find open alert", serviceID, dedupKey)
		if err == nil && a == nil {
			t.s.openKeys.set(k, false)
		}
		return a, err
	}
	t.statements += 2
	var open *hypercare.Alert
	var recent []hypercare.Alert
	err := t.batchWithAll([]stmt{{qFindOpenAlert, []any{serviceID, dedupKey}},
		{qRecentUnlessOpen, []any{serviceID, dedupKey, recentPrefetch}}}, func(br pgx.BatchResults) error {
		a := new(hypercare.Alert)
		switch err := scanAlert(br.QueryRow(), a); {
		case err == nil:
			open = a
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r hypercare.Alert
			if err := scanAlert(rows, &r); err != nil {
				return err
			}
			recent = append(recent, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find open alert %q on service %q: %w", dedupKey, serviceID, err)
	}
	if open == nil {
		t.recent = recentAhead{serviceID: serviceID, dedupKey: dedupKey, alerts: recent, statements: t.statements, valid: true}
	} else {
		t.s.openKeys.set(k, true)
	}
	return open, nil
}

// recentFromAhead answers RecentAlertsByKey from the read-ahead; ok is
// false when it cannot (another key, a statement run since, a longer
// list than was read).
func (t *tx) recentFromAhead(serviceID, dedupKey string, since int64, limit int) (list []hypercare.Alert, ok bool) {
	r := &t.recent
	if !r.valid || r.serviceID != serviceID || r.dedupKey != dedupKey || r.statements != t.statements {
		return nil, false
	}
	for i := range r.alerts {
		if len(list) == limit || micros(r.alerts[i].FirstSeenAt) < since {
			break // newest first: the rest are older still
		}
		list = append(list, cloneAlert(&r.alerts[i], nil))
	}
	if len(list) < limit && len(list) == recentPrefetch {
		return nil, false // there may be more than were read ahead
	}
	return list, true
}
