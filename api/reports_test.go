package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/report"
	"github.com/hypercare/hypercare/storetest"
)

type errBody struct {
	Error struct {
		Code    string                 `json:"code"`
		Details []hypercare.FieldError `json:"details"`
	} `json:"error"`
}

// wantField fails unless the request answers 400 naming field.
func (e *env) wantField(path, field string, body any) {
	e.t.Helper()
	method := "GET"
	if body != nil {
		method = "POST"
	}
	var out errBody
	code := e.do(method, path, e.responder, body, &out)
	if code != http.StatusBadRequest || len(out.Error.Details) == 0 || out.Error.Details[0].Field != field {
		e.t.Errorf("%s %s: %d %+v, want 400 naming %s", method, path, code, out, field)
	}
}

// TestFeedbackOverHTTP: a verdict is recorded (the last one wins), shown on
// the incident, put on the timeline and counted on /metrics; bad verdicts
// name the field.
func TestFeedbackOverHTTP(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		e.send(trigger(keyCheckout, "disk", "disk full"))
		var got struct{ Incident hypercare.Incident }
		if code := e.do("POST", "/api/v1/incidents/1/feedback", e.responder, map[string]string{"verdict": "noise"}, &got); code != 200 ||
			got.Incident.Feedback == nil || got.Incident.Feedback.Verdict != hypercare.VerdictNoise || got.Incident.Feedback.By.Name != "alice" {
			t.Fatalf("feedback: %d %+v", code, got.Incident.Feedback)
		}
		e.clock.Advance(time.Minute)
		e.do("POST", "/api/v1/incidents/1/feedback", e.responder, map[string]string{"verdict": "actionable", "note": "real"}, nil)
		if code := e.do("GET", "/api/v1/incidents/1", e.viewer, nil, &got); code != 200 || got.Incident.Feedback == nil ||
			got.Incident.Feedback.Verdict != hypercare.VerdictActionable || got.Incident.Feedback.Note != "real" ||
			!got.Incident.Feedback.At.Equal(t0.Add(time.Minute)) {
			t.Errorf("incident feedback = %+v, want actionable at t0+1m", got.Incident.Feedback)
		}
		if list := e.incidents(""); len(list) != 1 || list[0].Feedback == nil || list[0].Feedback.Verdict != hypercare.VerdictActionable {
			t.Errorf("listed feedback = %+v", list)
		}
		var msgs []string
		for _, en := range e.timeline("1") {
			if en.Type == hypercare.TimelineFeedback {
				msgs = append(msgs, en.Message)
			}
		}
		if strings.Join(msgs, "|") != "Marked noise by alice|Marked actionable by alice: real" {
			t.Errorf("timeline = %q", msgs)
		}
		e.wantField("/api/v1/incidents/1/feedback", "verdict", map[string]string{"verdict": "meh"})
		e.wantField("/api/v1/incidents/1/feedback", "verdict", map[string]string{})
		e.wantField("/api/v1/incidents/1/feedback", "note", map[string]string{"verdict": "noise", "note": strings.Repeat("x", 1001)})
		if code := e.do("POST", "/api/v1/incidents/99/feedback", e.responder, map[string]string{"verdict": "noise"}, nil); code != 404 {
			t.Errorf("unknown incident: %d, want 404", code)
		}
		if code := e.do("POST", "/api/v1/incidents/1/feedback", e.viewer, map[string]string{"verdict": "noise"}, nil); code != 403 {
			t.Errorf("viewer: %d, want 403", code)
		}
		resp, err := http.Get(e.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, line := range []string{`hypercare_incident_feedback_total{verdict="noise"} 1`, `hypercare_incident_feedback_total{verdict="actionable"} 1`} {
			if !strings.Contains(string(body), line) {
				t.Errorf("/metrics lacks %s", line)
			}
		}
	})
}

