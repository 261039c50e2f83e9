// Package ntfy delivers pages as push notifications through ntfy
// (https://ntfy.sh or a self-hosted server): one POST to the contact
// method's topic URL, the message as the plain-text body and the rest in
// ntfy's headers: Title (the incident's headline), Priority (5 "urgent" for
// high urgency, 3 "default" for low), Tags, Click (the incident) and
// Actions (view buttons for the one-click acknowledge and resolve links,
// which open their confirmation pages). With notify.ntfy.token set, it is
// sent as "Authorization: Bearer …".
//
// Alert text is untrusted: the body is plain text (ntfy renders Markdown
// only when asked with the Markdown header, which is never sent), header
// values are one line, non-ASCII titles are RFC 2047 encoded as ntfy
// documents, and everything is cut to ntfy's 4096-byte message limit.
package ntfy

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// maxTitle keeps the Title header one notification line.
const (
	maxTitle = 250
)

// Sender is the ntfy channel. It is safe for concurrent use.
type Sender struct {
	client *http.Client
	token  string
	clock  hypercare.Clock
}

// New returns an ntfy sender posting with client, which should come from
// notify.NewHTTPClient (nil gets one with the guard fully on). token may
// be empty (public topics).
func New(client *http.Client, token string, clk hypercare.Clock) *Sender {
	if client == nil {
		client = notify.NewHTTPClient(notify.NetOptions{})
	}
	if clk == nil {
		clk = hypercare.SystemClock{}
	}
	return &Sender{client: client, token: token, clock: clk}
}

// CheckAddress reports whether address can ever be posted to.
func (s *Sender) CheckAddress(address string) error { return notify.CheckURL(address) }

// Send publishes the page to the contact method's topic URL.
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	h := Headers(m)
	if s.token != "" {
		h.Set("Authorization", "Bearer "+s.token)
	}
	if _, err := notify.Post(ctx, s.client, m.Notification.Address, h, []byte(Body(m)), s.clock); err != nil {
		return fmt.Errorf("ntfy: %w", err)
	}
	return nil
}

// Headers returns the publish headers of m (without authorization).
func Headers(m notify.Message) http.Header {
	inc := m.Incident
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Title", mime.BEncoding.Encode("UTF-8", notify.Truncate(notify.Headline(m), maxTitle)))
	if inc.Urgency == hypercare.UrgencyHigh {
		h.Set("Priority", "5")
		h.Set("Tags", "rotating_light,"+tag(string(inc.Severity)))
	} else {
		h.Set("Priority", "3")
		h.Set("Tags", "warning,"+tag(string(inc.Severity)))
	}
	if m.IncidentURL != "" {
		h.Set("Click", m.IncidentURL)
	}
	var actions []string
	for _, a := range []struct{ label, url string }{
		{"Acknowledge", m.AckURL}, {"Resolve", m.ResolveURL},
	} {
		if a.url != "" {
			actions = append(actions, "http, "+a.label+", "+actionURL(a.url)+
				", method=POST, headers.Accept=application/json, clear=true")
		}
	}
	if m.IncidentURL != "" {
		actions = append(actions, "view, Open incident, "+actionURL(m.IncidentURL)+", clear=true")
	}
	if len(actions) > 0 {
		h.Set("Actions", strings.Join(actions, "; "))
	}
	return h
}

// tag keeps a tag to the characters ntfy's comma-separated list can hold.
func tag(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return -1
	}, strings.ToLower(s))
}

// actionURL percent-encodes the characters that separate fields (',') and
// actions (';') in ntfy's Actions header, and quotes, so a link can never
// add an action of its own.
func actionURL(u string) string {
	return strings.NewReplacer(",", "%2C", ";", "%3B", `"`, "%22", "'", "%27", " ", "%20").Replace(u)
}

// Body is the notification text: the title, the service and the
// incident's facts, one per line. Title and service are cut so that even
// in 4-byte characters the whole stays within ntfy's 4096-byte message
// limit (700*4 + 200*4 + the rest).
func Body(m notify.Message) string {
	inc := m.Incident
	service := m.ServiceName
	if service == "" {
		service = inc.ServiceID
	}
	b := fmt.Sprintf("%s\nService: %s\nUrgency: %s · Severity: %s · Status: %s",
		notify.Truncate(inc.Title, 700), notify.Truncate(service, 200), inc.Urgency, inc.Severity, inc.Status)
	return b
}
