package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// TestContract runs the store contract on every engine.
func TestContract(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) { storetest.RunContract(t, e.Open) })
}

// TestContractTextOrderEnUS runs the text-order contract on a PostgreSQL
// database collated en-US, as most servers are: there an ORDER BY of
// text without byte order sorts unlike SQLite.
func TestContractTextOrderEnUS(t *testing.T) {
	storetest.RunTextOrder(t, storetest.PostgresEnUS().Open)
}

// logRecorder keeps log messages so a test can see what Open did.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

func (r *logRecorder) count(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

// TestReopenIsNoop: the first Open migrates, a second Open of the same
// database applies nothing and keeps the data.
func TestReopenIsNoop(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		rec := &logRecorder{}
		opts.Logger = slog.New(rec)
		s := storetest.OpenStore(t, opts)
		if rec.count("applying migration") == 0 {
			t.Fatal("first open applied no migration")
		}
		v1, err := s.SchemaVersion(t.Context())
		if err != nil || v1 < 1 {
			t.Fatalf("schema version %d, %v", v1, err)
		}
		err = s.Write(t.Context(), "k", func(tx hypercare.Tx) error {
			return tx.CreateToken(t.Context(), &hypercare.Token{ID: "t", Name: "n", Role: hypercare.RoleAdmin, Hash: "h"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		applied := rec.count("applying migration")

		s2 := storetest.OpenStore(t, opts)
		if n := rec.count("applying migration"); n != applied {
			t.Fatalf("re-open applied %d more migrations", n-applied)
		}
		if v2, err := s2.SchemaVersion(t.Context()); err != nil || v2 != v1 {
			t.Fatalf("schema version after re-open %d, %v; want %d", v2, err, v1)
		}
		if _, err := s2.TokenByHash(t.Context(), "h"); err != nil {
			t.Fatalf("data lost on re-open: %v", err)
		}
	})
}

// TestConcurrentOpen: nodes starting at once must not race on migrations.
func TestConcurrentOpen(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				s, err := store.Open(t.Context(), opts)
				if err != nil {
					t.Errorf("concurrent open: %v", err)
					return
				}
				s.Close()
			})
		}
		wg.Wait()
	})
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := store.Open(t.Context(), store.Options{DatabaseURL: "mysql://root:secret@localhost/db"})
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Open(mysql://) = %v; want an unsupported-scheme error without the URL", err)
	}
}

// TestSQLiteFileLayout: the data dir is private, and routing keys are only
// stored hashed (checked in the database files' bytes).
func TestSQLiteFileLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := storetest.OpenStore(t, store.Options{DataDir: dir})
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode = %v, %v; want 0700", st.Mode().Perm(), err)
	}
	const key = "0123456789abcdef0123456789abcdef"
	err := s.Write(t.Context(), "k", func(tx hypercare.Tx) error {
		return tx.ApplyCatalog(t.Context(), nil, []hypercare.Service{{ID: "svc", Name: "Svc"}},
			[]hypercare.Integration{{ID: "i", ServiceID: "svc", Type: hypercare.IntegrationEventsV2, Key: key}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Dialect() != "sqlite" {
		t.Fatalf("Dialect() = %q", s.Dialect())
	}
	var all []byte
	files, _ := filepath.Glob(filepath.Join(dir, "hypercare.db*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if bytes.Contains(all, []byte(key)) {
		t.Error("the routing key is stored in clear")
	}
	if !bytes.Contains(all, []byte(store.KeyHash(key))) {
		t.Error("the routing key's hash is not stored")
	}
}

// TestRunStopsAndCloseAfterRun: Run returns when its ctx ends, Write works
// directly afterwards, and Close also stops an active Run.
func TestRunStopsAndCloseAfterRun(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		s, err := store.Open(t.Context(), e.Options(t))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		waitRunning(t, s, done)
		if err := s.Run(ctx); err == nil {
			t.Error("second concurrent Run succeeded")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		write := func() error {
			return s.Write(t.Context(), "k", func(tx hypercare.Tx) error {
				return tx.CreateToken(t.Context(), &hypercare.Token{ID: hypercare.NewID(time.Now()), Name: "n", Role: hypercare.RoleViewer, Hash: hypercare.NewID(time.Now())})
			})
		}
		if err := write(); err != nil {
			t.Fatalf("write after Run ended: %v", err)
		}
		done2 := make(chan error, 1)
		go func() { done2 <- s.Run(t.Context()) }()
		waitRunning(t, s, done2)
		if err := s.Close(); err != nil {
			t.Fatalf("Close with Run active: %v", err)
		}
		if err := <-done2; err != nil {
			t.Fatalf("Run stopped by Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if err := s.Run(t.Context()); err == nil {
			t.Error("Run after Close succeeded")
		}
	})
}

// waitRunning yields until Run has started, failing if it returned.
func waitRunning(t *testing.T, s *store.Store, done <-chan error) {
	t.Helper()
	for !s.WriteStats().Running {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		default:
			runtime.Gosched()
		}
	}
}
