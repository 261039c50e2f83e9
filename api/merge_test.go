package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/storetest"
)

// Merge and split over HTTP on both stores: timeline entries on both
// incidents, counts that follow, a split-off incident that pages, and a
// merge that changes nothing about how later alerts group.
func TestMergeAndSplitIncidents(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newNoisePager(t, eng, grouped(correlate.Grouping{Type: correlate.GroupIntelligent}))
		p.send(alertEvent(keyCheckout, "lat", "High latency on web-1", "web-1", "nginx", "eu-1"))
		p.send(alertEvent(keyCheckout, "disk", "Disk full on db-1", "db-1", "postgres", "eu-1"))
		p.after(0, "alice level 1 incident #1", "alice level 1 incident #2")
		var out struct {
			Incident hypercare.Incident `json:"incident"`
		}
		if code := p.do("POST", "/api/v1/incidents/1/merge", p.responder, map[string]any{"incidents": []string{"2"}}, &out); code != 200 {
			t.Fatalf("merge: %d", code)
		}
		if out.Incident.AlertCount != 2 || out.Incident.OpenAlertCount != 2 {
			t.Fatalf("merged incident %+v", out.Incident)
		}
		if !hasEntry(p.timeline("1"), hypercare.TimelineMerged) || !hasEntry(p.timeline("2"), hypercare.TimelineMerged) {
			t.Error("merge is not on both timelines")
		}
		// The merge taught nothing: grouping compares #1's own first and
		// latest alerts, as before, so a new disk alert does not join #1
		// for the disk alert merged into it, and opens its own incident.
		p.send(alertEvent(keyCheckout, "disk-2", "Disk full on db-2", "db-2", "postgres", "eu-1"))
		p.send(alertEvent(keyCheckout, "lat-2", "High latency on web-2", "web-2", "nginx", "eu-1"))
		wantCounts(t, p.env, "#1:3/3", "#2:0/0", "#3:1/1")
		p.after(0, "alice level 1 incident #3")

		var disk string
		for _, a := range p.alerts("?incident=" + out.Incident.ID) {
			if a.DedupKey == "disk" {
				disk = a.ID
			}
		}
		if code := p.do("POST", "/api/v1/incidents/1/split", p.responder, map[string]any{"alerts": []string{disk}}, &out); code != 201 {
			t.Fatalf("split: %d", code)
		}
		if out.Incident.Number != 4 || out.Incident.AlertCount != 1 || out.Incident.Status != hypercare.StatusTriggered {
			t.Fatalf("split-off incident %+v", out.Incident)
		}
		p.after(0, "alice level 1 incident #4")
		if !hasEntry(p.timeline("1"), hypercare.TimelineSplit) || !hasEntry(p.timeline("4"), hypercare.TimelineSplit) {
			t.Error("split is not on both timelines")
		}
		wantCounts(t, p.env, "#1:2/2", "#2:0/0", "#3:1/1", "#4:1/1")
		// Nor does a split: latency alerts still join #1.
		p.send(alertEvent(keyCheckout, "lat-3", "High latency on web-3", "web-3", "nginx", "eu-1"))
		wantCounts(t, p.env, "#1:3/3", "#2:0/0", "#3:1/1", "#4:1/1")
		p.after(time.Hour, "bob level 2 incident #1", "bob level 2 incident #3", "bob level 2 incident #4")
	})
}

// Bad merge and split requests are refused with the field named, and
// change nothing.
func TestMergeAndSplitRefusals(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		e.send(trigger(keyCheckout, "a", "A"))
		e.send(trigger(keyCheckout, "b", "B"))
		e.send(trigger(keySearch, "s", "S"))
		e.send(trigger(keyCheckout, "r", "R"))
		e.send(action(keyCheckout, "resolve", "r"))
		alertOf2 := e.alerts("?incident=" + e.incidents("?limit=100")[2].ID)[0].ID
		cases := []struct {
			name, path string
			body       any
			code       int
			field      string
		}{
			{"no incidents", "/1/merge", map[string]any{"incidents": []string{}}, 400, "incidents"},
			{"itself", "/1/merge", map[string]any{"incidents": []string{"1"}}, 400, "incidents[0]"},
			{"another service", "/1/merge", map[string]any{"incidents": []string{"3"}}, 400, "incidents[0]"},
			{"resolved source", "/1/merge", map[string]any{"incidents": []string{"2", "4"}}, 400, "incidents[1]"},
			{"unknown", "/1/merge", map[string]any{"incidents": []string{"99"}}, 400, "incidents[0]"},
			{"twice", "/1/merge", map[string]any{"incidents": []string{"2", "2"}}, 400, "incidents[1]"},
			{"into resolved", "/4/merge", map[string]any{"incidents": []string{"1"}}, 409, ""},
			{"unknown field", "/1/merge", map[string]any{"incident": []string{"2"}}, 400, ""},
			{"no alerts", "/1/split", map[string]any{"alerts": []string{}}, 400, "alerts"},
			{"not its alert", "/1/split", map[string]any{"alerts": []string{alertOf2}}, 400, "alerts[0]"},
			{"every alert", "/2/split", map[string]any{"alerts": []string{alertOf2}}, 400, "alerts"},
			{"resolved", "/4/split", map[string]any{"alerts": []string{"x"}}, 409, ""},
		}
		for _, c := range cases {
			var out json.RawMessage
			code := e.do("POST", "/api/v1/incidents"+c.path, e.responder, c.body, &out)
			if code != c.code || (c.field != "" && !strings.Contains(string(out), `"field":"`+c.field+`"`)) {
				t.Errorf("%s: %d %s, want %d naming %q", c.name, code, out, c.code, c.field)
			}
		}
		wantCounts(t, e, "#1:1/1", "#2:1/1", "#3:1/1", "#4:1/0")
		if code := e.do("POST", "/api/v1/incidents/1/merge", e.viewer, map[string]any{"incidents": []string{"2"}}, nil); code != 403 {
			t.Errorf("viewer merge: %d, want 403", code)
		}
	})
}
