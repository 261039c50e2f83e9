package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
	"github.com/hypercare/hypercare/oncall"
)

// MaintenanceWindow is one entry of maintenance, as written: planned work
// during which alerts in scope are recorded but page nobody until it ends
// (then those still open page). Scope is services and/or label matchers.
type MaintenanceWindow struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Services are declared service IDs; Matchers are Alertmanager-style
	// label matchers (`alertname=~"Disk.*"`). At least one of the two.
	Services []string `yaml:"services"`
	Matchers []string `yaml:"matchers"`
	// Start and End are local readings "YYYY-MM-DDTHH:MM" in TimeZone
	// (required), of the first occurrence when Recurrence is set.
	Start    string `yaml:"start"`
	End      string `yaml:"end"`
	TimeZone string `yaml:"time_zone"`
	// Recurrence repeats the window (daily or weekly); optional.
	Recurrence *Recurrence `yaml:"recurrence"`
	// AnnounceTo hears when each occurrence starts and ends.
	AnnounceTo []AnnounceTarget `yaml:"announce_to"`
}

// Recurrence is a small RRULE: freq daily or weekly, every interval days
// or weeks, on by_day weekdays (weekly; SU, MO… or sun, mon…), starting at
// most at until (a local reading in the window's zone).
type Recurrence struct {
	Freq     string   `yaml:"freq"`
	Interval *int     `yaml:"interval"`
	ByDay    []string `yaml:"by_day"`
	Until    string   `yaml:"until"`
}

// AnnounceTarget is one recipient of window announcements: a user
// (optionally one contact method of theirs) or a direct type and address.
type AnnounceTarget struct {
	User          string                `yaml:"user"`
	ContactMethod string                `yaml:"contact_method"`
	Type          hypercare.ContactType `yaml:"type"`
	Address       string                `yaml:"address"`
}

// Limits of maintenance windows: a one-off is at most a quarter (like a
// hypercare window); a recurring occurrence at most a week and shorter
// than its period, so occurrences never overlap.
const (
	maxMaintenanceLength = 92 * 24 * time.Hour
	maxOccurrenceLength  = 7 * 24 * time.Hour
	maxInterval          = 52
)

// Maintenance returns the maintenance windows, in file order, with zones
// loaded and matchers compiled. Values that cannot be read (a Config not
// made by Parse) are left zero.
func (c *Config) Maintenance() []correlate.Maintenance {
	if c == nil {
		return nil
	}
	out := make([]correlate.Maintenance, 0, len(c.MaintenanceSpecs))
	for _, m := range c.MaintenanceSpecs {
		out = append(out, m.domain())
	}
	return out
}

func (m *MaintenanceWindow) domain() correlate.Maintenance {
	out := correlate.Maintenance{ID: m.ID, Name: m.Name, Services: append([]string(nil), m.Services...),
		AnnounceTo: announceTargets(m.AnnounceTo)}
	out.Zone, _ = oncall.LoadZone(m.TimeZone)
	if out.Zone == nil {
		out.Zone = time.UTC
	}
	out.Start, _ = oncall.ParseLocalDateTime(m.Start)
	out.End, _ = oncall.ParseLocalDateTime(m.End)
	out.Matchers, _ = correlate.ParseMatchers(m.Matchers)
	if r := m.Recurrence; r != nil {
		rec := &correlate.Recurrence{Freq: r.Freq, Interval: 1}
		if r.Interval != nil {
			rec.Interval = *r.Interval
		}
		for _, d := range r.ByDay {
			if wd, err := parseByDay(d); err == nil {
				rec.ByDay = append(rec.ByDay, wd)
			}
		}
		if u, err := oncall.ParseLocalDateTime(r.Until); err == nil {
			rec.Until = &u
		}
		out.Recurrence = rec
	}
	return out
}

func announceTargets(specs []AnnounceTarget) []hypercare.AnnounceTarget {
	var out []hypercare.AnnounceTarget
	for _, t := range specs {
		out = append(out, hypercare.AnnounceTarget{User: t.User, ContactMethod: t.ContactMethod, Type: t.Type, Address: t.Address})
	}
	return out
}

// rruleDays are RFC 5545's weekday codes.
var rruleDays = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// parseByDay reads an RRULE code (SU, MO, …) or a day name as schedules
// write it (sun, mon, Sunday, …).
func parseByDay(s string) (time.Weekday, error) {
	if i := slices.Index(rruleDays, strings.ToUpper(s)); i >= 0 && len(s) == 2 {
		return time.Weekday(i), nil
	}
	return oncall.ParseWeekday(s)
}

// checkMaintenance validates the maintenance section.
func (c *checker) checkMaintenance(cfg *Config) {
	services := map[string]bool{}
	for _, s := range cfg.Services {
		services[s.ID] = true
	}
	users := usersByID(cfg)
	seen := map[string]string{}
	for i := range cfg.MaintenanceSpecs {
		m := &cfg.MaintenanceSpecs[i]
		path := fmt.Sprintf("maintenance[%d]", i)
		c.checkID(path+".id", m.ID, "maintenance window", seen)
		if m.Services == nil && len(m.Matchers) == 0 {
			c.add(path+".services", "list services or matchers (or both): a window covering everything would hide every alert")
		} else if m.Services != nil && len(m.Services) == 0 {
			c.add(path+".services", "list at least one service, or leave services out and scope by matchers")
		}
		c.checkServiceRefs(path+".services", m.Services, services)
		for j, s := range m.Matchers {
			if _, err := correlate.ParseMatcher(s); err != nil {
				c.add(fmt.Sprintf("%s.matchers[%d]", path, j), "%v", err)
			}
		}
		c.checkMaintenanceTimes(path, m)
		c.checkAnnounceTo(path+".announce_to", m.AnnounceTo, users)
	}
}

