// Package replay runs a recorded stream of events through the production
// pipeline on a simulated clock and a throwaway store, and reports what it
// did: the incidents opened, who was paged when, what each event rule did
// and how many pages noise reduction saved. It answers "what would last
// year's Black Friday have looked like with this config?" in seconds,
// before the config meets a real storm.
//
// Nothing is imitated: lines are parsed by package ingest's parsers (by
// integration type, as the HTTP intake does), processed by intake.Intake
// (rules, grouping, dependencies, transient pause, flapping, hypercare
// window overlay), escalated by escalate.Engine and delivered by
// notify.Engine to a recording sender instead of a channel. Only the clock
// (a fake one, moved to each event's received_at and to each due step in
// between) and the store (a temporary SQLite database, removed after) are
// the replay's own. The same file replays to the same report, byte for
// byte.
package replay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/store"
)

// DefaultHorizon is how long after the last event a replay keeps the clock
// running, so pages that wait (pause_notifications_minutes, escalation
// timeouts, delayed notification rules, repeats) are counted.
const DefaultHorizon = 24 * time.Hour

// maxLine bounds one line of a replay file: the largest body the server
// accepts, with room for the line's other fields.
const maxLine = 16 << 20

// Options tune a replay.
type Options struct {
	// TempDir is where the throwaway database is created (default:
	// /dev/shm when there is one, a memory-backed file system that makes
	// the replay's many small commits cheaper, else the system's temporary
	// directory). It is removed when Run returns.
	TempDir string
	// Horizon is how long the clock runs on after the last event; zero
	// (the field left out) means DefaultHorizon, and a negative one is
	// refused. A caller taking it from a user refuses zero itself, as the
	// CLI's --horizon does, rather than replaying a day the user did not
	// ask for.
	Horizon time.Duration
	// Logger receives the engines' logs (default: none).
	Logger *slog.Logger
	// Channels are the contact types the server delivers (its notify
	// registry's, as readiness reads them); a page on another type fails
	// as it would in the server (no channel) and is not recorded. Nil
	// records pages on every type.
	Channels []hypercare.ContactType
}

// Run replays lines (JSON lines: received_at, key, body) through cfg's
// integrations, rules, services, policies and people, and returns the
// report. Lines are processed in received_at order (stable: equal times
// keep file order). A bad line, or one whose key no integration of cfg
// has, fails the whole replay with a *LineError naming line and field,
// before anything is processed.
func Run(ctx context.Context, cfg *config.Config, lines io.Reader, opts Options) (*Report, error) {
	if opts.Horizon < 0 {
		return nil, fmt.Errorf("replay: horizon %s is negative", opts.Horizon)
	}
	if opts.Horizon == 0 {
		opts.Horizon = DefaultHorizon
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	_, _, integrations := cfg.Catalog()
	routes := make(map[string]hypercare.Integration, len(integrations))
	for _, it := range integrations {
		routes[it.Key] = it
	}
	parsed, err := readLines(lines, routes)
	if err != nil {
		return nil, err
	}
	dir, err := makeTempDir(opts.TempDir)
	if err != nil {
		return nil, fmt.Errorf("replay: temporary store: %w", err)
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, store.Options{DataDir: dir, Logger: opts.Logger, Throwaway: true})
	if err != nil {
		return nil, fmt.Errorf("replay: temporary store: %w", err)
	}
	defer st.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- st.Run(runCtx) }()
	defer func() { stop(); <-done }()

	start := time.Unix(0, 0).UTC()
	if len(parsed) > 0 {
		start = parsed[0].line.ReceivedAt
	}
	r, err := newRunner(ctx, st, cfg, integrations, clocktest.New(start), opts.Logger, opts.Channels)
	if err != nil {
		return nil, err
	}
	if err := r.replay(ctx, parsed, opts.Horizon); err != nil {
		return nil, err
	}
	return r.report(ctx)
}

// makeTempDir creates the throwaway database's directory in dir, or by
// default in /dev/shm when it can, else in the system's temporary
// directory.
func makeTempDir(dir string) (string, error) {
	if dir == "" {
		if d, err := os.MkdirTemp("/dev/shm", "hypercare-replay-"); err == nil {
			return d, nil
		}
	}
	return os.MkdirTemp(dir, "hypercare-replay-")
}

// parsedLine is a line with its events, parsed before the replay starts so
// a bad line fails it before any work.
type parsedLine struct {
	line   Line
	it     hypercare.Integration
	events []hypercare.Event
}

