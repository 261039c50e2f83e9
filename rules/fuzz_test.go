package rules

import (
	"encoding/json"
	"testing"

	"github.com/hypercare/hypercare"
)

// FuzzRule checks that any condition and template either fails to compile
// with a located CompileError, or compiles and then evaluates on any
// custom details without panicking, within the limits, leaving the event
// storable.
func FuzzRule(f *testing.F) {
	for _, seed := range [][3]string{
		{`severity == "warning" && component == "disk"`, `"disk-" + source`, `{"labels":{"team":"dba"}}`},
		{`labels.team == "dba"`, `upper(summary)`, `{"labels":{"team":1}}`},
		{`details.used_pct > 90`, ``, `{"used_pct":"x"}`},
		{`any(details.tags, # == "a")`, `details.name`, `{"tags":["a",1,null]}`},
		{`len(1..100000000) > 0`, `repeat("a", 1000)`, `[]`},
		{`summary matches "("`, `string(details)`, `"str"`},
		{`1 +`, ``, `{}`},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, when, summary, details string) {
		r, err := Compile(Spec{ID: "f", When: when, Then: Then{Summary: summary, DedupKey: summary}})
		if err != nil {
			if r != nil {
				t.Fatal("rule and error")
			}
			return
		}
		ev := hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: "k", Summary: "s", Severity: hypercare.SeverityError}
		if json.Valid([]byte(details)) {
			ev.CustomDetails = json.RawMessage(details)
		}
		d := NewSet([]*Rule{r}, nil).Apply(&ev, Source{ServiceID: "svc"})
		if len(d.Matched)+len(d.Failed) > 1 {
			t.Fatalf("decision %+v", d)
		}
		if ev.DedupKey == "" || len([]rune(ev.DedupKey)) > maxDedupKey || len([]rune(ev.Summary)) > maxSummary {
			t.Fatalf("unstorable event %+v", ev)
		}
	})
}
