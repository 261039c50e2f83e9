package email

import (
	"mime"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/email/smtptest"
	"github.com/hypercare/hypercare/notify/tmpl"
)

// A configured subject and text template get alert text made one line:
// a title with CR LF cannot add headers through the template, and the
// HTML part stays the default, escaped.
func TestTemplatesCannotInjectHeaders(t *testing.T) {
	srv := startServer(t, smtptest.Options{Username: "oncall", Password: password})
	subject, err := tmpl.Parse("subject", "ALERT {{.Title}} on {{.Service}} [{{.Urgency}}]")
	if err != nil {
		t.Fatal(err)
	}
	text, err := tmpl.Parse("text", "{{.User}}: #{{.Number}} {{.Title}}\nAck: {{.AckURL}}\n")
	if err != nil {
		t.Fatal(err)
	}
	s := newSender(t, srv, TLSStartTLS, func(c *Config) { c.Subject, c.Text = subject, text })
	m := page("01PAGE1", "disk full\r\nBcc: evil@example.net\r\n\r\n<script>alert(1)</script>")
	m.ServiceName = "Checkout\nCc: evil@example.net"
	if err := send(t, s, m); err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Last()
	p := parse(t, got.Data)
	for _, h := range []string{"Bcc", "Cc"} {
		if v := p.header.Get(h); v != "" {
			t.Errorf("injected header %s: %q", h, v)
		}
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if subj != "ALERT disk full Bcc: evil@example.net <script>alert(1)</script> on Checkout Cc: evil@example.net [high]" {
		t.Errorf("Subject = %q", subj)
	}
	if !strings.HasPrefix(strings.ReplaceAll(p.text, "\r\n", "\n"), "Alice: #42 disk full Bcc: evil@example.net <script>alert(1)</script>\nAck: https://hc.example.com/act/ACKTOKEN") {
		t.Errorf("text = %q", p.text)
	}
	if strings.Contains(p.html, "<script>") {
		t.Errorf("HTML part not escaped: %s", p.html)
	}
}

// A digest e-mail lists every incident with its acknowledge link, its
// subject is one line, and its HTML escapes alert text.
func TestDigestEmail(t *testing.T) {
	m := page("01DIGEST", "2 new incidents on Checkout")
	m.Digest = &notify.Digest{Summary: "2 new incidents on Checkout\r\nBcc: x@y, 2 high urgency", Items: []notify.DigestItem{
		{Number: 7, Title: "<b>disk</b>", Service: "Checkout", Urgency: "high", AckURL: "https://hc/act/a7", IncidentURL: "https://hc/incidents/7"},
		{Number: 8, Title: "cpu\nhot", Service: "Checkout", Urgency: "high", AckURL: "https://hc/act/a8", IncidentURL: "https://hc/incidents/8"}}}
	subject, text, html, err := renderDigest(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(subject, "\r\n") || !strings.HasPrefix(subject, "[Hypercare digest] 2 new incidents") {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{"#7 [high] <b>disk</b> (Checkout)\n  Acknowledge: https://hc/act/a7", "#8 [high] cpu hot (Checkout)"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(html, "<b>disk") || !strings.Contains(html, `href="https://hc/act/a8"`) {
		t.Errorf("html = %s", html)
	}
}
