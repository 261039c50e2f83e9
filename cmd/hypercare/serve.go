package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/announce"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/hypercare/hypercare/notify/email"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
)

// maxDBWriters bounds --db-writers: each writer holds a PostgreSQL
// connection for the server's life, beside up to 20 for reads, and
// PostgreSQL allows 100 connections by default.
const maxDBWriters = 32

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 30 * time.Second

type serveFlags struct {
	storeFlags
	configPath string
	listen     string
	logLevel   string
	pprof      string
	publicURL  string
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Hypercare server",
		Long: "Runs the server: ingest endpoints, REST API and metrics. With no flags it uses the embedded\n" +
			"SQLite database in ./hypercare-data; --database-url postgres://… runs on PostgreSQL.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), f) },
	}
	f.register(cmd)
	cmd.Flags().StringVar(&f.configPath, "config", "", "config-as-code file (hypercare.yaml)")
	cmd.Flags().StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	cmd.Flags().StringVar(&f.publicURL, "public-url", os.Getenv("HYPERCARE_PUBLIC_URL"),
		"base URL users reach the server at, e.g. https://hypercare.example.com (env HYPERCARE_PUBLIC_URL); used in calendar feed links. "+
			"Without it links use the listen address, and on a wildcard address (0.0.0.0, [::]) feed links are refused")
	cmd.Flags().StringVar(&f.pprof, "pprof-listen", "", "serve Go's pprof profiles on this separate address (off by default)")
	cmd.Flags().IntVar(&f.writers, "db-writers", 0, fmt.Sprintf("PostgreSQL: group-commit writers, each a connection "+
		"(default half the CPUs, 2 to 8: %d here)", store.AutoWriters()))
	return cmd
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// serve runs the server until ctx ends, then shuts down gracefully: the
// listener closes, in-flight requests finish (their writes commit), then
// the store's writers stop.
func serve(ctx context.Context, f serveFlags) error {
	// SIGHUP's default action ends the process: catch it before anything
	// slow (opening and migrating the database), so one sent while the
	// server starts waits for the reloader instead of killing the server.
	hup := catchSIGHUP()
	log, err := newLogger(f.logLevel)
	if err != nil {
		return err
	}
	if f.writers < 0 || f.writers > maxDBWriters {
		return fmt.Errorf("--db-writers %d: must be 1 to %d, or 0 for the default", f.writers, maxDBWriters)
	}
	cfg := &config.Config{}
	if f.configPath != "" {
		if cfg, err = config.Load(f.configPath); err != nil {
			return err
		}
	}
	if f.databaseURL == "" && f.writers > 0 {
		log.Warn("--db-writers applies to PostgreSQL only: SQLite has one writer", "db_writers", f.writers)
	}
	if f.databaseURL == "" {
		lock, err := lockDataDir(f.dataDir)
		if err != nil {
			return err
		}
		defer lock.release()
	}
	st, err := f.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	defer runInBackground(ctx, st.Run)()
	if f.databaseURL == "" {
		// This process holds the data directory: a page or announcement
		// still leased was being sent when the last one died. Send it
		// again now, not once its lease runs out minutes later.
		n, err := st.TakeOverLeases(ctx, time.Now())
		if err != nil {
			return err
		}
		if n > 0 {
			log.Warn("sending again what the previous process was sending when it stopped", "pages", n)
		}
	}

	// The catalog is written and the config published by newReloader.
	in := intake.New(st, hypercare.SystemClock{})
	signer, err := actionSigner(ctx, st, cfg)
	if err != nil {
		return err
	}
	channels, err := newChannels(cfg, st, log)
	if err != nil {
		return err
	}
	esc, deliverer := newEngines(st, cfg, in, channels, log)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerStoreMetrics(reg, st)
	reg.MustRegister(deliverer.Collector())
	rl, err := newReloader(ctx, st, f.configPath, cfg, in, esc, deliverer, channels, reg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.listen, err)
	}
	catalog := readiness.FromConfig(cfg, channels.Types())
	ui, err := newUI(st, cfg, esc, catalog, f.publicURL, log)
	if err != nil {
		return err
	}
	ui.UseConfig(uiConfig(rl))
	srv := api.New(api.Options{
		Store: st, Clock: hypercare.SystemClock{}, Intake: in, Escalation: esc, Logger: log, Registry: reg,
		RateLimitPerMinute: cfg.RateLimitPerMinute(), MaxBodyBytes: cfg.MaxBodyBytes(), MaxBatchBodyBytes: cfg.MaxBatchBodyBytes(), PublicURL: f.publicURL,
		ListenAddr: ln.Addr().String(), SlackSigningSecret: cfg.Notify.Slack.SigningSecret,
		TwilioAuthToken: twilioToken(cfg),
		Outbound:        notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: cfg.AllowPrivateNetworks()}),
		Readiness:       catalog, Actions: signer, Channels: channels, Maintenance: cfg.Maintenance(),
		UI: ui.Handler(), Session: ui.Principal, Reload: reloadHandler(rl), Config: configView(rl),
	})
	deliverer.SetLinks(actlink.Links{Base: srv.LinkBase(), Signer: signer})
	// The live stream's broker ends with ctx, as the HTTP server starts its
	// graceful shutdown: open streams end, so Shutdown does not wait on them.
	defer runUntil(ctx, srv.Run)()
	if f.publicURL == "" && isWildcard(ln.Addr()) {
		log.Warn("listening on all interfaces without --public-url: calendar feed links cannot be created and " +
			"pages carry no incident or one-click acknowledge/resolve links until the server is restarted with --public-url")
	}
	defer startEngines(ctx, st, esc, deliverer, log)()
	defer runUntil(ctx, func(ctx context.Context) error { return reloadOnSIGHUP(ctx, rl, hup) })()
	defer runInBackground(ctx, rl.AttachAnnouncer(newAnnouncer(st, cfg, esc, channels, log)).Run)()
	defer startRetention(ctx, reg, st, rl, log)()
	if f.pprof != "" {
		stopPprof := runUntil(ctx, func(ctx context.Context) error {
			return listenAndServe(ctx, f.pprof, pprofMux(), log.With(slog.String("server", "pprof")), "pprof")
		})
		defer stopPprof()
	}
	return serveOn(ctx, ln, srv.Handler(), log, st.Dialect())
}

