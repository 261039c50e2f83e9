package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/storetest"
)

// runReadiness runs `hypercare readiness` with args at a fixed clock and
// returns its output and exit code (0, 1 or 2) as main would exit.
func runReadiness(t *testing.T, args ...string) (string, int) {
	t.Helper()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	env := clientEnv{getenv: func(string) string { return "" }, now: func() time.Time { return now }, loc: time.UTC}
	cmd := newReadinessCmdEnv(env)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	if err == nil {
		return out.String(), 0
	}
	var ec *exitCodeError
	if !errors.As(err, &ec) {
		t.Fatalf("error without an exit code: %v", err)
	}
	if ec.err != nil {
		out.WriteString("error: " + ec.err.Error() + "\n")
	}
	return out.String(), ec.ExitCode()
}

// TestReadinessOnTheExample: the shipped example's Black Friday window,
// computed locally from the file with no store, is the golden JSON, and
// exits 1 because its rosters put people on call for more than 12 hours.
func TestReadinessOnTheExample(t *testing.T) {
	noStore := filepath.Join(t.TempDir(), "none")
	out, code := runReadiness(t, "--window", "bfcm-2026", "--config", "../../examples/hypercare.yaml",
		"--data-dir", noStore, "-o", "json")
	if code != 2 {
		t.Errorf("an explicit --data-dir that does not exist: exit %d, want 2\n%s", code, out)
	}
	// Without store flags the default data dir (absent here) is skipped with a note.
	example := filepath.Join(exampleDir(t), "hypercare.yaml")
	t.Run("golden", func(t *testing.T) {
		t.Chdir(t.TempDir())
		out, code = runReadiness(t, "--window", "bfcm-2026", "--config", example, "-o", "json")
	})
	if code != 1 {
		t.Errorf("exit %d, want 1 (not ready)", code)
	}
	golden(t, "readiness_example.json.golden", out)

	out, code = runReadiness(t, "--window", "bfcm-2026", "--config", filepath.Join(exampleDir(t), "hypercare.yaml"))
	if code != 1 || !strings.Contains(out, "Window bfcm-2026: NOT READY (6 blocking, 1 warnings)") ||
		!strings.Contains(out, "note: silent_integration not checked") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	// After the window nothing about shifts is left to check: ready.
	out, code = runReadiness(t, "--window", "bfcm-2026", "--config", filepath.Join(exampleDir(t), "hypercare.yaml"),
		"--at", "2026-12-02T00:00:00Z")
	if code != 0 || !strings.Contains(out, ": READY") {
		t.Errorf("after the window: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"--config", filepath.Join(exampleDir(t), "hypercare.yaml")},                        // no --window
		{"--window", "nope", "--config", filepath.Join(exampleDir(t), "hypercare.yaml")},    // unknown window
		{"--window", "bfcm-2026", "--config", filepath.Join(exampleDir(t), "missing.yaml")}, // no file
		{"--window", "bfcm-2026", "--config", filepath.Join(exampleDir(t), "hypercare.yaml"), "--at", "soon"},
	} {
		if out, code := runReadiness(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, out)
		}
	}
}

// TestReadinessReadsTheStore: with a data directory, integrations that
// never sent an event are reported silent, on both engines.
func TestReadinessReadsTheStore(t *testing.T) {
	example := filepath.Join(exampleDir(t), "hypercare.yaml")
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		opts := eng.Options(t)
		st := storetest.OpenStore(t, opts) // creates and migrates it
		_ = st
		args := []string{"--window", "bfcm-2026", "--config", example, "-o", "json"}
		if opts.DatabaseURL != "" {
			args = append(args, "--database-url", opts.DatabaseURL)
		} else {
			args = append(args, "--data-dir", opts.DataDir)
		}
		out, code := runReadiness(t, args...)
		if code != 1 || strings.Count(out, `"kind": "silent_integration"`) != 5 || strings.Contains(out, "not checked") {
			t.Errorf("exit %d, want 1 and 5 silent integrations (checkout 2, payments 3):\n%s", code, out)
		}
	})
}

