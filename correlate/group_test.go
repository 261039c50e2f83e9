package correlate

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func alert(key, summary, source, component string, at time.Time, labels string) hypercare.Alert {
	a := hypercare.Alert{DedupKey: key, Summary: summary, Source: source, Component: component,
		Status: hypercare.StatusTriggered, FirstSeenAt: at, Severity: hypercare.SeverityError}
	if labels != "" {
		a.CustomDetails = json.RawMessage(`{"labels":` + labels + `}`)
	}
	return a
}

// cand is an open incident of alerts (oldest first) as the store keeps
// it: features of its first and latest alert, and when the latest came.
func cand(number int64, alerts ...hypercare.Alert) Candidate {
	inc := &hypercare.Incident{ID: "inc" + string(rune('0'+number)), Number: number, Status: hypercare.StatusTriggered}
	first, last := &alerts[0], &alerts[len(alerts)-1]
	inc.Features, inc.LastFeatures, inc.LastAlertAt = FeaturesOf(first).Encode(), FeaturesOf(last).Encode(), last.FirstSeenAt
	return Candidate{Incident: inc, Alerts: alerts}
}

func TestTokensMaskNumbersAndIDs(t *testing.T) {
	got := Tokens("High latency on web-12: p99 1234ms (req deadbeefcafe) on the API")
	want := []string{"api", "high", "latency", "req", "web"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
}

func TestGroup(t *testing.T) {
	now := t0.Add(10 * time.Minute)
	latency := alert("a1", "High latency on web-1 p99 1200ms", "web-1", "nginx", t0.Add(5*time.Minute), `{"cluster":"eu-1"}`)
	disk := alert("d1", "Disk full on /var/lib/postgresql", "db-1", "postgres", t0.Add(5*time.Minute), `{"cluster":"eu-1"}`)
	old := alert("o1", "High latency on web-3 p99 900ms", "web-3", "nginx", t0.Add(-time.Hour), "")
	newLatency := alert("a2", "High latency on web-7 p99 998ms", "web-7", "nginx", now, `{"cluster":"eu-1"}`)
	newErrors := alert("e1", "Checkout returns HTTP 500 to customers", "web-7", "nginx", now, `{"cluster":"eu-1"}`)
	intel := Grouping{Type: GroupIntelligent, Window: 15 * time.Minute}
	cases := []struct {
		name   string
		g      Grouping
		a      hypercare.Alert
		cands  []Candidate
		want   int64 // incident number joined, 0 for none
		reason string
	}{
		{"none never groups", Grouping{Type: GroupNone}, newLatency, []Candidate{cand(1, latency)}, 0, ""},
		{"time joins an incident active in the window", Grouping{Type: GroupTime, Window: 15 * time.Minute}, newErrors, []Candidate{cand(1, latency)}, 1, "within the 15 minutes time window"},
		{"time ignores an incident older than the window", Grouping{Type: GroupTime, Window: 15 * time.Minute}, newErrors, []Candidate{cand(1, old)}, 0, ""},
		{"time ties go to the newest incident", Grouping{Type: GroupTime}, newErrors, []Candidate{cand(1, latency), cand(2, disk)}, 2, ""},
		{"content joins on equal fields", Grouping{Type: GroupContent, Fields: []string{"component", "labels.cluster"}}, newErrors, []Candidate{cand(1, latency), cand(2, disk)}, 1, "same component, labels.cluster"},
		{"content needs every field equal", Grouping{Type: GroupContent, Fields: []string{"source"}}, newErrors, []Candidate{cand(1, latency)}, 0, ""},
		{"content never groups on a missing field", Grouping{Type: GroupContent, Fields: []string{"class"}}, newErrors, []Candidate{cand(1, latency)}, 0, ""},
		{"intelligent joins similar text", intel, newLatency, []Candidate{cand(1, disk), cand(2, latency)}, 2, ""},
		{"intelligent keeps unrelated text apart", intel, newErrors, []Candidate{cand(1, latency), cand(2, disk)}, 0, ""},
		{"intelligent ignores alerts outside the window", intel, newLatency, []Candidate{cand(1, old)}, 0, ""},
		{"resolved incidents are no candidates", intel, newLatency, []Candidate{{Incident: &hypercare.Incident{Number: 3, Status: hypercare.StatusResolved, LastAlertAt: now}}}, 0, ""},
		{"the latest alert counts too", intel, newLatency, []Candidate{cand(4, disk, latency)}, 4, "similar to incident 4 (score 1.00)"},
		{"without features the title counts", intel, newLatency, []Candidate{{Incident: &hypercare.Incident{Number: 5, Title: "High latency on web-3",
			Status: hypercare.StatusTriggered, LastAlertAt: now}}}, 5, ""},
	}
	for _, c := range cases {
		m, ok := Group(c.g, &c.a, nil, c.cands, now)
		got := int64(0)
		if ok {
			got = m.Incident.Number
		}
		if got != c.want {
			t.Errorf("%s: joined #%d, want #%d (match %+v)", c.name, got, c.want, m)
		}
		if c.reason != "" && m.Reason != c.reason {
			t.Errorf("%s: reason %q, want %q", c.name, m.Reason, c.reason)
		}
	}
}

// Equal scores go to the newest incident whatever the candidates' order.
func TestGroupIsDeterministic(t *testing.T) {
	now := t0.Add(time.Minute)
	a := alert("x", "Queue backlog growing on worker-3", "worker-3", "sidekiq", now, "")
	b := alert("y", "Queue backlog growing on worker-4", "worker-4", "sidekiq", t0, "")
	g := Grouping{Type: GroupIntelligent}
	for _, cands := range [][]Candidate{{cand(4, b), cand(7, b)}, {cand(7, b), cand(4, b)}} {
		if m, ok := Group(g, &a, nil, cands, now); !ok || m.Incident.Number != 7 {
			t.Fatalf("Group = %+v, %v; want #7", m, ok)
		}
	}
}

func TestFeaturesEncodeRoundTrip(t *testing.T) {
	a := alert("k", "Disk full on db-1", "db-1", "postgres", t0, `{"cluster":"eu\u001e1","team":"data"}`)
	f := FeaturesOf(&a)
	if got := DecodeFeatures(f.Encode()); !reflect.DeepEqual(got, f) {
		t.Fatalf("round trip %+v, want %+v", got, f)
	}
}

func TestSimilarity(t *testing.T) {
	f := func(summary, source string) *Features {
		a := alert("k", summary, source, "", t0, "")
		return FeaturesOf(&a)
	}
	cases := []struct {
		name string
		a, b *Features
		join bool
	}{
		{"same text, other host", f("Disk 91% full on db-1", "db-1"), f("Disk 97% full on db-2", "db-2"), true},
		{"same source, unrelated text", f("Disk full", "db-1"), f("Replication lag high", "db-1"), false},
		{"empty summaries never join", f("", ""), f("", ""), false},
		{"two failures of one host stay apart", f("Disk 91% full on db-2", "db-2"), f("Replication lag 30s on db-2", "db-2"), false},
		{"numbers alone are no likeness", f("Error 500 at 12:01", "web-1"), f("Timeout 500 at 12:01", "web-1"), false},
	}
	for _, c := range cases {
		if s := Similarity(c.a, c.b); (s >= SimilarityThreshold) != c.join {
			t.Errorf("%s: similarity %.2f, join %v", c.name, s, c.join)
		}
	}
}

func TestDecideFlap(t *testing.T) {
	now := t0.Add(20 * time.Minute)
	resolved := func(inc string, at time.Time) hypercare.Alert {
		return hypercare.Alert{IncidentID: inc, Status: hypercare.StatusResolved, FirstSeenAt: at}
	}
	f := Flapping{Count: 3, Window: 30 * time.Minute}
	cases := []struct {
		name   string
		f      Flapping
		recent []hypercare.Alert
		want   Flap
	}{
		{"first trigger", f, nil, Flap{}},
		{"re-trigger opens anew until flapping", f, []hypercare.Alert{resolved("i1", t0)}, Flap{Cycles: 1}},
		{"third cycle flaps", f, []hypercare.Alert{resolved("i1", t0.Add(2*time.Minute)), resolved("i1", t0.Add(time.Minute)), resolved("i1", t0)},
			Flap{IncidentID: "i1", Cycles: 3, Flapping: true}},
		{"outside the window counts nothing", f, []hypercare.Alert{resolved("i1", t0.Add(-time.Hour))}, Flap{}},
		{"disabled", Flapping{}, []hypercare.Alert{resolved("i1", t0)}, Flap{}},
		{"suppressed earlier alert re-opens nothing", f, []hypercare.Alert{resolved("", t0), resolved("i1", t0), resolved("i1", t0)}, Flap{Cycles: 3, Flapping: true}},
	}
	for _, c := range cases {
		if got := DecideFlap(c.f, c.recent, now); got != c.want {
			t.Errorf("%s: DecideFlap = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestTransientAndUpstream(t *testing.T) {
	if !Transient(2*time.Minute, t0, false, t0.Add(time.Minute)) {
		t.Error("a blip resolved within the pause is transient")
	}
	if Transient(2*time.Minute, t0, false, t0.Add(3*time.Minute)) || Transient(2*time.Minute, t0, true, t0.Add(time.Minute)) || Transient(0, t0, false, t0) {
		t.Error("late, paged or unpaused resolutions are not transient")
	}
	// Most severe first, then nearest (lowest rank), then oldest; resolved
	// and recovering incidents are passed over.
	inc := func(n int64, st hypercare.Status, sev hypercare.Severity, alerts, open int64) hypercare.Incident {
		return hypercare.Incident{Number: n, Status: st, Severity: sev, AlertCount: alerts, OpenAlertCount: open}
	}
	open := []UpstreamCandidate{
		{inc(9, hypercare.StatusResolved, hypercare.SeverityCritical, 1, 0), 0},
		{inc(7, hypercare.StatusTriggered, hypercare.SeverityCritical, 2, 0), 0},
		{inc(3, hypercare.StatusAcknowledged, hypercare.SeverityError, 1, 1), 0},
		{inc(8, hypercare.StatusTriggered, hypercare.SeverityWarning, 1, 1), 0},
		{inc(5, hypercare.StatusTriggered, hypercare.SeverityError, 1, 1), 1},
		{inc(4, hypercare.StatusTriggered, hypercare.SeverityError, 1, 1), 0},
	}
	if got := Upstream(open); got == nil || got.Number != 3 {
		t.Errorf("Upstream = %+v, want #3 (most severe, nearest, oldest; not recovering)", got)
	}
	if got := Upstream(open[3:4]); got == nil || got.Number != 8 {
		t.Errorf("Upstream = %+v, want #8: a warning upstream is still the only cause", got)
	}
	if !Recovering(&open[1].Incident) || Recovering(&open[2].Incident) || Recovering(&hypercare.Incident{Status: hypercare.StatusTriggered}) {
		t.Error("recovering: open, with alerts, none of them open")
	}
	if Upstream(nil) != nil {
		t.Error("no upstream incident, no symptom")
	}
}

// TestHalfTextAllAttrsReachesThreshold: text half shared (Jaccard 0.5) with
// every attribute equal reaches the threshold, as SimilarityThreshold
// says, although 0.7 × 0.5 + 0.3 × 1 is 0.6499999999999999 in floating
// point.
func TestHalfTextAllAttrsReachesThreshold(t *testing.T) {
	a := &hypercare.Alert{Summary: "payment timeout", Source: "pay-1", Component: "stripe"}
	b := &hypercare.Alert{Summary: "payment gateway timeout refused", Source: "pay-2", Component: "stripe"}
	fa, fb := FeaturesOf(a), FeaturesOf(b)
	if j := jaccard(fa.Tokens, fb.Tokens); j != 0.5 {
		t.Fatalf("jaccard %v, want 0.5", j)
	}
	if s := Similarity(fa, fb); s != SimilarityThreshold {
		t.Errorf("similarity %.17g, want %v", s, SimilarityThreshold)
	}
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	inc := &hypercare.Incident{Number: 1, Status: hypercare.StatusTriggered, Features: fa.Encode(), LastAlertAt: now}
	if _, ok := Group(Grouping{Type: GroupIntelligent}, b, fb, []Candidate{{Incident: inc}}, now); !ok {
		t.Error("not grouped")
	}
}

// TestFeaturelessIncidentScoresItsLatestAlert: an incident opened without
// features (a split, a promoted symptom, before grouping was on) is scored
// by its title and also by the features of the alert that joined it last,
// as the exact lookup already matches them: a near copy of that alert
// joins it.
func TestFeaturelessIncidentScoresItsLatestAlert(t *testing.T) {
	joined := &hypercare.Alert{Summary: "disk full on db-1 volume data", Source: "db-1", Component: "postgres"}
	next := &hypercare.Alert{Summary: "disk full on db-2 volume data", Source: "db-2", Component: "postgres"}
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	inc := &hypercare.Incident{Number: 1, Status: hypercare.StatusTriggered, Title: "Checkout errors",
		LastFeatures: FeaturesOf(joined).Encode(), LastAlertAt: now}
	if _, ok := Group(Grouping{Type: GroupIntelligent}, next, FeaturesOf(next), []Candidate{{Incident: inc}}, now); !ok {
		t.Error("not grouped with the incident whose latest alert it nearly copies")
	}
}
