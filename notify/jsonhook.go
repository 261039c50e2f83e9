package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hypercare/hypercare"
)

// JSONHook is the sender the webhook-style chat channels (Teams, Discord,
// Mattermost) share: render the page as one JSON document and POST it to
// the contact method's URL through Post. Each channel supplies only what
// differs: its name, its rendering, and how it reads a refusal.
type JSONHook struct {
	// Name prefixes every error ("teams: HTTP 400 …").
	Name   string
	Client *http.Client
	Clock  hypercare.Clock
	// Render builds the request body for a page.
	Render func(Message) any
	// Idempotent sends the notification ID as Idempotency-Key, for
	// receivers that dedupe on it.
	Idempotent bool
	// Refine, if set, reworks a failed post's error (Discord puts its
	// retry delay in the body).
	Refine func(error) error
	// Answer, if set, reads a 2xx answer's body and returns an error when
	// the receiver says in it that the post failed (legacy Teams
	// connectors answer 200 with the failure as text).
	Answer func(body []byte) error
}

// NewJSONHook returns a JSONHook posting with client (nil gets one with
// the guard fully on) on clk (nil: the system clock).
func NewJSONHook(name string, client *http.Client, clk hypercare.Clock, render func(Message) any) JSONHook {
	if client == nil {
		client = NewHTTPClient(NetOptions{})
	}
	if clk == nil {
		clk = hypercare.SystemClock{}
	}
	return JSONHook{Name: name, Client: client, Clock: clk, Render: render}
}

// CheckAddress reports whether address can ever be posted to.
func (h JSONHook) CheckAddress(address string) error { return CheckURL(address) }

// Send posts the rendered page to the contact method's webhook URL.
func (h JSONHook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(h.Render(m))
	if err != nil {
		return Permanent(fmt.Errorf("%s: encode message: %w", h.Name, err))
	}
	hdr := http.Header{"Content-Type": {"application/json"}}
	if h.Idempotent {
		hdr.Set("Idempotency-Key", m.Notification.ID)
	}
	answer, err := Post(ctx, h.Client, m.Notification.Address, hdr, body, h.Clock)
	if err != nil {
		if h.Refine != nil {
			err = h.Refine(err)
		}
		return fmt.Errorf("%s: %w", h.Name, err)
	}
	if h.Answer != nil {
		if err := h.Answer(answer); err != nil {
			return fmt.Errorf("%s: %w", h.Name, err)
		}
	}
	return nil
}
