package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare/loadgen"
	"github.com/spf13/cobra"
)

// newBenchCmd is the `bench` command group: whole-system load tests over
// HTTP against a running server, whose results go into BENCHMARKS.md.
func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test a running Hypercare server over HTTP",
	}
	cmd.AddCommand(newBenchIngestCmd(), newBenchPageCmd(), newBenchEscalationCmd(), newBenchCompareCmd(), newBenchBareCmd())
	return cmd
}

// benchIngestFlags binds `bench ingest`'s flags.
type benchIngestFlags struct {
	opts           loadgen.Options
	output         string
	maxErrorPct    float64
	keep           bool
	cleanupTimeout time.Duration
}

const benchIngestLong = `Send PagerDuty Events API v2 events to POST URL/v2/enqueue and report
requests sent, responses by status (202 is success; anything else is shown
with a sample body), successful events per second over the measured window,
and latency p50/p95/p99/max.

Without --rate the load is a closed loop: each of --concurrency workers sends
its next event as soon as the previous one is answered, which finds peak
throughput. With --rate the load is an open loop: events are scheduled at the
rate whatever the server does, latency counts from each event's scheduled
time (so a stalling server shows up as latency rather than as less load), and
the report counts events that started late or were never sent.

--keys sets how many distinct dedup keys events cycle over: 1000 models a storm
of 1000 alerts that keep re-triggering, which exercises deduplication; 0 gives
every event a fresh key, so every trigger opens a new alert (and incident).

--action-mix is "trigger" (default), "trigger,resolve" for equal shares, or
weighted like "trigger:8,acknowledge:1,resolve:1".

--format alertmanager sends Alertmanager webhook notifications (version 4) of
--batch alerts each (default 100) to POST URL/integrations/KEY, where
--routing-key is an alertmanager integration's key: how Alertmanager delivers
a group. A trigger is a firing alert, anything else a resolved one; events/s
counts alerts. Such a run leaves what it opened open (as --keep does); with
--keys N, a run with the same --keys and --action-mix resolve resolves them.

Requests during --warmup are sent but not measured. The run stops by itself:
after warmup plus duration, waiting at most --timeout for requests in flight.

The run fails (exit status 1, with a FAILED headline naming the status codes)
when more than --max-error-rate percent of measured requests are refused or
fail: events/s measured while the server answers 429 is its rate limit, not
its throughput. Benchmark a server whose config sets
ingest.rate_limit_per_minute to 0.

Every trigger opens an alert and an incident, and an incident pages whoever
the service's escalation policy names. So point the benchmark at a service
with no escalation policy (README.md "Load testing" has such a config), and
when the run ends, even after Ctrl-C, it resolves every dedup key it
triggered (retrying 429s, for at most --cleanup-timeout), so incidents stop
escalating. --keep leaves them open.`

