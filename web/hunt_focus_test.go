package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare/storetest"
)

// TestBrowserLiveUpdateKeepsKeyboardFocus: a keyboard user tabs to
// Resolve; before they press Enter a live update arrives (a colleague's
// note). The update moved focus to the first button of the refreshed
// part, Acknowledge, so Enter acknowledged instead of resolving. Focus
// must stay on the control that had it, or leave the controls, never
// land on another one.
func TestBrowserLiveUpdateKeepsKeyboardFocus(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("f1", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"),
		chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)))
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll("#incident-live button")].find(b => b.textContent.trim() === "Resolve").focus(); return true; })()`)
	if got := eval[string](t, ctx, `document.activeElement.textContent.trim()`); got != "Resolve" {
		t.Fatalf("focus is on %q before the update", got)
	}
	other := h.browser()
	other.mustLogin("ada")
	_, page := other.get("/incidents/1")
	other.post("/incidents/1/notes", url.Values{"csrf": {csrf(t, page)}, "message": {"Looking at the load balancer"}})
	run(t, ctx, "the note arrives live", waitText("#timeline", "Looking at the load balancer"))
	if got := eval[string](t, ctx, `document.activeElement.textContent.trim()`); got != "Resolve" {
		t.Errorf("after the live update focus is on %q; want it still on Resolve", got)
	}
	// Focus on Acknowledge, which the colleague's acknowledgement takes
	// away: focus must not move to Resolve.
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll("#incident-live button")].find(b => b.textContent.trim() === "Acknowledge").focus(); return true; })()`)
	other.post("/incidents/1/acknowledge", url.Values{"csrf": {csrf(t, page)}})
	run(t, ctx, "the acknowledgement arrives live", waitText("#incident-status", "acknowledged"))
	if got := eval[string](t, ctx, `document.activeElement.tagName + " " + document.activeElement.textContent.trim()`); got == "BUTTON Resolve" {
		t.Errorf("the Acknowledge button left with the update and focus moved to Resolve")
	}
}

// TestBrowserReloadDoesNotRepeatTheConfirmation: after Acknowledge the
// page said "Acknowledged." from its address (?done=acknowledge); a reload
// an hour later, when the incident had re-triggered or been resolved,
// said "Acknowledged." again, as if just done. The confirmation belongs to
// the press, not to the address.
func TestBrowserReloadDoesNotRepeatTheConfirmation(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("fl1", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "acknowledge", chromedp.Navigate(h.URL+"/incidents/1"),
		chromedp.Click(chromedp.Search(`//button[normalize-space()="Acknowledge"]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[normalize-space()="Acknowledged."]`)),
		chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)))
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("incident-status")))
	if n := eval[int](t, ctx, `document.querySelectorAll("main .flash").length`); n != 0 {
		t.Errorf("the reloaded page says %q again", eval[string](t, ctx, `document.querySelector("main .flash").textContent`))
	}
}

// TestBrowserStatusChangeIsAnnounced: the live update swaps the incident's
// status silently: a screen-reader user working the incident never
// learned that a colleague resolved it. A change of status is put in a
// live region (role=status) that stays on the page.
func TestBrowserStatusChangeIsAnnounced(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("an1", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"),
		chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)))
	other := h.browser()
	other.mustLogin("ada")
	_, page := other.get("/incidents/1")
	other.post("/incidents/1/resolve", url.Values{"csrf": {csrf(t, page)}})
	run(t, ctx, "resolution appears live", waitText("#incident-status", "resolved"))
	said := eval[string](t, ctx, `[...document.querySelectorAll("[role=status], [aria-live]")].filter(e => !document.getElementById("incident-live").contains(e)).map(e => e.textContent).join("|")`)
	if !strings.Contains(said, "resolved") {
		t.Errorf("no live region outside the swapped part says the incident is resolved (they say %q)", said)
	}
}
