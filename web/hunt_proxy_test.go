package web_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

// TestSignInThrottleBehindATrustedProxy: behind a reverse proxy every
// request comes from the proxy's address. With the proxy trusted
// (server.trusted_proxies), the client is the address the proxy put in
// X-Forwarded-For, so twenty wrong passwords from one client no longer
// lock everyone else out for 15 minutes; that client itself is still
// blocked, also when it adds addresses of its own to the header. Without
// the setting, the header is the client's to forge and is ignored.
func TestSignInThrottleBehindATrustedProxy(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		h := startHarnessWith(t, e.Open(t), func(o *web.Options) { o.TrustedProxies = trusted })
		login := func(b *browser, xff, user, pw string) int {
			t.Helper()
			_, page := b.get("/login")
			form := url.Values{"csrf": {csrf(t, page)}, "username": {user}, "password": {pw}, "next": {"/incidents"}}
			req, _ := http.NewRequest(http.MethodPost, h.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", xff)
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		attacker := h.browser()
		// 20 failures: five for each of three users (known users compare
		// at the harness's cheap hash cost), five for unknown names.
		var names []string
		for _, u := range []string{"ada", "vic", "nora", "nobody"} {
			for range 5 {
				names = append(names, u)
			}
		}
		for i, user := range names {
			// A spoofed entry of its own on the left changes nothing: the
			// proxy appended the address it saw.
			if code := login(attacker, fmt.Sprintf("10.9.9.%d, 203.0.113.9", i), user, "wrong password!"); code != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d, want 401", i+1, code)
			}
		}
		if code := login(attacker, "198.51.100.200, 203.0.113.9", "rita", password); code != http.StatusTooManyRequests {
			t.Errorf("the guessing client after 20 failures = %d, want 429", code)
		}
		if code := login(h.browser(), "198.51.100.7", "rita", password); code != http.StatusSeeOther {
			t.Errorf("another user behind the same proxy = %d, want 303: one client's failures lock out everyone", code)
		}
	})
}
