package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientIPBehindTrustedProxies: X-Forwarded-For is believed only from
// a trusted proxy, and only as far as trusted proxies wrote it: the
// rightmost address that is not a trusted proxy is the client, whatever
// the client put on the left.
func TestClientIPBehindTrustedProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"no trusted proxies: header ignored", "10.0.0.2:1", []string{"203.0.113.9"}, nil, "10.0.0.2"},
		{"untrusted peer: header ignored", "198.51.100.1:1", []string{"203.0.113.9"}, trusted, "198.51.100.1"},
		{"trusted peer", "10.0.0.2:1", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"trusted peer, no header", "10.0.0.2:1", nil, trusted, "10.0.0.2"},
		{"forged left entry", "10.0.0.2:1", []string{"1.2.3.4, 203.0.113.9"}, trusted, "203.0.113.9"},
		{"chain of proxies", "10.0.0.2:1", []string{"1.2.3.4, 203.0.113.9, 10.1.1.1"}, trusted, "203.0.113.9"},
		{"header over two lines", "10.0.0.2:1", []string{"1.2.3.4", "203.0.113.9, 10.1.1.1"}, trusted, "203.0.113.9"},
		{"entry with a port", "10.0.0.2:1", []string{"203.0.113.9:4711"}, trusted, "203.0.113.9"},
		{"IPv6 client", "[fd00::2]:1", []string{"2001:db8::7"}, trusted, "2001:db8::7"},
		{"IPv4-mapped trusted peer", "[::ffff:10.0.0.2]:1", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"garbage from a trusted hop: stop at it", "10.0.0.2:1", []string{"203.0.113.9, junk, 10.1.1.1"}, trusted, "10.1.1.1"},
		{"only proxies", "10.0.0.2:1", []string{"10.3.3.3, 10.1.1.1"}, trusted, "10.3.3.3"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientIP(r, tt.trusted); got != tt.want {
			t.Errorf("%s: clientIP = %q, want %q", tt.name, got, tt.want)
		}
	}
}
