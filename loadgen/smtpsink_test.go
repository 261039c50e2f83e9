package loadgen

import (
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// The SMTP sink files an e-mail page under the trigger whose token is in
// its Subject, and counts a message that is not a page as malformed.
func TestSMTPSinkMatchesPages(t *testing.T) {
	tr := newTracker("hcpage-t-", 3)
	tr.sending(1, time.Now())
	tr.accept(1)
	sink, err := startSMTPSink("127.0.0.1:0", tr)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.close()
	page := "From: bench@example.com\r\nTo: bench@example.com\r\nMessage-ID: <page.1@x>\r\nX-Hypercare-Incident: 7\r\n" +
		"Subject: [#7] bench hcpage-t-1 (Bench)\r\n\r\nbody\r\n"
	if err := smtp.SendMail(sink.addr, nil, "bench@example.com", []string{"bench@example.com"}, []byte(page)); err != nil {
		t.Fatal(err)
	}
	junk := "From: a@b.c\r\nSubject: hello\r\n\r\nx\r\n"
	if err := smtp.SendMail(sink.addr, nil, "a@b.c", []string{"a@b.c"}, []byte(junk)); err == nil || !strings.Contains(err.Error(), "554") {
		t.Errorf("junk accepted: %v", err)
	}
	items, stats := tr.snapshot()
	if items[1].first.at.IsZero() || stats.Pages != 1 || stats.Malformed != 1 {
		t.Fatalf("items %+v stats %+v", items[1], stats)
	}
	if err := checkLoopbackAddr("0.0.0.0:25"); err == nil {
		t.Error("non-loopback receiver accepted")
	}
}
