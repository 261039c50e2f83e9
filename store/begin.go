package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/jackc/pgx/v5"
)

// beginBatch starts a batch's transaction on c. On PostgreSQL, where each
// statement is a round trip and the batch's silence cache starts empty,
// the silences not ended by now are read in the same round trip as BEGIN:
// every batch that opens an incident reads them (hold.Check), and a batch
// that opens none pays an index read, not a round trip. They are read
// for silenceReadAhead before now: a request's time is when its event
// arrived, before its batch began. A caller whose time is earlier still
// (a test's clock) reads the database as before.
//
// The same round trip reads the newest alerts of fresh, the alert keys
// the batch's requests named (hypercare.WithAlertKeys) that this node
// does not expect open (batchKeys): it returns those found with no open
// alert, for FindOpenAlert and RecentAlertsByKey to answer from
// (open_ahead.go), where each request's first trigger had read its key
// in a round trip of its own.
func (s *Store) beginBatch(ctx context.Context, c *writeConn, fresh map[string][]string) (noneAhead, error) {
	silences := s.d.pipeline && c.silences != nil
	if !silences && len(fresh) == 0 {
		_, err := c.exec(ctx, ctlBegin)
		return nil, err
	}
	at := micros(time.Now().Add(-silenceReadAhead))
	var list []hypercare.Silence
	var b pgx.Batch
	b.Queue(c.q[ctlBegin])
	if silences {
		b.Queue(c.q[qActiveSilences], at)
	}
	stmts := aheadStatements(nil, fresh)
	for _, st := range stmts {
		b.Queue(c.q[st.id], st.args...)
	}
	recent := make(noneAhead)
	cerr, err := c.sendBatch(ctx, &b, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		if silences {
			if err := readSilences(br, &list); err != nil {
				return err
			}
		}
		for range stmts {
			if err := readAhead(br, recent.add); err != nil {
				return fmt.Errorf("read the batch's alert keys ahead: %w", err)
			}
		}
		return nil
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		// BEGIN may have succeeded and the read failed: end the
		// transaction so the pool never hands out an aborted one (after
		// a failed BEGIN, PostgreSQL only warns).
		if _, rerr := c.exec(context.WithoutCancel(ctx), ctlRollback); rerr != nil {
			s.log.Warn("write batch rollback after a failed begin failed", "err", rerr)
		}
		return nil, err
	}
	if silences {
		c.silences.read(at, list)
	}
	none := make(noneAhead)
	none.keepFresh(fresh, recent)
	return none, nil
}

// batchKeys are the alert keys the batch's requests named
// (hypercare.WithAlertKeys), by service, without repeats, leaving out
// those this node expects open: their reads lock the alert, which each
// request does at its turn (FindOpenAlert, ReadOpenAlertsAhead). Only
// PostgreSQL reads them ahead.
func (s *Store) batchKeys(batch []*request) map[string][]string {
	if !s.d.pipeline {
		return nil
	}
	var fresh map[string][]string
	var seen map[alertKey]bool
	for _, r := range batch {
		for _, k := range hypercare.AlertKeysOf(r.ctx) {
			ak := alertCacheKey(k.ServiceID, k.DedupKey)
			if seen[ak] || s.openKeys.open(ak) || checkText("read alert keys ahead", "service_id", k.ServiceID, "dedup_key", k.DedupKey) != nil {
				continue // bad text fails at FindOpenAlert, with its own error
			}
			if seen == nil {
				seen, fresh = make(map[alertKey]bool), make(map[string][]string)
			}
			seen[ak] = true
			fresh[k.ServiceID] = append(fresh[k.ServiceID], k.DedupKey)
		}
	}
	return fresh
}

// silenceReadAhead is how long before a batch's BEGIN the silences read
// with it may have ended: the requests' times are up to that much older
// than the batch (the time their events arrived).
const silenceReadAhead = time.Minute

// readSilences reads the silences' result.
func readSilences(br pgx.BatchResults, list *[]hypercare.Silence) error {
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("active silences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sl hypercare.Silence
		if err := scanSilence(rows, &sl); err != nil {
			return fmt.Errorf("active silences: %w", err)
		}
		*list = append(*list, sl)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("active silences: %w", err)
	}
	return nil
}
