package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// Reads behind the noise report and the hypercare window summaries. Every
// one is a range on a time column indexed by migration 0019 (or
// change_events_at), over [from, to), optionally on one service (""
// means all). Large tables are counted in SQL; incidents and pages come
// back as small rows for the report package to aggregate.

// rangeQuery starts a query on col in [from, to), and on the service
// column svcCol when serviceID is set. Only the event log is filtered by
// service in SQL (its index covers service_id); on the other tables an
// equality on service_id would lead the planner to an index on the
// service's whole history, so their rows are filtered after the range read
// (onService).
func rangeQuery(op, col, svcCol string, from, to time.Time, serviceID string) (*query, error) {
	q := &query{}
	q.where(col + " >= " + q.arg(micros(from)))
	q.where(col + " < " + q.arg(micros(to)))
	q.eq("service", svcCol, serviceID)
	return q, q.check.err(op, "")
}

// The report statements, each a function of the WHERE clause rangeQuery
// built, so the query-plan test checks exactly what runs.
func eventCountsSQL(where string) string {
	return "SELECT service_id, outcome, COUNT(*) FROM events" + where + " GROUP BY service_id, outcome ORDER BY service_id, outcome"
}

func alertCountsSQL(where string) string {
	return "SELECT service_id, COUNT(*), " +
		"COALESCE(SUM(CASE WHEN incident_id IS NULL OR incident_id = '' THEN 1 ELSE 0 END), 0) FROM alerts" + where +
		" GROUP BY service_id ORDER BY service_id"
}

// firstAckSQL is when an incident was first acknowledged: its earliest
// acknowledgement on the timeline (an ack timeout that re-triggers it
// clears acknowledged_at and the next acknowledgement sets it again), else
// acknowledged_at (a timeline pruned or never written). It walks the
// incident's timeline_incident_at range in time order and stops at the
// first acknowledgement.
const firstAckSQL = "COALESCE((SELECT t.at FROM timeline t WHERE t.incident_id = i.id AND t.type = '" +
	hypercare.TimelineAcknowledged + "' ORDER BY t.at LIMIT 1), i.acknowledged_at)"

// firstResolvedSQL is when an incident was first resolved: its earliest
// resolution on the timeline (a key flapping re-opens a resolved incident
// and resolves it again; resolved_at keeps the last), else resolved_at.
// It walks the incident's timeline_incident_at range in time order and
// stops at the first resolution.
const firstResolvedSQL = "COALESCE((SELECT t.at FROM timeline t WHERE t.incident_id = i.id AND t.type = '" +
	hypercare.TimelineResolved + "' ORDER BY t.at LIMIT 1), i.resolved_at)"

// mergedSQL is the details of the merged timeline entry that resolved an
// incident, naming the incident it went into (into_incident_id), or NULL.
// Only a resolved incident can have been merged (a merge resolves it, and
// it keeps no alerts to re-open it); the target of a merge has a merged
// entry too, naming its source (from_incident_id), which is not matched.
// The newest such entry wins: a target merged later names its own target.
const mergedSQL = "CASE WHEN i.status = '" + string(hypercare.StatusResolved) + "' THEN " +
	"(SELECT t.details FROM timeline t WHERE t.incident_id = i.id AND t.type = '" + hypercare.TimelineMerged +
	"' AND t.details LIKE '%\"into_incident_id\"%' ORDER BY t.at DESC LIMIT 1) END"

// splitResolvedSQL is whether a split resolved the incident last: a
// split entry naming the incident it went into (into_incident_id; the
// split-off incident's own entry names its source), written in the same
// transaction as the resolution, so at resolved_at exactly. A later
// resolution (a kept key re-opened it) is not the split's. It reads the
// incident's timeline_incident_at range at one instant.
const splitResolvedSQL = "EXISTS (SELECT 1 FROM timeline t WHERE t.incident_id = i.id AND i.status = '" +
	string(hypercare.StatusResolved) + "' AND t.at = i.resolved_at AND t.type = '" + hypercare.TimelineSplit +
	"' AND t.details LIKE '%\"into_incident_id\"%')"

// firstPageSQL is when an incident's first page was issued: its earliest
// notification that was neither cancelled (it reached nobody) nor a
// digest (the held pages it carried are the pages), or NULL when nobody
// was paged. It walks the incident's notifications_incident range in
// time order and stops at the first page.
const firstPageSQL = "(SELECT n.created_at FROM notifications n WHERE n.incident_id = i.id AND n.status <> '" +
	string(hypercare.NotificationCancelled) + "' AND n.kind <> '" + string(hypercare.NotificationDigest) +
	"' ORDER BY n.created_at LIMIT 1)"

