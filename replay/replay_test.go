package replay_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func loadConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load("testdata/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func run(t testing.TB, cfg *config.Config, lines string) (*replay.Report, error) {
	t.Helper()
	return replay.Run(t.Context(), cfg, strings.NewReader(lines), replay.Options{TempDir: t.TempDir()})
}

func replayFile(t testing.TB, cfg *config.Config, path string) (*replay.Report, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(t, cfg, string(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return rep, append(out, '\n')
}

func at(hhmm string) time.Time {
	t, err := time.Parse(time.RFC3339, "2026-11-27T"+hhmm+":00Z")
	if err != nil {
		panic(err)
	}
	return t
}

// TestHandWrittenFile replays testdata/blackfriday.jsonl, written by hand
// in three integrations' own formats (out of order, with a blank line):
// the Alertmanager alert joins the API incident (time grouping), the
// Watchdog is dropped by its rule, the DB blip that clears within the
// pause never pages, and the low-urgency disk alert pages Alice after the
// pause and Bob at level 2. Exactly these pages, nothing else.
func TestHandWrittenFile(t *testing.T) {
	rep, out := replayFile(t, loadConfig(t), "testdata/blackfriday.jsonl")
	want := []replay.Page{
		{At: at("10:02"), Incident: 1, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1},
		{At: at("12:02"), Incident: 3, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1},
		{At: at("12:07"), Incident: 3, User: "bob", ContactMethod: "bob-hook", Type: "webhook", Level: 2},
	}
	if !slices.EqualFunc(rep.Pages, want, samePage) {
		t.Errorf("pages = %+v, want %+v", rep.Pages, want)
	}
	s := rep.Summary
	if s.Events != 8 || s.Alerts != 4 || s.Incidents != 3 || s.Pages != 3 || s.PagedIncidents != 2 || s.PageReduction != 0.5 {
		t.Errorf("summary = %+v", s)
	}
	incs := rep.Incidents
	if len(incs) != 3 || !slices.Equal(incs[0].Alerts, []string{"api-5xx", "a1b2c3d4e5f60718"}) || !incs[0].Paged ||
		!incs[1].Transient || incs[1].Paged || incs[2].Urgency != "low" || incs[2].ResolvedAt != nil ||
		!slices.Equal(incs[2].Alerts, []string{"replay-line-9-1"}) {
		t.Errorf("incidents = %+v", incs)
	}
	if fmt.Sprint(rep.Rules) != "[{disk-low 1 0} {drop-watchdog 1 0}]" {
		t.Errorf("rules = %v", rep.Rules)
	}
	if fmt.Sprint(rep.PagesPerUser) != "[{alice 2} {bob 1}]" {
		t.Errorf("pages per user = %v", rep.PagesPerUser)
	}
	golden(t, "testdata/blackfriday.json.golden", out)
}

// TestSameFileSameJSON: two replays of a file give byte-identical JSON,
// whatever IDs the throwaway stores made.
func TestSameFileSameJSON(t *testing.T) {
	cfg := loadConfig(t)
	_, a := replayFile(t, cfg, "testdata/blackfriday.jsonl")
	_, b := replayFile(t, cfg, "testdata/blackfriday.jsonl")
	if !bytes.Equal(a, b) {
		t.Errorf("two replays differ:\n%s\n---\n%s", a, b)
	}
}

// TestFlappingPagesOnce: a check that fails and recovers over and over
// (default flapping: 3 cycles in 30 minutes) becomes one flapping
// incident that pages once.
func TestFlappingPagesOnce(t *testing.T) {
	var lines strings.Builder
	for i := range 5 {
		for j, action := range []string{"trigger", "resolve"} {
			fmt.Fprintf(&lines, `{"received_at":"2026-11-27T10:%02d:00Z","key":"33333333333333333333333333333333","body":`+
				`{"event_action":%q,"dedup_key":"gw","payload":{"summary":"Gateway down","source":"gw","severity":"critical"}}}`+"\n",
				i*4+j*3, action)
		}
	}
	rep, err := run(t, loadConfig(t), lines.String())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Events != 10 || rep.Summary.Alerts != 5 {
		t.Errorf("summary %+v, want 10 events and 5 alerts", rep.Summary)
	}
	// Cycles one and two page (after the pause); from the third, the key
	// is flapping and every re-trigger re-opens incident 3, which paged once.
	incs := rep.Incidents
	if len(incs) != 3 || !slices.Equal(incs[2].Alerts, []string{"gw", "gw", "gw"}) || rep.Summary.Pages != 3 {
		t.Errorf("flapping check: %d pages, incidents %+v; want 3 incidents, the third holding 3 alerts", rep.Summary.Pages, incs)
	}
}

// TestEmptyFile is an empty report, not an error.
func TestEmptyFile(t *testing.T) {
	rep, err := run(t, loadConfig(t), "\n\n")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	const want = `{"summary":{"events":0,"alerts":0,"incidents":0,"pages":0,"paged_incidents":0,"page_reduction":0},` +
		`"incidents":[],"pages":[],"rules":[{"id":"disk-low","hits":0,"errors":0},{"id":"drop-watchdog","hits":0,"errors":0}],"pages_per_user":[]}`
	if string(b) != want {
		t.Errorf("empty replay = %s\nwant %s", b, want)
	}
}

// TestBadLines: every bad line fails the replay with its line number and
// field, before anything runs.
func TestBadLines(t *testing.T) {
	const ok = `{"received_at":"2026-11-27T10:00:00Z","key":"11111111111111111111111111111111","body":{"event_action":"trigger","dedup_key":"a","payload":{"summary":"s","source":"x","severity":"error"}}}`
	cases := []struct{ line, want string }{
		{`not json`, "line 2: line: not a JSON object"},
		{`{"key":"11111111111111111111111111111111","body":{}}`, "line 2: received_at: missing"},
		{`{"received_at":"yesterday","key":"k","body":{}}`, `line 2: received_at: not an RFC 3339 time`},
		{`{"received_at":"2026-11-27T10:00:00Z","body":{}}`, "line 2: key: missing"},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"nope","body":{}}`, "line 2: key: no integration with this key in config"},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"11111111111111111111111111111111"}`, "line 2: body: missing or not a JSON object"},
		{`{"recieved_at":"2026-11-27T10:00:00Z","key":"k","body":{}}`, "line 2: recieved_at: unknown field"},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"k","format":"pd","body":{}}`, `line 2: format: must be "event"`},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"11111111111111111111111111111111","body":{"event_action":"trigger","payload":{"source":"x","severity":"error"}}}`,
			"line 2: body.payload.summary:"},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"11111111111111111111111111111111","body":{"routing_key":"33333333333333333333333333333333","event_action":"resolve","dedup_key":"a"}}`,
			"line 2: body.routing_key: does not match the line's key"},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"22222222222222222222222222222222","body":{"alerts":"x"}}`, "line 2: body.version"},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"11111111111111111111111111111111","format":"event","body":{"event_action":"resolve"}}`,
			"line 2: body.dedup_key: required for resolve"},
		{`{"received_at":"2026-11-27T10:00:00Z","key":"11111111111111111111111111111111","format":"event","body":{"event_action":"explode"}}`,
			`line 2: body.event_action: must be trigger, acknowledge or resolve`},
	}
	cfg := loadConfig(t)
	for _, c := range cases {
		_, err := run(t, cfg, ok+"\n"+c.line+"\n")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("line %s: error %v, want prefix %q", c.line, err, c.want)
		}
	}
}

// TestEventFormatMatchesParsed: a line in the exported form (the event as
// normalised) replays like the request it came from.
func TestEventFormatMatchesParsed(t *testing.T) {
	cfg := loadConfig(t)
	native := `{"received_at":"2026-11-27T10:00:00Z","key":"22222222222222222222222222222222","body":{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"X","severity":"critical"},"fingerprint":"f1"}]}}`
	exported := `{"received_at":"2026-11-27T10:00:00Z","key":"22222222222222222222222222222222","format":"event","body":{"event_action":"trigger","dedup_key":"f1","summary":"X","severity":"critical","class":"X","custom_details":{"labels":{"alertname":"X","severity":"critical"}}}}`
	a, err := run(t, cfg, native)
	if err != nil {
		t.Fatal(err)
	}
	b, err := run(t, cfg, exported)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("native %s\nexported %s", ja, jb)
	}
}

func samePage(a, b replay.Page) bool {
	a.At, b.At = a.At.UTC(), b.At.UTC()
	return a == b
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report differs from %s:\n%s", path, got)
	}
}

// TestAcknowledgeStopsEscalation: an acknowledge event after the first
// page stops the climb to level 2; a trigger acknowledged inside the pause
// pages nobody (its pending page is cancelled).
func TestAcknowledgeStopsEscalation(t *testing.T) {
	line := func(hhmmss, action, key string) string {
		return `{"received_at":"2026-11-27T` + hhmmss + `Z","key":"33333333333333333333333333333333","body":{"event_action":"` + action +
			`","dedup_key":"` + key + `","payload":{"summary":"Lag on db-1","source":"db-1","severity":"critical"}}}` + "\n"
	}
	rep, err := run(t, loadConfig(t), line("10:00:00", "trigger", "a")+line("10:03:00", "acknowledge", "a")+
		line("11:00:00", "trigger", "b")+line("11:01:00", "acknowledge", "b"))
	if err != nil {
		t.Fatal(err)
	}
	want := []replay.Page{{At: at("10:02"), Incident: 1, User: "alice", ContactMethod: "alice-hook", Type: "webhook", Level: 1}}
	if !slices.EqualFunc(rep.Pages, want, samePage) {
		t.Errorf("pages = %+v, want only Alice's first page", rep.Pages)
	}
	if len(rep.Incidents) != 2 || rep.Incidents[0].Status != "acknowledged" || rep.Incidents[1].Paged {
		t.Errorf("incidents = %+v", rep.Incidents)
	}
}
