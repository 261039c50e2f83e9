//go:build unix

package main

// These tests point real, unchanged client code at the real binary: the
// promise is "point your existing tools at Hypercare by changing one URL",
// and a hand-written request in a test only proves we agree with ourselves.
// The senders are PagerDuty's official Go client and Prometheus
// Alertmanager's own pagerduty and webhook notifiers, used as libraries
// (Alertmanager's command cannot be built from its module: the UI assets
// are not in it).

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	pagerduty "github.com/PagerDuty/go-pagerduty"
	"github.com/prometheus/alertmanager/alert"
	"github.com/prometheus/alertmanager/notify"
	ampagerduty "github.com/prometheus/alertmanager/notify/pagerduty"
	amwebhook "github.com/prometheus/alertmanager/notify/webhook"
	amtemplate "github.com/prometheus/alertmanager/template"
	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v2"
)

// TestPagerDutyGoClient drives Hypercare with github.com/PagerDuty/go-pagerduty
// as a Go service paging PagerDuty would: trigger, acknowledge and resolve
// one dedup key, a trigger without a dedup key, a change event, and an
// invalid event. The client fails on anything but a JSON body, so "no
// client error" also proves the answer's format.
func TestPagerDutyGoClient(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServer(t, storeArgs)
		token := createToken(t, storeArgs)
		ctx := context.Background()
		// The API token is for PagerDuty's REST API, which this test does
		// not use; the events endpoint is the only URL that changes.
		pd := pagerduty.NewClient("unused", pagerduty.WithV2EventsAPIEndpoint(srv.URL))

		send := func(ev *pagerduty.V2Event) *pagerduty.V2EventResponse {
			t.Helper()
			resp, err := pd.ManageEventWithContext(ctx, ev)
			if err != nil {
				t.Fatalf("ManageEventWithContext(%s %q): %v", ev.Action, ev.DedupKey, err)
			}
			if resp.Status != "success" || resp.Message != "Event processed" {
				t.Errorf("%s: response %+v", ev.Action, resp)
			}
			return resp
		}
		event := func(action, dedupKey string) *pagerduty.V2Event {
			return &pagerduty.V2Event{RoutingKey: e2eEventsKey, Action: action, DedupKey: dedupKey}
		}

		trigger := event("trigger", "checkout-latency")
		trigger.Client, trigger.ClientURL = "Checkout probe", "https://probe.example.com/checkout"
		trigger.Links = []any{map[string]string{"href": "https://grafana.example.com/d/checkout", "text": "Dashboard"}}
		trigger.Payload = &pagerduty.V2Payload{
			Summary: "Checkout p99 latency above 2 s", Source: "checkout-7f9c", Severity: "critical",
			Timestamp: time.Now().UTC().Format(time.RFC3339), Component: "api", Group: "checkout", Class: "latency",
			Details: map[string]any{"p99_ms": 2315, "region": "eu-west-1"},
		}
		if resp := send(trigger); resp.DedupKey != "checkout-latency" {
			t.Errorf("trigger: dedup_key %q, want checkout-latency", resp.DedupKey)
		}
		a := srv.alertByKey(t, token, "checkout-latency")
		if a.Status != "triggered" || a.Summary != trigger.Payload.Summary || a.Severity != "critical" || a.Source != "checkout-7f9c" {
			t.Errorf("after trigger: alert %+v", a)
		}
		if inc := srv.incident(t, token, a.IncidentID); inc.Status != "triggered" || inc.ServiceID != e2eService {
			t.Errorf("after trigger: incident %+v", inc)
		}

		if resp := send(event("acknowledge", "checkout-latency")); resp.DedupKey != "checkout-latency" {
			t.Errorf("acknowledge: dedup_key %q", resp.DedupKey)
		}
		if inc := srv.incident(t, token, a.IncidentID); inc.Status != "acknowledged" {
			t.Errorf("after acknowledge: incident %+v, want acknowledged", inc)
		}

		if resp := send(event("resolve", "checkout-latency")); resp.DedupKey != "checkout-latency" {
			t.Errorf("resolve: dedup_key %q", resp.DedupKey)
		}
		if inc := srv.incident(t, token, a.IncidentID); inc.Status != "resolved" {
			t.Errorf("after resolve: incident %+v, want resolved", inc)
		}
		if a := srv.alertByKey(t, token, "checkout-latency"); a.Status != "resolved" {
			t.Errorf("after resolve: alert %+v, want resolved", a)
		}

		// PagerDuty generates a dedup key when the trigger has none, and the
		// caller needs it to acknowledge or resolve later.
		anon := event("trigger", "")
		anon.Payload = &pagerduty.V2Payload{Summary: "Disk 91% full", Source: "db-2", Severity: "warning"}
		gen := send(anon).DedupKey
		if gen == "" {
			t.Fatal("trigger without dedup_key: no dedup_key in the answer")
		}
		if a := srv.alertByKey(t, token, gen); a.Status != "triggered" || a.Summary != "Disk 91% full" {
			t.Errorf("alert for the generated key %q: %+v", gen, a)
		}

		ce, err := pd.CreateChangeEventWithContext(ctx, pagerduty.ChangeEvent{
			RoutingKey: e2eEventsKey,
			Payload: pagerduty.ChangeEventPayload{Summary: "Deploy checkout v2.31.0", Source: "github-actions",
				Timestamp: time.Now().UTC().Format(time.RFC3339), CustomDetails: map[string]any{"commit": "9f2c1e7"}},
			Links: []pagerduty.ChangeEventLink{{Href: "https://github.com/example/checkout/pull/812", Text: "PR 812"}},
		})
		if err != nil || ce.Status != "success" {
			t.Fatalf("CreateChangeEventWithContext: %+v, %v", ce, err)
		}
		var changes struct {
			ChangeEvents []struct {
				Summary string `json:"summary"`
				Source  string `json:"source"`
			} `json:"change_events"`
		}
		srv.getJSON(t, token, "/api/v1/change_events?service="+e2eService, &changes)
		if len(changes.ChangeEvents) != 1 || changes.ChangeEvents[0].Summary != "Deploy checkout v2.31.0" ||
			changes.ChangeEvents[0].Source != "github-actions" {
			t.Errorf("change events: %+v", changes.ChangeEvents)
		}

		// An invalid event reaches the caller as the client's error type
		// with PagerDuty's status code, not as a decoding failure.
		_, err = pd.ManageEventWithContext(ctx, event("trigger", "no-payload"))
		var apiErr pagerduty.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
			t.Errorf("trigger without payload: error %v (%T), want a pagerduty.APIError with status 400", err, err)
		}
	})
}

