package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/oncall"
)

// Schedule is one entry of schedules, as written in the file: who is on
// call when. Times are kept as text; [Config.Schedules] converts them to
// oncall.Schedule values, whose semantics (precedence, daylight saving
// time) docs/oncall.md describes.
type Schedule struct {
	ID string `yaml:"id"`
	// Name is for display only; the oncall package has no use for it.
	Name string `yaml:"name"`
	// TimeZone is the IANA zone in which every local reading of the
	// schedule is read; required, because "09:00" means nothing without
	// it.
	TimeZone string `yaml:"time_zone"`
	// Layers are ordered from lowest to highest: later layers win.
	Layers    []Layer    `yaml:"layers"`
	Overrides []Override `yaml:"overrides"`
	// Temporary are event rosters that replace Layers for their periods.
	Temporary []TemporarySchedule `yaml:"temporary"`
}

// Layer is one rotation of a schedule.
type Layer struct {
	ID string `yaml:"id"`
	// Start is the local reading "YYYY-MM-DDTHH:MM" of the first handoff.
	Start string `yaml:"start"`
	// Shift is one turn's length: Nh, Nd or Nw (or whole minutes, 90m).
	Shift string `yaml:"shift"`
	// Users are IDs of declared users, in turn order.
	Users        []string      `yaml:"users"`
	Restrictions []Restriction `yaml:"restrictions"`
}

