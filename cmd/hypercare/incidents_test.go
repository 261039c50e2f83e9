package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/storetest"
)

// The incidents commands run here against a real server (package apitest)
// on each store engine, seeded through the same ingest and API a user's
// tools would use. The server's fake clock is also the commands' clock, so
// relative times ("5m ago") are reproducible; IDs are not (they are ULIDs
// with random bits), so golden comparisons mask them (see maskIDs).

// seededNow is the server's clock when seed returns, and the time every
// command in these tests runs at.
var seededNow = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

// cliEnv is a real server with seed's data and the tokens the tests use.
type cliEnv struct {
	srv *apitest.Server
	// flags point a command at srv with a responder token.
	flags  []string
	viewer string
	// api reads the server's state to check what a command did, through
	// the Go client rather than the command under test.
	api *client.Client
}

// forEachServer runs fn on a seeded real server on SQLite and PostgreSQL.
// The goldens are shared: both engines must print the same.
func forEachServer(t *testing.T, fn func(t *testing.T, e *cliEnv)) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		srv := apitest.New(t, eng.Open(t))
		responder := srv.Token(hypercare.RoleResponder)
		e := &cliEnv{srv: srv, flags: []string{"--server", srv.URL, "--token", responder},
			viewer: srv.Token(hypercare.RoleViewer), api: client.New(srv.URL, responder)}
		seed(t, e)
		fn(t, e)
	})
}

// seed creates three incidents, one in each status, like a few days of a
// small shop's paging:
//
//	#1 checkout, error, 3 days ago, acknowledged then resolved by events,
//	   with a title long enough to be cut in tables;
//	#2 search, warning (low urgency), 3 hours ago, acknowledged by the
//	   responder through the API;
//	#3 checkout, critical, 5 minutes ago, triggered twice (its alert's
//	   latest summary has a tab and a newline a table must not print),
//	   with a note by the responder a minute ago.
func seed(t *testing.T, e *cliEnv) {
	t.Helper()
	srv, ctx := e.srv, context.Background()
	srv.Clock.Set(time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC))
	srv.Trigger(apitest.KeyCheckout, "payment-webhooks",
		"Payment webhook deliveries failing for every merchant in the EU region since the deploy", hypercare.SeverityError)
	srv.Clock.Advance(10 * time.Minute)
	srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "acknowledge", DedupKey: "payment-webhooks"})
	srv.Clock.Advance(30 * time.Minute)
	srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "resolve", DedupKey: "payment-webhooks"})

	srv.Clock.Set(time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC))
	srv.Trigger(apitest.KeySearch, "disk-db-1", "Disk 91% full on db-1", hypercare.SeverityWarning)
	srv.Clock.Advance(time.Hour)
	if _, err := e.api.Acknowledge(ctx, "2"); err != nil {
		t.Fatal(err)
	}

	srv.Clock.Set(seededNow.Add(-5 * time.Minute))
	srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "trigger", DedupKey: "checkout-p99",
		Payload: &apitest.Payload{Summary: "Checkout latency above SLO", Source: "web-01", Severity: "critical",
			CustomDetails: map[string]any{"region": "eu-west-1"}}})
	srv.Clock.Advance(3 * time.Minute)
	srv.Send(apitest.Event{RoutingKey: apitest.KeyCheckout, Action: "trigger", DedupKey: "checkout-p99",
		Payload: &apitest.Payload{Summary: "p99 latency 2.4s\tabove\n800ms", Source: "web-01", Severity: "critical",
			CustomDetails: map[string]any{"region": "eu-west-1"}}})
	srv.Clock.Advance(time.Minute)
	if _, err := e.api.AddNote(ctx, "3", "Looking at the p99 dashboard"); err != nil {
		t.Fatal(err)
	}
	srv.Clock.Set(seededNow)
}

// env is the commands' process environment: the server's clock, UTC, and
// only the variables given.
func (e *cliEnv) env(vars map[string]string) clientEnv {
	return clientEnv{getenv: func(k string) string { return vars[k] }, now: e.srv.Clock.Now, loc: time.UTC}
}

