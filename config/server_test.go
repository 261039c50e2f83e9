package config

import (
	"net/netip"
	"reflect"
	"testing"
)

// TestServerTrustedProxies: server.trusted_proxies takes CIDRs and single
// addresses (IPv4 and IPv6); anything else, and a prefix that trusts
// every address, is refused at file:line naming the entry.
func TestServerTrustedProxies(t *testing.T) {
	cfg := mustParse(t, y("server:", `  trusted_proxies: ["10.0.0.0/8", "192.0.2.10", "2001:db8::/32", "172.16.5.4/12"]`))
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.10/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("172.16.0.0/12")}
	if got := cfg.TrustedProxies(); !reflect.DeepEqual(got, want) {
		t.Errorf("TrustedProxies() = %v, want %v", got, want)
	}
	if got := (&Config{}).TrustedProxies(); got != nil {
		t.Errorf("default TrustedProxies() = %v, want none", got)
	}
	runProblemCases(t, []problemCase{
		{"not an address", y("server:", "  trusted_proxies:", "    - 10.0.0.0/8", "    - proxy.internal"), []string{
			`hypercare.yaml:4:7: server.trusted_proxies[1]: must be a CIDR (10.0.0.0/8, 2001:db8::/32) or an IP address, not "proxy.internal"`,
		}},
		{"everything", y("server:", "  trusted_proxies: [0.0.0.0/0]"), []string{
			"hypercare.yaml:2:21: server.trusted_proxies[0]: 0.0.0.0/0 trusts every address, so any client could choose the address it signs in from; list your proxies' networks",
		}},
		{"unknown key", y("server:", "  trusted_proxy: [10.0.0.1]"), []string{
			`hypercare.yaml:2:3: server.trusted_proxy: unknown field "trusted_proxy" (allowed: trusted_proxies)`,
		}},
	}, noEnv)
}
