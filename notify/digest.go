package notify

import (
	"context"
	"fmt"
	"strings"

	"github.com/hypercare/hypercare"
)

// Digest is what a digest message lists: one line per incident a user's
// held pages were for, each with its own links, so every incident can
// still be acknowledged from the digest.
type Digest struct {
	// Summary is "12 new incidents on Checkout, 3 high urgency".
	Summary string
	Items   []DigestItem
}

// DigestItem is one incident of a digest. Title and Service are alert
// text (untrusted): channels escape them for their medium.
type DigestItem struct {
	Number                          int64
	Title, Service                  string
	Urgency                         hypercare.Urgency
	IncidentURL, AckURL, ResolveURL string
}

// collectDigest runs when held page n falls due (its digest window
// ended): in one transaction it takes every held page of n's user on n's
// channel that is due, records a digest notification standing for them
// and notes it on each incident. The take is one statement, so a page
// goes into one digest only, however many nodes or goroutines try; one
// that finds nothing left to take (another took n) does nothing.
func (e pass) collectDigest(ctx context.Context, n *hypercare.Notification, user hypercare.User) error {
	now := e.clock.Now()
	d := &hypercare.Notification{ID: hypercare.NewID(now), IncidentID: n.IncidentID, UserID: n.UserID,
		ContactMethod: n.ContactMethod, Type: n.Type, Level: n.Level, Loop: n.Loop, Step: -1 - n.Step,
		Reason: "digest", Status: hypercare.NotificationPending, Kind: hypercare.NotificationDigest,
		DueAt: now, CreatedAt: now}
	return e.store.Write(ctx, n.IncidentID, func(tx hypercare.Tx) error {
		taken, err := tx.TakeHeldNotifications(ctx, n.UserID, n.Type, now, d.ID)
		if err != nil || len(taken) == 0 {
			return err
		}
		if err := tx.InsertNotification(ctx, d); err != nil {
			return err
		}
		for _, p := range taken {
			msg := fmt.Sprintf("Included in digest to %s via %s (%s) with %d other page(s)",
				user.Name, d.ContactMethod, d.Type, len(taken)-1)
			err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: hypercare.NewID(now), IncidentID: p.IncidentID,
				At: now, Type: TimelineNotified, Actor: hypercare.SystemActor, Message: msg,
				Details: []byte(fmt.Sprintf(`{"notification":%q,"digest":%q}`, p.ID, d.ID))})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// fillDigest sets msg.Digest from the pages digest msg.Notification stands
// for, leaving out incidents acknowledged or resolved since; false means
// none is left. msg.Incident becomes the first listed incident with the
// summary as its title, so a channel that does not render digests still
// says what the message is.
func (e *Engine) fillDigest(ctx context.Context, msg *Message) (bool, error) {
	pages, err := e.store.ListDigest(ctx, msg.Notification.ID)
	if err != nil {
		return false, fmt.Errorf("digest %s: %w", msg.Notification.ID, err)
	}
	now := e.clock.Now()
	d := &Digest{}
	seen := map[string]bool{}
	var first *hypercare.Incident
	high, services := 0, map[string]bool{}
	for i := range pages {
		p := &pages[i]
		inc, err := e.store.GetIncident(ctx, p.IncidentID)
		if err != nil {
			return false, fmt.Errorf("digest %s: %w", msg.Notification.ID, err)
		}
		if seen[inc.ID] || stale(p, inc) {
			continue
		}
		seen[inc.ID] = true
		if first == nil {
			first = inc
		}
		svc, _ := e.serviceName(ctx, inc.ServiceID)
		if svc == "" {
			svc = inc.ServiceID
		}
		services[svc] = true
		if inc.Urgency == hypercare.UrgencyHigh {
			high++
		}
		l := e.links.For(p.ID, inc.ID, inc.Number, now)
		d.Items = append(d.Items, DigestItem{Number: inc.Number, Title: inc.Title, Service: svc, Urgency: inc.Urgency,
			IncidentURL: l.Incident, AckURL: l.Ack, ResolveURL: l.Resolve})
	}
	if first == nil {
		return false, nil
	}
	d.Summary = summary(d.Items, services, high)
	msg.Digest, msg.Incident = d, *first
	msg.Incident.Title = d.Summary + ": " + numbers(d.Items)
	if len(services) > 1 {
		msg.ServiceName = fmt.Sprintf("%d services", len(services))
	}
	return true, nil
}

// summary is "12 new incidents on Checkout, 3 high urgency".
func summary(items []DigestItem, services map[string]bool, high int) string {
	var b strings.Builder
	if len(items) == 1 {
		b.WriteString("1 new incident")
	} else {
		fmt.Fprintf(&b, "%d new incidents", len(items))
	}
	if len(services) == 1 {
		b.WriteString(" on " + Truncate(items[0].Service, 60))
	} else {
		fmt.Fprintf(&b, " on %d services", len(services))
	}
	if high > 0 {
		fmt.Fprintf(&b, ", %d high urgency", high)
	}
	return b.String()
}

// numbers is "#3, #4, #5" (at most 20, then "and N more"), for channels
// that show a digest as one title.
func numbers(items []DigestItem) string {
	var parts []string
	for i, it := range items {
		if i == 20 {
			parts = append(parts, fmt.Sprintf("and %d more", len(items)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("#%d", it.Number))
	}
	return strings.Join(parts, ", ")
}
