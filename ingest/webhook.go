package ingest

import (
	"encoding/json"
	"maps"
	"strconv"
	"time"

	"github.com/hypercare/hypercare"
)

// webhookPayload is the notification Alertmanager (webhook version 4) and
// Grafana unified alerting (version 1) send: Grafana's is Alertmanager's
// template data plus a few fields. Of the group-level labels only
// groupLabels and commonLabels' alertname are read, to title the group's
// incident: the per-alert labels carry everything else.
type webhookPayload struct {
	Version      jstr                      `json:"version"`
	GroupKey     jstr                      `json:"groupKey"`
	GroupLabels  jmap                      `json:"groupLabels"`
	CommonLabels jmap                      `json:"commonLabels"`
	Receiver     jstr                      `json:"receiver"`
	ExternalURL  jstr                      `json:"externalURL"`
	Alerts       jlist[jobj[webhookAlert]] `json:"alerts"`
}

// webhookAlert is one alert of a notification. The fields after
// Fingerprint are Grafana's.
type webhookAlert struct {
	Status       jstr            `json:"status"`
	Labels       jmap            `json:"labels"`
	Annotations  jmap            `json:"annotations"`
	StartsAt     jstr            `json:"startsAt"`
	EndsAt       jstr            `json:"endsAt"`
	GeneratorURL jstr            `json:"generatorURL"`
	Fingerprint  jstr            `json:"fingerprint"`
	SilenceURL   jstr            `json:"silenceURL"`
	DashboardURL jstr            `json:"dashboardURL"`
	PanelURL     jstr            `json:"panelURL"`
	ImageURL     jstr            `json:"imageURL"`
	ValueString  jstr            `json:"valueString"`
	Values       json.RawMessage `json:"values"`
}

// flavor holds what differs between Alertmanager and Grafana.
type flavor struct {
	tool          string   // for messages: "Alertmanager", "Grafana"
	version       string   // the one payload version accepted
	format        format   // error wording
	defaultSource string   // Source when no label or URL gives one
	groupLabels   []string // labels tried, in order, for Event.Group
	generatorText string   // link text for generatorURL
}

// groupInfo is the notification-level context copied into each alert.
type groupInfo struct {
	groupKey, receiver, externalURL string
	// labels are the notification's groupLabels; title names the group
	// by them (groupTitle).
	labels map[string]string
	title  string
}

// parseWebhook parses an Alertmanager-shaped notification into one event
// per alert, all or nothing, of at most MaxBatch alerts.
func parseWebhook(body []byte, f *flavor) ([]hypercare.Event, error) {
	b, err := openWebhook(body, f, MaxBatch)
	if err != nil {
		return nil, err
	}
	return b.events, nil
}

// checkVersion rejects payload versions whose shape Hypercare does not know.
func checkVersion(p *problems, s jstr, f *flavor) bool {
	v := p.text("", "version", s)
	switch {
	case s.bad:
		return false
	case v == "":
		p.add("version", "'version' is missing or blank (Hypercare accepts "+f.tool+" webhook version "+f.version+")")
		return false
	case v != f.version:
		p.add("version", "'version' is invalid (Hypercare accepts "+f.tool+" webhook version "+f.version+", got "+strconv.Quote(truncate(v, maxEcho))+")")
		return false
	}
	return true
}

// alertEvent maps one alert; el is its path, e.g. "alerts[3]".
func (f *flavor) alertEvent(p *problems, el string, a *webhookAlert, g *groupInfo) hypercare.Event {
	labels := p.stringMap(el, "labels", a.Labels)
	annotations := p.stringMap(el, "annotations", a.Annotations)
	action, status := alertAction(p, el, a.Status)
	e := hypercare.Event{
		Action:    action,
		DedupKey:  alertKey(p, el, a),
		Summary:   truncate(alertSummary(labels, annotations), maxSummary),
		Severity:  alertSeverity(labels),
		Source:    firstOf(labels["instance"], labels["job"], g.externalURL, f.defaultSource),
		Component: firstOf(labels["component"], labels["service"]),
		Class:     firstOf(labels["class"], labels["alertname"]),
		Client:    f.tool,
		ClientURL: g.externalURL,
		GroupKey:  g.groupKey,
	}
	if !maps.Equal(labels, g.labels) { // else the group is this one alert (group_by: ['...'])
		e.GroupTitle = g.title
	}
	for _, l := range f.groupLabels {
		if e.Group = labels[l]; e.Group != "" {
			break
		}
	}
	starts, ends := alertTimes(p, el, a)
	e.Timestamp = starts
	if e.Action == hypercare.ActionResolve && ends != nil {
		e.Timestamp = ends
	}
	d := alertDetails{
		Status:       status,
		Labels:       labels,
		Annotations:  annotations,
		StartsAt:     rfc3339(starts),
		EndsAt:       rfc3339(ends),
		GeneratorURL: p.text(el, "generatorURL", a.GeneratorURL),
		Fingerprint:  e.DedupKey,
		SilenceURL:   p.text(el, "silenceURL", a.SilenceURL),
		DashboardURL: p.text(el, "dashboardURL", a.DashboardURL),
		PanelURL:     p.text(el, "panelURL", a.PanelURL),
		ImageURL:     p.text(el, "imageURL", a.ImageURL),
		ValueString:  p.text(el, "valueString", a.ValueString),
		Values:       cleanJSON(a.Values),
		GroupKey:     g.groupKey,
		Receiver:     g.receiver,
		ExternalURL:  g.externalURL,
	}
	e.Links, e.Images = f.alertLinks(&d, annotations)
	e.CustomDetails = d.encode() // cannot fail: strings, maps and valid JSON only
	return e
}

// alertTimes reads startsAt and endsAt. Alertmanager sends Go's zero time
// as endsAt for firing alerts; that means "no end" and reads as nil. Times
// outside the years 0001–9999 (in UTC) read as nil too: see
// webhookTimestamp.
func alertTimes(p *problems, el string, a *webhookAlert) (starts, ends *time.Time) {
	starts = p.webhookTimestamp(el, "startsAt", a.StartsAt)
	ends = p.webhookTimestamp(el, "endsAt", a.EndsAt)
	if ends != nil && ends.IsZero() {
		ends = nil
	}
	return starts, ends
}
