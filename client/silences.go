package client

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// Silence is a silence as the API shows it.
type Silence struct {
	ID        string     `json:"id"`
	Matchers  []string   `json:"matchers"`
	Services  []string   `json:"services"`
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    time.Time  `json:"ends_at"`
	Comment   string     `json:"comment"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiredAt *time.Time `json:"expired_at"`
	State     string     `json:"state"`
}

// NewSilence is what POST /api/v1/silences takes. A zero StartsAt means
// now.
type NewSilence struct {
	Matchers  []string `json:"matchers,omitempty"`
	Services  []string `json:"services,omitempty"`
	StartsAt  string   `json:"starts_at,omitempty"`
	EndsAt    string   `json:"ends_at"`
	Comment   string   `json:"comment"`
	CreatedBy string   `json:"created_by,omitempty"`
}

// CreateSilence creates a silence.
func (c *Client) CreateSilence(ctx context.Context, s NewSilence) (*Silence, error) {
	var out struct {
		Silence Silence `json:"silence"`
	}
	if err := c.do(ctx, "POST", "/api/v1/silences", nil, s, &out); err != nil {
		return nil, err
	}
	return &out.Silence, nil
}

// SilencePage is one page of GET /api/v1/silences.
type SilencePage struct {
	Silences []Silence `json:"silences"`
	// NextCursor continues the listing; empty when there is no more.
	NextCursor string `json:"next_cursor"`
}

// ListSilences returns one page of silences, newest first: state "" means
// all, limit 0 the server's default (1000), cursor "" the first page.
func (c *Client) ListSilences(ctx context.Context, state string, limit int, cursor string) (*SilencePage, error) {
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var page SilencePage
	if err := c.do(ctx, "GET", "/api/v1/silences", q, nil, &page); err != nil {
		return nil, err
	}
	if page.Silences == nil {
		page.Silences = []Silence{}
	}
	return &page, nil
}

// Silences lists every silence, newest first, following next_cursor page
// by page (a server answers at most 1000 at a time); state "" means all.
func (c *Client) Silences(ctx context.Context, state string) ([]Silence, error) {
	return collect("", 0, func(cursor string) ([]Silence, string, error) {
		page, err := c.ListSilences(ctx, state, 0, cursor)
		if err != nil {
			return nil, "", err
		}
		return page.Silences, page.NextCursor, nil
	})
}

// SilenceExpired is the answer to expiring a silence: the silence, how
// many open incidents it held now page, and how many a maintenance window
// or another silence still holds.
type SilenceExpired struct {
	Silence   Silence `json:"silence"`
	Released  int     `json:"released_incidents"`
	StillHeld int     `json:"still_held_incidents"`
}

// ExpireSilence ends a silence now.
func (c *Client) ExpireSilence(ctx context.Context, id string) (*SilenceExpired, error) {
	var out SilenceExpired
	if err := c.do(ctx, "DELETE", "/api/v1/silences/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
