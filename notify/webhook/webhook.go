// Package webhook delivers pages to contact methods of type webhook: one
// JSON POST per notification to the contact method's address.
//
// The body is a Payload. Receivers dedupe on its id (also sent as the
// Idempotency-Key header), which stays the same across retries of one
// notification while sent_at changes. When signing secrets are configured
// (notify.webhook.signing_secrets), X-Hypercare-Signature carries a signed
// timestamp and one HMAC-SHA256 per secret (see signature.go); receivers
// verify it before parsing and reject stale timestamps to stop replays.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// EventPage is the payload type of a page; EventDigest of a digest
// standing for several pages (notify.digest), whose incidents are in
// Payload.Digest.
const (
	EventPage   = "incident.page"
	EventDigest = "incident.digest"
)

// SignatureHeader carries the timestamp and body HMACs when signing
// secrets are set.
const SignatureHeader = "X-Hypercare-Signature"

// Payload is the JSON body of a page. Its field names are a public
// contract with every receiver: add fields, never rename or remove them.
type Payload struct {
	Type string `json:"type"`
	// ID is the notification ID; IdempotencyKey repeats it for receivers
	// that look for that name.
	ID             string             `json:"id"`
	IdempotencyKey string             `json:"idempotency_key"`
	Incident       hypercare.Incident `json:"incident"`
	Service        Ref                `json:"service"`
	User           Ref                `json:"user"`
	Level          int                `json:"level"`
	Loop           int                `json:"loop"`
	Reason         string             `json:"reason"`
	SentAt         string             `json:"sent_at"` // RFC 3339, UTC, this attempt
	IncidentURL    string             `json:"incident_url,omitempty"`
	AckURL         string             `json:"ack_url,omitempty"`
	ResolveURL     string             `json:"resolve_url,omitempty"`
	// Digest lists a digest's incidents (type incident.digest); Incident
	// is then the first of them, titled with the summary.
	Digest *Digest `json:"digest,omitempty"`
}

// Digest is a digest's summary and incidents, each with its links.
type Digest struct {
	Summary   string       `json:"summary"`
	Incidents []DigestItem `json:"incidents"`
}

// DigestItem is one incident of a digest.
type DigestItem struct {
	Number      int64             `json:"number"`
	Title       string            `json:"title"`
	Service     string            `json:"service"`
	Urgency     hypercare.Urgency `json:"urgency"`
	IncidentURL string            `json:"incident_url,omitempty"`
	AckURL      string            `json:"ack_url,omitempty"`
	ResolveURL  string            `json:"resolve_url,omitempty"`
}

// Ref names a service or user: the ID for machines, the name for people.
// Only these two fields leave the process; a user's email and contact
// methods are not the receiver's business.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Sender is the webhook channel. It is safe for concurrent use.
type Sender struct {
	client  *http.Client
	secrets [][]byte
	clock   hypercare.Clock
}

// Option configures a Sender.
type Option func(*Sender)

// WithSigningSecrets signs every page under each non-empty secret (one v1
// value each, for rotation). No secrets means no signature header.
func WithSigningSecrets(secrets ...[]byte) Option {
	return func(s *Sender) {
		for _, sec := range secrets {
			if len(sec) > 0 {
				s.secrets = append(s.secrets, bytes.Clone(sec))
			}
		}
	}
}

// WithClock sets the clock that stamps sent_at; tests pin it.
func WithClock(c hypercare.Clock) Option {
	return func(s *Sender) { s.clock = c }
}

// New returns a webhook sender that posts with client, which should come
// from notify.NewHTTPClient so the outbound-network guard applies. A nil
// client gets one with the guard fully on (no private networks), so
// forgetting to pass one fails safe rather than open.
func New(client *http.Client, opts ...Option) *Sender {
	if client == nil {
		client = notify.NewHTTPClient(notify.NetOptions{})
	}
	s := &Sender{client: client, clock: hypercare.SystemClock{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// CheckAddress reports whether address can ever be posted to (an absolute
// http or https URL with a host); the network guard is applied only when
// connecting, since DNS answers change.
func (s *Sender) CheckAddress(address string) error { return notify.CheckURL(address) }

// maxDrain is how much of a successful response is read so the connection
// can be reused; a receiver sending more than that costs a new connection
// next time, not our time now.
const maxDrain = 4 << 10

// Send posts m to m.Notification.Address. It returns nil on any 2xx, a
// permanent error for an invalid or refused address and for 4xx answers
// other than 408/409/425/429, and a transient error otherwise (5xx,
// 408/429 with the receiver's Retry-After, timeouts, connection errors).
// Errors name only the receiver's host, never the full address, which
// often embeds a secret token and ends up in the notification's
// last_error.
func (s *Sender) Send(ctx context.Context, m Message) error {
	n := m.Notification
	if err := notify.CheckURL(n.Address); err != nil {
		return notify.Permanent(fmt.Errorf("webhook: %w", err))
	}
	now := s.clock.Now()
	body, err := json.Marshal(payload(m, now))
	if err != nil {
		return notify.Permanent(fmt.Errorf("webhook: encode payload: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.Address, bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(fmt.Errorf("webhook: build request: %w", stripURL(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Hypercare/"+hypercare.Version)
	req.Header.Set("Idempotency-Key", n.ID)
	if len(s.secrets) > 0 {
		req.Header.Set(SignatureHeader, Sign(s.secrets, now, body))
	}
	host := req.URL.Host
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: POST to %s: %w", host, stripURL(err))
	}
	defer resp.Body.Close()
	if err := notify.CheckResponse(resp, s.clock.Now()); err != nil {
		return fmt.Errorf("webhook: POST to %s: %w", host, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	return nil
}

// Message is notify.Message, named here so the package reads on its own.
type Message = notify.Message

func payload(m Message, now time.Time) Payload {
	n := m.Notification
	p := Payload{
		Type:           EventPage,
		ID:             n.ID,
		IdempotencyKey: n.ID,
		Incident:       m.Incident,
		Service:        Ref{ID: m.Incident.ServiceID, Name: m.ServiceName},
		User:           Ref{ID: n.UserID, Name: m.User.Name},
		Level:          n.Level,
		Loop:           n.Loop,
		Reason:         n.Reason,
		SentAt:         now.UTC().Format(time.RFC3339),
		IncidentURL:    m.IncidentURL,
		AckURL:         m.AckURL,
		ResolveURL:     m.ResolveURL,
	}
	if d := m.Digest; d != nil {
		p.Type, p.Digest = EventDigest, &Digest{Summary: d.Summary, Incidents: make([]DigestItem, len(d.Items))}
		for i, it := range d.Items {
			p.Digest.Incidents[i] = DigestItem{Number: it.Number, Title: it.Title, Service: it.Service, Urgency: it.Urgency,
				IncidentURL: it.IncidentURL, AckURL: it.AckURL, ResolveURL: it.ResolveURL}
		}
	}
	return p
}

// stripURL removes the *url.Error layer net/http puts around request
// errors, whose message repeats the full address (with any token in its
// path or query). The cause keeps its chain, so IsPermanent and
// errors.Is(err, context.DeadlineExceeded) still see through.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