// execute runs the incidents command group like main does, silencing
// cobra's own error printing.
func execute(t *testing.T, env clientEnv, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newIncidentsCmdEnv(env)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// run executes a command with the responder's flags appended and fails
// the test if it fails.
func (e *cliEnv) run(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := execute(t, e.env(nil), append(args, e.flags...)...)
	if err != nil {
		t.Fatalf("incidents %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// ulid matches the IDs Hypercare makes: 26 characters of Crockford base32.
var ulid = regexp.MustCompile(`\b[0-9A-HJKMNP-TV-Z]{26}\b`)

// maskIDs replaces each distinct ID in s with <ID1>, <ID2>, … in order of
// first appearance. IDs differ on every run, but which fields hold the
// same ID (an alert's incident_id and its incident's id) does not, and
// the numbering keeps that visible in the golden files.
func maskIDs(s string) string {
	names := map[string]string{}
	return ulid.ReplaceAllStringFunc(s, func(id string) string {
		if names[id] == "" {
			names[id] = fmt.Sprintf("<ID%d>", len(names)+1)
		}
		return names[id]
	})
}

// golden compares got with testdata/name; HYPERCARE_UPDATE_GOLDEN=1
// rewrites the file instead.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("HYPERCARE_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with HYPERCARE_UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestMaskIDs(t *testing.T) {
	in := `{"id":"01KAA0Z8G00000000000000000","incident_id":"01KAA0Z8G00000000000000000","x":"01KAA0Z8G0ZZZZZZZZZZZZZZZZ","dedup_key":"checkout-p99","n":"0123456789abcdef0123456789"}`
	want := `{"id":"<ID1>","incident_id":"<ID1>","x":"<ID2>","dedup_key":"checkout-p99","n":"0123456789abcdef0123456789"}`
	if got := maskIDs(in); got != want {
		t.Errorf("maskIDs =\n%s\nwant\n%s", got, want)
	}
}

func TestIncidentsListAllTable(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		out, stderr, err := execute(t, e.env(nil), append([]string{"list", "--all", "--limit", "2"}, e.flags...)...)
		if err != nil || stderr != "" {
			t.Fatalf("err %v, stderr %q", err, stderr)
		}
		// The table has no IDs: it is compared as it is, unmasked.
		golden(t, "incidents_list_all.golden", out)
	})
}

func TestIncidentsListJSONFromEnv(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		env := e.env(map[string]string{"HYPERCARE_SERVER": e.srv.URL, "HYPERCARE_TOKEN": e.viewer})
		out, _, err := execute(t, env, "list", "--status", "triggered", "--status", "acknowledged", "--service", "search", "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "incidents_list.json.golden", maskIDs(out))
		var page client.IncidentPage
		if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Incidents) != 1 {
			t.Fatalf("list JSON %s: %v", out, err)
		}
		if inc, err := e.api.GetIncident(context.Background(), "2"); err != nil || inc.ID != page.Incidents[0].ID {
			t.Errorf("listed ID %s is not incident 2's: %+v, %v", page.Incidents[0].ID, inc, err)
		}
	})
}

func TestIncidentsListFirstPageOnly(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		out, stderr, err := execute(t, e.env(nil), append([]string{"list", "--limit", "2"}, e.flags...)...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(out, "\n") != 3 || !strings.HasPrefix(out, "NUMBER") || !strings.Contains(out, "\n3 ") ||
			!strings.Contains(out, "\n2 ") || !strings.Contains(stderr, "use --all") {
			t.Errorf("want a header, rows 3 and 2, and a hint on stderr; got\n%s\nstderr %q", out, stderr)
		}
		if out := e.run(t, "list", "--service", "nope"); out != "No incidents match these filters.\n" {
			t.Errorf("empty list printed %q", out)
		}
	})
}

func TestIncidentsShow(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		golden(t, "incidents_show.golden", maskIDs(e.run(t, "show", "3")))

		inc, err := e.api.GetIncident(context.Background(), "3")
		if err != nil {
			t.Fatal(err)
		}
		out := e.run(t, "show", inc.ID, "-o", "json")
		golden(t, "incidents_show.json.golden", maskIDs(out))
		var d incidentDetail
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		if d.Incident.ID != inc.ID || len(d.Alerts) != 1 || d.Alerts[0].IncidentID != inc.ID || len(d.Timeline) != 2 ||
			d.Timeline[1].IncidentID != inc.ID {
			t.Errorf("show JSON does not hang together: %+v", d)
		}
	})
}

func TestIncidentsAckReportsEveryFailure(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		out, _, err := execute(t, e.env(nil), append([]string{"ack", "3", "99", "1"}, e.flags...)...)
		golden(t, "incidents_ack.golden", out)
		want := "incident 99: not_found: incident #99 not found\nincident 1: conflict: incident 1 is already resolved"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v, want\n%s", err, want)
		}
		// The one that could be acknowledged was, despite the failures.
		if inc, err := e.api.GetIncident(context.Background(), "3"); err != nil || inc.Status != hypercare.StatusAcknowledged {
			t.Errorf("incident 3 after ack: %+v, %v", inc, err)
		}

		out, _, err = execute(t, e.env(nil), append([]string{"ack", "3", "-o", "json", "--token", e.viewer}, e.flags[:2]...)...)
		if want := `incident 3: permission_denied: this action needs the responder role; token "viewer" has viewer`; err == nil || err.Error() != want {
			t.Errorf("viewer ack: err = %v, want %s", err, want)
		}
		if out != "{\n  \"incidents\": []\n}\n" {
			t.Errorf("viewer ack -o json printed %q, want an empty list", out)
		}
	})
}

