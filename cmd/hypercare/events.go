package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/replay"
	"github.com/hypercare/hypercare/store"
	"github.com/spf13/cobra"
)

// newEventsCmd groups the event log commands.
func newEventsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "Work with the event log"}
	cmd.AddCommand(newEventsExportCmd())
	return cmd
}

type exportFlags struct {
	storeFlags
	configPath string
	from, to   string
}

// newEventsExportCmd builds `hypercare events export --from T --to T`,
// which writes the event log in the replay format.
func newEventsExportCmd() *cobra.Command {
	f := &exportFlags{}
	cmd := &cobra.Command{
		Use:   "export --from T --to T --config F",
		Short: "Write the event log of a time range in the replay format (JSON lines) to stdout",
		Long: "Reads the events received in [--from, --to) from the server's store (--data-dir or --database-url;\n" +
			"it may be running) and writes one JSON line per event, oldest first:\n" +
			"{\"received_at\",\"key\",\"format\":\"event\",\"body\"}, body being the event as the server normalised it.\n" +
			"The store keeps no integration keys, so --config (the server's config file) supplies them; events\n" +
			"of integrations no longer in it are skipped and counted on stderr. Replay the file with\n" +
			"`hypercare replay FILE --config F`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	f.storeFlags.register(cmd)
	cmd.Flags().StringVar(&f.configPath, "config", "", "config file naming the integrations' keys (required)")
	cmd.Flags().StringVar(&f.from, "from", "", "first moment to export, RFC 3339 (required)")
	cmd.Flags().StringVar(&f.to, "to", "", "end of the range (exclusive), RFC 3339 (default now)")
	return cmd
}

func (f *exportFlags) run(cmd *cobra.Command) error {
	from, to, err := f.times()
	if err != nil {
		return err
	}
	if f.configPath == "" {
		return errors.New("--config is required: the event log names integrations by ID, their keys are in the config")
	}
	cfg, err := config.Load(f.configPath)
	if err != nil {
		return err
	}
	_, _, integrations := cfg.Catalog()
	keys := make(map[string]string, len(integrations))
	for _, it := range integrations {
		keys[it.ID] = it.Key
	}
	ctx := cmd.Context()
	st, err := f.openExisting(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer st.Close()
	skipped, err := exportEvents(ctx, st, from, to, keys, cmd.OutOrStdout())
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "hypercare: skipped %s\n", describeSkipped(skipped))
	}
	return nil
}

// times parses --from and --to.
func (f *exportFlags) times() (from, to time.Time, err error) {
	if f.from == "" {
		return from, to, errors.New("--from is required: an RFC 3339 time such as 2025-11-28T00:00:00Z")
	}
	if from, err = time.Parse(time.RFC3339, f.from); err != nil {
		return from, to, fmt.Errorf("--from %q: want an RFC 3339 time such as 2025-11-28T00:00:00Z", f.from)
	}
	to = time.Now()
	if f.to != "" {
		if to, err = time.Parse(time.RFC3339, f.to); err != nil {
			return from, to, fmt.Errorf("--to %q: want an RFC 3339 time such as 2025-12-02T00:00:00Z", f.to)
		}
	}
	if !to.After(from) {
		return from, to, fmt.Errorf("--to %s is not after --from %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return from, to, nil
}

// exportLine is one line of the replay format as export writes it.
type exportLine struct {
	ReceivedAt string          `json:"received_at"`
	Key        string          `json:"key"`
	Format     string          `json:"format"`
	Body       json.RawMessage `json:"body"`
}

// exportEvents writes the events of [from, to) as replay lines, page by
// page, and returns how many events of each integration without a key
// (not in the config) it skipped.
func exportEvents(ctx context.Context, st *store.Store, from, to time.Time, keys map[string]string, out io.Writer) (map[string]int, error) {
	w := bufio.NewWriterSize(out, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	skipped := map[string]int{}
	cursor := ""
	for {
		events, next, err := st.EventsBetween(ctx, from, to, hypercare.Page{Limit: store.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("read the event log: %w", err)
		}
		for _, e := range events {
			key, ok := keys[e.IntegrationID]
			if !ok || len(e.Payload) == 0 {
				skipped[e.IntegrationID]++
				continue
			}
			l := exportLine{ReceivedAt: e.ReceivedAt.UTC().Format(time.RFC3339Nano), Key: key,
				Format: replay.FormatEvent, Body: e.Payload}
			if err := enc.Encode(&l); err != nil {
				return nil, fmt.Errorf("write: %w", err)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	return skipped, nil
}

// describeSkipped is "5 events of integrations not in the config: a (3), b (2)".
func describeSkipped(skipped map[string]int) string {
	ids := make([]string, 0, len(skipped))
	total := 0
	for id, n := range skipped {
		ids = append(ids, id)
		total += n
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%s (%d)", cell(id, 64), skipped[id])
	}
	return fmt.Sprintf("%d event(s) of integrations not in the config: %s", total, strings.Join(parts, ", "))
}
