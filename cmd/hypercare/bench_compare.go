package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hypercare/hypercare/loadgen"
	"github.com/spf13/cobra"
)

const benchCompareLong = `Start Alertmanager, a bare JSON endpoint and Hypercare as child processes on
loopback, drive each with the same load, and print for each accepted alerts/s,
request latency p50/p99 and peak RSS (VmHWM), with the ratios
Hypercare/Alertmanager and Hypercare/bare.

Every run starts each server fresh, with a fresh temporary data directory (on
PostgreSQL with --database-url: a fresh schema, dropped afterwards), measures
it and stops it; servers take turns run by run, the order rotating, and the
table shows the median of --runs runs with every run's figure next to it.

Scenarios (--scenario, default all):
  unique        one alert per request, every alert a new key
  repeat        one alert per request, --keys keys re-triggering
  unique-batch  --batch alerts per request, every alert a new key
  repeat-batch  --batch alerts per request, --keys keys re-triggering
  first-page    trigger → first webhook page at each --rate (Hypercare and
                Alertmanager only; the bare endpoint pages nobody), at least
                --page-count triggers per run (default 1000: 20 s at 50/s)

Each server gets the alerts in its own format: Hypercare a PagerDuty Events v2
event (POST /v2/enqueue) or, for batches, an Alertmanager webhook
notification (POST /integrations/{key}); Alertmanager POST /api/v2/alerts
with 1 or --batch alerts; the bare endpoint the same bodies as Hypercare.
A re-triggering alert is re-sent as Prometheus re-sends a firing alert: with
the startsAt of the run's start, its labels and annotations unchanged.
Hypercare's throughput config pages nobody and Alertmanager's routes to a
receiver without notifiers; for first-page both page a webhook receiver this
command runs (Alertmanager: group_by ['...'], group_wait 0s).

--alertmanager defaults to bench/alertmanager/alertmanager (build it with
bench/alertmanager/build.sh: the version go.mod pins), then alertmanager on
PATH; when neither exists the comparison runs without it and says so.
--alertmanager none leaves it out.

Alerts/s counts accepted alerts answered inside the measured window (requests
sent during the warmup included: a batch can take seconds), p50/p99 the
latency of requests sent in the window, peak RSS the server's VmHWM at the end
of the run.

The command fails (exit status 1) when a server does not start, and after the
report when any run had more than --max-error-rate percent of requests fail
(first-page: failed triggers and missing pages), or when Hypercare paged an
escalation step twice in a first-page run. Linux only for peak RSS.`

// benchCompareFlags binds `bench compare`'s flags.
type benchCompareFlags struct {
	opts         loadgen.CompareOptions
	hypercare    string
	alertmanager string
	databaseURL  string
	output       string
	maxErrorPct  float64
}

func newBenchCompareCmd() *cobra.Command {
	f := &benchCompareFlags{}
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Side by side: Hypercare vs Alertmanager vs a bare JSON endpoint, same load",
		Long:  benchCompareLong,
		Example: "  bench/alertmanager/build.sh && go build -o hypercare ./cmd/hypercare\n" +
			"  ./hypercare bench compare --runs 3 --duration 5s\n" +
			"  ./hypercare bench compare --scenario first-page --rate 50,500 -o json",
		Args: cobra.NoArgs,
		RunE: f.run,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.hypercare, "hypercare", "", "hypercare binary to serve (default: this one)")
	fl.StringVar(&f.alertmanager, "alertmanager", "auto", `alertmanager binary; "auto": bench/alertmanager/alertmanager, then PATH; "none": leave it out`)
	fl.StringVar(&f.databaseURL, "database-url", "", "run Hypercare on this PostgreSQL database, in a fresh schema per run (default: SQLite)")
	fl.StringSliceVar(&f.opts.Scenarios, "scenario", loadgen.AllScenarios, "scenarios to run")
	fl.IntVar(&f.opts.Concurrency, "concurrency", 32, "connections (first-page: most triggers in flight)")
	fl.DurationVar(&f.opts.Duration, "duration", 5*time.Second, "measured window of each run")
	fl.DurationVar(&f.opts.Warmup, "warmup", time.Second, "load sent before each run's window, not measured")
	fl.IntVar(&f.opts.Runs, "runs", 3, "runs per server and scenario (the report shows the median)")
	fl.IntVar(&f.opts.Keys, "keys", 1000, "distinct keys of the repeat scenarios")
	fl.IntVar(&f.opts.Batch, "batch", 100, "alerts per request of the batch scenarios")
	fl.Float64SliceVar(&f.opts.Rates, "rate", []float64{50, 500}, "first-page trigger rates per second")
	fl.IntVar(&f.opts.PageCount, "page-count", 1000, "first-page: measure at least this many triggers per run (at 50/s, 20 s), so its p99 rests on 10 samples")
	fl.DurationVar(&f.opts.Timeout, "timeout", 30*time.Second, "timeout of each request (a timed-out request failed)")
	fl.DurationVar(&f.opts.Grace, "grace", 5*time.Second, "first-page: how long to wait for late pages")
	fl.DurationVar(&f.opts.Servers.StartTimeout, "start-timeout", loadgen.DefaultStartTimeout, "how long a server may take to start answering")
	fl.Float64Var(&f.maxErrorPct, "max-error-rate", 1, "percent of a run's requests that may fail before the comparison fails")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	return cmd
}

