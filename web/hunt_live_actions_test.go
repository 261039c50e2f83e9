package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"

	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare/storetest"
)

// TestBrowserResolvedElsewhereWithdrawsTheActions: rita has incident 1
// open and is typing a note when ada resolves it. The live update showed
// "resolved", but Escalate, Reassign, Merge and Split stayed on the page
// and usable (each then answered a bare 409 error page), while a fresh
// load of the resolved incident shows none of them. The page must show
// the truth: the actions a resolved incident refuses go, and the note
// being typed stays and can still be added (a resolved incident takes
// notes, as the API's does).
func TestBrowserResolvedElsewhereWithdrawsTheActions(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("r1", "Checkout down", "")
	h.trigger("r2", "Checkout slow", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"),
		chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)),
		chromedp.SendKeys(chromedp.ID("note"), "Root cause: expired TLS certificate"), markPage())

	other := h.browser()
	other.mustLogin("ada")
	_, page := other.get("/incidents/1")
	other.post("/incidents/1/resolve", url.Values{"csrf": {csrf(t, page)}})
	run(t, ctx, "resolution appears live", waitText("#incident-status", "resolved"))
	stillSamePage(t, ctx)

	visible := eval[string](t, ctx, `[...document.querySelectorAll("main button")].filter(b => b.offsetParent !== null)
		.map(b => b.textContent.trim()).join(",")`)
	if visible != "Add note" {
		t.Errorf("after the live resolve the page offers %q; want only Add note (the rest a resolved incident refuses)", visible)
	}
	if typed := eval[string](t, ctx, `document.getElementById("note").value`); typed != "Root cause: expired TLS certificate" {
		t.Fatalf("the note being typed became %q", typed)
	}
	run(t, ctx, "add the note", chromedp.Click(chromedp.Search(`//button[normalize-space()="Add note"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .flash, main .error`)))
	if msg := eval[string](t, ctx, `document.querySelector("main .flash, main .error").textContent.trim()`); msg != "Note added." {
		t.Fatalf("Add note answered %q, want \"Note added.\"", msg)
	}
	run(t, ctx, "the note is on the timeline", waitText("#timeline", "Root cause: expired TLS certificate"))
	// The fresh page of the resolved incident offers the same: a note.
	fresh := eval[string](t, ctx, `[...document.querySelectorAll("main button")].map(b => b.textContent.trim()).join(",")`)
	if fresh != "Add note" {
		t.Errorf("the resolved incident's page offers %q; want only Add note", fresh)
	}
	if !strings.Contains(eval[string](t, ctx, `document.querySelector("main").textContent`), "resolved") {
		t.Error("the page does not say the incident is resolved")
	}
}

// TestStaleActionOnAResolvedIncidentShowsTheIncident: a press that beat
// the live update (Acknowledge, Escalate or Reassign on a page from before
// someone else resolved the incident) is refused with 409 on the incident
// page itself, which shows it resolved and by whom, instead of a bare
// "Conflict" page that leads back to the list.
func TestStaleActionOnAResolvedIncidentShowsTheIncident(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("s1", "Checkout down", "")
	b := h.browser()
	b.mustLogin("rita")
	_, page := b.get("/incidents/1")
	tok := csrf(t, page)
	other := h.browser()
	other.mustLogin("ada")
	other.post("/incidents/1/resolve", url.Values{"csrf": {tok}}) // wrong token: refused
	_, op := other.get("/incidents/1")
	other.post("/incidents/1/resolve", url.Values{"csrf": {csrf(t, op)}})
	for _, c := range []struct {
		action string
		form   url.Values
		want   string
	}{
		{"acknowledge", url.Values{}, "incident 1 is already resolved"},
		{"escalate", url.Values{"level": {"0"}}, "incident 1 is resolved"},
		{"reassign", url.Values{"user": {"ada"}}, "incident 1 is resolved"},
	} {
		c.form.Set("csrf", tok)
		code, body := b.post("/incidents/1/"+c.action, c.form)
		if code != 409 {
			t.Errorf("%s on the resolved incident = %d, want 409", c.action, code)
		}
		if !strings.Contains(body, c.want) {
			t.Errorf("%s: the answer does not say %q", c.action, c.want)
		}
		if !strings.Contains(body, `data-status="resolved"`) || !strings.Contains(body, "Resolved by Ada Admin") {
			t.Errorf("%s: the answer is not the incident's page showing it resolved by Ada:\n%s", c.action, body)
		}
	}
}

// TestMergedIncidentLinksToWhereItWent: incident 1 is merged into 2 while
// a responder has 1 open. The live update said "resolved" and, deep in
// the timeline, "Merged into incident 2" as plain text: the page did not
// say, where one looks, that the outage goes on elsewhere, nor lead there.
func TestMergedIncidentLinksToWhereItWent(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("m1", "Checkout down", "")
	h.trigger("m2", "Checkout slow", "")
	b := h.browser()
	b.mustLogin("rita")
	page := incidentPage(t, b, 2)
	if code, _ := b.post("/incidents/2/merge", url.Values{"csrf": {csrf(t, page)}, "incidents": {"1"}}); code != 303 {
		t.Fatalf("merge = %d", code)
	}
	for _, path := range []string{"/incidents/1/timeline", "/incidents/1"} {
		_, body := b.get(path)
		i := strings.Index(body, `id="incident-status"`)
		if i < 0 || !strings.Contains(body[i:], `Merged into <a href="/incidents/2">incident #2</a>`) {
			t.Errorf("GET %s does not lead to incident 2 under the status:\n%s", path, body)
		}
	}
}

// TestHoldShowsLive: a silence created while a responder has the incident
// open holds its pages; the "held by" badge sat in the static heading, so
// the open page never said the pages were held until a reload.
func TestHoldShowsLive(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("h1", "Checkout down", "")
	b := h.browser()
	b.mustLogin("vic")
	ctx, now := context.Background(), h.Clock.Now()
	until := now.Add(time.Hour)
	if err := h.Store.Write(ctx, "checkout", func(tx hypercare.Tx) error {
		inc, err := tx.GetIncident(ctx, mustIncidentID(t, h, 1))
		if err != nil {
			return err
		}
		inc.SuppressedBy, inc.SuppressedUntil = "silence:deploy", &until
		return tx.UpdateIncident(ctx, inc)
	}); err != nil {
		t.Fatal(err)
	}
	if _, part := b.get("/incidents/1/timeline"); !strings.Contains(part, "held by silence:deploy") {
		t.Errorf("the live fragment does not show the hold:\n%s", part)
	}
}
