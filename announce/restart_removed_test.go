package announce_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/announce"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// fridays is a window that is not open on Sunday and announces to the
// same Slack channel as sundays: the channel's address is still in the
// config when sundays leaves it.
func fridays() correlate.Maintenance {
	london, _ := oncall.LoadZone("Europe/London")
	return correlate.Maintenance{ID: "fridays", Zone: london, Services: []string{"search"},
		Start:      oncall.LocalDateTime{Year: 2026, Month: 11, Day: 27, Hour: 2},
		End:        oncall.LocalDateTime{Year: 2026, Month: 11, Day: 27, Hour: 3},
		AnnounceTo: []hypercare.AnnounceTarget{{Type: hypercare.ContactSlack, Address: "C0123456"}}}
}

// A server restarted (not reloaded) with a config that no longer has a
// maintenance window it announced the start of, while that window is
// open, announces its end at start-up, as a reload does: the store knows
// the start was sent and no end was. Recipients are those told of the
// start that can still be reached: users through the directory, direct
// targets when another window of the config still names the address (the
// store keeps no addresses); others are recorded as failed. A window
// whose end is more than an hour past is not announced late, a window
// still in the config ends by its own edge, and a second restart sends
// nothing again. Before, the restart said nothing: those told the
// maintenance started were never told it ended.
func TestRestartWithoutAnOpenWindowAnnouncesItsEnd(t *testing.T) {
	ended := "Maintenance sundays ended: checkout (alerts recorded, pages held until the end)"
	for name, tc := range map[string]struct {
		next  []correlate.Maintenance
		after time.Duration
		want  []string
	}{
		"removed":                {[]correlate.Maintenance{fridays()}, 80 * time.Minute, []string{"slack C0123456: " + ended, "webhook https://hooks.example.com/a: " + ended}},
		"removed, address gone":  {nil, 80 * time.Minute, []string{"webhook https://hooks.example.com/a: " + ended}},
		"removed, end long past": {[]correlate.Maintenance{fridays()}, 3 * time.Hour, nil},
		"removed, end just past": {[]correlate.Maintenance{fridays()}, 2*time.Hour + 30*time.Minute, []string{"slack C0123456: " + ended, "webhook https://hooks.example.com/a: " + ended}},
		"kept":                   {sundays(), 80 * time.Minute, nil},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
				st := eng.Open(t)
				clk := clocktest.New(time.Date(2026, 11, 29, 2, 0, 30, 0, time.UTC))
				out := &sink{ids: map[string]int{}}
				log := slog.New(slog.NewTextHandler(io.Discard, nil))
				ctx := context.Background()
				first := announce.New(st, clk, out, func() notify.Directory { return alice }, announce.FromMaintenance(sundays()), log)
				if _, err := first.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				if got := out.take(); len(got) != 2 {
					t.Fatalf("start announced as %q", got)
				}
				clk.Advance(tc.after) // the server is down; its config file loses sundays
				restart := func() []string {
					t.Helper()
					e := announce.New(st, clk, out, func() notify.Directory { return alice }, nil, log)
					e.Use(func() *announce.Subjects { return announce.NewSubjects(announce.FromMaintenance(tc.next)) })
					if _, err := e.RunDue(ctx); err != nil {
						t.Fatal(err)
					}
					clk.Advance(time.Second)
					if _, err := e.RunDue(ctx); err != nil {
						t.Fatal(err)
					}
					return out.take()
				}
				if got := restart(); !slices.Equal(got, tc.want) {
					t.Errorf("after the restart sent %q, want %q", got, tc.want)
				}
				if got := restart(); len(got) != 0 {
					t.Errorf("a second restart sent %q again", got)
				}
				for id, n := range out.ids {
					if n != 1 {
						t.Errorf("announcement %s sent %d times", id, n)
					}
				}
			})
		})
	}
}