// TestNoiseReportOverHTTP: the report counts what the period holds, per
// service and in total; bad periods name the field.
func TestNoiseReportOverHTTP(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		for range 3 {
			e.send(trigger(keyCheckout, "k1", "checkout 5xx"))
		}
		e.send(trigger(keySearch, "s1", "search slow"))
		e.do("POST", "/api/v1/incidents/1/feedback", e.responder, map[string]string{"verdict": "noise"}, nil)
		e.clock.Advance(time.Hour)
		var rep report.NoiseReport
		if code := e.do("GET", "/api/v1/noise?from=2026-11-27T00:00:00Z", e.viewer, nil, &rep); code != 200 {
			t.Fatalf("noise: %d", code)
		}
		if len(rep.Services) != 2 || !rep.To.Equal(e.clock.Now()) {
			t.Fatalf("report = %+v", rep)
		}
		c := rep.Services[0]
		if c.Service != "checkout" {
			c = rep.Services[1]
		}
		if c.Events != 3 || c.Alerts != 1 || c.Incidents != 1 || c.Feedback.Noise != 1 || c.Pages != 0 ||
			c.PageReduction == nil || *c.PageReduction != 1 || *c.IncidentReduction != 0 {
			t.Errorf("checkout = %+v", c)
		}
		if rep.Totals.Events != 4 || rep.Totals.Incidents != 2 || rep.Totals.Feedback.Unmarked != 1 {
			t.Errorf("totals = %+v", rep.Totals)
		}
		if code := e.do("GET", "/api/v1/noise?service=search&from=2026-11-27T00:00:00Z", e.viewer, nil, &rep); code != 200 ||
			len(rep.Services) != 1 || rep.Services[0].Events != 1 || rep.Service != "search" {
			t.Errorf("search only: %d %+v", code, rep)
		}
		if code := e.do("GET", "/api/v1/noise?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z", e.viewer, nil, &rep); code != 200 || rep.Totals.Events != 0 {
			t.Errorf("empty period: %d %+v", code, rep.Totals)
		}
		e.wantField("/api/v1/noise?from=yesterday", "from", nil)
		e.wantField("/api/v1/noise?to=2026-13-01T00:00:00Z", "to", nil)
		e.wantField("/api/v1/noise?from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z", "from", nil)
		e.wantField("/api/v1/noise?from=2024-01-01T00:00:00Z", "from", nil)
		if code := e.do("GET", "/api/v1/noise?service=nope", e.viewer, nil, nil); code != 404 {
			t.Errorf("unknown service: %d, want 404", code)
		}
	})
}

// summaryConfig is windowConfig with a change freeze, a window that has
// not started and a user time zone.
const summaryConfig = `
users:
  - {id: ann, name: Ann, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/ann"}]}
  - {id: bo, name: Bo, time_zone: Asia/Tokyo, contact_methods: [{id: h, type: webhook, address: "https://h.example.com/bo"}]}
services:
  - id: checkout
    name: Checkout
    integrations:
      - {id: checkout-v2, type: events-v2, key: 0123456789abcdef0123456789abcdef}
  - id: search
    name: Search
    integrations:
      - {id: search-v2, type: events-v2, key: fedcba9876543210fedcba9876543210}
hypercare_windows:
  - {id: bf, name: Black Friday, time_zone: America/New_York, start: "2026-11-27T00:00", end: "2026-11-28T00:00", services: [checkout], change_freeze: true}
  - {id: xmas, name: Christmas, time_zone: UTC, start: "2026-12-20T00:00", end: "2026-12-27T00:00"}
`

