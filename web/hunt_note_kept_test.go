package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

// TestRefusedNoteKeepsWhatWasTyped: a responder writes a long note and
// presses Add note, and the note is refused: their 12-hour session ran
// out during the night, or they signed in again in another tab so the
// page's form token is stale, or the text is not acceptable. The answer
// was a page saying why, and the note was gone (the pages are not cached,
// so Back does not bring it back). The answer must hand the note back.
func TestRefusedNoteKeepsWhatWasTyped(t *testing.T) {
	const note = "Root cause: cert <expired> at 03:12 & the failover did not trigger"
	escaped := "Root cause: cert &lt;expired&gt; at 03:12 &amp; the failover did not trigger"
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("k1", "Checkout down", "")

	t.Run("invalid", func(t *testing.T) {
		b := h.browser()
		b.mustLogin("rita")
		page := incidentPage(t, b, 1)
		code, body := b.post("/incidents/1/notes", url.Values{"csrf": {csrf(t, page)}, "message": {note + "\x00"}})
		if code != http.StatusBadRequest || !strings.Contains(body, escaped) {
			t.Errorf("a refused note = %d and the page does not hold the note:\n%s", code, body)
		}
	})
	t.Run("stale-form", func(t *testing.T) {
		b := h.browser()
		b.mustLogin("rita")
		page := incidentPage(t, b, 1)
		b.mustLogin("rita") // another tab: a new session, the old page's token is stale
		code, body := b.post("/incidents/1/notes", url.Values{"csrf": {csrf(t, page)}, "message": {note}})
		if code != http.StatusForbidden || !strings.Contains(body, escaped) {
			t.Errorf("a note from a stale form = %d and the page does not hold the note:\n%s", code, body)
		}
	})
	t.Run("expired-session", func(t *testing.T) {
		b := h.browser()
		b.mustLogin("rita")
		page := incidentPage(t, b, 1)
		h.Clock.Advance(13 * time.Hour)
		code, body := b.post("/incidents/1/notes", url.Values{"csrf": {csrf(t, page)}, "message": {note}})
		if code != http.StatusUnauthorized || !strings.Contains(body, escaped) {
			t.Errorf("a note after the session expired = %d and the page does not hold the note:\n%s", code, body)
		}
	})
}