// Restriction limits a layer to a daily window, such as business hours.
type Restriction struct {
	// Days are the weekdays (mon … sun) on which a window opens; empty
	// means every day.
	Days []string `yaml:"days"`
	// From and To are "HH:MM"; To ≤ From crosses midnight.
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// Override puts User on call from Start to End, whatever the layers say.
// Start and End are local readings "YYYY-MM-DDTHH:MM" in the schedule's
// zone, or RFC 3339 times with an offset ("2026-11-27T05:00:00Z") for
// tools that generate overrides from absolute instants.
type Override struct {
	User  string `yaml:"user"`
	Start string `yaml:"start"`
	End   string `yaml:"end"`
}

// TemporarySchedule is an event roster: from Start to End (written like an
// override's) its layers replace the schedule's normal layers.
type TemporarySchedule struct {
	ID     string  `yaml:"id"`
	Start  string  `yaml:"start"`
	End    string  `yaml:"end"`
	Layers []Layer `yaml:"layers"`
}

// Schedules returns the schedules declared in the file as oncall values,
// in file order; index them by ID as needed. They are built afresh on
// each call, so callers may keep or change them freely; call it once per
// load. For a Config made by Parse every schedule passes
// oncall.Schedule.Validate; for one built by hand, values that cannot be
// read are left zero (run it through Parse to find out why). A nil Config
// has no schedules.
func (c *Config) Schedules() []*oncall.Schedule {
	if c == nil {
		return nil
	}
	var out []*oncall.Schedule
	for i := range c.ScheduleSpecs {
		b := scheduleBuilder{}
		out = append(out, b.build(&c.ScheduleSpecs[i]))
	}
	return out
}

// scheduleBuilder converts one Schedule to an oncall.Schedule. The same
// code serves the checker and Config.Schedules, so what is checked is what
// is used.
type scheduleBuilder struct {
	// report, if set, receives each value that cannot be read, with its
	// path relative to the schedule ("layers[0].shift").
	report func(rel, format string, args ...any)
	loc    *time.Location
	// unread lists the values that could not be read and were left zero,
	// and guessed the overrides and temporary schedules whose local
	// readings had to be read in UTC because the schedule's zone is
	// invalid: what oncall says about either is a consequence, not news.
	unread, guessed []string
}

func (b *scheduleBuilder) problem(rel, format string, args ...any) {
	b.unread = append(b.unread, rel)
	if b.report != nil {
		b.report(rel, format, args...)
	}
}

// build converts s. Values that cannot be read are reported and left zero.
func (b *scheduleBuilder) build(s *Schedule) *oncall.Schedule {
	out := &oncall.Schedule{ID: s.ID}
	loc, err := oncall.LoadZone(s.TimeZone)
	switch {
	case s.TimeZone == "":
		b.problem("time_zone", "is required (an IANA name such as Europe/London)")
	case err != nil:
		b.problem("time_zone", "must be an IANA time zone name such as Europe/London, not %q", s.TimeZone)
	default:
		out.TimeZone = loc
	}
	b.loc = out.TimeZone
	out.Layers = b.layers("layers", s.Layers)
	for i, o := range s.Overrides {
		rel := fmt.Sprintf("overrides[%d]", i)
		out.Overrides = append(out.Overrides, oncall.Override{
			User:  o.User,
			Start: b.instant(rel, "start", o.Start),
			End:   b.instant(rel, "end", o.End),
		})
	}
	for i, t := range s.Temporary {
		rel := fmt.Sprintf("temporary[%d]", i)
		out.Temporary = append(out.Temporary, oncall.TemporarySchedule{
			ID:     t.ID,
			Start:  b.instant(rel, "start", t.Start),
			End:    b.instant(rel, "end", t.End),
			Layers: b.layers(rel+".layers", t.Layers),
		})
	}
	return out
}

func (b *scheduleBuilder) layers(rel string, layers []Layer) []oncall.Layer {
	var out []oncall.Layer
	for i, l := range layers {
		lrel := fmt.Sprintf("%s[%d]", rel, i)
		ol := oncall.Layer{ID: l.ID, Users: append([]string(nil), l.Users...)}
		if l.Start == "" {
			b.problem(lrel+".start", "is required")
		} else if d, err := oncall.ParseLocalDateTime(l.Start); err != nil {
			b.problem(lrel+".start", `must be a local date and time "YYYY-MM-DDTHH:MM", not %q`, l.Start)
		} else {
			ol.Start = d
		}
		if l.Shift == "" {
			b.problem(lrel+".shift", "is required")
		} else if d, err := oncall.ParseShift(l.Shift); err != nil {
			b.problem(lrel+".shift", "must be a positive length of whole minutes such as 12h, 1d or 1w, not %q", l.Shift)
		} else {
			ol.Shift = d
		}
		for j, r := range l.Restrictions {
			ol.Restrictions = append(ol.Restrictions, b.restriction(fmt.Sprintf("%s.restrictions[%d]", lrel, j), r))
		}
		out = append(out, ol)
	}
	return out
}

func (b *scheduleBuilder) restriction(rel string, r Restriction) oncall.Restriction {
	var out oncall.Restriction
	for k, name := range r.Days {
		d, err := oncall.ParseWeekday(name)
		if err != nil {
			b.problem(fmt.Sprintf("%s.days[%d]", rel, k), "must be a day: mon, tue, wed, thu, fri, sat or sun, not %q", name)
			continue
		}
		out.Days = append(out.Days, d)
	}
	out.From = b.timeOfDay(rel+".from", r.From)
	out.To = b.timeOfDay(rel+".to", r.To)
	return out
}

func (b *scheduleBuilder) timeOfDay(rel, s string) oncall.TimeOfDay {
	if s == "" {
		b.problem(rel, "is required")
		return oncall.TimeOfDay{}
	}
	t, err := oncall.ParseTimeOfDay(s)
	if err != nil {
		b.problem(rel, `must be a time of day "HH:MM" from 00:00 to 23:59, not %q`, s)
	}
	return t
}

// instant reads the field of the override or temporary schedule at rel:
// an RFC 3339 time, or a local reading resolved in the schedule's zone by
// the same rule as handoffs (oncall.Resolve), so one DST rule holds for
// everything written as wall-clock time.
func (b *scheduleBuilder) instant(rel, field, s string) time.Time {
	if s == "" {
		b.problem(rel+"."+field, "is required")
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if b.loc != nil {
			t = t.In(b.loc)
		}
		return t
	}
	d, err := oncall.ParseLocalDateTime(s)
	if err != nil {
		b.problem(rel+"."+field, `must be a local date and time "YYYY-MM-DDTHH:MM" in the schedule's time zone, or an RFC 3339 time with an offset, not %q`, s)
		return time.Time{}
	}
	if b.loc == nil {
		b.guessed = append(b.guessed, rel)
		return oncall.Resolve(d, time.UTC)
	}
	return oncall.Resolve(d, b.loc)
}

// checkSchedules validates the schedules and returns the set of declared
// IDs. The checks that need the file (IDs, references to users, reading
// times) are made here; the rules of schedules themselves are
// oncall.Schedule.Validate's, whose problems are mapped to positions.
func (c *checker) checkSchedules(schedules []Schedule, users map[string]bool) map[string]bool {
	declared := map[string]bool{}
	seen := map[string]string{}
	for i := range schedules {
		s := &schedules[i]
		path := fmt.Sprintf("schedules[%d]", i)
		c.checkID(path+".id", s.ID, "schedule", seen)
		declared[s.ID] = true
		c.checkLayers(path+".layers", s.Layers, users)
		for j, o := range s.Overrides {
			if o.User != "" {
				c.checkRef(fmt.Sprintf("%s.overrides[%d].user", path, j), o.User, "user", "users", users)
			}
		}
		tempSeen := map[string]string{}
		for j, t := range s.Temporary {
			tpath := fmt.Sprintf("%s.temporary[%d]", path, j)
			c.checkID(tpath+".id", t.ID, "temporary schedule", tempSeen)
			c.checkLayers(tpath+".layers", t.Layers, users)
		}
		b := scheduleBuilder{report: func(rel, format string, args ...any) {
			c.add(path+"."+rel, format, args...)
		}}
		c.addScheduleProblems(path, b.build(s).Validate(), &b)
	}
	return declared
}

// checkLayers checks the layer IDs and user references of a list of
// layers at path.
func (c *checker) checkLayers(path string, layers []Layer, users map[string]bool) {
	seen := map[string]string{}
	for i, l := range layers {
		lpath := fmt.Sprintf("%s[%d]", path, i)
		c.checkID(lpath+".id", l.ID, "layer", seen)
		for j, u := range l.Users {
			if u != "" { // an empty entry is oncall's to report
				c.checkRef(fmt.Sprintf("%s.users[%d]", lpath, j), u, "user", "users", users)
			}
		}
	}
}

// addScheduleProblems reports what oncall.Schedule.Validate found in the
// schedule at path, each at its field's position. A problem is dropped
// when its field or one around it already has one, when a value inside it
// could not be read (a start that could not be read is not also
// "missing"), or when it is about an override or temporary schedule whose
// times were only guessed.
func (c *checker) addScheduleProblems(path string, err error, b *scheduleBuilder) {
	if err == nil {
		return
	}
	var herr *hypercare.Error
	if !errors.As(err, &herr) || len(herr.Details) == 0 {
		c.add(path, "%v", err)
		return
	}
	for _, d := range herr.Details {
		if d.Field == "" {
			c.add(path, "%s", d.Message)
			continue
		}
		if underAny(d.Field, b.guessed) || containsAny(d.Field, b.unread) {
			continue
		}
		c.add(path+"."+d.Field, "%s", d.Message)
	}
}

// underAny reports whether path is one of paths or inside one of them.
func underAny(path string, paths []string) bool {
	for _, p := range paths {
		if within(path, p) {
			return true
		}
	}
	return false
}

// containsAny reports whether one of paths is path or inside it.
func containsAny(path string, paths []string) bool {
	for _, p := range paths {
		if within(p, path) {
			return true
		}
	}
	return false
}

// within reports whether path is outer or a field or item inside it.
func within(path, outer string) bool {
	return path == outer || strings.HasPrefix(path, outer+".") || strings.HasPrefix(path, outer+"[")
}
