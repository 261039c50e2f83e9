package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare/loadgen"
)

// storageReport is what a `bench ingest` run cost on disk, from the
// server's hypercare_store_size_bytes and hypercare_store_free_bytes
// before and after the run. Used bytes (size minus free pages) are
// compared, so pages SQLite freed earlier and reuses count as used only
// once they are.
type storageReport struct {
	BytesBefore int64 `json:"bytes_before"`
	BytesAfter  int64 `json:"bytes_after"`
	FreeBefore  int64 `json:"free_bytes_before"`
	FreeAfter   int64 `json:"free_bytes_after"`
	// Events is the accepted events (measured and warmup; alerts, for
	// Alertmanager batches) the growth is divided by.
	Events        int64   `json:"events"`
	BytesPerEvent float64 `json:"bytes_per_event"`
}

// acceptedAlerts is what a run's growth is divided by: its accepted
// requests, measured and warmup, times the alerts each carries (an
// Alertmanager request carries --batch of them, an events-v2 one one).
func acceptedAlerts(rep loadgen.Report) int64 {
	return (rep.Succeeded + rep.WarmupSent) * int64(max(rep.Settings.Batch, 1))
}

// storeSize reads the server's database size from its /metrics; ok is
// false when the server does not export it.
func storeSize(ctx context.Context, baseURL string) (size, free int64, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/metrics", nil)
	if err != nil {
		return 0, 0, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, false
	}
	var gotSize bool
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch name {
		case "hypercare_store_size_bytes":
			size, gotSize = int64(v), true
		case "hypercare_store_free_bytes":
			free = int64(v)
		}
	}
	return size, free, gotSize && sc.Err() == nil
}

// measureStorage returns a function to call after the run that completes
// the report, or nil when the server exports no size.
func measureStorage(ctx context.Context, baseURL string) func(events int64) *storageReport {
	size, free, ok := storeSize(ctx, baseURL)
	if !ok {
		return nil
	}
	return func(events int64) *storageReport {
		after, freeAfter, ok := storeSize(context.WithoutCancel(ctx), baseURL)
		if !ok {
			return nil
		}
		r := &storageReport{BytesBefore: size, BytesAfter: after, FreeBefore: free, FreeAfter: freeAfter, Events: events}
		if events > 0 {
			r.BytesPerEvent = float64((after-freeAfter)-(size-free)) / float64(events)
		}
		return r
	}
}

// writeStorage prints the storage lines of the table report.
func writeStorage(w io.Writer, r *storageReport) error {
	_, err := fmt.Fprintf(w, "\nDatabase  %.1f MiB before, %.1f MiB after (%.1f MiB free): %.0f bytes per accepted event (%d events)\n",
		float64(r.BytesBefore)/(1<<20), float64(r.BytesAfter)/(1<<20), float64(r.FreeAfter)/(1<<20), r.BytesPerEvent, r.Events)
	return err
}
