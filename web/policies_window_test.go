package web_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

// Inside a hypercare window with max_escalate_after_minutes, the policies
// page says how long each level waits now (the engine's NextDue), that
// the window shortened it and what the file configures; outside it, the
// configured wait alone.
func TestPoliciesPageShowsTheWindowsEscalateAfter(t *testing.T) {
	var esc *escalate.Engine
	h := startHarnessWith(t, storetest.Engines(t)[0].Open(t), func(o *web.Options) { esc = o.Escalation })
	d := directory()
	d.Windows = []hypercare.Window{{ID: "bfcm", Name: "BFCM", Start: start.Add(-time.Hour), End: start.Add(time.Hour),
		MaxEscalateAfter: 3 * time.Minute}}
	esc.SetDirectory(d)
	b := h.browser()
	b.mustLogin("vic")
	_, page := b.get("/policies")
	text := html.UnescapeString(page)
	if want := "escalates after 3 min (hypercare window BFCM; configured 10 min)"; !strings.Contains(text, want) {
		t.Errorf("policies page lacks %q:\n%s", want, text)
	}
	h.Clock.Advance(2 * time.Hour)
	_, page = b.get("/policies")
	if text := html.UnescapeString(page); strings.Contains(text, "hypercare window") || !strings.Contains(text, "escalates after 10 min)") {
		t.Errorf("after the window the policies page should show the configured wait alone:\n%s", text)
	}
}
