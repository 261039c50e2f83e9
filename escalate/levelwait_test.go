package escalate_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
)

// LevelWait is the wait the engine applies (NextDue): shortened by a
// hypercare window for the policy's services in its scope, and naming
// them when the window covers only some of the policy's services.
func TestLevelWaitFollowsTheWindowsScope(t *testing.T) {
	policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
		{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: 30 * time.Minute}}}
	win := hypercare.Window{ID: "bfcm", Services: []string{"checkout"}, Start: t0.Add(-time.Hour), End: t0.Add(time.Hour),
		MaxEscalateAfter: 5 * time.Minute}
	dir := func(services ...string) *escalate.Directory {
		var svcs []hypercare.Service
		for _, s := range services {
			svcs = append(svcs, hypercare.Service{ID: s, EscalationPolicy: "web"})
		}
		return escalate.NewDirectory([]hypercare.User{user("alice")}, []*oncall.Schedule{}, []hypercare.EscalationPolicy{policy},
			svcs, []hypercare.Window{win})
	}
	for _, c := range []struct {
		name     string
		d        *escalate.Directory
		at       time.Time
		after    time.Duration
		window   string
		services []string
	}{
		{"all services in scope", dir("checkout"), t0, 5 * time.Minute, "bfcm", nil},
		{"some services in scope", dir("checkout", "search"), t0, 5 * time.Minute, "bfcm", []string{"checkout"}},
		{"no service in scope", dir("search"), t0, 30 * time.Minute, "", nil},
		{"after the window", dir("checkout"), t0.Add(time.Hour), 30 * time.Minute, "", nil},
	} {
		lw := c.d.LevelWait(policy, 0, c.at)
		id := ""
		if lw.Window != nil {
			id = lw.Window.ID
		}
		if lw.After != c.after || lw.Configured != 30*time.Minute || id != c.window || !slices.Equal(lw.Services, c.services) {
			t.Errorf("%s: %+v, want %s by %q for %v", c.name, lw, c.after, c.window, c.services)
		}
		if c.window == "" {
			continue
		}
		if due := escalate.NextDue(policy, 0, c.d.Windows, "checkout", c.at); due.Sub(c.at) != lw.After {
			t.Errorf("%s: NextDue waits %s, LevelWait says %s", c.name, due.Sub(c.at), lw.After)
		}
	}
}
