package main

import (
	"fmt"
	"time"

	"github.com/hypercare/hypercare/loadgen"
	"github.com/spf13/cobra"
)

const benchEscalationLong = `Measure how punctually escalation timers fire under load: open --incidents
incidents as fast as --concurrency workers can (closed loop), on a service
whose policy pages a webhook receiver this command runs on --receiver at once
(level 1) and again --timeout-minutes later (level 2); then wait for the
level-2 pages and report their lateness: arrival minus (the incident's
created_at, from the page, plus the timeout), p50/p95/p99/max, and the pages
that never came.

Serve with the config --print-config prints (same --routing-key, --receiver,
--timeout-minutes). While waiting the command prints progress to stderr with
the window in which level 2 falls due, and polls URL/metrics: the server may
be killed and restarted meanwhile (the receiver keeps running; the run waits
up to --grace past the last due time), and the report then shows the outage,
the catch-up of the steps that fell due while the server was down and the
lateness of those due in the --after-restart window after it came back.

The run stops by itself; then it resolves its incidents (--resolve=false to
keep them). Only loopback servers and receivers are allowed.`

func newBenchEscalationCmd() *cobra.Command {
	var f benchPagingFlags
	var opts loadgen.EscalationOptions
	cmd := &cobra.Command{
		Use:   "escalation",
		Short: "Measure the lateness of escalation timers under load",
		Long:  benchEscalationLong,
		Example: "  hypercare bench escalation --print-config --routing-key $KEY --timeout-minutes 1 > bench.yaml\n" +
			"  hypercare bench escalation --url http://127.0.0.1:8080 --routing-key $KEY --incidents 10000 --timeout-minutes 1",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := parseOutput(f.output)
			if err != nil {
				return err
			}
			if done, err := f.config(cmd); done || err != nil {
				return err
			}
			opts.URL, opts.RoutingKey, opts.Receiver = f.url, f.routingKey, f.receiver
			opts.EscalateAfter = minutes(f.timeoutMinutes)
			opts.Progress = cmd.ErrOrStderr()
			rep, runErr := loadgen.RunEscalation(cmd.Context(), opts)
			if runErr != nil && rep.Triggers.Sent == 0 {
				return runErr
			}
			if err := printBench(cmd, format, rep, rep.WriteTable); err != nil {
				return err
			}
			switch {
			case runErr != nil:
				return runErr
			case rep.Triggers.Succeeded == 0:
				return fmt.Errorf("none of %d triggers was accepted: see the answers above", rep.Triggers.Sent)
			case rep.Level2Missing > 0:
				return fmt.Errorf("%d of %d incidents never paged level 2", rep.Level2Missing, rep.Triggers.Succeeded)
			}
			return nil
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.IntVar(&opts.Incidents, "incidents", 10000, "incidents to open")
	fl.IntVar(&opts.Concurrency, "concurrency", 32, "workers opening incidents (closed loop)")
	fl.DurationVar(&opts.Grace, "grace", loadgen.DefaultEscalationGrace, "how long past the last due time to wait for level-2 pages")
	fl.DurationVar(&opts.Timeout, "timeout", loadgen.DefaultTimeout, "timeout of each request")
	fl.DurationVar(&opts.AfterRestart, "after-restart", time.Minute, "report steps due this long after a server restart separately")
	fl.BoolVar(&opts.Resolve, "resolve", true, "resolve the run's incidents at the end")
	return cmd
}
