//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// These tests run the binary the way someone new to Hypercare does,
// following the README, and check the answers they get when something is
// off: each one was a silent or confusing answer before.

// runBinary runs the hypercare binary with args in dir ("" for the test's
// own directory) and returns its output and exit code.
func runBinary(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = childEnv()
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("hypercare %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// TestServeRefusesASecondServerOnOneDataDir: a second server on a SQLite
// data directory a running server holds exits 1 naming the directory and
// the holder's PID, without touching the database; once the first is
// SIGKILLed (no chance to clean up) the next one starts.
func TestServeRefusesASecondServerOnOneDataDir(t *testing.T) {
	dir := t.TempDir()
	first := startServer(t, []string{"--data-dir", dir})

	out, stderr, code := runBinary(t, "", "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	want := "hypercare: data directory " + dir + " is in use by another hypercare server (pid " +
		strconv.Itoa(first.cmd.Process.Pid) + "): only one server may use a SQLite data directory"
	if code != 1 || out != "" || !strings.HasPrefix(stderr, want) {
		t.Errorf("second server: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, stderr, want)
	}
	// Admin commands still work on the store while the server runs.
	createToken(t, []string{"--data-dir", dir})

	first.kill(t)
	startServer(t, []string{"--data-dir", dir})
}

// TestTokenCreateNeverCreatesADatabase: run where there is no database
// (another directory, a typo in --data-dir), token create fails saying
// where it looked and what to do, and leaves nothing behind; with the
// server's database it says on stderr which database the token is in,
// keeping stdout for the token alone.
func TestTokenCreateNeverCreatesADatabase(t *testing.T) {
	elsewhere := t.TempDir()
	out, stderr, code := runBinary(t, elsewhere, "token", "create", "--name", "me", "--role", "admin")
	if code != 1 || out != "" ||
		!strings.Contains(stderr, "no database at "+filepath.Join(elsewhere, "hypercare-data", "hypercare.db")) ||
		!strings.Contains(stderr, "pass --data-dir naming the server's data directory") {
		t.Errorf("token create without a database: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "hypercare-data")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("token create without a database left hypercare-data behind (stat: %v)", err)
	}

	dir := t.TempDir()
	startServer(t, []string{"--data-dir", dir})
	out, stderr, code = runBinary(t, elsewhere, "token", "create", "--name", "me", "--role", "admin", "--data-dir", dir)
	if wantErr := "hypercare: admin token \"me\" stored in SQLite database " + filepath.Join(dir, "hypercare.db") + "\n"; code != 0 ||
		!strings.HasPrefix(out, "hc_") || strings.Count(out, "\n") != 1 || stderr != wantErr {
		t.Errorf("token create: exit %d, stdout %q, stderr %q; want the token alone and %q", code, out, stderr, wantErr)
	}
}

// TestNewcomerMessages: mistakes a new user makes get an answer that says
// what is wrong, not a library's message.
func TestNewcomerMessages(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--name", "me", "--role", "superuser", "--data-dir", dir},
			"hypercare: invalid role \"superuser\": must be admin, responder or viewer\n"},
		{[]string{"config", "validate"},
			"hypercare: config validate needs the config file: hypercare config validate FILE\n"},
	} {
		out, stderr, code := runBinary(t, "", tc.args...)
		if code != 1 || out != "" || stderr != tc.want {
			t.Errorf("hypercare %s: exit %d, stdout %q, stderr %q; want exit 1 and %q",
				strings.Join(tc.args, " "), code, out, stderr, tc.want)
		}
	}
}

// TestBenchIngestAgainstARateLimitedServer is `bench ingest` against a
// server whose rate limit it exceeds, as with the example config: the run
// fails with a headline naming the refused share instead of reporting the
// rate limit as throughput, and afterwards no incident it opened is left
// open to page anyone.
func TestBenchIngestAgainstARateLimitedServer(t *testing.T) {
	storeArgs := []string{"--data-dir", t.TempDir()}
	cfg := strings.Replace(e2eConfig, "rate_limit_per_minute: 0", "rate_limit_per_minute: 600", 1)
	srv := startServerWithConfig(t, cfg, storeArgs)
	out, stderr, code := runBinary(t, "", "bench", "ingest", "--url", srv.URL, "--routing-key", e2eEventsKey,
		"--concurrency", "4", "--duration", "1s", "--keys", "20")
	if code != 1 || !strings.HasPrefix(out, "FAILED: ") || !strings.Contains(stderr, "hypercare: FAILED: ") ||
		!strings.Contains(stderr, "429 Too Many Requests ×") || !strings.Contains(out, "Cleanup  resolved ") {
		t.Fatalf("bench ingest: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	token := createToken(t, storeArgs)
	incidents := srv.allIncidents(t, token)
	if len(incidents) == 0 {
		t.Fatal("the benchmark opened no incident")
	}
	for _, inc := range incidents {
		if inc.Status != "resolved" {
			t.Errorf("incident #%d left %s after the benchmark", inc.Number, inc.Status)
		}
	}
}
