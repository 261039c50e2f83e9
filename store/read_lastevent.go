package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// lastEventQuery reads when one integration last sent an event or a change
// event; both tables are indexed on (integration_id, received_at), so it is
// two index seeks whatever the size of the log (PostgreSQL).
const lastEventQuery = "SELECT MAX(t) FROM (" +
	"SELECT MAX(received_at) AS t FROM events WHERE integration_id = $1 " +
	"UNION ALL SELECT MAX(received_at) AS t FROM change_events WHERE integration_id = $1) AS last_events"

// lastActivityQuery is lastEventQuery where the writer keeps each
// integration's last event in integration_activity (SQLite, activity.go):
// a primary key lookup and an index seek. Retention deletes the row with
// the integration's last event, so both engines answer alike.
const lastActivityQuery = "SELECT MAX(t) FROM (" +
	"SELECT last_event_at AS t FROM integration_activity WHERE integration_id = $1 " +
	"UNION ALL SELECT MAX(received_at) AS t FROM change_events WHERE integration_id = $1) AS last_events"

// LastEventAt returns, for each of the integrations, when it last sent
// anything (an event or a change event) that was recorded; integrations
// that never did are absent from the map.
func (s *Store) LastEventAt(ctx context.Context, integrationIDs []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(integrationIDs))
	query := lastEventQuery
	if s.d.activity {
		query = lastActivityQuery
	}
	for _, id := range integrationIDs {
		if err := checkText("last event", "integration_id", id); err != nil {
			return nil, err
		}
		var v sql.NullInt64
		if err := s.queryRow(ctx, query, id).Scan(&v); err != nil {
			return nil, fmt.Errorf("last event of integration %q: %w", id, err)
		}
		if v.Valid {
			out[id] = fromMicros(v.Int64)
		}
	}
	return out, nil
}
