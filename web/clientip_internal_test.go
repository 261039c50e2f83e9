package web

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hypercare/hypercare/clocktest"
)

// TestAddressesOfOneIPv6NetworkAreThrottledTogether: the per-address
// sign-in limit (20 failures in 15 minutes) holds against a client with
// an IPv6 network, which can send every guess from a new address of its
// /64 (each home and cloud machine gets one): its addresses count as one.
// IPv4 addresses, and IPv4 written as IPv6, count one by one as before.
func TestAddressesOfOneIPv6NetworkAreThrottledTogether(t *testing.T) {
	ip := func(remote string) string {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = remote
		return throttleAddr(clientIP(r, nil))
	}
	if a, b := ip("[2001:db8:1:2::5]:40000"), ip("[2001:db8:1:2:ffff:1:2:3]:40001"); a != b {
		t.Errorf("two addresses of one /64 count apart: %q, %q", a, b)
	}
	if a, b := ip("[2001:db8:1:2::5]:40000"), ip("[2001:db8:1:3::5]:40000"); a == b {
		t.Errorf("two /64 networks count as one: %q", a)
	}
	if a, b := ip("203.0.113.9:1"), ip("203.0.113.10:1"); a == b {
		t.Errorf("two IPv4 addresses count as one: %q", a)
	}
	if a, b := ip("[::ffff:203.0.113.9]:1"), ip("203.0.113.9:2"); a != b {
		t.Errorf("IPv4 written as IPv6 counts apart: %q, %q", a, b)
	}

	th := newThrottle(clocktest.New(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)))
	for i := range maxIPFailures {
		th.fail(fmt.Sprintf("user%d", i), ip(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1)))
	}
	if _, blocked := th.blocked("someone-new", ip("[2001:db8:1:2::beef]:443")); !blocked {
		t.Fatal("20 failures from one IPv6 /64, each from a new address, do not block it")
	}
}
