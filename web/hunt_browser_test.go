package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare/storetest"
)

// TestBrowserPastedLogNoteWithinTheLimit: a responder pastes a log
// excerpt of 10,000 characters over 400 lines into the note box, which
// accepts it (maxlength 10000 counts a line break once), and presses Add
// note. The browser submits each line break as CRLF, so the server saw
// 10,400 characters and refused "at most 10000", on an error page: the
// pasted note was lost.
func TestBrowserPastedLogNoteWithinTheLimit(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("d1", "Checkout down", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "%-24s\n", fmt.Sprintf("12:%02d:%02d ERROR pod-%d", i/60, i%60, i))
	}
	excerpt := b.String()
	if len(excerpt) != 10000 {
		t.Fatalf("excerpt is %d characters", len(excerpt))
	}
	run(t, ctx, "paste the excerpt", chromedp.Navigate(h.URL+"/incidents/1"), chromedp.WaitVisible(chromedp.ID("note")),
		chromedp.Focus(chromedp.ID("note")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: excerpt})
			return err
		}))
	if n := eval[int](t, ctx, `document.getElementById("note").value.length`); n != 10000 {
		t.Fatalf("the note box holds %d characters, want all 10000 pasted", n)
	}
	if !eval[bool](t, ctx, `document.getElementById("note").checkValidity()`) {
		t.Fatal("the browser finds the note invalid")
	}
	run(t, ctx, "add the note", chromedp.Click(chromedp.Search(`//button[normalize-space()="Add note"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .flash, main .error`)))
	if msg := eval[string](t, ctx, `document.querySelector("main .flash, main .error").textContent.trim()`); msg != "Note added." {
		t.Fatalf("Add note answered %q, want \"Note added.\"", msg)
	}
	note := eval[string](t, ctx, `[...document.querySelectorAll("#timeline li")].map(l => l.textContent).find(s => s.includes("pod-399")) || ""`)
	if !strings.Contains(note, "12:06:39 ERROR pod-399") {
		t.Errorf("the timeline does not show the pasted note")
	}
}

// TestBrowserPageLeavesAnEndedSession: when the session ends (here it
// expires), the server ends its live stream and refuses the browser's
// reconnect, which closes the EventSource for good. The page used to go
// quietly stale; it now reloads, and the sign-in page says why.
func TestBrowserPageLeavesAnEndedSession(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	run(t, ctx, "wait for the stream", chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)))
	h.Clock.Advance(13 * time.Hour) // past the session's 12 hours
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		h.Clock.Advance(15 * time.Second) // keepalives: the stream re-checks the session at each
		if path := eval[string](t, ctx, `location.pathname`); path == "/login" {
			return
		}
	}
	t.Fatalf("the page is still at %q with data-stream=%q a minute after its session expired; want the sign-in page",
		eval[string](t, ctx, `location.pathname`), eval[string](t, ctx, `document.body.getAttribute("data-stream") || ""`))
}
