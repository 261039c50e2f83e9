package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/client"
	"github.com/spf13/cobra"
)

// How much of an incident `incidents show` fetches, so a storm incident with
// thousands of alerts still prints promptly.
const (
	showMaxAlerts   = 100
	showMaxTimeline = 1000
	titleWidth      = 60
)

// newIncidentsCmd is the `incidents` client command group.
func newIncidentsCmd() *cobra.Command { return newIncidentsCmdEnv(processEnv()) }

// newIncidentsCmdEnv builds the command group on env, so tests can fix the
// clock, the time zone and the environment.
func newIncidentsCmdEnv(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	cmd := &cobra.Command{
		Use:     "incidents",
		Aliases: []string{"incident"},
		Short:   "List, inspect, acknowledge and resolve incidents through the API",
		Long: "Talk to a running Hypercare server's REST API. Incidents are named by ID or\n" +
			"by number. The server and token come from --server and --token, or from\n" +
			"HYPERCARE_SERVER and HYPERCARE_TOKEN.",
	}
	f.register(cmd)
	cmd.AddCommand(
		newIncidentsListCmd(f),
		newIncidentsShowCmd(f),
		newIncidentsNotificationsCmd(f),
		newIncidentsActCmd(f, "ack", "Acknowledge incidents, stopping their escalation", (*client.Client).Acknowledge),
		newIncidentsActCmd(f, "resolve", "Resolve incidents", (*client.Client).Resolve),
		newIncidentsNoteCmd(f),
		newIncidentsEscalateCmd(f),
		newIncidentsReassignCmd(f),
		newIncidentsMergeCmd(f),
		newIncidentsSplitCmd(f),
		newIncidentsFeedbackCmd(f),
	)
	return cmd
}

// listFlags are the filters of `incidents list`.
type listFlags struct {
	statuses []string
	service  string
	limit    int
	all      bool
}

func newIncidentsListCmd(f *clientFlags) *cobra.Command {
	lf := &listFlags{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List incidents",
		Example: "  hypercare incidents list --status triggered,acknowledged\n" +
			"  hypercare incidents list --all -o json | jq '.incidents[].number'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return explain(lf.run(cmd, f)) },
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&lf.statuses, "status", nil, "only these statuses: triggered, acknowledged, resolved (default all)")
	fl.StringVar(&lf.service, "service", "", "only incidents on this service ID")
	fl.IntVar(&lf.limit, "limit", 25, "incidents per request; without --all only the first page is shown")
	fl.BoolVar(&lf.all, "all", false, "follow pages until every matching incident is listed")
	return cmd
}

func (lf *listFlags) run(cmd *cobra.Command, f *clientFlags) error {
	q := client.IncidentQuery{ServiceID: lf.service, Limit: lf.limit}
	for _, s := range lf.statuses {
		st := hypercare.Status(strings.TrimSpace(s))
		if !st.Valid() {
			return fmt.Errorf("--status %q: want triggered, acknowledged or resolved", s)
		}
		q.Statuses = append(q.Statuses, st)
	}
	if lf.limit < 1 {
		return fmt.Errorf("--limit must be at least 1, got %d", lf.limit)
	}
	c, format, err := f.session()
	if err != nil {
		return err
	}
	page := &client.IncidentPage{}
	if lf.all {
		page.Incidents, err = c.AllIncidents(cmd.Context(), q, 0)
	} else {
		page, err = c.ListIncidents(cmd.Context(), q)
	}
	if err != nil {
		return err
	}
	if format == outputJSON {
		return printJSON(cmd.OutOrStdout(), page)
	}
	if len(page.Incidents) == 0 && (len(q.Statuses) > 0 || q.ServiceID != "") {
		// Say the filters found nothing, not that there are no incidents.
		_, err := fmt.Fprintln(cmd.OutOrStdout(), "No incidents match these filters.")
		return err
	}
	if err := writeIncidents(cmd.OutOrStdout(), f.env, page.Incidents); err != nil {
		return err
	}
	if page.NextCursor != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "More incidents match: use --all to list them all.")
	}
	return nil
}

// writeIncidents prints incidents as aligned columns.
func writeIncidents(w io.Writer, env clientEnv, incs []hypercare.Incident) error {
	if len(incs) == 0 {
		_, err := fmt.Fprintln(w, "No incidents.")
		return err
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "NUMBER\tSTATUS\tURGENCY\tSEVERITY\tSERVICE\tALERTS\tCREATED\tTITLE")
	for _, inc := range incs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", inc.Number, cell(string(inc.Status), 0),
			cell(string(inc.Urgency), 0), cell(string(inc.Severity), 0), cell(inc.ServiceID, 30),
			inc.AlertCount, env.when(&inc.CreatedAt), cell(inc.Title, titleWidth))
	}
	return tw.Flush()
}

// incidentDetail is what `incidents show` prints: the incident, its alerts
// and its timeline, in the API's field names.
type incidentDetail struct {
	Incident *hypercare.Incident       `json:"incident"`
	Alerts   []hypercare.Alert         `json:"alerts"`
	Timeline []hypercare.TimelineEntry `json:"timeline"`
}

func newIncidentsShowCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID|NUMBER",
		Short: "Show an incident with its alerts and timeline",
		Long: fmt.Sprintf("Show an incident, its first %d alerts and the first %d entries of its timeline.",
			showMaxAlerts, showMaxTimeline),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return explain(showIncident(cmd, f, args[0])) },
	}
}

