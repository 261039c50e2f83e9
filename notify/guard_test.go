package notify

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// TestControl calls the dialer hook the way net.Dialer does: after name
// resolution, with the "ip:port" about to be connected to.
func TestControl(t *testing.T) {
	strict := controlFunc(func(_ string, ap netip.AddrPort) error { return NetOptions{}.CheckIP(ap.Addr()) })
	open := controlFunc(func(_ string, ap netip.AddrPort) error {
		return NetOptions{AllowPrivateNetworks: true}.CheckIP(ap.Addr())
	})
	tests := []struct {
		network, address string
		strictOK, openOK bool
		class            string
	}{
		{"tcp4", "8.8.8.8:443", true, true, ""},
		{"tcp6", "[2606:4700:4700::1111]:443", true, true, ""},
		{"tcp", "93.184.215.14:80", true, true, ""},
		{"tcp4", "127.0.0.1:8080", false, true, classLoopback},
		{"tcp6", "[::1]:8080", false, true, classLoopback},
		{"tcp6", "[::ffff:127.0.0.1]:80", false, true, classLoopback},
		{"tcp4", "0.0.0.0:80", false, true, classUnspecified},
		{"tcp6", "[::]:80", false, true, classUnspecified},
		{"tcp4", "10.1.2.3:80", false, true, classPrivate},
		{"tcp4", "172.20.0.1:80", false, true, classPrivate},
		{"tcp4", "192.168.1.1:80", false, true, classPrivate},
		{"tcp6", "[fd12:3456::1]:80", false, true, classPrivate},
		{"tcp4", "100.64.0.1:80", false, true, classSharedCGNAT},
		{"tcp6", "[fe80::1%eth0]:80", false, true, classLinkLocal},
		{"tcp4", "169.254.169.254:80", false, false, classMetadata},
		{"tcp6", "[::ffff:169.254.169.254]:80", false, false, classMetadata},
		{"tcp4", "224.0.0.1:80", false, true, classMulticast},
		// Fails closed on what it does not understand.
		{"udp4", "8.8.8.8:53", false, false, ""},
		{"unix", "/run/docker.sock", false, false, ""},
		{"tcp4", "not-an-address", false, false, ""},
		{"tcp4", "example.com:80", false, false, ""},
	}
	for _, tc := range tests {
		for _, c := range []struct {
			name    string
			control func(context.Context, string, string, syscall.RawConn) error
			ok      bool
		}{{"strict", strict, tc.strictOK}, {"open", open, tc.openOK}} {
			err := c.control(context.Background(), tc.network, tc.address, nil)
			if (err == nil) != c.ok {
				t.Errorf("%s control(%s, %s) = %v, want ok=%v", c.name, tc.network, tc.address, err, c.ok)
				continue
			}
			if err == nil {
				continue
			}
			if !IsPermanent(err) {
				t.Errorf("%s control(%s, %s) = %v: not permanent", c.name, tc.network, tc.address, err)
			}
			var re *RefusedError
			if tc.class != "" && (!errors.As(err, &re) || re.Class != tc.class) {
				t.Errorf("%s control(%s, %s) = %v, want class %q", c.name, tc.network, tc.address, err, tc.class)
			}
		}
	}
}

func TestCheckURL(t *testing.T) {
	ok := []string{
		"https://hooks.example.com/alice",
		"http://hooks.example.com:8080/x?token=abc",
		"HTTPS://Hooks.Example.com/",
		"https://user:pass@hooks.example.com/",
		"http://127.0.0.1:9/", // allowed or not is decided at connect time
		"http://[::1]:9/",
	}
	for _, raw := range ok {
		if err := CheckURL(raw); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", raw, err)
		}
	}
	bad := []string{
		"",
		"hooks.example.com/alice",
		"/relative/path",
		"file:///etc/passwd",
		"gopher://hooks.example.com:70/_SECRET",
		"ftp://hooks.example.com/",
		"javascript:alert(1)",
		"http:opaque-SECRET",
		"https://",
		"https:///path-only",
		"https://hooks.example.com:0/",
		"https://hooks.example.com:70000/",
		"https://hooks.example.com:port/",
		"https://hooks example.com/SECRET",
		"https://hooks.example.com/\x7fSECRET",
	}
	for _, raw := range bad {
		err := CheckURL(raw)
		if err == nil {
			t.Errorf("CheckURL(%q) = nil, want an error", raw)
			continue
		}
		if hypercare.ErrorCode(err) != hypercare.CodeInvalid {
			t.Errorf("CheckURL(%q) code = %s, want invalid_argument", raw, hypercare.ErrorCode(err))
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("CheckURL(%q) = %q: repeats the address", raw, err)
		}
	}
}

