package hypercare

import (
	"testing"
	"time"
)

func TestQuietHoursUntil(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	night := &QuietHours{Start: 22 * time.Hour, End: 7 * time.Hour}
	day := &QuietHours{Start: 13 * time.Hour, End: 14 * time.Hour} // a siesta, not crossing midnight
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	cases := []struct {
		q      *QuietHours
		at     string
		held   bool
		until  string
		reason string
	}{
		{night, "2026-11-27T21:59:00Z", false, "", "before the night"},
		{night, "2026-11-27T22:00:00Z", true, "2026-11-28T07:00:00Z", "its first minute"},
		{night, "2026-11-28T03:00:00Z", true, "2026-11-28T07:00:00Z", "after midnight"},
		{night, "2026-11-28T07:00:00Z", false, "", "its end"},
		{night, "2027-03-27T23:00:00Z", true, "2027-03-28T06:00:00Z", "07:00 BST the morning clocks go forward"},
		{night, "2027-10-30T22:30:00Z", true, "2027-10-31T07:00:00Z", "07:00 GMT the morning clocks go back"},
		{night, "2026-07-01T21:30:00Z", true, "2026-07-02T06:00:00Z", "22:30 BST in summer"},
		{day, "2026-11-27T13:30:00Z", true, "2026-11-27T14:00:00Z", "a span within one day"},
		{day, "2026-11-27T14:00:00Z", false, "", "after a span within one day"},
	}
	for _, c := range cases {
		until, held := c.q.Until(utc(c.at), london)
		if held != c.held || (held && !until.Equal(utc(c.until))) {
			t.Errorf("%s (%s): held %v until %s, want %v until %s", c.reason, c.at, held, until.UTC(), c.held, c.until)
		}
	}
}

// Quiet hours that end at a reading the clock skips (midnight in
// Santiago the night clocks go forward, 02:15 in Lord Howe) end when the
// clock jumps past it, not at an instant before the page (which time.Date
// gives there, so the page was "held" until the past and went round the
// hold again at once); an end the clock reads twice (01:30 in New York
// the night clocks go back) is its next occurrence after the page.
func TestQuietHoursUntilSkippedOrRepeatedEnd(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	cases := []struct {
		q      *QuietHours
		zone   string
		at     string
		until  string
		reason string
	}{
		{&QuietHours{Start: 21 * time.Hour, End: 0}, "America/Santiago", "2026-09-06T03:30:00Z", "2026-09-06T04:00:00Z",
			"23:30 -04 before a skipped midnight: 01:00 -03"},
		{&QuietHours{Start: 21 * time.Hour, End: 0}, "Asia/Beirut", "2026-03-28T21:30:00Z", "2026-03-28T22:00:00Z",
			"23:30 +02 before a skipped midnight: 01:00 +03"},
		{&QuietHours{Start: 22 * time.Hour, End: 2*time.Hour + 15*time.Minute}, "Australia/Lord_Howe",
			"2026-10-03T15:00:00Z", "2026-10-03T15:30:00Z", "01:30 +10:30 before a skipped 02:15: 02:30 +11"},
		{&QuietHours{Start: 22 * time.Hour, End: time.Hour + 30*time.Minute}, "America/New_York",
			"2026-11-01T04:50:00Z", "2026-11-01T05:30:00Z", "00:50 EDT: the first 01:30"},
		{&QuietHours{Start: 22 * time.Hour, End: time.Hour + 30*time.Minute}, "America/New_York",
			"2026-11-01T06:10:00Z", "2026-11-01T06:30:00Z", "01:10 EST, after the first 01:30: the second"},
		{&QuietHours{Start: 22 * time.Hour, End: 7 * time.Hour}, "Pacific/Chatham", "2026-09-26T10:00:00Z",
			"2026-09-26T17:15:00Z", "23:45 +12:45 before the clocks go forward: 07:00 +13:45"},
	}
	for _, c := range cases {
		until, held := c.q.Until(utc(c.at), zone(c.zone))
		if !held || !until.Equal(utc(c.until)) {
			t.Errorf("%s, %s (%s): held %v until %s, want until %s", c.zone, c.reason, c.at, held, until.UTC(), c.until)
		}
	}
}