// readLines reads, parses and sorts every line. Blank lines are skipped.
func readLines(r io.Reader, routes map[string]hypercare.Integration) ([]parsedLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var out []parsedLine
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(trimSpace(b)) == 0 {
			continue
		}
		l, err := ParseLine(n, b)
		if err != nil {
			return nil, err
		}
		it, ok := routes[l.Key]
		if !ok {
			return nil, &LineError{Line: n, Field: "key", Message: "no integration with this key in config"}
		}
		events, err := l.Events(it)
		if err != nil {
			return nil, err
		}
		for i := range events {
			if events[i].DedupKey == "" {
				// Production generates a random key; a replay needs the
				// same key every time.
				events[i].DedupKey = fmt.Sprintf("replay-line-%d-%d", n, i+1)
			}
		}
		l.Body = nil // parsed: keep memory to the events
		out = append(out, parsedLine{line: l, it: it, events: events})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("replay: a line is longer than %d bytes", maxLine)
		}
		return nil, fmt.Errorf("replay: read: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].line.ReceivedAt.Before(out[j].line.ReceivedAt) })
	return out, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// runner is one replay's pipeline: the production intake and engines over
// the throwaway store and the fake clock.
type runner struct {
	store   *store.Store
	clock   *clocktest.Clock
	intake  *intake.Intake
	esc     *escalate.Engine
	deliver *notify.Engine
	sent    *recorder
	events  int
	// changed says a write may have made work due sooner than due says;
	// due is valid while it is false.
	changed *atomic.Bool
	due     dueTimes
}

// newRunner wires the pipeline as `hypercare serve` does (applyConfig and
// newEngines in cmd/hypercare), with the recorder as the only channel.
func newRunner(ctx context.Context, st *store.Store, cfg *config.Config, integrations []hypercare.Integration,
	clk *clocktest.Clock, log *slog.Logger, channels []hypercare.ContactType) (*runner, error) {
	teams, services, _ := cfg.Catalog()
	if err := st.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(ctx, teams, services, integrations)
	}); err != nil {
		return nil, fmt.Errorf("replay: apply config: %w", err)
	}
	changed := &atomic.Bool{}
	changed.Store(true)
	in := intake.New(watchedStore{Store: st, changed: changed}, clk)
	in.SetIntegrations(integrations)
	in.SetRules(cfg.Rules())
	in.SetNoise(cfg.Noise())
	in.SetWindows(cfg.Windows())
	in.SetMaintenance(cfg.Maintenance()) // first pages wait out maintenance windows, as in production
	dir := escalate.NewDirectory(cfg.Users(), cfg.Schedules(), cfg.EscalationPolicies(), services, cfg.Windows())
	dir.Maintenance = cfg.Maintenance()
	dir.Groupings = escalate.GroupingsOf(cfg.Noise()) // promoted symptoms group as their service does
	esc := escalate.New(st, clk, dir, log)
	sent := &recorder{clock: clk, channels: channels}
	deliver := notify.NewEngine(st, clk, sent, func() notify.Directory { return esc.Directory() }, log)
	// Pages are throttled, digested and held for the night as they would
	// be in production (notify.throttle, notify.digest, notify.low_urgency).
	deliver.SetPolicy(cfg.DeliveryPolicy())
	in.SetPolicies(dir.PoliciesByService(), nil)
	return &runner{store: st, clock: clk, intake: in, esc: esc, deliver: deliver, sent: sent, changed: changed}, nil
}

// replay processes every line at its time, running the engines' due work
// in between, then runs the clock on for horizon after the last line.
func (r *runner) replay(ctx context.Context, lines []parsedLine, horizon time.Duration) error {
	for i := range lines {
		l := &lines[i]
		if err := r.runUntil(ctx, l.line.ReceivedAt); err != nil {
			return err
		}
		if _, err := r.intake.Process(ctx, l.it, l.events); err != nil {
			return fmt.Errorf("replay: line %d: %w", l.line.Number, err)
		}
		r.events += len(l.events)
	}
	// Whatever is due at the last event's time runs before the horizon.
	return r.runUntil(ctx, r.clock.Now().Add(horizon))
}

// runUntil takes every escalation step and page due up to t, each at its
// due time, then sets the clock to t. An engine runs only when its own
// work is due (each engine's RunDue would otherwise read again to find
// nothing).
func (r *runner) runUntil(ctx context.Context, t time.Time) error {
	for {
		d, err := r.nextDue(ctx)
		if err != nil {
			return err
		}
		escDue, noteDue := d.escOK && !d.esc.After(t), d.noteOK && !d.note.After(t)
		if !escDue && !noteDue {
			break
		}
		next := d.esc
		if !escDue || (noteDue && d.note.Before(d.esc)) {
			next = d.note
		}
		r.clock.Set(next)     // never backwards: work overdue runs now
		r.changed.Store(true) // the engines write through the store itself
		took := 0
		if escDue && !d.esc.After(next) {
			n, err := r.esc.RunDue(ctx)
			if err != nil {
				return fmt.Errorf("replay: escalation at %s: %w", r.clock.Now().Format(time.RFC3339), err)
			}
			took += n
		}
		// Pages the steps just made are due now: deliver them in this pass.
		n, err := r.deliver.RunDue(ctx)
		if err != nil {
			return fmt.Errorf("replay: delivery at %s: %w", r.clock.Now().Format(time.RFC3339), err)
		}
		if took+n == 0 {
			break // due but nothing to take: stop rather than spin
		}
	}
	r.clock.Set(t)
	return nil
}

// nextDue is when the next escalation step and the next page are due: as
// read last, unless a write since may have changed them.
func (r *runner) nextDue(ctx context.Context) (dueTimes, error) {
	if !r.changed.Swap(false) {
		return r.due, nil
	}
	var d dueTimes
	var err error
	if d.esc, d.escOK, err = r.store.NextEscalationDue(ctx); err != nil {
		r.changed.Store(true)
		return d, fmt.Errorf("replay: next escalation: %w", err)
	}
	if d.note, d.noteOK, err = r.store.NextNotificationDue(ctx); err != nil {
		r.changed.Store(true)
		return d, fmt.Errorf("replay: next page: %w", err)
	}
	r.due = d
	return d, nil
}
