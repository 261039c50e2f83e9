package main

import (
	"fmt"

	"github.com/hypercare/hypercare"
	"github.com/spf13/cobra"
)

// newIncidentsFeedbackCmd is `incidents feedback ID noise|actionable`.
func newIncidentsFeedbackCmd(f *clientFlags) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "feedback ID|NUMBER noise|actionable",
		Short: "Mark an incident noise or actionable (counted in `hypercare noise report`)",
		Long: "Records your verdict on an incident, open or resolved: was it worth a page? The last\n" +
			"verdict given counts in the noise report and window summaries; every one is kept on the\n" +
			"timeline (\"Marked noise by alice\").",
		Example: "  hypercare incidents feedback 42 noise --note \"disk check flaps every night\"",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			verdict := hypercare.Verdict(args[1])
			if !verdict.Valid() {
				return fmt.Errorf("verdict %q: want noise or actionable", args[1])
			}
			c, format, err := f.session()
			if err != nil {
				return err
			}
			inc, err := c.Feedback(cmd.Context(), args[0], verdict, note)
			if err != nil {
				return fmt.Errorf("incident %s: %w", args[0], explain(err))
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"incident": inc})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Marked incident %d %s.\n", inc.Number, verdict)
			return err
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why (shown on the timeline)")
	return cmd
}
