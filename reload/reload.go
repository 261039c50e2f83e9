// Package reload is live config reload: SIGHUP to `hypercare serve` and
// POST /-/reload re-read the file given by --config. Everything the
// engines take from the file is built into one immutable Snapshot and
// published with one atomic pointer store, so intake, escalation and
// delivery switch together and a request or engine pass, which loads the
// snapshot once, never sees half of two files. A file that does not
// parse or validate, or whose catalog the store refuses, changes nothing.
package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/announce"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/hold"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/readiness"
	"github.com/prometheus/client_golang/prometheus"
)

// Snapshot is one config file made ready for every engine. It is never
// changed after it is published; a reload publishes a new one.
type Snapshot struct {
	// Config is the parsed file.
	Config *config.Config
	// Intake routes, rules, groups and holds events.
	Intake *intake.Config
	// Directory is who is paged and how (users, schedules, policies,
	// services' policies, hypercare windows, quiet hours).
	Directory *escalate.Directory
	// Delivery paces pages (notify.delivery, throttle, digest,
	// low_urgency).
	Delivery notify.Policy
	// Readiness is the catalog the readiness reports read.
	Readiness *readiness.Catalog
	// Maintenance are the config's maintenance windows, as listed by the
	// API.
	Maintenance []correlate.Maintenance
	// Announce are the maintenance and hypercare windows announced at
	// their starts and ends (announce_to).
	Announce *announce.Subjects
	// Version counts the snapshots published since start, from 1.
	Version uint64
	// LoadedAt is when it was published.
	LoadedAt time.Time
}

// Options configure a Reloader.
type Options struct {
	// Path is the config file (serve --config); "" serves the empty
	// config and refuses to reload.
	Path  string
	Store hypercare.Store
	Clock hypercare.Clock
	Log   *slog.Logger
	// Delivery turns a config into the delivery policy (the server's
	// pacing wiring); nil gives config.Config.DeliveryPolicy.
	Delivery func(*config.Config) notify.Policy
	// Channels are the contact types this binary delivers, for the
	// readiness catalog (they are fixed at start).
	Channels []hypercare.ContactType
	// Registry, if set, gets the reload metrics.
	Registry prometheus.Registerer
}

// Reloader holds the snapshot in force and replaces it. Build it with
// New, publish the first snapshot with Apply, connect the engines with
// Attach, then Reload at will (from any goroutine; reloads run one at a
// time).
type Reloader struct {
	opts Options
	cur  atomic.Pointer[Snapshot]
	// mu makes reloads one at a time, so two cannot interleave their
	// catalog writes and swaps.
	mu sync.Mutex
	// gate is held, read side, by intake requests and escalation passes
	// from reading the snapshot to their write's commit, and, write side,
	// by a reload from its catalog write to publishing: a request that
	// read the old snapshot commits before the reload releases the holds
	// of the maintenance windows it ends, so none is set again after.
	gate sync.RWMutex
	m    *metrics
	// wake tells the escalation engine a reload made first pages due
	// (Attach sets it).
	wake atomic.Pointer[func()]
	// wakeDelivery tells the delivery engine a reload made held pages due
	// (Attach sets it).
	wakeDelivery atomic.Pointer[func()]
	// started is the config of the first Apply: the restart-required
	// sections (ingest, the channels) run as it says until the server
	// restarts, whatever later reloads changed. Under mu.
	started *config.Config
}

