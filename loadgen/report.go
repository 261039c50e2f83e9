package loadgen

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"text/tabwriter"
	"time"
)

// Report is what one run measured. Only requests due inside the measured
// window count; warmup requests are only tallied. Durations are integer
// nanoseconds in JSON (names end in _ns) so they stay exact for jq.
type Report struct {
	Settings Settings `json:"settings"`
	// Sent is the number of measured requests sent.
	Sent int64 `json:"requests_sent"`
	// Verdict is empty when the run measured what it meant to; otherwise
	// it is the headline saying why not (too many requests failed).
	Verdict string `json:"verdict,omitempty"`
	// Succeeded counts 202 Accepted responses (Wire.Accepted with a Wire);
	// Failed is everything else, FailureRate is Failed/Sent.
	Succeeded   int64         `json:"succeeded"`
	Failed      int64         `json:"failed"`
	FailureRate float64       `json:"failure_rate"`
	StatusCodes []StatusCount `json:"status_codes"`
	// TransportErrors are requests that got no HTTP response at all
	// (refused, reset, timed out); ErrorSamples holds a few distinct ones.
	TransportErrors int64    `json:"transport_errors"`
	ErrorSamples    []string `json:"error_samples,omitempty"`
	WarmupSent      int64    `json:"warmup_requests"`
	// EventsPerSecond is Succeeded (times the batch size: alerts, not
	// requests) divided by the measured window.
	EventsPerSecond float64 `json:"events_per_second"`
	// AnsweredPerSecond counts accepted requests answered inside the
	// measured window, whenever they were sent (warmup included), divided
	// by the window: steady-state throughput even when latency is close
	// to the window's length and few requests are both sent and answered
	// in it (bench compare's batches on a busy machine).
	AnsweredPerSecond float64 `json:"answered_per_second"`
	// Latency covers every measured request that got an HTTP response.
	Latency Latency `json:"latency"`
	// LateSends (open loop) counts requests that started more than
	// LateThreshold after their scheduled time; MaxSendLag is the worst.
	LateSends  int64         `json:"late_sends"`
	MaxSendLag time.Duration `json:"max_send_lag_ns"`
	// MissedSends (open loop) counts scheduled requests never sent because
	// every worker was still busy when the window closed.
	MissedSends int64 `json:"missed_sends"`
	// Elapsed is the wall time of the whole run, warmup and drain included.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Cleanup is what resolving the run's triggered dedup keys did (see
	// Resolve); nil if the caller kept them open.
	Cleanup *CleanupReport `json:"cleanup,omitempty"`

	// triggered holds the dedup keys of triggers that may have opened an
	// alert, warmup included: what a cleanup has to resolve.
	triggered []string
}

// Triggered returns the dedup keys this run's triggers may have opened
// alerts (and so incidents, and pages) for, sorted.
func (r Report) Triggered() []string { return slices.Clone(r.triggered) }

// Settings echoes the options a report was measured with, so a saved
// report is self-describing. The routing key is a secret and left out.
type Settings struct {
	Endpoint    string        `json:"endpoint"`
	Mode        string        `json:"mode"` // "closed" or "open"
	Concurrency int           `json:"concurrency"`
	Duration    time.Duration `json:"duration_ns"`
	Warmup      time.Duration `json:"warmup_ns"`
	Rate        float64       `json:"rate,omitempty"`
	Keys        int           `json:"keys"`
	ActionMix   string        `json:"action_mix"`
	// Format and Batch are the request format and alerts per request.
	Format  string        `json:"format,omitempty"`
	Batch   int           `json:"batch,omitempty"`
	Timeout time.Duration `json:"timeout_ns"`
	// MaxErrorRate is Options.MaxErrorRate, a fraction.
	MaxErrorRate float64 `json:"max_error_rate"`
}

// StatusCount is how often one HTTP status came back, with the start of
// one body for anything but 202 so a failure explains itself.
type StatusCount struct {
	Code       int    `json:"code"`
	Count      int64  `json:"count"`
	SampleBody string `json:"sample_body,omitempty"`
}

