package storetest

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// RunContract runs the store contract on stores that open returns: every
// engine must pass it unchanged. Each subtest opens its own fresh store.
func RunContract(t *testing.T, open func(t testing.TB) *store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(testing.TB) *store.Store)
	}{
		{"Catalog", testCatalog},
		{"IncidentRoundTrip", testIncidentRoundTrip},
		{"AlertRoundTrip", testAlertRoundTrip},
		{"TimelineEventChangeRoundTrip", testTimelineEventChange},
		{"AppendTimelineOnce", testAppendTimelineOnce},
		{"LatestTimeline", testLatestTimeline},
		{"OpenAlertUnique", testOpenAlertUnique},
		{"OpenAlertAfterWrites", testOpenAlertAfterWrites},
		{"ConflictThenContinue", testConflictThenContinue},
		{"IncidentNumbersConcurrent", testIncidentNumbers},
		{"GroupCommit200", testGroupCommit200},
		{"BatchFailureIsolation", testBatchFailureIsolation},
		{"GroupingLock", testGroupingLock},
		{"BeforeCommit", testBeforeCommit},
		{"BeforeCommitFailingRead", testBeforeCommitFailingRead},
		{"WriteWithoutRun", testWriteWithoutRun},
		{"DeadlockRetried", testDeadlockRetried},
		{"InvalidText", testInvalidText},
		{"InvalidFilters", testInvalidFilters},
		{"Pagination", testPagination},
		{"MatchingCounts", testMatchingCounts},
		{"NotFound", testNotFound},
		{"Tokens", testTokens},
		{"ContextCancelled", testContextCancelled},
		{"PanicInWrite", testPanicInWrite},
		{"Escalations", testEscalations},
		{"Notifications", testNotifications},
		{"NotificationPages", testNotificationPages},
		{"CancelInFlight", testCancelInFlight},
		{"SupersededOutcome", testSupersededOutcome},
		{"Pacing", testPacing},
		{"CalendarFeeds", testCalendarFeeds},
		{"LastEventAt", testLastEventAt},
		{"LastEventAtAcrossBatches", testLastEventAtAcrossBatches},
		{"EventsInBulk", testEventsInBulk},
		{"RecentAlertsAfterFind", testRecentAlertsAfterFind},
		{"OpenAlertsReadAhead", testOpenAlertsReadAhead},
		{"BatchKeysReadAhead", testBatchKeysReadAhead},
		{"BatchDrawsNumbers", testBatchDrawsNumbers},
		{"MergedInsertErrorNamesRow", testMergedInsertErrorNamesRow},
		{"AlertInsertsInBulk", testAlertInsertsInBulk},
		{"IncidentInsertsInBulk", testIncidentInsertsInBulk},
		{"BatchMergesRetriggers", testBatchMergesRetriggers},
		{"BatchRepeatsOfOneAlert", testBatchRepeatsOfOneAlert},
		{"BatchRepeatsAroundRetention", testBatchRepeatsAroundRetention},
		{"SilencesNow", testSilencesNow},
		{"EventsBetween", testEventsBetween},
		{"SharedEventPayloads", testSharedEventPayloads},
		{"StreamOutbox", testStreamOutbox},
		{"StreamCommitOrder", testStreamCommitOrder},
		{"StreamObjects", testStreamObjects},
		{"StreamIncidentFeedback", testStreamIncidentFeedback},
		{"StreamSymptomEvents", testStreamSymptomEvents},
		{"StreamLateLowerID", testStreamLateLowerID},
		{"Verifications", testVerifications},
		{"ActTokens", testActTokens},
		{"OpenIncidents", testOpenIncidents},
		{"RecentAlertsOfIncident", testRecentAlertsOfIncident},
		{"OpenIncidentOfGroup", testOpenIncidentOfGroup},
		{"MergeGroup", testMergeGroup},
		{"SymptomGrace", testSymptomGrace},
		{"LockSymptoms", testLockSymptoms},
		{"FindOpenAlertToResolve", testFindOpenAlertToResolve},
		{"FindOpenAlertBySentKeyToResolve", testFindOpenAlertBySentKeyToResolve},
		{"LockTurns", testLockTurns},
		{"RunAlone", testRunAlone},
		{"RecentPages", testRecentPages},
		{"HeldPages", testHeldPages},
		{"MoveHeldPages", testMoveHeldPages},
		{"Feedback", testFeedback},
		{"ReportReads", testReportReads},
		{"ReportFirstAck", testReportFirstAck},
		{"ReportMerged", testReportMerged},
		{"ReportSplitResolved", testReportSplitResolved},
		{"ReportFirstPage", testReportFirstPage},
		{"ReportFirstResolution", testReportFirstResolution},
		{"OpenAnnouncements", testOpenAnnouncements},
		{"AnnouncementSupersededOutcome", testAnnouncementSupersededOutcome},
		{"ReportPagesAsSent", testReportPagesAsSent},
		{"Silences", testSilences},
		{"SilencePages", testSilencePages},
		{"Announcements", testAnnouncements},
		{"Prune", testPrune},
		{"TextOrder", testTextOrder},
		{"SentKey", testSentKey},
		{"TakeOverLeases", testTakeOverLeases},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// t0 is the fixtures' base time, with microsecond precision as stored.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 123456000, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr[T any](v T) *T { return &v }

// Fixture catalog: two teams, three services, two integrations.
const (
	svcCheckout = "checkout"
	svcSearch   = "search"
	svcBilling  = "billing"
)

func seed(t testing.TB, s *store.Store) {
	t.Helper()
	teams := []hypercare.Team{{ID: "web", Name: "Web"}, {ID: "data", Name: "Data"}}
	services := []hypercare.Service{
		{ID: svcCheckout, Name: "Checkout", TeamID: "web", EscalationPolicy: "web"},
		{ID: svcSearch, Name: "Search", TeamID: "data"},
		{ID: svcBilling, Name: "Billing", TeamID: "web"},
	}
	integrations := []hypercare.Integration{
		{ID: "checkout-v2", ServiceID: svcCheckout, Type: hypercare.IntegrationEventsV2, Key: "00000000000000000000000000000001"},
		{ID: "search-am", ServiceID: svcSearch, Type: hypercare.IntegrationAlertmanager, Key: "00000000000000000000000000000002"},
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(context.Background(), teams, services, integrations)
	})
}

