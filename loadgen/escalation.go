package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// EscalationOptions configures an escalation-timer run (`hypercare bench
// escalation`): Incidents incidents are opened as fast as Concurrency
// workers can, on a service whose policy pages the receiver at once
// (level 1) and again after EscalateAfter (level 2); the run then waits for
// the level-2 pages and measures how late each came.
type EscalationOptions struct {
	URL        string
	RoutingKey string
	Receiver   string
	// Listener, if set, is used instead of listening on Receiver (tests).
	Listener net.Listener
	// Incidents to open; Concurrency workers open them (closed loop).
	Incidents   int
	Concurrency int
	// EscalateAfter is level 1's escalate_after_minutes in the server's
	// config: level 2 is due that long after level 1 paged.
	EscalateAfter time.Duration
	// Grace is how long past the last level-2 due time the run waits for
	// missing pages. A run that is to survive a server restart needs a
	// Grace longer than the outage. Zero means DefaultEscalationGrace.
	Grace time.Duration
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// HealthEvery is how often the server's /metrics is polled while
	// waiting, to see outages and restarts; zero means 250ms, negative off.
	HealthEvery time.Duration
	// AfterRestart is the window after the server came back whose due
	// steps are reported separately; zero means one minute.
	AfterRestart time.Duration
	// Resolve resolves the run's incidents once the pages are in.
	Resolve bool
	// Progress, if set, gets a line of progress every few seconds while
	// the run waits, and the time window in which level 2 falls due.
	Progress io.Writer
	// Client sends the requests if set (tests).
	Client *http.Client
}

// DefaultEscalationGrace is how long past the last due time a run waits.
const DefaultEscalationGrace = time.Minute

// progressEvery is the interval of progress lines.
const progressEvery = 5 * time.Second

// EscalationReport is what an escalation run measured. Lateness of a
// level-2 page is its arrival minus (incident created_at + EscalateAfter):
// how much later than the earliest moment the policy allows it came.
type EscalationReport struct {
	Settings EscalationSettings `json:"settings"`
	// Triggers are the events that opened the incidents (closed loop).
	Triggers Requests `json:"triggers"`
	// OpenedIn is how long opening the incidents took.
	OpenedIn time.Duration `json:"opened_in_ns"`
	// Level1 is from created_at to the level-1 page; Level1Missing counts
	// accepted incidents without one.
	Level1        Latency `json:"level1_from_created"`
	Level1Missing int64   `json:"level1_missing"`
	// Lateness is of the level-2 pages; Level2Missing counts incidents
	// without one by the deadline; Early counts level-2 pages that came
	// before created_at + EscalateAfter (a timer firing early).
	Lateness      Latency `json:"level2_lateness"`
	Level2Missing int64   `json:"level2_missing"`
	Early         int64   `json:"level2_early"`
	// AfterLevel1 is level-2 arrival minus (level-1 arrival +
	// EscalateAfter): the timer's own lateness, without the level-1 delay
	// that the server's due time (level-1 step time + timeout) includes.
	AfterLevel1 Latency `json:"level2_after_level1"`
	// Outages are the periods the server did not answer while the run
	// waited, and its restarts.
	Outages []Outage `json:"outages,omitempty"`
	// Restart, when there was an outage, splits the level-2 pages around
	// the last one.
	Restart  *RestartReport `json:"restart,omitempty"`
	Receiver ReceiverStats  `json:"receiver"`
	Resolves *Requests      `json:"resolves,omitempty"`
	Elapsed  time.Duration  `json:"elapsed_ns"`
}

// EscalationSettings echoes an escalation run's options.
type EscalationSettings struct {
	// RunID is in every token (hcesc-RUNID-N).
	RunID         string        `json:"run_id"`
	Endpoint      string        `json:"endpoint"`
	Receiver      string        `json:"receiver"`
	Incidents     int           `json:"incidents"`
	Concurrency   int           `json:"concurrency"`
	EscalateAfter time.Duration `json:"escalate_after_ns"`
	Grace         time.Duration `json:"grace_ns"`
}

