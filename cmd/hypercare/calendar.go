package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCalendarCmd() *cobra.Command { return newCalendarCmdEnv(processEnv()) }

// newCalendarCmdEnv is the calendar feed commands: create a feed URL (shown
// once), list feeds, revoke a leaked one.
func newCalendarCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	cmd := &cobra.Command{
		Use:   "calendar",
		Short: "Create, list and revoke iCalendar feeds of on-call shifts",
		Long: "A feed URL carries a secret token, shown once when the feed is created. Responders create\n" +
			"schedule feeds and list and revoke the feeds their token created; admins create user feeds\n" +
			"and list and revoke every feed.",
	}
	f.register(cmd)
	cmd.AddCommand(newCalendarCreateCmd(f), newCalendarListCmd(f), newCalendarRevokeCmd(f))
	return cmd
}

func newCalendarCreateCmd(f *clientFlags) *cobra.Command {
	var schedule, user string
	cmd := &cobra.Command{
		Use:   "create --schedule ID | --user ID",
		Short: "Create a feed of a schedule's shifts, or of one user's shifts on every schedule",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kind, id := "schedules", schedule
			if (schedule == "") == (user == "") {
				return fmt.Errorf("give exactly one of --schedule or --user")
			}
			if user != "" {
				kind, id = "users", user
			}
			c, format, err := f.session()
			if err != nil {
				return err
			}
			feed, err := c.CreateCalendarFeed(cmd.Context(), kind, id)
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), feed)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", feed.URL)
			return err
		},
	}
	cmd.Flags().StringVar(&schedule, "schedule", "", "the schedule whose shifts the feed shows")
	cmd.Flags().StringVar(&user, "user", "", "the user whose shifts the feed shows (admin)")
	return cmd
}

func newCalendarListCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List calendar feeds (never their URLs: those were shown once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			feeds, err := c.CalendarFeeds(cmd.Context())
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"calendar_feeds": feeds})
			}
			if len(feeds) == 0 {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), "No calendar feeds.")
				return err
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintf(tw, "ID\tSHOWS\tCREATED\tBY TOKEN\n")
			for _, fd := range feeds {
				created := fd.CreatedAt
				fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s\n", fd.ID, fd.Kind, cell(fd.Subject, 40), f.env.when(&created), cell(fd.CreatedBy, 30))
			}
			return tw.Flush()
		},
	}
}

func newCalendarRevokeCmd(f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a calendar feed: its URL answers 404 from then on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			feed, err := c.RevokeCalendarFeedAnswer(cmd.Context(), args[0])
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"calendar_feed": feed})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "calendar feed %s revoked\n", args[0])
			return err
		},
	}
	return cmd
}
