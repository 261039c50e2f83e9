package storm

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// line is one line of the events file: the replay format of DESIGN.md
// §5.1 (received_at, integration key, the body as the tool sent it).
type line struct {
	ReceivedAt time.Time `json:"received_at"`
	Key        string    `json:"key"`
	Body       any       `json:"body"`
	order      int
}

// Alertmanager routing of the shop's paging receiver: new groups wait
// group_wait, changes go out every group_interval, an unchanged firing
// group is re-sent every repeat_interval.
const (
	groupWait      = 30 * time.Second
	groupInterval  = time.Minute
	repeatInterval = time.Hour
)

// wire renders every alert as its tool would send it.
func (g *gen) wire() []line {
	var out []line
	groups := map[string][]*alert{}
	var groupOrder []string
	for _, a := range g.alerts {
		switch a.format {
		case fmtEventsV2, fmtGeneric:
			out = append(out, g.direct(a)...)
		default:
			k := a.format + "/" + a.svc.id + "/" + a.name
			if groups[k] == nil {
				groupOrder = append(groupOrder, k)
			}
			groups[k] = append(groups[k], a)
		}
	}
	for _, k := range groupOrder {
		out = append(out, g.batches(groups[k])...)
	}
	for i := range out {
		out[i].order = i
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ReceivedAt.Before(out[j].ReceivedAt) })
	return out
}

// latency is the delivery delay of one request (a few hundred ms).
func (g *gen) latency() time.Duration { return g.between(50*time.Millisecond, 900*time.Millisecond) }

// direct renders a tool that posts each change itself (Datadog over the
// Events API v2, a checker posting generic JSON): a trigger when the alert
// fires, the same trigger again every renotify interval while it stays
// firing, a resolve when it clears.
func (g *gen) direct(a *alert) []line {
	key := integrationKey(a.svc.id, a.format)
	var out []line
	for _, s := range a.spans {
		for t := s.from; t.Before(s.to); t = t.Add(a.renotify) {
			out = append(out, line{ReceivedAt: t.Add(g.latency()), Key: key, Body: a.triggerBody(t, key)})
			if a.renotify == 0 {
				break
			}
		}
		out = append(out, line{ReceivedAt: s.to.Add(g.latency()), Key: key, Body: a.resolveBody(s.to, key)})
	}
	return out
}

func (a *alert) triggerBody(t time.Time, key string) any {
	if a.format == fmtEventsV2 {
		return map[string]any{"routing_key": key, "event_action": "trigger", "dedup_key": a.key,
			"client": "Datadog", "client_url": fmt.Sprintf("https://app.datadoghq.eu/monitors/%s", a.key[3:]),
			"payload": map[string]any{"summary": a.summary, "source": firstNonEmpty(a.host, a.svc.id), "severity": a.severity,
				"timestamp": t.Format(time.RFC3339), "component": a.svc.id, "group": a.svc.team, "class": a.class,
				"custom_details": map[string]any{"monitor": a.name, "env": "prod"}}}
	}
	return map[string]any{"action": "trigger", "dedup_key": a.key, "summary": a.summary, "severity": a.severity,
		"source": firstNonEmpty(a.host, a.svc.id), "component": a.svc.id, "class": a.class,
		"timestamp": t.Format(time.RFC3339), "details": map[string]any{"check": a.name, "location": a.host}}
}

