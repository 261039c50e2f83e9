package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	_ "time/tzdata" // the same zone data on every machine

	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare/storetest"
)

// postChange records a PagerDuty change event on checkout at ts (RFC 3339).
func (h *harness) postChange(summary, ts string) {
	h.t.Helper()
	body := `{"routing_key":"` + key + `","payload":{"summary":` + quote(summary) + `,"source":"ci","timestamp":"` + ts + `"}}`
	resp, err := http.Post(h.URL+"/v2/change/enqueue", "application/json", strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("post change: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		h.t.Fatalf("post change: %s", resp.Status)
	}
}

// TestPagesShowTimesInTheUsersZone: nora (time_zone America/New_York)
// reads every time on her wall clock with the abbreviation of its instant
// (a deploy the evening before the fall-back is EDT, the incident the
// morning after is EST), in full pages and in the live fragments, while
// the datetime attributes and the API stay in UTC; vic (no time_zone)
// still reads UTC.
func TestPagesShowTimesInTheUsersZone(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	// New York falls back at 2026-11-01 06:00 UTC; the clock is 09:00 UTC.
	h.postChange("Deploy checkout v2.3.1", "2026-10-31T22:15:00Z")
	h.trigger("tz-1", "Checkout down", "")

	nora := h.browser()
	nora.mustLogin("nora")
	opened := `<time datetime="2026-11-01T09:00:00Z">2026-11-01 04:00 EST</time>`
	deploy := `<time datetime="2026-10-31T22:15:00Z">2026-10-31 18:15 EDT</time>`
	for path, wants := range map[string][]string{
		"/incidents/1":          {opened, deploy},
		"/incidents/1/timeline": {opened, deploy}, // the incident's live fragment
		"/incidents":            {opened},
		"/incidents/rows":       {opened}, // the list's live fragment
		"/oncall": {`<strong>Now:</strong> Rita Responder until 2026-11-02 04:00 EST`,
			`As of <time datetime="2026-11-01T09:00:00Z">2026-11-01 04:00 EST</time>`},
	} {
		code, page := nora.get(path)
		if code != http.StatusOK {
			t.Fatalf("nora GET %s = %d", path, code)
		}
		for _, want := range wants {
			if !strings.Contains(page, want) {
				t.Errorf("nora's %s lacks %s", path, want)
			}
		}
		if strings.Contains(page, " UTC</time>") {
			t.Errorf("nora's %s still shows a time in UTC", path)
		}
	}
	// The API answers the same session in RFC 3339 UTC, whoever asks.
	if code, body := nora.get("/api/v1/incidents/1"); code != http.StatusOK || !strings.Contains(body, `"2026-11-01T09:00:00Z"`) {
		t.Errorf("API incident for nora = %d, want created_at in UTC:\n%s", code, body)
	}

	vic := h.browser()
	vic.mustLogin("vic")
	_, page := vic.get("/incidents/1")
	for _, want := range []string{`<time datetime="2026-11-01T09:00:00Z">2026-11-01 09:00 UTC</time>`,
		`<time datetime="2026-10-31T22:15:00Z">2026-10-31 22:15 UTC</time>`} {
		if !strings.Contains(page, want) {
			t.Errorf("vic's incident page lacks %s", want)
		}
	}
}

// TestBrowserLiveTimelineInTheUsersZone: an entry pushed live to nora's
// open incident page is rendered on her clock too.
func TestBrowserLiveTimelineInTheUsersZone(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("tz-live", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "nora")
	run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"),
		chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)), markPage())
	ada := h.browser()
	ada.mustLogin("ada")
	_, page := ada.get("/incidents/1")
	ada.post("/incidents/1/notes", url.Values{"csrf": {csrf(t, page)}, "message": {"Failing over to eu-west-2"}})
	run(t, ctx, "note appears live", waitText("#timeline", "Failing over to eu-west-2"))
	stillSamePage(t, ctx)
	last := eval[string](t, ctx, `(() => { const e = [...document.querySelectorAll("#timeline time")].pop();
		return e.getAttribute("datetime") + "|" + e.textContent; })()`)
	if last != "2026-11-01T09:00:00Z|2026-11-01 04:00 EST" {
		t.Errorf("live timeline entry = %q, want its UTC datetime and New York text", last)
	}
}
