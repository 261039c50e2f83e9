package email

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/email/smtptest"
)

const password = "s3cr3t-smtp-pass"

var t0 = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func startServer(t *testing.T, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func newSender(t *testing.T, srv *smtptest.Server, mode string, edit ...func(*Config)) *Sender {
	t.Helper()
	cfg := Config{Host: srv.Host(), Port: srv.Port(), TLS: mode, Username: "oncall", Password: password,
		From: "Hypercare <oncall@example.com>", Net: notify.NetOptions{AllowPrivateNetworks: true},
		RootCAs: srv.RootCAs(), Clock: clocktest.New(t0)}
	for _, e := range edit {
		e(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func page(nid, title string) notify.Message {
	return notify.Message{
		Notification: hypercare.Notification{ID: nid, IncidentID: "01INC", Type: hypercare.ContactEmail,
			Address: "alice@example.com", Level: 1, Reason: "on call for Primary"},
		Incident:    hypercare.Incident{ID: "01INC", Number: 42, Title: title, ServiceID: "checkout", Urgency: hypercare.UrgencyHigh, Status: hypercare.StatusTriggered},
		User:        hypercare.User{ID: "alice", Name: "Alice"},
		ServiceName: "Checkout",
		IncidentURL: "https://hc.example.com/incidents/42",
		AckURL:      "https://hc.example.com/act/ACKTOKEN",
		ResolveURL:  "https://hc.example.com/act/RESOLVETOKEN",
	}
}

func send(t *testing.T, s *Sender, m notify.Message) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Send(ctx, m)
}

// parsed is a received message as a mail client sees it.
type parsed struct {
	header      mail.Header
	text, html  string
	contentType string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	p := parsed{header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	p.contentType = mt
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = part
		if part.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(part)
		}
		b, _ := io.ReadAll(body)
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.text = string(b)
		case "text/html":
			p.html = string(b)
		}
	}
	if p.text == "" || p.html == "" {
		t.Fatalf("want a text and an HTML part:\n%s", raw)
	}
	return p
}

func TestStartTLSAuthAndMIME(t *testing.T) {
	srv := startServer(t, smtptest.Options{Username: "oncall", Password: password})
	s := newSender(t, srv, TLSStartTLS)
	if err := send(t, s, page("01PAGE1", "Checkout <b>5xx</b> & errors")); err != nil {
		t.Fatal(err)
	}
	got, err := srv.Last()
	if err != nil {
		t.Fatal(err)
	}
	if !got.AuthTLS || !got.TLS || got.AuthUser != "oncall" || got.From != "oncall@example.com" ||
		len(got.To) != 1 || got.To[0] != "alice@example.com" {
		t.Fatalf("conversation = %+v, want AUTH and DATA over STARTTLS", got)
	}
	p := parse(t, got.Data)
	dec := new(mime.WordDecoder)
	subj, _ := dec.DecodeHeader(p.header.Get("Subject"))
	if subj != "[#42] Checkout <b>5xx</b> & errors (Checkout)" {
		t.Errorf("Subject = %q", subj)
	}
	if p.header.Get("Message-Id") != "<page.01PAGE1.01INC@hypercare.example.com>" ||
		p.header.Get("In-Reply-To") != "<incident.01INC@hypercare.example.com>" ||
		p.header.Get("References") != "<incident.01INC@hypercare.example.com>" {
		t.Errorf("threading headers = %q %q %q", p.header.Get("Message-Id"), p.header.Get("In-Reply-To"), p.header.Get("References"))
	}
	for _, want := range []string{"#42 Checkout <b>5xx</b> & errors", "Urgency: high", "https://hc.example.com/act/ACKTOKEN",
		"https://hc.example.com/act/RESOLVETOKEN", "https://hc.example.com/incidents/42", "Why you: on call for Primary"} {
		if !strings.Contains(p.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, p.text)
		}
	}
	for _, want := range []string{"Checkout &lt;b&gt;5xx&lt;/b&gt; &amp; errors", `href="https://hc.example.com/act/ACKTOKEN"`,
		`href="https://hc.example.com/act/RESOLVETOKEN"`, `href="https://hc.example.com/incidents/42"`} {
		if !strings.Contains(p.html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, p.html)
		}
	}
	if strings.Contains(p.html, "<b>5xx") {
		t.Errorf("alert text reached the HTML unescaped:\n%s", p.html)
	}
}

