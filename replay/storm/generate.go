package storm

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

//go:generate go test -run TestGenerated -update .

// Seed is the PRNG seed of the committed data set.
const Seed = 20261127

// Day is the simulated day: Black Friday 2026, from midnight UTC.
var Day = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// Files are the generated data set, as committed under testdata.
type Files struct {
	// Config is hypercare.yaml: the shop's services, dependencies,
	// grouping settings, people and policies.
	Config []byte
	// Events is events.jsonl, exactly the replay input format.
	Events []byte
	// Labels is labels.json: the truth the events are scored against.
	Labels []byte
}

// Labels is the truth of a data set: the true incidents and, for every
// firing of an alert, which one it belongs to. A dedup key can fire in
// more than one true incident over the day (the same rule on the same
// host), so an alert is told apart by its key and when it fired.
type Labels struct {
	Seed      uint64          `json:"seed"`
	Incidents []*trueIncident `json:"incidents"`
	Alerts    []LabelledAlert `json:"alerts"`
}

// LabelledAlert is one alert (a dedup key during one true incident).
type LabelledAlert struct {
	Key      string `json:"key"`
	Service  string `json:"service"`
	Incident string `json:"incident"`
	// First and Last bound the alert's firing, flapping included.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// Generate builds the data set from seed. It reads no clock and no
// environment: the same seed gives the same bytes.
func Generate(seed uint64) (Files, error) {
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), day: Day}
	g.plan()
	lines := g.wire()
	labels, err := g.labels(seed)
	if err != nil {
		return Files{}, err
	}
	events, err := encodeLines(lines)
	if err != nil {
		return Files{}, err
	}
	lj, err := json.MarshalIndent(labels, "", " ")
	if err != nil {
		return Files{}, fmt.Errorf("storm: encode labels: %w", err)
	}
	return Files{Config: []byte(configYAML()), Events: events, Labels: append(lj, '\n')}, nil
}

// labels numbers the true incidents by start and lists every alert. It
// refuses a plan where one key fires in two true incidents less than
// keyGap apart: the scorer could not tell them apart (nor could anyone).
func (g *gen) labels(seed uint64) (*Labels, error) {
	sort.SliceStable(g.incidents, func(i, j int) bool { return g.incidents[i].start.Before(g.incidents[j].start) })
	for i, inc := range g.incidents {
		inc.ID = fmt.Sprintf("T%02d", i+1)
		inc.Start = inc.start.Format(time.RFC3339)
		inc.Services = []string{inc.Service}
	}
	l := &Labels{Seed: seed, Incidents: g.incidents}
	for _, a := range g.alerts {
		inc := a.incident
		inc.Alerts++
		if !contains(inc.Services, a.svc.id) {
			inc.Services = append(inc.Services, a.svc.id)
		}
		l.Alerts = append(l.Alerts, LabelledAlert{Key: a.key, Service: a.svc.id, Incident: inc.ID,
			First: a.spans[0].from, Last: a.spans[len(a.spans)-1].to})
	}
	sort.SliceStable(l.Alerts, func(i, j int) bool {
		if !l.Alerts[i].First.Equal(l.Alerts[j].First) {
			return l.Alerts[i].First.Before(l.Alerts[j].First)
		}
		return l.Alerts[i].Key < l.Alerts[j].Key
	})
	last := map[string]LabelledAlert{}
	for _, a := range l.Alerts {
		if p, ok := last[a.Key]; ok && a.First.Sub(p.Last) < keyGap {
			return nil, fmt.Errorf("storm: key %s fires in %s and %s only %s apart", a.Key, p.Incident, a.Incident, a.First.Sub(p.Last))
		}
		last[a.Key] = a
	}
	return l, nil
}

// keyGap is the least time between two true incidents' firings of one key.
const keyGap = time.Hour

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
