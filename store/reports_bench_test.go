package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// BenchmarkNoiseReportReads measures the noise report's reads over one day
// and one week of a 30-day event log of 120,000 events on 10 services:
// the time range, not the log's size, should set the cost.
func BenchmarkNoiseReportReads(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := e.Open(b)
			seedEventLog(b, s, 120000)
			end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
			for _, days := range []int{1, 7} {
				from := end.Add(-time.Duration(days) * 24 * time.Hour)
				ctx := context.Background()
				for name, read := range map[string]func() error{
					"events":    func() error { _, err := s.EventCounts(ctx, from, end, ""); return err },
					"alerts":    func() error { _, err := s.AlertCounts(ctx, from, end, ""); return err },
					"incidents": func() error { _, err := s.IncidentStats(ctx, from, end, ""); return err },
					"pages":     func() error { _, err := s.PageStats(ctx, from, end, ""); return err },
				} {
					b.Run(fmt.Sprintf("%dd/%s", days, name), func(b *testing.B) {
						for b.Loop() {
							if err := read(); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}

// seedEventLog writes n events over the 30 days before 2026-11-30 on 10
// services, one alert (and incident) per 20 events.
func seedEventLog(b *testing.B, s *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	start := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	step := 30 * 24 * time.Hour / time.Duration(n)
	var svcs []hypercare.Service
	for i := range 10 {
		svcs = append(svcs, hypercare.Service{ID: fmt.Sprintf("svc-%d", i), Name: "S", Active: true})
	}
	if err := s.Write(ctx, "seed", func(tx hypercare.Tx) error { return tx.ApplyCatalog(ctx, nil, svcs, nil) }); err != nil {
		b.Fatal(err)
	}
	const batch = 5000
	for lo := 0; lo < n; lo += batch {
		err := s.Write(ctx, "seed", func(tx hypercare.Tx) error {
			for i := lo; i < lo+batch && i < n; i++ {
				at := start.Add(time.Duration(i) * step)
				svc := svcs[i%10].ID
				key := fmt.Sprintf("k-%d", i/20)
				if i%20 == 0 {
					inc := &hypercare.Incident{ID: fmt.Sprintf("inc-%d", i), Number: int64(i/20 + 1), Title: "t",
						Status: hypercare.StatusResolved, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityError,
						ServiceID: svc, AlertCount: 1, CreatedAt: at, UpdatedAt: at, ResolvedAt: &at}
					if err := tx.InsertIncident(ctx, inc); err != nil {
						return err
					}
					if err := tx.InsertAlert(ctx, &hypercare.Alert{ID: fmt.Sprintf("al-%d", i), ServiceID: svc, IncidentID: inc.ID,
						DedupKey: key, Status: hypercare.StatusResolved, Summary: "s", Severity: hypercare.SeverityError,
						Source: "x", EventCount: 20, FirstSeenAt: at, LastSeenAt: at, ResolvedAt: &at}); err != nil {
						return err
					}
				}
				if err := tx.InsertEvent(ctx, &hypercare.EventRecord{ID: fmt.Sprintf("ev-%d", i), ReceivedAt: at,
					IntegrationID: "i", ServiceID: svc, Action: hypercare.ActionTrigger, DedupKey: key,
					Outcome: hypercare.OutcomeUpdated, Payload: []byte(`{}`)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
