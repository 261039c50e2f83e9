package config

import (
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// Limits of hypercare_windows. A window is a planned peak of days or
// weeks; a quarter is far beyond any, so a longer one is a typo, and the
// bound keeps readiness (which walks every shift in the window) fast.
const (
	maxWindowLength = 92 * 24 * time.Hour
	// maxShiftHoursLimit is a week: a longer stint is not a guardrail.
	maxShiftHoursLimit = 168
	// DefaultSilentIntegrationDays is how long an integration may send
	// nothing before readiness reports it silent, when the window does not
	// say.
	DefaultSilentIntegrationDays = 7
	maxSilentIntegrationDays     = 366
)

// HypercareWindow is one entry of hypercare_windows, as written in the
// file: a planned peak with its own zone, scope and stricter rules.
// [Config.Windows] returns the effective hypercare.Window values.
type HypercareWindow struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// TimeZone is the IANA zone Start and End are read in; required.
	TimeZone string `yaml:"time_zone"`
	// Start and End are local readings "YYYY-MM-DDTHH:MM" in TimeZone,
	// resolved across DST changes as schedule times are (oncall.Resolve).
	Start string `yaml:"start"`
	End   string `yaml:"end"`
	// Services are IDs of declared services; leaving the key out means
	// every service.
	Services     []string `yaml:"services"`
	ChangeFreeze bool     `yaml:"change_freeze"`
	// MaxEscalateAfterMinutes caps every level's delay inside the window.
	MaxEscalateAfterMinutes *int              `yaml:"max_escalate_after_minutes"`
	Urgency                 hypercare.Urgency `yaml:"urgency"`
	// MaxShiftHours is the longest stint, and the most hours in any 24,
	// anyone may be on call inside the window.
	MaxShiftHours *int `yaml:"max_shift_hours"`
	// SilentIntegrationDays is how many days without an event make an
	// integration silent for readiness; default 7.
	SilentIntegrationDays *int `yaml:"silent_integration_days"`
	// Fatigue turns on the fatigue guardrail; omitted keys take defaults.
	Fatigue *FatigueSpec `yaml:"fatigue"`
	// AnnounceTo hears when the window opens and closes (as maintenance
	// windows' announce_to).
	AnnounceTo []AnnounceTarget `yaml:"announce_to"`
}

// Runbook is one entry of runbooks: a link to what to do when the listed
// services break.
type Runbook struct {
	ID       string   `yaml:"id"`
	Title    string   `yaml:"title"`
	URL      string   `yaml:"url"`
	Services []string `yaml:"services"`
}

// Windows returns the hypercare windows declared in the file, in file
// order, with start and end resolved in the window's zone and durations
// converted. For a Config not made by Parse, values that cannot be read
// are left zero. A nil Config has none.
func (c *Config) Windows() []hypercare.Window {
	if c == nil {
		return nil
	}
	var out []hypercare.Window
	for _, w := range c.WindowSpecs {
		out = append(out, w.domain())
	}
	return out
}

func (w *HypercareWindow) domain() hypercare.Window {
	out := hypercare.Window{
		ID: w.ID, Name: w.Name, ChangeFreeze: w.ChangeFreeze, Urgency: w.Urgency,
		MaxEscalateAfter: minutes(w.MaxEscalateAfterMinutes),
		SilentAfter:      DefaultSilentIntegrationDays * 24 * time.Hour,
		AnnounceTo:       announceTargets(w.AnnounceTo),
	}
	if w.Services != nil {
		out.Services = append([]string{}, w.Services...)
	}
	if w.MaxShiftHours != nil {
		out.MaxShift = time.Duration(*w.MaxShiftHours) * time.Hour
	}
	if w.Fatigue != nil {
		out.Fatigue = w.Fatigue.domain()
	}
	if w.SilentIntegrationDays != nil {
		out.SilentAfter = time.Duration(*w.SilentIntegrationDays) * 24 * time.Hour
	}
	out.TimeZone, _ = oncall.LoadZone(w.TimeZone)
	if out.TimeZone == nil {
		out.TimeZone = time.UTC
	}
	if d, err := oncall.ParseLocalDateTime(w.Start); err == nil {
		out.Start = oncall.Resolve(d, out.TimeZone)
	}
	if d, err := oncall.ParseLocalDateTime(w.End); err == nil {
		out.End = oncall.Resolve(d, out.TimeZone)
	}
	return out
}