// amGroupKey is the group key Alertmanager's dispatcher gives the
// aggregation group (route key ":" group labels) of amGroupLabels under a
// child route matching severity="critical".
const amGroupKey = `{}/{severity="critical"}:{alertname="CheckoutErrors"}`

var amGroupLabels = model.LabelSet{"alertname": "CheckoutErrors"}

// TestAlertmanagerNotifiers sends with Alertmanager's own notifiers, built
// from receiver YAML as in README.md: a pagerduty_configs entry (routing key
// and url; the rest are Alertmanager's defaults) and a webhook_configs entry
// to /integrations/<key> with send_resolved. One group of two alerts goes
// through the life Alertmanager gives it: first notification, a repeat
// after repeat_interval, one alert resolved, then all resolved. Hypercare
// must keep one alert per group (pagerduty: dedup key = hash of the group
// key) and one per alert (webhook: the fingerprint) in one incident for
// the group (incident_per: group, the default), count the repeats instead
// of opening new incidents, and resolve exactly what was resolved: the
// webhook's incident once both its alerts are.
func TestAlertmanagerNotifiers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServer(t, storeArgs)
		token := createToken(t, storeArgs)

		tmpl, err := amtemplate.FromGlobs(nil) // Alertmanager's default templates
		if err != nil {
			t.Fatal(err)
		}
		tmpl.ExternalURL, _ = url.Parse("http://alertmanager.example.com:9093")
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))

		var pdConf ampagerduty.PagerdutyConfig
		amConfig(t, "routing_key: "+e2eEventsKey+"\nurl: "+srv.URL+"/v2/enqueue\n", &pdConf)
		pdConf.HTTPConfig = defaultHTTPConfig()
		pdNotifier, err := ampagerduty.New(&pdConf, tmpl, logger)
		if err != nil {
			t.Fatal(err)
		}
		var whConf amwebhook.WebhookConfig
		amConfig(t, "url: "+srv.URL+"/integrations/"+e2eAlertmanagerKey+"\nsend_resolved: true\n", &whConf)
		whConf.HTTPConfig = defaultHTTPConfig()
		whNotifier, err := amwebhook.New(&whConf, tmpl, logger)
		if err != nil {
			t.Fatal(err)
		}
		if !pdConf.SendResolved() || !whConf.SendResolved() {
			t.Fatal("send_resolved is off: the resolve notifications would not be sent")
		}

		start1, start2 := time.Now().Add(-10*time.Minute), time.Now().Add(-9*time.Minute)
		web1, web2 := amAlert("web-1", start1, false), amAlert("web-2", start2, false)
		notifyAll := func(step string, reason notify.NotifyReason, alerts ...*alert.Alert) {
			t.Helper()
			ctx := amContext(t, reason)
			for name, n := range map[string]notify.Notifier{"pagerduty": pdNotifier, "webhook": whNotifier} {
				if v := n.Notify(ctx, alerts...); v.Err() != nil {
					t.Fatalf("%s: %s notifier: %v (reason %s, retry %v)", step, name, v.Err(), v.Reason(), v.ShouldRetry())
				}
			}
		}

		pdKey := notify.Key(amGroupKey).Hash() // what Alertmanager sends as dedup_key
		fp1, fp2 := web1.Fingerprint().String(), web2.Fingerprint().String()
		// want checks each dedup key's one alert: its status and how many
		// events it has absorbed; and its incident's status, the group's
		// for the webhook's alerts (groupStatus).
		var groupIncident string
		want := func(step string, states map[string]string, counts map[string]int64, groupStatus string) {
			t.Helper()
			for key, status := range states {
				a := srv.alertByKey(t, token, key)
				inc := srv.incident(t, token, a.IncidentID)
				wantInc := status
				if key != pdKey {
					wantInc = groupStatus
					if groupIncident == "" {
						groupIncident = a.IncidentID
					}
					if a.IncidentID != groupIncident {
						t.Errorf("%s: webhook alert %s in incident %s, the group's other in %s", step, key, a.IncidentID, groupIncident)
					}
				}
				if a.Status != status || a.EventCount != counts[key] || inc.Status != wantInc {
					t.Errorf("%s: alert %s: status %s, %d events, incident %s; want %s, %d events, incident %s",
						step, key, a.Status, a.EventCount, inc.Status, status, counts[key], wantInc)
				}
			}
		}

		notifyAll("firing", notify.ReasonFirstNotification, web1, web2)
		want("firing", map[string]string{pdKey: "triggered", fp1: "triggered", fp2: "triggered"},
			map[string]int64{pdKey: 1, fp1: 1, fp2: 1}, "triggered")
		if a := srv.alertByKey(t, token, fp1); a.Summary != "Checkout 5xx above 2% on web-1" || a.Severity != "critical" {
			t.Errorf("webhook alert: summary %q, severity %q", a.Summary, a.Severity)
		}
		// The webhook group's incident is titled by its group labels,
		// not by its first alert's summary.
		title := "(not found)"
		for _, inc := range srv.allIncidents(t, token) {
			if inc.ID == groupIncident {
				title = inc.Title
			}
		}
		if title != "CheckoutErrors" {
			t.Errorf("webhook group's incident titled %q, want its group label CheckoutErrors", title)
		}
		// Alertmanager's default description template names the group.
		if a := srv.alertByKey(t, token, pdKey); !strings.HasPrefix(a.Summary, "[FIRING:2] CheckoutErrors") {
			t.Errorf("pagerduty alert: summary %q, want Alertmanager's default description", a.Summary)
		}

		notifyAll("repeat", notify.ReasonRepeatIntervalElapsed, web1, web2)
		want("repeat", map[string]string{pdKey: "triggered", fp1: "triggered", fp2: "triggered"},
			map[string]int64{pdKey: 2, fp1: 2, fp2: 2}, "triggered")
		if incs := srv.allIncidents(t, token); len(incs) != 2 {
			t.Errorf("after a repeated notification: %d incidents, want 2 (one per route's group, no new ones)", len(incs))
		}

		// web-1 ends: the webhook resolves its alert; for the pagerduty
		// notifier the group is still firing, so it triggers again.
		web1 = amAlert("web-1", start1, true)
		notifyAll("web-1 resolved", notify.ReasonNewResolvedAlerts, web1, web2)
		want("web-1 resolved", map[string]string{pdKey: "triggered", fp1: "resolved", fp2: "triggered"},
			map[string]int64{pdKey: 3, fp1: 3, fp2: 3}, "triggered")

		web2 = amAlert("web-2", start2, true)
		notifyAll("all resolved", notify.ReasonAllAlertsResolved, web1, web2)
		want("all resolved", map[string]string{pdKey: "resolved", fp1: "resolved", fp2: "resolved"},
			map[string]int64{pdKey: 4, fp1: 3, fp2: 4}, "resolved")
		if incs := srv.allIncidents(t, token); len(incs) != 2 {
			t.Errorf("at the end: %d incidents, want 2", len(incs))
		}
	})
}

