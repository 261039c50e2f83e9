package storm

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// span is one firing period of an alert: [from, to).
type span struct{ from, to time.Time }

// alert is one monitor on one host (or one check) during one true
// incident: what its tool will send, and when it fires.
type alert struct {
	svc    *service
	format string
	// key is the dedup key the tool sends (an Alertmanager fingerprint, a
	// Datadog monitor and group, a check ID).
	key                                          string
	name, summary, severity, source, host, class string
	// labels are the Alertmanager/Grafana labels beyond the standard ones.
	labels map[string]string
	spans  []span
	// renotify is how often the tool re-sends a trigger while firing (0: never).
	renotify time.Duration
	incident *trueIncident
}

// trueIncident is one real problem of the day: what a responder would
// call one incident.
type trueIncident struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Service   string `json:"service"`
	Title     string `json:"title"`
	Transient bool   `json:"transient"`
	Start     string `json:"start"`
	// Services are all services with an alert of it (root first).
	Services []string `json:"services"`
	Alerts   int      `json:"alerts"`
	start    time.Time
}

// gen holds the generator's state: one PRNG, the day, and what it made.
type gen struct {
	rng       *rand.Rand
	day       time.Time
	alerts    []*alert
	incidents []*trueIncident
}

func (g *gen) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

func (g *gen) intn(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// at is a time of the day from "HH:MM".
func (g *gen) at(hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return g.day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// open starts a true incident.
func (g *gen) open(kind, svc, title string, start time.Time) *trueIncident {
	inc := &trueIncident{Kind: kind, Service: svc, Title: title, start: start, Transient: kind == "transient"}
	g.incidents = append(g.incidents, inc)
	return inc
}

// hosts picks n of s's hosts (or all), in order.
func (g *gen) hosts(s *service, n int) []string {
	all := make([]string, s.pods)
	for i := range all {
		all[i] = fmt.Sprintf("%s%d", s.host, i+1)
		if s.pods == 1 {
			all[i] = s.host
		}
	}
	if n >= len(all) {
		return all
	}
	g.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	out := all[:n]
	sort.Strings(out)
	return out
}

// fire adds an alert of monitor m on host for inc, firing over spans.
func (g *gen) fire(inc *trueIncident, s *service, m monitor, host, upstream string, spans []span) *alert {
	format := m.format
	if format == "" || !s.hasFormat(format) {
		format = s.formats[0]
	}
	a := &alert{svc: s, format: format, name: m.name, severity: m.severity, host: host, class: m.name,
		summary: m.text(g, s.id, host, upstream), labels: map[string]string{}, spans: spans, incident: inc}
	a.source = host
	for k, v := range m.labels {
		a.labels[k] = v
	}
	switch format {
	case fmtEventsV2:
		a.key = fmt.Sprintf("dd-%d-%s", 100000+fnvN(s.id+m.name)%900000, host)
		if host == "" {
			a.key = fmt.Sprintf("dd-%d", 100000+fnvN(s.id+m.name)%900000)
		}
		a.renotify = 10 * time.Minute
	case fmtGeneric:
		a.key = strings.ToLower(strings.NewReplacer(" ", "-", "'", "").Replace(s.id + "-" + m.name + "-" + host))
		a.renotify = 5 * time.Minute
	default:
		a.key = fingerprint(a)
	}
	g.alerts = append(g.alerts, a)
	return a
}

// fingerprint is the Alertmanager-style hash of the alert's label set:
// the same rule on the same host always has the same fingerprint, today
// and tomorrow.
func fingerprint(a *alert) string {
	h := fnv.New64a()
	for _, kv := range a.labelSet() {
		h.Write([]byte(kv[0] + "\xff" + kv[1] + "\xff"))
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// labelSet is the alert's full label set, sorted by name.
func (a *alert) labelSet() [][2]string {
	m := map[string]string{"alertname": a.name, "service": a.svc.id, "severity": a.severity,
		"namespace": "prod", "team": a.svc.team}
	if a.host != "" {
		m["instance"] = a.host
		m["job"] = a.svc.id
	}
	for k, v := range a.labels {
		m[k] = v
	}
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func fnvN(s string) int {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int(h.Sum32() & 0x7fffffff)
}

// one is a single firing period.
func one(from, to time.Time) []span { return []span{{from, to}} }
