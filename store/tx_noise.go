package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// OpenIncidentsOf returns up to limit unresolved incidents of serviceID
// whose latest alert joined at or after since, highest number first, with
// the fields grouping and dependencies read (see hypercare.Tx).
func (t *tx) OpenIncidentsOf(ctx context.Context, serviceID string, since time.Time, limit int) ([]hypercare.Incident, error) {
	if err := checkText("open incidents", "service_id", serviceID); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, qOpenIncidentsOf, serviceID, micros(since), limit)
	if err != nil {
		return nil, fmt.Errorf("open incidents of service %q: %w", serviceID, err)
	}
	list, err := collect(rows, scanCandidate)
	if err != nil {
		return nil, fmt.Errorf("open incidents of service %q: %w", serviceID, err)
	}
	for i := range list {
		// The query selects only open incidents of the service.
		list[i].ServiceID, list[i].Status = serviceID, hypercare.StatusTriggered
	}
	return list, nil
}

// scanCandidate reads a row of qOpenIncidentsOf.
func scanCandidate(r rowScanner, inc *hypercare.Incident) error {
	var last int64
	err := r.Scan(&inc.ID, &inc.Number, &inc.Title, &inc.Features, &inc.LastFeatures, &last)
	inc.LastAlertAt = fromMicros(last)
	return err
}

// NewestOpenIncident returns the highest-numbered unresolved incident of
// serviceID, locked on PostgreSQL, or nil.
func (t *tx) NewestOpenIncident(ctx context.Context, serviceID string) (*hypercare.Incident, error) {
	if err := checkText("newest open incident", "service_id", serviceID); err != nil {
		return nil, err
	}
	return t.oneIncident(ctx, fmt.Sprintf("newest open incident of service %q", serviceID), qNewestOpenIncident, serviceID)
}

// OpenIncidents returns up to limit unresolved incidents of serviceID,
// highest number first, not locked: the caller locks the one it picks.
func (t *tx) OpenIncidents(ctx context.Context, serviceID string, limit int) ([]hypercare.Incident, error) {
	if err := checkText("open incidents", "service_id", serviceID); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, qOpenIncidents, serviceID, limit)
	if err != nil {
		return nil, fmt.Errorf("open incidents of service %q: %w", serviceID, err)
	}
	list, err := collect(rows, scanIncident)
	if err != nil {
		return nil, fmt.Errorf("open incidents of service %q: %w", serviceID, err)
	}
	return list, nil
}

// oneIncident runs a query for at most one incident; nil when none.
func (t *tx) oneIncident(ctx context.Context, what string, q qid, args ...any) (*hypercare.Incident, error) {
	inc := new(hypercare.Incident)
	err := scanIncident(t.queryRow(ctx, q, args...), inc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.s.dbErr(err, "%s", what)
	}
	return inc, nil
}

// LockGrouping takes serviceID's grouping lock (PostgreSQL: a
// transaction-level advisory lock, once per transaction and service).
func (t *tx) LockGrouping(ctx context.Context, serviceID string) error {
	if err := t.lockGrouping(ctx, serviceID); err != nil {
		return t.s.dbErr(err, "lock grouping of service %q", serviceID)
	}
	return nil
}

// LockNotificationGroup takes the lock of one notification group of
// serviceID (PostgreSQL: a transaction-level advisory lock, once per
// transaction and group). Its name cannot be a service's: a service ID
// holds no control character (config.validID), and PostgreSQL's text no
// NUL, so the two are joined by a unit separator.
func (t *tx) LockNotificationGroup(ctx context.Context, serviceID, groupKey string) error {
	if err := t.lockGrouping(ctx, serviceID+"\x1f"+groupKey); err != nil {
		return t.s.dbErr(err, "lock notification group %q of service %q", groupKey, serviceID)
	}
	return nil
}

// lockGrouping takes the grouping lock name, once per transaction.
func (t *tx) lockGrouping(ctx context.Context, name string) error {
	if !t.s.d.nodes || t.grouping[name] {
		return nil
	}
	if _, err := t.exec(ctx, qLockInTx, "group:"+name); err != nil {
		return err
	}
	if t.grouping == nil {
		t.grouping = map[string]bool{}
	}
	t.grouping[name] = true
	return nil
}

// OpenIncidentWithFeatures returns the newest open incident of serviceID
// whose first or latest alert has exactly these features and whose latest
// alert joined at or after since, or nil.
func (t *tx) OpenIncidentWithFeatures(ctx context.Context, serviceID, features string, since time.Time) (*hypercare.Incident, error) {
	if err := checkText("open incident by features", "service_id", serviceID, "features", features); err != nil {
		return nil, err
	}
	return t.oneIncident(ctx, fmt.Sprintf("open incident of service %q by features", serviceID),
		qOpenIncidentWithFeatures, serviceID, features, micros(since))
}