// checkMaintenanceTimes checks zone, start, end and recurrence.
func (c *checker) checkMaintenanceTimes(path string, m *MaintenanceWindow) {
	var loc *time.Location
	if m.TimeZone == "" {
		c.add(path+".time_zone", "is required (an IANA name such as Europe/London)")
	} else if l, err := oncall.LoadZone(m.TimeZone); err != nil {
		c.add(path+".time_zone", "must be an IANA time zone name such as Europe/London, not %q", m.TimeZone)
	} else {
		loc = l
	}
	start, okStart := c.windowTime(path+".start", m.Start, loc)
	end, okEnd := c.windowTime(path+".end", m.End, loc)
	r := m.Recurrence
	if r != nil {
		c.checkRecurrence(path+".recurrence", r, m.Start)
		c.checkStartDay(path+".start", r, m.Start)
	}
	switch {
	case !okStart || !okEnd || loc == nil:
	case !end.After(start):
		c.add(path+".end", "must be after start (%s)", m.Start)
	case r == nil && end.Sub(start) > maxMaintenanceLength:
		c.add(path+".end", "a maintenance window may last at most 92 days")
	case r != nil && end.Sub(start) > min(maxOccurrenceLength, period(r)):
		c.add(path+".end", "each occurrence must be shorter than the recurrence's period (and at most 7 days)")
	}
}

// period is the shortest gap between two occurrences' starts (a lower
// bound for weekly windows on several days).
func period(r *Recurrence) time.Duration {
	n := 1
	if r.Interval != nil && *r.Interval > 0 {
		n = *r.Interval
	}
	if r.Freq == correlate.FreqWeekly && len(r.ByDay) <= 1 {
		return time.Duration(n) * 7 * 24 * time.Hour
	}
	if r.Freq == correlate.FreqWeekly {
		return 24 * time.Hour
	}
	return time.Duration(n) * 24 * time.Hour
}

func (c *checker) checkRecurrence(path string, r *Recurrence, start string) {
	switch r.Freq {
	case "":
		c.add(path+".freq", "is required (daily or weekly)")
	case correlate.FreqDaily, correlate.FreqWeekly:
	default:
		c.add(path+".freq", "must be daily or weekly, not %q", r.Freq)
	}
	if r.Interval != nil && (*r.Interval < 1 || *r.Interval > maxInterval) {
		c.add(path+".interval", "must be between 1 and %d", maxInterval)
	}
	if len(r.ByDay) > 0 && r.Freq == correlate.FreqDaily {
		c.add(path+".by_day", "applies to weekly recurrences only")
	}
	for j, d := range r.ByDay {
		if _, err := parseByDay(d); err != nil {
			c.add(fmt.Sprintf("%s.by_day[%d]", path, j), "must be a weekday: SU, MO, TU, WE, TH, FR, SA (or sun, mon, …), not %q", d)
		}
	}
	if r.Until == "" {
		return
	}
	u, err := oncall.ParseLocalDateTime(r.Until)
	if err != nil {
		c.add(path+".until", `must be a local date and time "YYYY-MM-DDTHH:MM" in the window's time zone, not %q`, r.Until)
		return
	}
	if s, err := oncall.ParseLocalDateTime(start); err == nil && u.String() < s.String() {
		c.add(path+".until", "must not be before start (%s)", start)
	}
}

// checkStartDay refuses a weekly window whose start falls on a weekday its
// by_day does not list: the first occurrence would silently move to the
// next listed day, so the work planned on the day written would page (RFC
// 5545 leaves such a DTSTART undefined).
func (c *checker) checkStartDay(path string, r *Recurrence, start string) {
	if r.Freq != correlate.FreqWeekly || len(r.ByDay) == 0 {
		return
	}
	s, err := oncall.ParseLocalDateTime(start)
	if err != nil {
		return // reported as start's problem
	}
	wd := time.Date(s.Year, s.Month, s.Day, 0, 0, 0, 0, time.UTC).Weekday()
	for _, d := range r.ByDay {
		if day, err := parseByDay(d); err != nil || day == wd {
			return // a bad weekday is by_day's problem
		}
	}
	c.add(path, "%s is a %s, which recurrence.by_day (%s) does not list: the first occurrence would be the next "+
		"listed day; start on a listed day", start[:min(len(start), 10)], wd, strings.Join(r.ByDay, ", "))
}

// usersByID maps each declared user to their contact method IDs.
func usersByID(cfg *Config) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, u := range cfg.UserSpecs {
		methods := map[string]bool{}
		for _, cm := range u.ContactMethods {
			methods[cm.ID] = true
		}
		out[u.ID] = methods
	}
	return out
}

// checkAnnounceTo checks a window's announcement targets: each a declared
// user (and one of their contact methods, if named), or a type and
// address checked as a contact method's are.
func (c *checker) checkAnnounceTo(path string, targets []AnnounceTarget, users map[string]map[string]bool) {
	for j := range targets {
		t := &targets[j]
		p := fmt.Sprintf("%s[%d]", path, j)
		switch {
		case t.User != "" && (t.Type != "" || t.Address != ""):
			c.add(p, "give either user (and contact_method) or type and address, not both")
		case t.User != "":
			methods, ok := users[t.User]
			switch {
			case !ok:
				c.add(p+".user", "user %q is not declared under users", t.User)
			case t.ContactMethod != "" && !methods[t.ContactMethod]:
				c.add(p+".contact_method", "user %q has no contact method %q", t.User, t.ContactMethod)
			}
		case t.ContactMethod != "":
			c.add(p+".contact_method", "applies to a user target only")
		default:
			cm := ContactMethod{Type: t.Type, Address: t.Address}
			c.checkContactMethod(p, &cm)
			t.Address = cm.Address
		}
	}
}
