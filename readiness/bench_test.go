package readiness_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
)

// benchConfig is 200 services, each with its own two-level policy and its
// own 12-hour rota of three people across a DST change, with an override
// and a temporary roster inside a 5-day window: the size BENCHMARKS.md
// promises an answer for in under a second.
func benchConfig(b *testing.B) (*readiness.Catalog, hypercare.Window) {
	var y strings.Builder
	y.WriteString("users:\n")
	for i := range 600 {
		fmt.Fprintf(&y, "  - {id: u%d, name: U, contact_methods: [{id: h, type: webhook, address: \"https://h.example.com/%d\"}]}\n", i, i)
	}
	y.WriteString("schedules:\n")
	for i := range 200 {
		fmt.Fprintf(&y, `  - {id: s%d, time_zone: America/New_York, layers: [{id: l, start: "2026-10-01T09:00", shift: 12h, users: [u%d, u%d, u%d]}],
      overrides: [{user: u%d, start: "2026-10-31T12:00", end: "2026-10-31T18:00"}],
      temporary: [{id: t, start: "2026-11-01T00:00", end: "2026-11-02T00:00", layers: [{id: r, start: "2026-11-01T00:00", shift: 8h, users: [u%d, u%d]}]}]}
`, i, 3*i, 3*i+1, 3*i+2, 3*i+1, 3*i, 3*i+2)
	}
	y.WriteString("escalation_policies:\n")
	for i := range 200 {
		fmt.Fprintf(&y, "  - {id: p%d, levels: [{targets: [{schedule: s%d}], escalate_after_minutes: 5}, {targets: [{user: u%d}], escalate_after_minutes: 5}]}\n", i, i, 3*((i+1)%200))
	}
	y.WriteString("services:\n")
	for i := range 200 {
		fmt.Fprintf(&y, "  - {id: svc%d, name: S, escalation_policy: p%d, integrations: [{type: generic, key: %032x}]}\n", i, i, i+1)
	}
	y.WriteString("runbooks:\n")
	for i := range 200 {
		fmt.Fprintf(&y, "  - {id: rb%d, title: R, url: \"https://wiki.example.com/%d\", services: [svc%d]}\n", i, i, i)
	}
	y.WriteString(`hypercare_windows:
  - {id: w, name: W, time_zone: America/New_York, start: "2026-10-29T00:00", end: "2026-11-03T00:00", max_shift_hours: 12}
`)
	cfg, err := config.Parse("bench.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	c := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	return c, c.Windows[0]
}

// BenchmarkReadiness200Services5Days: one readiness report for 200
// services over a 5-day window (the silent-integration check included).
func BenchmarkReadiness200Services5Days(b *testing.B) {
	c, w := benchConfig(b)
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	last := map[string]time.Time{}
	for _, id := range c.IntegrationIDs(w) {
		last[id] = at.Add(-time.Hour)
	}
	b.ResetTimer()
	for b.Loop() {
		r := c.Evaluate(w, at, last)
		if len(r.Findings) == 0 {
			b.Fatal("no findings")
		}
	}
}