// exampleDir is the absolute path of examples/, for tests that chdir.
func exampleDir(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReadinessFromTheServer: without --config the command asks the
// server (GET /api/v1/windows/{id}/readiness) with a viewer token and
// exits like the local computation; the server reads its event log, so
// silent integrations are checked.
func TestReadinessFromTheServer(t *testing.T) {
	cfg, err := config.Load(filepath.Join(exampleDir(t), "hypercare.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	channels, err := newChannels(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, channels.Types())
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		srv := apitest.New(t, eng.Open(t), apitest.WithReadiness(catalog))
		flags := []string{"--server", srv.URL, "--token", srv.Token(hypercare.RoleViewer)}
		out, code := runReadiness(t, append([]string{"--window", "bfcm-2026", "-o", "json", "--at", "2026-11-20T12:00:00Z"}, flags...)...)
		if code != 1 || strings.Count(out, `"kind": "shift_too_long"`) != 6 ||
			strings.Count(out, `"kind": "silent_integration"`) != 5 || strings.Contains(out, "not checked") {
			t.Errorf("exit %d, want 1 with 6 shift_too_long and 5 silent_integration:\n%s", code, out)
		}
		// The table reads the window's own clock, as the local computation
		// does: "EST", not the "-0500" the server's RFC 3339 offset parses to.
		out, code = runReadiness(t, append([]string{"--window", "bfcm-2026", "--at", "2026-11-20T12:00:00Z"}, flags...)...)
		if code != 1 || !strings.Contains(out, "checked 2026-11-26 18:00 EST to") || strings.Contains(out, "-0500") {
			t.Errorf("table from the server: exit %d, want 1 and times in EST:\n%s", code, out)
		}
		out, code = runReadiness(t, append([]string{"--window", "nope"}, flags...)...)
		if code != 2 || !strings.Contains(out, `hypercare window "nope" not found`) {
			t.Errorf("unknown window: exit %d\n%s", code, out)
		}
		windows, err := client.New(srv.URL, srv.Token(hypercare.RoleViewer)).Windows(context.Background())
		if err != nil || len(windows) != 1 || windows[0].ID != "bfcm-2026" || *windows[0].MaxShiftHours != 12 {
			t.Errorf("client.Windows = %+v, %v", windows, err)
		}
	})
}

// TestReadinessBinaryExitCodes runs the real binary, as CI would: the
// process exits 1 when not ready (printing the report and nothing on
// stderr), 0 when ready, and 2 with a message on stderr on error.
func TestReadinessBinaryExitCodes(t *testing.T) {
	example := filepath.Join(exampleDir(t), "hypercare.yaml")
	dir := t.TempDir()
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"--at", "2026-11-20T12:00:00Z"}, 1, "NOT READY", ""},
		{[]string{"--at", "2026-12-02T12:00:00Z"}, 0, ": READY", ""},
		{[]string{"--at", "next week"}, 2, "", "hypercare: --at"},
	} {
		cmd := exec.Command(binary(t), append([]string{"readiness", "--window", "bfcm-2026", "--config", example}, tc.args...)...)
		cmd.Dir, cmd.Env = dir, childEnv()
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(out.String(), tc.stdout) || !strings.HasPrefix(errOut.String(), tc.stderr) ||
			(tc.stderr == "" && errOut.Len() > 0) {
			t.Errorf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", tc.args, code, tc.code, out.String(), errOut.String())
		}
	}
}

// readiness exits 2 when the check cannot be made (DESIGN.md §5.1), and a
// mistyped flag or a stray argument is such a case. Cobra's usage errors
// reached main without an exit code and exited 1, which CI reads as "the
// window is not ready" rather than "the check did not run".
func TestReadinessUsageErrorsExitTwo(t *testing.T) {
	example := filepath.Join(exampleDir(t), "hypercare.yaml")
	for _, args := range [][]string{
		{"--window", "bfcm-2026", "--config", example, "--windw", "bfcm-2026"},
		{"--window", "bfcm-2026", "--config", example, "bfcm-2026"},
	} {
		cmd := exec.Command(binary(t), append([]string{"readiness"}, args...)...)
		cmd.Dir, cmd.Env = t.TempDir(), childEnv()
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != exitError || !strings.HasPrefix(errOut.String(), "hypercare: ") {
			t.Errorf("readiness %v: exit %d, want %d (error)\nstdout: %s\nstderr: %s", args, code, exitError, out.String(), errOut.String())
		}
	}
}