// countingServer is a loopback receiver that counts what reaches it, so a
// test can prove a refused request never left the process.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func post(c *http.Client, u string) (*http.Response, error) {
	resp, err := c.Post(u, "application/json", strings.NewReader(`{"x":1}`))
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func TestClientRefusesLoopbackAtConnect(t *testing.T) {
	srv, n := countingServer(t, nil)
	port := srv.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()
	c := NewHTTPClient(NetOptions{Timeout: 2 * time.Second})
	for _, u := range []string{
		srv.URL,
		"http://localhost:" + itoa(port), // a name that resolves to loopback
		"http://0.0.0.0:" + itoa(port),
		"http://[::ffff:127.0.0.1]:" + itoa(port),
		"http://[::1]:" + itoa(port),
		"http://169.254.169.254/latest/meta-data/", // refused before connect(2): no packet leaves
	} {
		_, err := post(c, u)
		var re *RefusedError
		if !errors.As(err, &re) || !IsPermanent(err) {
			t.Errorf("POST %s: err = %v, want a permanent *RefusedError", u, err)
		}
	}
	if got := n.Load(); got != 0 {
		t.Errorf("server received %d requests; the guard must refuse before connecting", got)
	}
	// The same server is reachable when private networks are allowed, so
	// the refusals above were the guard, not a broken server.
	if _, err := post(NewHTTPClient(NetOptions{AllowPrivateNetworks: true}), srv.URL); err != nil {
		t.Fatalf("allowed POST: %v", err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server received %d requests, want 1", got)
	}
}

// TestRedirectToPrivateRefused lets exactly one loopback server through
// the dialer, standing in for a public receiver, and has it redirect to a
// second loopback server, standing in for an internal host: the hop must
// be refused at connect time and the internal host must see nothing.
func TestRedirectToPrivateRefused(t *testing.T) {
	internal, hits := countingServer(t, nil)
	public, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusTemporaryRedirect)
	})
	publicAddr := netip.MustParseAddrPort(public.Listener.Addr().String())
	c := newHTTPClient(NetOptions{}, func(_ string, ap netip.AddrPort) error {
		if ap == publicAddr {
			return nil
		}
		return NetOptions{}.CheckIP(ap.Addr())
	})
	_, err := post(c, public.URL)
	var re *RefusedError
	if !errors.As(err, &re) || re.Class != classLoopback || !IsPermanent(err) {
		t.Fatalf("redirect to internal host: err = %v, want a permanent loopback refusal", err)
	}
	if got := hits.Load(); got != 0 {
		t.Errorf("internal host received %d requests", got)
	}
}

func TestRedirectPolicy(t *testing.T) {
	var body atomic.Value
	final, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body.Store(r.Method + " " + string(b))
	})
	hop := func(to string, code int) string {
		s, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, code) })
		return s.URL
	}
	c := NewHTTPClient(NetOptions{AllowPrivateNetworks: true, Timeout: 2 * time.Second})

	// 307/308 keep method and body: followed, up to MaxRedirects hops.
	chain := final.URL
	for range MaxRedirects {
		chain = hop(chain, http.StatusPermanentRedirect)
	}
	if _, err := post(c, chain); err != nil {
		t.Fatalf("%d redirects: %v", MaxRedirects, err)
	}
	if got, _ := body.Load().(string); got != `POST {"x":1}` {
		t.Errorf("final hop got %q, want the POST with its body", got)
	}

	refused := map[string]string{
		"one too many":   hop(chain, http.StatusTemporaryRedirect),
		"302 POST→GET":   hop(final.URL, http.StatusFound),
		"303 POST→GET":   hop(final.URL, http.StatusSeeOther),
		"gopher scheme":  hop("gopher://127.0.0.1:70/_x", http.StatusTemporaryRedirect),
		"file scheme":    hop("file:///etc/passwd", http.StatusTemporaryRedirect),
		"unknown scheme": hop("dict://127.0.0.1:11211/stat", http.StatusTemporaryRedirect),
	}
	for name, u := range refused {
		if _, err := post(c, u); err == nil || !IsPermanent(err) {
			t.Errorf("%s: err = %v, want a permanent refusal", name, err)
		}
	}
}

func TestClientRefusesSchemes(t *testing.T) {
	c := NewHTTPClient(NetOptions{AllowPrivateNetworks: true})
	for _, u := range []string{"file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://127.0.0.1/"} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Do(req)
		var ue *url.Error
		if !errors.As(err, &ue) || !IsPermanent(err) || !strings.Contains(err.Error(), "not allowed") {
			t.Errorf("GET %s: err = %v, want a permanent scheme refusal", u, err)
		}
	}
}

// TestNoProxyFromEnvironment: an environment proxy would make the dialer
// judge the proxy's address instead of the receiver's. (An end-to-end test
// cannot show it: net/http never proxies loopback, and there is no other
// host here.)
func TestNoProxyFromEnvironment(t *testing.T) {
	g, ok := NewHTTPClient(NetOptions{}).Transport.(schemeGuard)
	if !ok {
		t.Fatalf("transport is %T, want schemeGuard", NewHTTPClient(NetOptions{}).Transport)
	}
	if g.t.Proxy != nil {
		t.Error("transport has a Proxy func; it must connect directly")
	}
	if g.t.DialContext == nil || g.t.DialTLSContext != nil {
		t.Error("every connection must go through the guarded DialContext")
	}
}

func itoa(p uint16) string { return strconv.Itoa(int(p)) }
