package replay_test

import (
	"os"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

// stormLines: three unrelated database alerts a minute apart, none
// resolved: each opens its own incident (db has no grouping), pages Alice
// after the two-minute pause and Bob five minutes later.
const stormLines = `{"received_at":"2026-11-27T10:00:00Z","key":"33333333333333333333333333333333","body":{"event_action":"trigger","dedup_key":"db-a","payload":{"summary":"Replication lag","source":"db-1","severity":"critical"}}}
{"received_at":"2026-11-27T10:01:00Z","key":"33333333333333333333333333333333","body":{"event_action":"trigger","dedup_key":"db-b","payload":{"summary":"Connections exhausted","source":"db-2","severity":"critical"}}}
{"received_at":"2026-11-27T10:02:00Z","key":"33333333333333333333333333333333","body":{"event_action":"trigger","dedup_key":"db-c","payload":{"summary":"Disk latency","source":"db-3","severity":"critical"}}}
`

// TestDigestAppliesInReplay: with notify.digest {max_pages: 1,
// per_minutes: 60} the server sends each person one page and folds the
// other two incidents' pages into one digest at the end of the hour; the
// replay must count what the server would send (4 messages), not one
// page per incident and level (6).
func TestDigestAppliesInReplay(t *testing.T) {
	src, err := os.ReadFile("testdata/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("hypercare.yaml", append(src, []byte("notify:\n  digest: {max_pages: 1, per_minutes: 60}\n")...))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(t, cfg, stormLines)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Incidents != 3 || rep.Summary.Pages != 4 {
		t.Errorf("incidents %d, pages %d (%+v), want 3 incidents and 4 messages: one page and one digest each for Alice and Bob",
			rep.Summary.Incidents, rep.Summary.Pages, rep.Pages)
	}
	// The digests list incidents 2 and 3: both paged someone.
	if rep.Summary.PagedIncidents != 3 {
		t.Errorf("paged incidents = %d, want 3 (incidents in a digest were paged)", rep.Summary.PagedIncidents)
	}
	for _, inc := range rep.Incidents {
		if !inc.Paged {
			t.Errorf("incident %d: paged false, want true", inc.Number)
		}
	}
}

// TestThrottleAppliesInReplay: with a webhook throttle of one page per 10
// minutes per user, Alice's three level-1 pages go out 10 minutes apart
// in the server; the replay must show them at those times.
func TestThrottleAppliesInReplay(t *testing.T) {
	src, err := os.ReadFile("testdata/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("hypercare.yaml", append(src, []byte(
		"notify:\n  throttle:\n    webhook: {per_user: 1, per_minutes: 10}\n")...))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(t, cfg, stormLines)
	if err != nil {
		t.Fatal(err)
	}
	var alice []string
	for _, p := range rep.Pages {
		if p.User == "alice" {
			alice = append(alice, p.At.UTC().Format("15:04"))
		}
	}
	if len(alice) != 3 || alice[0] != "10:02" || alice[1] != "10:12" || alice[2] != "10:22" {
		t.Errorf("Alice's pages at %v, want 10:02, 10:12, 10:22 (one per 10 minutes)", alice)
	}
}

// TestUndeliverableChannelIsNotPaged: a replay told which contact types
// the server delivers (Options.Channels, as `hypercare replay` passes the
// server's registry) records no page on another type: the server's
// delivery of it fails (no channel), so it reached nobody. Alice's only
// method is SMS and no Twilio is configured: her level-1 pages fail and
// only Bob's webhook pages count.
func TestUndeliverableChannelIsNotPaged(t *testing.T) {
	src, err := os.ReadFile("testdata/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.Replace(string(src), `{id: alice-hook, type: webhook, address: "https://hooks.example.com/alice"}`,
		`{id: alice-sms, type: sms, address: "+447700900001"}`, 1))
	cfg, err := config.Parse("hypercare.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := replay.Run(t.Context(), cfg, strings.NewReader(stormLines), replay.Options{TempDir: t.TempDir(),
		Channels: []hypercare.ContactType{hypercare.ContactWebhook, hypercare.ContactSlack}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Pages {
		if p.User == "alice" {
			t.Errorf("page %+v recorded: SMS is not delivered by this server", p)
		}
	}
	if rep.Summary.Pages != 3 || rep.Summary.PagedIncidents != 3 {
		t.Errorf("pages %d, paged incidents %d; want Bob's 3 pages for the 3 incidents", rep.Summary.Pages, rep.Summary.PagedIncidents)
	}
}
