package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
	"github.com/spf13/cobra"
)

type replayFlags struct {
	configPath string
	output     string
	horizon    time.Duration
}

// newReplayCmd builds `hypercare replay FILE --config F [-o json]`
// (DESIGN.md §5.1): recorded events through the production pipeline on a
// simulated clock, to see what a config would have done to a past peak.
func newReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay FILE --config F",
		Short: "Replay recorded events through a config: incidents, pages per person, rule hits",
		Long: "Runs the events of FILE (JSON lines {\"received_at\",\"key\",\"body\"}; - reads stdin) through the\n" +
			"config's integrations, event rules, alert grouping, dependencies, transient pause, escalation\n" +
			"policies and notification rules, on a simulated clock and a throwaway database. Nothing is sent:\n" +
			"pages are recorded. `hypercare events export` writes FILE from a server's event log. The same\n" +
			"file and config always print the same report.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runReplay(cmd, f, args[0]) },
	}
	cmd.Flags().StringVar(&f.configPath, "config", "", "config file (hypercare.yaml) to replay through (required)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	cmd.Flags().DurationVar(&f.horizon, "horizon", replay.DefaultHorizon,
		"how long the simulated clock runs on after the last event, so delayed pages and escalations are counted (must be positive)")
	return cmd
}

func runReplay(cmd *cobra.Command, f replayFlags, file string) error {
	format, err := parseOutput(f.output)
	if err != nil {
		return err
	}
	if f.configPath == "" {
		return errors.New("--config is required: the config file to replay the events through")
	}
	if f.horizon <= 0 {
		return fmt.Errorf("--horizon %s: must be positive (how long the clock runs on after the last event; pages due later are not counted)", f.horizon)
	}
	cfg, err := config.Load(f.configPath)
	if err != nil {
		return err
	}
	in := cmd.InOrStdin()
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		defer fh.Close()
		in = fh
	}
	// Pages on channels this server does not deliver (sms without
	// notify.twilio, say) fail there, so the replay fails them too.
	channels, err := newChannels(cfg, nil, nil)
	if err != nil {
		return err
	}
	rep, err := replay.Run(cmd.Context(), cfg, in, replay.Options{Horizon: f.horizon, Channels: channels.Types()})
	if err != nil {
		var le *replay.LineError
		if errors.As(err, &le) {
			name := file
			if file == "-" {
				name = "stdin"
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		return err
	}
	if format == outputJSON {
		return printJSON(cmd.OutOrStdout(), rep)
	}
	return writeReplay(cmd.OutOrStdout(), rep)
}

// writeReplay prints the report for people: the totals, the incidents,
// pages per person and what each rule did.
func writeReplay(w io.Writer, rep *replay.Report) error {
	s := rep.Summary
	fmt.Fprintf(w, "%d events, %d alerts, %d incidents (%d paged), %d pages; page reduction %.1f%%\n\n",
		s.Events, s.Alerts, s.Incidents, s.PagedIncidents, s.Pages, 100*s.PageReduction)
	t := newTable(w)
	if len(rep.Incidents) == 0 {
		fmt.Fprintln(t, "No incidents.")
	} else {
		fmt.Fprintln(t, "INCIDENT\tSERVICE\tOPENED\tRESOLVED\tPAGED\tALERTS")
	}
	for _, inc := range rep.Incidents {
		resolved, paged := "open", "no"
		if inc.ResolvedAt != nil {
			resolved = inc.ResolvedAt.Format(time.RFC3339)
		}
		if inc.Paged {
			paged = "yes"
		} else if inc.Transient {
			paged = "no (transient)"
		}
		fmt.Fprintf(t, "#%d\t%s\t%s\t%s\t%s\t%s\n", inc.Number, cell(inc.Service, 32), inc.OpenedAt.Format(time.RFC3339),
			resolved, paged, alertList(inc.Alerts))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t = newTable(w)
	if len(rep.PagesPerUser) == 0 {
		fmt.Fprintln(t, "Nobody was paged.")
	} else {
		fmt.Fprintln(t, "USER\tPAGES")
	}
	for _, u := range rep.PagesPerUser {
		fmt.Fprintf(t, "%s\t%d\n", cell(u.User, 64), u.Pages)
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if len(rep.Rules) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t = newTable(w)
	fmt.Fprintln(t, "RULE\tHITS\tERRORS")
	for _, r := range rep.Rules {
		fmt.Fprintf(t, "%s\t%d\t%d\n", cell(r.ID, 64), r.Hits, r.Errors)
	}
	return t.Flush()
}

// alertList is "2: api-5xx, a1b2c3", cut after three keys.
func alertList(keys []string) string {
	shown := keys[:min(3, len(keys))]
	parts := make([]string, len(shown))
	for i, k := range shown {
		parts[i] = cell(k, 40)
	}
	s := strconv.Itoa(len(keys))
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	if len(keys) > len(shown) {
		s += ", …"
	}
	return s
}
