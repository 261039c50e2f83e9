package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/hypercare/hypercare"
)

// DefaultTimeout bounds one delivery attempt (connect, TLS, redirects,
// response) when NetOptions.Timeout is zero. A page that has not gone out
// in ten seconds is better retried by the delivery engine than waited on.
const DefaultTimeout = 10 * time.Second

// MaxRedirects is how many redirects an outbound request follows. Receivers
// behind a load balancer or an http→https hop need one or two; a long
// chain is a misconfiguration, or an attempt to walk the guard around.
const MaxRedirects = 3

// NetOptions configures outbound network access for every channel.
type NetOptions struct {
	// AllowPrivateNetworks lifts the refusal of loopback, private,
	// link-local and other non-public addresses (config
	// notify.allow_private_networks), for tests and on-premises receivers.
	// Cloud metadata endpoints stay refused.
	AllowPrivateNetworks bool
	// Timeout bounds one whole request; zero means DefaultTimeout.
	Timeout time.Duration
}

func (o NetOptions) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

// RefusedError is a connection the guard would not make: the destination
// is not a public address (or is a cloud metadata endpoint). It is a
// permanent error: retrying cannot change where the address points to
// without an operator changing the contact method or the config.
type RefusedError struct {
	Addr  netip.Addr
	Class string // e.g. "a loopback address"
	// Always is true when notify.allow_private_networks would not help.
	Always bool
}

func (e *RefusedError) Error() string {
	if e.Always {
		return fmt.Sprintf("refused: %s is %s; it is never allowed", e.Addr, e.Class)
	}
	return fmt.Sprintf("refused: %s is %s; set notify.allow_private_networks to allow", e.Addr, e.Class)
}

func (e *RefusedError) permanent() bool { return true }

// CheckIP returns a *RefusedError if a connection to ip is not allowed
// under o. Channels do not need to call it (the dialer does, on every
// connection); config validation can, to reject a literal IP address at
// load time with a file:line instead of a failed page later.
func (o NetOptions) CheckIP(ip netip.Addr) error {
	class := addrClass(ip)
	switch {
	case class == "":
		return nil
	case class == classMetadata:
		return &RefusedError{Addr: ip, Class: class, Always: true}
	case o.AllowPrivateNetworks:
		return nil
	}
	return &RefusedError{Addr: ip, Class: class}
}

// dialCheck decides whether one connection may be made. It is a variable
// of the transport (not a global) so a test can let one loopback server
// through and prove that a redirect to another is refused at connect time.
type dialCheck func(network string, addr netip.AddrPort) error

// controlFunc adapts check to net.Dialer.ControlContext. The dialer calls
// it for every address it tries, after name resolution and before
// connect(2), so what is judged is the IP the socket is about to reach:
// a name that resolves (or re-resolves, DNS rebinding) to a private
// address, and every hop of a redirect, are caught, not only the URL that
// was saved. Anything it cannot parse is refused: the guard fails closed.
func controlFunc(check dialCheck) func(ctx context.Context, network, address string, c syscall.RawConn) error {
	return func(_ context.Context, network, address string, _ syscall.RawConn) error {
		switch network {
		case "tcp", "tcp4", "tcp6":
		default:
			return Permanent(fmt.Errorf("refused: network %q is not allowed for notifications", network))
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return Permanent(fmt.Errorf("refused: cannot check address %q: %v", address, err))
		}
		return check(network, ap)
	}
}

// NewDialer returns a dialer that refuses connections to addresses o does
// not allow. NewHTTPClient uses it; channels that speak other protocols
// over TCP (SMTP) must dial through it too.
func NewDialer(o NetOptions) *net.Dialer {
	return newDialer(o, func(_ string, ap netip.AddrPort) error { return o.CheckIP(ap.Addr()) })
}

