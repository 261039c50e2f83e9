package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// This file starts and stops the servers bench compare measures: each run
// gets a fresh child process with a fresh data directory on loopback, so
// no run inherits another's data, caches or memory, and each server's
// peak RSS is its own.

// ServerKind names a system bench compare measures.
type ServerKind string

// The systems bench compare measures.
const (
	// Alertmanager is Prometheus Alertmanager: in memory, the bar to beat.
	Alertmanager ServerKind = "alertmanager"
	// Bare is an HTTP server that only decodes the JSON (ServeBare): the
	// floor the machine, Go's HTTP stack and the load generator set.
	Bare ServerKind = "bare"
	// Hypercare is `hypercare serve`, durable.
	Hypercare ServerKind = "hypercare"
)

// Servers says how to start each system.
type Servers struct {
	// Exe is the hypercare binary: `serve` is Hypercare, `bench bare` the
	// bare endpoint.
	Exe string
	// Alertmanager is the alertmanager binary; "" leaves it out.
	Alertmanager string
	// Database, if set, returns a fresh PostgreSQL database URL for each
	// Hypercare start and a function dropping it; nil runs SQLite in the
	// fresh data directory.
	Database func(ctx context.Context) (url string, drop func() error, err error)
	// StartTimeout bounds a start until the server answers; zero means
	// DefaultStartTimeout.
	StartTimeout time.Duration
}

// DefaultStartTimeout is how long a server may take to start answering.
const DefaultStartTimeout = 30 * time.Second

// compareAMKey is the key of the Alertmanager integration in the config
// bench compare serves Hypercare with (DefaultRoutingKey is its events-v2
// key).
const compareAMKey = "fedcba9876543210fedcba9876543210"

// server is one running child process.
type server struct {
	kind    ServerKind
	url     string // base URL
	cmd     *exec.Cmd
	out     *tailWriter
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done closes
	cleanup []func() error
}

// start starts a fresh kind server; pages, if not "", is the loopback
// host:port of a receiver the server must page at once for every new
// alert (first-page runs); otherwise it pages nobody.
func (s Servers) start(ctx context.Context, kind ServerKind, pages string) (_ *server, err error) {
	dir, err := os.MkdirTemp("", "hc-compare-"+string(kind)+"-")
	if err != nil {
		return nil, fmt.Errorf("%s: data directory: %w", kind, err)
	}
	srv := &server{kind: kind, out: &tailWriter{max: 8 << 10}, done: make(chan struct{})}
	srv.cleanup = append(srv.cleanup, func() error { return os.RemoveAll(dir) })
	defer func() {
		if err != nil {
			err = errors.Join(err, srv.stop())
		}
	}()
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	srv.url = "http://" + addr
	path, args, ready, err := s.command(ctx, srv, kind, dir, addr, pages)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	srv.cmd = exec.Command(path, args...)
	srv.cmd.Dir = dir
	srv.cmd.Env = childEnv()
	srv.cmd.Stdout, srv.cmd.Stderr = srv.out, srv.out
	if err := srv.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: starting %s: %w", kind, path, err)
	}
	go func() {
		srv.waitErr = srv.cmd.Wait()
		close(srv.done)
	}()
	timeout := s.StartTimeout
	if timeout == 0 {
		timeout = DefaultStartTimeout
	}
	if err := srv.waitReady(ctx, srv.url+ready, timeout); err != nil {
		return nil, fmt.Errorf("%s did not start (%s %s): %w", kind, path, strings.Join(args, " "), err)
	}
	return srv, nil
}

