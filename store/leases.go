package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// TakeOverLeases ends, as of now, the leases of pages and announcements a
// previous process held when it died (SIGKILL, power loss) mid-send, so
// this one sends them again at once (at-least-once, under the same ID the
// receiver dedupes on) instead of when the lease would have run out
// (notify.Lease, three minutes). It returns how many it took over.
//
// Only a process that is the one user of the database may call it: serve
// on SQLite, holding the data directory's lock, before its engines start.
// Nodes sharing PostgreSQL cannot tell a dead node's lease from a live
// one's, so there it does nothing and the lease runs out as designed.
func (s *Store) TakeOverLeases(ctx context.Context, now time.Time) (int64, error) {
	if s.d.name != "sqlite" {
		return 0, nil
	}
	var n int64
	err := s.Write(ctx, "take-over-leases", func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		n = 0
		for _, table := range []string{"notifications", "announcements"} {
			res, err := t.execText(ctx, "UPDATE "+table+" SET lease_until = $1 "+
				"WHERE status = 'sending' AND lease_until > $1", micros(now))
			if err != nil {
				return t.s.dbErr(err, "take over the leases of %s", table)
			}
			if c, err := res.RowsAffected(); err == nil {
				n += c
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("take over leases: %w", err)
	}
	return n, nil
}
