// Package loadgen drives Hypercare's ingest endpoint with PagerDuty Events
// API v2 traffic and measures what comes back, so the throughput and latency
// numbers in BENCHMARKS.md come from one reproducible tool rather than
// ad-hoc scripts. It is a pure client: it knows the public wire format and
// nothing of the server's internals, so it can measure any build, or even a
// different Events v2 receiver.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds each request when Options.Timeout is zero, so a hung
// server cannot keep a run going long after its window has ended.
const DefaultTimeout = 10 * time.Second

// LateThreshold is how far behind its scheduled time an open-loop request
// may start before it counts as late. Below about a millisecond the number
// would mostly measure the operating system's timer slack.
const LateThreshold = time.Millisecond

// Options configures one load run. The zero value is not usable: URL,
// RoutingKey, Concurrency and Duration must be set.
type Options struct {
	// URL is the server's base URL; events are posted to URL/v2/enqueue.
	URL string
	// RoutingKey is the events-v2 integration key every event carries.
	RoutingKey string
	// Concurrency is the number of workers and so the most requests in
	// flight at once.
	Concurrency int
	// Duration is the measured window, which starts after Warmup.
	Duration time.Duration
	// Warmup is sent but not measured, so connection setup and cold caches
	// do not skew the numbers.
	Warmup time.Duration
	// Rate, when positive, switches to an open loop: requests are scheduled
	// at Rate per second whatever the server does, and latency counts from
	// each request's scheduled time, so a slow server shows up as latency
	// instead of silently lowering the load (coordinated omission). Zero is
	// a closed loop: every worker sends back to back, for peak throughput.
	Rate float64
	// Keys is how many distinct dedup keys events cycle over, modelling a
	// storm of Keys alerts that keep re-triggering (which exercises dedup).
	// Zero gives every event a fresh key, so each trigger opens a new alert.
	Keys int
	// ActionMix picks each event's action: "trigger" (the default),
	// "trigger,resolve" (equal weights) or "trigger:8,acknowledge:1,resolve:1".
	ActionMix string
	// Format is FormatEventsV2 ("" too) or FormatAlertmanager.
	Format string
	// Batch is the alerts per request of FormatAlertmanager (0:
	// DefaultAlertmanagerBatch); events-v2 sends one event per request.
	// Events per second count alerts, not requests.
	Batch int
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxErrorRate is the fraction of measured requests (0.01 is 1%) that
	// may fail, answered anything but 202 or not at all, before the report
	// calls the run failed (Report.Verdict): throughput measured while the
	// server refuses most requests measures its refusals, not its ingest.
	MaxErrorRate float64
	// Client sends the requests if set (tests). By default Run builds a
	// keep-alive client with an idle pool sized to Concurrency.
	Client *http.Client
	// Wire, if set, replaces the PagerDuty events: bench compare sends the
	// same load to servers that speak other formats. RoutingKey, Keys and
	// ActionMix are then unused, and nothing is remembered for a cleanup.
	Wire *Wire
}

// Wire says how a run's requests look when they are not PagerDuty Events
// v2 triggers: where they go, what each carries, and which status means
// accepted (Alertmanager answers 200, Hypercare and PagerDuty 202).
type Wire struct {
	// Path is appended to Options.URL, e.g. "/api/v2/alerts".
	Path string
	// Body returns request seq's body; it must be safe to call from
	// many goroutines.
	Body func(seq int64, now time.Time) ([]byte, error)
	// Accepted is the status counted as success; zero means 202.
	Accepted int
}

// accepted returns the status that counts as success.
func (o Options) accepted() int {
	if o.Wire != nil && o.Wire.Accepted != 0 {
		return o.Wire.Accepted
	}
	return http.StatusAccepted
}

// plan is a validated Options with defaults applied.
type plan struct {
	opts     Options
	endpoint string
	events   eventSource
	// body builds request seq's body: events.body or Wire.Body.
	body func(seq int64, now time.Time) ([]byte, error)
}

