package main

import (
	"context"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/client"
	"github.com/spf13/cobra"
)

// newIncidentsMergeCmd is `incidents merge INTO FROM...`.
func newIncidentsMergeCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "merge INTO FROM...",
		Short: "Merge incidents FROM into incident INTO (same service; teaches grouping nothing)",
		Long: "Moves every alert of the FROM incidents into INTO and resolves them. Only open\n" +
			"incidents of one service merge. Alert grouping does not learn from a merge:\n" +
			"later alerts group exactly as they would have.",
		Example: "  hypercare incidents merge 42 43 44",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return actOn(cmd, f, args[:1], func(c *client.Client, ctx context.Context, ref string) (*hypercare.Incident, error) {
				return c.Merge(ctx, ref, args[1:])
			})
		},
	}
}

// newIncidentsSplitCmd is `incidents split ID ALERT_ID...`.
func newIncidentsSplitCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "split ID|NUMBER ALERT_ID...",
		Short: "Move alerts of an incident into a new incident (which pages if one is open)",
		Long: "Moves the listed alerts (IDs from `incidents show`) into a new incident on the\n" +
			"same service and prints it. At least one alert must stay behind.",
		Example: "  hypercare incidents split 42 01JD3Q7Z8K9M0N1P2Q3R4S5T6V",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return actOn(cmd, f, args[:1], func(c *client.Client, ctx context.Context, ref string) (*hypercare.Incident, error) {
				return c.Split(ctx, ref, args[1:])
			})
		},
	}
}