func (a *alert) resolveBody(t time.Time, key string) any {
	if a.format == fmtEventsV2 {
		return map[string]any{"routing_key": key, "event_action": "resolve", "dedup_key": a.key}
	}
	return map[string]any{"action": "resolve", "dedup_key": a.key, "timestamp": t.Format(time.RFC3339)}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// firingAt reports the span of a firing at t, if any.
func (a *alert) firingAt(t time.Time) (span, bool) {
	for _, s := range a.spans {
		if !t.Before(s.from) && t.Before(s.to) {
			return s, true
		}
	}
	return span{}, false
}

// batches simulates an Alertmanager (or Grafana) aggregation group of one
// rule on one service: a notification group_wait after its first alert
// fires, then at each group_interval tick where something changed (an
// alert fired, or one notified as firing resolved), or repeat_interval
// after the last one while alerts keep firing. Each notification carries
// every firing alert and the newly resolved ones, as Alertmanager sends.
func (g *gen) batches(group []*alert) []line {
	var changes []time.Time
	for _, a := range group {
		for _, s := range a.spans {
			changes = append(changes, s.from, s.to)
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Before(changes[j]) })
	var out []line
	notified := map[*alert]bool{}
	var lastSent time.Time
	ci := 0
	for ci < len(changes) {
		t := changes[ci].Add(groupWait)
		for {
			var firing, resolved []*alert
			for _, a := range group {
				if _, ok := a.firingAt(t); ok {
					firing = append(firing, a)
				} else if notified[a] {
					resolved = append(resolved, a)
				}
			}
			changed := len(resolved) > 0
			for _, a := range firing {
				changed = changed || !notified[a]
			}
			if changed || (len(firing) > 0 && t.Sub(lastSent) >= repeatInterval) {
				out = append(out, g.notification(group[0], firing, resolved, t))
				lastSent = t
				notified = map[*alert]bool{}
				for _, a := range firing {
					notified[a] = true
				}
			}
			for ci < len(changes) && !changes[ci].After(t) {
				ci++
			}
			if len(firing) == 0 && len(notified) == 0 {
				break
			}
			t = t.Add(groupInterval)
		}
	}
	return out
}

// notification renders one Alertmanager (version 4) or Grafana (version
// 1) webhook request.
func (g *gen) notification(first *alert, firing, resolved []*alert, t time.Time) line {
	key := integrationKey(first.svc.id, first.format)
	status := "resolved"
	if len(firing) > 0 {
		status = "firing"
	}
	var alerts []any
	for _, a := range firing {
		s, _ := a.firingAt(t)
		alerts = append(alerts, a.amAlert("firing", s.from, time.Time{}))
	}
	for _, a := range resolved {
		s := a.lastSpanBefore(t)
		alerts = append(alerts, a.amAlert("resolved", s.from, s.to))
	}
	body := map[string]any{"receiver": "hypercare", "status": status, "alerts": alerts,
		"groupLabels":       map[string]string{"alertname": first.name, "service": first.svc.id},
		"commonLabels":      map[string]string{"alertname": first.name, "service": first.svc.id, "namespace": "prod"},
		"commonAnnotations": map[string]string{}, "truncatedAlerts": 0,
		"groupKey": fmt.Sprintf("{}:{alertname=%q, service=%q}", first.name, first.svc.id)}
	if first.format == fmtGrafana {
		body["version"] = "1"
		body["orgId"] = 1
		body["externalURL"] = "https://grafana.shop.example.com/"
		body["title"] = fmt.Sprintf("[%s:%d] %s", map[bool]string{true: "FIRING", false: "RESOLVED"}[len(firing) > 0], len(alerts), first.name)
	} else {
		body["version"] = "4"
		body["externalURL"] = "http://alertmanager.monitoring:9093"
	}
	return line{ReceivedAt: t.Add(g.latency()), Key: key, Body: body}
}

func (a *alert) lastSpanBefore(t time.Time) span {
	var last span
	for _, s := range a.spans {
		if !s.to.After(t) {
			last = s
		}
	}
	return last
}

// amAlert is one alert of a notification.
func (a *alert) amAlert(status string, from, to time.Time) map[string]any {
	labels := map[string]string{}
	for _, kv := range a.labelSet() {
		labels[kv[0]] = kv[1]
	}
	endsAt := "0001-01-01T00:00:00Z"
	if !to.IsZero() {
		endsAt = to.UTC().Format(time.RFC3339)
	}
	out := map[string]any{"status": status, "labels": labels, "fingerprint": a.key,
		"annotations": map[string]string{"summary": a.summary},
		"startsAt":    from.UTC().Format(time.RFC3339), "endsAt": endsAt,
		"generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=" + a.name}
	if a.format == fmtGrafana {
		out["generatorURL"] = "https://grafana.shop.example.com/alerting/grafana/" + a.name + "/view"
	}
	return out
}

// encodeLines writes the lines as JSON lines.
func encodeLines(lines []line) ([]byte, error) {
	var b []byte
	for _, l := range lines {
		j, err := json.Marshal(struct {
			ReceivedAt string `json:"received_at"`
			Key        string `json:"key"`
			Body       any    `json:"body"`
		}{l.ReceivedAt.UTC().Format(time.RFC3339Nano), l.Key, l.Body})
		if err != nil {
			return nil, fmt.Errorf("storm: encode line: %w", err)
		}
		b = append(append(b, j...), '\n')
	}
	return b, nil
}
