package store

import (
	"slices"
	"strings"

	"github.com/hypercare/hypercare"
)

// The incident and alert listings take any mix of filters, and each mix
// must be one bounded index read however large the tables grow (issue 11:
// 1,000,000 alerts, 10 ms p99). Two rules make that hold on both engines:
//
//   - One filter drives the read: its index, whose last column is the sort
//     key, hands rows over in page order, so the read stops after a page.
//     The other filters are applied to those rows only; unindexed() keeps
//     SQLite, which has no statistics to choose with, from driving the read
//     with an index that would make it sort every match instead.
//   - A filter that is a set of alternatives (several statuses; an
//     incident's own alerts or its symptoms) becomes one branch per
//     alternative, each a page of its own index range, merged by UNION ALL:
//     an IN or OR would make either engine collect and sort every match.
//
// ARCHITECTURE.md ("Indexes") lists which read uses which index.

// allStatuses are the branches of a listing by service without a status
// filter: (service_id, status, key) indexes serve it as three ranges.
var allStatuses = []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged, hypercare.StatusResolved}

// listSQL is a keyset-paged listing: conditions every row meets, plus
// alternatives (branches) of which each row meets one.
type listSQL struct {
	query
	branches [][]string
}

// unindexed adds "col = value" as a filter that must not drive the read.
// col || ” is the same value, but no index covers that expression.
func (l *listSQL) unindexed(field, col, value string) {
	l.eq(field, col+" || ''", value)
}

// byService drives a listing by its service through a ((service_id ||
// '/'), status, key) index. The write path's reads say service_id = $1
// and cannot use an index on that expression: with no statistics yet (a
// fresh PostgreSQL database, or autovacuum off) the planner took a plain
// (service_id, status, …) index for them and walked every open alert of
// the service on each event.
func (l *listSQL) byService(value string) {
	l.check.str("service_id", value)
	l.where("(service_id || '/') = " + l.arg(value+"/"))
}

// statusBranches adds a branch per distinct status.
func (l *listSQL) statusBranches(statuses []hypercare.Status) {
	seen := map[hypercare.Status]bool{}
	for _, st := range statuses {
		if seen[st] {
			continue
		}
		seen[st] = true
		l.check.str("status", string(st))
		l.branches = append(l.branches, []string{"status = " + l.arg(string(st))})
	}
}

// statusFilter keeps rows whose status is one of statuses, without
// driving the read.
func (l *listSQL) statusFilter(statuses []hypercare.Status) {
	if len(statuses) == 0 {
		return
	}
	ph := make([]string, len(statuses))
	for i, st := range statuses {
		l.check.str("status", string(st))
		ph[i] = l.arg(string(st))
	}
	l.where("status || '' IN (" + strings.Join(ph, ", ") + ")")
}

// text returns the SELECT of up to limit+1 rows ordered by order (an
// unqualified column and direction, e.g. "id DESC").
func (l *listSQL) text(cols, table, order string, limit int) string {
	lim := l.arg(limit + 1)
	page := func(extra []string) string {
		conds := slices.Concat(l.conds, extra)
		where := ""
		if len(conds) > 0 {
			where = " WHERE " + strings.Join(conds, " AND ")
		}
		return "SELECT " + cols + " FROM " + table + where + " ORDER BY " + order + " LIMIT " + lim
	}
	if len(l.branches) <= 1 {
		var extra []string
		if len(l.branches) == 1 {
			extra = l.branches[0]
		}
		return page(extra)
	}
	parts := make([]string, len(l.branches))
	for i, b := range l.branches {
		parts[i] = "SELECT " + cols + " FROM (" + page(b) + ") AS b" + string(rune('0'+i))
	}
	return strings.Join(parts, " UNION ALL ") + " ORDER BY " + order + " LIMIT " + lim
}

// listIncidentsSQL builds ListIncidents' read. The service drives it
// through incidents_service_status ((service_id || '/'), status, number), one branch
// per status; else the status through incidents_status_number; else the
// number itself.
func listIncidentsSQL(f hypercare.IncidentFilter) (string, []any, int, error) {
	var l listSQL
	switch {
	case f.ServiceID != "":
		l.byService(f.ServiceID)
		statuses := f.Statuses
		if len(statuses) == 0 {
			statuses = allStatuses
		}
		l.statusBranches(statuses)
	default:
		l.statusBranches(f.Statuses)
	}
	l.unindexed("urgency", "urgency", string(f.Urgency))
	if f.Cursor != "" {
		n, err := decodeIntCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		l.where("number < " + l.arg(n))
	}
	if err := l.check.err("list incidents", ""); err != nil {
		return "", nil, 0, err
	}
	limit := pageLimit(f.Page)
	return l.text(incidentCols, "incidents", "number DESC", limit), l.args, limit, nil
}

// listAlertsSQL builds ListAlerts' read. What drives it, most selective
// first: the incident (alerts_incident, and alerts_symptom_of for its
// symptoms); the dedup key (alerts_dedup_service, with the service when
// given); the service (alerts_service_status, one branch per status); the
// status (alerts_status, one branch per status); else the primary key.
func listAlertsSQL(f hypercare.AlertFilter) (string, []any, int, error) {
	var l listSQL
	switch {
	case f.IncidentID != "":
		// An incident's alerts include those attached to it as symptoms.
		l.check.str("incident_id", f.IncidentID)
		ph := l.arg(f.IncidentID)
		l.branches = [][]string{{"incident_id = " + ph},
			{"symptom_of = " + ph, "symptom_of <> ''", "(incident_id IS NULL OR incident_id <> " + ph + ")"}}
		l.unindexed("service_id", "service_id", f.ServiceID)
		l.unindexed("dedup_key", "dedup_key", f.DedupKey)
		l.statusFilter(f.Statuses)
	case f.DedupKey != "":
		l.eq("dedup_key", "dedup_key", f.DedupKey)
		l.eq("service_id", "service_id", f.ServiceID)
		l.statusFilter(f.Statuses)
	case f.ServiceID != "":
		l.byService(f.ServiceID)
		statuses := f.Statuses
		if len(statuses) == 0 {
			statuses = allStatuses
		}
		l.statusBranches(statuses)
	default:
		l.statusBranches(f.Statuses)
	}
	if f.Cursor != "" {
		id, err := decodeCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		l.where("id < " + l.arg(id))
	}
	if err := l.check.err("list alerts", ""); err != nil {
		return "", nil, 0, err
	}
	limit := pageLimit(f.Page)
	return l.text(alertCols, "alerts", "id DESC", limit), l.args, limit, nil
}
