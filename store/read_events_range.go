package store

import (
	"context"
	"time"

	"github.com/hypercare/hypercare"
)

// EventsBetween returns the event log received in [from, to), oldest
// first (received_at, then id: arrival order, as the writer committed
// them), one page at a time. It is the read behind `hypercare events
// export`, which writes the replay format: a replay must see events in the
// order production did. Index events_received (migration 0030) makes
// each page one range scan.
func (s *Store) EventsBetween(ctx context.Context, from, to time.Time, p hypercare.Page) ([]hypercare.EventRecord, string, error) {
	text, args, limit, err := eventsBetweenSQL(s.d, from, to, p)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "events", text, args, limit, scanEvent,
		func(e *hypercare.EventRecord) string { return pairCursor(micros(e.ReceivedAt), e.ID) })
}

// eventsBetweenSQL builds EventsBetween's read.
func eventsBetweenSQL(d *dialect, from, to time.Time, p hypercare.Page) (string, []any, int, error) {
	var q query
	q.where("received_at >= " + q.arg(micros(from)))
	q.where("received_at < " + q.arg(micros(to)))
	if p.Cursor != "" {
		at, id, err := decodePairCursor(p.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		q.where("(received_at, id) > (" + q.arg(at) + ", " + q.arg(id) + ")")
	}
	limit := pageLimit(p)
	return "SELECT " + d.eventReadCols() + " FROM events" + q.sql() +
		" ORDER BY received_at, id LIMIT " + q.arg(limit+1), q.args, limit, nil
}
