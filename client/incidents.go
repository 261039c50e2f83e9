package client

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare"
)

// IncidentQuery selects incidents to list. Zero fields are left to the
// server's defaults (all statuses, every service, its default page size).
type IncidentQuery struct {
	Statuses  []hypercare.Status
	ServiceID string
	// Limit is the page size: the most incidents one request returns.
	Limit int
	// Cursor continues a previous listing from its NextCursor.
	Cursor string
}

func (q IncidentQuery) values() url.Values {
	v := url.Values{}
	if len(q.Statuses) > 0 {
		s := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			s[i] = string(st)
		}
		v.Set("status", strings.Join(s, ","))
	}
	if q.ServiceID != "" {
		v.Set("service", q.ServiceID)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return v
}

// IncidentPage is one page of a listing, shaped like the API's response.
type IncidentPage struct {
	Incidents []hypercare.Incident `json:"incidents"`
	// NextCursor continues the listing; empty when there is no more.
	NextCursor string `json:"next_cursor"`
}

// ListIncidents returns one page of incidents matching q.
func (c *Client) ListIncidents(ctx context.Context, q IncidentQuery) (*IncidentPage, error) {
	var page IncidentPage
	if err := c.do(ctx, "GET", "/api/v1/incidents", q.values(), nil, &page); err != nil {
		return nil, err
	}
	if page.Incidents == nil {
		page.Incidents = []hypercare.Incident{}
	}
	return &page, nil
}

// AllIncidents follows next_cursor from q.Cursor, page by page, until the
// listing ends or limit incidents are collected (limit <= 0: no limit), so
// callers need not write the paging loop.
func (c *Client) AllIncidents(ctx context.Context, q IncidentQuery, limit int) ([]hypercare.Incident, error) {
	return collect(q.Cursor, limit, func(cursor string) ([]hypercare.Incident, string, error) {
		q.Cursor = cursor
		page, err := c.ListIncidents(ctx, q)
		if err != nil {
			return nil, "", err
		}
		return page.Incidents, page.NextCursor, nil
	})
}

// incidentPath returns the escaped path of incident ref (an ID or number).
func incidentPath(ref string, suffix string) (string, error) {
	if strings.TrimSpace(ref) == "" {
		return "", hypercare.Errorf(hypercare.CodeInvalid, "an incident ID or number is required")
	}
	return "/api/v1/incidents/" + url.PathEscape(ref) + suffix, nil
}

// GetIncident returns the incident with ID or number ref.
func (c *Client) GetIncident(ctx context.Context, ref string) (*hypercare.Incident, error) {
	return c.incidentCall(ctx, "GET", ref, "")
}

// Acknowledge acknowledges incident ref and returns it as it now is.
func (c *Client) Acknowledge(ctx context.Context, ref string) (*hypercare.Incident, error) {
	return c.incidentCall(ctx, "POST", ref, "/acknowledge")
}

// Resolve resolves incident ref and returns it as it now is.
func (c *Client) Resolve(ctx context.Context, ref string) (*hypercare.Incident, error) {
	return c.incidentCall(ctx, "POST", ref, "/resolve")
}

// incidentCall makes a call answered with {"incident":{…}}.
func (c *Client) incidentCall(ctx context.Context, method, ref, suffix string) (*hypercare.Incident, error) {
	path, err := incidentPath(ref, suffix)
	if err != nil {
		return nil, err
	}
	var in any
	if method == "POST" {
		in = struct{}{}
	}
	var out struct {
		Incident *hypercare.Incident `json:"incident"`
	}
	if err := c.do(ctx, method, path, nil, in, &out); err != nil {
		return nil, err
	}
	if out.Incident == nil {
		return nil, hypercare.Errorf(hypercare.CodeInternal, "%s %s: response has no incident", method, path)
	}
	return out.Incident, nil
}

// IncidentAlerts returns the alerts of incident ref, following pages until
// limit are collected (limit <= 0: all of them).
func (c *Client) IncidentAlerts(ctx context.Context, ref string, limit int) ([]hypercare.Alert, error) {
	path, err := incidentPath(ref, "/alerts")
	if err != nil {
		return nil, err
	}
	return collect("", limit, func(cursor string) ([]hypercare.Alert, string, error) {
		var out struct {
			Alerts     []hypercare.Alert `json:"alerts"`
			NextCursor string            `json:"next_cursor"`
		}
		err := c.do(ctx, "GET", path, pageQuery(cursor, limit), nil, &out)
		return out.Alerts, out.NextCursor, err
	})
}

// IncidentTimeline returns the timeline of incident ref, oldest first as
// the server orders it, following pages until limit entries are collected
// (limit <= 0: all of them).
func (c *Client) IncidentTimeline(ctx context.Context, ref string, limit int) ([]hypercare.TimelineEntry, error) {
	path, err := incidentPath(ref, "/timeline")
	if err != nil {
		return nil, err
	}
	return collect("", limit, func(cursor string) ([]hypercare.TimelineEntry, string, error) {
		var out struct {
			Timeline   []hypercare.TimelineEntry `json:"timeline"`
			NextCursor string                    `json:"next_cursor"`
		}
		err := c.do(ctx, "GET", path, pageQuery(cursor, limit), nil, &out)
		return out.Timeline, out.NextCursor, err
	})
}

// AddNote adds a note to incident ref's timeline and returns the new entry.
func (c *Client) AddNote(ctx context.Context, ref, message string) (*hypercare.TimelineEntry, error) {
	path, err := incidentPath(ref, "/notes")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(message) == "" {
		return nil, hypercare.InvalidFields("a note needs a message",
			hypercare.FieldError{Field: "message", Message: "must not be empty"})
	}
	in := struct {
		Message string `json:"message"`
	}{message}
	var out struct {
		Entry *hypercare.TimelineEntry `json:"timeline_entry"`
	}
	if err := c.do(ctx, "POST", path, nil, in, &out); err != nil {
		return nil, err
	}
	if out.Entry == nil {
		return nil, hypercare.Errorf(hypercare.CodeInternal, "POST %s: response has no timeline_entry", path)
	}
	return out.Entry, nil
}

// maxPageSize is the largest page the API serves (DESIGN.md §5: limit is
// 1 to 100); sub-listings ask for full pages to need fewer round trips.
const maxPageSize = 100

// pageQuery asks for the page after cursor, sized for a listing that wants
// limit items in all (limit <= 0: all of them).
func pageQuery(cursor string, limit int) url.Values {
	size := maxPageSize
	if limit > 0 && limit < size {
		size = limit
	}
	v := url.Values{"limit": {strconv.Itoa(size)}}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	return v
}

// collect pages through a listing from cursor until it ends or limit items
// are gathered (limit <= 0: no limit). A server that hands back the cursor
// it was given would loop forever, so that is an error.
func collect[T any](cursor string, limit int, fetch func(cursor string) ([]T, string, error)) ([]T, error) {
	all := []T{}
	for {
		items, next, err := fetch(cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if limit > 0 && len(all) >= limit {
			return all[:limit], nil
		}
		if next == "" {
			return all, nil
		}
		if next == cursor {
			return nil, hypercare.Errorf(hypercare.CodeInternal, "server returned the same page cursor %q twice", next)
		}
		cursor = next
	}
}
