package notify

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// TestAddrClass pins the classification of every refused range at its
// edges, and of the public addresses just outside them, so a typo in a
// prefix shows up as a named failure. Nothing here touches the network.
func TestAddrClass(t *testing.T) {
	tests := []struct {
		ip    string
		class string // "" = public
	}{
		// Unspecified and "this network".
		{"0.0.0.0", classUnspecified},
		{"0.1.2.3", classThisNetwork},
		{"0.255.255.255", classThisNetwork},
		{"1.0.0.0", ""},
		{"::", classUnspecified},
		// Loopback.
		{"127.0.0.1", classLoopback},
		{"127.255.255.254", classLoopback},
		{"126.255.255.255", ""},
		{"128.0.0.0", ""},
		{"::1", classLoopback},
		// Private (RFC 1918, ULA, site-local).
		{"10.0.0.0", classPrivate},
		{"10.255.255.255", classPrivate},
		{"9.255.255.255", ""},
		{"11.0.0.0", ""},
		{"172.15.255.255", ""},
		{"172.16.0.0", classPrivate},
		{"172.31.255.255", classPrivate},
		{"172.32.0.0", ""},
		{"192.167.255.255", ""},
		{"192.168.0.1", classPrivate},
		{"192.168.255.255", classPrivate},
		{"192.169.0.0", ""},
		{"fc00::1", classPrivate},
		{"fdff:ffff::1", classPrivate},
		{"fec0::1", classSiteLocal},
		// CGNAT shared space.
		{"100.63.255.255", ""},
		{"100.64.0.0", classSharedCGNAT},
		{"100.127.255.255", classSharedCGNAT},
		{"100.128.0.0", ""},
		// Link-local and cloud metadata.
		{"169.254.0.1", classLinkLocal},
		{"169.254.255.255", classLinkLocal},
		{"169.253.255.255", ""},
		{"169.255.0.0", ""},
		{"169.254.169.254", classMetadata},
		{"169.254.170.2", classMetadata},
		{"100.100.100.200", classMetadata},
		{"fd00:ec2::254", classMetadata},
		{"fe80::1", classLinkLocal},
		{"fe80::1%eth0", classLinkLocal},
		{"febf:ffff::1", classLinkLocal},
		// Special-purpose IPv4.
		{"192.0.0.8", classProtocol},
		{"192.0.2.1", classDocumentation},
		{"198.51.100.7", classDocumentation},
		{"203.0.113.9", classDocumentation},
		{"192.88.99.1", classRelay},
		{"198.18.0.0", classBenchmarking},
		{"198.19.255.255", classBenchmarking},
		{"198.17.255.255", ""},
		{"198.20.0.0", ""},
		// Multicast, class E, broadcast.
		{"224.0.0.1", classMulticast},
		{"239.255.255.255", classMulticast},
		{"223.255.255.255", ""},
		{"240.0.0.1", classReserved},
		{"255.255.255.254", classReserved},
		{"255.255.255.255", classBroadcast},
		{"ff02::1", classMulticast},
		// IPv4 inside IPv6: judged by the IPv4 address.
		{"::ffff:127.0.0.1", classLoopback},
		{"::ffff:10.1.2.3", classPrivate},
		{"::ffff:169.254.169.254", classMetadata},
		{"::ffff:0.0.0.0", classUnspecified},
		{"::ffff:8.8.8.8", ""},
		{"::127.0.0.1", classV4Compatible},
		{"64:ff9b::7f00:1", classLoopback},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", classMetadata}, // NAT64 of 169.254.169.254
		{"64:ff9b::808:808", ""},              // NAT64 of 8.8.8.8
		{"64:ff9b:1::1", classLocalNAT64},     // RFC 8215 local use
		// A metadata address behind a local NAT64 gateway or an
		// IPv4-compatible tunnel is metadata, refused even when private
		// networks are allowed (which lifts the two classes).
		{"64:ff9b:1::a9fe:a9fe", classMetadata},
		{"::a9fe:a9fe", classMetadata},
		{"::a9fe:aa02", classMetadata},   // 169.254.170.2
		{"168.63.129.16", classMetadata}, // Azure WireServer, a public address
		{"168.63.129.17", ""},
		{"2002:c0a8:101::1", classPrivate}, // 6to4 of 192.168.1.1
		{"2002:808:808::1", ""},            // 6to4 of 8.8.8.8
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", classTeredo},
		// Special-purpose IPv6 and space outside global unicast.
		{"100::1", classDiscard},
		{"2001:2::1", classBenchmarking},
		{"2001:db8::1", classDocumentation},
		{"3fff::1", classDocumentation},
		{"4000::1", classReserved},
		{"1fff:ffff::1", classReserved},
		// Public addresses (parsed only, never dialled).
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"93.184.215.14", ""},
		{"2606:4700:4700::1111", ""},
		{"2a00:1450:4009:81f::200e", ""},
		{"2001:4860:4860::8888", ""},
	}
	for _, tc := range tests {
		if got := addrClass(netip.MustParseAddr(tc.ip)); got != tc.class {
			t.Errorf("addrClass(%s) = %q, want %q", tc.ip, got, tc.class)
		}
	}
	if got := addrClass(netip.Addr{}); got == "" {
		t.Error("the zero Addr counts as public; the guard must fail closed")
	}
}

func TestCheckIP(t *testing.T) {
	strict := NetOptions{}
	open := NetOptions{AllowPrivateNetworks: true}
	tests := []struct {
		ip           string
		strict, open bool // refused?
		msg          string
	}{
		{"8.8.8.8", false, false, ""},
		{"127.0.0.1", true, false, "refused: 127.0.0.1 is a loopback address; set notify.allow_private_networks to allow"},
		{"10.0.0.1", true, false, "10.0.0.1 is a private address"},
		{"::ffff:127.0.0.1", true, false, "::ffff:127.0.0.1 is a loopback address"},
		{"169.254.169.254", true, true, "refused: 169.254.169.254 is a cloud metadata address; it is never allowed"},
		{"fd00:ec2::254", true, true, "cloud metadata address"},
		{"64:ff9b:1::a9fe:a9fe", true, true, "cloud metadata address"},
		{"::a9fe:a9fe", true, true, "cloud metadata address"},
		{"64:ff9b:1::1", true, false, "local-use NAT64"},
	}
	for _, tc := range tests {
		ip := netip.MustParseAddr(tc.ip)
		for _, c := range []struct {
			opts    NetOptions
			refused bool
		}{{strict, tc.strict}, {open, tc.open}} {
			err := c.opts.CheckIP(ip)
			if (err != nil) != c.refused {
				t.Errorf("%+v.CheckIP(%s) = %v, want refused=%v", c.opts, ip, err, c.refused)
				continue
			}
			if err == nil {
				continue
			}
			var re *RefusedError
			if !errors.As(err, &re) || re.Addr != ip {
				t.Errorf("CheckIP(%s) = %#v, want a *RefusedError for it", ip, err)
			}
			if !IsPermanent(err) {
				t.Errorf("CheckIP(%s): refusal is not permanent", ip)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("CheckIP(%s) = %q, want it to contain %q", ip, err, tc.msg)
			}
		}
	}
}
