package escalate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// A symptom promoted to an incident of its own while a maintenance window
// covers its service pages nobody until the window ends, as an incident
// intake opened in the window would: the first page is held, the timeline
// says until when, and the page goes out once at the end if still open.
func TestPromotedSymptomHeldByMaintenance(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		w := newGraceWorld(t, eng)
		w.maintenance = []correlate.Maintenance{{ID: "checkout-deploy", Zone: time.UTC, Services: []string{"checkout"},
			Start: localOf(t0.Add(5 * time.Minute)), End: localOf(t0.Add(2 * time.Hour))}}
		w.restart() // the window is config: read at start
		w.outage()
		w.after(10 * time.Minute) // the grace ended inside the window: checkout is its own incident
		w.want("payments", "payments:resolved", "checkout:triggered")
		incs := w.incidents()
		if incs[1].SuppressedBy != "maintenance:checkout-deploy" {
			t.Errorf("promoted incident suppressed by %q, want the window", incs[1].SuppressedBy)
		}
		if tl := w.timeline(incs[1]); !strings.Contains(tl, "Suppressed by maintenance checkout-deploy until 10:00 UTC") {
			t.Errorf("timeline of the promoted incident:\n%s", tl)
		}
		w.after(108*time.Minute - time.Second) // 1 s before the window ends (10:00)
		w.want("payments", "payments:resolved", "checkout:triggered")
		w.after(time.Second)
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
		if tl := w.timeline(w.incidents()[1]); !strings.Contains(tl, "still open: paging now") {
			t.Errorf("timeline after the window:\n%s", tl)
		}
		w.after(30 * time.Minute) // once
		w.want("payments checkout", "payments:resolved", "checkout:triggered")
	})
}

// A silence matching the symptom's labels holds its promoted incident's
// first page the same way; one on other labels does not.
func TestPromotedSymptomHeldBySilence(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		for _, tc := range []struct {
			matcher string
			pages   string
		}{{`dedup_key="5xx"`, "payments"}, {`dedup_key="other"`, "payments checkout"}} {
			w := newGraceWorld(t, eng)
			w.outage()
			err := w.st.Write(context.Background(), "silence", func(tx hypercare.Tx) error {
				return tx.InsertSilence(context.Background(), &hypercare.Silence{ID: "s1", Matchers: []string{tc.matcher},
					StartsAt: t0, EndsAt: t0.Add(time.Hour), CreatedBy: "alice", Comment: "deploy", CreatedAt: t0})
			})
			if err != nil {
				t.Fatal(err)
			}
			w.after(10 * time.Minute)
			w.want(tc.pages, "payments:resolved", "checkout:triggered")
		}
	})
}

func localOf(t time.Time) oncall.LocalDateTime {
	return oncall.LocalDateTime{Year: t.Year(), Month: t.Month(), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute()}
}
