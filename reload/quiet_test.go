package reload_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
)

// A low-urgency page held until morning by quiet hours follows a reload
// that turns quiet hours off, or moves the user's clock out of the night
// (their time_zone): README says quiet hours take effect at once, so a
// responder who turned them off for a peak night is woken now, not at
// 07:00. A reload that leaves the user's night as it was keeps the hold.
func TestReloadLiftingQuietHoursSendsThePagesTheyHeld(t *testing.T) {
	night := configFile(policy("web", "alice"), "web", "")
	for name, tc := range map[string]struct {
		next     string
		wantSent bool
		wantDue  time.Time // when not sent
	}{
		"quiet hours off": {night + "notify:\n  low_urgency: {quiet_hours: \"off\"}\n", true, time.Time{}},
		// 23:00 UTC is 08:00 in Tokyo: not her night any more
		"time zone moved": {strings.Replace(night, "    name: alice\n", "    name: alice\n    time_zone: Asia/Tokyo\n", 1), true, time.Time{}},
		"unrelated change": {night + "notify:\n  low_urgency: {quiet_hours: \"22:00-07:00\", time_zone: UTC}\n", false,
			time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)},
		"night shortened": {night + "notify:\n  low_urgency: {quiet_hours: \"22:00-05:00\"}\n", false,
			time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
				r := newRig(t, eng, night)
				ctx := context.Background()
				r.clk.Set(time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC))
				it, _ := r.in.Lookup(keyShop)
				res, err := r.in.Process(ctx, it, []hypercare.Event{{Action: hypercare.ActionTrigger,
					DedupKey: "disk", Summary: "Disk 85% full", Severity: hypercare.SeverityWarning}})
				if err != nil {
					t.Fatal(err)
				}
				inc := res[0].IncidentID
				r.runDue()
				if _, err := r.del.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(r.timeline(inc), "held until 07:00") {
					t.Fatalf("the page was not held for the night:\n%s", r.timeline(inc))
				}
				r.reloadFile(tc.next)
				r.clk.Advance(time.Minute)
				if _, err := r.del.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				list, err := r.st.ListNotifications(ctx, inc)
				if err != nil || len(list) != 1 {
					t.Fatalf("pages %v %v", list, err)
				}
				if sent := list[0].Status == hypercare.NotificationSent; sent != tc.wantSent ||
					!sent && !list[0].DueAt.Equal(tc.wantDue) {
					t.Errorf("after the reload the page is %s, due %v; want sent %v (else due %v)\n%s",
						list[0].Status, list[0].DueAt, tc.wantSent, tc.wantDue, r.timeline(inc))
				}
			})
		})
	}
}
