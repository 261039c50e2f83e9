package ingest

import (
	"encoding/json"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// alertDetails is what an Alertmanager or Grafana alert keeps in
// CustomDetails: everything a responder may want that has no Event field.
// Field names follow the webhook payload so they are recognisable.
type alertDetails struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt,omitempty"`
	EndsAt       string            `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
	Fingerprint  string            `json:"fingerprint,omitempty"`
	SilenceURL   string            `json:"silenceURL,omitempty"`
	DashboardURL string            `json:"dashboardURL,omitempty"`
	PanelURL     string            `json:"panelURL,omitempty"`
	ImageURL     string            `json:"imageURL,omitempty"`
	ValueString  string            `json:"valueString,omitempty"`
	Values       json.RawMessage   `json:"values,omitempty"`
	GroupKey     string            `json:"groupKey,omitempty"`
	Receiver     string            `json:"receiver,omitempty"`
	ExternalURL  string            `json:"externalURL,omitempty"`
}

// stringMap reads a JSON object of strings (labels, annotations), cleaning
// keys and values. A missing map is an empty one.
func (p *problems) stringMap(prefix, name string, m jmap) map[string]string {
	if m.bad {
		p.wrongType(at(prefix, name), "an object")
	}
	for k := range m.wrong {
		if !p.counted() {
			p.wrongType(at(at(prefix, name), truncate(cleanText(k), maxEcho)), "a string")
		}
	}
	return cleanMap(m)
}

// alertAction maps an alert's status: firing → trigger, resolved → resolve.
// It also returns the status as sent, for the details.
func alertAction(p *problems, el string, s jstr) (hypercare.Action, string) {
	v := p.text(el, "status", s)
	switch strings.ToLower(v) {
	case "firing":
		return hypercare.ActionTrigger, v
	case "resolved":
		return hypercare.ActionResolve, v
	case "":
		if !s.bad {
			p.missing(at(el, "status"))
		}
	default:
		p.invalid(at(el, "status"), "must be one of the following: 'firing' or 'resolved'")
	}
	return "", v
}

// alertKey returns the alert's dedup key: its fingerprint, or, when the
// sender left it out, the fingerprint Alertmanager itself would compute
// from the labels (see labelsFingerprint), so both spellings of the same
// alert deduplicate together.
func alertKey(p *problems, el string, a *webhookAlert) string {
	if a.Fingerprint.bad || (a.Fingerprint.set && !isBlank(a.Fingerprint.val)) {
		k, _ := p.dedupKey(el, "fingerprint", a.Fingerprint)
		return k
	}
	if len(a.Labels.val) == 0 {
		p.add(at(el, "fingerprint"), quote(at(el, "fingerprint"))+
			" is missing or blank, and there are no labels to derive it from")
		return ""
	}
	return labelsFingerprint(a.Labels.val)
}

// labelsFingerprint computes Prometheus' label-set fingerprint: FNV-1a
// (64 bit) over the label names in sorted order, each name and value
// followed by a 0xff separator byte, printed as 16 hex digits. It hashes
// the labels exactly as sent (before cleaning) to match Alertmanager.
func labelsFingerprint(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	slices.Sort(names)
	h := fnv.New64a()
	sep := []byte{0xff}
	for _, k := range names {
		h.Write([]byte(k))
		h.Write(sep)
		h.Write([]byte(labels[k]))
		h.Write(sep)
	}
	s := strconv.FormatUint(h.Sum64(), 16)
	return strings.Repeat("0", 16-len(s)) + s
}

// keyLabels are the labels that, after alertname, best tell one alert from
// another in a title, in the order they are shown.
var keyLabels = []string{"instance", "job", "service", "namespace", "pod"}

// alertSummary picks the alert's title: the summary annotation, else the
// description annotation, else the alert name with its key labels, e.g.
// "HighLatency (instance=web-1:9100, job=node)".
func alertSummary(labels, annotations map[string]string) string {
	if s := firstOf(annotations["summary"], annotations["description"]); s != "" {
		return s
	}
	name := firstOf(labels["alertname"], "Alert")
	var parts []string
	for _, k := range keyLabels {
		if v := labels[k]; v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	if len(parts) == 0 {
		return name
	}
	return name + " (" + strings.Join(parts, ", ") + ")"
}

// alertSeverity maps the severity label leniently, defaulting to error:
// labels are free-form, and an unknown word must not lose the page.
func alertSeverity(labels map[string]string) hypercare.Severity {
	if sev, ok := mapSeverity(labels["severity"]); ok {
		return sev
	}
	return hypercare.SeverityError
}

// alertLinks turns the alert's URLs into links and its Grafana screenshot
// into an image.
func (f *flavor) alertLinks(d *alertDetails, annotations map[string]string) ([]hypercare.Link, []hypercare.Image) {
	var links []hypercare.Link
	add := func(href, text string) {
		if href != "" {
			links = append(links, hypercare.Link{Href: href, Text: text})
		}
	}
	add(d.GeneratorURL, f.generatorText)
	add(d.DashboardURL, "Dashboard")
	add(d.PanelURL, "Panel")
	add(firstOf(annotations["runbook_url"], annotations["runbook"]), "Runbook")
	add(d.SilenceURL, "Silence")
	add(d.ExternalURL, f.tool)
	var images []hypercare.Image
	if d.ImageURL != "" {
		images = []hypercare.Image{{Src: d.ImageURL, Href: firstOf(d.PanelURL, d.DashboardURL), Alt: "Panel screenshot"}}
	}
	return links, images
}

// firstOf returns the first non-empty string.
func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// rfc3339 formats an optional time for the details.
func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
