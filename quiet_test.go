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
