// Package readiness answers "is this hypercare window ready?" before a
// planned peak: every minute covered by someone who can be paged, nobody
// on call too long, a runbook for every service, no silent monitor. It
// turns the config (and, for silent integrations, the last event each
// integration sent) into findings, each saying what is wrong, for which
// service, policy or user, over which exact interval, and what to change.
//
// It is pure: no I/O and no clock. Shifts come from the oncall package
// (overrides and temporary rosters applied, DST-exact), never from a
// re-implementation, so readiness and the pager agree on who is on call.
// The API (GET /api/v1/windows/{id}/readiness) and the CLI
// (hypercare readiness) both call Evaluate; the JSON shape of Report is a
// public contract (DESIGN.md §5.1).
package readiness

import (
	"cmp"
	"slices"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/escalate"
)

// Kind names what a finding is about; the values are a public contract.
type Kind string

// The finding kinds, in the order reports list them.
const (
	CoverageGap          Kind = "coverage_gap"
	UnreachableResponder Kind = "unreachable_responder"
	UnverifiedContact    Kind = "unverified_contact"
	SingleResponder      Kind = "single_responder"
	ShiftTooLong         Kind = "shift_too_long"
	NoRunbook            Kind = "no_runbook"
	SilentIntegration    Kind = "silent_integration"
	// MaintenanceHold: a maintenance window holds the first pages of a
	// service in scope during the window (no one is reached until it
	// ends).
	MaintenanceHold Kind = "maintenance_hold"
)

var kindOrder = []Kind{CoverageGap, MaintenanceHold, UnreachableResponder, UnverifiedContact, SingleResponder,
	ShiftTooLong, NoRunbook, SilentIntegration}

// Severity says whether a finding stops the window being ready.
type Severity string

// Blocking findings make a window not ready (the CLI exits 1); warnings
// are worth fixing but do not.
const (
	Blocking Severity = "blocking"
	Warning  Severity = "warning"
)

// Finding is one thing to fix. Service, Policy and User are "" and From
// and To nil where they do not apply; From and To are the exact interval
// [From, To) the finding is about.
type Finding struct {
	Kind     Kind       `json:"kind"`
	Severity Severity   `json:"severity"`
	Service  string     `json:"service"`
	Policy   string     `json:"policy"`
	User     string     `json:"user"`
	From     *time.Time `json:"from"`
	To       *time.Time `json:"to"`
	Message  string     `json:"message"`
}

// Report is the readiness of one window at one moment. Ready is true only
// when no finding is Blocking.
type Report struct {
	Window   string    `json:"window"`
	Ready    bool      `json:"ready"`
	At       time.Time `json:"at"`
	Findings []Finding `json:"findings"`
	// CheckedFrom and CheckedTo are the part of the window checked: from
	// the later of its start and At, to its end.
	CheckedFrom time.Time `json:"checked_from"`
	CheckedTo   time.Time `json:"checked_to"`
	// Notes say which checks were skipped and why.
	Notes []string `json:"notes"`
}

// Integration is what readiness knows of an integration: never its key.
type Integration struct {
	ID        string
	ServiceID string
	Name      string
}

// Catalog is everything in the config readiness reads, built once per
// config load and only read afterwards.
type Catalog struct {
	Windows      []hypercare.Window
	Runbooks     []hypercare.Runbook
	Services     []hypercare.Service
	Integrations []Integration
	Directory    *escalate.Directory
	// Channels are the contact types this binary can deliver (the notify
	// registry's); a responder reachable only by other types is
	// unreachable.
	Channels []hypercare.ContactType
	// Maintenance are the config's maintenance windows: one that covers a
	// service in scope during the window holds its first pages.
	Maintenance []correlate.Maintenance
}

