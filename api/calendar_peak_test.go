package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// peakWindows: Black Friday in New York time on checkout (carol's and
// alice's shifts), a short window on every service inside carol's shift
// only, and one on a service nobody pages.
func peakWindows(t *testing.T) []hypercare.Window {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return []hypercare.Window{
		{ID: "bfcm-2026", Name: "Black Friday / Cyber Monday 2026", TimeZone: ny,
			Start: time.Date(2026, 11, 27, 18, 0, 0, 0, ny), End: time.Date(2026, 11, 29, 9, 0, 0, 0, ny),
			Services: []string{"checkout"}, ChangeFreeze: true, MaxEscalateAfter: 5 * time.Minute,
			Fatigue: &hypercare.Fatigue{MaxPages: 8, Per: 4 * time.Hour, MaxNightPages: 2, NightStart: 22 * time.Hour, NightEnd: 7 * time.Hour}},
		{ID: "launch", Name: "Launch", TimeZone: time.UTC, Start: t0.Add(2 * time.Hour), End: t0.Add(4 * time.Hour)},
		{ID: "search-peak", Name: "Search peak", TimeZone: time.UTC, Start: t0, End: t0.Add(48 * time.Hour), Services: []string{"search"}},
	}
}

// feedText fetches a new feed of path (as admin) and returns it unfolded.
func (p *pager) feedText(t *testing.T, path string) string {
	t.Helper()
	var feed newFeed
	if code := p.do("POST", path, p.admin, nil, &feed); code != 201 {
		t.Fatalf("create feed %s: %d", path, code)
	}
	code, body := p.getFeed(t, feed.Path)
	if code != 200 {
		t.Fatalf("feed %s: %d", path, code)
	}
	for i, l := range strings.Split(body, "\r\n") {
		if len(l) > 75 {
			t.Errorf("feed %s line %d has %d octets", path, i, len(l))
		}
	}
	return strings.ReplaceAll(body, "\r\n ", "")
}

// The window and who is on call during it appear in the feeds it
// concerns, in the window's own zone; shifts inside it say so.
func TestCalendarFeedsShowHypercareWindows(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newWindowPager(t, eng, peakWindows(t))
		sched := p.feedText(t, "/api/v1/schedules/primary/calendar")
		for _, want := range []string{
			"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n",
			"UID:schedules/primary/window/bfcm-2026@hypercare\r\n",
			"DTSTART;TZID=America/New_York:20261127T180000\r\nDTEND;TZID=America/New_York:20261129T090000\r\n",
			"SUMMARY:Hypercare window: Black Friday / Cyber Monday 2026\r\n",
			`Services in scope: checkout.\nChange freeze: no changes should ship`,
			`Escalation: every level escalates after at most 5 minutes.`,
			`Fatigue guardrail: more than 8 pages in 4 hours\, or 2 at night (22:00-07:00)\, also pages the next level.`,
			`On call on primary: carol\, alice.`,
			"SUMMARY:Hypercare window: Launch\r\n",
			"SUMMARY:On call: primary (alice)\r\n",                       // 26 Nov: before both windows
			"SUMMARY:[bfcm-2026\\, launch] On call: primary (carol)\r\n", // TEXT escapes the comma
			"SUMMARY:[bfcm-2026] On call: primary (alice)\r\n",
			"CATEGORIES:Hypercare\r\n",
		} {
			if !strings.Contains(sched, want) {
				t.Errorf("schedule feed lacks %q:\n%s", want, sched)
			}
		}
		if strings.Contains(sched, "Search peak") {
			t.Error("the schedule feed shows a window whose services do not page it")
		}
		alice := p.feedText(t, "/api/v1/users/alice/calendar")
		if !strings.Contains(alice, "UID:users/alice/window/bfcm-2026@hypercare") || strings.Contains(alice, "UID:users/alice/window/launch@hypercare") {
			t.Errorf("alice's feed: want Black Friday (she is on call in it), not Launch (she is not):\n%s", alice)
		}
		bob := p.feedText(t, "/api/v1/users/bob/calendar") // paged directly at level 2
		if !strings.Contains(bob, "UID:users/bob/window/bfcm-2026@hypercare") || !strings.Contains(bob, "UID:users/bob/window/launch@hypercare") {
			t.Errorf("bob's feed: want both windows (level 2 pages him):\n%s", bob)
		}
	})
}
