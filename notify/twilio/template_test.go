package twilio

import (
	"strings"
	"testing"

	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/tmpl"
)

// An SMS template gets one-line alert text, and whatever it renders is
// one line within two segments.
func TestSMSTemplateStaysWithinTwoSegments(t *testing.T) {
	tp, err := tmpl.Parse("sms", "PAGE {{.Number}}\n{{.Title}} / {{.Service}} / {{.Title}} ack: {{.AckURL}}")
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"disk “full”\r\nSTOP", strings.Repeat("Über-long title ", 60), strings.Repeat("ディスクがいっぱい", 30)} {
		out, err := TemplateText(tp, msg(title, "Checkout\nx", "https://hc.example.com/act/tok"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(out, "\r\n") || !segmentsOK(out) || !strings.HasPrefix(out, "PAGE 42 ") {
			t.Errorf("title %.20q: %q", title, out)
		}
	}
}

// A digest SMS fits two segments however many incidents it lists.
func TestDigestTextFits(t *testing.T) {
	d := &notify.Digest{Summary: "120 new incidents on Checkout “EU”, 3 high urgency"}
	for i := range 120 {
		d.Items = append(d.Items, notify.DigestItem{Number: int64(1000 + i)})
	}
	out := DigestText(d)
	if !segmentsOK(out) || !strings.Contains(out, "#1000 #1001") || !strings.Contains(out, "more. Reply 'ack N' for each.") {
		t.Errorf("digest SMS: %q", out)
	}
}
