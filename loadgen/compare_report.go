package loadgen

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// CompareReport is what bench compare measured. Durations are integer
// nanoseconds in JSON (names end in _ns), sizes bytes.
type CompareReport struct {
	Settings  CompareSettings  `json:"settings"`
	Scenarios []ScenarioReport `json:"scenarios"`
	// Failures names every run whose error rate exceeded the limit.
	Failures []string `json:"failures,omitempty"`
}

// CompareSettings echoes the options a comparison ran with.
type CompareSettings struct {
	Concurrency int           `json:"concurrency"`
	Duration    time.Duration `json:"duration_ns"`
	Warmup      time.Duration `json:"warmup_ns"`
	Runs        int           `json:"runs"`
	Keys        int           `json:"keys"`
	Batch       int           `json:"batch"`
	Rates       []float64     `json:"first_page_rates"`
	// PageCount is the fewest measured triggers per first-page run.
	PageCount    int           `json:"first_page_count"`
	MaxErrorRate float64       `json:"max_error_rate"`
	Timeout      time.Duration `json:"timeout_ns"`
	// HypercareStore is "sqlite" (a fresh data directory per run) or
	// "postgres" (a fresh schema per run).
	HypercareStore string `json:"hypercare_store"`
	// Alertmanager is the binary run, "" when it was left out, and
	// AlertmanagerVersion its --version.
	Alertmanager        string `json:"alertmanager,omitempty"`
	AlertmanagerVersion string `json:"alertmanager_version,omitempty"`
	// Skipped says which servers were left out and why.
	Skipped []string `json:"skipped,omitempty"`
}

// ScenarioReport is one scenario's runs on every server and the ratios.
type ScenarioReport struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Servers     []ServerRuns `json:"servers"`
	Ratios      []Ratio      `json:"ratios"`
}

// ServerRuns is one server's runs of a scenario. Median takes the median
// of each figure separately over the runs.
type ServerRuns struct {
	Server   ServerKind    `json:"server"`
	Endpoint string        `json:"endpoint"`
	Median   Measurement   `json:"median"`
	Runs     []Measurement `json:"runs"`
}

// Measurement is one run of one server. Throughput runs fill
// EventsPerSecond (alerts accepted per second: requests × alerts per
// request) and request latency; first-page runs fill Paged/Missing and
// latency from trigger to first page.
type Measurement struct {
	EventsPerSecond   float64       `json:"events_per_second,omitempty"`
	RequestsPerSecond float64       `json:"requests_per_second,omitempty"`
	P50               time.Duration `json:"p50_ns"`
	P99               time.Duration `json:"p99_ns"`
	// PeakRSS is the server process's VmHWM at the end of the run.
	PeakRSS     int64   `json:"peak_rss_bytes"`
	Sent        int64   `json:"sent"`
	Failed      int64   `json:"failed"`
	FailureRate float64 `json:"failure_rate"`
	Paged       int64   `json:"paged,omitempty"`
	Missing     int64   `json:"missing,omitempty"`
	// PagedTwice counts pages the receiver got twice (PageReport.PagedTwice).
	PagedTwice int64 `json:"paged_twice,omitempty"`
	// Problem says why the run does not count (too many errors).
	Problem string `json:"problem,omitempty"`
	// Note is a caveat that does not fail the run (no peak RSS).
	Note string `json:"note,omitempty"`
}

// Ratio is Hypercare's median over another server's, per figure: above 1
// means Hypercare has more (events/s: better; latency, RSS: worse). Zero
// means a figure was missing on either side.
type Ratio struct {
	Of              string  `json:"of"` // "hypercare/alertmanager", "hypercare/bare"
	EventsPerSecond float64 `json:"events_per_second,omitempty"`
	P50             float64 `json:"p50"`
	P99             float64 `json:"p99"`
	PeakRSS         float64 `json:"peak_rss"`
}

// median returns the median of xs (the mean of the middle two for an even
// count), 0 for none. It does not modify xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio returns a/b, or 0 when either is missing (zero).
func ratio(a, b float64) float64 {
	if a == 0 || b == 0 {
		return 0
	}
	return a / b
}

