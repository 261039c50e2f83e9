//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// cliTimeout bounds one CLI command, so a client that hangs fails the test
// instead of stalling it.
const cliTimeout = time.Minute

// TestCLIEndToEnd is the incidents commands as a user runs them: the built
// binary, configured only by HYPERCARE_SERVER and HYPERCARE_TOKEN, talking
// to `hypercare serve` in another process. The in-process tests cover the
// commands' behaviour; this one covers what they cannot: flag and
// environment handling in a real process, main's exit status and error
// line, and the real server's HTTP stack between the two.
func TestCLIEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServer(t, storeArgs)
		status, body := srv.post(t, "/v2/enqueue", map[string]any{
			"routing_key": e2eEventsKey, "event_action": "trigger", "dedup_key": "e2e-cli-disk",
			"payload": map[string]any{"summary": "Disk full on db-1", "source": "db-1", "severity": "critical"},
		})
		if status != http.StatusAccepted {
			t.Fatalf("POST /v2/enqueue: %d %s", status, body)
		}
		token := createToken(t, storeArgs)

		// hypercare runs the binary as a user's shell would, with the
		// server and token in the environment and nothing on the flags.
		hypercare := func(args ...string) (stdout, stderr string, err error) {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary(t), args...)
			cmd.Env = append(childEnv(), "HYPERCARE_SERVER="+srv.URL, "HYPERCARE_TOKEN="+token)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err = cmd.Run()
			return out.String(), errOut.String(), err
		}
		mustRun := func(args ...string) string {
			t.Helper()
			out, stderr, err := hypercare(args...)
			if err != nil || stderr != "" {
				t.Fatalf("hypercare %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr)
			}
			return out
		}
		// row returns the whitespace-separated cells of the only table row
		// under the header, failing unless there is exactly one.
		row := func(out string) []string {
			t.Helper()
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "NUMBER ") {
				t.Fatalf("want a header and one row, got:\n%s", out)
			}
			return strings.Fields(lines[1])
		}

		// NUMBER STATUS URGENCY SEVERITY SERVICE ALERTS CREATED… TITLE…
		cells := row(mustRun("incidents", "list"))
		if got := strings.Join(cells[:6], " "); got != "1 triggered high critical "+e2eService+" 1" ||
			!strings.HasSuffix(strings.Join(cells, " "), "Disk full on db-1") {
			t.Errorf("incidents list row: %q", cells)
		}

		cells = row(mustRun("incidents", "ack", "1"))
		if cells[0] != "1" || cells[1] != "acknowledged" {
			t.Errorf("incidents ack 1 printed row %q, want incident 1 acknowledged", cells)
		}
		if inc := srv.incident(t, token, "1"); inc.Status != "acknowledged" {
			t.Errorf("after the CLI's ack the server has incident 1 %s", inc.Status)
		}

		show := mustRun("incidents", "show", "1")
		for _, want := range []string{
			"Incident #1: Disk full on db-1\n",
			"\nStatus        acknowledged\n",
			" e2e-cli-disk ",
			" Triggered via PagerDuty clients: Disk full on db-1\n",
			" Acknowledged by e2e-" + t.Name() + "\n",
		} {
			if !strings.Contains(show, want) {
				t.Errorf("incidents show 1 lacks %q:\n%s", want, show)
			}
		}

		// A failure is main's one error line on stderr and exit status 1.
		out, stderr, err := hypercare("incidents", "show", "99")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || out != "" ||
			stderr != "hypercare: not_found: incident #99 not found\n" {
			t.Errorf("incidents show 99: %v, stdout %q, stderr %q; want exit status 1 and the server's not_found", err, out, stderr)
		}
	})
}
