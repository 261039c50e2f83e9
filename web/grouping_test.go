package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/incident"
	"github.com/hypercare/hypercare/storetest"
)

// TestReadinessPages: a viewer sees the config's windows and a window's
// report as of the (fake) clock's now: NOT READY, because payments has no
// policy (a blocking coverage gap, in the window's zone) and no runbook.
func TestReadinessPages(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		b := h.browser()
		b.mustLogin("vic")
		code, page := b.get("/windows")
		if code != http.StatusOK {
			t.Fatalf("GET /windows = %d\n%s", code, page)
		}
		for _, want := range []string{`href="/windows" aria-current="page">Readiness</a>`, `<a href="/windows/launch">`,
			"Launch &lt;b&gt;week&lt;/b&gt;", "2026-11-02 00:00 CET – 2026-11-05 00:00 CET", "(Europe/Berlin)"} {
			if !strings.Contains(page, want) {
				t.Errorf("/windows lacks %q\n%s", want, page)
			}
		}
		if strings.Contains(page, "<b>week</b>") {
			t.Error("the window's name is shown as markup, not text")
		}
		code, page = b.get("/windows/launch")
		if code != http.StatusOK {
			t.Fatalf("GET /windows/launch = %d\n%s", code, page)
		}
		for _, want := range []string{`id="verdict">NOT READY<`, `<h2 id="k-coverage_gap">coverage_gap (1)</h2>`,
			`<h2 id="k-no_runbook">no_runbook (1)</h2>`, `service <strong>payments</strong>`,
			`<span class="interval">2026-11-02 00:00 CET – 2026-11-05 00:00 CET</span>`, `<span class="badge gap">blocking</span>`,
			"as of 2026-11-01 10:00 CET"} {
			if !strings.Contains(page, want) {
				t.Errorf("/windows/launch lacks %q\n%s", want, page)
			}
		}
		if strings.Contains(page, "k-coverage_gap") && strings.Count(page, "service <strong>checkout</strong>") != 0 {
			t.Errorf("checkout has a policy and a runbook; the report names it\n%s", page)
		}
		if code, _ := b.get("/windows/nope"); code != http.StatusNotFound {
			t.Errorf("GET /windows/nope = %d, want 404", code)
		}
	})
}

// incidentPage returns incident n's page.
func incidentPage(t *testing.T, b *browser, n int) string {
	t.Helper()
	code, page := b.get("/incidents/" + strconv.Itoa(n))
	if code != http.StatusOK {
		t.Fatalf("GET /incidents/%d = %d\n%s", n, code, page)
	}
	return page
}

