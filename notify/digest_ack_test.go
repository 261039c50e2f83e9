package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// Alice's pages for incidents 2 and 3 are held for a digest. When the
// window ends the digest is made (attached to incident 2). Before it is
// sent, Alice acknowledges incident 2: the digest must still go out for
// incident 3, which is still triggered.
func TestDigestOutlivesItsIncidentsAck(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		st := eng.Open(t)
		s := newStorm(t, st)
		ctx := context.Background()
		sms := &recorder{}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		p := notify.Policy{Digest: notify.DigestPolicy{MaxPages: 1, Per: 10 * time.Minute}}
		e := s.engine(channels, p)
		var pages []*hypercare.Notification
		for range 3 {
			n := s.page("alice-sms", hypercare.ContactSMS)
			// give each incident an escalation row, as a policy would
			err := st.Write(ctx, "x", func(tx hypercare.Tx) error {
				return tx.SaveEscalation(ctx, &hypercare.EscalationState{IncidentID: n.IncidentID, PolicyID: "p", ServiceID: "shop",
					Level: 1, Step: 1, Status: hypercare.EscalationActive, DueAt: s.clk.Now().Add(time.Hour), Urgency: hypercare.UrgencyHigh, UpdatedAt: s.clk.Now()})
			})
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, n)
			s.run(e)
			s.clk.Advance(time.Minute)
		}
		if len(sms.all()) != 1 {
			t.Fatalf("sent %d", len(sms.all()))
		}
		s.clk.Set(t0.Add(10 * time.Minute))
		s.run(e) // makes the digest (pending, due now)
		svc := &incident.Service{Store: st, Clock: s.clk}
		var digestInc string
		for _, n := range pages[1:] {
			if g := s.get(n); g.Status == hypercare.NotificationDigested {
				list, _ := st.ListNotifications(ctx, n.IncidentID)
				for _, l := range list {
					if l.Kind == hypercare.NotificationDigest {
						digestInc = l.IncidentID
					}
				}
			}
		}
		if digestInc == "" {
			t.Fatal("no pending digest to acknowledge under: it was sent in the pass that made it")
		}
		if _, err := svc.Acknowledge(ctx, digestInc, hypercare.Actor{Name: "Alice"}); err != nil {
			t.Fatal(err)
		}
		s.run(e)
		s.clk.Advance(time.Hour)
		s.run(e)
		msgs := sms.all()
		if len(msgs) != 2 || msgs[1].Digest == nil {
			t.Fatalf("sent %d messages, want the first page and a digest for the still-triggered incident", len(msgs))
		}
	})
}