func newBenchIngestCmd() *cobra.Command {
	bf := &benchIngestFlags{}
	cmd := &cobra.Command{
		Use:   "ingest",
		Short: "Load-test event ingestion (PagerDuty Events API v2)",
		Long:  benchIngestLong,
		Example: "  hypercare bench ingest --routing-key $KEY --concurrency 64 --duration 10s\n" +
			"  hypercare bench ingest --routing-key $KEY --rate 1000 --keys 0 --warmup 2s -o json",
		Args: cobra.NoArgs,
		RunE: bf.run,
	}
	fl := cmd.Flags()
	fl.StringVar(&bf.opts.URL, "url", defaultServer, "base URL of the server under test")
	fl.StringVar(&bf.opts.RoutingKey, "routing-key", "", "events-v2 integration key of the target service (required)")
	fl.IntVar(&bf.opts.Concurrency, "concurrency", 64, "workers, i.e. the most requests in flight")
	fl.DurationVar(&bf.opts.Duration, "duration", 10*time.Second, "measured window, after the warmup")
	fl.DurationVar(&bf.opts.Warmup, "warmup", 0, "time to send before measuring starts")
	fl.Float64Var(&bf.opts.Rate, "rate", 0, "events per second, open loop (0: closed loop, as fast as possible)")
	fl.IntVar(&bf.opts.Keys, "keys", 1000, "distinct dedup keys to cycle over (0: a fresh key per event)")
	fl.StringVar(&bf.opts.ActionMix, "action-mix", "trigger", "event actions and their weights")
	fl.StringVar(&bf.opts.Format, "format", loadgen.FormatEventsV2, "request format: events-v2 (one event per request to /v2/enqueue) or alertmanager (webhook batches to /integrations/KEY)")
	fl.IntVar(&bf.opts.Batch, "batch", 0, "alerts per request with --format alertmanager (0: 100); events/s counts alerts")
	fl.DurationVar(&bf.opts.Timeout, "timeout", loadgen.DefaultTimeout, "timeout of each request")
	fl.StringVarP(&bf.output, "output", "o", "table", "output format: table or json")
	fl.Float64Var(&bf.maxErrorPct, "max-error-rate", 1, "percent of measured requests that may fail before the run fails")
	fl.BoolVar(&bf.keep, "keep", false, "leave the alerts and incidents the run opened open (default: resolve them at the end)")
	fl.DurationVar(&bf.cleanupTimeout, "cleanup-timeout", 2*time.Minute, "how long resolving the run's dedup keys may take")
	_ = cmd.MarkFlagRequired("routing-key")
	return cmd
}

// run runs the load, resolves what it opened (unless --keep) and prints
// the report, even a partial one after an interrupt. It fails when no
// event was accepted (a wrong URL or routing key), when more requests
// failed than --max-error-rate allows, and when the cleanup did not finish.
func (bf *benchIngestFlags) run(cmd *cobra.Command, _ []string) error {
	format, err := parseOutput(bf.output)
	if err != nil {
		return err
	}
	bf.opts.MaxErrorRate = bf.maxErrorPct / 100
	storage := measureStorage(cmd.Context(), bf.opts.URL)
	rep, runErr := loadgen.Run(cmd.Context(), bf.opts)
	if runErr != nil && rep.Sent == 0 && rep.WarmupSent == 0 {
		return runErr
	}
	var st *storageReport
	if storage != nil { // measured before the cleanup's resolves
		st = storage(acceptedAlerts(rep))
	}
	cleanupErr := bf.cleanup(cmd, &rep)
	out := cmd.OutOrStdout()
	if format == outputJSON {
		err = printJSON(out, struct {
			loadgen.Report
			Storage *storageReport `json:"storage,omitempty"`
		}{rep, st})
	} else if err = rep.WriteTable(out); err == nil && st != nil {
		err = writeStorage(out, st)
	}
	switch {
	case err != nil:
		return err
	case runErr != nil:
		return errors.Join(runErr, cleanupErr)
	case rep.Sent > 0 && rep.Succeeded == 0:
		return errors.Join(fmt.Errorf("none of %d events was accepted: see the status codes and errors above", rep.Sent), cleanupErr)
	case rep.Verdict != "":
		return errors.Join(errors.New(rep.Verdict), cleanupErr)
	}
	return cleanupErr
}

// cleanup resolves every dedup key the run's triggers may have opened, so
// a benchmark leaves no incident paging anyone. It runs even after an
// interrupt (the incidents are open either way), bounded by
// --cleanup-timeout.
func (bf *benchIngestFlags) cleanup(cmd *cobra.Command, rep *loadgen.Report) error {
	keys := rep.Triggered()
	if bf.keep || len(keys) == 0 {
		return nil
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "hypercare: resolving the %d dedup keys this run triggered (--keep leaves them open)\n", len(keys))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), bf.cleanupTimeout)
	defer cancel()
	c, err := loadgen.Resolve(ctx, bf.opts, keys)
	rep.Cleanup = &c
	return err
}
