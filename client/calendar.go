package client

import (
	"context"
	"fmt"
	"net/url"

	"github.com/hypercare/hypercare"
)

// NewCalendarFeed is a feed just created: its secret URL is shown only now.
type NewCalendarFeed struct {
	ID   string `json:"id"`
	URL  string `json:"url"`
	Path string `json:"path"`
}

// CreateCalendarFeed creates an iCalendar feed of a schedule's shifts
// (kind "schedules", responder role) or a user's (kind "users", admin).
func (c *Client) CreateCalendarFeed(ctx context.Context, kind, id string) (*NewCalendarFeed, error) {
	if kind != "schedules" && kind != "users" {
		return nil, fmt.Errorf("calendar feed kind %q: want schedules or users", kind)
	}
	var out NewCalendarFeed
	if err := c.do(ctx, "POST", "/api/v1/"+kind+"/"+url.PathEscape(id)+"/calendar", nil, struct{}{}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CalendarFeeds lists feeds: all of them for an admin token, the ones this
// token created for a responder.
func (c *Client) CalendarFeeds(ctx context.Context) ([]hypercare.CalendarFeed, error) {
	var out struct {
		Feeds []hypercare.CalendarFeed `json:"calendar_feeds"`
	}
	if err := c.do(ctx, "GET", "/api/v1/calendar_feeds", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Feeds, nil
}

// RevokeCalendarFeed deletes a feed; its URL answers 404 from then on.
func (c *Client) RevokeCalendarFeed(ctx context.Context, id string) error {
	_, err := c.RevokeCalendarFeedAnswer(ctx, id)
	return err
}

// RevokeCalendarFeedAnswer is RevokeCalendarFeed returning the API's
// answer: the feed as it was, now revoked (for `-o json`).
func (c *Client) RevokeCalendarFeedAnswer(ctx context.Context, id string) (*hypercare.CalendarFeed, error) {
	var out struct {
		Feed hypercare.CalendarFeed `json:"calendar_feed"`
	}
	if err := c.do(ctx, "DELETE", "/api/v1/calendar_feeds/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out.Feed, nil
}
