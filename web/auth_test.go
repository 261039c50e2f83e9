package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

func TestLoginSessionAndLogout(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		b := h.browser()
		if code, _ := b.get("/incidents"); code != http.StatusSeeOther {
			t.Fatalf("GET /incidents signed out = %d, want a redirect to /login", code)
		}
		if code, body := b.login("rita", "wrong password!"); code != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") {
			t.Fatalf("wrong password = %d, want 401 saying so", code)
		}
		if code, _ := b.login("nobody", password); code != http.StatusUnauthorized {
			t.Fatalf("unknown user = %d, want 401", code)
		}
		resp, err := b.c.Get(h.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		b.mustLogin("rita")
		u, _ := url.Parse(h.URL)
		var session *http.Cookie
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "hypercare_session" {
				session = c
			}
		}
		if session == nil {
			t.Fatal("no session cookie after sign-in")
		}
		code, page := b.get("/incidents")
		if code != http.StatusOK || !strings.Contains(page, "Rita Responder") {
			t.Fatalf("GET /incidents signed in = %d", code)
		}
		if code, _ := b.post("/logout", url.Values{"csrf": {csrf(t, page)}}); code != http.StatusSeeOther {
			t.Fatalf("logout = %d", code)
		}
		// The old cookie, replayed, is dead: the session was deleted.
		replay := h.browser()
		replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "hypercare_session", Value: session.Value}})
		if code, _ := replay.get("/incidents"); code != http.StatusSeeOther {
			t.Fatalf("replayed cookie after logout = %d, want a redirect to /login", code)
		}
	})
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, publicURL := range []string{"", "https://hypercare.example.com"} {
		t.Run("public-url="+publicURL, func(t *testing.T) { testSessionCookie(t, publicURL) })
	}
}

func testSessionCookie(t *testing.T, publicURL string) {
	h := startHarnessWith(t, storetest.Engines(t)[0].Open(t), func(o *web.Options) { o.PublicURL = publicURL })
	b := h.browser()
	_, page := b.get("/login")
	resp, err := b.c.PostForm(h.URL+"/login", url.Values{"csrf": {csrf(t, page)}, "username": {"rita"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var c *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "hypercare_session" {
			c = ck
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || len(c.Value) < 40 {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/ and a long random value", c)
	}
	// Plain HTTP without an https public URL cannot carry a Secure cookie
	// (the browser would drop it); behind a TLS proxy it must be Secure.
	if want := publicURL != ""; c.Secure != want {
		t.Fatalf("session cookie Secure = %v with --public-url %q, want %v", c.Secure, publicURL, want)
	}
}

// TestOnlyAdminsSeeIntegrationKeys: the services page fills the real key
// into the examples for admins only; everyone else gets the placeholder,
// and the admin's copy is not cached.
func TestOnlyAdminsSeeIntegrationKeys(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			h := startHarness(t, eng.Open(t))
			for user, admin := range map[string]bool{"vic": false, "rita": false, "ada": true} {
				b := h.browser()
				b.mustLogin(user)
				code, page := b.get("/services")
				if code != http.StatusOK {
					t.Fatalf("%s: services page %d", user, code)
				}
				if got := strings.Contains(page, key); got != admin {
					t.Errorf("%s sees the integration key: %v, want %v", user, got, admin)
				}
				if got := strings.Contains(page, "YOUR_INTEGRATION_KEY"); got == admin {
					t.Errorf("%s sees the placeholder: %v, want %v", user, got, !admin)
				}
			}
		})
	}
}

func TestOnlyAdminsSeeContactAddresses(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	for user, want := range map[string]bool{"vic": false, "rita": false, "ada": true} {
		b := h.browser()
		b.mustLogin(user)
		_, page := b.get("/users")
		if got := strings.Contains(page, "https://hooks.example.com/ada"); got != want {
			t.Errorf("%s sees contact addresses: %v, want %v", user, got, want)
		}
		if !strings.Contains(page, "ada-hook: webhook") {
			t.Errorf("%s does not see the contact method's type", user)
		}
	}
}

func TestForgedStaleAndRevokedSessionsAreRefused(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		u, _ := url.Parse(h.URL)
		forged := h.browser()
		forged.c.Jar.SetCookies(u, []*http.Cookie{{Name: "hypercare_session", Value: "forged-session-value-forged-session-value"}})
		if code, _ := forged.get("/incidents/1"); code != http.StatusSeeOther {
			t.Errorf("forged session GET = %d, want a redirect to /login", code)
		}
		if code, body := forged.post("/incidents/1/acknowledge", url.Values{"csrf": {"x"}}); code != http.StatusUnauthorized ||
			!strings.Contains(body, "session has expired or was ended") {
			t.Errorf("forged session POST = %d, want 401 saying the session is not valid\n%s", code, body)
		}

		stale := h.browser()
		stale.mustLogin("rita")
		h.Clock.Advance(12*time.Hour + time.Second)
		if code, _ := stale.get("/incidents"); code != http.StatusSeeOther {
			t.Errorf("GET after the session expired = %d, want a redirect to /login", code)
		}

		revoked := h.browser()
		revoked.mustLogin("rita")
		_, page := revoked.get("/incidents/1")
		token := csrf(t, page)
		h.setPassword("rita", "a brand new password")
		if code, _ := revoked.post("/incidents/1/acknowledge", url.Values{"csrf": {token}}); code != http.StatusUnauthorized {
			t.Errorf("POST after a password change = %d, want 401", code)
		}
		if st := h.incidentStatus(1); st != hypercare.StatusTriggered {
			t.Errorf("incident is %s after refused requests, want triggered", st)
		}
		if code, _ := revoked.login("rita", password); code != http.StatusUnauthorized {
			t.Errorf("the old password still signs in: %d", code)
		}
	})
}