// TestMergeAndSplitForms: a responder merges two incidents of checkout
// into a third from its page, is refused (on the page, naming the
// field) an incident of payments, then splits one alert back off.
func TestMergeAndSplitForms(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		h.trigger("d2", "Checkout slow", "")
		h.trigger("d3", "Checkout <script>errors</script>", "")
		h.triggerWith(paymentsKey, "p1", "Payments down", "")
		b := h.browser()
		b.mustLogin("rita")
		page := incidentPage(t, b, 1)
		if strings.Contains(page, "Split selected alerts") {
			t.Error("a one-alert incident offers a split (one alert must stay)")
		}
		code, body := b.post("/incidents/1/merge", url.Values{"csrf": {csrf(t, page)}, "incidents": {" #2, 3 "}})
		if code != http.StatusSeeOther {
			t.Fatalf("merge = %d\n%s", code, body)
		}
		if h.incidentStatus(2) != hypercare.StatusResolved || h.incidentStatus(3) != hypercare.StatusResolved {
			t.Fatal("merged incidents are not resolved")
		}
		page = incidentPage(t, b, 1)
		for _, want := range []string{"Alerts (3)", "Split selected alerts", "Checkout &lt;script&gt;errors&lt;/script&gt;"} {
			if !strings.Contains(page, want) {
				t.Errorf("incident 1 after the merge lacks %q", want)
			}
		}
		code, body = b.post("/incidents/1/merge", url.Values{"csrf": {csrf(t, page)}, "incidents": {"4"}})
		if code != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) ||
			!strings.Contains(body, "incidents[0] incident 4 is on service &#34;payments&#34;, not &#34;checkout&#34;") ||
			!strings.Contains(body, "Alerts (3)") {
			t.Fatalf("cross-service merge = %d, want 400 on the incident page naming the field\n%s", code, body)
		}
		if h.incidentStatus(4) != hypercare.StatusTriggered {
			t.Fatal("a refused merge changed incident 4")
		}
		alerts, _, err := h.Store.ListAlerts(context.Background(), hypercare.AlertFilter{Page: hypercare.Page{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		var d3 string
		for _, a := range alerts {
			if a.DedupKey == "d3" {
				d3 = a.ID
			}
		}
		resp, err := b.c.PostForm(h.URL+"/incidents/1/split", url.Values{"csrf": {csrf(t, page)}, "alert": {d3}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/incidents/1?done=split&new=5" {
			t.Fatalf("split = %d to %q, want 303 to incident 1 naming incident 5", resp.StatusCode, loc)
		}
		_, page = b.get("/incidents/1?done=split&new=5")
		if !strings.Contains(page, "Alerts (2)") || !strings.Contains(page, `<a href="/incidents/5">Open #5</a>`) {
			t.Errorf("incident 1 after the split lacks 2 alerts or the new incident's link\n%s", page)
		}
		code, page = b.get("/incidents/5")
		if code != http.StatusOK || !strings.Contains(page, "Alerts (1)") || !strings.Contains(page, "Checkout &lt;script&gt;errors") {
			t.Errorf("split-off incident 5 = %d\n%s", code, page)
		}
		code, body = b.post("/incidents/1/split", url.Values{"csrf": {csrf(t, page)}, "alert": {"no-such-alert"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "alerts[0] alert &#34;no-such-alert&#34; is not an alert of incident 1") {
			t.Errorf("split of a foreign alert = %d\n%s", code, body)
		}
	})
}

// TestMergeAndSplitRefusals: a viewer's merge or split is refused 403
// and changes nothing, and so is a responder's form without its CSRF
// token; a viewer is not offered the forms.
func TestMergeAndSplitRefusals(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		h.trigger("d2", "Checkout slow", "")
		h.trigger("d3", "Checkout errors", "")
		ctx := context.Background()
		alerts, _, err := h.Store.ListAlerts(ctx, hypercare.AlertFilter{Page: hypercare.Page{Limit: 10}})
		if err != nil || len(alerts) != 3 {
			t.Fatalf("alerts = %d, %v", len(alerts), err)
		}
		viewer := h.browser()
		viewer.mustLogin("vic")
		page := incidentPage(t, viewer, 1)
		if strings.Contains(page, "/merge") || strings.Contains(page, "Split selected alerts") {
			t.Error("a viewer is offered the merge or split form")
		}
		responder := h.browser()
		responder.mustLogin("rita")
		for _, c := range []struct {
			who  string
			b    *browser
			form url.Values
		}{
			{"viewer", viewer, url.Values{"csrf": {csrf(t, page)}}},
			{"responder without CSRF", responder, url.Values{}},
			{"responder with a wrong CSRF", responder, url.Values{"csrf": {"forged"}}},
		} {
			merge := url.Values{"incidents": {"2"}}
			split := url.Values{"alert": {alerts[0].ID}}
			for k, v := range c.form {
				merge[k], split[k] = v, v
			}
			if code, body := c.b.post("/incidents/1/merge", merge); code != http.StatusForbidden {
				t.Errorf("%s merge = %d, want 403\n%s", c.who, code, body)
			}
			if code, body := c.b.post("/incidents/2/split", split); code != http.StatusForbidden {
				t.Errorf("%s split = %d, want 403\n%s", c.who, code, body)
			}
		}
		for n := int64(1); n <= 3; n++ {
			if st := h.incidentStatus(n); st != hypercare.StatusTriggered {
				t.Errorf("incident %d is %s after refused forms", n, st)
			}
			inc, err := h.Store.GetIncidentByNumber(ctx, n)
			if err != nil || inc.AlertCount != 1 {
				t.Errorf("incident %d has %d alerts after refused forms (%v)", n, inc.AlertCount, err)
			}
		}
		if _, err := h.Store.GetIncidentByNumber(ctx, 4); !hypercare.IsNotFound(err) {
			t.Errorf("a refused split made incident 4 (%v)", err)
		}
	})
}

// TestNoiseBadgesAndSymptoms: priority, flapping and transient show on the
// incident and in the list (and its live rows); an alert attached as a
// symptom is labelled so, with a link to the incident it is a symptom of.
func TestNoiseBadgesAndSymptoms(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		h.trigger("d2", "Checkout blip", "")
		ctx, now := context.Background(), h.Clock.Now()
		ids := map[int64]string{}
		for n := int64(1); n <= 2; n++ {
			inc, err := h.Store.GetIncidentByNumber(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			ids[n] = inc.ID
		}
		err := h.Store.Write(ctx, "test", func(tx hypercare.Tx) error {
			one, err := tx.GetIncident(ctx, ids[1])
			if err != nil {
				return err
			}
			two, err := tx.GetIncident(ctx, ids[2])
			if err != nil {
				return err
			}
			one.Priority, one.Flapping, two.Transient = "P1", true, true
			if err := tx.UpdateIncident(ctx, one); err != nil {
				return err
			}
			if err := tx.UpdateIncident(ctx, two); err != nil {
				return err
			}
			a := &hypercare.Alert{ID: hypercare.NewID(now), ServiceID: "payments", IntegrationID: "payments-v2", DedupKey: "p1",
				Status: hypercare.StatusTriggered, Summary: "Payments <i>timeouts</i>", Severity: hypercare.SeverityError,
				Source: "pay-1", EventCount: 1, FirstSeenAt: now, LastSeenAt: now}
			return incident.AttachSymptom(ctx, tx, one, a, hypercare.SystemActor, now)
		})
		if err != nil {
			t.Fatalf("set up: %v", err)
		}
		b := h.browser()
		b.mustLogin("vic")
		_, list := b.get("/incidents")
		_, rows := b.get("/incidents/rows?status=open")
		for _, page := range []string{list, rows} {
			for _, want := range []string{`<span class="badge prio">P1</span>`, `<span class="badge flapping"`, `<span class="badge transient"`} {
				if !strings.Contains(page, want) {
					t.Errorf("the incident list lacks %q\n%s", want, page)
				}
			}
		}
		page := incidentPage(t, b, 1)
		for _, want := range []string{`<span class="badge prio">P1</span>`, `<span class="badge flapping"`,
			`<span class="badge symptom">symptom</span> <span class="summary">Payments &lt;i&gt;timeouts&lt;/i&gt;</span>`,
			`Symptom on service payments of <a href="/incidents/1">incident #1</a>`} {
			if !strings.Contains(page, want) {
				t.Errorf("incident 1 lacks %q\n%s", want, page)
			}
		}
		if strings.Contains(page, `badge transient`) {
			t.Error("incident 1 is not transient but says so")
		}
	})
}

