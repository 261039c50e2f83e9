package webhook

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// A digest is posted as type incident.digest with every incident and its
// links under "digest"; an ordinary page has no "digest" field.
func TestDigestPayload(t *testing.T) {
	m := Message{Notification: hypercare.Notification{ID: "01DIG"}, Incident: hypercare.Incident{ID: "01INC", Number: 7}}
	plain, _ := json.Marshal(payload(m, time.Unix(0, 0)))
	if strings.Contains(string(plain), `"digest"`) || !strings.Contains(string(plain), `"type":"incident.page"`) {
		t.Fatalf("page: %s", plain)
	}
	m.Digest = &notify.Digest{Summary: "2 new incidents on Checkout", Items: []notify.DigestItem{
		{Number: 7, Title: "disk", Service: "Checkout", Urgency: hypercare.UrgencyHigh, AckURL: "https://hc/act/a7"},
		{Number: 8, Title: "cpu", Service: "Checkout", Urgency: hypercare.UrgencyLow}}}
	b, _ := json.Marshal(payload(m, time.Unix(0, 0)))
	for _, want := range []string{`"type":"incident.digest"`, `"summary":"2 new incidents on Checkout"`,
		`{"number":7,"title":"disk","service":"Checkout","urgency":"high","ack_url":"https://hc/act/a7"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("digest payload lacks %s: %s", want, b)
		}
	}
}
