// Package notify is the seam between the delivery engine and the channels
// that reach people (webhook now; Slack, Teams, email, SMS later), and the
// outbound-network guard they all share.
//
// A channel is a Sender. The engine looks one up by contact type in a
// Registry, hands it a Message, and decides from the returned error
// whether to retry: IsPermanent says don't, RetryAfter says when.
//
// Every outbound connection goes through NewHTTPClient or NewDialer, which
// refuse non-public destinations (loopback, private, link-local, cloud
// metadata, …) at connect time unless notify.allow_private_networks is
// set: contact method addresses are user input, and without the guard a
// webhook would be a way to make the server call its own internal network
// (SSRF).
package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hypercare/hypercare"
)

// Message is everything a channel needs to render and send one page.
type Message struct {
	// Notification is the page: its ID is the idempotency key receivers
	// dedupe on (an attempt retried after a crash must not page twice);
	// Type and Address say where it goes; Level, Loop and Reason say why.
	Notification hypercare.Notification
	// Incident is the incident as of this attempt.
	Incident hypercare.Incident
	// User is the person paged. Channels use what they need (name, time
	// zone for rendering times) and must not publish the rest.
	User hypercare.User
	// ServiceName is the display name of Incident.ServiceID.
	ServiceName string
	// IncidentURL, AckURL and ResolveURL are links into the UI and the
	// one-click acknowledge and resolve pages (GET /act/{token} confirms,
	// POST acts as the paged user; see notify/actlink). The engine fills
	// them per attempt; all are empty when the server does not know its
	// public URL, and channels should then say so. Every channel shows
	// whichever are set.
	IncidentURL string
	AckURL      string
	ResolveURL  string
	// CallToken is the page's phone call token (actlink.Call): a call's
	// script URL carries it instead of the acknowledge link's token, as it
	// lives only actlink.CallTTL and cannot be used as a link. Empty when
	// AckURL is.
	CallToken string
	// Digest is set when the message is a digest standing for several
	// pages (notify.digest): Incident is then its first incident titled
	// with Digest.Summary, and the links are per item.
	Digest *Digest
}

// Sender delivers one message over one channel. Send must be safe for
// concurrent use and must return when ctx is done. It returns nil only
// when the receiver accepted the message; a failure that retrying cannot
// fix is wrapped with Permanent.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrUnsupported is returned (wrapped, permanent) for a contact type that
// no channel is registered for.
var ErrUnsupported = errors.New("no channel for contact type")

// Registry maps contact types to the channels that send them. It is built
// once at startup and only read afterwards, so it needs no lock: Register
// must not be called once Send may be.
type Registry struct {
	senders map[hypercare.ContactType]Sender
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{senders: make(map[hypercare.ContactType]Sender)}
}

// Register makes s the sender for contact type t. Registering a type twice
// or a nil sender is a wiring bug and panics, so it is found at startup,
// not at the first page.
func (r *Registry) Register(t hypercare.ContactType, s Sender) {
	if s == nil {
		panic(fmt.Sprintf("notify: nil sender for %q", t))
	}
	if _, dup := r.senders[t]; dup {
		panic(fmt.Sprintf("notify: sender for %q registered twice", t))
	}
	r.senders[t] = s
}

// Sender returns the sender for contact type t, or a permanent error
// wrapping ErrUnsupported: a page for a channel this binary cannot send
// will not become sendable by retrying.
func (r *Registry) Sender(t hypercare.ContactType) (Sender, error) {
	if s, ok := r.senders[t]; ok {
		return s, nil
	}
	return nil, Permanent(fmt.Errorf("notify: %w %q", ErrUnsupported, t))
}

// Send delivers m with the sender for m.Notification.Type, so the delivery
// engine can hold a Registry as its one Sender.
func (r *Registry) Send(ctx context.Context, m Message) error {
	s, err := r.Sender(m.Notification.Type)
	if err != nil {
		return err
	}
	return s.Send(ctx, m)
}

// AddressChecker is implemented by channels that can tell, without
// sending, that an address can never work (a webhook address that is not
// an http(s) URL, say), so a dry run can warn before a real page fails.
type AddressChecker interface {
	CheckAddress(address string) error
}

// Check reports why a page to cm could not be delivered by this binary:
// no channel for its type, or an address its channel can never send to.
// nil means it may be delivered (the receiver may still fail).
func (r *Registry) Check(cm hypercare.ContactMethod) error {
	s, err := r.Sender(cm.Type)
	if err != nil {
		return fmt.Errorf("no channel for contact type %q in this version", cm.Type)
	}
	if c, ok := s.(AddressChecker); ok {
		if err := c.CheckAddress(cm.Address); err != nil {
			var he *hypercare.Error
			if errors.As(err, &he) {
				return fmt.Errorf("invalid %s address: %s", cm.Type, he.Message)
			}
			return fmt.Errorf("invalid %s address: %w", cm.Type, err)
		}
	}
	return nil
}

// Types lists the contact types a channel is registered for, sorted:
// readiness uses it to tell who can actually be paged by this binary.
func (r *Registry) Types() []hypercare.ContactType {
	out := make([]hypercare.ContactType, 0, len(r.senders))
	for t := range r.senders {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
