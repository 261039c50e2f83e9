package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// A page whose attempt fails while its incident is acknowledged (the page
// cancelled meanwhile) stays cancelled, but keeps why the attempt failed:
// an admin looking at it sees attempts 1 and the receiver's answer, not
// an attempt without a reason. Both a retryable and a final failure.
func TestFailedAttemptOfACancelledPageKeepsItsError(t *testing.T) {
	for _, tc := range []struct {
		reply int
		want  string
	}{{http.StatusServiceUnavailable, "503"}, {http.StatusNotFound, "404"}} {
		storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
			st := e.Open(t)
			var incID string
			hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// The incident is acknowledged while the page is being sent.
				err := st.Write(context.Background(), incID, func(tx hypercare.Tx) error {
					_, err := tx.CancelNotifications(context.Background(), incID)
					return err
				})
				if err != nil {
					t.Error(err)
				}
				w.WriteHeader(tc.reply)
			}))
			defer hooks.Close()
			eng, clk, n := setup(t, st, hooks.URL)
			incID = n.IncidentID
			if _, err := eng.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := status(t, st, n)
			if got.Status != hypercare.NotificationCancelled || got.Attempts != 1 || !strings.Contains(got.LastError, tc.want) || got.ErrorDetail == "" {
				t.Fatalf("HTTP %d while cancelled: %s, attempts %d, last_error %q, error_detail %q; want cancelled, 1, the %s and its detail",
					tc.reply, got.Status, got.Attempts, got.LastError, got.ErrorDetail, tc.want)
			}
			clk.Advance(time.Hour)
			if n, err := eng.RunDue(context.Background()); err != nil || n != 0 {
				t.Fatalf("a cancelled page was attempted again: %d %v", n, err)
			}
		})
	}
}
