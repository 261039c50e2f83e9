package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/reload"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/web"
	"github.com/prometheus/client_golang/prometheus"
)

// newReloader publishes cfg's snapshot (its catalog written to the store
// first) and connects intake, escalation and delivery to it, so a reload
// (SIGHUP, POST /-/reload) switches all three with one pointer store.
func newReloader(ctx context.Context, st *store.Store, path string, cfg *config.Config, in *intake.Intake,
	esc *escalate.Engine, deliverer *notify.Engine, channels *notify.Registry, reg prometheus.Registerer,
	log *slog.Logger) (*reload.Reloader, error) {
	rl := reload.New(reload.Options{Path: path, Store: st, Clock: hypercare.SystemClock{}, Log: log,
		Delivery: deliveryPolicy, Channels: channels.Types(), Registry: reg})
	if _, err := rl.Apply(ctx, cfg); err != nil {
		return nil, err
	}
	rl.Attach(in, esc, deliverer)
	return rl, nil
}

// reloadHandler is POST /-/reload's Reload.
func reloadHandler(rl *reload.Reloader) api.Reloader {
	return func(ctx context.Context) (any, error) { return rl.Reload(ctx) }
}

// catchSIGHUP starts catching SIGHUP, for reloadOnSIGHUP: serve calls it
// first thing, so a SIGHUP while the server starts is kept (one is
// enough: it asks for a re-read of the file) and acted on once the
// reloader runs, instead of ending the process. SIGHUP stays caught for
// the process's life (no signal.Stop): its default action would kill the
// process in the middle of its graceful shutdown.
func catchSIGHUP() <-chan os.Signal {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	return hup
}

// reloadOnSIGHUP reloads the config at every SIGHUP on hup (catchSIGHUP)
// until ctx ends. The reload logs its outcome (and counts it in the
// metrics); a bad file leaves the running config in force.
func reloadOnSIGHUP(ctx context.Context, rl *reload.Reloader, hup <-chan os.Signal) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			_, _ = rl.Reload(ctx)
		}
	}
}

// configView is what the API's read endpoints show of the config in
// force (readiness, maintenance windows), read at each request.
func configView(rl *reload.Reloader) func() api.ConfigView {
	return func() api.ConfigView {
		s := rl.Current()
		return api.ConfigView{Readiness: s.Readiness, Maintenance: s.Maintenance}
	}
}

// uiConfig is what the web UI shows of the config in force (integrations,
// runbooks, readiness), read at each request.
func uiConfig(rl *reload.Reloader) func() web.Config {
	return func() web.Config {
		s := rl.Current()
		_, _, integrations := s.Config.Catalog()
		return web.Config{Integrations: integrations, Runbooks: s.Config.Runbooks(), Readiness: s.Readiness}
	}
}
