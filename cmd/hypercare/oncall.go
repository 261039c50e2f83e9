package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/client"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/oncall"
	"github.com/spf13/cobra"
)

// parseAt reads --at as RFC 3339 or a local "YYYY-MM-DDTHH:MM" in the
// user's zone, resolved by the rule schedules follow (oncall.Resolve: a
// reading the clock skips is the moment it jumps, a repeated one its
// first occurrence), so asking about a handoff's reading shows who takes
// over then; empty means now.
func parseAt(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := oncall.ParseLocalDateTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q: want RFC 3339 (2026-11-27T09:00:00Z) or local 2026-11-27T09:00", s)
	}
	return oncall.Resolve(d, loc), nil
}

// queryAt runs a client query about a moment (--at): it parses the output
// format and the time, calls query, and prints its answer as JSON or with
// the table writer query returns.
func queryAt(cmd *cobra.Command, f *clientFlags, at string,
	query func(*client.Client, time.Time) (any, func(io.Writer) error, error)) error {
	t, err := parseAt(at, f.env.loc)
	if err != nil {
		return err
	}
	c, format, err := f.session()
	if err != nil {
		return err
	}
	v, table, err := query(c, t)
	if err != nil {
		return explain(err)
	}
	if format == outputJSON {
		return printJSON(cmd.OutOrStdout(), v)
	}
	return table(cmd.OutOrStdout())
}

func newOnCallCmd() *cobra.Command { return newOnCallCmdEnv(processEnv()) }

func newOnCallCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	var at, schedule, policy string
	cmd := &cobra.Command{
		Use:   "oncall [--at TIME] [--schedule ID] [--policy ID]",
		Short: "Show who is on call now (or at --at), per schedule and per policy level",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return queryAt(cmd, f, at, func(c *client.Client, t time.Time) (any, func(io.Writer) error, error) {
				oc, err := c.OnCall(cmd.Context(), t, schedule, policy)
				return oc, func(w io.Writer) error { return writeOnCall(w, env, oc) }, err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&at, "at", "", "the moment to ask about (RFC 3339, or local YYYY-MM-DDTHH:MM); default now")
	cmd.Flags().StringVar(&schedule, "schedule", "", "only this schedule")
	cmd.Flags().StringVar(&policy, "policy", "", "also show whom each level of this escalation policy pages")
	return cmd
}

// writeOnCall prints the on-call table. UNTIL counts from the moment asked
// about (--at), not from now: "in 3h" after 09:00 on Black Friday, rather
// than "5d ago" when asked a week later.
func writeOnCall(w io.Writer, env clientEnv, oc *hypercare.OnCall) error {
	if !oc.At.IsZero() {
		env.now = func() time.Time { return oc.At }
	}
	tw := newTable(w)
	if len(oc.OnCall)+len(oc.NobodyOnCall) == 0 {
		fmt.Fprintln(tw, "No schedules.")
	} else {
		fmt.Fprintf(tw, "SCHEDULE\tON CALL\tUNTIL\n")
	}
	// One row per schedule by ID, a gap's saying nobody is on call and
	// until when someone is: a schedule left out read as nobody to ask.
	type row struct{ schedule, who, until string }
	rows := make([]row, 0, len(oc.OnCall)+len(oc.NobodyOnCall))
	for _, e := range oc.OnCall {
		rows = append(rows, row{e.Schedule, fmt.Sprintf("%s (%s)", cell(e.UserName, 30), cell(e.User, 30)), env.when(e.Until)})
	}
	for _, g := range oc.NobodyOnCall {
		rows = append(rows, row{g.Schedule, "NOBODY ON CALL", env.when(g.Until)})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].schedule < rows[j].schedule })
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", cell(r.schedule, 30), r.who, r.until)
	}
	if oc.Policy != nil {
		fmt.Fprintf(tw, "\nLEVEL\tPAGES\tESCALATES AFTER\n")
		for _, l := range oc.Policy.Levels {
			fmt.Fprintf(tw, "%d\t%s\t%s\n", l.Level, levelPages(l), levelWait(l))
		}
	}
	return tw.Flush()
}

// levelWait says how long a level waits as the engine applies it: inside
// a hypercare window that shortens it, the shorter wait, naming the window
// and what the file configures (the wait outside it).
func levelWait(l hypercare.LevelOnCall) string {
	minutes := func(m float64) string { return hypercare.HumanDuration(time.Duration(m * float64(time.Minute))) }
	after := minutes(l.EscalateAfterMinutes)
	switch {
	case l.ShortenedBy == "":
		return after
	case len(l.ShortenedFor) > 0:
		return fmt.Sprintf("%s for %s (hypercare window %s); %s otherwise", after,
			cell(strings.Join(l.ShortenedFor, ", "), 60), cell(l.ShortenedBy, 40), minutes(l.ConfiguredEscalateAfterMinutes))
	}
	return fmt.Sprintf("%s (hypercare window %s; configured %s)", after, cell(l.ShortenedBy, 40), minutes(l.ConfiguredEscalateAfterMinutes))
}

