package web_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

var olderLink = regexp.MustCompile(`<a href="([^"]+)">Older incidents</a>`)

// TestLiveListKeepsTheWayToOlderIncidents: the incidents list was opened
// on a quiet morning (no second page), then a storm opened more incidents
// than one page holds. The live update showed the newest 50, but the
// "Older incidents" link sat outside the refreshed part, so it never
// appeared: the incidents pushed off the page could not be reached
// without a reload. The live fragment carries the link.
func TestLiveListKeepsTheWayToOlderIncidents(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	b := h.browser()
	b.mustLogin("vic")
	for i := range 51 {
		h.trigger(fmt.Sprintf("storm-%d", i), fmt.Sprintf("Pod %d down", i), "")
	}
	code, rows := b.get("/incidents/rows?status=open")
	if code != 200 {
		t.Fatalf("rows = %d", code)
	}
	m := olderLink.FindStringSubmatch(rows)
	if m == nil {
		t.Fatalf("the live list of 51 open incidents has no link to the older ones:\n%.300s", rows)
	}
	_, older := b.get(html.UnescapeString(m[1]))
	if !strings.Contains(older, `href="/incidents/1"`) || strings.Contains(older, `href="/incidents/2"`) {
		t.Errorf("the older page does not hold exactly incident 1:\n%s", older)
	}
}

// TestFilteredListSaysTheCountsAreOfAll: filtered to Payments, the list
// showed "triggered 3" over a table of one incident: the counts are of
// every service and urgency (as are their links), and nothing said so.
func TestFilteredListSaysTheCountsAreOfAll(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("c1", "Checkout down", "")
	h.trigger("c2", "Checkout slow", "")
	h.triggerWith(paymentsKey, "p1", "Payments down", "")
	b := h.browser()
	b.mustLogin("vic")
	for _, path := range []string{"/incidents?service=payments", "/incidents/rows?service=payments&status=open", "/incidents?urgency=high"} {
		_, page := b.get(path)
		i := strings.Index(page, `class="counts"`)
		if i < 0 || !strings.Contains(page[i:i+200], "All services") {
			t.Errorf("GET %s: the counts do not say they are of all incidents:\n%.300s", path, page[max(i, 0):])
		}
	}
	if _, page := b.get("/incidents"); strings.Contains(page, "All services") {
		t.Error("the unfiltered list labels its counts")
	}
}
