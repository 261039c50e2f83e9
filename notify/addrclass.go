package notify

import "net/netip"

// The address classes a refusal names. They read as the end of "X is …",
// so an operator sees at once why a page was not sent.
const (
	classUnspecified   = "an unspecified address"
	classThisNetwork   = `a "this network" address`
	classLoopback      = "a loopback address"
	classPrivate       = "a private address"
	classSharedCGNAT   = "a shared (carrier-grade NAT) address"
	classLinkLocal     = "a link-local address"
	classProtocol      = "an IETF protocol-assignment address"
	classDocumentation = "a documentation address"
	classBenchmarking  = "a benchmarking address"
	classMulticast     = "a multicast address"
	classBroadcast     = "a broadcast address"
	classReserved      = "a reserved address"
	classRelay         = "a deprecated 6to4 relay address"
	classV4Compatible  = "a deprecated IPv4-compatible address"
	classDiscard       = "a discard-only address"
	classTeredo        = "a Teredo tunnel address"
	classLocalNAT64    = "a local-use NAT64 address"
	classSiteLocal     = "a deprecated site-local address"
	classMetadata      = "a cloud metadata address"
)

// special is one range that is not an ordinary public unicast destination.
type special struct {
	prefix netip.Prefix
	class  string
}

// v4Special lists the IPv4 ranges of the IANA special-purpose registry
// (RFC 6890 and successors) that a webhook receiver on the internet can
// never legitimately have, plus multicast and class E. Order does not
// matter: the ranges do not overlap except 255.255.255.255 inside
// 240.0.0.0/4, which is listed first so it gets its own name.
var v4Special = []special{
	{netip.MustParsePrefix("255.255.255.255/32"), classBroadcast},
	{netip.MustParsePrefix("0.0.0.0/8"), classThisNetwork}, // 0.0.0.0 itself is caught as unspecified first
	{netip.MustParsePrefix("10.0.0.0/8"), classPrivate},
	{netip.MustParsePrefix("100.64.0.0/10"), classSharedCGNAT},
	{netip.MustParsePrefix("127.0.0.0/8"), classLoopback},
	{netip.MustParsePrefix("169.254.0.0/16"), classLinkLocal},
	{netip.MustParsePrefix("172.16.0.0/12"), classPrivate},
	{netip.MustParsePrefix("192.0.0.0/24"), classProtocol},
	{netip.MustParsePrefix("192.0.2.0/24"), classDocumentation},
	{netip.MustParsePrefix("192.88.99.0/24"), classRelay},
	{netip.MustParsePrefix("192.168.0.0/16"), classPrivate},
	{netip.MustParsePrefix("198.18.0.0/15"), classBenchmarking},
	{netip.MustParsePrefix("198.51.100.0/24"), classDocumentation},
	{netip.MustParsePrefix("203.0.113.0/24"), classDocumentation},
	{netip.MustParsePrefix("224.0.0.0/4"), classMulticast},
	{netip.MustParsePrefix("240.0.0.0/4"), classReserved},
}

// v6Special lists the IPv6 ranges inside global unicast (2000::/3) that
// are special, and the few outside it that get a clearer name than
// "reserved". Everything else outside 2000::/3 is refused as reserved, so
// this list only has to be right about the exceptions, not complete.
// More specific prefixes come first (2001:2::/48 and 2001:db8::/32 before
// Teredo's 2001::/32 would not overlap, but the order keeps that obvious).
var v6Special = []special{
	{netip.MustParsePrefix("::/96"), classV4Compatible}, // after :: and ::1, which are named first
	{netip.MustParsePrefix("64:ff9b:1::/48"), classLocalNAT64},
	{netip.MustParsePrefix("100::/64"), classDiscard},
	{netip.MustParsePrefix("2001:2::/48"), classBenchmarking},
	{netip.MustParsePrefix("2001:db8::/32"), classDocumentation},
	{netip.MustParsePrefix("2001::/32"), classTeredo},
	{netip.MustParsePrefix("3fff::/20"), classDocumentation},
	{netip.MustParsePrefix("fc00::/7"), classPrivate},
	{netip.MustParsePrefix("fe80::/10"), classLinkLocal},
	{netip.MustParsePrefix("fec0::/10"), classSiteLocal},
	{netip.MustParsePrefix("ff00::/8"), classMulticast},
}