func newDialer(o NetOptions, check dialCheck) *net.Dialer {
	return &net.Dialer{
		Timeout:        o.timeout(),
		KeepAlive:      30 * time.Second,
		ControlContext: controlFunc(check),
	}
}

// NewHTTPClient returns the HTTP client every HTTP channel must use. Beyond
// the dialer guard it
//   - allows only http and https, on the first request and on every redirect;
//   - follows no redirect from https to http, which would send the page
//     and its one-click action links in clear text;
//   - follows at most MaxRedirects redirects, and none that would turn a
//     POST into a GET (301/302/303), which would drop the page's body and
//     make the receiver's 200 look like a delivery;
//   - ignores HTTP_PROXY and friends: through a proxy the dialer would
//     judge the proxy's address, not the receiver's, and the proxy would
//     happily reach internal hosts for us. An explicit, operator-configured
//     proxy can be added here later if someone needs one;
//   - bounds the whole request by o.Timeout, and headers and TLS too.
func NewHTTPClient(o NetOptions) *http.Client {
	return newHTTPClient(o, func(_ string, ap netip.AddrPort) error { return o.CheckIP(ap.Addr()) })
}

func newHTTPClient(o NetOptions, check dialCheck) *http.Client {
	timeout := o.timeout()
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            newDialer(o, check).DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport:     schemeGuard{t},
		CheckRedirect: checkRedirect,
		Timeout:       timeout,
	}
}

// schemeGuard refuses every scheme but http and https before the request
// reaches the transport, so file://, gopher:// and friends fail as
// permanent errors whatever code path built the request.
type schemeGuard struct{ t *http.Transport }

func (g schemeGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkScheme(req.URL.Scheme); err != nil {
		if req.Body != nil {
			req.Body.Close() // RoundTrip must close the body, also on error
		}
		return nil, err
	}
	return g.t.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (g schemeGuard) CloseIdleConnections() { g.t.CloseIdleConnections() }

func checkScheme(scheme string) error {
	if scheme == "http" || scheme == "https" {
		return nil
	}
	return Permanent(fmt.Errorf("refused: scheme %q is not allowed; use http or https", scheme))
}

// checkRedirect is the client's redirect policy; see NewHTTPClient. The
// new hop's address is checked by the dialer when it connects.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return Permanent(fmt.Errorf("refused: more than %d redirects", MaxRedirects))
	}
	if err := checkScheme(req.URL.Scheme); err != nil {
		return err
	}
	if prev := via[len(via)-1].URL; prev.Scheme == "https" && req.URL.Scheme != "https" {
		// The page carries one-click acknowledge/resolve links and alert
		// text: never send it in clear text because a receiver said so.
		return Permanent(fmt.Errorf("refused: redirect from https to %s://%s would send the notification "+
			"unencrypted; use the final https address", req.URL.Scheme, req.URL.Host))
	}
	if orig := via[0].Method; req.Method != orig {
		return Permanent(fmt.Errorf("refused: redirect to %s would turn %s into %s and drop the body; "+
			"use the final address (status %d)", req.URL.Host, orig, req.Method, req.Response.StatusCode))
	}
	return nil
}

// CheckURL validates a webhook-style address when config is loaded or a
// contact method is saved: an absolute http or https URL with a host and a
// valid port. It cannot decide whether the host is allowed (a name can
// resolve anywhere, and differently later): that is checked at connect
// time. Its messages never repeat the URL, which may carry a secret token.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL from the message
		}
		return hypercare.Errorf(hypercare.CodeInvalid, "address is not a valid URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return hypercare.Errorf(hypercare.CodeInvalid, "address must be an absolute http or https URL")
		}
		return hypercare.Errorf(hypercare.CodeInvalid, "address scheme %q is not allowed; use http or https", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return hypercare.Errorf(hypercare.CodeInvalid, "address must have a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return hypercare.Errorf(hypercare.CodeInvalid, "address port %q is not between 1 and 65535", p)
		}
	}
	return nil
}
