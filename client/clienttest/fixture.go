package clienttest

import (
	"encoding/json"
	"time"

	"github.com/hypercare/hypercare"
)

// FixtureNow returns the instant the fixture data is relative to; golden
// tests render relative times against it.
func FixtureNow() time.Time { return time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC) }

// Fixture returns fresh sample data: three incidents, newest first, one in
// each status, with alerts and timelines. Each call returns new values, so
// tests that mutate them cannot affect each other.
func Fixture() ([]hypercare.Incident, map[string][]hypercare.Alert, map[string][]hypercare.TimelineEntry) {
	at := func(minutesAgo int) time.Time { return FixtureNow().Add(-time.Duration(minutesAgo) * time.Minute) }
	ptr := func(t time.Time) *time.Time { return &t }
	incidents := []hypercare.Incident{
		{ID: "01JINC3", Number: 3, Title: "Checkout latency above SLO", Status: hypercare.StatusTriggered,
			Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: "checkout",
			AlertCount: 3, OpenAlertCount: 3, CreatedAt: at(5), UpdatedAt: at(1)},
		{ID: "01JINC2", Number: 2, Title: "Disk 91% full on db-1", Status: hypercare.StatusAcknowledged,
			Urgency: hypercare.UrgencyLow, Severity: hypercare.SeverityWarning, ServiceID: "database",
			AlertCount: 1, OpenAlertCount: 1, CreatedAt: at(3 * 60), UpdatedAt: at(2 * 60), AcknowledgedAt: ptr(at(2 * 60))},
		{ID: "01JINC1", Number: 1, Title: "Payment webhook deliveries failing for every merchant in the EU region since the deploy",
			Status: hypercare.StatusResolved, Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityError,
			ServiceID: "payments", AlertCount: 2, CreatedAt: at(3 * 24 * 60), UpdatedAt: at(3*24*60 - 40),
			AcknowledgedAt: ptr(at(3*24*60 - 10)), ResolvedAt: ptr(at(3*24*60 - 40))},
	}
	alert := func(id, inc, key, summary string, sev hypercare.Severity, events int64, first, last int) hypercare.Alert {
		return hypercare.Alert{ID: id, ServiceID: "checkout", IncidentID: inc, DedupKey: key, Status: hypercare.StatusTriggered,
			Summary: summary, Severity: sev, Source: "prometheus", EventCount: events, FirstSeenAt: at(first), LastSeenAt: at(last),
			CustomDetails: json.RawMessage(`{"region":"eu-west-1"}`)}
	}
	alerts := map[string][]hypercare.Alert{
		"01JINC3": {
			alert("01JALA", "01JINC3", "checkout-p99", "p99 latency 2.4s > 800ms", hypercare.SeverityCritical, 12, 5, 1),
			alert("01JALB", "01JINC3", "checkout-5xx", "5xx rate 4%\tabove\n2%", hypercare.SeverityError, 3, 4, 2),
			alert("01JALC", "01JINC3", "checkout-queue", "queue depth rising", hypercare.SeverityWarning, 1, 2, 2),
		},
	}
	system := hypercare.SystemActor
	prom := hypercare.Actor{Type: hypercare.ActorIntegration, ID: "int-1", Name: "Prometheus"}
	entry := func(id, typ string, actor hypercare.Actor, msg string, ago int) hypercare.TimelineEntry {
		return hypercare.TimelineEntry{ID: id, IncidentID: "01JINC3", At: at(ago), Type: typ, Actor: actor, Message: msg}
	}
	timeline := map[string][]hypercare.TimelineEntry{
		"01JINC3": {
			entry("tl-1", hypercare.TimelineTriggered, prom, "Triggered by alert checkout-p99", 5),
			entry("tl-2", hypercare.TimelineAlertAdded, prom, "Alert checkout-5xx added", 4),
			entry("tl-3", hypercare.TimelineAlertAdded, system, "Alert checkout-queue added", 2),
		},
	}
	return incidents, alerts, timeline
}
