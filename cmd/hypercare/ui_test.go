package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/storetest"
	"golang.org/x/crypto/bcrypt"
)

// TestUIShowsConfigWindows: the UI serve builds reads the readiness
// catalog it is given, so the example config's window is on the
// Readiness page and its report opens.
func TestUIShowsConfigWindows(t *testing.T) {
	cfg, err := config.Load("../../examples/hypercare.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Engines(t)[0].Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, services, _ := cfg.Catalog()
	esc := escalate.New(st, hypercare.SystemClock{}, escalate.NewDirectory(cfg.Users(), cfg.Schedules(), cfg.EscalationPolicies(), services, cfg.Windows()), log)
	ui, err := newUI(st, cfg, esc, readiness.FromConfig(cfg, nil), "", log)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.MinCost)
	if err := st.SetPassword(ctx, "alice", string(hash), time.Now()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (int, string) {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, login := get("/login")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(login)
	if m == nil {
		t.Fatalf("no CSRF token on the login page\n%s", login)
	}
	resp, err := c.PostForm(srv.URL+"/login", url.Values{"csrf": {m[1]}, "username": {"alice"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, page := get("/windows"); code != http.StatusOK || !strings.Contains(page, `<a href="/windows/bfcm-2026">`) ||
		!strings.Contains(page, "Black Friday / Cyber Monday 2026") {
		t.Fatalf("GET /windows = %d, want the example's window\n%s", code, page)
	}
	if code, page := get("/windows/bfcm-2026"); code != http.StatusOK || !strings.Contains(page, `id="verdict"`) {
		t.Fatalf("GET /windows/bfcm-2026 = %d, want its report\n%s", code, page)
	}
}