// OpenIncidentOfGroup returns the newest open incident of serviceID opened
// for the Alertmanager or Grafana notification group groupKey, else the
// open incident the group's incident was merged into (MergeGroup), or nil;
// locked on PostgreSQL like GetIncident: a resolve committed meanwhile is
// seen, and the alert opens a new incident instead. The second read runs
// only when the first finds none, once per incident a group opens.
func (t *tx) OpenIncidentOfGroup(ctx context.Context, serviceID, groupKey string) (*hypercare.Incident, error) {
	if err := checkText("open incident of group", "service_id", serviceID, "group_key", groupKey); err != nil {
		return nil, err
	}
	if groupKey == "" {
		return nil, nil
	}
	inc, err := t.oneIncident(ctx, fmt.Sprintf("open incident of service %q by group", serviceID),
		qOpenIncidentOfGroup, serviceID, groupKey)
	if inc != nil || err != nil {
		return inc, err
	}
	return t.oneIncident(ctx, fmt.Sprintf("open incident of service %q by merged group", serviceID),
		qOpenIncidentOfMergedGroup, serviceID, groupKey)
}

// MergeGroup records that src was merged into the incident targetID: the
// later alerts of src's notification group, and of every group merged into
// src before, go to targetID while it is open (OpenIncidentOfGroup), as
// src's alerts did, instead of opening and paging a new incident.
func (t *tx) MergeGroup(ctx context.Context, src *hypercare.Incident, targetID string) error {
	if err := checkText("merge group", "service_id", src.ServiceID, "group_key", src.GroupKey,
		"incident_id", targetID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, qMoveMergedGroups, src.ID, targetID); err != nil {
		return fmt.Errorf("move the groups merged into incident %d: %w", src.Number, err)
	}
	if src.GroupKey == "" {
		return nil
	}
	if _, err := t.exec(ctx, qMergeGroup, src.ServiceID, src.GroupKey, targetID); err != nil {
		return fmt.Errorf("merge the group of incident %d: %w", src.Number, err)
	}
	return nil
}

// RecentAlertsOfIncident returns up to limit of the incident's alerts first
// seen at or after since, newest first.
func (t *tx) RecentAlertsOfIncident(ctx context.Context, incidentID string, since time.Time, limit int) ([]hypercare.Alert, error) {
	if err := checkText("recent alerts", "incident_id", incidentID); err != nil {
		return nil, err
	}
	return t.alerts(ctx, "recent alerts of incident "+incidentID, qRecentAlertsOfIncident, incidentID, micros(since), limit)
}

// RecentAlertsByKey returns up to limit alerts on serviceID with dedupKey
// first seen at or after since, newest first.
func (t *tx) RecentAlertsByKey(ctx context.Context, serviceID, dedupKey string, since time.Time, limit int) ([]hypercare.Alert, error) {
	if err := checkText("recent alerts", "service_id", serviceID, "dedup_key", dedupKey); err != nil {
		return nil, err
	}
	if t.c.keys != nil && t.c.keys.absent(serviceID, dedupKey) {
		return nil, nil // no alert ever had this key
	}
	if list, ok := t.recentFromAhead(serviceID, dedupKey, micros(since), limit); ok {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return list, nil
	}
	return t.alerts(ctx, fmt.Sprintf("recent alerts %q on service %q", dedupKey, serviceID),
		qRecentAlertsByKey, serviceID, dedupKey, micros(since), limit)
}

// SymptomsOf returns the unresolved alerts attached to incidentID as
// symptoms, oldest first.
func (t *tx) SymptomsOf(ctx context.Context, incidentID string) ([]hypercare.Alert, error) {
	if err := checkText("symptoms", "incident_id", incidentID); err != nil {
		return nil, err
	}
	return t.alerts(ctx, "symptoms of incident "+incidentID, qSymptomsOf, incidentID)
}

// LockSymptomsOf is SymptomsOf with the rows locked until the transaction
// ends (PostgreSQL; see hypercare.Tx).
func (t *tx) LockSymptomsOf(ctx context.Context, incidentID string) ([]hypercare.Alert, error) {
	if err := checkText("symptoms", "incident_id", incidentID); err != nil {
		return nil, err
	}
	return t.alerts(ctx, "lock symptoms of incident "+incidentID, qLockSymptomsOf, incidentID)
}

// alerts runs an alert query of the write path; what names it in errors.
func (t *tx) alerts(ctx context.Context, what string, q qid, args ...any) ([]hypercare.Alert, error) {
	list, err := queryList(ctx, t, q, args, scanAlert)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return list, nil
}
