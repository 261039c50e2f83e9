package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Scenario names of bench compare, in the order they run.
const (
	ScenarioUnique      = "unique"       // one alert per request, each a new key
	ScenarioRepeat      = "repeat"       // one alert per request, Keys keys re-triggering
	ScenarioUniqueBatch = "unique-batch" // Batch alerts per request, each a new key
	ScenarioRepeatBatch = "repeat-batch" // Batch alerts per request, Keys keys
	ScenarioFirstPage   = "first-page"   // trigger → first webhook page, at each of Rates
)

// AllScenarios are bench compare's scenarios, in the order they run.
var AllScenarios = []string{ScenarioUnique, ScenarioRepeat, ScenarioUniqueBatch, ScenarioRepeatBatch, ScenarioFirstPage}

// CompareOptions configures bench compare: the same load against
// Alertmanager, a bare endpoint and Hypercare, each restarted fresh for
// every run, the servers' runs interleaved.
type CompareOptions struct {
	Servers Servers
	// Scenarios to run (AllScenarios' names); empty means all.
	Scenarios []string
	// Concurrency is the connections of throughput runs and the most
	// triggers in flight in first-page runs.
	Concurrency int
	// Duration is each run's measured window (first-page: triggers are
	// sent for Duration at each rate), after Warmup.
	Duration, Warmup time.Duration
	// Runs per server and scenario; the report shows their median.
	Runs int
	// Keys is how many keys the repeat scenarios cycle over; Batch is
	// the alerts per request of the batch scenarios.
	Keys, Batch int
	// Rates are the first-page scenario's trigger rates, per second.
	Rates []float64
	// PageCount is the fewest triggers a first-page run measures, however
	// short Duration is at its rate: a p99 of 250 samples is the third
	// slowest, and one hiccup of the machine moves it by half. 0: just
	// rate × Duration.
	PageCount int
	// Grace is how long a first-page run waits for late pages; zero
	// means DefaultPageGrace.
	Grace time.Duration
	// Timeout bounds each request; zero means DefaultTimeout. A batch
	// of 100 new alerts from each of 32 connections can take seconds on
	// a busy machine, and a timed-out request counts as failed.
	Timeout time.Duration
	// MaxErrorRate is the fraction of failed requests (first-page: failed
	// triggers and missing pages) a run may have before the comparison
	// fails.
	MaxErrorRate float64
	// Progress, if set, gets a line per run as it finishes.
	Progress io.Writer
	// Skipped names servers left out and why (no Alertmanager binary),
	// echoed in the report so a table without them explains itself.
	Skipped []string
	// AlertmanagerVersion is echoed in the report ("" if unknown).
	AlertmanagerVersion string
}

// scenario is one comparison: a load and the servers it runs against.
type scenario struct {
	name, desc string
	keys       int     // 0: a new key per alert
	batch      int     // alerts per request; 0 for first-page
	rate       float64 // first-page only
}

func (sc scenario) firstPage() bool { return sc.rate > 0 }

// scenarios expands the chosen names into scenarios.
func (o CompareOptions) scenarios() ([]scenario, error) {
	names := o.Scenarios
	if len(names) == 0 {
		names = AllScenarios
	}
	var out []scenario
	for _, name := range AllScenarios {
		if !slices.Contains(names, name) {
			continue
		}
		switch name {
		case ScenarioUnique:
			out = append(out, scenario{name, "one alert per request, every alert a new key", 0, 1, 0})
		case ScenarioRepeat:
			out = append(out, scenario{name, fmt.Sprintf("one alert per request, %d keys re-triggering", o.Keys), o.Keys, 1, 0})
		case ScenarioUniqueBatch:
			out = append(out, scenario{name, fmt.Sprintf("%d alerts per request, every alert a new key", o.Batch), 0, o.Batch, 0})
		case ScenarioRepeatBatch:
			out = append(out, scenario{name, fmt.Sprintf("%d alerts per request, %d keys re-triggering", o.Batch, o.Keys), o.Keys, o.Batch, 0})
		case ScenarioFirstPage:
			for _, r := range o.Rates {
				out = append(out, scenario{name: fmt.Sprintf("%s %g/s", name, r),
					desc: fmt.Sprintf("trigger → first webhook page, %g new alerts/s", r), rate: r})
			}
		}
	}
	for _, name := range names {
		if !slices.Contains(AllScenarios, name) {
			return nil, fmt.Errorf("unknown scenario %q (want %s)", name, strings.Join(AllScenarios, ", "))
		}
	}
	return out, nil
}