var (
	v6GlobalUnicast = netip.MustParsePrefix("2000::/3")
	// nat64 and sixToFour embed an IPv4 address that a gateway on the
	// path converts to; they are judged by that address, so
	// 64:ff9b::7f00:1 is as much loopback as 127.0.0.1.
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// localNAT64 and v4Compatible are refused as what they are, but a
	// metadata address inside them as that (embeddedV4).
	localNAT64   = netip.MustParsePrefix("64:ff9b:1::/48")
	v4Compatible = netip.MustParsePrefix("::/96")
)

// metadataAddrs are cloud instance-metadata endpoints. They hand out the
// host's cloud credentials to anyone who can make it send a request, and
// no webhook receiver ever lives there, so they are refused even when
// private networks are allowed: AWS/GCP/Azure/OCI/DigitalOcean
// (169.254.169.254), AWS over IPv6 (fd00:ec2::254), AWS ECS task
// credentials (169.254.170.2), Alibaba Cloud (100.100.100.200) and
// Azure's WireServer (168.63.129.16: a public address that every Azure VM
// reaches and that serves its agent configuration and certificates).
var metadataAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("169.254.169.254"): true,
	netip.MustParseAddr("169.254.170.2"):   true,
	netip.MustParseAddr("fd00:ec2::254"):   true,
	netip.MustParseAddr("100.100.100.200"): true,
	netip.MustParseAddr("168.63.129.16"):   true,
}

// embeddedV4 is the IPv4 address carried in the low 32 bits of a
// local-use NAT64 (64:ff9b:1::/48) or IPv4-compatible (::/96) address, or
// the zero Addr. Their own classes are refused only while private networks
// are; the metadata endpoint they may reach through a local gateway or
// tunnel never is (64:ff9b:1::a9fe:a9fe is 169.254.169.254).
func embeddedV4(ip netip.Addr) netip.Addr {
	if !ip.Is6() || !localNAT64.Contains(ip) && !v4Compatible.Contains(ip) {
		return netip.Addr{}
	}
	b := ip.As16()
	return netip.AddrFrom4([4]byte(b[12:16]))
}

// addrClass returns why ip is not a public unicast address, or "" if it
// is one. IPv4-mapped (::ffff:a.b.c.d), NAT64 and 6to4 forms are judged by
// the IPv4 address they carry, because that is where the packets end up.
func addrClass(ip netip.Addr) string {
	ip = ip.WithZone("")
	if !ip.IsValid() {
		return classReserved
	}
	if metadataAddrs[ip] || metadataAddrs[ip.Unmap()] || metadataAddrs[embeddedV4(ip)] {
		return classMetadata
	}
	if ip.Is4In6() {
		return addrClass(ip.Unmap())
	}
	if ip.IsUnspecified() {
		return classUnspecified
	}
	if ip.Is4() {
		for _, s := range v4Special {
			if s.prefix.Contains(ip) {
				return s.class
			}
		}
		return ""
	}
	if ip.IsLoopback() {
		return classLoopback
	}
	if nat64.Contains(ip) {
		b := ip.As16()
		return addrClass(netip.AddrFrom4([4]byte(b[12:16])))
	}
	if sixToFour.Contains(ip) {
		b := ip.As16()
		return addrClass(netip.AddrFrom4([4]byte(b[2:6])))
	}
	for _, s := range v6Special {
		if s.prefix.Contains(ip) {
			return s.class
		}
	}
	if !v6GlobalUnicast.Contains(ip) {
		return classReserved
	}
	return ""
}
