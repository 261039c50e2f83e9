package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare/client"
	"github.com/spf13/cobra"
)

func newSilencesCmd() *cobra.Command { return newSilencesCmdEnv(processEnv()) }

// newSilencesCmdEnv is the silence commands: hold pages for matching new
// alerts for a while (planned work not in the config's maintenance
// section), list them, and end one early.
func newSilencesCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	cmd := &cobra.Command{
		Use:   "silences",
		Short: "Create, list and expire silences (alerts recorded, first pages held until the end)",
		Long: "A silence holds the first page of new incidents whose alert matches it: the incident is recorded\n" +
			"(suppressed_by on it, a timeline entry), and if it is still open when the silence ends (or is\n" +
			"expired) it pages then, once. Matchers are Alertmanager-style: name=\"v\", name!=\"v\",\n" +
			"name=~\"regex\", name!~\"regex\". Creating and expiring needs the responder role.",
	}
	f.register(cmd)
	cmd.AddCommand(newSilenceCreateCmd(f), newSilenceListCmd(f), newSilenceExpireCmd(f))
	return cmd
}

func newSilenceCreateCmd(f *clientFlags) *cobra.Command {
	var s client.NewSilence
	var duration time.Duration
	var ends string
	cmd := &cobra.Command{
		Use:   "create [--matcher 'name=\"v\"']... [--service ID]... (--duration 2h | --ends-at T) --comment TEXT",
		Short: "Create a silence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case (duration > 0) == (ends != ""):
				return fmt.Errorf("give exactly one of --duration or --ends-at")
			case duration > 0:
				start := f.env.now()
				if s.StartsAt != "" {
					t, err := time.Parse(time.RFC3339, s.StartsAt)
					if err != nil {
						return fmt.Errorf("--starts-at: want an RFC 3339 time such as 2026-11-29T02:00:00Z")
					}
					start = t
				}
				s.EndsAt = start.Add(duration).UTC().Format(time.RFC3339)
			default:
				s.EndsAt = ends
			}
			c, format, err := f.session()
			if err != nil {
				return err
			}
			sl, err := c.CreateSilence(cmd.Context(), s)
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"silence": sl})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", sl.ID)
			return err
		},
	}
	cmd.Flags().StringArrayVar(&s.Matchers, "matcher", nil, `label matcher, repeatable (all must match): name="v", name!="v", name=~"re", name!~"re"`)
	cmd.Flags().StringArrayVar(&s.Services, "service", nil, "service ID, repeatable")
	cmd.Flags().StringVar(&s.StartsAt, "starts-at", "", "RFC 3339 start (default now)")
	cmd.Flags().StringVar(&ends, "ends-at", "", "RFC 3339 end")
	cmd.Flags().DurationVar(&duration, "duration", 0, "length from the start, e.g. 2h")
	cmd.Flags().StringVar(&s.Comment, "comment", "", "why (required)")
	cmd.Flags().StringVar(&s.CreatedBy, "created-by", "", "who (default: the token's name)")
	return cmd
}

func newSilenceListCmd(f *clientFlags) *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "list [--state pending|active|expired]",
		Short: "List silences, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			list, err := c.Silences(cmd.Context(), state)
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"silences": list})
			}
			if len(list) == 0 {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), strings.TrimSpace("No "+cell(state, 20))+" silences.")
				return err
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintf(tw, "ID\tSTATE\tSTARTS\tENDS\tSCOPE\tBY\tCOMMENT\n")
			for _, s := range list {
				scope := strings.Join(append(append([]string{}, s.Services...), s.Matchers...), " ")
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.State, f.env.when(&s.StartsAt),
					f.env.when(&s.EndsAt), cell(scope, 50), cell(s.CreatedBy, 20), cell(s.Comment, 40))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&state, "state", "", "only pending, active or expired silences")
	return cmd
}

func newSilenceExpireCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "expire ID",
		Short: "End a silence now: incidents it held that are still open page at once (unless a window or another silence still covers them)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			out, err := c.ExpireSilence(cmd.Context(), args[0])
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), out)
			}
			msg := fmt.Sprintf("silence %s expired; %d held incident(s) paging now", args[0], out.Released)
			if out.StillHeld > 0 {
				msg += fmt.Sprintf(", %d still held by a maintenance window or another silence", out.StillHeld)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), msg)
			return err
		},
	}
}