func TestFormsNeedTheSessionsCSRFToken(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		other := h.browser()
		other.mustLogin("ada")
		_, otherPage := other.get("/incidents/1")
		b := h.browser()
		b.mustLogin("rita")
		for name, form := range map[string]url.Values{
			"missing":           {},
			"wrong":             {"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
			"another session's": {"csrf": {csrf(t, otherPage)}},
			"empty":             {"csrf": {""}},
		} {
			code, body := b.post("/incidents/1/acknowledge", form)
			if code != http.StatusForbidden || !strings.Contains(body, "security token is missing or out of date") {
				t.Errorf("%s CSRF token: %d, want 403 saying the token is missing or out of date", name, code)
			}
		}
		if st := h.incidentStatus(1); st != hypercare.StatusTriggered {
			t.Fatalf("incident is %s after refused posts, want triggered", st)
		}
		// The login form has its own double-submit token.
		fresh := h.browser()
		code, _ := fresh.post("/login", url.Values{"username": {"rita"}, "password": {password}})
		if code != http.StatusForbidden {
			t.Errorf("login without the form's token = %d, want 403", code)
		}
		// With the right token the same action works, and a GET changes nothing.
		_, page := b.get("/incidents/1")
		if code, _ := b.post("/incidents/1/acknowledge", url.Values{"csrf": {csrf(t, page)}}); code != http.StatusSeeOther {
			t.Fatalf("acknowledge with the token = %d, want 303", code)
		}
		if st := h.incidentStatus(1); st != hypercare.StatusAcknowledged {
			t.Fatalf("incident is %s, want acknowledged", st)
		}
		if code, _ := b.get("/incidents/1/resolve"); code == http.StatusOK || code == http.StatusSeeOther {
			t.Errorf("GET of an action URL = %d, want a refusal", code)
		}
		if st := h.incidentStatus(1); st != hypercare.StatusAcknowledged {
			t.Fatalf("a GET changed the incident to %s", st)
		}
	})
}

func TestViewerSeesNoActionsAndCannotAct(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		b := h.browser()
		b.mustLogin("vic")
		code, page := b.get("/incidents/1")
		if code != http.StatusOK {
			t.Fatalf("viewer GET incident = %d", code)
		}
		for _, action := range []string{"Acknowledge", "Resolve", "Escalate", "Reassign", "Add note"} {
			if strings.Contains(page, ">"+action+"</button>") {
				t.Errorf("the viewer's page has a %s button", action)
			}
		}
		token := csrf(t, page) // the sign-out form's
		for _, a := range []string{"acknowledge", "resolve", "escalate", "reassign", "notes"} {
			code, body := b.post("/incidents/1/"+a, url.Values{"csrf": {token}, "message": {"hi"}, "user": {"vic"}})
			if code != http.StatusForbidden || !strings.Contains(body, "needs the responder role") {
				t.Errorf("viewer POST %s = %d, want 403 naming the role", a, code)
			}
		}
		if st := h.incidentStatus(1); st != hypercare.StatusTriggered {
			t.Fatalf("incident is %s after a viewer's posts, want triggered", st)
		}
	})
}

