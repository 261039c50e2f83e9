package ingest

import (
	"bytes"
	"errors"
	"math"
	"strconv"

	"github.com/hypercare/hypercare"
)

// Batch is an Alertmanager or Grafana notification whose every alert has
// been checked: Each hands its events out at most MaxBatch at a time.
// Alertmanager cannot split a group, and answers a 4xx by dropping the
// whole notification, so a group larger than MaxBatch (a cluster-wide
// outage: 8,000 pods firing) must be taken, not refused; building all its
// events at once would let one body hold a heap of events, so a group over
// MaxBatch keeps only its bytes and is read again, chunk by chunk, by Each.
type Batch struct {
	n      int
	events []hypercare.Event // every event, when n <= MaxBatch
	alerts jlist[jobj[webhookAlert]]
	f      *flavor
	g      groupInfo
}

// OpenAlertmanager parses an Alertmanager notification as ParseAlertmanager
// does (all or nothing: one bad alert refuses the body, and nothing is
// handed out), of any number of alerts; the body limit bounds them. The
// Batch reads body again when a group is larger than MaxBatch: body must
// not change while it is in use.
func OpenAlertmanager(body []byte) (*Batch, error) {
	return openWebhook(body, &alertmanager, math.MaxInt)
}

// OpenGrafana is OpenAlertmanager for a Grafana notification (ParseGrafana).
func OpenGrafana(body []byte) (*Batch, error) {
	return openWebhook(body, &grafana, math.MaxInt)
}

// Len is the number of events (one per alert).
func (b *Batch) Len() int { return b.n }

// Each calls fn with the events in order, at most MaxBatch at a time (all
// at once when there are no more), and stops at fn's first error, which
// it returns. fn must not keep the slice. Of a group over MaxBatch each
// chunk is built again from the body when its turn comes, so at most
// MaxBatch events are held at once.
func (b *Batch) Each(fn func(events []hypercare.Event) error) error {
	if b.n <= MaxBatch {
		return fn(b.events)
	}
	var err error
	chunk := make([]hypercare.Event, 0, MaxBatch)
	b.alerts.eachWhile(func(_ int, a *jobj[webhookAlert]) bool {
		var p problems // every alert was checked by openWebhook
		chunk = append(chunk, b.f.alertEvent(&p, "alerts", &a.val, &b.g))
		if len(chunk) == MaxBatch {
			err = fn(chunk)
			chunk = make([]hypercare.Event, 0, MaxBatch)
		}
		return err == nil
	})
	if err == nil && len(chunk) > 0 {
		err = fn(chunk)
	}
	return err
}

// read reads a notification that is valid JSON with plain keys the fast
// way (validJSON, then walks) and says whether it did; else decode reads
// it, or explains what is wrong with it. in.Alerts then refers to body.
func (in *webhookPayload) read(body []byte) bool {
	var strs interner
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && validJSON(b) && in.walk(b, &strs)
}

// openWebhook parses an Alertmanager-shaped notification of at most limit
// alerts and checks every alert. Up to MaxBatch alerts their events are
// kept; beyond, each is built, checked and dropped, and Each builds them
// again.
func openWebhook(body []byte, f *flavor, limit int) (*Batch, error) {
	var in webhookPayload
	if !in.read(body) {
		if _, err := decode(body, &in, f.format, ""); err != nil {
			return nil, err
		}
	}
	var p problems
	if !checkVersion(&p, in.Version, f) {
		return nil, p.err(f.format.invalid)
	}
	g := groupInfo{
		groupKey:    p.text("", "groupKey", in.GroupKey),
		receiver:    p.text("", "receiver", in.Receiver),
		externalURL: p.text("", "externalURL", in.ExternalURL),
		labels:      lenientLabels(in.GroupLabels),
	}
	g.title = groupTitle(g.labels, lenientLabels(in.CommonLabels)["alertname"])
	switch {
	case in.Alerts.bad:
		p.wrongType("alerts", "an array")
	case !in.Alerts.set:
		p.missing("alerts")
	case in.Alerts.n > limit:
		p.add("alerts", tooManyElements("alerts", in.Alerts.n))
		return nil, p.err(f.format.invalid)
	}
	b := &Batch{n: in.Alerts.n, f: f, g: g}
	keep := b.n <= MaxBatch
	if keep {
		b.events = make([]hypercare.Event, 0, b.n)
	} else {
		b.alerts = in.Alerts
	}
	checked := 0
	in.Alerts.eachWhile(func(i int, a *jobj[webhookAlert]) bool {
		checked++
		if a.bad {
			if !p.counted() {
				p.wrongType(index("alerts", i), "an object")
			}
			return true
		}
		e := f.alertEvent(&p, index("alerts", i), &a.val, &g)
		if keep && p.n == 0 {
			b.events = append(b.events, e)
		}
		// A group over MaxBatch is refused once its answer's list of
		// problems is full: checking the rest would only count them,
		// at the cost of building each (a body of 2 million "{}" alerts
		// is 8 MB).
		return keep || len(p.list) < MaxProblems
	})
	if err := p.err(f.format.invalid); err != nil {
		return nil, notChecked(err, b.n-checked)
	}
	return b, nil
}

// notChecked adds to the refusal err of a group the number of its alerts
// left unchecked, if any.
func notChecked(err error, n int) error {
	var he *hypercare.Error
	if n == 0 || !errors.As(err, &he) {
		return err
	}
	he.Details = append(he.Details, hypercare.FieldError{Field: "alerts",
		Message: "…and " + strconv.Itoa(n) + " more alerts not checked"})
	return err
}
