package rules

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hypercare/hypercare"
)

// benchSpecs returns n realistic rules, none of which match diskEvent
// (the worst case: every condition is evaluated), half of them reading
// labels or details.
func benchSpecs(n int) []Spec {
	conds := []string{
		`severity == "info" && component == "disk"`,
		`labels.team == "payments" && labels.env == "prod"`,
		`summary contains "heartbeat"`,
		`details.used_pct > 99`,
		`source startsWith "canary-" || source endsWith ".test"`,
		`class in ["Watchdog", "InfoInhibitor", "DeadMansSwitch"]`,
		`labels.severity == "none"`,
		`group == "batch" && action == "trigger"`,
		`integration_type == "grafana" && labels.grafana_folder == "sandbox"`,
		`summary matches "^\\[TEST\\]"`,
	}
	specs := make([]Spec, n)
	for i := range specs {
		specs[i] = Spec{ID: fmt.Sprintf("r%02d", i), When: conds[i%len(conds)], Then: Then{Urgency: hypercare.UrgencyLow}}
	}
	return specs
}

// benchDetails are the custom details of a typical Alertmanager alert.
var benchDetails = json.RawMessage(`{"status":"firing","labels":{"alertname":"DiskFull","instance":"db-1:9100",` +
	`"job":"node","severity":"warning","team":"dba","env":"prod","region":"eu-west-1"},"annotations":` +
	`{"summary":"Disk 91% full on db-1","runbook_url":"https://wiki.example.com/disk"},` +
	`"startsAt":"2026-11-27T08:00:00Z","fingerprint":"a1b2c3d4e5f60718","used_pct":91.5}`)

// BenchmarkApply measures evaluating 20 rules that do not match (every
// condition runs) on a typical alert, against no rules.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{0, 20} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			var list []*Rule
			for _, s := range benchSpecs(n) {
				r, err := Compile(s)
				if err != nil {
					b.Fatal(err)
				}
				list = append(list, r)
			}
			set := NewSet(list, nil)
			base := diskEvent()
			base.CustomDetails = benchDetails
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				ev := base
				if d := set.Apply(&ev, src); len(d.Matched) != 0 || len(d.Failed) != 0 {
					b.Fatalf("decision %+v", d)
				}
			}
		})
	}
}
