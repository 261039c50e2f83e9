package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare"
)

var _ hypercare.Reader = (*Store)(nil)

// query builds the WHERE clause and arguments of a read query. Only
// placeholders are generated, never values, so filters cannot inject SQL.
type query struct {
	conds []string
	args  []any
	check textCheck
}

// arg adds a bound argument and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// eq adds "col = value" when value is set, checking it is storable text
// so a bad filter fails the same way on both engines.
func (q *query) eq(field, col, value string) {
	if value == "" {
		return
	}
	q.check.str(field, value)
	q.conds = append(q.conds, col+" = "+q.arg(value))
}

func (q *query) where(cond string) { q.conds = append(q.conds, cond) }

func (q *query) sql() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// listPage runs a query that selects up to limit+1 rows and returns the
// first limit, with the cursor of the last one when there are more.
func listPage[T any](ctx context.Context, s *Store, what, text string, args []any, limit int,
	scan func(rowScanner, *T) error, cursor func(*T) string) ([]T, string, error) {
	rows, err := s.query(ctx, text, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", what, unavailable(err))
	}
	items, err := collect(rows, scan)
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", what, unavailable(err))
	}
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, cursor(&items[limit-1]), nil
}

// getOne reads one row; sql.ErrNoRows becomes notFound.
func getOne[T any](ctx context.Context, s *Store, text string, arg any, scan func(rowScanner, *T) error,
	notFound func() error) (*T, error) {
	v := new(T)
	err := scan(s.queryRow(ctx, text, arg), v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, unavailable(err)
	}
	return v, nil
}

// The single-row incident reads (primary key; UNIQUE number).
const (
	getIncidentSQL         = "SELECT " + incidentCols + " FROM incidents WHERE id = $1"
	getIncidentByNumberSQL = "SELECT " + incidentCols + " FROM incidents WHERE number = $1"
)

// GetIncident returns the incident with id.
func (s *Store) GetIncident(ctx context.Context, id string) (*hypercare.Incident, error) {
	if err := checkText("get incident", "id", id); err != nil {
		return nil, err
	}
	inc, err := getOne(ctx, s, getIncidentSQL, id, scanIncident,
		func() error { return hypercare.Errorf(hypercare.CodeNotFound, "incident %q not found", id) })
	if err != nil && !hypercare.IsNotFound(err) {
		return nil, fmt.Errorf("get incident %q: %w", id, err)
	}
	return inc, err
}

// getPageIncidentSQL is getIncidentSQL with the status of one of the
// incident's pages as one more column: a scalar subquery on the
// notifications primary key, NULL when there is no such page. Both are
// primary-key lookups in one statement, so delivery's read of a page's
// incident learns of the page's cancel for no extra round trip.
const getPageIncidentSQL = "SELECT " + incidentCols +
	", (SELECT n.status FROM notifications n WHERE n.id = $2) FROM incidents WHERE id = $1"

// GetPageIncident returns incident incidentID and the status of its page
// notificationID as both are now ("" when there is no such page), in one
// read.
func (s *Store) GetPageIncident(ctx context.Context, incidentID, notificationID string) (*hypercare.Incident, string, error) {
	if err := checkText("get incident", "id", incidentID, "notification", notificationID); err != nil {
		return nil, "", err
	}
	var status sql.NullString
	inc := new(hypercare.Incident)
	err := scanIncident(withExtra{s.queryRow(ctx, getPageIncidentSQL, incidentID, notificationID), []any{&status}}, inc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, "", hypercare.Errorf(hypercare.CodeNotFound, "incident %q not found", incidentID)
	case err != nil:
		return nil, "", fmt.Errorf("get incident %q: %w", incidentID, err)
	}
	return inc, status.String, nil
}

// withExtra scans a row whose leading columns a scan function reads,
// into that function's destinations and then extra.
type withExtra struct {
	r     rowScanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.r.Scan(append(dest, w.extra...)...) }

// GetIncidentByNumber returns the incident with number.
func (s *Store) GetIncidentByNumber(ctx context.Context, number int64) (*hypercare.Incident, error) {
	inc, err := getOne(ctx, s, getIncidentByNumberSQL, number, scanIncident,
		func() error { return hypercare.Errorf(hypercare.CodeNotFound, "incident #%d not found", number) })
	if err != nil && !hypercare.IsNotFound(err) {
		return nil, fmt.Errorf("get incident #%d: %w", number, err)
	}
	return inc, err
}

// ListIncidents returns incidents newest (highest number) first.
func (s *Store) ListIncidents(ctx context.Context, f hypercare.IncidentFilter) ([]hypercare.Incident, string, error) {
	text, args, limit, err := listIncidentsSQL(f)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "incidents", text, args, limit, scanIncident,
		func(i *hypercare.Incident) string { return intCursor(i.Number) })
}

// CountIncidents counts incidents with status, or all when status is "".
func (s *Store) CountIncidents(ctx context.Context, status hypercare.Status) (int64, error) {
	var q query
	q.eq("status", "status", string(status))
	if err := q.check.err("count incidents", ""); err != nil {
		return 0, err
	}
	var n int64
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM incidents"+q.sql(), q.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count incidents: %w", err)
	}
	return n, nil
}

