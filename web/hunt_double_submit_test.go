package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare/storetest"
)

// TestBrowserDoubleClickActsOnce: an on-call responder double-clicks
// (a habit, or a laggy phone) Add note and then Escalate. Each click
// posted the form, so the note was added twice and the incident was
// escalated twice: the next level paged, then the one after it. A form
// must post once per page.
func TestBrowserDoubleClickActsOnce(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("dd1", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "type a note", chromedp.Navigate(h.URL+"/incidents/1"), chromedp.WaitVisible(chromedp.ID("note")),
		chromedp.SendKeys(chromedp.ID("note"), "Failing over to eu-west-2"))
	run(t, ctx, "double-click Add note", clickTwice("Add note"),
		chromedp.WaitVisible(chromedp.CSS(`main .flash, main .error`)))
	run(t, ctx, "double-click Escalate", chromedp.WaitVisible(chromedp.ID("esc-level")),
		clickTwice("Escalate"),
		chromedp.WaitVisible(chromedp.CSS(`main .flash, main .error`)))
	tl, _, err := h.Store.LatestTimeline(context.Background(), mustIncidentID(t, h, 1), 1000)
	if err != nil {
		t.Fatal(err)
	}
	notes, escalations := 0, 0
	for _, e := range tl {
		if strings.Contains(e.Message, "Failing over to eu-west-2") {
			notes++
		}
		// One escalation may write two entries: the harness takes no
		// first step, so it pages level 1, which reaches nobody (Rita has
		// no contact method), and goes on to level 2 at once. Count the
		// pages it sent.
		if strings.HasPrefix(e.Message, "Paging ") && strings.Contains(e.Message, "manually escalated") {
			escalations++
		}
	}
	if notes != 1 || escalations != 1 {
		t.Errorf("a double click added the note %d times and escalated %d times; want once each", notes, escalations)
	}
}

func mustIncidentID(t *testing.T, h *harness, number int64) string {
	t.Helper()
	inc, err := h.Store.GetIncidentByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return inc.ID
}

// clickTwice clicks the button labelled label twice, the second click
// while the first one's request is on its way (a server slow under load).
func clickTwice(label string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(() => { const b = [...document.querySelectorAll("button")].find(b => b.textContent.trim() === `+jsString(label)+`);
			b.click(); setTimeout(() => b.click(), 30); return true; })()`)(ctx, tg)
		return err
	})
}

// TestBrowserReassignNeedsAChoice: the Reassign box came with the first
// user (by ID) already chosen, so a press without a choice reassigned the
// incident to Ada, paging her and ending its escalation. The box must
// start with no one and the form refuse to post until someone is chosen.
func TestBrowserReassignNeedsAChoice(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("ra1", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"), chromedp.WaitVisible(chromedp.ID("re-user")))
	if v := eval[string](t, ctx, `document.getElementById("re-user").value`); v != "" {
		t.Errorf("the Reassign box starts with %q chosen; want nobody", v)
	}
	if eval[bool](t, ctx, `document.getElementById("re-user").form.checkValidity()`) {
		t.Error("the Reassign form would post without a choice")
	}
	// Choosing someone makes it postable, and Reassign then reassigns
	// (to Ada: Rita has no way to be paged, and a reassignment to someone
	// no page reaches is refused).
	run(t, ctx, "reassign to Ada", chromedp.SetValue(chromedp.ID("re-user"), "ada"),
		chromedp.Click(chromedp.Search(`//button[normalize-space()="Reassign"]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[normalize-space()="Reassigned."]`)))
	tl, _, err := h.Store.LatestTimeline(context.Background(), mustIncidentID(t, h, 1), 100)
	if err != nil {
		t.Fatal(err)
	}
	reassigned := 0
	for _, e := range tl {
		if strings.Contains(e.Message, "reassigned") {
			reassigned++
		}
	}
	if reassigned == 0 {
		t.Error("choosing Ada and pressing Reassign did not reassign")
	}
}
