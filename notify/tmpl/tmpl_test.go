package tmpl

import (
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

// Parse finds unknown fields and runaway output at load; Of escapes every
// field with the channel's function.
func TestParseAndOf(t *testing.T) {
	for src, want := range map[string]string{
		"{{.Titel}}":              "can't evaluate field Titel",
		"{{.Title":                "unclosed action",
		`{{printf "%099999d" 1}}`: "renders more than",
	} {
		if _, err := Parse("t", src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", src, err, want)
		}
	}
	tp, err := Parse("t", "#{{.Number}} {{.Title}} ({{.Service}})")
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{Incident: hypercare.Incident{Number: 7, Title: "a<b", ServiceID: "svc"}}
	out, err := Execute(tp, Of(m, strings.ToUpper))
	if err != nil || out != "#7 A<B (SVC)" {
		t.Errorf("Execute = %q, %v", out, err)
	}
}