// pageDueSQL is when an incident's first page was due but for holds:
// its escalation's ready_at (one primary-key read), NULL without an
// escalation or for a row from before migration 0031 (0).
const pageDueSQL = "(SELECT NULLIF(e.ready_at, 0) FROM escalations e WHERE e.incident_id = i.id)"

func incidentStatsSQL(where string) string {
	return "SELECT i.id, i.number, i.service_id, i.created_at, " + firstAckSQL + ", " +
		"i.resolved_at, " + firstResolvedSQL + ", i.transient, i.suppressed_by <> '', COALESCE(f.verdict, ''), " + mergedSQL + ", " + splitResolvedSQL + ", " + firstPageSQL + ", " + pageDueSQL + " FROM incidents i " +
		"LEFT JOIN incident_feedback f ON f.incident_id = i.id" + where + " ORDER BY i.created_at, i.id"
}

// pageStatsSQL reads pages issued (made) in the range; a page's time is
// when its first notification was sent, else made (never sent): a
// low-urgency page held by quiet hours from 03:00 to 07:00 reached its
// user at 07:00, not at night.
func pageStatsSQL(where string) string {
	return "SELECT n.incident_id, i.service_id, n.user_id, n.step, MIN(COALESCE(n.sent_at, n.created_at)) " +
		"FROM notifications n JOIN incidents i ON i.id = n.incident_id" + where +
		" GROUP BY n.incident_id, i.service_id, n.user_id, n.step " +
		"ORDER BY MIN(COALESCE(n.sent_at, n.created_at)), n.incident_id, n.user_id, n.step"
}

// noisiestSQL breaks ties of the count bytewise, so the same keys make
// the list on every engine and collation.
func noisiestSQL(d *dialect, where, limit string) string {
	return "SELECT service_id, dedup_key, COUNT(*) FROM events" + where +
		" GROUP BY service_id, dedup_key ORDER BY COUNT(*) DESC, " + d.bytewise("service_id") + ", " +
		d.bytewise("dedup_key") + " LIMIT " + limit
}

const noisySummarySQL = "SELECT summary FROM alerts WHERE service_id = $1 AND dedup_key = $2 ORDER BY id DESC LIMIT 1"

func freezeChangesSQL(where, limit string) string {
	return "SELECT " + changeCols + " FROM change_events" + where + " ORDER BY occurred_at, id LIMIT " + limit
}

// onService keeps the rows of serviceID ("" keeps all).
func onService[T any](rows []T, serviceID string, of func(*T) string) []T {
	if serviceID == "" {
		return rows
	}
	out := rows[:0]
	for i := range rows {
		if of(&rows[i]) == serviceID {
			out = append(out, rows[i])
		}
	}
	return out
}

