package store

import (
	"context"

	"github.com/hypercare/hypercare"
)

// ListIncidentNotifications returns a page of an incident's pages, oldest
// first (created_at, then id), and the cursor of the next page: GET
// /api/v1/incidents/{id}/notifications, bounded like every other list of
// the API however long the incident was paged for.
func (s *Store) ListIncidentNotifications(ctx context.Context, incidentID string, p hypercare.Page) ([]hypercare.Notification, string, error) {
	text, args, limit, err := listIncidentNotificationsSQL(incidentID, p)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "notifications", text, args, limit, scanNotification,
		func(n *hypercare.Notification) string { return pairCursor(micros(n.CreatedAt), n.ID) })
}

// listIncidentNotificationsSQL builds ListIncidentNotifications' read: a
// range of notifications_incident (incident_id, created_at, id).
func listIncidentNotificationsSQL(incidentID string, p hypercare.Page) (string, []any, int, error) {
	var q query
	q.check.str("incident_id", incidentID)
	q.where("incident_id = " + q.arg(incidentID))
	if p.Cursor != "" {
		created, id, err := decodePairCursor(p.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		q.where("(created_at, id) > (" + q.arg(created) + ", " + q.arg(id) + ")")
	}
	if err := q.check.err("list notifications", ""); err != nil {
		return "", nil, 0, err
	}
	limit := pageLimit(p)
	return "SELECT " + notificationCols + " FROM notifications" + q.sql() + " ORDER BY created_at, id LIMIT " + q.arg(limit+1), q.args, limit, nil
}