// validate returns every problem with o at once.
func (o CompareOptions) validate() error {
	var errs []error
	if o.Servers.Exe == "" {
		errs = append(errs, errors.New("the hypercare binary is required"))
	}
	if o.Concurrency < 1 || o.Runs < 1 || o.Batch < 1 || o.Keys < 1 {
		errs = append(errs, fmt.Errorf("concurrency, runs, keys and batch must be at least 1 (got %d, %d, %d, %d)", o.Concurrency, o.Runs, o.Keys, o.Batch))
	}
	if o.Duration <= 0 || o.Warmup < 0 || o.Grace < 0 || o.Timeout < 0 {
		errs = append(errs, errors.New("duration must be positive, warmup, grace and timeout not negative"))
	}
	if o.MaxErrorRate < 0 || o.MaxErrorRate > 1 {
		errs = append(errs, fmt.Errorf("max error rate must be from 0 to 100%%, got %g%%", 100*o.MaxErrorRate))
	}
	for _, r := range o.Rates {
		if r <= 0 {
			errs = append(errs, fmt.Errorf("first-page rates must be positive, got %g", r))
		}
	}
	if _, err := o.scenarios(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("loadgen: invalid options: %w", err)
	}
	return nil
}

// RunCompare runs every scenario against every server: for each run, each
// server is started fresh, measured and stopped in turn, the order
// rotating from run to run so no server always goes first (or last, on a
// warmer machine). A server that fails to start ends the comparison with
// an error (and the report so far); runs whose error rate exceeds
// MaxErrorRate are listed in Report.Failures and make the error too.
func RunCompare(ctx context.Context, opts CompareOptions) (CompareReport, error) {
	if err := opts.validate(); err != nil {
		return CompareReport{}, err
	}
	scs, _ := opts.scenarios()
	rep := CompareReport{Settings: opts.settings()}
	for _, sc := range scs {
		res := ScenarioReport{Name: sc.name, Description: sc.desc}
		kinds := opts.kinds(sc)
		runs := make(map[ServerKind][]Measurement, len(kinds))
		for run := range opts.Runs {
			for i := range kinds {
				kind := kinds[(i+run)%len(kinds)]
				m, err := opts.measure(ctx, sc, kind)
				if err != nil {
					rep.Scenarios = append(rep.Scenarios, res)
					return rep, fmt.Errorf("%s, run %d: %w", sc.name, run+1, err)
				}
				if m.Problem != "" {
					rep.Failures = append(rep.Failures, fmt.Sprintf("%s, %s, run %d: %s", sc.name, kind, run+1, m.Problem))
				}
				runs[kind] = append(runs[kind], m)
				opts.progress(sc, kind, run, m)
			}
		}
		for _, kind := range kinds {
			res.Servers = append(res.Servers, ServerRuns{Server: kind, Endpoint: opts.endpoint(sc, kind),
				Median: medianOf(runs[kind]), Runs: runs[kind]})
		}
		res.Ratios = ratiosOf(res.Servers)
		rep.Scenarios = append(rep.Scenarios, res)
	}
	if len(rep.Failures) > 0 {
		return rep, fmt.Errorf("%d run(s) failed (more than %g%% errors, or too few answers to measure): %s",
			len(rep.Failures), 100*opts.MaxErrorRate, strings.Join(rep.Failures, "; "))
	}
	return rep, nil
}

// kinds returns the servers a scenario runs against, in report order.
// The bare endpoint pages nobody, so it has no first-page run.
func (o CompareOptions) kinds(sc scenario) []ServerKind {
	var out []ServerKind
	if o.Servers.Alertmanager != "" {
		out = append(out, Alertmanager)
	}
	if !sc.firstPage() {
		out = append(out, Bare)
	}
	return append(out, Hypercare)
}

// endpoint describes what kind receives in sc.
func (o CompareOptions) endpoint(sc scenario, kind ServerKind) string {
	switch {
	case kind == Alertmanager:
		return fmt.Sprintf("POST /api/v2/alerts (%d alert(s) per request)", max(sc.batch, 1))
	case sc.batch > 1:
		return fmt.Sprintf("POST /integrations/{key} (Alertmanager webhook, %d alerts)", sc.batch)
	}
	return "POST /v2/enqueue (PagerDuty Events v2)"
}

// measure runs one server through one run of sc.
func (o CompareOptions) measure(ctx context.Context, sc scenario, kind ServerKind) (Measurement, error) {
	if sc.firstPage() {
		return o.measurePages(ctx, sc, kind)
	}
	srv, err := o.Servers.start(ctx, kind, "")
	if err != nil {
		return Measurement{}, err
	}
	start := time.Now()
	alerts := compareAlerts{batch: sc.batch, keys: sc.keys, runID: strconv.FormatInt(start.UnixNano(), 36), started: start}
	rep, runErr := Run(ctx, Options{
		URL: srv.url, Concurrency: o.Concurrency, Duration: o.Duration, Warmup: o.Warmup,
		MaxErrorRate: o.MaxErrorRate, Timeout: o.Timeout, Wire: alerts.wireFor(kind, DefaultRoutingKey, compareAMKey),
	})
	// Throughput counts answers inside the window, latency the requests
	// sent in it (see Report.AnsweredPerSecond).
	m := Measurement{
		EventsPerSecond: rep.AnsweredPerSecond * float64(sc.batch), RequestsPerSecond: rep.AnsweredPerSecond,
		P50: rep.Latency.P50, P99: rep.Latency.P99, Sent: rep.Sent, Failed: rep.Failed, FailureRate: rep.FailureRate,
		Problem: strings.TrimPrefix(rep.Verdict, "FAILED: "),
	}
	if (rep.Sent == 0 || rep.AnsweredPerSecond == 0) && m.Problem == "" {
		m.Problem = fmt.Sprintf("too few answers to measure (%d requests sent in the window, %d warmup): "+
			"the server's latency is close to --warmup + --duration, run longer", rep.Sent, rep.WarmupSent)
	}
	return o.finish(srv, m, runErr)
}