// readAll runs text on the read pool and scans every row with scan; an
// empty result is an empty slice, never nil.
func readAll[T any](ctx context.Context, s *Store, op, text string, args []any, scan func(rowScanner, *T) error) ([]T, error) {
	rows, err := s.query(ctx, text, args...)
	if err != nil {
		return nil, s.dbErr(err, "%s", op)
	}
	out, err := collect(rows, scan)
	if err != nil {
		return nil, s.dbErr(err, "%s", op)
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}

// EventCounts counts the logged events received in [from, to) per service
// and outcome (an index-only scan of events_received).
func (s *Store) EventCounts(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.EventCount, error) {
	q, err := rangeQuery("event counts", "received_at", "service_id", from, to, serviceID)
	if err != nil {
		return nil, err
	}
	return readAll(ctx, s, "event counts", eventCountsSQL(q.sql()), q.args,
		func(r rowScanner, c *hypercare.EventCount) error { return r.Scan(&c.ServiceID, &c.Outcome, &c.Count) })
}

// AlertCounts counts the alerts first seen in [from, to) per service, and
// those of them without an incident.
func (s *Store) AlertCounts(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.AlertCount, error) {
	q, err := rangeQuery("alert counts", "first_seen_at", "service_id", from, to, "")
	if err == nil {
		err = checkText("alert counts", "service", serviceID)
	}
	if err != nil {
		return nil, err
	}
	rows, err := readAll(ctx, s, "alert counts", alertCountsSQL(q.sql()), q.args,
		func(r rowScanner, c *hypercare.AlertCount) error {
			return r.Scan(&c.ServiceID, &c.Alerts, &c.WithoutIncident)
		})
	return onService(rows, serviceID, func(c *hypercare.AlertCount) string { return c.ServiceID }), err
}

// IncidentStats returns the incidents opened in [from, to), oldest first,
// with their verdicts; AcknowledgedAt is the first acknowledgement
// (firstAckSQL), FirstResolvedAt the first resolution (firstResolvedSQL),
// MergedInto the incident a merge moved one into
// (mergedSQL), ResolvedBySplit whether a split resolved it last
// (splitResolvedSQL), FirstPageAt its first page (firstPageSQL) and PageDueAt
// when that was due but for holds (pageDueSQL).
func (s *Store) IncidentStats(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.IncidentStat, error) {
	q, err := rangeQuery("incident stats", "i.created_at", "i.service_id", from, to, "")
	if err == nil {
		err = checkText("incident stats", "service", serviceID)
	}
	if err != nil {
		return nil, err
	}
	rows, err := readAll(ctx, s, "incident stats", incidentStatsSQL(q.sql()), q.args,
		func(r rowScanner, st *hypercare.IncidentStat) error {
			var created int64
			var acked, resolved, firstResolved, paged, due sql.NullInt64
			var merged sql.NullString
			if err := r.Scan(&st.ID, &st.Number, &st.ServiceID, &created, &acked, &resolved, &firstResolved, &st.Transient, &st.Held,
				&st.Verdict, &merged, &st.ResolvedBySplit, &paged, &due); err != nil {
				return err
			}
			st.CreatedAt = fromMicros(created)
			st.AcknowledgedAt, st.ResolvedAt = fromNullMicros(acked), fromNullMicros(resolved)
			st.FirstPageAt, st.PageDueAt = fromNullMicros(paged), fromNullMicros(due)
			st.FirstResolvedAt = fromNullMicros(firstResolved)
			if merged.Valid {
				var d struct {
					Into string `json:"into_incident_id"`
				}
				if err := json.Unmarshal([]byte(merged.String), &d); err != nil {
					return fmt.Errorf("merged entry of incident %s: %w", st.ID, err)
				}
				st.MergedInto = d.Into
			}
			return nil
		})
	return onService(rows, serviceID, func(st *hypercare.IncidentStat) string { return st.ServiceID }), err
}

// PageStats returns the pages issued in [from, to), oldest first: one per
// (incident, escalation step, user), however many contact methods it
// used, at the first of them to be sent (pageStatsSQL); cancelled
// notifications are not pages, and neither is a digest: the held pages it
// carried, one per incident, are.
func (s *Store) PageStats(ctx context.Context, from, to time.Time, serviceID string) ([]hypercare.PageStat, error) {
	q, err := rangeQuery("page stats", "n.created_at", "i.service_id", from, to, "")
	if err == nil {
		err = checkText("page stats", "service", serviceID)
	}
	if err != nil {
		return nil, err
	}
	q.where("n.status <> 'cancelled'")
	q.where("n.kind <> '" + hypercare.NotificationDigest + "'")
	rows, err := readAll(ctx, s, "page stats", pageStatsSQL(q.sql()), q.args, func(r rowScanner, p *hypercare.PageStat) error {
		var first int64
		err := r.Scan(&p.IncidentID, &p.ServiceID, &p.UserID, &p.Step, &first)
		p.At = fromMicros(first)
		return err
	})
	return onService(rows, serviceID, func(p *hypercare.PageStat) string { return p.ServiceID }), err
}

// NoisiestKeys returns up to limit (service, dedup key) pairs with the
// most events received in [from, to), most first, each with the summary
// of its latest alert ("" when every event was dropped).
func (s *Store) NoisiestKeys(ctx context.Context, from, to time.Time, serviceID string, limit int) ([]hypercare.KeyCount, error) {
	q, err := rangeQuery("noisiest alerts", "received_at", "service_id", from, to, serviceID)
	if err != nil {
		return nil, err
	}
	text := noisiestSQL(s.d, q.sql(), q.arg(limit)) // before q.args is read: it adds the limit
	keys, err := readAll(ctx, s, "noisiest alerts", text, q.args,
		func(r rowScanner, k *hypercare.KeyCount) error { return r.Scan(&k.ServiceID, &k.DedupKey, &k.Events) })
	if err != nil {
		return nil, err
	}
	for i := range keys {
		err := s.queryRow(ctx, noisySummarySQL, keys[i].ServiceID, keys[i].DedupKey).Scan(&keys[i].Summary)
		if err != nil && err != sql.ErrNoRows {
			return nil, s.dbErr(err, "summary of alert %q", keys[i].DedupKey)
		}
	}
	return keys, nil
}

// FreezeChanges returns up to limit change events that happened in
// [from, to) during window's change freeze (flagged on arrival), oldest
// first.
func (s *Store) FreezeChanges(ctx context.Context, window string, from, to time.Time, limit int) ([]hypercare.ChangeEvent, error) {
	q, err := rangeQuery("freeze changes", "occurred_at", "", from, to, "")
	if err != nil {
		return nil, err
	}
	q.eq("window", "freeze_window", window)
	if err := q.check.err("freeze changes", ""); err != nil {
		return nil, err
	}
	text := freezeChangesSQL(q.sql(), q.arg(limit))
	return readAll(ctx, s, "freeze changes", text, q.args, scanChange)
}
