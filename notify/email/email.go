// Package email delivers pages to contact methods of type email through
// one SMTP relay (notify.email in the config).
//
// Every connection goes through the outbound guard (notify.NewDialer), so
// a relay name that resolves to a private address is refused unless
// notify.allow_private_networks is set. tls is starttls (the default: the
// relay must offer STARTTLS or nothing is sent), tls (implicit TLS, port
// 465) or none. The password is only ever handed to the SMTP AUTH
// exchange, and only over TLS (or to localhost): it never appears in
// errors, logs or the API.
//
// Each page is one message with a text and an HTML part. Pages of one
// incident share a thread: every message has its own Message-ID (stable
// across retries of the same page, so a relay or client can drop a
// duplicate) and all of them name the incident's thread ID in In-Reply-To
// and References. The thread ID is derived from the incident ID alone, so
// any later page, to anyone, threads with the earlier ones without the
// server remembering what it sent.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
	gomail "github.com/wneessen/go-mail"
)

// The TLS modes of Config.TLS.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// Config is the relay e-mail goes through.
type Config struct {
	Host string
	Port int
	// TLS is TLSStartTLS (also when empty), TLSImplicit or TLSNone.
	TLS      string
	Username string
	Password string
	// From is the sender, "Name <address>" or a bare address; its domain
	// also names the Message-IDs.
	From string
	// Net is the outbound guard's configuration.
	Net notify.NetOptions
	// RootCAs verifies the relay's certificate; nil means the system's.
	// Tests and relays with a private CA set it.
	RootCAs *x509.CertPool
	// Clock stamps the Date header; nil means the system clock.
	Clock hypercare.Clock
	// Subject and Text, when set (notify.templates.email), replace the
	// default subject and plain-text body; see render.go.
	Subject, Text *texttemplate.Template
}

// Sender is the e-mail channel. It is safe for concurrent use: each Send
// makes its own SMTP connection.
type Sender struct {
	cfg    Config
	from   *mail.Address
	domain string
}

// New checks cfg and returns a sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("email: relay host is required")
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("email: tls must be starttls, tls or none, not %q", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email: from address: %w", err)
	}
	if cfg.Clock == nil {
		cfg.Clock = hypercare.SystemClock{}
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &Sender{cfg: cfg, from: from, domain: domain}, nil
}

// CheckAddress reports whether address is a single e-mail address.
func (s *Sender) CheckAddress(address string) error { return checkAddress(address) }

func checkAddress(address string) error {
	a, err := mail.ParseAddress(address)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(address) {
		return hypercare.Errorf(hypercare.CodeInvalid, "must be one e-mail address like oncall@example.com")
	}
	return nil
}

// Send delivers m as one e-mail. SMTP 5xx answers are permanent, 4xx
// answers and connection problems transient (the engine retries).
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	if err := checkAddress(m.Notification.Address); err != nil {
		return notify.Permanent(fmt.Errorf("email: %w", err))
	}
	msg, err := s.message(m)
	if err != nil {
		return notify.Permanent(fmt.Errorf("email: build message: %w", err))
	}
	client, err := s.client(ctx)
	if err != nil {
		return notify.Permanent(fmt.Errorf("email: %w", err))
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(fmt.Errorf("email: via %s: %w", s.relay(), err))
	}
	return nil
}

// relay is the relay's host:port, for errors.
func (s *Sender) relay() string { return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)) }

// client builds a go-mail client that dials through the guard.
func (s *Sender) client(ctx context.Context) (*gomail.Client, error) {
	tlsConf := &tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	dialer := notify.NewDialer(s.cfg.Net)
	dial := dialer.DialContext
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port), gomail.WithTLSConfig(tlsConf), gomail.WithHELO(s.helo()),
		gomail.WithTimeout(timeout(ctx)),
	}
	switch s.cfg.TLS {
	case TLSImplicit:
		// go-mail skips its own TLS when given a dial function, so the
		// guard's dialer is wrapped here and the connection is TLS from
		// the first byte.
		td := &tls.Dialer{NetDialer: dialer, Config: tlsConf}
		dial = td.DialContext
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	opts = append(opts, gomail.WithDialContextFunc(dial))
	if s.cfg.Username != "" {
		// PLAIN and LOGIN refuse to send the password over a connection
		// without TLS (except to localhost), whatever the relay offers.
		opts = append(opts, gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
	} else {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthNoAuth))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// helo names this server in EHLO: the From domain, as relays expect a
// name rather than the container's host name.
func (s *Sender) helo() string {
	if s.domain != "" {
		return s.domain
	}
	return "localhost"
}

// timeout is what is left of ctx's deadline, for go-mail's own timer.
func timeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return max(time.Until(d), time.Millisecond)
	}
	return notify.DefaultTimeout
}

// classify marks SMTP 5xx answers permanent; everything else (4xx,
// connection refused, timeouts, a TLS failure) is left for retrying.
// The guard's refusals are already permanent.
func classify(err error) error {
	if code := smtpCode(err); code >= 500 && code < 600 {
		return notify.Permanent(err)
	}
	return err
}

// smtpCode finds the SMTP reply code in err's chain, 0 if none.
func smtpCode(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if se.IsTemp() {
			return 400
		}
		if c := se.ErrorCode(); c != 0 {
			return c
		}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
