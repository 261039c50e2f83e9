package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
)

// TestSignOutWithAnExpiredSessionGoesToTheSignInPage: a responder who
// left the tab open overnight and presses "Sign out" is where they wanted
// to be, on the sign-in page with the dead cookie cleared, not on a 401
// error page telling them their session has expired.
func TestSignOutWithAnExpiredSessionGoesToTheSignInPage(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		b := h.browser()
		b.mustLogin("rita")
		_, page := b.get("/incidents")
		token := csrf(t, page)
		h.Clock.Advance(12*time.Hour + time.Second)
		resp, err := b.c.PostForm(h.URL+"/logout", url.Values{"csrf": {token}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("sign out with an expired session = %d to %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
		}
		cleared := false
		for _, c := range resp.Cookies() {
			cleared = cleared || c.Name == "hypercare_session" && c.MaxAge < 0
		}
		if !cleared {
			t.Error("the expired session's cookie is not cleared")
		}
		// Without any cookie at all, too.
		if code, _ := h.browser().post("/logout", url.Values{}); code != http.StatusSeeOther {
			t.Errorf("sign out without a session = %d, want 303 to /login", code)
		}
	})
}

// TestSigningInAgainEndsThePreviousSession: signing in again in the same
// browser (as the same or another user) ends the session its cookie
// carried, so a copy of the old cookie (taken from a shared screen, or
// planted before sign-in) no longer works until it would have expired.
func TestSigningInAgainEndsThePreviousSession(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		u, _ := url.Parse(h.URL)
		b := h.browser()
		b.mustLogin("rita")
		old := sessionCookieOf(b, u)
		b.mustLogin("ada")
		if now := sessionCookieOf(b, u); now == old || now == "" {
			t.Fatalf("signing in again kept the session cookie %q", now)
		}
		if code, page := b.get("/incidents"); code != http.StatusOK || !strings.Contains(page, "Ada") {
			t.Fatalf("GET /incidents after signing in again = %d", code)
		}
		replay := h.browser()
		replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "hypercare_session", Value: old}})
		if code, _ := replay.get("/incidents"); code != http.StatusSeeOther {
			t.Errorf("the previous session's cookie still works after signing in again: GET = %d, want a redirect to /login", code)
		}
	})
}

func sessionCookieOf(b *browser, u *url.URL) string {
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "hypercare_session" {
			return c.Value
		}
	}
	return ""
}