// TestWindowSummaryOverHTTP: a window in progress is summarised so far
// (and says so), a finished one in full; only its scope counts; pages at
// night are judged in each user's zone; unknown and future windows are
// 404 and 409.
func TestWindowSummaryOverHTTP(t *testing.T) {
	cfg, err := config.Parse("w.yaml", []byte(summaryConfig))
	if err != nil {
		t.Fatal(err)
	}
	catalog := readiness.FromConfig(cfg, []hypercare.ContactType{hypercare.ContactWebhook})
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		e := newEnvWith(t, eng.Open(t), 0, func(in *intake.Intake, _ *clocktest.Clock, o *api.Options) {
			o.Readiness, o.Escalation = catalog, nil
			in.SetWindows(cfg.Windows())
		})
		e.send(trigger(keyCheckout, "k1", "checkout 5xx")) // #1 at 08:00 UTC = 03:00 in New York
		e.send(trigger(keyCheckout, "k1", "checkout 5xx"))
		e.send(trigger(keySearch, "s1", "search slow")) // out of scope
		if code := e.do("POST", "/v2/change/enqueue", "", map[string]any{"routing_key": keyCheckout,
			"payload": map[string]any{"summary": "deploy v42", "source": "ci"}}, nil); code != 202 {
			t.Fatalf("change: %d", code)
		}
		inc := e.incidents("?service=checkout")[0]
		page := func(id, user string, at time.Time) *hypercare.Notification {
			return &hypercare.Notification{ID: id, IncidentID: inc.ID, UserID: user, ContactMethod: "h", Type: hypercare.ContactWebhook,
				Level: 1, Step: 1, Reason: "level 1", Status: hypercare.NotificationSent, DueAt: at, CreatedAt: at}
		}
		if err := e.st.Write(context.Background(), "t", func(tx hypercare.Tx) error {
			if err := tx.InsertNotification(context.Background(), page("n1", "ann", t0)); err != nil {
				return err
			}
			return tx.InsertNotification(context.Background(), page("n2", "bo", t0)) // 17:00 in Tokyo
		}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(3 * time.Minute)
		e.do("POST", "/api/v1/incidents/"+inc.ID+"/acknowledge", e.responder, map[string]any{}, nil)

		var s report.WindowSummary
		if code := e.do("GET", "/api/v1/windows/bf/summary", e.viewer, nil, &s); code != 200 {
			t.Fatalf("summary: %d", code)
		}
		if s.Status != report.StatusInProgress || !s.Partial || s.Message == "" || !s.To.Equal(e.clock.Now()) {
			t.Errorf("in progress: status %s partial %v to %v", s.Status, s.Partial, s.To)
		}
		if len(s.Services) != 1 || s.Services[0].Service != "checkout" || s.Services[0].Incidents != 1 ||
			s.Services[0].MTTA.MedianSeconds == nil || *s.Services[0].MTTA.MedianSeconds != 180 || s.Services[0].MTTR.Count != 0 {
			t.Errorf("services = %+v", s.Services)
		}
		want := []report.ResponderPages{{User: "ann", Name: "Ann", TimeZone: "America/New_York", Pages: 1, NightPages: 1},
			{User: "bo", Name: "Bo", TimeZone: "Asia/Tokyo", Pages: 1}}
		if len(s.Responders) != 2 || s.Responders[0] != want[0] || s.Responders[1] != want[1] {
			t.Errorf("responders = %+v, want %+v", s.Responders, want)
		}
		if s.Totals != (report.WindowTotals{Incidents: 1, Pages: 2, NightPages: 1, FreezeChanges: 1}) ||
			len(s.FreezeChanges) != 1 || s.FreezeChanges[0].Summary != "deploy v42" {
			t.Errorf("totals %+v changes %+v", s.Totals, s.FreezeChanges)
		}
		if len(s.NoisiestAlerts) != 1 || s.NoisiestAlerts[0] != (report.NoisyAlert{Service: "checkout", DedupKey: "k1", Summary: "checkout 5xx", Events: 2}) {
			t.Errorf("noisiest = %+v", s.NoisiestAlerts)
		}

		e.clock.Set(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
		if code := e.do("GET", "/api/v1/windows/bf/summary", e.viewer, nil, &s); code != 200 || s.Status != report.StatusFinished ||
			s.Partial || s.To.Format(time.RFC3339) != "2026-11-28T00:00:00-05:00" {
			t.Errorf("finished: %d %s %v %v", code, s.Status, s.Partial, s.To)
		}
		var eb errBody
		if code := e.do("GET", "/api/v1/windows/xmas/summary", e.viewer, nil, &eb); code != 409 || eb.Error.Code != "conflict" {
			t.Errorf("future window: %d %+v, want 409 conflict", code, eb)
		}
		if code := e.do("GET", "/api/v1/windows/nope/summary", e.viewer, nil, nil); code != 404 {
			t.Errorf("unknown window: %d, want 404", code)
		}
	})
}
