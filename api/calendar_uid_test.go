package api_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

var uidLine = regexp.MustCompile(`(?m)^UID:([^\r]+)\r$`)

// uids lists the UIDs of a fetched feed, in order.
func uids(body string) []string {
	var out []string
	for _, m := range uidLine.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// A responder subscribed to the schedule's feed and to their own feed
// gets each shift and window once per calendar under a different UID:
// calendar apps take a UID as globally unique, so one UID in two
// calendars makes them drop or overwrite one copy. Each feed keeps its
// UIDs across refreshes.
func TestCalendarFeedUIDsDifferBetweenFeeds(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newWindowPager(t, eng, peakWindows(t))
		var sched, alice, alice2 newFeed
		p.do("POST", "/api/v1/schedules/primary/calendar", p.admin, nil, &sched)
		p.do("POST", "/api/v1/users/alice/calendar", p.admin, nil, &alice)
		p.do("POST", "/api/v1/users/alice/calendar", p.admin, nil, &alice2)
		fetch := func(f newFeed) []string {
			t.Helper()
			code, body := p.getFeed(t, f.Path)
			if code != 200 {
				t.Fatalf("feed %s: %d", f.Path, code)
			}
			return uids(body)
		}
		s1, a1 := fetch(sched), fetch(alice)
		if len(s1) == 0 || len(a1) == 0 {
			t.Fatalf("feeds without events: %v %v", s1, a1)
		}
		for _, u := range a1 {
			if slices.Contains(s1, u) {
				t.Errorf("UID %s is in both the schedule's feed and alice's feed", u)
			}
		}
		p.clock.Advance(time.Hour)
		if s2 := fetch(sched); !slices.Equal(s1, s2) {
			t.Errorf("schedule feed UIDs changed on refresh:\n%v\n%v", s1, s2)
		}
		if a2 := fetch(alice); !slices.Equal(a1, a2) {
			t.Errorf("alice's feed UIDs changed on refresh:\n%v\n%v", a1, a2)
		}
		if b := fetch(alice2); !slices.Equal(a1, b) {
			t.Errorf("a second feed of the same user names the same shifts otherwise:\n%v\n%v", a1, b)
		}
	})
}
