// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// in-process for tests and local trials of the e-mail channel: STARTTLS or
// implicit TLS with a generated certificate, AUTH PLAIN (only over TLS, as
// real relays), and failure injection. It records every accepted message
// with what the conversation looked like, so tests can check that the
// password went over TLS and that the MIME is what clients will parse.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configures a Server.
type Options struct {
	// Implicit serves TLS from the first byte (tls: tls); otherwise the
	// server offers STARTTLS unless NoStartTLS.
	Implicit   bool
	NoStartTLS bool
	// Username and Password, when set, are required (AUTH PLAIN).
	Username, Password string
}

// Message is one accepted message and how it arrived.
type Message struct {
	From string
	To   []string
	Data []byte
	// TLS says the connection was encrypted when the message was sent;
	// AuthTLS that it was when AUTH ran; AuthUser who logged in.
	TLS, AuthTLS bool
	AuthUser     string
}

// Server is a running SMTP server.
type Server struct {
	opts    Options
	srv     *smtp.Server
	ln      net.Listener
	roots   *x509.CertPool
	certDER []byte
	mu      sync.Mutex
	msgs    []Message
	failing *smtp.SMTPError
	done    chan struct{}
}

// Start listens on 127.0.0.1:0 and serves until Close.
func Start(opts Options) (*Server, error) {
	cert, roots, err := selfSigned()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, roots: roots, certDER: cert.Certificate[0], done: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, c: c}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if !opts.NoStartTLS || opts.Implicit {
		s.srv.TLSConfig = tlsConf
	}
	s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtptest: listen: %w", err)
	}
	if opts.Implicit {
		s.ln = tls.NewListener(s.ln, tlsConf)
	}
	go func() { defer close(s.done); _ = s.srv.Serve(s.ln) }()
	return s, nil
}

// Close stops the server. The listener is closed here too: Serve may not
// have registered it with the server yet, and then srv.Close alone would
// leave it accepting forever.
func (s *Server) Close() {
	_ = s.srv.Close()
	_ = s.ln.Close()
	<-s.done
}

// Host and Port are where the server listens.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.ln.Addr().String()); return h }

// Port is the listening port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.ln.Addr().String())
	n, _ := strconv.Atoi(p)
	return n
}

// RootCAs trusts the server's certificate.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// CertPEM is the server's certificate in PEM, for a process that trusts it
// through SSL_CERT_FILE.
func (s *Server) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.certDER})
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Fail makes every RCPT TO answer code (e.g. 451 or 550) until Fail(0).
func (s *Server) Fail(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = nil
	if code != 0 {
		s.failing = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0},
			Message: "injected failure " + strconv.Itoa(code)}
	}
}

type session struct {
	s    *Server
	c    *smtp.Conn
	msg  Message
	auth bool
}

func (x *session) tls() bool { _, ok := x.c.TLSConnectionState(); return ok || x.s.opts.Implicit }

func (x *session) AuthMechanisms() []string {
	if x.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.opts.Username || pass != x.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		x.auth, x.msg.AuthUser, x.msg.AuthTLS = true, user, x.tls()
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.Username != "" && !x.auth {
		return smtp.ErrAuthRequired
	}
	x.msg.From = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	fail := x.s.failing
	x.s.mu.Unlock()
	if fail != nil {
		return fail
	}
	x.msg.To = append(x.msg.To, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	m := x.msg
	m.Data, m.TLS = b.Bytes(), x.tls()
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset()        { x.msg = Message{AuthUser: x.msg.AuthUser, AuthTLS: x.msg.AuthTLS} }
func (x *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// ErrNoMessage is returned by Last when nothing arrived.
var ErrNoMessage = errors.New("smtptest: no message received")

// Last returns the last accepted message.
func (s *Server) Last() (Message, error) {
	msgs := s.Messages()
	if len(msgs) == 0 {
		return Message{}, ErrNoMessage
	}
	return msgs[len(msgs)-1], nil
}
