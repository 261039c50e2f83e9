package reload_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/reload"
	"github.com/hypercare/hypercare/storetest"
)

// The same edit applied by a restart instead of SIGHUP: the operator
// removes a maintenance window from the file and restarts the server (a
// deploy, a pod rolled on a ConfigMap change). The incidents it held must
// page now, as TestReloadRemovingAMaintenanceWindowReleasesItsHeldIncidents
// shows they do after a reload, not at the end of a window that no longer
// exists (up to 92 days later for a one-off).
func TestRestartWithoutAMaintenanceWindowReleasesItsHeldIncidents(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		window := `maintenance:
  - {id: db-upgrade, services: [shop], start: "2026-11-27T07:00", end: "2026-11-27T12:00", time_zone: UTC}
`
		r := newRig(t, eng, configFile(policy("web", "alice"), "web", window))
		inc := r.trigger("disk")
		r.runDue()
		if got := r.paged(inc); len(got) != 0 {
			t.Fatalf("paged %v inside the maintenance window", got)
		}
		// Restart on the edited file: serve's newReloader applies it to a
		// Reloader with no previous snapshot.
		r.write(configFile(policy("web", "alice"), "web", ""))
		cfg, err := config.Load(r.path)
		if err != nil {
			t.Fatal(err)
		}
		rl := reload.New(reload.Options{Path: r.path, Store: r.st, Clock: r.clk,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if _, err := rl.Apply(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		rl.Attach(r.in, r.esc, r.del)
		r.clk.Advance(time.Minute)
		r.runDue()
		if got := r.paged(inc); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("paged %v a minute after a restart on a file without the window; want alice now, not at 12:00\n%s",
				got, r.timeline(inc))
		}
	})
}
