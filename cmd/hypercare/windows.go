package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hypercare/hypercare/report"
	"github.com/spf13/cobra"
)

// newWindowsCmd is the `windows` client command group.
func newWindowsCmd() *cobra.Command { return newWindowsCmdEnv(processEnv()) }

// newWindowsCmdEnv builds `windows` on env (tests fix the clock and zone).
func newWindowsCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	cmd := &cobra.Command{
		Use:     "windows",
		Aliases: []string{"window"},
		Short:   "Hypercare windows: what happened in one (readiness before it: `hypercare readiness`)",
	}
	f.register(cmd)
	cmd.AddCommand(&cobra.Command{
		Use:   "summary ID",
		Short: "Summarise a hypercare window: the start of the post-peak review",
		Long: "Asks the server what happened in the window: per service in scope its incidents, pages,\n" +
			"time to acknowledge and to resolve (median and 90th percentile) and verdicts; pages per\n" +
			"person, in total and at night (22:00-07:00 in their time zone, else the window's); the\n" +
			"changes that shipped through its change freeze; and the noisiest alerts. A window still\n" +
			"open is summarised up to now, and the output says so; one that has not started is an error.",
		Example: "  hypercare windows summary bfcm-2026\n  hypercare windows summary bfcm-2026 -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			s, err := c.WindowSummary(cmd.Context(), args[0])
			if err != nil {
				return fmt.Errorf("window %s: %w", args[0], explain(err))
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			return writeWindowSummary(cmd.OutOrStdout(), s)
		},
	})
	return cmd
}

// writeWindowSummary prints a window summary for people, times in the
// window's zone.
func writeWindowSummary(w io.Writer, s *report.WindowSummary) error {
	const when = "2006-01-02 15:04 MST"
	loc := s.To.Location()
	if l, err := time.LoadLocation(s.Window.TimeZone); err == nil {
		loc = l
	}
	fmt.Fprintf(w, "Window %s (%s), %s to %s: %s\n", cell(s.Window.ID, 64), cell(s.Window.Name, 80),
		s.Window.Start.In(loc).Format(when), s.Window.End.In(loc).Format(when), strings.ReplaceAll(s.Status, "_", " "))
	if s.Partial {
		fmt.Fprintf(w, "note: %s\n", cell(s.Message, 0))
	}
	fmt.Fprintf(w, "%s, %s (%d at night, %s-%s local), %s during the freeze\n",
		plural(s.Totals.Incidents, "incident"), plural(s.Totals.Pages, "page"), s.Totals.NightPages, s.Night.From, s.Night.To,
		plural(s.Totals.FreezeChanges, "change"))
	err := section(w, "", "SERVICE\tINCIDENTS\tPAGES\tMTTA MEDIAN\tMTTA P90\tMTTR MEDIAN\tMTTR P90\tNOISE\tACTIONABLE\tUNMARKED",
		len(s.Services), func(i int) string {
			l := s.Services[i]
			return fmt.Sprintf("%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d", serviceCell(l.Service, l.Removed), l.Incidents, l.Pages,
				secs(l.MTTA.MedianSeconds), secs(l.MTTA.P90Seconds), secs(l.MTTR.MedianSeconds), secs(l.MTTR.P90Seconds),
				l.Feedback.Noise, l.Feedback.Actionable, l.Feedback.Unmarked)
		})
	if err == nil {
		err = section(w, "Pages per person:", "RESPONDER\tPAGES\tAT NIGHT\tTIME ZONE", len(s.Responders), func(i int) string {
			r := s.Responders[i]
			return fmt.Sprintf("%s\t%d\t%d\t%s", cell(firstNonEmpty(r.Name, r.User), 40), r.Pages, r.NightPages, r.TimeZone)
		})
	}
	if err == nil {
		err = section(w, "Changes during the freeze:", "WHEN\tSERVICE\tSUMMARY", len(s.FreezeChanges), func(i int) string {
			c := s.FreezeChanges[i]
			return fmt.Sprintf("%s\t%s\t%s", c.Timestamp.In(loc).Format(when), cell(c.ServiceID, 32), cell(c.Summary, 80))
		})
	}
	if err == nil {
		err = section(w, "Noisiest alerts:", "EVENTS\tSERVICE\tDEDUP KEY\tSUMMARY", len(s.NoisiestAlerts), func(i int) string {
			a := s.NoisiestAlerts[i]
			return fmt.Sprintf("%d\t%s\t%s\t%s", a.Events, cell(a.Service, 32), cell(a.DedupKey, 40), cell(a.Summary, 60))
		})
	}
	if err != nil {
		return err
	}
	if s.FreezeChangesTruncated {
		fmt.Fprintln(w, "note: more changes shipped during the freeze than are listed")
	}
	return nil
}

// section prints a titled table of n rows after a blank line; nothing
// when there are no rows (the title alone when it is the first table).
func section(w io.Writer, title, header string, n int, row func(int) string) error {
	if n == 0 && title != "" {
		return nil
	}
	fmt.Fprintln(w)
	if title != "" {
		fmt.Fprintln(w, title)
	}
	tw := newTable(w)
	fmt.Fprintln(tw, header)
	for i := range n {
		fmt.Fprintln(tw, row(i))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing table: %w", err)
	}
	return nil
}

// plural is "1 page", "2 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// secs formats whole seconds compactly (45s, 3m05s, 2h10m), "-" for none.
func secs(v *int64) string {
	if v == nil {
		return "-"
	}
	d := time.Duration(*v) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", *v)
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", d/time.Minute, (d%time.Minute)/time.Second)
	default:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
}
