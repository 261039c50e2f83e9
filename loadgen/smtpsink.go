package loadgen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"time"

	"github.com/emersion/go-smtp"
)

// This file is the e-mail half of bench page: a plain SMTP server on
// loopback that plays the responder's mailbox. Each message is matched to
// its trigger by the run's token in the Subject ("[#42] <title>
// (service)"); it arrives when the server accepts its DATA.

// smtpSink receives e-mail pages for a tracker.
type smtpSink struct {
	srv  *smtp.Server
	ln   net.Listener
	addr string
	done chan struct{}
}

// startSMTPSink listens on addr (loopback only) and files every message
// into tr as a level-1 page.
func startSMTPSink(addr string, tr *tracker) (*smtpSink, error) {
	if err := checkLoopbackAddr(addr); err != nil {
		return nil, fmt.Errorf("e-mail receiver: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("e-mail receiver: %w", err)
	}
	srv := smtp.NewServer(sinkBackend{tr})
	srv.Domain, srv.AllowInsecureAuth = "bench.invalid", true
	srv.MaxMessageBytes, srv.ReadTimeout, srv.WriteTimeout = maxPageBody, time.Minute, time.Minute
	s := &smtpSink{srv: srv, ln: ln, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() { defer close(s.done); _ = srv.Serve(ln) }()
	return s, nil
}

func (s *smtpSink) close() {
	_ = s.srv.Close()
	<-s.done
}

type sinkBackend struct{ tr *tracker }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{tr: b.tr}, nil }

type sinkSession struct{ tr *tracker }

func (*sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*sinkSession) Reset()                               {}
func (*sinkSession) Logout() error                        { return nil }

// Data files the message by its Subject and Message-ID.
func (x *sinkSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(bufio.NewReader(r))
	at := time.Now()
	if err == nil {
		_, err = io.Copy(io.Discard, msg.Body)
	}
	var p pagePayload
	if err == nil {
		p.ID = msg.Header.Get("Message-Id")
		p.Incident.ID = msg.Header.Get("X-Hypercare-Incident")
		p.Incident.Title, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		p.Level = 1
	}
	if err == nil && (p.ID == "" || p.Incident.ID == "") {
		err = errors.New("not a page: Message-ID and X-Hypercare-Incident are required")
	}
	if err != nil {
		x.tr.mu.Lock()
		x.tr.stats.Malformed++
		x.tr.mu.Unlock()
		return &smtp.SMTPError{Code: 554, Message: "not a Hypercare page"}
	}
	x.tr.record(p, at)
	return nil
}