// Latency summarises response times. Percentiles are exact (nearest rank
// over every recorded sample); at benchmark volumes that costs a few MB.
type Latency struct {
	Count int64         `json:"count"`
	Mean  time.Duration `json:"mean_ns"`
	P50   time.Duration `json:"p50_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

// maxErrorSamples bounds the distinct transport errors kept per worker.
const maxErrorSamples = 5

// recorder collects one worker's measurements.
type recorder struct {
	latencies       []time.Duration
	statuses        map[int]*StatusCount
	transportErrors int64
	errorSamples    []string
	warmup          int64
	// acceptedInWindow counts accepted answers that arrived inside the
	// measured window, warmup requests' included.
	acceptedInWindow int64
	late, missed     int64
	maxLag           time.Duration
	triggered        map[string]struct{}
}

func newRecorder() *recorder {
	return &recorder{statuses: make(map[int]*StatusCount), triggered: make(map[string]struct{})}
}

// record adds one measured request, due at due, started at sentAt and
// finished at done. Latency counts from due, not sentAt, so time spent
// waiting for a free worker is charged to the server.
func (r *recorder) record(due, sentAt, done time.Time, res result, open bool) {
	if open {
		lag := sentAt.Sub(due)
		if lag > LateThreshold {
			r.late++
		}
		r.maxLag = max(r.maxLag, lag)
	}
	if res.err != nil {
		r.transportErrors++
		if msg := res.err.Error(); len(r.errorSamples) < maxErrorSamples && !slices.Contains(r.errorSamples, msg) {
			r.errorSamples = append(r.errorSamples, msg)
		}
		return
	}
	r.latencies = append(r.latencies, done.Sub(due))
	sc := r.statuses[res.status]
	if sc == nil {
		sc = &StatusCount{Code: res.status, SampleBody: res.sample}
		r.statuses[res.status] = sc
	}
	sc.Count++
}

// buildReport merges the workers' recorders.
func buildReport(opts Options, endpoint string, recs []*recorder, elapsed time.Duration) Report {
	rep := Report{Settings: settingsOf(opts, endpoint), Elapsed: elapsed}
	statuses := map[int]*StatusCount{}
	triggered := map[string]struct{}{}
	var lat []time.Duration
	var answered int64
	for _, r := range recs {
		answered += r.acceptedInWindow
		maps.Copy(triggered, r.triggered)
		lat = append(lat, r.latencies...)
		rep.TransportErrors += r.transportErrors
		rep.WarmupSent += r.warmup
		rep.LateSends += r.late
		rep.MissedSends += r.missed
		rep.MaxSendLag = max(rep.MaxSendLag, r.maxLag)
		for _, msg := range r.errorSamples {
			if len(rep.ErrorSamples) < maxErrorSamples && !slices.Contains(rep.ErrorSamples, msg) {
				rep.ErrorSamples = append(rep.ErrorSamples, msg)
			}
		}
		for code, sc := range r.statuses {
			if statuses[code] == nil {
				statuses[code] = &StatusCount{Code: code, SampleBody: sc.SampleBody}
			}
			statuses[code].Count += sc.Count
		}
	}
	rep.StatusCodes = []StatusCount{}
	for _, code := range slices.Sorted(maps.Keys(statuses)) {
		rep.StatusCodes = append(rep.StatusCodes, *statuses[code])
		if code == opts.accepted() {
			rep.Succeeded = statuses[code].Count
		}
	}
	rep.Sent = int64(len(lat)) + rep.TransportErrors
	rep.Failed = rep.Sent - rep.Succeeded
	// An interrupted run measured only part of its window.
	window := min(max(elapsed-opts.Warmup, 0), opts.Duration)
	if window > 0 {
		rep.EventsPerSecond = float64(rep.Succeeded*int64(max(opts.Batch, 1))) / window.Seconds()
		rep.AnsweredPerSecond = float64(answered) / window.Seconds()
	}
	rep.Latency = summarize(lat)
	if rep.Sent > 0 {
		rep.FailureRate = float64(rep.Failed) / float64(rep.Sent)
	}
	rep.Verdict = verdict(rep)
	rep.triggered = slices.Sorted(maps.Keys(triggered))
	return rep
}

func settingsOf(opts Options, endpoint string) Settings {
	mode := "closed"
	if opts.Rate > 0 {
		mode = "open"
	}
	return Settings{
		Endpoint: endpoint, Mode: mode, Concurrency: opts.Concurrency,
		Duration: opts.Duration, Warmup: opts.Warmup, Rate: opts.Rate,
		Keys: opts.Keys, ActionMix: opts.ActionMix, Timeout: opts.Timeout, MaxErrorRate: opts.MaxErrorRate,
		Format: opts.Format, Batch: opts.Batch,
	}
}

// summarize computes the latency summary; it sorts samples in place.
func summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	return Latency{
		Count: int64(len(samples)),
		Mean:  sum / time.Duration(len(samples)),
		P50:   percentile(samples, 50),
		P95:   percentile(samples, 95),
		P99:   percentile(samples, 99),
		Max:   samples[len(samples)-1],
	}
}

// percentile returns the nearest-rank p-th percentile of sorted samples:
// the smallest sample that at least p% of samples are less than or equal to.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// WriteTable writes the report for a human: settings first, then results,
// then one line per status code.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if r.Verdict != "" {
		fmt.Fprintf(tw, "%s\n\n", r.Verdict)
	}
	s := r.Settings
	mode := fmt.Sprintf("closed loop, %d workers", s.Concurrency)
	if s.Mode == "open" {
		mode = fmt.Sprintf("open loop at %g/s, %d workers", s.Rate, s.Concurrency)
	}
	keys := fmt.Sprintf("%d, cycled", s.Keys)
	if s.Keys == 0 {
		keys = "fresh key per event"
	}
	fmt.Fprintf(tw, "Endpoint\t%s\n", s.Endpoint)
	fmt.Fprintf(tw, "Mode\t%s\n", mode)
	fmt.Fprintf(tw, "Window\t%s measured after %s warmup (elapsed %s)\n", s.Duration, s.Warmup, round(r.Elapsed))
	fmt.Fprintf(tw, "Dedup keys\t%s\n", keys)
	fmt.Fprintf(tw, "Action mix\t%s\n", s.ActionMix)
	fmt.Fprintf(tw, "Requests sent\t%d (+%d warmup, not measured)\n", r.Sent, r.WarmupSent)
	fmt.Fprintf(tw, "Succeeded (202)\t%d\n", r.Succeeded)
	fmt.Fprintf(tw, "Failed\t%d (%d transport errors)\n", r.Failed, r.TransportErrors)
	fmt.Fprintf(tw, "Events/s\t%.1f\n", r.EventsPerSecond)
	l := r.Latency
	fmt.Fprintf(tw, "Latency\tp50 %s  p95 %s  p99 %s  max %s  mean %s\n",
		round(l.P50), round(l.P95), round(l.P99), round(l.Max), round(l.Mean))
	if s.Mode == "open" {
		fmt.Fprintf(tw, "Late sends\t%d over %s (max lag %s)\n", r.LateSends, LateThreshold, round(r.MaxSendLag))
		fmt.Fprintf(tw, "Missed sends\t%d\n", r.MissedSends)
	}
	fmt.Fprintf(tw, "\nSTATUS\tCOUNT\tSAMPLE BODY\n")
	for _, sc := range r.StatusCodes {
		fmt.Fprintf(tw, "%d\t%d\t%s\n", sc.Code, sc.Count, oneLine(sc.SampleBody))
	}
	for _, msg := range r.ErrorSamples {
		fmt.Fprintf(tw, "error\t\t%s\n", oneLine(msg))
	}
	if c := r.Cleanup; c != nil {
		fmt.Fprintf(tw, "\nCleanup\tresolved %d of %d dedup keys this run triggered (%d retries, %s)\n",
			c.Resolved, c.Keys, c.Retries, round(c.Elapsed))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// round keeps durations readable: microseconds below 10ms, else 0.1ms.
func round(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}

// oneLine flattens a body sample so it cannot break the table or inject
// terminal control sequences, and caps its length.
func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			r = ' '
		}
		out = append(out, r)
		if len(out) == 120 {
			return string(out) + "…"
		}
	}
	return string(out)
}