// newPlan validates opts and fills in defaults, returning every problem at
// once so a user fixes a command line in one go.
func newPlan(opts Options, start time.Time) (*plan, error) {
	var errs []error
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("url %q: want an http:// or https:// base URL", opts.URL))
	}
	if opts.Wire == nil && opts.RoutingKey == "" {
		errs = append(errs, errors.New("routing key is required"))
	}
	if opts.Wire != nil && opts.Wire.Body == nil {
		errs = append(errs, errors.New("wire: a body function is required"))
	}
	if opts.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency must be at least 1, got %d", opts.Concurrency))
	}
	if opts.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration must be positive, got %s", opts.Duration))
	}
	if opts.Warmup < 0 || opts.Rate < 0 || opts.Keys < 0 || opts.Timeout < 0 {
		errs = append(errs, errors.New("warmup, rate, keys and timeout must not be negative"))
	}
	if opts.MaxErrorRate < 0 || opts.MaxErrorRate > 1 {
		errs = append(errs, fmt.Errorf("max error rate must be from 0 to 100%%, got %g%%", 100*opts.MaxErrorRate))
	}
	switch opts.Format {
	case "", FormatEventsV2:
		opts.Format = FormatEventsV2
		if opts.Batch > 1 {
			errs = append(errs, fmt.Errorf("batch %d: the events-v2 format sends one event per request", opts.Batch))
		}
		opts.Batch = 1
	case FormatAlertmanager:
		if opts.Batch == 0 {
			opts.Batch = DefaultAlertmanagerBatch
		}
		if opts.Batch < 1 {
			errs = append(errs, fmt.Errorf("batch must be at least 1, got %d", opts.Batch))
		}
	default:
		errs = append(errs, fmt.Errorf("format %q: want %s or %s", opts.Format, FormatEventsV2, FormatAlertmanager))
	}
	if opts.ActionMix == "" {
		opts.ActionMix = "trigger"
	}
	mix, err := parseActionMix(opts.ActionMix)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("loadgen: invalid options: %w", err)
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	endpoint := strings.TrimRight(opts.URL, "/") + "/v2/enqueue"
	if opts.Format == FormatAlertmanager {
		endpoint = strings.TrimRight(opts.URL, "/") + "/integrations/" + url.PathEscape(opts.RoutingKey)
	}
	events := newEventSource(opts.RoutingKey, opts.Keys, mix, start)
	events.format, events.batch = opts.Format, opts.Batch
	p := &plan{opts: opts, endpoint: endpoint, events: events}
	p.body = p.events.body
	if opts.Wire != nil {
		p.endpoint = strings.TrimRight(opts.URL, "/") + opts.Wire.Path
		p.body = opts.Wire.Body
	}
	return p, nil
}

// httpClient returns the client to send with and a function that releases
// its idle connections once the run is over.
func (p *plan) httpClient() (*http.Client, func()) {
	if p.opts.Client != nil {
		return p.opts.Client, func() {}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * p.opts.Concurrency
	tr.MaxIdleConnsPerHost = p.opts.Concurrency
	tr.DisableCompression = true
	return &http.Client{Transport: tr}, tr.CloseIdleConnections
}

// Run sends events as opts describes until the warmup and the measured
// window have passed (or ctx is cancelled) and reports what it measured.
// Requests still in flight when the window closes are awaited, each bounded
// by the request timeout, so Run returns at most Timeout after the window.
// On cancellation it returns the partial report together with the error.
func Run(ctx context.Context, opts Options) (Report, error) {
	start := time.Now()
	p, err := newPlan(opts, start)
	if err != nil {
		return Report{}, err
	}
	client, release := p.httpClient()
	defer release()

	sched := newSchedule(start, p.opts)
	recs := make([]*recorder, p.opts.Concurrency)
	var wg sync.WaitGroup
	for i := range recs {
		recs[i] = newRecorder()
		w := &worker{plan: p, sched: sched, client: client, rec: recs[i]}
		wg.Go(func() { w.run(ctx) })
	}
	wg.Wait()

	rep := buildReport(p.opts, p.endpoint, recs, time.Since(start))
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("load run stopped early: %w", err)
	}
	return rep, nil
}