// Runbooks returns the runbooks declared in the file, in file order.
func (c *Config) Runbooks() []hypercare.Runbook {
	if c == nil {
		return nil
	}
	var out []hypercare.Runbook
	for _, r := range c.RunbookSpecs {
		out = append(out, hypercare.Runbook{ID: r.ID, Title: r.Title, URL: r.URL,
			Services: append([]string(nil), r.Services...)})
	}
	return out
}

// checkWindowsAndRunbooks validates both sections against the declared
// services.
func (c *checker) checkWindowsAndRunbooks(cfg *Config) {
	services := map[string]bool{}
	for _, s := range cfg.Services {
		services[s.ID] = true
	}
	seen := map[string]string{}
	users := usersByID(cfg)
	for i := range cfg.WindowSpecs {
		path := fmt.Sprintf("hypercare_windows[%d]", i)
		c.checkWindow(path, &cfg.WindowSpecs[i], services, seen)
		c.checkAnnounceTo(path+".announce_to", cfg.WindowSpecs[i].AnnounceTo, users)
	}
	seen = map[string]string{}
	for i, r := range cfg.RunbookSpecs {
		path := fmt.Sprintf("runbooks[%d]", i)
		c.checkID(path+".id", r.ID, "runbook", seen)
		c.checkRequired(path+".title", r.Title)
		switch {
		case r.URL == "":
			c.add(path+".url", "is required")
		case !validHTTPURL(r.URL):
			c.add(path+".url", "must be an absolute http or https URL")
		}
		if len(r.Services) == 0 {
			c.add(path+".services", "at least one service is required")
		}
		c.checkServiceRefs(path+".services", r.Services, services)
	}
}

// checkWindow checks one window.
func (c *checker) checkWindow(path string, w *HypercareWindow, services map[string]bool, seen map[string]string) {
	c.checkID(path+".id", w.ID, "hypercare window", seen)
	c.checkRequired(path+".name", w.Name)
	var loc *time.Location
	if w.TimeZone == "" {
		c.add(path+".time_zone", "is required (an IANA name such as America/New_York)")
	} else if l, err := oncall.LoadZone(w.TimeZone); err != nil {
		c.add(path+".time_zone", "must be an IANA time zone name such as America/New_York, not %q", w.TimeZone)
	} else {
		loc = l
	}
	start, okStart := c.windowTime(path+".start", w.Start, loc)
	end, okEnd := c.windowTime(path+".end", w.End, loc)
	switch {
	case !okStart || !okEnd || loc == nil:
	case !end.After(start):
		c.add(path+".end", "must be after start (%s)", w.Start)
	case end.Sub(start) > maxWindowLength:
		c.add(path+".end", "the window may last at most 92 days")
	}
	if w.Services != nil && len(w.Services) == 0 {
		c.add(path+".services", "list at least one service, or leave services out for all of them")
	}
	c.checkServiceRefs(path+".services", w.Services, services)
	if m := w.MaxEscalateAfterMinutes; m != nil {
		c.checkMinutes(path+".max_escalate_after_minutes", *m, 1)
	}
	c.checkUrgency(path+".urgency", w.Urgency)
	if h := w.MaxShiftHours; h != nil && (*h < 1 || *h > maxShiftHoursLimit) {
		c.add(path+".max_shift_hours", "must be between 1 and %d (a week)", maxShiftHoursLimit)
	}
	if d := w.SilentIntegrationDays; d != nil && (*d < 1 || *d > maxSilentIntegrationDays) {
		c.add(path+".silent_integration_days", "must be between 1 and %d", maxSilentIntegrationDays)
	}
	if w.Fatigue != nil {
		c.checkFatigue(path+".fatigue", w.Fatigue)
	}
}

// windowTime reads a window's start or end, a local reading in loc (nil
// when the zone is bad: the reading is still checked for its form).
func (c *checker) windowTime(path, s string, loc *time.Location) (time.Time, bool) {
	if s == "" {
		c.add(path, "is required")
		return time.Time{}, false
	}
	d, err := oncall.ParseLocalDateTime(s)
	if err != nil {
		c.add(path, `must be a local date and time "YYYY-MM-DDTHH:MM" in the window's time zone, not %q`, s)
		return time.Time{}, false
	}
	if loc == nil {
		return time.Time{}, false
	}
	return oncall.Resolve(d, loc), true
}

// checkServiceRefs checks a list of service IDs: each declared, none
// twice.
func (c *checker) checkServiceRefs(path string, ids []string, services map[string]bool) {
	dup := map[string]bool{}
	for j, id := range ids {
		p := fmt.Sprintf("%s[%d]", path, j)
		if dup[id] && id != "" {
			c.add(p, "service %q is listed twice", id)
			continue
		}
		dup[id] = true
		c.checkRef(p, id, "service", "services", services)
	}
}
