package notify_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// stopMidSend is a provider that has received the page (the SMS is on its
// way) when the server is told to stop: its Send calls stop, as SIGTERM
// does mid-request, then answers unless its context was cancelled by
// then, as an HTTP client does (the request went out, the answer is
// dropped).
type stopMidSend struct {
	mu       sync.Mutex
	received map[string]int
	stop     func()
}

func (s *stopMidSend) Send(ctx context.Context, m notify.Message) error {
	s.mu.Lock()
	s.received[m.Notification.ID]++
	stop := s.stop
	s.stop = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	return ctx.Err()
}

// A graceful shutdown (serve cancels the engines' context once the HTTP
// server has drained; startEngines says it runs them "past ctx's
// cancellation, so a graceful shutdown does not cut a send short") must
// let a send in flight finish and record it. Cutting it short records a
// retry of a page the provider already has, and the restarted server pages
// the person again: two SMS for one page after an ordinary deploy.
func TestGracefulStopDoesNotCutASendShort(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newStorm(t, eng.Open(t))
		n := s.page("alice-sms", hypercare.ContactSMS)
		ctx, cancel := context.WithCancel(context.Background())
		sms := &stopMidSend{received: map[string]int{}, stop: cancel}
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactSMS, sms)
		done := make(chan error, 1)
		go func() { done <- s.engine(channels, notify.Policy{}).Run(ctx) }()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := s.get(n); got.Status != hypercare.NotificationSent {
			t.Errorf("after a graceful stop mid-send the page is %s (attempts %d, %q), want sent",
				got.Status, got.Attempts, got.LastError)
		}
		// The server starts again; any retry falls due.
		s.clk.Advance(notify.Lease + time.Minute)
		s.run(s.engine(channels, notify.Policy{}))
		sms.mu.Lock()
		defer sms.mu.Unlock()
		if sms.received[n.ID] != 1 {
			t.Errorf("the provider received page %s %d times, want once", n.ID, sms.received[n.ID])
		}
	})
}