// levelPages says whom a level pages as the engine does: one user per
// incident on a round-robin level, and nobody when its schedules have
// nobody on call (the engine then passes it over at once).
func levelPages(l hypercare.LevelOnCall) string {
	switch {
	case len(l.Users) == 0:
		return "nobody on call (passed over)"
	case l.Mode == hypercare.RoundRobin && len(l.Users) > 1:
		return "one of " + cell(strings.Join(l.Users, ", "), 60) + " (round robin)"
	}
	return cell(strings.Join(l.Users, ", "), 60)
}

func newSimulateCmd() *cobra.Command { return newSimulateCmdEnv(processEnv()) }

func newSimulateCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	var at, service, urgency string
	cmd := &cobra.Command{
		Use:   "simulate --service ID [--at TIME] [--urgency high|low]",
		Short: "Dry run: who would be paged, and when, for an incident on a service at a time",
		Long: "Walks the service's escalation policy as if an incident opened at --at and nobody\n" +
			"acknowledged, resolving schedules at each step. Use it to check coverage before a peak.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return queryAt(cmd, f, at, func(c *client.Client, t time.Time) (any, func(io.Writer) error, error) {
				sim, err := c.Simulate(cmd.Context(), service, t, hypercare.Urgency(urgency))
				return sim, func(w io.Writer) error { return writeSimulation(w, env, sim) }, err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&service, "service", "", "the service the incident opens on (required)")
	cmd.Flags().StringVar(&at, "at", "", "when the incident opens (RFC 3339, or local YYYY-MM-DDTHH:MM); default now")
	cmd.Flags().StringVar(&urgency, "urgency", "high", "the incident's urgency, which picks notification rules")
	_ = cmd.MarkFlagRequired("service")
	return cmd
}

func writeSimulation(w io.Writer, env clientEnv, sim *escalate.Simulation) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "Incident on %s at %s, policy %s, %s urgency, nobody acknowledges:\n\n",
		cell(sim.ServiceID, 40), sim.At.In(env.loc).Format("2006-01-02 15:04 MST"), cell(sim.PolicyID, 40), sim.Urgency)
	if sim.HeldUntil != nil {
		fmt.Fprintf(tw, "HELD: %s holds the first page until %s\n\n", cell(sim.HeldBy, 80),
			sim.HeldUntil.In(env.loc).Format("2006-01-02 15:04 MST"))
	}
	if sim.PausedUntil != nil {
		fmt.Fprintf(tw, "PAUSED: the service's pause holds the first page until %s (alerts that resolve sooner page nobody)\n\n",
			sim.PausedUntil.In(env.loc).Format("2006-01-02 15:04 MST"))
	}
	for _, m := range sim.MaybeHeldBy {
		fmt.Fprintf(tw, "MAYBE HELD: %s holds the first page if its label matchers match the alert\n\n", cell(m, 80))
	}
	if len(sim.Pages) == 0 {
		fmt.Fprintln(tw, "Nobody would be paged.")
	} else {
		fmt.Fprintf(tw, "AT\tLEVEL\tUSER\tVIA\n")
	}
	for _, p := range sim.Pages {
		level := fmt.Sprintf("%d", p.Level)
		if p.Loop > 0 {
			level += fmt.Sprintf(" (repeat %d)", p.Loop)
		}
		user := cell(p.UserName, 30) + " (" + cell(p.User, 30) + ")"
		if p.RoundRobin {
			user += " [round robin]"
		}
		if p.Help != "" {
			user += " [fatigue help]"
		}
		via := string(p.Type) + " " + cell(p.ContactMethod, 30)
		if p.Undeliverable != "" {
			via += "  CANNOT BE DELIVERED: " + cell(p.Undeliverable, 120)
		}
		if p.Held != "" {
			via += "  HELD: " + cell(p.Held, 160)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.At.In(env.loc).Format("01-02 15:04 MST"), level, user, via)
	}
	helped := map[string]bool{}
	for _, p := range sim.Pages {
		if p.Help != "" && !helped[p.Help] {
			helped[p.Help] = true
			fmt.Fprintf(tw, "\nFATIGUE: %s: %s", p.At.In(env.loc).Format("01-02 15:04 MST"), cell(p.Help, 200))
		}
	}
	for _, g := range sim.Gaps {
		fmt.Fprintf(tw, "\nWARNING: %s", cell(g, 200))
	}
	if len(sim.Gaps) > 0 || len(helped) > 0 {
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func newIncidentsEscalateCmd(f *clientFlags) *cobra.Command {
	var level int
	cmd := &cobra.Command{
		Use:   "escalate ID|NUMBER [--level N]",
		Short: "Page the next level of the incident's escalation policy now (or level N)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if level < 0 {
				return fmt.Errorf("--level %d: want a level of 1 or more, or no --level for the next one", level)
			}
			c, format, err := f.session()
			if err != nil {
				return err
			}
			st, err := c.EscalateIncident(cmd.Context(), args[0], level)
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"escalation": st})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "incident %s escalated\n", args[0])
			return err
		},
	}
	cmd.Flags().IntVar(&level, "level", 0, "the level to page (1-based); default the next one")
	return cmd
}

func newIncidentsReassignCmd(f *clientFlags) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "reassign ID|NUMBER --user USER",
		Short: "Page a user directly and stop the incident's escalation policy",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			res, err := c.ReassignIncident(cmd.Context(), args[0], user)
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), res)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "incident %s reassigned to %s\n", args[0], user)
			return err
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "the user to page (required)")
	_ = cmd.MarkFlagRequired("user")
	return cmd
}