// New returns a Reloader with no snapshot yet.
func New(opts Options) *Reloader {
	if opts.Clock == nil {
		opts.Clock = hypercare.SystemClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	r := &Reloader{opts: opts, m: newMetrics()}
	if opts.Registry != nil {
		opts.Registry.MustRegister(r.m)
	}
	return r
}

// Current returns the snapshot in force (nil before Apply).
func (r *Reloader) Current() *Snapshot { return r.cur.Load() }

// Attach makes intake, the escalation engine and the delivery engine read
// the snapshot in force on every request or pass. Call it after the
// first Apply and before serving.
func (r *Reloader) Attach(in *intake.Intake, esc *escalate.Engine, deliverer *notify.Engine) {
	in.Use(func() *intake.Config { return r.cur.Load().Intake })
	in.SetGate(&r.gate)
	esc.Use(func() *escalate.Directory { return r.cur.Load().Directory })
	esc.SetGate(&r.gate)
	wake := esc.Wake
	r.wake.Store(&wake)
	deliver := deliverer.Wake
	r.wakeDelivery.Store(&deliver)
	deliverer.Use(func() (notify.Policy, notify.Directory) {
		s := r.cur.Load()
		return s.Delivery, s.Directory
	})
}

// AttachAnnouncer makes the window announcer read the snapshot's windows
// at every pass, and returns it.
func (r *Reloader) AttachAnnouncer(a *announce.Engine) *announce.Engine {
	a.Use(func() *announce.Subjects { return r.cur.Load().Announce })
	return a
}

// Apply writes cfg's catalog (teams, services, integrations) to the store
// and, once that committed, publishes cfg's snapshot in one atomic store.
// If the write fails nothing changes. It returns what changed against
// the previous snapshot (nothing on the first).
func (r *Reloader) Apply(ctx context.Context, cfg *config.Config) (*Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, err := r.apply(ctx, cfg)
	if err == nil {
		r.m.lastSuccess.Set(float64(res.LoadedAt.UnixNano()) / 1e9)
	}
	return res, err
}

func (r *Reloader) apply(ctx context.Context, cfg *config.Config) (*Result, error) {
	prev := r.cur.Load()
	next := r.build(cfg, prev)
	teams, services, integrations := cfg.Catalog()
	ended := changedMaintenance(prev, cfg)
	released, unheld := 0, 0
	// Requests and passes that read the snapshot in force finish first,
	// and none starts until the new one is published (see gate).
	r.gate.Lock()
	defer r.gate.Unlock()
	err := r.opts.Store.Write(ctx, "catalog", func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, teams, services, integrations); err != nil {
			return err
		}
		if prev == nil {
			// At start there is no file to compare with: the holds of
			// windows the file no longer has (removed while the server
			// was down) end now, as a reload would end them.
			gone, err := removedWhileDown(ctx, tx, cfg)
			if err != nil {
				return err
			}
			ended = gone
		}
		// Incidents held by a maintenance window the file removed or
		// changed are held by the new file's windows, or page now, as
		// when a silence is expired early.
		released = 0
		holds, now := hold.New(cfg.Maintenance()), r.opts.Clock.Now()
		why := "Maintenance window %s changed by a config reload"
		if prev == nil {
			why = "Maintenance window %s is no longer in the config (removed while the server was down)"
		}
		// An incident records only the last window of a chain of
		// overlapping ones: those of the other windows are checked again
		// too (once), as when a silence is expired early.
		var chained []string
		if len(ended) > 0 {
			var err error
			if chained, err = hold.ChainEnds(ctx, tx, cfg.Maintenance(), now); err != nil {
				return err
			}
		}
		for i, id := range ended {
			ref := (&correlate.Suppressor{Kind: correlate.SuppressMaintenance, ID: id}).Ref()
			n, _, err := incident.ReleaseSuppressed(ctx, tx, ref, fmt.Sprintf(why, id), holds, now, chained...)
			if err != nil {
				return err
			}
			released += n
			if i == 0 {
				chained = nil
			}
		}
		var err error
		unheld, err = liftQuiet(ctx, tx, prev, cfg, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apply config: %w", err)
	}
	r.cur.Store(next)
	if wake := r.wake.Load(); wake != nil && released > 0 {
		(*wake)()
	}
	if wake := r.wakeDelivery.Load(); wake != nil && unheld > 0 {
		(*wake)()
	}
	var old *config.Config
	if prev != nil {
		old = prev.Config
	}
	if r.started == nil {
		r.started = cfg
	}
	return &Result{Version: next.Version, LoadedAt: next.LoadedAt, Changed: Changed(old, cfg),
		RestartRequired: RestartRequired(r.started, cfg)}, nil
}

// liftQuiet makes due now the pages that the quiet hours of prev hold
// until tonight's end, for every user whose night cfg lifts or moves
// (quiet_hours "off" or another span, their time_zone or the fallback
// zone changed): quiet hours take effect at once, so delivery checks them
// again now and sends them, or holds them until the new end. It returns
// how many pages it moved. (A server restarted with such a file keeps the
// holds: with no earlier file, the change cannot be seen.)
func liftQuiet(ctx context.Context, tx hypercare.Tx, prev *Snapshot, cfg *config.Config, now time.Time) (int, error) {
	if prev == nil || prev.Config.QuietHours() == nil {
		return 0, nil
	}
	oldQ, newQ := prev.Config.QuietHours(), cfg.QuietHours()
	next := map[string]hypercare.User{}
	for _, u := range cfg.Users() {
		next[u.ID] = u
	}
	moved := 0
	for _, u := range prev.Config.Users() {
		end, held := notify.QuietUntil(oldQ, u, now)
		nu, kept := next[u.ID]
		if !held || !kept {
			continue // a removed user's pages fail at delivery
		}
		if e, still := notify.QuietUntil(newQ, nu, now); still && e.Equal(end) {
			continue
		}
		n, err := tx.MoveHeldPages(ctx, u.ID, end, now)
		if err != nil {
			return 0, fmt.Errorf("quiet hours changed by reload: %w", err)
		}
		moved += n
	}
	return moved, nil
}

// removedWhileDown lists the maintenance windows that hold incidents but
// that cfg no longer defines. (A window whose times changed while the
// server was down keeps the holds it set: with no previous file, the
// change cannot be told from a window as it always was.)
func removedWhileDown(ctx context.Context, tx hypercare.Tx, cfg *config.Config) ([]string, error) {
	refs, err := tx.HoldingRefs(ctx)
	if err != nil {
		return nil, err
	}
	defined := make(map[string]bool, len(cfg.MaintenanceSpecs))
	for _, w := range cfg.MaintenanceSpecs {
		defined[w.ID] = true
	}
	var out []string
	for _, ref := range refs {
		if id, ok := strings.CutPrefix(ref, correlate.SuppressMaintenance+":"); ok && !defined[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// changedMaintenance lists the maintenance windows of the snapshot in
// force that cfg removes or whose span, scope or recurrence it changes
// (a new name or announce_to alone holds nothing differently).
func changedMaintenance(prev *Snapshot, cfg *config.Config) []string {
	if prev == nil {
		return nil
	}
	holding := func(w config.MaintenanceWindow) config.MaintenanceWindow {
		w.Name, w.AnnounceTo = "", nil
		return w
	}
	next := make(map[string]config.MaintenanceWindow, len(cfg.MaintenanceSpecs))
	for _, w := range cfg.MaintenanceSpecs {
		next[w.ID] = holding(w)
	}
	var out []string
	for _, w := range prev.Config.MaintenanceSpecs {
		if n, ok := next[w.ID]; !ok || !reflect.DeepEqual(n, holding(w)) {
			out = append(out, w.ID)
		}
	}
	return out
}

// build makes cfg's snapshot; prev (nil on the first) lends its rule
// counters and version.
func (r *Reloader) build(cfg *config.Config, prev *Snapshot) *Snapshot {
	_, services, integrations := cfg.Catalog()
	dir := escalate.NewDirectory(cfg.Users(), cfg.Schedules(), cfg.EscalationPolicies(), services, cfg.Windows())
	dir.Quiet, dir.Maintenance, dir.Pauses, dir.Groupings = cfg.QuietHours(), cfg.Maintenance(), pauses(cfg), escalate.GroupingsOf(cfg.Noise())
	var prevIntake *intake.Config
	version := uint64(1)
	if prev != nil {
		prevIntake, version = prev.Intake, prev.Version+1
	}
	delivery := cfg.DeliveryPolicy()
	if r.opts.Delivery != nil {
		delivery = r.opts.Delivery(cfg)
	}
	return &Snapshot{
		Config: cfg,
		Intake: intake.NewConfig(intake.Settings{
			Integrations: integrations, Policies: dir.PoliciesByService(), Rules: cfg.Rules(),
			Noise: cfg.Noise(), Windows: cfg.Windows(), Maintenance: cfg.Maintenance(), Directory: dir,
		}, prevIntake),
		Directory:   dir,
		Delivery:    delivery,
		Readiness:   readiness.FromConfig(cfg, r.opts.Channels),
		Maintenance: cfg.Maintenance(),
		Announce:    announce.NewSubjects(append(announce.FromMaintenance(cfg.Maintenance()), announce.FromWindows(cfg.Windows())...)),
		Version:     version,
		LoadedAt:    r.opts.Clock.Now().UTC(),
	}
}

// Result is what a reload did: the answer of POST /-/reload.
type Result struct {
	// Version is the snapshot now in force.
	Version  uint64    `json:"version"`
	LoadedAt time.Time `json:"loaded_at"`
	// Changed lists the config sections that differ from the previous
	// file ("services", "escalation_policies", ...), empty when the file
	// is the same.
	Changed []string `json:"changed"`
	// RestartRequired lists the sections this server takes no notice of
	// whose value in the file differs from the one it started with: they
	// apply at the next restart (README, "Live reload"). A section stays
	// listed by every reload until then, changed by this one or not.
	RestartRequired []string `json:"restart_required"`
}

// ErrNoConfigFile is returned by Reload on a server started without
// --config: there is no file to re-read.
var ErrNoConfigFile = hypercare.Errorf(hypercare.CodeConflict,
	"the server was started without --config: there is no config file to reload")

// Reload re-reads the config file and applies it (Apply). An invalid file
// returns its problems (a *config.ValidationError, which maps to
// invalid_argument with one detail per file:line) and changes nothing.
// Every outcome is counted and logged.
func (r *Reloader) Reload(ctx context.Context) (*Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, err := r.reload(ctx)
	if err != nil {
		r.m.failure()
		r.opts.Log.Error("config reload failed; the running config stays", slog.String("file", r.opts.Path),
			slog.Any("error", err))
		return nil, err
	}
	r.m.success(res.LoadedAt)
	r.opts.Log.Info("config reloaded", slog.String("file", r.opts.Path), slog.Uint64("version", res.Version),
		slog.Any("changed", res.Changed), slog.Any("restart_required", res.RestartRequired))
	return res, nil
}

func (r *Reloader) reload(ctx context.Context) (*Result, error) {
	if r.opts.Path == "" {
		return nil, ErrNoConfigFile
	}
	cfg, err := config.Load(r.opts.Path)
	if err != nil {
		var verr *config.ValidationError
		if errors.As(err, &verr) {
			return nil, err
		}
		return nil, hypercare.Errorf(hypercare.CodeInvalid, "read config file: %v", err)
	}
	return r.apply(ctx, cfg)
}

// pauses are the services' pause_notifications_minutes, for the dry run
// (escalate.Directory.Pauses).
func pauses(cfg *config.Config) map[string]time.Duration {
	out := map[string]time.Duration{}
	for id, n := range cfg.Noise() {
		if n.Pause > 0 {
			out[id] = n.Pause
		}
	}
	return out
}
