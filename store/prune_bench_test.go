package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// BenchmarkPruneBatch measures one retention batch (store.Prune with the
// default 500 rows) on a store full of old, resolved incidents (each with
// its alert, 3 timeline entries, a sent page and a done escalation) and
// their events: how long one batch holds the writer, which is how long an
// ingest request queued behind it can wait. Each op is one batch, of
// 100 and of the default 500 rows.
func BenchmarkPruneBatch(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		for _, size := range []int{100, store.DefaultPruneBatch} {
			b.Run(e.Name+"/rows="+strconv.Itoa(size), func(b *testing.B) { benchPrune(b, e, size) })
		}
	}
}

func benchPrune(b *testing.B, e storetest.Engine, size int) {
	s := e.Open(b)
	benchSeed(b, s)
	storetest.StartRun(b, s)
	ctx := context.Background()
	cut := time.Now().Add(-24 * time.Hour)
	cutoffs := hypercare.RetentionCutoffs{Events: cut, Notifications: cut, Escalations: cut, Incidents: cut}
	next := 0
	fill := func() {
		for range 10 {
			next = fillOld(b, s, next, 100, cut.Add(-time.Hour))
		}
	}
	fill()
	var rows int64
	var cpu time.Duration // of this process only, the fills left out: steadier than wall time on a busy machine
	b.ResetTimer()
	for range b.N {
		cpu0 := cpuTime()
		r, err := s.Prune(ctx, cutoffs, size)
		cpu += cpuTime() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		rows += r.Total()
		if !r.More {
			b.StopTimer()
			fill()
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}

// fillOld writes n incidents resolved at old, with their rows, in one
// write, numbered from next; it returns the next free number.
func fillOld(b *testing.B, s *store.Store, next, n int, old time.Time) int {
	ctx := context.Background()
	err := s.Write(ctx, "fill", func(tx hypercare.Tx) error {
		for i := next; i < next+n; i++ {
			id := "old-" + strconv.Itoa(i)
			inc := benchIncident(id, int64(1_000_000+i))
			inc.Status, inc.OpenAlertCount, inc.CreatedAt, inc.UpdatedAt, inc.ResolvedAt = hypercare.StatusResolved, 0, old, old, &old
			a := benchAlert("al-"+id, id, "old-"+strconv.Itoa(i))
			a.Status, a.ResolvedAt, a.FirstSeenAt, a.LastSeenAt = hypercare.StatusResolved, &old, old, old
			if err := tx.InsertIncident(ctx, inc); err != nil {
				return err
			}
			if err := tx.InsertAlert(ctx, a); err != nil {
				return err
			}
			for j := range 3 {
				err := tx.AppendTimeline(ctx, &hypercare.TimelineEntry{ID: id + "-tl-" + strconv.Itoa(j), IncidentID: id, At: old,
					Type: "note", Actor: hypercare.SystemActor, Message: "Triggered: Disk almost full on db-1"})
				if err != nil {
					return err
				}
			}
			err := tx.InsertNotification(ctx, &hypercare.Notification{ID: id + "-n", IncidentID: id, UserID: "alice",
				ContactMethod: "hook", Type: hypercare.ContactWebhook, Level: 1, Reason: "level 1",
				Status: hypercare.NotificationSent, DueAt: old, CreatedAt: old, SentAt: &old})
			if err != nil {
				return err
			}
			err = tx.SaveEscalation(ctx, &hypercare.EscalationState{IncidentID: id, PolicyID: "p", ServiceID: "svc",
				Status: hypercare.EscalationDone, DueAt: old, Urgency: hypercare.UrgencyHigh, UpdatedAt: old})
			if err != nil {
				return err
			}
			for _, act := range []string{"t", "r"} {
				ev := benchEvent(id+"-ev-"+act, a.ID, id, a.DedupKey, hypercare.OutcomeCreated)
				ev.ReceivedAt = old
				if err := tx.InsertEvent(ctx, ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return next + n
}
