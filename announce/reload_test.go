package announce_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hypercare/hypercare/announce"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/oncall"
	"github.com/hypercare/hypercare/storetest"
)

// A maintenance window open now that a config reload removes, or
// shortens to an end already more than an hour past, has ended: those
// told of its start are told of its end at once, instead of believing
// the maintenance still runs. A window still open after the reload, or
// one the reload only stops announcing, is not said to end.
func TestReloadEndingAnOpenWindowAnnouncesItsEnd(t *testing.T) {
	ended := "Maintenance sundays ended: checkout (alerts recorded, pages held until the end)"
	shortened := func() []correlate.Maintenance {
		w := sundays()
		w[0].End = oncall.LocalDateTime{Year: 2026, Month: 11, Day: 29, Hour: 2, Minute: 10}
		w[0].Recurrence = nil
		return w
	}
	earlier := func() []correlate.Maintenance {
		w := sundays()
		w[0].Start.Hour, w[0].Start.Minute, w[0].End.Minute = 1, 50, 30
		return w
	}
	silent := func() []correlate.Maintenance {
		w := sundays()
		w[0].AnnounceTo = nil
		return w
	}
	for name, tc := range map[string]struct {
		next []correlate.Maintenance
		want []string
	}{
		"removed":     {nil, []string{"slack C0123456: " + ended, "webhook https://hooks.example.com/a: " + ended}},
		"shortened":   {shortened(), []string{"slack C0123456: " + ended, "webhook https://hooks.example.com/a: " + ended}},
		"unchanged":   {sundays(), nil},
		"moved, open": {earlier(), nil},
		"unannounced": {silent(), nil},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
				st := eng.Open(t)
				clk := clocktest.New(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC))
				out := &sink{ids: map[string]int{}}
				var subjects atomic.Pointer[announce.Subjects]
				subjects.Store(announce.NewSubjects(announce.FromMaintenance(sundays())))
				e := announce.New(st, clk, out, func() notify.Directory { return alice }, nil,
					slog.New(slog.NewTextHandler(io.Discard, nil)))
				e.Use(subjects.Load)
				ctx := context.Background()
				step := func(d time.Duration) []string {
					t.Helper()
					clk.Advance(d)
					if _, err := e.RunDue(ctx); err != nil {
						t.Fatal(err)
					}
					return out.take()
				}
				if got := step(time.Minute); len(got) != 2 {
					t.Fatalf("start announced as %q", got)
				}
				clk.Advance(80 * time.Minute) // 03:21, the window open until 04:00
				subjects.Store(announce.NewSubjects(announce.FromMaintenance(tc.next)))
				if got := step(time.Second); !slices.Equal(got, tc.want) {
					t.Errorf("after the reload sent %q, want %q", got, tc.want)
				}
				if got := step(time.Minute); len(got) != 0 {
					t.Errorf("a minute later sent %q again", got)
				}
			})
		})
	}
}
