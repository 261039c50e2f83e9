package main

import (
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
	cmd.AddCommand(newBenchIngestCmd(), newBenchPageCmd(), newBenchEscalationCmd())
	return cmd
}

// benchIngestFlags binds `bench ingest`'s flags.
type benchIngestFlags struct {
	opts   loadgen.Options
	output string
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

Requests during --warmup are sent but not measured. The run stops by itself:
after warmup plus duration, waiting at most --timeout for requests in flight.`

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
	fl.DurationVar(&bf.opts.Timeout, "timeout", loadgen.DefaultTimeout, "timeout of each request")
	fl.StringVarP(&bf.output, "output", "o", "table", "output format: table or json")
	_ = cmd.MarkFlagRequired("routing-key")
	return cmd
}

// run runs the load and prints the report, even a partial one after an
// interrupt. It fails when no event at all was accepted, so scripts notice
// a wrong URL or routing key.
func (bf *benchIngestFlags) run(cmd *cobra.Command, _ []string) error {
	format, err := parseOutput(bf.output)
	if err != nil {
		return err
	}
	rep, runErr := loadgen.Run(cmd.Context(), bf.opts)
	if runErr != nil && rep.Sent == 0 && rep.WarmupSent == 0 {
		return runErr
	}
	out := cmd.OutOrStdout()
	if format == outputJSON {
		err = printJSON(out, rep)
	} else {
		err = rep.WriteTable(out)
	}
	switch {
	case err != nil:
		return err
	case runErr != nil:
		return runErr
	case rep.Sent > 0 && rep.Succeeded == 0:
		return fmt.Errorf("none of %d events was accepted: see the status codes and errors above", rep.Sent)
	}
	return nil
}
