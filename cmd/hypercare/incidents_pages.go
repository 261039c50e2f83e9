package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// pagesDefaultLimit is how many pages `incidents notifications` prints
// unless --limit says otherwise.
const pagesDefaultLimit = 100

// newIncidentsNotificationsCmd builds `incidents notifications ID|NUMBER`:
// who was paged for an incident, how, and whether it arrived, read a page
// of the API at a time.
func newIncidentsNotificationsCmd(f *clientFlags) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:     "notifications ID|NUMBER",
		Aliases: []string{"pages"},
		Short:   "List an incident's pages (notifications), oldest first",
		Long: fmt.Sprintf("List who was paged for an incident, on which contact method, and whether it was sent,\n"+
			"oldest first: the first %d unless --limit says otherwise (--limit 0: all of them).", pagesDefaultLimit),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return explain(listIncidentNotifications(cmd, f, args[0], limit))
		},
	}
	cmd.Flags().IntVar(&limit, "limit", pagesDefaultLimit, "most pages to print (0: all)")
	return cmd
}

func listIncidentNotifications(cmd *cobra.Command, f *clientFlags, ref string, limit int) error {
	if limit < 0 {
		return fmt.Errorf("--limit %d: must be 0 (all) or more", limit)
	}
	c, format, err := f.session()
	if err != nil {
		return err
	}
	list, err := c.IncidentNotifications(cmd.Context(), ref, limit)
	if err != nil {
		return err
	}
	if format == outputJSON {
		return printJSON(cmd.OutOrStdout(), map[string]any{"notifications": list})
	}
	if len(list) == 0 {
		_, err := fmt.Fprintf(cmd.OutOrStdout(), "Incident %s has paged nobody.\n", cell(ref, 40))
		return err
	}
	tw := newTable(cmd.OutOrStdout())
	fmt.Fprintln(tw, "CREATED\tUSER\tCONTACT METHOD\tTYPE\tLEVEL\tSTATUS\tSENT\tLAST ERROR")
	for _, n := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.CreatedAt.In(f.env.loc).Format("2006-01-02 15:04:05 MST"),
			cell(n.UserID, 30), cell(n.ContactMethod, 30), cell(string(n.Type), 0), strconv.Itoa(n.Level),
			cell(n.Status, 0), f.env.when(n.SentAt), cell(n.LastError, 60))
	}
	if limit > 0 && len(list) == limit {
		fmt.Fprintf(tw, "(first %d shown; --limit 0 shows all)\n", limit)
	}
	return tw.Flush()
}
