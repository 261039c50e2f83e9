package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/storetest"
)

// A page's lease ends while its attempt is still sending (another node
// took over the leases of this one, which it saw dead; or the lease ran
// out) and another claim takes the page, whose attempt is then in flight.
// This attempt fails (HTTP 503): its outcome used to set the page pending
// again with a backoff over the other attempt's lease (a page more, and
// the attempt count set back), or failed over its "sent". Now the later
// attempt owns the row: nothing is recorded for this one and the pass
// reports no error.
func TestOutcomeOfASupersededAttemptIsNotRecorded(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		st := e.Open(t)
		var clk *clocktest.Clock
		hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// While this attempt sends, its lease ends and another
			// claim takes the page.
			err := st.Write(context.Background(), "other-node", func(tx hypercare.Tx) error {
				later := clk.Now().Add(4 * time.Minute)
				got, err := tx.ClaimNotifications(context.Background(), later, later.Add(3*time.Minute), 10)
				if err == nil && len(got) != 1 {
					t.Errorf("the other claim took %d pages, want the one whose lease ended", len(got))
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		defer hooks.Close()
		eng, c, n := setup(t, st, hooks.URL)
		clk = c
		if _, err := eng.RunDue(context.Background()); err != nil {
			t.Fatalf("RunDue: %v", err)
		}
		got := status(t, st, n)
		if got.Status != hypercare.NotificationSending || got.Attempts != 2 || got.LastError != "" {
			t.Fatalf("page after a superseded attempt failed: %s, %d attempts, error %q; want still the other claim's "+
				"(sending, 2 attempts, no error)", got.Status, got.Attempts, got.LastError)
		}
	})
}
