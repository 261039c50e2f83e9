package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// PageOptions configures a first-page latency run (`hypercare bench page`):
// Count triggers, each opening a fresh incident, sent at Rate per second;
// for each, the time from sending it to the receiver getting its first
// page is measured.
type PageOptions struct {
	// URL is the server's base URL (loopback only).
	URL string
	// RoutingKey is an events-v2 key of a service whose escalation policy
	// pages a webhook contact method pointing at Receiver.
	RoutingKey string
	// Receiver is the loopback host:port the webhook receiver listens on.
	Receiver string
	// Listener, if set, is used instead of listening on Receiver (tests).
	Listener net.Listener
	// Count is the number of triggers; Rate is triggers per second.
	Count int
	Rate  float64
	// Grace is how long to wait after the last trigger for missing pages.
	// Zero means DefaultPageGrace.
	Grace time.Duration
	// Concurrency bounds the triggers in flight; zero means 16.
	Concurrency int
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Resolve resolves the run's incidents at the end, so their next
	// escalation level never pages (and a next run starts clean).
	Resolve bool
	// Client sends the requests if set (tests).
	Client *http.Client
	// Alertmanager, if set, makes the server under test an Alertmanager
	// (bench compare's baseline): each trigger is one alert posted to
	// URL/api/v2/alerts, named by its token, and pages are Alertmanager's
	// webhook notifications. RoutingKey is then unused and nothing is
	// resolved (Alertmanager has no incidents to close).
	Alertmanager bool
	// EmailReceiver, if set, is the loopback host:port of an SMTP server
	// this run starts; the service's policy must also page an e-mail
	// contact method through it (BenchConfigEmail), and first e-mail
	// pages are timed too.
	EmailReceiver string
}

// DefaultPageGrace is how long a page run waits for late pages.
const DefaultPageGrace = 10 * time.Second

// resolveLimit bounds the clean-up at the end of a run.
const resolveLimit = 2 * time.Minute

// PageReport is what a page run measured.
type PageReport struct {
	Settings PageSettings `json:"settings"`
	// Triggers are the events sent (open loop, latency from schedule).
	Triggers Requests `json:"triggers"`
	// Paged counts accepted triggers whose page arrived; Missing those
	// whose page had not arrived when the grace period ended.
	Paged   int64 `json:"paged"`
	Missing int64 `json:"missing"`
	// Latency is from sending the trigger to the first page's arrival.
	Latency Latency `json:"latency"`
	// FromCreated is from the incident's created_at (server clock) to the
	// first page: the server's share, without the HTTP request's.
	FromCreated Latency       `json:"from_created"`
	Receiver    ReceiverStats `json:"receiver"`
	Resolves    *Requests     `json:"resolves,omitempty"`
	Elapsed     time.Duration `json:"elapsed_ns"`
	// Email is the first e-mail page of each trigger, when the run had an
	// e-mail receiver.
	Email *EmailPages `json:"email,omitempty"`
}

// PagedTwice counts the webhook pages that should not have come: a page
// delivered again after the receiver answered it, or a second page of one
// incident's escalation step.
func (r *PageReport) PagedTwice() int64 { return r.Receiver.Duplicates + r.Receiver.DoublePages }

// EmailPages is what the e-mail receiver of a page run measured.
type EmailPages struct {
	Receiver string        `json:"receiver"`
	Paged    int64         `json:"paged"`
	Missing  int64         `json:"missing"`
	Latency  Latency       `json:"latency"`
	Stats    ReceiverStats `json:"stats"`
}

// PageSettings echoes a page run's options (not the routing key).
type PageSettings struct {
	// RunID is in every token (hcpage-RUNID-N), so the run's incidents
	// can be found in the server's data.
	RunID       string        `json:"run_id"`
	Endpoint    string        `json:"endpoint"`
	Receiver    string        `json:"receiver"`
	Count       int           `json:"count"`
	Rate        float64       `json:"rate"`
	Grace       time.Duration `json:"grace_ns"`
	Concurrency int           `json:"concurrency"`
}