// mustWrite runs a Write that must succeed.
func mustWrite(t testing.TB, s *store.Store, fn func(hypercare.Tx) error) {
	t.Helper()
	if err := s.Write(context.Background(), "test", fn); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// openSeeded opens a fresh store with the fixture catalog.
func openSeeded(t testing.TB, open func(testing.TB) *store.Store) *store.Store {
	t.Helper()
	s := open(t)
	seed(t, s)
	return s
}

// StartRun runs s.Run until the test ends and returns once group commit
// is active, so the test's writes go through the writers as in the server.
func StartRun(t testing.TB, s *store.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	waitFor(t, "Run to start", func() bool { return s.WriteStats().Running })
}

// waitFor yields until cond holds: it synchronises on observable store
// state (no sleeps) and fails the test if that never happens.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func incident(id string, number int64, service string) *hypercare.Incident {
	return &hypercare.Incident{
		ID: id, Number: number, Title: "Disk full on " + id, Status: hypercare.StatusTriggered,
		Urgency: hypercare.UrgencyHigh, Severity: hypercare.SeverityCritical, ServiceID: service,
		AlertCount: 1, OpenAlertCount: 1, CreatedAt: at(time.Duration(number) * time.Second),
		UpdatedAt: at(time.Duration(number) * time.Second),
	}
}

func alert(id, service, incidentID, dedup string) *hypercare.Alert {
	return &hypercare.Alert{
		ID: id, ServiceID: service, IncidentID: incidentID, IntegrationID: "checkout-v2",
		DedupKey: dedup, Status: hypercare.StatusTriggered, Summary: "disk " + dedup + " full",
		Severity: hypercare.SeverityError, Source: "db-1", EventCount: 1,
		FirstSeenAt: t0, LastSeenAt: t0,
	}
}

func event(id string) *hypercare.EventRecord {
	return &hypercare.EventRecord{
		ID: id, ReceivedAt: t0, IntegrationID: "checkout-v2", ServiceID: svcCheckout,
		Action: hypercare.ActionTrigger, DedupKey: "k-" + id, Outcome: hypercare.OutcomeCreated,
		Payload: []byte(`{"summary":"x"}`),
	}
}

// wantCode fails unless err carries code.
func wantCode(t testing.TB, err error, code hypercare.Code) {
	t.Helper()
	if got := hypercare.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
}

// eventIDs returns every event id in the log, walking all pages.
func eventIDs(t testing.TB, s *store.Store) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	p := hypercare.Page{Limit: 1000}
	for {
		evs, next, err := s.ListEvents(context.Background(), p)
		if err != nil {
			t.Fatalf("list events: %v", err)
		}
		for _, e := range evs {
			ids[e.ID] = true
		}
		if next == "" {
			return ids
		}
		p.Cursor = next
	}
}

var errBoom = errors.New("boom")