// run resolves the binaries, runs the comparison and prints the report,
// even a partial one when a server failed to start.
func (f *benchCompareFlags) run(cmd *cobra.Command, _ []string) error {
	format, err := parseOutput(f.output)
	if err != nil {
		return err
	}
	f.opts.MaxErrorRate = f.maxErrorPct / 100
	if f.opts.Servers.Exe, err = hypercareExe(f.hypercare); err != nil {
		return err
	}
	am, note, err := findAlertmanager(f.alertmanager)
	if err != nil {
		return err
	}
	switch {
	case note != "":
		fmt.Fprintln(cmd.ErrOrStderr(), "hypercare:", note)
		f.opts.Skipped = append(f.opts.Skipped, "alertmanager: "+note)
	case am == "":
		f.opts.Skipped = append(f.opts.Skipped, "alertmanager: --alertmanager none")
	default:
		f.opts.AlertmanagerVersion = alertmanagerVersion(cmd.Context(), am)
	}
	f.opts.Servers.Alertmanager = am
	if f.databaseURL != "" {
		f.opts.Servers.Database = postgresSchemas(f.databaseURL)
	}
	f.opts.Progress = cmd.ErrOrStderr()
	rep, runErr := loadgen.RunCompare(cmd.Context(), f.opts)
	if runErr != nil && len(rep.Scenarios) == 0 {
		return runErr
	}
	if err := printBench(cmd, format, rep, rep.WriteTable); err != nil {
		return errors.Join(err, runErr)
	}
	return runErr
}

// hypercareExe returns the binary to serve Hypercare and the bare
// endpoint with: path, or this executable.
func hypercareExe(path string) (string, error) {
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("finding the hypercare binary (pass --hypercare): %w", err)
		}
		return exe, nil
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("--hypercare: %w", err)
	}
	return filepath.Abs(path)
}

// defaultAlertmanager is where bench/alertmanager/build.sh puts its build.
const defaultAlertmanager = "bench/alertmanager/alertmanager"

// findAlertmanager resolves --alertmanager: "" means leave it out, with a
// note saying why when "auto" found nothing. An explicit path must exist.
func findAlertmanager(flag string) (path, note string, err error) {
	switch flag {
	case "none":
		return "", "", nil
	case "auto":
		if _, err := os.Stat(defaultAlertmanager); err == nil {
			abs, err := filepath.Abs(defaultAlertmanager)
			return abs, "", err
		}
		if p, err := exec.LookPath("alertmanager"); err == nil {
			return p, "", nil
		}
		return "", "no Alertmanager found (" + defaultAlertmanager + ", PATH): comparing with the bare endpoint only; " +
			"build it with bench/alertmanager/build.sh or pass --alertmanager PATH", nil
	}
	if _, err := os.Stat(flag); err != nil {
		return "", "", fmt.Errorf("--alertmanager: %w (build it with bench/alertmanager/build.sh)", err)
	}
	abs, err := filepath.Abs(flag)
	return abs, "", err
}

// alertmanagerVersion returns what `alertmanager --version` says of
// itself ("0.35.0"), or "" if it says nothing recognisable.
func alertmanagerVersion(ctx context.Context, path string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(out), "\n")
	_, v, ok := strings.Cut(first, "version ")
	v, _, _ = strings.Cut(v, " ")
	if !ok {
		return ""
	}
	return v
}

// postgresSchemas gives each Hypercare run a fresh schema of the database
// at base (search_path pointing at it) and drops it after the run.
func postgresSchemas(base string) func(ctx context.Context) (string, func() error, error) {
	return func(ctx context.Context) (string, func() error, error) {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return "", nil, fmt.Errorf("--database-url %q: want a postgres:// URL", base)
		}
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "hc_bench_compare_" + hex.EncodeToString(b[:])
		if err := execSQL(ctx, base, "CREATE SCHEMA "+schema); err != nil {
			return "", nil, fmt.Errorf("creating schema %s: %w", schema, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		drop := func() error {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := execSQL(ctx, base, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				return fmt.Errorf("dropping schema %s: %w", schema, err)
			}
			return nil
		}
		return u.String(), drop, nil
	}
}

// execSQL runs one statement on a short-lived connection.
func execSQL(ctx context.Context, dsn, stmt string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

// newBenchBareCmd is bench compare's bare endpoint, run as a child
// process so its RSS and CPU are its own. Hidden: it is part of the
// comparison, not a tool of its own.
func newBenchBareCmd() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:    "bare",
		Short:  "Serve bench compare's bare JSON endpoint",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("bare endpoint: %w", err)
			}
			return loadgen.ServeBare(cmd.Context(), ln)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on")
	return cmd
}
