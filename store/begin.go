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
func (s *Store) beginBatch(ctx context.Context, c *writeConn) error {
	if !s.d.pipeline || c.silences == nil {
		_, err := c.exec(ctx, ctlBegin)
		return err
	}
	at := micros(time.Now().Add(-silenceReadAhead))
	var list []hypercare.Silence
	var b pgx.Batch
	b.Queue(c.q[ctlBegin])
	b.Queue(c.q[qActiveSilences], at)
	cerr, err := c.sendBatch(ctx, &b, func(br pgx.BatchResults) error { return readSilencesAfterBegin(br, &list) })
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
		return err
	}
	c.silences.read(at, list)
	return nil
}

// silenceReadAhead is how long before a batch's BEGIN the silences read
// with it may have ended: the requests' times are up to that much older
// than the batch (the time their events arrived).
const silenceReadAhead = time.Minute

// readSilencesAfterBegin reads BEGIN's result and the silences'.
func readSilencesAfterBegin(br pgx.BatchResults, list *[]hypercare.Silence) error {
	if _, err := br.Exec(); err != nil {
		return err
	}
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
