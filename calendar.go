package hypercare

import "time"

// CalendarFeed is a secret iCalendar feed URL someone created: its token
// is shown once and only its hash is kept, so a feed is listed and revoked
// by ID. Revoking deletes the row, and the URL then answers 404.
type CalendarFeed struct {
	ID string `json:"id"`
	// Kind is "users" or "schedules"; Subject the user or schedule ID.
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	// CreatedBy is the ID of the API token that created the feed: a
	// responder may list and revoke the feeds their token created.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	TokenHash string    `json:"-"`
}