// amConfig decodes one receiver entry as Alertmanager's config loader does:
// strict YAML into the notifier's config type, whose UnmarshalYAML fills in
// Alertmanager's defaults (templates, details, send_resolved).
func amConfig(t *testing.T, text string, conf any) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(text), conf); err != nil {
		t.Fatalf("alertmanager receiver config: %v\n%s", err, text)
	}
}

// defaultHTTPConfig is what Alertmanager's config loader gives a receiver
// without http_config (the global default).
func defaultHTTPConfig() *commoncfg.HTTPClientConfig {
	c := commoncfg.DefaultHTTPClientConfig
	return &c
}

// amAlert is one alert of the CheckoutErrors group on instance, as
// Alertmanager holds it after Prometheus sent it: a firing alert carries an
// EndsAt in the future (Prometheus resends before it passes), a resolved
// one the moment it ended. Alertmanager decides firing or resolved by
// comparing EndsAt with the wall clock, so these times are real ones.
func amAlert(instance string, startsAt time.Time, resolved bool) *alert.Alert {
	now := time.Now()
	endsAt := now.Add(4 * time.Minute)
	if resolved {
		endsAt = now
	}
	return alert.New(model.Alert{
		Labels: model.LabelSet{
			"alertname": "CheckoutErrors", "severity": "critical", "job": "checkout",
			"instance": model.LabelValue(instance),
		},
		Annotations: model.LabelSet{
			"summary":     model.LabelValue("Checkout 5xx above 2% on " + instance),
			"description": "The share of 5xx answers has been above 2% for 5 minutes.",
			"runbook_url": "https://runbooks.example.com/checkout-errors",
		},
		StartsAt:     startsAt,
		EndsAt:       endsAt,
		GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=checkout_5xx_ratio+%3E+0.02",
	}, now, false)
}

// amContext carries what Alertmanager's dispatcher and dedup stage put in
// the context before a notifier runs (dispatch.go aggrGroup.run,
// notify.DedupStage). The firing/resolved hash lists that the dedup stage
// also sets are left out: only the notification log reads them.
func amContext(t *testing.T, reason notify.NotifyReason) context.Context {
	ctx := t.Context()
	ctx = notify.WithNow(ctx, time.Now())
	ctx = notify.WithGroupKey(ctx, amGroupKey)
	ctx = notify.WithGroupLabels(ctx, amGroupLabels)
	ctx = notify.WithRouteLabels(ctx, model.LabelSet{})
	ctx = notify.WithReceiverName(ctx, "hypercare")
	ctx = notify.WithRepeatInterval(ctx, 4*time.Hour)
	ctx = notify.WithMuteTimeIntervals(ctx, nil)
	ctx = notify.WithActiveTimeIntervals(ctx, nil)
	return notify.WithNotificationReason(ctx, reason)
}
