package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/readiness"
	"github.com/spf13/cobra"
)

// Exit codes of `hypercare readiness` (DESIGN.md §5.1), so CI can run it
// every night: 0 ready, 1 not ready, 2 the check could not be made.
const (
	exitNotReady = 1
	exitError    = 2
)

// exitCodeError makes main exit with code; a nil err prints nothing (the
// command already said why).
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitCodeError) Unwrap() error { return e.err }

// ExitCode is the process exit code main uses.
func (e *exitCodeError) ExitCode() int { return e.code }

type readinessFlags struct {
	clientFlags
	storeFlags
	configPath string
	window     string
	at         string
}

func newReadinessCmd() *cobra.Command { return newReadinessCmdEnv(processEnv()) }

// newReadinessCmdEnv builds `hypercare readiness` on env (tests fix the
// clock and environment).
func newReadinessCmdEnv(env clientEnv) *cobra.Command {
	f := &readinessFlags{clientFlags: clientFlags{env: env}}
	cmd := &cobra.Command{
		Use:   "readiness --window ID (--config F | --server URL)",
		Short: "Check that a hypercare window is ready: exit 0 ready, 1 not ready, 2 error",
		Long: "Checks a hypercare window of the config file: coverage gaps, unreachable responders, single\n" +
			"responders, shifts too long, services without a runbook and silent integrations, each with what\n" +
			"to change. With --config it computes locally (no server needed) and reads the event log from\n" +
			"--data-dir or --database-url when there is one (without it, silent integrations are not checked);\n" +
			"without --config it asks the server (--server, --token). Only the part of the window from --at\n" +
			"(default now) on is checked. Exit code 0 ready, 1 not ready, 2 the check could not be made.",
		// A usage mistake means the check was not made: exit 2, never
		// 1, which CI would read as "not ready".
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.NoArgs(cmd, args); err != nil {
				return &exitCodeError{code: exitError, err: err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, err := f.report(cmd)
			if err != nil {
				return &exitCodeError{code: exitError, err: explain(err)}
			}
			format, _ := parseOutput(f.output)
			if err := writeReadiness(cmd.OutOrStdout(), format, rep); err != nil {
				return &exitCodeError{code: exitError, err: err}
			}
			if !rep.Ready {
				return &exitCodeError{code: exitNotReady}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitCodeError{code: exitError, err: err}
	})
	f.clientFlags.register(cmd)
	f.storeFlags.register(cmd)
	cmd.Flags().StringVar(&f.configPath, "config", "", "config file (hypercare.yaml); computes locally instead of asking a server")
	cmd.Flags().StringVar(&f.window, "window", "", "ID of the hypercare window to check (required)")
	cmd.Flags().StringVar(&f.at, "at", "", "check as of this moment, RFC 3339 (default now)")
	return cmd
}

// report computes the report locally or asks the server.
func (f *readinessFlags) report(cmd *cobra.Command) (*readiness.Report, error) {
	if f.window == "" {
		return nil, errors.New("--window is required")
	}
	if _, err := parseOutput(f.output); err != nil {
		return nil, err
	}
	at := f.env.now()
	if f.at != "" {
		t, err := time.Parse(time.RFC3339, f.at)
		if err != nil {
			return nil, fmt.Errorf("--at %q: want an RFC 3339 time such as 2026-11-20T09:00:00Z", f.at)
		}
		at = t
	}
	ctx := cmd.Context()
	if f.configPath == "" {
		c, err := f.client()
		if err != nil {
			return nil, err
		}
		if f.at == "" {
			at = time.Time{} // the server's now
		}
		rep, err := c.Readiness(ctx, f.window, at)
		if err != nil {
			return nil, err
		}
		inWindowZone(ctx, c, rep)
		return rep, nil
	}
	cfg, err := config.Load(f.configPath)
	if err != nil {
		return nil, err
	}
	channels, err := newChannels(cfg, nil, nil)
	if err != nil {
		return nil, err
	}
	catalog := readiness.FromConfig(cfg, channels.Types())
	w, ok := catalog.Window(f.window)
	if !ok {
		ids := make([]string, len(catalog.Windows))
		for i, w := range catalog.Windows {
			ids[i] = w.ID
		}
		return nil, fmt.Errorf("%s has no hypercare window %q (it has: %s)", f.configPath, f.window, strings.Join(ids, ", "))
	}
	explicit := cmd.Flags().Changed("data-dir") || f.databaseURL != ""
	last, proved, err := f.storeFacts(ctx, catalog.IntegrationIDs(w))
	if err != nil && explicit {
		return nil, err
	}
	rep := catalog.WithVerified(proved).Evaluate(w, at, last)
	return &rep, nil
}

// inWindowZone puts the server's report on the window's own clock, as the
// local computation reads it ("EST", not the bare "-0500" an RFC 3339
// offset parses to). The window's zone comes from GET /api/v1/windows; if
// that cannot be read the times stay as the server wrote them.
func inWindowZone(ctx context.Context, c *client.Client, rep *readiness.Report) {
	windows, err := c.Windows(ctx)
	if err != nil {
		return
	}
	for _, w := range windows {
		if w.ID != rep.Window {
			continue
		}
		if loc, err := time.LoadLocation(w.TimeZone); err == nil {
			rep.At, rep.CheckedFrom, rep.CheckedTo = rep.At.In(loc), rep.CheckedFrom.In(loc), rep.CheckedTo.In(loc)
		}
		return
	}
}

// storeFacts reads, from the store the flags name, when each integration
// last sent anything and which contact methods were verified with a code
// (as the server's report counts them); nils, with the error, when there
// is no store.
func (f *readinessFlags) storeFacts(ctx context.Context, ids []string) (map[string]time.Time,
	func(string, hypercare.ContactMethod) bool, error) {
	st, err := f.openExisting(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	last, err := st.LastEventAt(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	proved, err := st.ProvedContactMethods(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("contact method verifications: %w", err)
	}
	return last, proved, nil
}

// writeReadiness prints the report as JSON (the contract) or as a table.
func writeReadiness(w io.Writer, format outputFormat, rep *readiness.Report) error {
	if format == outputJSON {
		return printJSON(w, rep)
	}
	loc := rep.CheckedTo.Location()
	blocking := 0
	for _, f := range rep.Findings {
		if f.Severity == readiness.Blocking {
			blocking++
		}
	}
	verdict := "READY"
	if !rep.Ready {
		verdict = "NOT READY"
	}
	fmt.Fprintf(w, "Window %s: %s (%d blocking, %d warnings), checked %s to %s\n", cell(rep.Window, 64), verdict,
		blocking, len(rep.Findings)-blocking, rep.CheckedFrom.In(loc).Format("2006-01-02 15:04 MST"),
		rep.CheckedTo.In(loc).Format("2006-01-02 15:04 MST"))
	if len(rep.Findings) > 0 {
		tw := newTable(w)
		fmt.Fprintln(tw, "\nKIND\tSEVERITY\tSERVICE\tPOLICY\tUSER\tMESSAGE")
		for _, f := range rep.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Kind, f.Severity, dash(f.Service), dash(f.Policy), dash(f.User), cell(f.Message, 0))
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("writing table: %w", err)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", cell(n, 0))
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return cell(s, 32)
}
