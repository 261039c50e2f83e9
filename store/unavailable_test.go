package store_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// proxy forwards TCP connections to target until it is cut, which closes
// the listener and every connection: the database host gone, as in a
// failover or a restart.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestUnreachableDatabaseIsUnavailable: once PostgreSQL cannot be
// reached, reads and writes fail with unavailable (the API's 503, to be
// retried), not internal (500 "internal error", a broken request).
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	u, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	s := storetest.OpenStore(t, store.Options{DatabaseURL: u.String()})
	ctx := context.Background()
	if _, _, err := s.ListIncidents(ctx, hypercare.IncidentFilter{}); err != nil {
		t.Fatalf("list before the cut: %v", err)
	}
	p.cut()
	for name, call := range map[string]func() error{
		"ListIncidents": func() error { _, _, err := s.ListIncidents(ctx, hypercare.IncidentFilter{}); return err },
		"GetIncident":   func() error { _, err := s.GetIncident(ctx, "inc-1"); return err },
		"ListServices":  func() error { _, err := s.ListServices(ctx); return err },
		"EventCounts":   func() error { _, err := s.EventCounts(ctx, time.Unix(0, 0), time.Unix(3600, 0), ""); return err },
		"Write": func() error {
			return s.Write(ctx, "k", func(tx hypercare.Tx) error { _, err := tx.GetIncident(ctx, "inc-1"); return err })
		},
	} {
		if err := call(); hypercare.ErrorCode(err) != hypercare.CodeUnavailable {
			t.Errorf("%s with the database gone: %q (%v), want unavailable", name, hypercare.ErrorCode(err), err)
		}
	}
	// Closed here: with the database gone, the closing store's check of
	// its references (storetest.OpenStore) has nothing to read.
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}
