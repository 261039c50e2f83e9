package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

const reloadKeyA, reloadKeyB = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

// reloadConfig is a one-service config routing key.
func reloadConfig(key string) string {
	return `teams: [{id: web, name: Web}]
services:
  - id: shop
    name: Shop
    team: web
    integrations: [{type: events-v2, name: Datadog, key: ` + key + `}]
`
}

// The binary reloads its --config on SIGHUP and on `hypercare config
// reload`; an invalid file is refused with file:line and the server keeps
// routing with the config in force.
func TestServeReloadsItsConfig(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServerWithConfig(t, reloadConfig(reloadKeyA), storeArgs)
		path := srv.cmd.Args[3] // serve --config PATH
		token := createToken(t, storeArgs)
		trigger := func(key string) int {
			t.Helper()
			code, _ := srv.post(t, "/v2/enqueue", map[string]any{"routing_key": key, "event_action": "trigger",
				"dedup_key": "reload", "payload": map[string]any{"summary": "x", "source": "y", "severity": "critical"}})
			return code
		}
		if code := trigger(reloadKeyB); code != http.StatusBadRequest {
			t.Fatalf("unknown key answered %d", code)
		}
		write := func(config string) {
			if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		hup := func(wantLog string) {
			t.Helper()
			before := strings.Count(srv.log.String(), wantLog)
			if err := srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(startTimeout)
			for strings.Count(srv.log.String(), wantLog) == before {
				if time.Now().After(deadline) {
					t.Fatalf("no %s log line after SIGHUP", wantLog)
				}
				time.Sleep(10 * time.Millisecond) // poll interval, bounded by the deadline
			}
		}
		write(reloadConfig(reloadKeyB))
		hup(`"msg":"config reloaded"`)
		if a, b := trigger(reloadKeyA), trigger(reloadKeyB); a != http.StatusBadRequest || b != http.StatusAccepted {
			t.Errorf("after SIGHUP: old key %d (want 400), new key %d (want 202)", a, b)
		}

		write(reloadConfig(reloadKeyA) + "    escalation_polcy: web\n")
		hup(`"msg":"config reload failed; the running config stays"`)
		ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, binary(t), "config", "reload", "--server", srv.URL)
		cmd.Env = append(childEnv(), "HYPERCARE_TOKEN="+token)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err == nil || !regexp.MustCompile(`hypercare\.yaml:7:5: unknown field "escalation_polcy"`).MatchString(stderr.String()) {
			t.Errorf("config reload of an invalid file: %v, stderr %s", err, stderr.String())
		}
		if code := trigger(reloadKeyB); code != http.StatusAccepted {
			t.Errorf("the running config stopped routing after a refused reload: %d", code)
		}
		_, metrics := srv.get(t, "", "/metrics")
		for _, want := range []string{`hypercare_config_reloads_total{result="success"} 1`, `hypercare_config_reloads_total{result="failure"} 2`} {
			if !strings.Contains(string(metrics), want) {
				t.Errorf("metrics lack %s", want)
			}
		}

		write(reloadConfig(reloadKeyA))
		cmd = exec.CommandContext(ctx, binary(t), "config", "reload", "--server", srv.URL)
		cmd.Env = append(childEnv(), "HYPERCARE_TOKEN="+token)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "config reloaded (version 3): changed services") {
			t.Errorf("config reload: %v: %s", err, out)
		}
	})
}

// A SIGHUP that arrives while the server is still starting (opening and
// migrating its database, which can take minutes on a large one) is a
// reload asked for early, as when a deployment tool signals right after a
// restart: it must not kill the server, whose default action for SIGHUP
// is to exit. The reload it asks for runs once the server is up.
func TestSIGHUPWhileStartingDoesNotKillTheServer(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "hypercare.yaml")
	if err := os.WriteFile(cfg, []byte(reloadConfig(reloadKeyA)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &server{log: newServerLog(), exited: make(chan struct{})}
	s.cmd = exec.Command(binary(t), "serve", "--config", cfg, "--listen", "127.0.0.1:0", "--data-dir", dir)
	s.cmd.Env = childEnv()
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start hypercare serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("hypercare serve log:\n%s", s.log)
		}
	})
	// The data directory's lock is taken before the database is opened:
	// from then on the server is starting.
	deadline := time.Now().Add(startTimeout)
	for {
		if _, err := os.Stat(filepath.Join(dir, lockFileName)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server took no lock on its data directory")
		}
		time.Sleep(time.Millisecond) // poll interval, bounded by the deadline
	}
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.log.listening:
	case <-s.exited:
		s.stopped = true
		t.Fatalf("a SIGHUP while starting killed the server: %v", s.err)
	case <-time.After(startTimeout):
		t.Fatalf("hypercare serve did not log \"listening\" within %v", startTimeout)
	}
	s.URL = "http://" + s.log.addr
	s.waitReady(t)
	for !strings.Contains(s.log.String(), `"msg":"config reloaded"`) {
		if time.Now().After(deadline) {
			t.Fatal("the SIGHUP sent while starting was never acted on (no config reloaded log line)")
		}
		time.Sleep(10 * time.Millisecond) // poll interval, bounded by the deadline
	}
}
