package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

// openStream opens the page's live stream with the browser's session
// cookie and returns a channel that receives its lines and is closed when
// the server ends the response.
func (b *browser) openStream(t *testing.T) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", b.h.URL+"/api/v1/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("open stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("open stream: %d", resp.StatusCode)
	}
	lines := make(chan string, 1000)
	go func() {
		defer close(lines)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	for l := range lines { // connected
		if strings.HasPrefix(l, ": connected") {
			return lines
		}
	}
	t.Fatal("the stream ended before it connected")
	return nil
}

// TestStreamEndsWithSession: the incident room's stream is authorized by
// the session cookie once, when it opens. A session that ends (sign-out,
// a password change, which "ends their other sessions", or the 12-hour
// expiry) must not keep receiving every incident change over a stream
// opened before: the stream must end within a keepalive period of the
// session ending (the page then reloads to the login page).
func TestStreamEndsWithSession(t *testing.T) {
	cases := []struct {
		name string
		end  func(t *testing.T, h *harness, b *browser)
	}{
		{"logout", func(t *testing.T, h *harness, b *browser) {
			_, page := b.get("/incidents")
			if code, _ := b.post("/logout", url.Values{"csrf": {csrf(t, page)}}); code != http.StatusSeeOther {
				t.Fatalf("logout = %d", code)
			}
		}},
		{"password-change", func(t *testing.T, h *harness, b *browser) { h.setPassword("vic", "another long passphrase") }},
		{"expiry", func(t *testing.T, h *harness, b *browser) { h.Clock.Advance(13 * time.Hour) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := startHarness(t, storetest.Engines(t)[0].Open(t))
			b := h.browser()
			b.mustLogin("vic")
			lines := b.openStream(t)
			c.end(t, h, b)
			if code, _ := b.get("/incidents"); code != http.StatusSeeOther {
				t.Fatalf("GET /incidents after the session ended = %d, want a redirect to /login", code)
			}
			// Let keepalive periods pass on the server's clock.
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				h.Clock.Advance(15 * time.Second)
				select {
				case _, ok := <-lines:
					if !ok {
						return // ended
					}
				case <-time.After(20 * time.Millisecond): // a poll interval, not a timing assertion
				}
			}
			// Still open: show what it still receives.
			h.trigger("after-"+c.name, "Secret outage", "")
			wait := time.After(10 * time.Second)
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatal("the stream ended only after the session's later change")
					}
					if strings.HasPrefix(l, "data: ") && strings.Contains(l, "Secret outage") {
						t.Fatalf("the stream of a session that ended is still open after many keepalive periods "+
							"and receives a change committed after the session ended: %.120s", l)
					}
				case <-wait:
					t.Fatal("the stream of a session that ended is still open after many keepalive periods")
				}
			}
		})
	}
}