// A later page of the same incident is a new message in the same thread.
func TestPagesOfOneIncidentThread(t *testing.T) {
	srv := startServer(t, smtptest.Options{Username: "oncall", Password: password})
	s := newSender(t, srv, TLSStartTLS)
	for _, id := range []string{"01PAGE1", "01PAGE2"} {
		if err := send(t, s, page(id, "Checkout 5xx")); err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.Messages()
	a, b := parse(t, msgs[0].Data).header, parse(t, msgs[1].Data).header
	if a.Get("Message-Id") == b.Get("Message-Id") || a.Get("References") != b.Get("References") || b.Get("In-Reply-To") == "" {
		t.Fatalf("want distinct Message-IDs in one thread: %v / %v", a, b)
	}
}

func TestHeaderInjectionIsInert(t *testing.T) {
	srv := startServer(t, smtptest.Options{Username: "oncall", Password: password})
	s := newSender(t, srv, TLSStartTLS)
	m := page("01PAGE1", "disk full\r\nBcc: evil@example.net\r\nX-Injected: yes\n\nbody")
	m.ServiceName = "Checkout\r\nCc: evil@example.net"
	if err := send(t, s, m); err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Last()
	p := parse(t, got.Data)
	for _, h := range []string{"Bcc", "Cc", "X-Injected"} {
		if v := p.header.Get(h); v != "" {
			t.Errorf("injected header %s: %q", h, v)
		}
	}
	if len(got.To) != 1 {
		t.Errorf("recipients = %v", got.To)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if subj != "[#42] disk full Bcc: evil@example.net X-Injected: yes body (Checkout Cc: evil@example.net)" {
		t.Errorf("Subject = %q", subj)
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := startServer(t, smtptest.Options{Implicit: true, Username: "oncall", Password: password})
	if err := send(t, newSender(t, srv, TLSImplicit), page("01PAGE1", "x")); err != nil {
		t.Fatal(err)
	}
	if got, err := srv.Last(); err != nil || !got.TLS || !got.AuthTLS {
		t.Fatalf("got %+v, %v", got, err)
	}
}

// tls: starttls never falls back to plain text, so the password is safe
// from a relay (or an attacker in the path) that hides STARTTLS.
func TestStartTLSRequired(t *testing.T) {
	srv := startServer(t, smtptest.Options{NoStartTLS: true})
	err := send(t, newSender(t, srv, TLSStartTLS), page("01PAGE1", "x"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || len(srv.Messages()) != 0 {
		t.Fatalf("err = %v, messages %d", err, len(srv.Messages()))
	}
}

func TestNoTLSWithoutAuth(t *testing.T) {
	srv := startServer(t, smtptest.Options{NoStartTLS: true})
	s := newSender(t, srv, TLSNone, func(c *Config) { c.Username, c.Password = "", "" })
	if err := send(t, s, page("01PAGE1", "x")); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Last(); got.TLS {
		t.Fatal("tls: none used TLS")
	}
}

func TestFailuresRetryOrNot(t *testing.T) {
	srv := startServer(t, smtptest.Options{Username: "oncall", Password: password})
	s := newSender(t, srv, TLSStartTLS)
	srv.Fail(451)
	err := send(t, s, page("01PAGE1", "x"))
	if err == nil || notify.IsPermanent(err) {
		t.Errorf("451: err = %v, want a transient error", err)
	}
	srv.Fail(550)
	err = send(t, s, page("01PAGE1", "x"))
	if err == nil || !notify.IsPermanent(err) {
		t.Errorf("550: err = %v, want a permanent error", err)
	}
	srv.Fail(0)
	if err := send(t, s, page("01PAGE1", "x")); err != nil {
		t.Errorf("after recovery: %v", err)
	}

	bad := newSender(t, srv, TLSStartTLS, func(c *Config) { c.Password = "wrong-" + password })
	err = send(t, bad, page("01PAGE1", "x"))
	if err == nil || !notify.IsPermanent(err) || strings.Contains(err.Error(), password) {
		t.Errorf("bad password: err = %v, want permanent and without the password", err)
	}
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s, err := New(Config{Host: "127.0.0.1", Port: port, From: "oncall@example.com", Net: notify.NetOptions{AllowPrivateNetworks: true}})
	if err != nil {
		t.Fatal(err)
	}
	err = send(t, s, page("01PAGE1", "x"))
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("refused: err = %v, want transient", err)
	}
}

// The outbound guard covers SMTP: a relay on a private address is refused
// unless notify.allow_private_networks is set.
func TestGuardRefusesPrivateRelay(t *testing.T) {
	srv := startServer(t, smtptest.Options{})
	s := newSender(t, srv, TLSNone, func(c *Config) { c.Net, c.Username, c.Password = notify.NetOptions{}, "", "" })
	err := send(t, s, page("01PAGE1", "x"))
	var refused *notify.RefusedError
	if !errors.As(err, &refused) || !notify.IsPermanent(err) || len(srv.Messages()) != 0 {
		t.Fatalf("err = %v, messages %d; want a permanent refusal and nothing sent", err, len(srv.Messages()))
	}
}

func TestNoLinksSaysWhy(t *testing.T) {
	srv := startServer(t, smtptest.Options{Username: "oncall", Password: password})
	m := page("01PAGE1", "x")
	m.IncidentURL, m.AckURL, m.ResolveURL = "", "", ""
	if err := send(t, newSender(t, srv, TLSStartTLS), m); err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Last()
	p := parse(t, got.Data)
	if !strings.Contains(p.text, "--public-url") || !strings.Contains(p.html, "--public-url") || strings.Contains(p.html, "href=") {
		t.Fatalf("text:\n%s\nhtml:\n%s", p.text, p.html)
	}
}

func TestCheckAddress(t *testing.T) {
	s := &Sender{}
	for addr, ok := range map[string]bool{"alice@example.com": true, "Alice <alice@example.com>": false,
		"a@b.c, d@e.f": false, "not an address": false, "": false, "alice@example.com\r\nBcc: x@y.z": false} {
		if err := s.CheckAddress(addr); (err == nil) != ok {
			t.Errorf("CheckAddress(%q) = %v", addr, err)
		}
	}
}

// FuzzMessageHeaders: whatever the alert says, the message keeps exactly
// its own headers and one recipient.
func FuzzMessageHeaders(f *testing.F) {
	f.Add("disk full\r\nBcc: evil@example.net", "Checkout")
	f.Add("=?utf-8?q?x?=", "\n\nbody")
	s, err := New(Config{Host: "relay.example.com", From: "Hypercare <oncall@example.com>"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, service string) {
		m := page("01PAGE1", title)
		m.ServiceName = service
		msg, err := s.message(m)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := msg.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		parsed, err := mail.ReadMessage(&b)
		if err != nil {
			t.Fatalf("unparseable message for %q/%q: %v", title, service, err)
		}
		for k := range parsed.Header {
			switch k {
			case "Date", "From", "To", "Subject", "Message-Id", "In-Reply-To", "References", "X-Hypercare-Incident",
				"Auto-Submitted", "User-Agent", "X-Mailer", "Mime-Version", "Content-Type":
			default:
				t.Fatalf("unexpected header %q for %q/%q", k, title, service)
			}
		}
		if to := parsed.Header["To"]; len(to) != 1 || to[0] != "<alice@example.com>" {
			t.Fatalf("To = %q", to)
		}
	})
}

// TestLongTitleKeepsLinesWithinRFC5322 checks the 998-character line limit
// of RFC 5322 §2.1.1 ("Each line of characters MUST be no more than 998
// characters, excluding the CRLF") on the wire. Titles reach 1024
// characters (ingest's summary limit), and an ASCII one without spaces (a
// URL, a JSON blob, a stack frame) of 998 or more cannot be folded, so an
// uncut Subject is one header line longer than any relay has to accept.
func TestLongTitleKeepsLinesWithinRFC5322(t *testing.T) {
	srv := startServer(t, smtptest.Options{Username: "oncall", Password: password})
	s := newSender(t, srv, TLSStartTLS)
	title := "https://grafana.example.com/d/checkout?orgId=1&var-pod=" + strings.Repeat("checkout-7d9f8b6c5d-x2k4p,", 37)
	if err := send(t, s, page("01PAGE1", title)); err != nil {
		t.Fatal(err)
	}
	got, err := srv.Last()
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(got.Data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line %d is %d characters (RFC 5322 allows 998): %.60s…", i+1, len(line), line)
		}
	}
	p := parse(t, got.Data)
	subj, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if !strings.HasPrefix(subj, "[#42] https://grafana.example.com/d/checkout") {
		t.Errorf("Subject = %q", subj)
	}
}
