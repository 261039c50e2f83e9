package storm

import (
	"math"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// tiny is a hand-made truth: T1 a cascade of three alerts (db, then two
// symptoms), T2 an unrelated failure of one alert, T3 a transient blip,
// and key "db" firing again hours later as T4.
func tiny() *Labels {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	return &Labels{
		Incidents: []*trueIncident{{ID: "T1"}, {ID: "T2"}, {ID: "T3", Transient: true}, {ID: "T4"}},
		Alerts: []LabelledAlert{
			{Key: "db", Incident: "T1", First: at(0), Last: at(30)},
			{Key: "web-5xx", Incident: "T1", First: at(2), Last: at(33)},
			{Key: "api-5xx", Incident: "T1", First: at(3), Last: at(33)},
			{Key: "cert", Incident: "T2", First: at(5), Last: at(60)},
			{Key: "blip", Incident: "T3", First: at(40), Last: at(41)},
			{Key: "db", Incident: "T4", First: at(300), Last: at(320)},
		},
	}
}

func inc(n int64, openMin int, paged bool, keys ...string) Predicted {
	return Predicted{Number: n, OpenedAt: t0.Add(time.Duration(openMin) * time.Minute), Paged: paged, Alerts: keys}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestEvaluatePerfect(t *testing.T) {
	s, err := Evaluate(tiny(), []Predicted{
		inc(1, 0, true, "db", "web-5xx", "api-5xx"), inc(2, 5, true, "cert"),
		inc(3, 40, false, "blip"), inc(4, 300, true, "db"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Precision != 1 || s.Recall != 1 || s.F1 != 1 || len(s.Missed)+len(s.Merged)+len(s.TransientPaged) != 0 {
		t.Fatalf("perfect grouping scored %+v", s)
	}
	// 3 paged incidents for 6 alerts.
	if !near(s.PageReduction, 0.5) || s.Alerts != 6 {
		t.Fatalf("page reduction %v over %d alerts, want 0.5 over 6", s.PageReduction, s.Alerts)
	}
}

func TestEvaluateSplitAndMerge(t *testing.T) {
	// The cascade split in two (a symptom paged on its own), the blip
	// merged into the certificate incident, the later db firing unplaced.
	s, err := Evaluate(tiny(), []Predicted{
		inc(1, 0, true, "db", "web-5xx"), inc(2, 3, true, "api-5xx"),
		inc(3, 5, true, "cert", "blip"),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Pairs placed together: (db,web) right, (cert,blip) wrong → 1/2.
	// Pairs that belong together: (db,web), (db,api), (web,api) → 1/3.
	if !near(s.Precision, 0.5) || !near(s.Recall, 1.0/3) || !near(s.F1, 0.4) {
		t.Fatalf("precision %v recall %v F1 %v, want 0.5, 1/3, 0.4", s.Precision, s.Recall, s.F1)
	}
	if !slices.Equal(s.Merged, []string{"#3: T2+T3"}) || !slices.Equal(s.TransientPaged, []string{"T3"}) ||
		!slices.Equal(s.Missed, []string{"T4"}) || s.Unplaced != 1 {
		t.Fatalf("merged %v transient paged %v missed %v unplaced %d", s.Merged, s.TransientPaged, s.Missed, s.Unplaced)
	}
}

func TestEvaluateRepeatedKeyByTime(t *testing.T) {
	// A key that fires in two true incidents is told apart by time.
	s, err := Evaluate(tiny(), []Predicted{inc(7, 299, true, "db"), inc(8, 0, true, "db", "web-5xx", "api-5xx")})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Merged) != 0 || s.Recall != 1 || s.Precision != 1 {
		t.Fatalf("repeated key mislabelled: %+v", s)
	}
}

func TestEvaluateUnknownKey(t *testing.T) {
	if _, err := Evaluate(tiny(), []Predicted{inc(1, 0, true, "nope")}); err == nil {
		t.Fatal("an alert the labels do not know was scored")
	}
}

// A true incident that paged nobody is missed, unless its incident was
// held by the low-urgency quiet hours and cleared before they ended.
func TestEvaluateQuietHeldIsNotMissed(t *testing.T) {
	cert := inc(2, 5, false, "cert")
	s, err := Evaluate(tiny(), []Predicted{
		inc(1, 0, true, "db", "web-5xx", "api-5xx"), cert,
		inc(3, 40, false, "blip"), inc(4, 300, true, "db"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Missed, []string{"T2"}) || len(s.QuietHeld) != 0 {
		t.Fatalf("unpaged, not held: missed %v, quiet %v; want T2 missed", s.Missed, s.QuietHeld)
	}
	cert.QuietHeld = true
	s, err = Evaluate(tiny(), []Predicted{
		inc(1, 0, true, "db", "web-5xx", "api-5xx"), cert,
		inc(3, 40, false, "blip"), inc(4, 300, true, "db"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Missed) != 0 || !slices.Equal(s.QuietHeld, []string{"T2"}) {
		t.Fatalf("held for quiet hours: missed %v, quiet %v; want T2 quiet", s.Missed, s.QuietHeld)
	}
}