// CountIncidentsUpTo counts incidents with status (all when ""), reading
// at most limit of them: limit means "limit or more".
func (s *Store) CountIncidentsUpTo(ctx context.Context, status hypercare.Status, limit int64) (int64, error) {
	return s.CountMatchingIncidentsUpTo(ctx, status, "", "", limit)
}

// CountMatchingIncidentsUpTo is CountIncidentsUpTo within a service
// and/or an urgency ("" for any): the web UI's status tabs of a filtered
// list count what the list shows.
func (s *Store) CountMatchingIncidentsUpTo(ctx context.Context, status hypercare.Status, serviceID string,
	urgency hypercare.Urgency, limit int64) (int64, error) {
	text, args, err := countIncidentsUpToSQL(status, serviceID, urgency, limit)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := s.queryRow(ctx, text, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count incidents up to %d: %w", limit, err)
	}
	return n, nil
}

// countIncidentsUpToSQL is CountMatchingIncidentsUpTo's read: the LIMIT
// inside bounds the index entries it walks: incidents_status_number with
// a status alone or with an urgency, incidents_service_status with a
// service. The urgency is checked on the rows walked, as the list it
// counts checks it (an index of its own would cost every new incident a
// B-tree insert for the sake of a tab's count).
func countIncidentsUpToSQL(status hypercare.Status, serviceID string, urgency hypercare.Urgency, limit int64) (string, []any, error) {
	if limit < 1 {
		return "", nil, hypercare.InvalidFields("count incidents: invalid argument", hypercare.FieldError{Field: "limit", Message: "must be at least 1"})
	}
	var q query
	q.eq("status", "status", string(status))
	q.eq("urgency", "urgency", string(urgency))
	if serviceID != "" {
		q.check.str("service_id", serviceID)
		q.where("(service_id || '/') = " + q.arg(serviceID+"/"))
	}
	if err := q.check.err("count incidents", ""); err != nil {
		return "", nil, err
	}
	where := q.sql()
	return "SELECT COUNT(*) FROM (SELECT 1 FROM incidents" + where + " LIMIT " + q.arg(limit) + ") AS capped", q.args, nil
}

// ListAlerts returns alerts newest (highest id) first.
func (s *Store) ListAlerts(ctx context.Context, f hypercare.AlertFilter) ([]hypercare.Alert, string, error) {
	text, args, limit, err := listAlertsSQL(f)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "alerts", text, args, limit, scanAlert,
		func(a *hypercare.Alert) string { return encodeCursor(a.ID) })
}

// ListTimeline returns an incident's timeline oldest first.
func (s *Store) ListTimeline(ctx context.Context, incidentID string, p hypercare.Page) ([]hypercare.TimelineEntry, string, error) {
	text, args, limit, err := listTimelineSQL(incidentID, p)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "timeline", text, args, limit, scanTimeline,
		func(e *hypercare.TimelineEntry) string { return pairCursor(micros(e.At), e.ID) })
}

// LatestTimeline returns an incident's newest limit timeline entries,
// oldest first, and whether older ones exist: what a page showing the
// end of a long timeline (a storm's alert_added entries) reads, through
// timeline_incident_at backwards.
func (s *Store) LatestTimeline(ctx context.Context, incidentID string, limit int) ([]hypercare.TimelineEntry, bool, error) {
	var q query
	q.check.str("incident_id", incidentID)
	q.where("incident_id = " + q.arg(incidentID))
	if err := q.check.err("latest timeline", ""); err != nil {
		return nil, false, err
	}
	limit = pageLimit(hypercare.Page{Limit: limit})
	text := "SELECT " + timelineCols + " FROM timeline" + q.sql() + " ORDER BY at DESC, id DESC LIMIT " + q.arg(limit+1)
	items, more, err := listPage(ctx, s, "timeline", text, q.args, limit, scanTimeline,
		func(*hypercare.TimelineEntry) string { return "older" })
	if err != nil {
		return nil, false, err
	}
	slices.Reverse(items)
	return items, more != "", nil
}

// listTimelineSQL builds ListTimeline's read: a range of
// timeline_incident_at (incident_id, at, id).
func listTimelineSQL(incidentID string, p hypercare.Page) (string, []any, int, error) {
	var q query
	q.check.str("incident_id", incidentID)
	q.where("incident_id = " + q.arg(incidentID))
	if p.Cursor != "" {
		at, id, err := decodePairCursor(p.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		q.where("(at, id) > (" + q.arg(at) + ", " + q.arg(id) + ")")
	}
	if err := q.check.err("list timeline", ""); err != nil {
		return "", nil, 0, err
	}
	limit := pageLimit(p)
	return "SELECT " + timelineCols + " FROM timeline" + q.sql() + " ORDER BY at, id LIMIT " + q.arg(limit+1), q.args, limit, nil
}
