package config

import (
	"fmt"
	"net/netip"
)

// Server is the server section: how the HTTP server reads the requests
// it gets.
type Server struct {
	// TrustedProxies are the reverse proxies (CIDRs, or single addresses)
	// whose X-Forwarded-For the server believes: a request whose peer is
	// one of them came from the rightmost address of that header that is
	// not one of them. Empty (the default): the header is ignored, since
	// any client can send it.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// TrustedProxies returns server.trusted_proxies as prefixes (a single
// address as a one-address prefix). Entries Parse refused are left out;
// a nil Config has none.
func (c *Config) TrustedProxies() []netip.Prefix {
	if c == nil {
		return nil
	}
	var out []netip.Prefix
	for _, s := range c.Server.TrustedProxies {
		if p, err := parseProxy(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parseProxy reads one trusted_proxies entry: "10.0.0.0/8",
// "2001:db8::/32" or "192.0.2.10".
func parseProxy(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("must be a CIDR (10.0.0.0/8, 2001:db8::/32) or an IP address, not %q", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// checkServer checks server.trusted_proxies: each entry a CIDR or an
// address, and none that trusts every address (which would let any
// client choose its address for the sign-in throttle).
func (c *checker) checkServer(s Server) {
	for i, e := range s.TrustedProxies {
		path := fmt.Sprintf("server.trusted_proxies[%d]", i)
		p, err := parseProxy(e)
		switch {
		case err != nil:
			c.add(path, "%v", err)
		case p.Bits() == 0:
			c.add(path, "%s trusts every address, so any client could choose the address it signs in from; list your proxies' networks", e)
		}
	}
}
