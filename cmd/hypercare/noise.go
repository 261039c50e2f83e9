package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare/report"
	"github.com/spf13/cobra"
)

// newNoiseCmd is the `noise` client command group.
func newNoiseCmd() *cobra.Command { return newNoiseCmdEnv(processEnv()) }

// newNoiseCmdEnv builds `noise` on env (tests fix the clock and zone).
func newNoiseCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	cmd := &cobra.Command{
		Use:   "noise",
		Short: "Noise metrics: what the monitors sent and what it cost people",
	}
	f.register(cmd)
	var from, to, service string
	rep := &cobra.Command{
		Use:   "report [--from T] [--to T] [--service ID]",
		Short: "Events, alerts, incidents, pages, reduction and verdicts per service over a period",
		Long: "Asks the server for the noise report of [--from, --to): per service and in total the events\n" +
			"received (and how many were suppressed, dropped, grouped or attached as symptoms), alerts,\n" +
			"incidents, pages (one per incident, escalation step and person), the page reduction\n" +
			"(1 - paged incidents / alerts) and the incidents marked noise, actionable or not at all.\n" +
			"Times are RFC 3339, a date (YYYY-MM-DD, local midnight), or an age such as 7d or 36h;\n" +
			"the default is the last 7 days.",
		Example: "  hypercare noise report --from 7d\n  hypercare noise report --from 2026-11-26 --to 2026-12-02 --service checkout -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fromT, err := parseWhen("--from", from, env)
			if err != nil {
				return err
			}
			toT, err := parseWhen("--to", to, env)
			if err != nil {
				return err
			}
			c, format, err := f.session()
			if err != nil {
				return err
			}
			r, err := c.NoiseReport(cmd.Context(), fromT, toT, service)
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), r)
			}
			return writeNoise(cmd.OutOrStdout(), env, r)
		},
	}
	rep.Flags().StringVar(&from, "from", "", "start: RFC 3339, YYYY-MM-DD or an age like 7d (default 7d)")
	rep.Flags().StringVar(&to, "to", "", "end, exclusive: RFC 3339, YYYY-MM-DD or an age (default now)")
	rep.Flags().StringVar(&service, "service", "", "only this service")
	cmd.AddCommand(rep)
	return cmd
}

// parseWhen reads a time flag: RFC 3339, a date (midnight in the local
// zone) or an age before now (Nd, Nh, Nm); "" is the zero time (the
// server's default).
func parseWhen(flag, s string, env clientEnv) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, env.loc); err == nil {
		return t, nil
	}
	if n, err := strconv.Atoi(strings.TrimRight(s, "dhm")); err == nil && n >= 0 && len(s) > 1 {
		unit := map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[s[len(s)-1]]
		if unit != 0 && !strings.ContainsAny(s[:len(s)-1], "dhm") {
			return env.now().Add(-time.Duration(n) * unit), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time (2026-11-27T09:00:00Z), a date (2026-11-27) or an age (7d, 36h, 90m)", flag, s)
}

// serviceCell is a report line's service for a table: its ID, followed by
// "(removed)" for a service the config no longer has, so a reader does not
// look for it in the file.
func serviceCell(id string, removed bool) string {
	if removed {
		return cell(id, 32) + " (removed)"
	}
	return cell(id, 32)
}

// writeNoise prints the noise report as a table.
func writeNoise(w io.Writer, env clientEnv, r *report.NoiseReport) error {
	scope := "all services"
	if r.Service != "" {
		scope = "service " + cell(r.Service, 64)
	}
	fmt.Fprintf(w, "Noise report, %s, %s to %s\n\n", scope, r.From.In(env.loc).Format("2006-01-02 15:04 MST"),
		r.To.In(env.loc).Format("2006-01-02 15:04 MST"))
	tw := newTable(w)
	fmt.Fprintln(tw, "SERVICE\tEVENTS\tSUPPRESSED\tGROUPED\tALERTS\tINCIDENTS\tHELD\tPAGES\tPAGE REDUCTION\tNOISE\tACTIONABLE\tUNMARKED")
	row := func(name string, c report.NoiseCounts) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%d\n", name, c.Events, c.Suppressed, c.Grouped+c.Symptoms,
			c.Alerts, c.Incidents, c.Held, c.Pages, percent(c.PageReduction), c.Feedback.Noise, c.Feedback.Actionable, c.Feedback.Unmarked)
	}
	for _, s := range r.Services {
		row(serviceCell(s.Service, s.Removed), s.NoiseCounts)
	}
	row("TOTAL", r.Totals)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing table: %w", err)
	}
	_, err := fmt.Fprintln(w, "\nHeld: incidents opened during a maintenance window or silence (first page held).\n"+
		"Page reduction: the share of alerts that paged nobody (1 - paged incidents / alerts).")
	return err
}

// percent formats a ratio as a percentage, "-" when there is none.
func percent(r *float64) string {
	if r == nil {
		return "-"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}
