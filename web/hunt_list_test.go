package web_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// countOf matches a status tab of the list: its link and its count.
var countOf = regexp.MustCompile(`<li><a href="([^"]*)">.*?(triggered|acknowledged|resolved).*?<strong>(\d+)\+?</strong></a></li>`)

// TestFilteredListCountsWhatItLists: filtered to Payments (or to an
// urgency), the status tabs count the incidents of that filter, and their
// links keep it; they counted every service and urgency ("triggered 3"
// over a table of one, under a label saying so) and their links dropped
// the filter.
func TestFilteredListCountsWhatItLists(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("c1", "Checkout down", "")
	h.trigger("c2", "Checkout slow", "")
	h.triggerWith(paymentsKey, "p1", "Payments down", "")
	b := h.browser()
	b.mustLogin("vic")
	cases := []struct {
		path, triggered, keep string
	}{
		{"/incidents?service=payments", "1", "service=payments"},
		{"/incidents/rows?service=payments&status=open", "1", "service=payments"},
		{"/incidents?service=checkout", "2", "service=checkout"},
		{"/incidents?urgency=low", "0", "urgency=low"},
		{"/incidents", "3", ""},
	}
	for _, c := range cases {
		_, page := b.get(c.path)
		tabs := countOf.FindAllStringSubmatch(page, -1)
		if len(tabs) != 3 {
			t.Errorf("GET %s: %d status tabs:\n%.600s", c.path, len(tabs), page)
			continue
		}
		for _, tab := range tabs {
			link := html.UnescapeString(tab[1])
			if !strings.Contains(link, "status="+tab[2]) || !strings.Contains(link, c.keep) {
				t.Errorf("GET %s: tab %s links %s, want the status and %q", c.path, tab[2], link, c.keep)
			}
			if tab[2] == "triggered" && tab[3] != c.triggered {
				t.Errorf("GET %s: triggered %s, want %s", c.path, tab[3], c.triggered)
			}
		}
		if strings.Contains(page, "All services") {
			t.Errorf("GET %s: the counts still say they are of all services", c.path)
		}
	}
}

var newestLink = regexp.MustCompile(`<a href="([^"]+)">Newest incidents</a>`)

// TestOlderPageLinksBackToTheNewest: the second page of the incident list
// ("Older incidents") had no way back to the newest but the browser's Back
// button, and, opened from a bookmark or a shared link, none at all. An
// older page links to the first page of the same filter; the first page
// does not.
func TestOlderPageLinksBackToTheNewest(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	b := h.browser()
	b.mustLogin("vic")
	for i := range 51 {
		h.trigger(fmt.Sprintf("storm-%d", i), fmt.Sprintf("Pod %d down", i), "")
	}
	_, first := b.get("/incidents?status=open")
	if newestLink.MatchString(first) {
		t.Error("the first page links to the newest incidents: it is them")
	}
	m := olderLink.FindStringSubmatch(first)
	if m == nil {
		t.Fatal("the first page of 51 open incidents has no link to the older ones")
	}
	older := html.UnescapeString(m[1])
	for _, path := range []string{older, strings.Replace(older, "/incidents?", "/incidents/rows?", 1)} {
		_, page := b.get(path)
		n := newestLink.FindStringSubmatch(page)
		if n == nil {
			t.Errorf("GET %s: no link back to the newest incidents:\n%.300s", path, page)
			continue
		}
		if back := html.UnescapeString(n[1]); back != "/incidents?status=open" {
			t.Errorf("GET %s: the newest link is %s, want /incidents?status=open", path, back)
		}
	}
}

// TestBrowserOlderPageGoesBackToTheNewest: in Chromium, the older page's
// "Newest incidents" link leads to the first page, with the newest
// incident on it.
func TestBrowserOlderPageGoesBackToTheNewest(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	for i := range 51 {
		h.trigger(fmt.Sprintf("storm-%d", i), fmt.Sprintf("Pod %d down", i), "")
	}
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "open the older page and go back to the newest",
		chromedp.Navigate(h.URL+"/incidents?status=open"),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Older incidents"]`)),
		chromedp.WaitVisible(chromedp.ID("incident-1")),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Newest incidents"]`)),
		chromedp.WaitVisible(chromedp.ID("incident-51")))
}

// TestBrowserOnCallPageFollowsAHandoff: the on-call page open at a
// handoff shows whoever is on call after it, without a reload by hand; it
// kept showing the person whose shift had ended until someone reloaded.
func TestBrowserOnCallPageFollowsAHandoff(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	ctx := newBrowser(t, exe)
	h.Clock.Set(time.Date(2026, 11, 27, 8, 59, 59, 0, time.UTC)) // a second before the daily 09:00 handoff
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "open the on-call page", chromedp.Navigate(h.URL+"/oncall"), chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="On call"]`)))
	before := eval[string](t, ctx, `document.querySelector("article p").textContent`)
	want := "Now: Rita Responder"
	if strings.HasPrefix(before, want) {
		want = "Now: Ada Admin"
	}
	h.Clock.Advance(2 * time.Second)
	// The reload interrupts a wait begun before it: wait again after it.
	var err error
	for range 3 {
		if _, err = chromedp.Run(ctx, waitText("article p", want)); err == nil {
			return
		}
	}
	t.Fatalf("the on-call page does not show %q after the handoff: %v", want, err)
}
