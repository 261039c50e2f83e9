package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/client/clienttest"
)

// testEnv is a fixed process environment: the fixture's clock, UTC, and
// only the variables given.
func testEnv(vars map[string]string) clientEnv {
	return clientEnv{getenv: func(k string) string { return vars[k] }, now: clienttest.FixtureNow, loc: time.UTC}
}

// fakeServer serves the fake API; its URL and token go in flags.
func fakeServer(t *testing.T) (*clienttest.API, []string) {
	t.Helper()
	api := clienttest.New("secret")
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, []string{"--server", srv.URL, "--token", "secret"}
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

func TestIncidentsListAllTable(t *testing.T) {
	api, flags := fakeServer(t)
	out, stderr, err := execute(t, testEnv(nil), append([]string{"list", "--all", "--limit", "2"}, flags...)...)
	if err != nil || stderr != "" {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	golden(t, "incidents_list_all.golden", out)
	want := []string{"GET /api/v1/incidents?limit=2", "GET /api/v1/incidents?cursor=o2&limit=2"}
	if log := api.RequestLog(); !slices.Equal(log, want) {
		t.Errorf("requests %q, want %q", log, want)
	}
}

func TestIncidentsListJSONFromEnv(t *testing.T) {
	api, flags := fakeServer(t)
	env := testEnv(map[string]string{"HYPERCARE_SERVER": flags[1], "HYPERCARE_TOKEN": "secret"})
	out, _, err := execute(t, env, "list", "--status", "triggered", "--status", "acknowledged", "--service", "database", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "incidents_list.json.golden", out)
	if log := api.RequestLog(); len(log) != 1 || log[0] != "GET /api/v1/incidents?limit=25&service=database&status=triggered%2Cacknowledged" {
		t.Errorf("requests %q", log)
	}
}

func TestIncidentsListFirstPageOnly(t *testing.T) {
	_, flags := fakeServer(t)
	out, stderr, err := execute(t, testEnv(nil), append([]string{"list", "--limit", "2"}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 3 || !strings.Contains(stderr, "use --all") {
		t.Errorf("want a header, 2 rows and a hint on stderr; got\n%s\nstderr %q", out, stderr)
	}
	out, _, _ = execute(t, testEnv(nil), append([]string{"list", "--service", "nope"}, flags...)...)
	if out != "No incidents.\n" {
		t.Errorf("empty list printed %q", out)
	}
}

func TestIncidentsShow(t *testing.T) {
	_, flags := fakeServer(t)
	out, _, err := execute(t, testEnv(nil), append([]string{"show", "3"}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "incidents_show.golden", out)

	out, _, err = execute(t, testEnv(nil), append([]string{"show", "01JINC3", "-o", "json"}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "incidents_show.json.golden", out)
	var d struct {
		Incident struct{ Number int }
		Alerts   []json.RawMessage
		Timeline []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.Incident.Number != 3 || len(d.Alerts) != 3 || len(d.Timeline) != 3 {
		t.Errorf("show JSON %+v, %v", d, err)
	}
}

func TestIncidentsAckResolveReportEveryFailure(t *testing.T) {
	_, flags := fakeServer(t)
	out, _, err := execute(t, testEnv(nil), append([]string{"ack", "3", "99", "1"}, flags...)...)
	golden(t, "incidents_ack.golden", out)
	want := "incident 99: not_found: incident 99 not found\nincident 1: conflict: incident 1 is already resolved"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want\n%s", err, want)
	}

	out, _, err = execute(t, testEnv(nil), append([]string{"resolve", "2", "3", "-o", "json"}, flags...)...)
	var res struct {
		Incidents []struct {
			Number int
			Status string
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || len(res.Incidents) != 2 ||
		res.Incidents[0].Status != "resolved" || res.Incidents[1].Number != 3 {
		t.Errorf("resolve JSON %s, %v", out, err)
	}
}

func TestIncidentsNote(t *testing.T) {
	api, flags := fakeServer(t)
	out, _, err := execute(t, testEnv(nil), append([]string{"note", "3", "rolled", "back", "v42"}, flags...)...)
	if err != nil || out != "Added note tl-01JINC3-4 to incident 3.\n" {
		t.Fatalf("out %q, err %v", out, err)
	}
	if tl := api.TimelineOf("01JINC3"); tl[len(tl)-1].Message != "rolled back v42" {
		t.Errorf("stored note %+v", tl[len(tl)-1])
	}
	_, _, err = execute(t, testEnv(nil), append([]string{"note", "3", " "}, flags...)...)
	if err == nil || err.Error() != "invalid_argument: a note needs a message (message: must not be empty)" {
		t.Errorf("empty note: err = %v", err)
	}
}

func TestIncidentsErrors(t *testing.T) {
	_, flags := fakeServer(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no token", []string{"list"}, "no API token: pass --token or set HYPERCARE_TOKEN"},
		{"bad server", []string{"list", "--server", "127.0.0.1:8080", "--token", "x"}, `server "127.0.0.1:8080" is not a URL`},
		{"wrong token", []string{"list", "--server", flags[1], "--token", "wrong"},
			"unauthenticated: missing or invalid API token; check --token or HYPERCARE_TOKEN"},
		{"bad status", append([]string{"list", "--status", "open"}, flags...), `--status "open": want triggered`},
		{"bad output", append([]string{"list", "-o", "yaml"}, flags...), `output format "yaml": want table or json`},
		{"server validation", append([]string{"list", "--limit", "500"}, flags...),
			"invalid_argument: invalid query (limit: must be between 1 and 100)"},
		{"not found", append([]string{"show", "42"}, flags...), "not_found: incident 42 not found"},
		{"refused", []string{"show", "42", "--server", "http://127.0.0.1:1", "--token", "x"}, "GET /api/v1/incidents/42: dial tcp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := execute(t, testEnv(nil), tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
