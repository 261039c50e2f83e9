package intake

import (
	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/rules"
)

// Settings is everything intake takes from the config file: routing keys,
// event rules, noise settings, hypercare and maintenance windows and each
// service's escalation policy. NewConfig compiles it.
type Settings struct {
	Integrations []hypercare.Integration
	// Policies maps a service ID to its escalation policy.
	Policies    map[string]hypercare.EscalationPolicy
	Rules       *rules.Set
	Noise       map[string]correlate.Noise
	Windows     []hypercare.Window
	Maintenance []correlate.Maintenance
	// Directory is the escalation directory built from the same file;
	// intake hands it to the first step (SetFirstStep), so an event's
	// level-1 pages are decided under the file its rules, grouping and
	// holds came from even when a reload lands mid-request. Nil: the
	// escalation engine's own.
	Directory *escalate.Directory
}

// Config is intake's compiled, immutable view of one config file. A
// request loads it once (Intake.config) and uses only it, so a reload
// that publishes a new Config between two requests never shows one
// request half of each file.
type Config struct {
	routes      map[string]hypercare.Integration
	policies    map[string]hypercare.EscalationPolicy
	rules       *ruleState
	noise       map[string]correlate.Noise
	windows     []hypercare.Window
	maintenance []correlate.Maintenance
	directory   *escalate.Directory
}

// NewConfig compiles s. Rule counters of prev (nil for none) whose rule
// IDs s keeps carry on, so /metrics counters do not reset on reload.
func NewConfig(s Settings, prev *Config) *Config {
	c := &Config{policies: s.Policies, noise: s.Noise, windows: s.Windows, maintenance: s.Maintenance,
		directory: s.Directory}
	c.routes = make(map[string]hypercare.Integration, len(s.Integrations))
	for _, it := range s.Integrations {
		c.routes[it.Key] = it
	}
	var old *ruleState
	if prev != nil {
		old = prev.rules
	}
	c.rules = newRuleState(s.Rules, old)
	return c
}

// Use makes intake read its config from src on every request instead of
// from the setters (SetRules, SetNoise, ...): the server publishes one
// snapshot for intake, escalation and delivery together (package reload)
// and src returns its intake part. Call it before serving.
func (in *Intake) Use(src func() *Config) { in.src.Store(&src) }

// Gate is held, read side, by a request from the moment it reads its
// config to its write's commit (hypercare.Gate).
type Gate = hypercare.Gate

// SetGate makes every request hold g (see Gate); call it with Use,
// before serving.
func (in *Intake) SetGate(g Gate) { in.gate.Set(g) }

// Enter holds the gate, if any, as a request does, and returns what lets
// it go: an API write that decides holds from the config's maintenance
// windows (expiring a silence early) holds it from reading them to its
// commit, so a reload that removes a window cannot release that window's
// holds in between and leave the write to set one again.
func (in *Intake) Enter() (leave func()) { return in.gate.Enter() }

// config returns the config a request uses from start to end.
func (in *Intake) config() *Config {
	if src := in.src.Load(); src != nil {
		return (*src)()
	}
	return in.own.Load()
}

// update changes the setters' config copy-on-write: a request holding
// the previous one keeps it whole.
func (in *Intake) update(change func(c *Config)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	c := *in.own.Load()
	change(&c)
	in.own.Store(&c)
}

// view is the Intake as one request sees it: the methods that read the
// config read the one the request loaded.
type view struct {
	*Intake
	cfg *Config
	// joins batches the joins of notification groups' new alerts to
	// their incidents; one per write attempt (nil outside a write).
	joins *groupJoins
}

// noiseOf returns the service's noise settings; a service without an
// entry gets no grouping, no pause, no dependencies and the default
// flapping detection.
func (v view) noiseOf(serviceID string) correlate.Noise {
	if n, ok := v.cfg.noise[serviceID]; ok {
		return n
	}
	return correlate.Noise{Flapping: correlate.DefaultFlapping, SymptomGrace: correlate.DefaultSymptomGrace}
}

// Policy returns the service's escalation policy in the request's config
// (an incident.Policies).
func (v view) Policy(serviceID string) (hypercare.EscalationPolicy, bool) {
	p, ok := v.cfg.policies[serviceID]
	return p, ok
}

// Grouping returns the service's alert_grouping in the request's config
// (an incident.Groupings).
func (v view) Grouping(serviceID string) correlate.Grouping {
	return v.noiseOf(serviceID).Grouping
}