// medianOf returns each figure's median over ms.
func medianOf(ms []Measurement) Measurement {
	pick := func(f func(Measurement) float64) float64 {
		xs := make([]float64, len(ms))
		for i, m := range ms {
			xs[i] = f(m)
		}
		return median(xs)
	}
	var out Measurement
	out.EventsPerSecond = pick(func(m Measurement) float64 { return m.EventsPerSecond })
	out.RequestsPerSecond = pick(func(m Measurement) float64 { return m.RequestsPerSecond })
	out.P50 = time.Duration(pick(func(m Measurement) float64 { return float64(m.P50) }))
	out.P99 = time.Duration(pick(func(m Measurement) float64 { return float64(m.P99) }))
	out.PeakRSS = int64(pick(func(m Measurement) float64 { return float64(m.PeakRSS) }))
	out.Sent = int64(pick(func(m Measurement) float64 { return float64(m.Sent) }))
	out.Failed = int64(pick(func(m Measurement) float64 { return float64(m.Failed) }))
	out.FailureRate = pick(func(m Measurement) float64 { return m.FailureRate })
	out.Paged = int64(pick(func(m Measurement) float64 { return float64(m.Paged) }))
	out.Missing = int64(pick(func(m Measurement) float64 { return float64(m.Missing) }))
	return out
}

// ratiosOf returns Hypercare's ratios to each other server.
func ratiosOf(servers []ServerRuns) []Ratio {
	i := slices.IndexFunc(servers, func(s ServerRuns) bool { return s.Server == Hypercare })
	if i < 0 {
		return nil
	}
	hc := servers[i].Median
	var out []Ratio
	for _, s := range servers {
		if s.Server == Hypercare {
			continue
		}
		o := s.Median
		out = append(out, Ratio{
			Of:              string(Hypercare) + "/" + string(s.Server),
			EventsPerSecond: ratio(hc.EventsPerSecond, o.EventsPerSecond),
			P50:             ratio(float64(hc.P50), float64(o.P50)),
			P99:             ratio(float64(hc.P99), float64(o.P99)),
			PeakRSS:         ratio(float64(hc.PeakRSS), float64(o.PeakRSS)),
		})
	}
	return out
}

// WriteTable writes the comparison for a human: per scenario, a line per
// server with its medians and every run, then the ratios.
func (r CompareReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	s := r.Settings
	fmt.Fprintf(tw, "Side by side: %d connections, %s measured after %s warmup, median of %d runs per server;\n",
		s.Concurrency, s.Duration, s.Warmup, s.Runs)
	fresh := "SQLite in a fresh data directory"
	if s.HypercareStore == "postgres" {
		fresh = "PostgreSQL in a fresh schema"
	}
	fmt.Fprintf(tw, "every run on a fresh server (Hypercare: %s), the servers taking turns.\n", fresh)
	if s.Alertmanager != "" {
		fmt.Fprintf(tw, "Alertmanager %s: %s\n", cmp.Or(s.AlertmanagerVersion, "(version unknown)"), s.Alertmanager)
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(tw, "Skipped: %s\n", sk)
	}
	for _, sc := range r.Scenarios {
		writeScenario(tw, sc)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(tw, "FAILED: %s\n", f)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

func writeScenario(tw io.Writer, sc ScenarioReport) {
	page := strings.HasPrefix(sc.Name, ScenarioFirstPage)
	fmt.Fprintf(tw, "\n%s: %s\n", sc.Name, sc.Description)
	if page {
		fmt.Fprintf(tw, "SERVER\tPAGED\tP50\tP99\tPEAK RSS\tP99 BY RUN\tRECEIVES\n")
	} else {
		fmt.Fprintf(tw, "SERVER\tALERTS/S\tP50\tP99\tPEAK RSS\tALERTS/S BY RUN\tRECEIVES\n")
	}
	for _, s := range sc.Servers {
		m := s.Median
		var runs []string
		for _, run := range s.Runs {
			fig := fmt.Sprintf("%.0f", run.EventsPerSecond)
			if page {
				fig = round(run.P99).String()
			}
			if run.Problem != "" {
				fig += "(FAILED)"
			}
			runs = append(runs, fig)
		}
		first := fmt.Sprintf("%.0f", m.EventsPerSecond)
		if page {
			first = fmt.Sprintf("%d/%d", m.Paged, m.Sent)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Server, first, round(m.P50), round(m.P99), mib(m.PeakRSS),
			strings.Join(runs, " "), s.Endpoint)
	}
	for _, ra := range sc.Ratios {
		eps := "-"
		if !page {
			eps = times(ra.EventsPerSecond)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\t\n", ra.Of, eps, times(ra.P50), times(ra.P99), times(ra.PeakRSS))
	}
}

// times formats a ratio, "n/a" when missing.
func times(x float64) string {
	if x == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", x)
}

// mib formats a size in MiB, "n/a" when unknown.
func mib(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