// TestSplitFromThePageStartsEscalation: an incident split off from the
// incident page pages like one split off through the API (its service's
// policy starts an escalation). The UI's incident.Service had no
// Policies, so a split-off incident of a paged service paged nobody.
func TestSplitFromThePageStartsEscalation(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		h.trigger("d1", "Checkout down", "")
		h.trigger("d2", "Checkout slow", "")
		b := h.browser()
		b.mustLogin("rita")
		page := incidentPage(t, b, 1)
		if code, body := b.post("/incidents/1/merge", url.Values{"csrf": {csrf(t, page)}, "incidents": {"2"}}); code != http.StatusSeeOther {
			t.Fatalf("merge = %d\n%s", code, body)
		}
		ctx := context.Background()
		alerts, _, err := h.Store.ListAlerts(ctx, hypercare.AlertFilter{Page: hypercare.Page{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		var d2 string
		for _, a := range alerts {
			if a.DedupKey == "d2" {
				d2 = a.ID
			}
		}
		page = incidentPage(t, b, 1)
		resp, err := b.c.PostForm(h.URL+"/incidents/1/split", url.Values{"csrf": {csrf(t, page)}, "alert": {d2}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("split = %d", resp.StatusCode)
		}
		inc, err := h.Store.GetIncidentByNumber(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		err = h.Store.Write(ctx, "test", func(tx hypercare.Tx) error {
			_, err := tx.GetEscalation(ctx, inc.ID)
			return err
		})
		if err != nil {
			t.Errorf("split-off incident 3 of checkout (policy web) has no escalation: %v", err)
		}
	})
}