// RunPage runs a first-page latency benchmark. It stops by itself: after
// the last trigger's slot, plus Grace for pages, plus the resolves. On
// cancellation it returns what it measured so far with the error.
func RunPage(ctx context.Context, opts PageOptions) (PageReport, error) {
	start := time.Now()
	key := opts.RoutingKey
	if opts.Alertmanager {
		key = "-" // not used
	}
	errs := validPaging(opts.URL, key, opts.Receiver)
	if opts.Alertmanager && opts.EmailReceiver != "" {
		errs = append(errs, errors.New("an Alertmanager run times webhook pages only, not e-mail"))
	}
	if opts.Count < 1 {
		errs = append(errs, fmt.Errorf("count must be at least 1, got %d", opts.Count))
	}
	if opts.Rate <= 0 {
		errs = append(errs, fmt.Errorf("rate must be positive, got %g", opts.Rate))
	}
	if opts.Grace < 0 || opts.Concurrency < 0 || opts.Timeout < 0 {
		errs = append(errs, errors.New("grace, concurrency and timeout must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return PageReport{}, fmt.Errorf("loadgen: invalid options: %w", err)
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultPageGrace
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = 16
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	target := hypercareTarget(opts.RoutingKey)
	if opts.Alertmanager {
		target = alertmanagerTarget()
	}
	endpoint := strings.TrimRight(opts.URL, "/") + target.path
	runID := strconv.FormatInt(start.UnixNano(), 36)
	tr := newTracker("hcpage-"+runID+"-", opts.Count)
	rcv, err := startReceiverHandler(opts.Receiver, opts.Listener, target.handler(tr))
	if err != nil {
		return PageReport{}, err
	}
	defer rcv.close()
	trackers := []*tracker{tr}
	var mailTr *tracker
	if opts.EmailReceiver != "" {
		mailTr = newTracker(tr.prefix, opts.Count)
		sink, err := startSMTPSink(opts.EmailReceiver, mailTr)
		if err != nil {
			return PageReport{}, err
		}
		defer sink.close()
		trackers = append(trackers, mailTr)
	}
	client, release := pagingClient(opts.Client, opts.Concurrency)
	defer release()

	// Open loop: trigger seq is due at start + seq/rate whatever the server
	// does; a full set of requests in flight shows up as send lag.
	triggers := newTallyAccepting(target.accepted)
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	begin := time.Now()
	sendLoop := func() {
		for seq := 0; seq < opts.Count; seq++ {
			due := begin.Add(time.Duration(float64(seq) * float64(time.Second) / opts.Rate))
			if d := time.Until(due); d > 0 {
				timer.Reset(d)
				select {
				case <-ctx.Done():
					return
				case <-timer.C:
				}
			}
			select {
			case <-ctx.Done():
				return
			case sem <- struct{}{}:
			}
			wg.Go(func() {
				defer func() { <-sem }()
				body, err := target.trigger(tr.token(seq), time.Now())
				sentAt := time.Now()
				for _, t := range trackers {
					t.sending(seq, sentAt)
				}
				res := result{err: err}
				if err == nil {
					res = postEvent(ctx, client, endpoint, body, opts.Timeout)
				}
				if res.status == target.accepted {
					for _, t := range trackers {
						t.accept(seq)
					}
				}
				if ctx.Err() == nil {
					triggers.record(due, sentAt, time.Now(), res, true)
				}
			})
		}
	}
	sendLoop()
	wg.Wait()
	deadline := time.Now().Add(opts.Grace)
	for _, t := range trackers {
		t.waitAll(ctx, 0, deadline, 0, nil)
	}

	rep := PageReport{Settings: PageSettings{RunID: runID, Endpoint: endpoint, Receiver: rcv.addr, Count: opts.Count,
		Rate: opts.Rate, Grace: opts.Grace, Concurrency: opts.Concurrency}}
	rep.Triggers = triggers.summary()
	items, stats := tr.snapshot()
	rep.Receiver = stats
	rep.Paged, rep.Missing, rep.Latency, rep.FromCreated = pageLatencies(items)
	if mailTr != nil {
		items, stats := mailTr.snapshot()
		e := &EmailPages{Receiver: opts.EmailReceiver, Stats: stats}
		e.Paged, e.Missing, e.Latency, _ = pageLatencies(items)
		rep.Email = e
	}
	if opts.Resolve && !opts.Alertmanager && ctx.Err() == nil {
		r := resolveAll(ctx, client, endpoint, opts.RoutingKey, tr, opts.Concurrency, opts.Timeout, resolveLimit)
		rep.Resolves = &r
	}
	rep.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("page run stopped early: %w", err)
	}
	return rep, nil
}

// pageTarget is what differs between paging a Hypercare server and an
// Alertmanager: where triggers go, what they look like, which status
// accepts them and how a page reads.
type pageTarget struct {
	path     string
	trigger  func(token string, now time.Time) ([]byte, error)
	accepted int
	handler  func(*tracker) http.Handler
}

// hypercareTarget sends PagerDuty events with routingKey.
func hypercareTarget(routingKey string) pageTarget {
	return pageTarget{
		path: "/v2/enqueue",
		trigger: func(token string, now time.Time) ([]byte, error) {
			return pagingEvent(routingKey, "trigger", token, now)
		},
		accepted: http.StatusAccepted,
		handler:  (*tracker).handler,
	}
}

// alertmanagerTarget posts one alert per trigger to Alertmanager's API,
// its token as the alertname, so each alert is its own group (the
// benchmark's route groups by every label) and its notification names it.
func alertmanagerTarget() pageTarget {
	return pageTarget{
		path: "/api/v2/alerts",
		trigger: func(token string, now time.Time) ([]byte, error) {
			return json.Marshal([]amAlert{{
				Labels:       map[string]string{"alertname": token, "job": "loadgen", "severity": "critical"},
				Annotations:  map[string]string{"summary": "hypercare bench page " + token},
				StartsAt:     now.UTC().Format(time.RFC3339Nano),
				GeneratorURL: "http://prometheus.bench:9090/graph",
			}})
		},
		accepted: http.StatusOK,
		handler:  (*tracker).amHandler,
	}
}

// pageLatencies measures the first page of each accepted trigger.
func pageLatencies(items []tracked) (paged, missing int64, fromSend, fromCreated Latency) {
	var send, created []time.Duration
	for _, it := range items {
		if !it.accepted {
			continue
		}
		if it.first.at.IsZero() {
			missing++
			continue
		}
		paged++
		send = append(send, it.first.at.Sub(it.sentAt))
		if !it.first.createdAt.IsZero() {
			created = append(created, it.first.at.Sub(it.first.createdAt))
		}
	}
	return paged, missing, summarize(send), summarize(created)
}

// WriteTable writes the report for a human.
func (r PageReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	s := r.Settings
	fmt.Fprintf(tw, "Endpoint\t%s (run %s)\n", s.Endpoint, s.RunID)
	fmt.Fprintf(tw, "Receiver\thttp://%s (grace %s)\n", s.Receiver, s.Grace)
	fmt.Fprintf(tw, "Triggers\t%d at %g/s, open loop, at most %d in flight (elapsed %s)\n", s.Count, s.Rate, s.Concurrency, round(r.Elapsed))
	writeRequests(tw, "Trigger", r.Triggers, true)
	fmt.Fprintf(tw, "Pages received\t%d of %d accepted triggers (missing %d)\n", r.Paged, r.Triggers.Succeeded, r.Missing)
	fmt.Fprintf(tw, "First page\t%s\n", latencyLine(r.Latency))
	fmt.Fprintf(tw, "  from created_at\t%s\n", latencyLine(r.FromCreated))
	writeReceiver(tw, r.Receiver)
	if e := r.Email; e != nil {
		fmt.Fprintf(tw, "E-mail pages\t%d of %d accepted triggers via smtp://%s (missing %d)\n", e.Paged, r.Triggers.Succeeded, e.Receiver, e.Missing)
		fmt.Fprintf(tw, "First e-mail\t%s\n", latencyLine(e.Latency))
		writeReceiver(tw, e.Stats)
	}
	if r.Resolves != nil {
		fmt.Fprintf(tw, "Resolved\t%d of %d\n", r.Resolves.Succeeded, r.Resolves.Sent)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

func latencyLine(l Latency) string {
	if l.Count == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s  mean %s  (n=%d)",
		round(l.P50), round(l.P95), round(l.P99), round(l.Max), round(l.Mean), l.Count)
}

// writeRequests writes a Requests summary: a line of counts, latency, and
// one line per unexpected status or error.
func writeRequests(tw io.Writer, name string, r Requests, open bool) {
	fmt.Fprintf(tw, "%s answers\t%d sent, %d accepted (202), %d failed (%d transport errors)\n",
		name, r.Sent, r.Succeeded, r.Failed, r.TransportErrors)
	fmt.Fprintf(tw, "%s latency\t%s\n", name, latencyLine(r.Latency))
	if open {
		fmt.Fprintf(tw, "Late sends\t%d over %s (max lag %s)\n", r.LateSends, LateThreshold, round(r.MaxSendLag))
	}
	for _, sc := range r.StatusCodes {
		if sc.Code != http.StatusAccepted {
			fmt.Fprintf(tw, "  status %d\t%d  %s\n", sc.Code, sc.Count, oneLine(sc.SampleBody))
		}
	}
	for _, msg := range r.ErrorSamples {
		fmt.Fprintf(tw, "  error\t%s\n", oneLine(msg))
	}
}

func writeReceiver(tw io.Writer, s ReceiverStats) {
	fmt.Fprintf(tw, "Receiver got\t%d pages: %d duplicate IDs, %d double pages, %d deeper levels, %d foreign, %d malformed\n",
		s.Pages, s.Duplicates, s.DoublePages, s.Deeper, s.Foreign, s.Malformed)
}