// measurePages runs one first-page run: a warmup at the same rate, then
// the measured triggers, against a server paging this process's receiver.
func (o CompareOptions) measurePages(ctx context.Context, sc scenario, kind ServerKind) (Measurement, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return Measurement{}, err
	}
	srv, err := o.Servers.start(ctx, kind, addr)
	if err != nil {
		return Measurement{}, err
	}
	page := PageOptions{URL: srv.url, RoutingKey: DefaultRoutingKey, Receiver: addr, Rate: sc.rate,
		Grace: o.Grace, Concurrency: o.Concurrency, Timeout: o.Timeout, Alertmanager: kind == Alertmanager}
	if warm := int(sc.rate * o.Warmup.Seconds()); warm > 0 {
		page.Count = warm
		if _, err := RunPage(ctx, page); err != nil {
			return o.finish(srv, Measurement{}, fmt.Errorf("warmup: %w", err))
		}
	}
	page.Count = max(1, o.PageCount, int(sc.rate*o.Duration.Seconds()))
	rep, runErr := RunPage(ctx, page)
	m := Measurement{P50: rep.Latency.P50, P99: rep.Latency.P99, Sent: rep.Triggers.Sent,
		Failed: rep.Triggers.Failed + rep.Missing, Paged: rep.Paged, Missing: rep.Missing, PagedTwice: rep.PagedTwice()}
	if m.Sent > 0 {
		m.FailureRate = float64(m.Failed) / float64(m.Sent)
	}
	m.Problem = pageProblem(m, kind, o.MaxErrorRate)
	return o.finish(srv, m, runErr)
}

// pageProblem says why a first-page run does not count: nothing sent, too
// many triggers failed or never paged, or Hypercare paging an escalation
// step twice (which it must never do, however fast; Alertmanager's pages
// are counted, not judged: it re-sends a group by design).
func pageProblem(m Measurement, kind ServerKind, maxErrorRate float64) string {
	switch {
	case m.Sent == 0:
		return "no trigger was sent"
	case m.FailureRate > maxErrorRate:
		return fmt.Sprintf("%d of %d triggers failed or never paged (%d missing pages)", m.Failed, m.Sent, m.Missing)
	case kind != Alertmanager && m.PagedTwice > 0:
		return fmt.Sprintf("%d pages sent twice (the same page again, or a second page of one escalation step)", m.PagedTwice)
	}
	return ""
}

// finish records the server's peak RSS, checks it survived the run and
// stops it.
func (o CompareOptions) finish(srv *server, m Measurement, runErr error) (Measurement, error) {
	select {
	case <-srv.done:
		runErr = errors.Join(runErr, fmt.Errorf("%s exited during the run (%v); its output ends:\n%s", srv.kind, srv.waitErr, srv.out.String()))
	default:
		rss, err := srv.peakRSS()
		m.PeakRSS = rss
		if err != nil && m.Problem == "" {
			m.Note = err.Error()
		}
	}
	if err := errors.Join(runErr, srv.stop()); err != nil {
		return m, fmt.Errorf("%s: %w", srv.kind, err)
	}
	return m, nil
}

func (o CompareOptions) progress(sc scenario, kind ServerKind, run int, m Measurement) {
	if o.Progress == nil {
		return
	}
	what := fmt.Sprintf("%.0f alerts/s", m.EventsPerSecond)
	if sc.firstPage() {
		what = fmt.Sprintf("%d paged", m.Paged)
	}
	fmt.Fprintf(o.Progress, "%s, run %d/%d, %s: %s, p50 %s, p99 %s, peak RSS %s\n",
		sc.name, run+1, o.Runs, kind, what, round(m.P50), round(m.P99), mib(m.PeakRSS))
}

func (o CompareOptions) settings() CompareSettings {
	store := "sqlite"
	if o.Servers.Database != nil {
		store = "postgres"
	}
	return CompareSettings{
		Concurrency: o.Concurrency, Duration: o.Duration, Warmup: o.Warmup, Runs: o.Runs,
		Keys: o.Keys, Batch: o.Batch, Rates: o.Rates, PageCount: o.PageCount, MaxErrorRate: o.MaxErrorRate, Timeout: o.Timeout,
		HypercareStore: store, Alertmanager: o.Servers.Alertmanager, AlertmanagerVersion: o.AlertmanagerVersion,
		Skipped: o.Skipped,
	}
}
