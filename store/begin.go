package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
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
// The same round trip reads what the batch's requests named ahead
// (hypercare.WithKeysAhead; batchAhead): the newest alerts of the keys
// this node does not expect open, kept as "none open" for FindOpenAlert
// and RecentAlertsByKey to answer from (open_ahead.go), where each
// request's first trigger had read its key in a round trip of its own;
// and for keys whose trigger would open an incident of its own, one
// incident number per key that has never had an alert, and the latest
// change event of their services (RecentChanges' bound), so that
// InsertIncident is queued with its number instead of waiting for
// RETURNING: a batch of new alerts then waits for its BEGIN and its
// COMMIT only. A number drawn and not used is a gap, as one a rolled
// back transaction drew.
func (s *Store) beginBatch(ctx context.Context, c *writeConn, ba batchAhead) (*aheadRead, error) {
	silences := s.d.pipeline && c.silences != nil
	if !silences && ba.empty() {
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
	stmts := ba.statements()
	if len(stmts) > 0 {
		b.Queue(c.q[ctlGenericPlans])
		for _, st := range stmts {
			b.Queue(c.q[st.id], st.args...)
		}
		b.Queue(c.q[ctlDefaultPlans])
	}
	read := &aheadRead{held: make(openAhead), none: make(noneAhead)}
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
		if len(stmts) == 0 {
			return nil
		}
		if _, err := br.Exec(); err != nil {
			return err
		}
		if err := read.scan(br, stmts, recent, c.changes); err != nil {
			return fmt.Errorf("read the batch's alert keys ahead: %w", err)
		}
		_, err := br.Exec()
		return err
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
	read.none.keepFresh(ba.fresh, recent)
	s.forgetClosed(ba.open, read.held)
	slices.Sort(read.numbers) // handed out in order: incidents numbered as opened
	return read, nil
}

// batchAhead is what the batch's requests named ahead, by service,
// without repeats: open, the keys this node expects open (their alerts
// are read and locked), fresh, the others (their recent alerts are
// read), and opens, those of them whose trigger opens
// an incident of its own if the key is new (a number is drawn for each
// that has never had an alert).
type batchAhead struct {
	open, fresh, opens map[string][]string
}

// empty says the batch's requests named nothing to read ahead.
func (ba batchAhead) empty() bool { return len(ba.open)+len(ba.fresh) == 0 }

// aheadRead is what beginBatch read ahead: the open alerts it locked,
// the keys with no open alert, and the incident numbers drawn, lowest
// first.
type aheadRead struct {
	held    openAhead
	none    noneAhead
	numbers []int64
}

// batchAheadOf collects what the batch's requests named
// (hypercare.WithKeysAhead). The keys this node expects open are locked
// with BEGIN only if every request of the batch locks its alerts first
// (KeysAhead.AlertsFirst): a request that locks an incident or takes a
// grouping lock first would otherwise do so holding its batch-mates'
// alerts, the order a person's acknowledge or merge (the incident, then
// its alerts) waits on in a cycle. Only PostgreSQL reads ahead.
func (s *Store) batchAheadOf(batch []*request) batchAhead {
	var ba batchAhead
	if !s.d.pipeline {
		return ba
	}
	lockFirst := true // every request locks its alerts first: lock them all now
	for _, r := range batch {
		lockFirst = lockFirst && hypercare.KeysAheadOf(r.ctx).AlertsFirst
	}
	var seen map[alertKey]bool
	for _, r := range batch {
		k := hypercare.KeysAheadOf(r.ctx)
		for _, key := range k.Keys {
			ak := alertCacheKey(key.ServiceID, key.DedupKey)
			if seen[ak] || checkText("read alert keys ahead", "service_id", key.ServiceID, "dedup_key", key.DedupKey) != nil {
				continue // bad text fails at FindOpenAlert, with its own error
			}
			if seen == nil {
				seen = make(map[alertKey]bool)
				ba.open, ba.fresh, ba.opens = make(map[string][]string), make(map[string][]string), make(map[string][]string)
			}
			seen[ak] = true
			if s.openKeys.open(ak) {
				if lockFirst { // else each request locks its own at its turn
					ba.open[key.ServiceID] = append(ba.open[key.ServiceID], key.DedupKey)
				}
				continue
			}
			ba.fresh[key.ServiceID] = append(ba.fresh[key.ServiceID], key.DedupKey)
			if k.OpenIncidents && s.d.numberInInsert != "" {
				ba.opens[key.ServiceID] = append(ba.opens[key.ServiceID], key.DedupKey)
			}
		}
	}
	return ba
}

// statements are the reads of ba: per service, in order, the open
// alerts of the keys expected open (locked in dedup key order, services
// in order: one lock order for every batch), the fresh keys' recent
// alerts, then the numbers for its keys that open incidents and its
// latest change event.
func (ba batchAhead) statements() []stmt {
	stmts := aheadStatements(ba.open, ba.fresh)
	for _, s := range slices.Sorted(maps.Keys(ba.opens)) {
		stmts = append(stmts, stmt{qDrawNumbersAhead, []any{s, ba.opens[s]}}, stmt{qLatestChange, []any{s}})
	}
	return stmts
}

// scan reads the results of stmts: recent alerts into recent, numbers
// into r, change bounds into changes.
func (r *aheadRead) scan(br pgx.BatchResults, stmts []stmt, recent noneAhead, changes *changeCache) error {
	for _, st := range stmts {
		switch st.id {
		case qOpenAlertsAhead:
			if err := readAhead(br, r.held.add); err != nil {
				return err
			}
		case qRecentAhead:
			if err := readAhead(br, recent.add); err != nil {
				return err
			}
		case qDrawNumbersAhead:
			if err := readNumbers(br, &r.numbers); err != nil {
				return err
			}
		case qLatestChange:
			var latest sql.NullInt64
			if err := br.QueryRow().Scan(&latest); err != nil {
				return err
			}
			if changes != nil {
				changes.boundRead(st.args[0].(string), latest)
			}
		}
	}
	return nil
}

// readNumbers appends the numbers a statement drew.
func readNumbers(br pgx.BatchResults, into *[]int64) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return err
		}
		*into = append(*into, n)
	}
	return rows.Err()
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

// forgetClosed drops from the open-key hint the keys expected open that
// a read found with no open alert (resolved since, by any node): their
// next trigger reads their recent alerts ahead, as a new key's.
func (s *Store) forgetClosed(open map[string][]string, found openAhead) {
	for svc, list := range open {
		for _, k := range list {
			if ak := alertCacheKey(svc, k); found[ak] == nil {
				s.openKeys.set(ak, false)
			}
		}
	}
}
