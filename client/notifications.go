package client

import (
	"context"

	"github.com/hypercare/hypercare"
)

// IncidentNotifications returns the pages of incident ref, oldest first as
// the server orders them, following pages until limit are collected
// (limit <= 0: all of them); the server answers a page at a time, so an
// incident paged for days is read in bounded requests.
func (c *Client) IncidentNotifications(ctx context.Context, ref string, limit int) ([]hypercare.Notification, error) {
	path, err := incidentPath(ref, "/notifications")
	if err != nil {
		return nil, err
	}
	return collect("", limit, func(cursor string) ([]hypercare.Notification, string, error) {
		var out struct {
			Notifications []hypercare.Notification `json:"notifications"`
			NextCursor    string                   `json:"next_cursor"`
		}
		err := c.do(ctx, "GET", path, pageQuery(cursor, limit), nil, &out)
		return out.Notifications, out.NextCursor, err
	})
}