// command returns kind's command line and readiness path, writing its
// config into dir.
func (s Servers) command(ctx context.Context, srv *server, kind ServerKind, dir, addr, pages string) (path string, args []string, ready string, err error) {
	config := filepath.Join(dir, "config.yaml")
	switch kind {
	case Alertmanager:
		if s.Alertmanager == "" {
			return "", nil, "", errors.New("no alertmanager binary")
		}
		err = os.WriteFile(config, []byte(alertmanagerConfig(pages)), 0o600)
		return s.Alertmanager, []string{"--config.file=" + config, "--storage.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=" + addr, "--cluster.listen-address=", "--log.level=warn"}, "/-/ready", err
	case Bare:
		return s.Exe, []string{"bench", "bare", "--listen", addr}, "/healthz", nil
	case Hypercare:
		text, err := BenchIngestConfig(DefaultRoutingKey, compareAMKey)
		if pages != "" {
			text, err = BenchConfig(DefaultRoutingKey, pages, 1)
		}
		if err == nil {
			err = os.WriteFile(config, []byte(text), 0o600)
		}
		args = []string{"serve", "--config", config, "--listen", addr, "--data-dir", filepath.Join(dir, "data"), "--log-level", "warn"}
		if err == nil && s.Database != nil {
			var url string
			var drop func() error
			url, drop, err = s.Database(ctx)
			if err == nil {
				srv.cleanup = append(srv.cleanup, drop)
				args = append(args, "--database-url", url)
			}
		}
		return s.Exe, args, "/readyz", err
	}
	return "", nil, "", fmt.Errorf("unknown server %q", kind)
}

// alertmanagerConfig routes every alert to its own group (group_by: ...)
// and notifies at once (group_wait: 0s), like Hypercare paging on a new
// incident; pages, if set, is the webhook receiver's host:port, else the
// receiver has no notifier (as Hypercare's throughput config pages nobody).
func alertmanagerConfig(pages string) string {
	receiver := "  - name: bench\n"
	if pages != "" {
		receiver += fmt.Sprintf("    webhook_configs:\n      - {url: %q, send_resolved: false}\n", "http://"+pages+"/alertmanager")
	}
	return `# Written by hypercare bench compare.
route:
  receiver: bench
  group_by: ['...']
  group_wait: 0s
  group_interval: 5m
  repeat_interval: 4h
receivers:
` + receiver
}

// waitReady polls url until it answers 200, the process exits, ctx ends
// or timeout passes.
func (srv *server) waitReady(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-srv.done:
			return fmt.Errorf("exited (%v); its output ends:\n%s", srv.waitErr, srv.out.String())
		case <-ctx.Done():
			return fmt.Errorf("%s not answering 200 after %s: %w; its output ends:\n%s", url, timeout, ctx.Err(), srv.out.String())
		case <-tick.C:
		}
	}
}

// peakRSS returns the process's peak resident set size (VmHWM) in bytes.
// It is Linux-only; elsewhere it returns 0 and an error.
func (srv *server) peakRSS() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", srv.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("peak RSS of %s: %w", srv.kind, err)
	}
	defer f.Close()
	return parseVmHWM(f)
}

// parseVmHWM reads the VmHWM line ("VmHWM:	  12345 kB") of a
// /proc/PID/status file.
func parseVmHWM(f io.Reader) (int64, error) {
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(rest), " ")
		kb, err := strconv.ParseInt(num, 10, 64)
		if err != nil || unit != "kB" {
			return 0, fmt.Errorf("VmHWM line %q: want a number of kB", sc.Text())
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmHWM line")
}

// stop ends the process (SIGTERM, then SIGKILL after 15 s) and removes
// what its start created.
func (srv *server) stop() error {
	var errs []error
	if srv.cmd != nil && srv.cmd.Process != nil {
		select {
		case <-srv.done:
		default:
			_ = srv.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-srv.done:
			case <-time.After(15 * time.Second):
				_ = srv.cmd.Process.Kill()
				<-srv.done
				errs = append(errs, fmt.Errorf("%s ignored SIGTERM for 15 s and was killed", srv.kind))
			}
		}
	}
	for i := len(srv.cleanup) - 1; i >= 0; i-- {
		if err := srv.cleanup[i](); err != nil {
			errs = append(errs, fmt.Errorf("%s clean-up: %w", srv.kind, err))
		}
	}
	return errors.Join(errs...)
}

// childEnv is this process's environment without HYPERCARE_* variables:
// a HYPERCARE_DATABASE_URL in the shell must not turn the fresh SQLite
// server of a run into one on somebody's PostgreSQL database.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HYPERCARE_") {
			env = append(env, kv)
		}
	}
	return env
}

// freeLoopbackAddr returns a 127.0.0.1 port nothing listens on right now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tailWriter keeps the last max bytes written to it: a child's output,
// shown when it fails to start.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}