func TestIncidentsResolve(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		out := e.run(t, "resolve", "2", "3", "-o", "json")
		var res struct {
			Incidents []hypercare.Incident `json:"incidents"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Incidents) != 2 {
			t.Fatalf("resolve JSON %s: %v", out, err)
		}
		for i, inc := range res.Incidents {
			if inc.Number != int64(i+2) || inc.Status != hypercare.StatusResolved || inc.ResolvedAt == nil ||
				!inc.ResolvedAt.Equal(seededNow) {
				t.Errorf("printed incident %+v, want #%d resolved now", inc, i+2)
			}
		}
		page, err := e.api.ListIncidents(context.Background(), client.IncidentQuery{Statuses: []hypercare.Status{hypercare.StatusResolved}})
		if err != nil || len(page.Incidents) != 3 {
			t.Errorf("resolved incidents on the server: %+v, %v; want all 3", page, err)
		}
	})
}

func TestIncidentsNote(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		ctx := context.Background()
		out := e.run(t, "note", "3", "rolled", "back", "v42")
		tl, err := e.api.IncidentTimeline(ctx, "3", 0)
		if err != nil {
			t.Fatal(err)
		}
		last := tl[len(tl)-1]
		if want := "Added note " + last.ID + " to incident 3.\n"; out != want {
			t.Errorf("out %q, want %q", out, want)
		}
		if last.Type != hypercare.TimelineNote || last.Message != "rolled back v42" || last.Actor.Name != "responder" ||
			!last.At.Equal(seededNow) {
			t.Errorf("stored note %+v", last)
		}

		_, _, err = execute(t, e.env(nil), append([]string{"note", "3", " "}, e.flags...)...)
		if err == nil || err.Error() != "invalid_argument: a note needs a message (message: must not be empty)" {
			t.Errorf("blank note: err = %v", err)
		}
		_, _, err = execute(t, e.env(nil), append([]string{"note", "3", strings.Repeat("x", 10001)}, e.flags...)...)
		if err == nil || err.Error() != "invalid_argument: invalid note (message: must be at most 10000 characters)" {
			t.Errorf("long note: err = %v", err)
		}
		if after, err := e.api.IncidentTimeline(ctx, "3", 0); err != nil || len(after) != len(tl) {
			t.Errorf("refused notes changed the timeline: %d entries, want %d (%v)", len(after), len(tl), err)
		}
	})
}

func TestIncidentsErrors(t *testing.T) {
	forEachServer(t, func(t *testing.T, e *cliEnv) {
		url := e.srv.URL
		for _, tc := range []struct {
			name string
			args []string
			want string
		}{
			{"no token", []string{"list", "--server", url}, "no API token: pass --token or set HYPERCARE_TOKEN"},
			{"bad server", []string{"list", "--server", "127.0.0.1:8080", "--token", "x"}, `server "127.0.0.1:8080" is not a URL`},
			{"wrong token", []string{"list", "--server", url, "--token", "hc_wrong"},
				"unauthenticated: invalid or revoked token; check --token or HYPERCARE_TOKEN"},
			{"bad status", append([]string{"list", "--status", "open"}, e.flags...), `--status "open": want triggered`},
			{"bad output", append([]string{"list", "-o", "yaml"}, e.flags...), `output format "yaml": want table or json`},
			{"server validation", append([]string{"list", "--limit", "500"}, e.flags...),
				"invalid_argument: invalid query (limit: must be an integer from 1 to 100)"},
			{"not found", append([]string{"show", "42"}, e.flags...), "not_found: incident #42 not found"},
			{"refused", []string{"show", "42", "--server", "http://127.0.0.1:1", "--token", "x"}, "GET /api/v1/incidents/42: dial tcp"},
			{"refused hint", []string{"show", "42", "--server", "http://127.0.0.1:1", "--token", "x"},
				"connection refused: is the server running? start it with `hypercare serve`, or point --server (or HYPERCARE_SERVER) at it"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := execute(t, e.env(nil), tc.args...)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want it to contain %q", err, tc.want)
				}
			})
		}
	})
}