// Outage is a period in which the server did not answer, or a restart.
type Outage struct {
	// Down is the first failed poll, or for a restart between two polls
	// the last good one before it.
	Down time.Time `json:"down"`
	// Up is the first good poll after Down (the first that saw the new
	// process, for a restart); zero if it never came back. Both are
	// accurate to the poll interval.
	Up time.Time `json:"up"`
	// Restarted is set when the server came back as a new process.
	Restarted bool `json:"restarted"`
}

// RestartReport measures level 2 around the server's last restart.
type RestartReport struct {
	Outage Outage `json:"outage"`
	// DueDuringOutage: steps due while the server was down; CatchUp is
	// their arrival minus the moment the server was back up.
	DueDuringOutage int64   `json:"due_during_outage"`
	CatchUp         Latency `json:"catch_up_after_up"`
	// DueAfterUp: steps due in the AfterRestart window after it came back,
	// with their ordinary lateness.
	Window     time.Duration `json:"window_ns"`
	DueAfterUp int64         `json:"due_after_up"`
	Lateness   Latency       `json:"lateness"`
	Missing    int64         `json:"missing"`
}

// RunEscalation runs an escalation-timer benchmark. It stops by itself:
// at the latest Grace after the last level-2 page was due (counted from
// when the last incident was opened), plus the resolves.
func RunEscalation(ctx context.Context, opts EscalationOptions) (EscalationReport, error) {
	start := time.Now()
	errs := validPaging(opts.URL, opts.RoutingKey, opts.Receiver)
	if opts.Incidents < 1 {
		errs = append(errs, fmt.Errorf("incidents must be at least 1, got %d", opts.Incidents))
	}
	if opts.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency must be at least 1, got %d", opts.Concurrency))
	}
	if opts.EscalateAfter <= 0 {
		errs = append(errs, fmt.Errorf("the level-1 timeout must be positive, got %s", opts.EscalateAfter))
	}
	if opts.Grace < 0 || opts.Timeout < 0 || opts.AfterRestart < 0 {
		errs = append(errs, errors.New("grace, timeout and after-restart window must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return EscalationReport{}, fmt.Errorf("loadgen: invalid options: %w", err)
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultEscalationGrace
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.HealthEvery == 0 {
		opts.HealthEvery = 250 * time.Millisecond
	}
	if opts.AfterRestart == 0 {
		opts.AfterRestart = time.Minute
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	endpoint := enqueueURL(opts.URL)
	runID := strconv.FormatInt(start.UnixNano(), 36)
	tr := newTracker("hcesc-"+runID+"-", opts.Incidents)
	rcv, err := startReceiver(opts.Receiver, opts.Listener, tr)
	if err != nil {
		return EscalationReport{}, err
	}
	defer rcv.close()
	client, release := pagingClient(opts.Client, opts.Concurrency)
	defer release()

	// Open the incidents, closed loop.
	triggers := newTally()
	var next atomic.Int64
	var wg sync.WaitGroup
	openStart := time.Now()
	for range opts.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				seq := int(next.Add(1) - 1)
				if seq >= opts.Incidents {
					return
				}
				body, err := pagingEvent(opts.RoutingKey, "trigger", tr.token(seq), time.Now())
				sentAt := time.Now()
				tr.sending(seq, sentAt)
				res := result{err: err}
				if err == nil {
					res = postEvent(ctx, client, endpoint, body, opts.Timeout)
				}
				if res.status == http.StatusAccepted {
					tr.accept(seq)
				}
				if ctx.Err() == nil {
					triggers.record(sentAt, sentAt, time.Now(), res, false)
				}
			}
		})
	}
	wg.Wait()
	openedAt := time.Now()
	rep := EscalationReport{Settings: EscalationSettings{RunID: runID, Endpoint: endpoint, Receiver: rcv.addr, Incidents: opts.Incidents,
		Concurrency: opts.Concurrency, EscalateAfter: opts.EscalateAfter, Grace: opts.Grace}}
	rep.Triggers = triggers.summary()
	rep.OpenedIn = openedAt.Sub(openStart)
	fmt.Fprintf(progress, "opened %d of %d incidents in %s; level 2 falls due from about %s to %s; waiting until %s at the latest\n",
		rep.Triggers.Succeeded, opts.Incidents, round(rep.OpenedIn),
		clock(openStart.Add(opts.EscalateAfter)), clock(openedAt.Add(opts.EscalateAfter)),
		clock(openedAt.Add(opts.EscalateAfter+opts.Grace)))

	// Wait for level 2, watching the server's health.
	health := &healthWatch{}
	if opts.HealthEvery > 0 && ctx.Err() == nil {
		hctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); health.run(hctx, client, opts.URL, opts.HealthEvery) }()
		defer func() { stop(); <-done }()
	}
	if rep.Triggers.Succeeded > 0 {
		tr.waitAll(ctx, 2, openedAt.Add(opts.EscalateAfter+opts.Grace), progressEvery, func() {
			accepted, l1 := tr.count(1)
			_, l2 := tr.count(2)
			state := "up"
			if health.down() {
				state = "DOWN"
			}
			fmt.Fprintf(progress, "%s  level 1 %d/%d  level 2 %d/%d  server %s\n", clock(time.Now()), l1, accepted, l2, accepted, state)
		})
	}
	items, stats := tr.snapshot()
	rep.Receiver = stats
	rep.Outages = health.outages()
	rep.measure(items, opts.EscalateAfter, opts.AfterRestart)
	if opts.Resolve && ctx.Err() == nil {
		r := resolveAll(ctx, client, endpoint, opts.RoutingKey, tr, opts.Concurrency, opts.Timeout, resolveLimit)
		rep.Resolves = &r
	}
	rep.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("escalation run stopped early: %w", err)
	}
	return rep, nil
}

