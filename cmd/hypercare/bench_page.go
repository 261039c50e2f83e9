package main

import (
	"fmt"
	"io"
	"time"

	"github.com/hypercare/hypercare/loadgen"
	"github.com/spf13/cobra"
)

// benchPagingFlags are the flags bench page and bench escalation share.
type benchPagingFlags struct {
	url, routingKey, receiver string
	timeoutMinutes            int
	printConfig               bool
	output                    string
	// emailReceiver is bench page's --email-receiver.
	emailReceiver string
}

func (f *benchPagingFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", defaultServer, "base URL of the server under test (loopback only)")
	fl.StringVar(&f.routingKey, "routing-key", "", "events-v2 key of the bench service (required, except with --print-config)")
	fl.StringVar(&f.receiver, "receiver", "127.0.0.1:19000", "loopback host:port for the webhook receiver")
	fl.IntVar(&f.timeoutMinutes, "timeout-minutes", 1, "escalate_after_minutes of level 1 in the server's config")
	fl.BoolVar(&f.printConfig, "print-config", false, "print the hypercare.yaml to serve for this benchmark, and exit")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table or json")
}

// config prints the server config for these flags when --print-config is
// set and reports whether it did.
func (f *benchPagingFlags) config(cmd *cobra.Command) (bool, error) {
	if !f.printConfig {
		if f.routingKey == "" {
			return false, requiredFlagsError(cmd, "routing-key")
		}
		return false, nil
	}
	key := f.routingKey
	if key == "" {
		key = loadgen.DefaultRoutingKey
	}
	cfg, err := loadgen.BenchConfigEmail(key, f.receiver, f.emailReceiver, f.timeoutMinutes)
	if err != nil {
		return true, err
	}
	_, err = fmt.Fprint(cmd.OutOrStdout(), cfg)
	return true, err
}

const benchPageLong = `Measure how fast a new incident pages its first responder: from sending a
trigger to POST URL/v2/enqueue until the page arrives at a webhook receiver
this command runs on --receiver.

Serve with the config --print-config prints (same --routing-key, --receiver):
one service whose escalation policy pages a webhook contact method pointing at
the receiver as soon as an incident opens. Each of --count triggers has a
fresh dedup key and a unique token in its summary, which becomes the incident
title in the page, so pages are matched to triggers. Triggers are sent open
loop at --rate per second.

The run waits --grace after the last trigger for missing pages, then resolves
its incidents (unless --resolve=false) so their level 2 never pages, and
reports pages received, missing pages and first-page latency p50/p95/p99/max.
It fails (exit status 1) when a trigger never paged, or when a page came twice
(delivered again, or a second page of one escalation step).
Only loopback servers and receivers are allowed.

With --email-receiver the command also runs a plain SMTP server there, the
printed config adds an e-mail contact method relayed through it
(notify.email, tls: none), and the first e-mail page of each trigger is timed
too (matched by the token in the Subject).`

func newBenchPageCmd() *cobra.Command {
	var f benchPagingFlags
	var opts loadgen.PageOptions
	cmd := &cobra.Command{
		Use:   "page",
		Short: "Measure trigger-to-first-page latency through a webhook receiver",
		Long:  benchPageLong,
		Example: "  hypercare bench page --print-config --routing-key $KEY > bench.yaml\n" +
			"  hypercare bench page --url http://127.0.0.1:8080 --routing-key $KEY --receiver 127.0.0.1:19000 --count 500 --rate 20",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := parseOutput(f.output)
			if err != nil {
				return err
			}
			if done, err := f.config(cmd); done || err != nil {
				return err
			}
			opts.URL, opts.RoutingKey, opts.Receiver, opts.EmailReceiver = f.url, f.routingKey, f.receiver, f.emailReceiver
			rep, runErr := loadgen.RunPage(cmd.Context(), opts)
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
			case rep.Missing > 0:
				return fmt.Errorf("%d of %d accepted triggers never paged within %s", rep.Missing, rep.Triggers.Succeeded, rep.Settings.Grace)
			case rep.PagedTwice() > 0: // this command times Hypercare only, which must never page twice
				return fmt.Errorf("%d pages sent twice (%d delivered again, %d second pages of one escalation step)",
					rep.PagedTwice(), rep.Receiver.Duplicates, rep.Receiver.DoublePages)
			case rep.Email != nil && rep.Email.Missing > 0:
				return fmt.Errorf("%d of %d accepted triggers never paged by e-mail within %s", rep.Email.Missing, rep.Triggers.Succeeded, rep.Settings.Grace)
			}
			return nil
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.IntVar(&opts.Count, "count", 500, "triggers to send, each opening a new incident")
	fl.Float64Var(&opts.Rate, "rate", 20, "triggers per second (open loop)")
	fl.DurationVar(&opts.Grace, "grace", loadgen.DefaultPageGrace, "how long to wait for pages after the last trigger")
	fl.IntVar(&opts.Concurrency, "concurrency", 16, "most triggers in flight at once")
	fl.DurationVar(&opts.Timeout, "timeout", loadgen.DefaultTimeout, "timeout of each request")
	fl.BoolVar(&opts.Resolve, "resolve", true, "resolve the run's incidents at the end")
	fl.StringVar(&f.emailReceiver, "email-receiver", "", "loopback host:port for an SMTP receiver timing e-mail pages too (use the same with --print-config)")
	return cmd
}

// printBench prints a report as JSON or as the report's table.
func printBench(cmd *cobra.Command, format outputFormat, rep any, table func(io.Writer) error) error {
	out := cmd.OutOrStdout()
	if format == outputJSON {
		return printJSON(out, rep)
	}
	return table(out)
}

// minutes converts --timeout-minutes.
func minutes(m int) time.Duration { return time.Duration(m) * time.Minute }