// FromConfig builds the catalog of a parsed config. channels are the
// contact types the binary delivers.
func FromConfig(cfg *config.Config, channels []hypercare.ContactType) *Catalog {
	_, services, integrations := cfg.Catalog()
	c := &Catalog{
		Windows:   cfg.Windows(),
		Runbooks:  cfg.Runbooks(),
		Services:  services,
		Directory: escalate.NewDirectory(cfg.Users(), cfg.Schedules(), cfg.EscalationPolicies(), services, cfg.Windows()),
		Channels:  slices.Clone(channels),
		// Maintenance windows hold first pages of services in scope.
		Maintenance: cfg.Maintenance(),
	}
	for _, in := range integrations {
		c.Integrations = append(c.Integrations, Integration{ID: in.ID, ServiceID: in.ServiceID, Name: in.Name})
	}
	return c
}

// Window returns the window with id.
func (c *Catalog) Window(id string) (hypercare.Window, bool) {
	for _, w := range c.Windows {
		if w.ID == id {
			return w, true
		}
	}
	return hypercare.Window{}, false
}

// IntegrationIDs lists the integrations of the services in w's scope: the
// ones whose last event Evaluate needs.
func (c *Catalog) IntegrationIDs(w hypercare.Window) []string {
	var ids []string
	for _, in := range c.Integrations {
		if w.InScope(in.ServiceID) {
			ids = append(ids, in.ID)
		}
	}
	return ids
}

// Evaluate checks w as of at. lastEvents maps an integration ID to when it
// last sent anything (absent: never); nil means the event log could not be
// read, and the silent-integration check is skipped with a note. Only the
// part of the window from at on is checked, so a nightly run during the
// window reports what is still ahead.
func (c *Catalog) Evaluate(w hypercare.Window, at time.Time, lastEvents map[string]time.Time) Report {
	loc := w.TimeZone
	if loc == nil {
		loc = time.UTC
	}
	from, to := w.Start, w.End
	if at.After(from) {
		from = at
	}
	r := Report{Window: w.ID, At: at.In(loc), CheckedFrom: from.In(loc), CheckedTo: to.In(loc),
		Findings: []Finding{}, Notes: []string{}}
	a := newAnalysis(c, w, from, to, loc)
	if from.Before(to) {
		a.coverage()
		a.maintenance()
		a.responders()
		a.singleResponders()
		a.fatigue()
	} else {
		r.CheckedFrom = r.CheckedTo
		r.Notes = append(r.Notes, "the window ended at "+fmtTime(to, loc)+"; only runbooks and integrations were checked")
	}
	a.runbooks()
	a.silent(at, lastEvents)
	r.Findings = append(r.Findings, a.findings...)
	r.Notes = append(r.Notes, a.notes...)
	sortFindings(r.Findings)
	r.Ready = !slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Severity == Blocking })
	return r
}

// sortFindings orders findings by kind, then service, policy, user and
// start, so reports diff cleanly from run to run.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind)),
			cmp.Compare(a.Service, b.Service), cmp.Compare(a.Policy, b.Policy), cmp.Compare(a.User, b.User),
			compareTimes(a.From, b.From))
	})
}

func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// fmtTime shows an instant in the window's zone, naming the zone.
func fmtTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// WithVerified returns a copy of c in which every contact method proved
// reports as verified counts as verified, on top of the config's own
// verified flags: a code confirmed through the API (kept in the database)
// clears the unverified_contact finding. c itself is not changed.
func (c *Catalog) WithVerified(proved func(userID string, cm hypercare.ContactMethod) bool) *Catalog {
	if c.Directory == nil || proved == nil {
		return c
	}
	dir := *c.Directory
	dir.Users = make(map[string]hypercare.User, len(c.Directory.Users))
	for id, u := range c.Directory.Users {
		u.ContactMethods = slices.Clone(u.ContactMethods)
		for i, cm := range u.ContactMethods {
			if !cm.Verified && proved(id, cm) {
				u.ContactMethods[i].Verified = true
			}
		}
		dir.Users[id] = u
	}
	out := *c
	out.Directory = &dir
	return &out
}