// measure computes the level-1 and level-2 figures from the items.
func (rep *EscalationReport) measure(items []tracked, after, window time.Duration) {
	var l1, late, gap []time.Duration
	for _, it := range items {
		if !it.accepted {
			continue
		}
		a1, a2 := it.levels[1], it.levels[2]
		if a1.at.IsZero() {
			rep.Level1Missing++
		} else {
			l1 = append(l1, a1.at.Sub(a1.createdAt))
		}
		if a2.at.IsZero() {
			rep.Level2Missing++
			continue
		}
		d := a2.at.Sub(a2.createdAt.Add(after))
		if d < 0 {
			rep.Early++
		}
		late = append(late, d)
		if !a1.at.IsZero() {
			gap = append(gap, a2.at.Sub(a1.at.Add(after)))
		}
	}
	rep.Level1, rep.Lateness, rep.AfterLevel1 = summarize(l1), summarize(late), summarize(gap)
	if len(rep.Outages) == 0 {
		return
	}
	o := rep.Outages[len(rep.Outages)-1]
	rr := &RestartReport{Outage: o, Window: window}
	rep.Restart = rr
	if o.Up.IsZero() {
		return
	}
	var catchUp, after2 []time.Duration
	for _, it := range items {
		if !it.accepted {
			continue
		}
		// The due time needs created_at, which only a page tells; an
		// incident with no page at all cannot be placed.
		created := it.levels[2].createdAt
		if created.IsZero() {
			created = it.levels[1].createdAt
		}
		if created.IsZero() {
			continue
		}
		due := created.Add(after)
		arrived := it.levels[2].at
		switch {
		case !due.Before(o.Down) && due.Before(o.Up):
			rr.DueDuringOutage++
			if arrived.IsZero() {
				rr.Missing++
			} else {
				catchUp = append(catchUp, arrived.Sub(o.Up))
			}
		case !due.Before(o.Up) && due.Before(o.Up.Add(window)):
			rr.DueAfterUp++
			if arrived.IsZero() {
				rr.Missing++
			} else {
				after2 = append(after2, arrived.Sub(due))
			}
		}
	}
	rr.CatchUp, rr.Lateness = summarize(catchUp), summarize(after2)
}

