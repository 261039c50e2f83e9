package readiness_test

import (
	"os"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
)

// FuzzEvaluate: every config the parser accepts gives, for every window
// and any evaluation time, a report without panicking, whose intervals
// are non-empty and inside the widened checked span, and whose Ready
// matches its findings.
func FuzzEvaluate(f *testing.F) {
	example, err := os.ReadFile("../examples/hypercare.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(example), int64(0))
	f.Add(users+scoped, int64(1780000000))
	f.Add(users+`
schedules:
  - {id: s, time_zone: Australia/Lord_Howe, layers: [{id: l, start: "2026-04-01T01:30", shift: 30m, users: [ann, sam]}]}
escalation_policies:
  - {id: p, levels: [{targets: [{schedule: s}, {user: lou}], escalate_after_minutes: 1, mode: round_robin}]}
services:
  - {id: web, name: Web, escalation_policy: p}
hypercare_windows:
  - {id: w, name: W, time_zone: Australia/Lord_Howe, start: "2026-04-04T12:00", end: "2026-04-06T12:00", max_shift_hours: 1}
`, int64(1775000000))
	f.Fuzz(func(t *testing.T, src string, atUnix int64) {
		cfg, err := config.Parse("fuzz.yaml", []byte(src))
		if err != nil {
			return
		}
		c := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
		at := time.Unix(atUnix%(1<<34), 0)
		for _, w := range c.Windows {
			r := c.Evaluate(w, at, map[string]time.Time{})
			blocking := false
			for _, fd := range r.Findings {
				blocking = blocking || fd.Severity == readiness.Blocking
				if fd.From != nil && fd.To != nil && !fd.From.Before(*fd.To) {
					t.Errorf("finding with an empty interval: %+v", fd)
				}
				if fd.Message == "" {
					t.Errorf("finding without a message: %+v", fd)
				}
			}
			if r.Ready == blocking {
				t.Errorf("ready = %v with blocking findings = %v", r.Ready, blocking)
			}
		}
	})
}
