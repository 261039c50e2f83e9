package replay_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

// nightLines: the low-urgency disk alert at 23:00 UTC, a critical API
// alert at 23:30 and nothing resolved.
const nightLines = `{"received_at":"2026-11-27T23:00:00Z","key":"44444444444444444444444444444444","body":{"summary":"Disk 91% full on db-1","severity":"warning","component":"disk","source":"db-1"}}
{"received_at":"2026-11-27T23:30:00Z","key":"11111111111111111111111111111111","body":{"event_action":"trigger","dedup_key":"api-5xx","payload":{"summary":"API 5xx rate above 5%","source":"api-1","severity":"critical"}}}
`

// TestLowUrgencyWaitsForMorning: the replay holds low-urgency pages
// during quiet hours as the server does. The disk incident's pages (Alice
// at level 1, Bob at level 2; neither has a time zone, so UTC) go at
// 07:00, while the critical API incident pages Alice at once; with
// notify.low_urgency.quiet_hours "off" the disk pages go at night.
func TestLowUrgencyWaitsForMorning(t *testing.T) {
	rep, err := run(t, loadConfig(t), nightLines)
	if err != nil {
		t.Fatal(err)
	}
	morning := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	want := []replay.Page{
		{At: at("23:32"), Incident: 2, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1},
		{At: at("23:37"), Incident: 2, User: "bob", ContactMethod: "bob-hook", Type: "webhook", Level: 2},
		{At: morning, Incident: 1, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1},
		{At: morning, Incident: 1, User: "bob", ContactMethod: "bob-hook", Type: "webhook", Level: 2},
	}
	if !slices.EqualFunc(rep.Pages, want, samePage) {
		t.Errorf("pages = %+v, want %+v", rep.Pages, want)
	}

	src, err := os.ReadFile("testdata/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	off, err := config.Parse("hypercare.yaml", append(src, []byte("notify:\n  low_urgency: {quiet_hours: \"off\"}\n")...))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = run(t, off, nightLines)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Pages) != 4 || !rep.Pages[0].At.Equal(at("23:02")) || rep.Pages[0].Incident != 1 {
		t.Errorf("quiet hours off: pages = %+v, want the disk incident paged at 23:02", rep.Pages)
	}
}

// TestMaintenanceHoldsFirstPages: a maintenance window in the config holds
// the first page of an incident it covers until its end, as the server
// does: the API incident opened at 23:30 inside a 23:00–01:00 window on
// api pages Alice at 01:00, not at 23:32 (Bob's level 2 follows 5 minutes
// later).
func TestMaintenanceHoldsFirstPages(t *testing.T) {
	src, err := os.ReadFile("testdata/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("hypercare.yaml", append(src, []byte(
		"maintenance:\n  - {id: api-deploy, services: [api], start: \"2026-11-27T23:00\", end: \"2026-11-28T01:00\", time_zone: UTC}\n")...))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(t, cfg, nightLines)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
	var api []replay.Page
	for _, p := range rep.Pages {
		if p.Incident == 2 {
			api = append(api, p)
		}
	}
	want := []replay.Page{
		{At: end, Incident: 2, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1},
		{At: end.Add(5 * time.Minute), Incident: 2, User: "bob", ContactMethod: "bob-hook", Type: "webhook", Level: 2},
	}
	if !slices.EqualFunc(api, want, samePage) {
		t.Errorf("API incident's pages = %+v, want %+v", api, want)
	}
}