func TestResponderActions(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		b := h.browser()
		b.mustLogin("rita")
		_, page := b.get("/incidents/1")
		for _, action := range []string{"Acknowledge", "Resolve", "Escalate", "Reassign", "Add note"} {
			if !strings.Contains(page, ">"+action+"</button>") {
				t.Errorf("the responder's page has no %s button", action)
			}
		}
		tok := csrf(t, page)
		steps := []struct {
			action string
			form   url.Values
			want   string
		}{
			{"notes", url.Values{"message": {"Rolling back <b>now</b>"}}, "Rolling back &lt;b&gt;now&lt;/b&gt;"},
			{"escalate", url.Values{"level": {"2"}}, "manually escalated by Rita Responder to level 2"},
			{"reassign", url.Values{"user": {"ada"}}, "reassigned by Rita Responder"},
			{"acknowledge", nil, "Acknowledged by Rita Responder"},
			{"resolve", nil, "Resolved by Rita Responder"},
		}
		for _, s := range steps {
			form := url.Values{"csrf": {tok}}
			for k, v := range s.form {
				form[k] = v
			}
			if code, body := b.post("/incidents/1/"+s.action, form); code != http.StatusSeeOther {
				t.Fatalf("%s = %d\n%s", s.action, code, body)
			}
			_, page := b.get("/incidents/1")
			if !strings.Contains(page, s.want) {
				t.Errorf("after %s the page does not show %q", s.action, s.want)
			}
		}
		if code, body := b.post("/incidents/1/notes", url.Values{"csrf": {tok}, "message": {"  "}}); code != http.StatusBadRequest ||
			!strings.Contains(body, "message is required") {
			t.Errorf("empty note = %d, want 400 naming the field", code)
		}
	})
}

func TestAPIAcceptsTheSessionCookieForReadsOnly(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		b := h.browser()
		if code, _ := b.get("/api/v1/incidents"); code != http.StatusUnauthorized {
			t.Fatalf("API GET without cookie = %d, want 401", code)
		}
		b.mustLogin("rita")
		if code, body := b.get("/api/v1/incidents"); code != http.StatusOK || !strings.Contains(body, "Checkout down") {
			t.Fatalf("API GET with a session cookie = %d\n%s", code, body)
		}
		req, _ := http.NewRequest(http.MethodPost, h.URL+"/api/v1/incidents/1/acknowledge", nil)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("API POST with only a session cookie = %d, want 401 (writes need a bearer token)", resp.StatusCode)
		}
		if code, body := b.get("/api/v1/no-such-thing"); code != http.StatusNotFound || !strings.Contains(body, `"not_found"`) {
			t.Fatalf("unknown API path = %d %s, want the API's JSON 404", code, body)
		}
	})
}

func TestAlertContentIsText(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("x", "<script>alert(1)</script>", `,"links":[{"href":"javascript:alert(2)","text":"js"},`+
		`{"href":"data:text/html,<script>alert(3)</script>","text":"data"},{"href":"https://ok.example.com/a","text":"good"}]`)
	b := h.browser()
	b.mustLogin("vic")
	for _, path := range []string{"/incidents", "/incidents/1", "/incidents/rows?status=open", "/incidents/1/timeline"} {
		code, page := b.get(path)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, code)
		}
		if strings.Contains(page, "<script>alert") {
			t.Errorf("%s renders the summary as markup", path)
		}
		if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the summary as text", path)
		}
		if strings.Contains(page, `href="javascript:`) || strings.Contains(page, `href="data:`) {
			t.Errorf("%s makes a javascript: or data: link clickable", path)
		}
	}
	_, page := b.get("/incidents/1")
	if !strings.Contains(page, `href="https://ok.example.com/a"`) {
		t.Error("the https link is not a link")
	}
	if !strings.Contains(page, "not a web link: javascript:alert(2)") {
		t.Error("the javascript: link is not shown as text")
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	for _, path := range []string{"/login", "/incidents", "/static/app.css"} {
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", path)
		}
	}
	// A cross-site form post is refused before any handler runs.
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/login", strings.NewReader("username=rita"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}
}

func TestFailedLoginsAreThrottledPerUser(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		b := h.browser()
		for i := range 5 {
			if code, _ := b.login("rita", "guess number "+string(rune('a'+i))); code != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d, want 401", i+1, code)
			}
		}
		code, body := b.login("rita", password)
		if code != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
			t.Fatalf("the right password after 5 failures = %d, want 429 saying why", code)
		}
		// Another user from the same address is not locked out by rita's failures.
		if code, _ := h.browser().login("ada", password); code != http.StatusSeeOther {
			t.Fatalf("another user = %d, want 303", code)
		}
		h.Clock.Advance(15 * time.Minute)
		if code, _ := b.login("rita", password); code != http.StatusSeeOther {
			t.Fatalf("after the window = %d, want 303", code)
		}
	})
}

func TestOnCallPageShowsNowNextAndTheWeek(t *testing.T) {
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	b := h.browser()
	b.mustLogin("vic")
	_, page := b.get("/oncall")
	// Daily handoffs at 09:00 UTC from 2026-10-26 (rita first); the clock
	// is 2026-11-01 09:00, the start of day 6: rita again until tomorrow.
	for _, want := range []string{"<strong>Now:</strong> Rita Responder until 2026-11-02 09:00 UTC",
		"<strong>Next:</strong> Ada Admin from 2026-11-02 09:00 UTC", `<rect x="0" y="0" width="14.29"`} {
		if !strings.Contains(page, want) {
			t.Errorf("on-call page lacks %q", want)
		}
	}
}
