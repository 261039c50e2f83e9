package web_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/hypercare/hypercare/storetest"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip
// saying how to install it, and fail when CI=true (.ci/run installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "browser tests need chromium: apt-get install -y chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: a missing browser is a failure, not a skip)")
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts a fresh headless chromium (its own profile, so no
// cookies are shared between browsers) and returns its tab's context.
func newBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval returns the value of a JavaScript expression on the tab's page.
func eval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// signIn fills the login form by its labels' fields and presses Sign in.
func signIn(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	run(t, ctx, "open the login page", chromedp.Navigate(base+"/login"))
	labels := eval[string](t, ctx, `[...document.querySelectorAll("label")].map(l => l.textContent).join(",") + "|" +
		document.querySelector("form button[type=submit]").textContent`)
	run(t, ctx, "sign in as "+user,
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.Search(`//button[normalize-space()="Sign in"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Incidents"]`)),
	)
	if labels != "Username,Password|Sign in" {
		t.Fatalf("login form labels|button = %q, want Username,Password|Sign in", labels)
	}
}

// waitText waits until the element matching sel contains want.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](`(() => { const e = document.querySelector(`+jsString(sel)+`);
		return !!e && e.textContent.includes(`+jsString(want)+`); })()`, chromedp.WithPollingTimeout(10*time.Second))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// markPage sets a value on the window that a reload would erase, so a
// test can tell a live update from a reload.
func markPage() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[int](`window.hcMark = 42`)(ctx, t)
		return err
	})
}

func stillSamePage(t *testing.T, ctx context.Context) {
	t.Helper()
	if mark := eval[int](t, ctx, `window.hcMark || 0`); mark != 42 {
		t.Fatal("the page reloaded; the change should have arrived live")
	}
}

func TestBrowserResponderFlow(t *testing.T) {
	exe := chromiumPath(t)
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		ctx := newBrowser(t, exe)
		signIn(t, ctx, h.URL, "rita")

		// A new incident appears on the open list without a reload.
		run(t, ctx, "wait for the stream", chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)), markPage())
		h.trigger("live-1", "Checkout 5xx above 2%", "")
		run(t, ctx, "new incident appears live", waitText("#incident-list", "Checkout 5xx above 2%"))
		stillSamePage(t, ctx)

		// Acknowledge from the incident page.
		run(t, ctx, "acknowledge",
			chromedp.Click(chromedp.Search(`//a[normalize-space()="Checkout 5xx above 2%"]`)),
			chromedp.WaitVisible(chromedp.Search(`//button[normalize-space()="Acknowledge"]`)),
			chromedp.Click(chromedp.Search(`//button[normalize-space()="Acknowledge"]`)),
		)
		// The form posts and the page comes back: wait for the new page.
		run(t, ctx, "acknowledged page", chromedp.WaitVisible(chromedp.Search(`//p[normalize-space()="Acknowledged."]`)),
			waitText("#incident-status", "acknowledged"), waitText("#timeline", "Acknowledged by Rita Responder"))
		// Someone else's change on the same incident arrives live.
		run(t, ctx, "stream on the incident page", chromedp.WaitReady(chromedp.CSS(`body[data-stream="open"]`)), markPage())
		other := h.browser()
		other.mustLogin("ada")
		_, page := other.get("/incidents/1")
		other.post("/incidents/1/notes", url.Values{"csrf": {csrf(t, page)}, "message": {"Rolled back deploy 4411"}})
		run(t, ctx, "note appears live", waitText("#timeline", "Rolled back deploy 4411"))
		other.post("/incidents/1/resolve", url.Values{"csrf": {csrf(t, page)}})
		run(t, ctx, "resolution appears live", waitText("#incident-status", "resolved"))
		stillSamePage(t, ctx)
	})
}

func TestBrowserAlertTextIsNeverMarkup(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("xss", "<script>alert(1)</script><img src=x onerror=alert(2)>",
		`,"links":[{"href":"javascript:alert(3)","text":"click me"},{"href":"data:text/html,<script>alert(4)</script>","text":"data"}]`)
	ctx := newBrowser(t, exe)
	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, h.URL, "vic")
	run(t, ctx, "open the incident", chromedp.Navigate(h.URL+"/incidents/1"), chromedp.WaitVisible(chromedp.ID("timeline")))
	title := eval[string](t, ctx, `document.querySelector("h1").textContent`)
	badLinks := eval[int](t, ctx, `[...document.querySelectorAll("a")].filter(a => !/^https?:/.test(a.href)).length`)
	scripts := eval[int](t, ctx, `document.querySelectorAll("main script, main img").length`)
	if !strings.Contains(title, "<script>alert(1)</script>") {
		t.Errorf("title = %q, want the summary shown as text", title)
	}
	if badLinks != 0 || scripts != 0 {
		t.Errorf("%d non-http links and %d script/img elements from alert content", badLinks, scripts)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d alert dialogs opened", n)
	}
}

func TestBrowserViewerCannotAct(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("v", "Search latency high", "")
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "vic")
	run(t, ctx, "viewer on the incident", chromedp.Navigate(h.URL+"/incidents/1"), chromedp.WaitVisible(chromedp.ID("timeline")))
	buttons := eval[string](t, ctx, `[...document.querySelectorAll("button")].map(b => b.textContent.trim()).join(",")`)
	// The form is not there; posting anyway, with the page's own CSRF
	// token, is refused.
	status := eval[int](t, ctx, `fetch("/incidents/1/acknowledge", {method: "POST", body: new URLSearchParams({csrf:
		document.querySelector("input[name=csrf]").value})}).then(r => r.status)`, chromedp.EvalAwaitPromise)
	if buttons != "Sign out" {
		t.Errorf("viewer sees buttons %q, want only Sign out", buttons)
	}
	if status != 403 {
		t.Errorf("viewer POST = %d, want 403", status)
	}
	if st := h.incidentStatus(1); st != "triggered" {
		t.Errorf("incident is %s, want triggered", st)
	}
}

func TestBrowserPhoneHasNoSidewaysScroll(t *testing.T) {
	exe := chromiumPath(t)
	h := startHarness(t, storetest.Engines(t)[0].Open(t))
	h.trigger("p", "Payments provider timeouts on card authorisation in eu-west-1 (p99 above 4 s for 10 minutes)",
		`,"links":[{"href":"https://grafana.example.com/d/payments-overview-with-a-very-long-dashboard-path?orgId=1&var-region=eu-west-1","text":"Dashboard"}]`)
	ctx := newBrowser(t, exe)
	signIn(t, ctx, h.URL, "rita")
	dir := t.TempDir()
	if d := os.Getenv("HYPERCARE_SCREENSHOT_DIR"); d != "" {
		dir = d
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/incidents", "/incidents/1", "/oncall", "/services", "/policies", "/users", "/windows", "/windows/launch"} {
		run(t, ctx, "phone "+path, chromedp.EmulateViewport(360, 740), chromedp.Navigate(h.URL+path),
			chromedp.WaitVisible(chromedp.CSS("main")))
		width := eval[int](t, ctx, `document.documentElement.scrollWidth`)
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", path, err)
		}
		if width > 360 {
			t.Errorf("%s is %d px wide on a 360 px phone: it scrolls sideways", path, width)
		}
		name := filepath.Join(dir, "phone"+strings.ReplaceAll(path, "/", "-")+".png")
		if err := os.WriteFile(name, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", name)
	}
}