// runInBackground runs run in a goroutine that outlives ctx's cancellation
// (in-flight requests still commit during a graceful shutdown) and returns
// the function that stops it and waits for it.
func runInBackground(ctx context.Context, run func(context.Context) error) (stop func()) {
	return runUntil(context.WithoutCancel(ctx), run)
}

// runUntil runs run in a goroutine until ctx ends or stop is called, and
// returns stop, which also waits for run to return.
func runUntil(ctx context.Context, run func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// startEngines runs the escalation and delivery engines (past ctx's
// cancellation, so a graceful shutdown does not cut a send short) and, on
// PostgreSQL, wakes them at every node's commits of work for them
// (LISTEN/NOTIFY) and keeps this node's liveness, taking over the leases
// of dead nodes (watchNodes). The returned function stops them all and
// waits.
func startEngines(ctx context.Context, st *store.Store, esc *escalate.Engine, deliverer *notify.Engine, log *slog.Logger) (stop func()) {
	stops := []func(){runInBackground(ctx, esc.Run), runInBackground(ctx, deliverer.Run)}
	if st.Dialect() == "postgres" {
		stops = append(stops, runInBackground(ctx, func(ctx context.Context) error {
			wakeOnWork(ctx, st, esc.Wake, deliverer.Wake)
			return nil
		}), runInBackground(ctx, func(ctx context.Context) error {
			watchNodes(ctx, st, hypercare.SystemClock{}, log)
			return nil
		}))
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// actionSigner returns the signer of one-click action links: under
// notify.signing_key when the config sets one (so several servers can
// share it without sharing a database), else under the key the store
// generates at first start.
func actionSigner(ctx context.Context, st *store.Store, cfg *config.Config) (*actlink.Signer, error) {
	key := cfg.SigningKey()
	if key == nil {
		var err error
		if key, err = st.SigningKey(ctx, "act-links"); err != nil {
			return nil, fmt.Errorf("action link key: %w", err)
		}
	}
	return actlink.NewSigner(key, actlink.DefaultTTL)
}

// watchNodes keeps this node's liveness lock and takes over the leases of
// nodes whose lock is gone (store/liveness.go), every
// store.LivenessInterval until ctx ends: a page in flight on a node that
// was killed is sent again within seconds, not once its three-minute lease
// runs out. The store wakes the engines when it took over something.
func watchNodes(ctx context.Context, st *store.Store, clk hypercare.Clock, log *slog.Logger) {
	for {
		// No deadline: the driver ends a session whose statement its
		// context cuts, and with it this node's lock.
		if err := st.KeepAlive(ctx); err != nil && ctx.Err() == nil {
			log.Error("liveness: cannot hold this node's lock", "error", err)
		}
		// Bounded: an unreachable database must not stop the checks.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if _, err := st.TakeOverLeases(cctx, clk.Now()); err != nil && ctx.Err() == nil {
			log.Error("liveness: taking over a dead node's leases failed", "error", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-clk.After(store.LivenessInterval):
		}
	}
}

// wakeOnWork calls every wake at each commit that wrote escalation or
// delivery work, on any node of a PostgreSQL cluster (the store's LISTEN),
// until ctx ends: work another node committed is looked at at once instead
// of at the next poll, and commits that gave the engines nothing to do (a
// storm of re-triggered alerts) no longer make them read the database.
// Wakes coalesce in the engines' loops.
func wakeOnWork(ctx context.Context, st *store.Store, wakes ...func()) {
	for {
		changed := st.WorkChanged()
		select {
		case <-ctx.Done():
			return
		case <-changed:
			for _, wake := range wakes {
				wake()
			}
		}
	}
}

// twilioToken is notify.twilio.auth_token, which checks Twilio's
// callbacks; "" (refuse them) when Twilio is not configured.
func twilioToken(cfg *config.Config) string {
	if cfg.Notify.Twilio == nil {
		return ""
	}
	return cfg.Notify.Twilio.AuthToken
}

// isWildcard reports whether a listener is bound to every interface.
func isWildcard(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsUnspecified()
}

// registerStoreMetrics exposes the group-commit counters: requests per
// batch (requests_total / batches_total) shows how well commits are shared.
func registerStoreMetrics(reg *prometheus.Registry, st *store.Store) {
	counter := func(name, help string, value func(store.WriteStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(value(st.WriteStats())) })
	}
	reg.MustRegister(
		counter("hypercare_store_write_batches_total", "Write transactions committed or failed (group commits).",
			func(s store.WriteStats) uint64 { return s.Batches }),
		counter("hypercare_store_write_requests_total", "Write requests run inside those transactions.",
			func(s store.WriteStats) uint64 { return s.Requests }),
		counter("hypercare_store_write_retries_total", "Batches retried after a deadlock, serialization failure or busy database.",
			func(s store.WriteStats) uint64 { return s.Retries }),
		counter("hypercare_store_key_reads_skipped_total", "Reads of an alert key never seen that the SQLite writer's key filter answered without the database.",
			func(s store.WriteStats) uint64 { return s.KeyReadsSkipped }),
	)
}

// newEngines builds the escalation engine over the config's directory and
// the delivery engine over channels, and connects them: a new incident's
// first step is taken in intake's write, a page wakes delivery.
func newEngines(st *store.Store, cfg *config.Config, in *intake.Intake, channels *notify.Registry, log *slog.Logger) (*escalate.Engine, *notify.Engine) {
	_, services, _ := cfg.Catalog()
	dir := escalate.NewDirectory(cfg.Users(), cfg.Schedules(), cfg.EscalationPolicies(), services, cfg.Windows())
	dir.Maintenance = cfg.Maintenance()
	dir.Groupings = escalate.GroupingsOf(cfg.Noise()) // promoted symptoms group as their service does
	esc := escalate.New(st, hypercare.SystemClock{}, dir, log)
	deliverer := notify.NewEngine(st, hypercare.SystemClock{}, channels,
		func() notify.Directory { return esc.Directory() }, log)
	deliverer.SetPolicy(deliveryPolicy(cfg))
	esc.OnPaged(deliverer.Wake)
	esc.SetDeliveryCheck(channels.Check)
	esc.SetQuietHours(cfg.QuietHours())
	in.SetPolicies(dir.PoliciesByService(), esc.Wake)
	// Level 1 is paged, and its due pages leased, inside the write that
	// opens the incident; delivery sends them right after its commit
	// (ARCHITECTURE.md, "The first page").
	in.SetFirstStep(esc.StepOpened, deliverer)
	return esc, deliverer
}

// newAnnouncer returns the engine that announces the starts and ends of
// maintenance and hypercare windows with announce_to, through the same
// channels as pages.
func newAnnouncer(st *store.Store, cfg *config.Config, esc *escalate.Engine, channels *notify.Registry, log *slog.Logger) *announce.Engine {
	subjects := append(announce.FromMaintenance(cfg.Maintenance()), announce.FromWindows(cfg.Windows())...)
	return announce.New(st, hypercare.SystemClock{}, channels, func() notify.Directory { return esc.Directory() }, subjects, log)
}

// registerEmail adds the e-mail channel when notify.email configures a
// relay; without one, e-mail contact methods are reported undeliverable.
func registerEmail(channels *notify.Registry, cfg *config.Config) error {
	e := cfg.Notify.Email
	if e == nil {
		return nil
	}
	subject, text := emailTemplates(cfg)
	s, err := email.New(email.Config{Host: e.Host, Port: e.Port, TLS: e.TLS, Username: e.Username,
		Password: e.Password, From: e.From, Net: notify.NetOptions{AllowPrivateNetworks: cfg.AllowPrivateNetworks()},
		Subject: subject, Text: text})
	if err != nil {
		return fmt.Errorf("notify.email: %w", err)
	}
	channels.Register(hypercare.ContactEmail, s)
	return nil
}

// newChannels returns the channels this binary delivers, configured by
// cfg (webhook, e-mail when a relay is set, chat and push); readiness reads
// its types to tell who can be paged. st keeps Slack threads; nil
// (readiness, which only lists the types) keeps none.
func newChannels(cfg *config.Config, st *store.Store, log *slog.Logger) (*notify.Registry, error) {
	channels := notify.NewRegistry()
	client := notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: cfg.AllowPrivateNetworks()})
	channels.Register(hypercare.ContactWebhook, webhook.New(client, webhook.WithSigningSecrets(cfg.WebhookSigningSecrets()...)))
	if err := registerEmail(channels, cfg); err != nil {
		return nil, err
	}
	registerChatChannels(channels, client, cfg, st, log)
	return channels, nil
}

// pprofMux serves the runtime profiles, for measuring a live server; it is
// bound to its own address so it is never exposed with the API.
func pprofMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// newHTTPServer is the server's HTTP configuration. ReadTimeout bounds a
// client that sends its body slowly; WriteTimeout bounds how long a client
// that never reads its answer can hold the answer in memory. WriteTimeout
// runs from the end of the request headers, so it must exceed ReadTimeout.
// The live stream (GET /api/v1/stream) lifts it for its own responses with
// http.ResponseController.SetWriteDeadline, one bounded deadline per write.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 90 * time.Second, IdleTimeout: 2 * time.Minute}
}

func listenAndServe(ctx context.Context, addr string, h http.Handler, log *slog.Logger, dialect string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return serveOn(ctx, ln, h, log, dialect)
}

// serveOn serves h on ln until ctx ends, then shuts down gracefully.
func serveOn(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, dialect string) error {
	hs := newHTTPServer(h)
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("store", dialect),
		slog.String("version", hypercare.Version))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}