// WriteTable writes the report for a human.
func (r EscalationReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	s := r.Settings
	fmt.Fprintf(tw, "Endpoint\t%s (run %s)\n", s.Endpoint, s.RunID)
	fmt.Fprintf(tw, "Receiver\thttp://%s\n", s.Receiver)
	fmt.Fprintf(tw, "Incidents\t%d opened by %d workers in %s (%.0f/s)\n", s.Incidents, s.Concurrency, round(r.OpenedIn),
		float64(r.Triggers.Succeeded)/max(r.OpenedIn.Seconds(), 1e-9))
	fmt.Fprintf(tw, "Level-1 timeout\t%s (grace %s, elapsed %s)\n", s.EscalateAfter, s.Grace, round(r.Elapsed))
	writeRequests(tw, "Trigger", r.Triggers, false)
	fmt.Fprintf(tw, "Level 1 page\t%s  missing %d\n", latencyLine(r.Level1), r.Level1Missing)
	fmt.Fprintf(tw, "Level 2 lateness\t%s\n", latencyLine(r.Lateness))
	fmt.Fprintf(tw, "  missing, early\t%d, %d\n", r.Level2Missing, r.Early)
	fmt.Fprintf(tw, "  after level 1\t%s\n", latencyLine(r.AfterLevel1))
	for _, o := range r.Outages {
		up := "never came back"
		if !o.Up.IsZero() {
			up = fmt.Sprintf("up at %s (down %s)", clock(o.Up), round(o.Up.Sub(o.Down)))
			if o.Restarted {
				up += ", restarted"
			}
		}
		fmt.Fprintf(tw, "Outage\tdown at %s, %s\n", clock(o.Down), up)
	}
	if rr := r.Restart; rr != nil {
		fmt.Fprintf(tw, "Due while down\t%d, arrived after up: %s\n", rr.DueDuringOutage, latencyLine(rr.CatchUp))
		fmt.Fprintf(tw, "Due %s after up\t%d, lateness: %s\n", rr.Window, rr.DueAfterUp, latencyLine(rr.Lateness))
		fmt.Fprintf(tw, "  missing\t%d\n", rr.Missing)
	}
	writeReceiver(tw, r.Receiver)
	if r.Resolves != nil {
		fmt.Fprintf(tw, "Resolved\t%d of %d\n", r.Resolves.Succeeded, r.Resolves.Sent)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// clock formats a wall-clock time for progress lines.
func clock(t time.Time) string { return t.Format("15:04:05.000") }

// healthWatch polls the server's /metrics (the public ops endpoint) and
// records outages: periods in which it did not answer 200, and restarts
// too quick for any poll to fail, which show as a new
// process_start_time_seconds.
type healthWatch struct {
	mu     sync.Mutex
	list   []Outage
	lastOK time.Time // the last good poll
	start  float64   // the server process's start time, Unix seconds
}

func (h *healthWatch) run(ctx context.Context, client *http.Client, base string, every time.Duration) {
	url := trimSlash(base) + "/metrics"
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		ok, start := pollMetrics(ctx, client, url, min(every*4, 2*time.Second))
		if ctx.Err() != nil {
			return
		}
		h.observe(ok, start, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
	}
}

// observe records one poll's outcome: ok and, if known, the process start
// time (Unix seconds, 0 if unknown).
func (h *healthWatch) observe(ok bool, start float64, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.list)
	down := n > 0 && h.list[n-1].Up.IsZero()
	restarted := ok && start != 0 && h.start != 0 && start != h.start
	switch {
	case !ok && !down:
		h.list = append(h.list, Outage{Down: at})
	case ok && down:
		h.list[n-1].Up, h.list[n-1].Restarted = at, restarted
	case restarted:
		// Killed and back between two polls: the outage lies between
		// the last good poll and this one. (The start time itself is no
		// better a bound: Linux reports it against a boot time rounded
		// to the second.)
		h.list = append(h.list, Outage{Down: h.lastOK, Up: at, Restarted: true})
	}
	if ok {
		h.lastOK = at
		if start != 0 {
			h.start = start
		}
	}
}

func (h *healthWatch) down() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.list)
	return n > 0 && h.list[n-1].Up.IsZero()
}

func (h *healthWatch) outages() []Outage {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Outage(nil), h.list...)
}

// pollMetrics GETs url and returns whether it answered 200 and the value
// of process_start_time_seconds in it (0 if absent).
func pollMetrics(ctx context.Context, client *http.Client, url string, timeout time.Duration) (bool, float64) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, 0
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return false, 0
	}
	return true, processStart(string(body))
}

// processStart finds process_start_time_seconds in a Prometheus text
// exposition; 0 if it is not there.
func processStart(metrics string) float64 {
	const name = "process_start_time_seconds "
	for line := range strings.Lines(metrics) {
		if v, ok := strings.CutPrefix(line, name); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return 0
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}