func showIncident(cmd *cobra.Command, f *clientFlags, ref string) error {
	c, format, err := f.session()
	if err != nil {
		return err
	}
	d, err := fetchDetail(cmd.Context(), c, ref)
	if err != nil {
		return err
	}
	if format == outputJSON {
		return printJSON(cmd.OutOrStdout(), d)
	}
	return writeDetail(cmd.OutOrStdout(), f.env, d)
}

func fetchDetail(ctx context.Context, c *client.Client, ref string) (*incidentDetail, error) {
	inc, err := c.GetIncident(ctx, ref)
	if err != nil {
		return nil, err
	}
	alerts, err := c.IncidentAlerts(ctx, inc.ID, showMaxAlerts)
	if err != nil {
		return nil, fmt.Errorf("alerts of incident %d: %w", inc.Number, err)
	}
	timeline, err := c.IncidentTimeline(ctx, inc.ID, showMaxTimeline)
	if err != nil {
		return nil, fmt.Errorf("timeline of incident %d: %w", inc.Number, err)
	}
	return &incidentDetail{Incident: inc, Alerts: alerts, Timeline: timeline}, nil
}

func writeDetail(w io.Writer, env clientEnv, d *incidentDetail) error {
	inc := d.Incident
	tw := newTable(w)
	fmt.Fprintf(tw, "Incident #%d: %s\n", inc.Number, cell(inc.Title, 0))
	fmt.Fprintf(tw, "ID\t%s\nStatus\t%s\nUrgency\t%s\nSeverity\t%s\nService\t%s\n", cell(inc.ID, 0),
		cell(string(inc.Status), 0), cell(string(inc.Urgency), 0), cell(string(inc.Severity), 0), cell(inc.ServiceID, 0))
	fmt.Fprintf(tw, "Alerts\t%d (%d open)\n", inc.AlertCount, inc.OpenAlertCount)
	if inc.GroupKey != "" {
		fmt.Fprintf(tw, "Alert group\t%s\n", cell(inc.GroupKey, 0))
	}
	fmt.Fprintf(tw, "Created\t%s\nAcknowledged\t%s\nResolved\t%s\n",
		env.when(&inc.CreatedAt), env.when(inc.AcknowledgedAt), env.when(inc.ResolvedAt))

	fmt.Fprintf(tw, "\nALERTS (%d of %d)\n", len(d.Alerts), inc.AlertCount)
	if len(d.Alerts) == 0 {
		fmt.Fprintln(tw, "No alerts.")
	} else {
		fmt.Fprintln(tw, "STATUS\tSEVERITY\tDEDUP KEY\tEVENTS\tLAST SEEN\tSUMMARY")
	}
	for _, a := range d.Alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", cell(string(a.Status), 0), cell(string(a.Severity), 0),
			cell(a.DedupKey, 40), a.EventCount, ago(env.now(), a.LastSeenAt), cell(a.Summary, titleWidth))
	}
	fmt.Fprintf(tw, "\nTIMELINE\n")
	if len(d.Timeline) == 0 {
		fmt.Fprintln(tw, "No timeline entries.")
	} else {
		fmt.Fprintln(tw, "AT\tTYPE\tBY\tMESSAGE")
	}
	for _, e := range d.Timeline {
		by := firstNonEmpty(e.Actor.Name, e.Actor.ID)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.At.In(env.loc).Format("2006-01-02 15:04:05 MST"),
			cell(e.Type, 0), cell(by, 30), cell(e.Message, 100))
	}
	if len(d.Timeline) == showMaxTimeline {
		fmt.Fprintf(tw, "(first %d entries shown; -o json has the same limit)\n", showMaxTimeline)
	}
	return tw.Flush()
}

// newIncidentsActCmd builds `ack` or `resolve`: apply act to every incident
// named, keep going past failures, then report them all.
func newIncidentsActCmd(f *clientFlags, name, short string,
	act func(*client.Client, context.Context, string) (*hypercare.Incident, error)) *cobra.Command {
	cmd := &cobra.Command{
		Use:   name + " ID|NUMBER...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, refs []string) error {
			return actOn(cmd, f, refs, act)
		},
	}
	if name == "ack" {
		cmd.Aliases = []string{"acknowledge"}
	}
	return cmd
}

func actOn(cmd *cobra.Command, f *clientFlags, refs []string,
	act func(*client.Client, context.Context, string) (*hypercare.Incident, error)) error {
	c, format, err := f.session()
	if err != nil {
		return err
	}
	done := []hypercare.Incident{}
	var errs []error
	for _, ref := range refs {
		inc, err := act(c, cmd.Context(), ref)
		if err != nil {
			errs = append(errs, fmt.Errorf("incident %s: %w", ref, explain(err)))
			continue
		}
		done = append(done, *inc)
	}
	if len(done) > 0 || format == outputJSON {
		if err := writeActed(cmd.OutOrStdout(), f.env, format, done); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// writeActed prints the incidents as they are after the action.
func writeActed(w io.Writer, env clientEnv, format outputFormat, incs []hypercare.Incident) error {
	if format == outputJSON {
		return printJSON(w, map[string]any{"incidents": incs})
	}
	return writeIncidents(w, env, incs)
}

func newIncidentsNoteCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "note ID|NUMBER MESSAGE...",
		Short:   "Add a note to an incident's timeline",
		Example: `  hypercare incidents note 42 "rolled back deploy v1.2.3"`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			e, err := c.AddNote(cmd.Context(), args[0], strings.Join(args[1:], " "))
			if err != nil {
				return explain(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"timeline_entry": e})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Added note %s to incident %s.\n", cell(e.ID, 0), cell(args[0], 0))
			return err
		},
	}
}
