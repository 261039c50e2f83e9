package oncall

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
)

// Validate checks the schedule and returns nil or an invalid_argument
// *hypercare.Error listing every problem at once, each under the field
// path of hypercare.yaml (layers[0].shift, overrides[2].end, …), so the
// config loader can point at file:line and the API can return details.
// Shifts and OnCall never panic on an invalid schedule, but their answers
// for it are not meaningful.
func (s *Schedule) Validate() error {
	var v validator
	if s.ID == "" {
		v.add("id", "is required")
	}
	switch s.TimeZone {
	case nil:
		v.add("time_zone", "is required (an IANA name such as Europe/London)")
	case time.Local:
		v.add("time_zone", "must be an IANA name, not the machine's local zone")
	}
	if len(s.Layers) == 0 {
		v.add("layers", "at least one layer is required")
	}
	v.layers("layers", s.Layers)
	for i, o := range s.Overrides {
		p := fmt.Sprintf("overrides[%d]", i)
		if o.User == "" {
			v.add(p+".user", "is required")
		}
		v.period(p, o.Start, o.End)
	}
	v.temporary(s.Temporary)
	if len(v.problems) == 0 {
		return nil
	}
	return hypercare.InvalidFields(fmt.Sprintf("schedule %q is invalid: %s", s.ID, v.summary()), v.problems...)
}

// validator collects problems instead of stopping at the first.
type validator struct{ problems []hypercare.FieldError }

func (v *validator) add(field, format string, args ...any) {
	v.problems = append(v.problems, hypercare.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// summary joins the problems into one line for logs and the CLI.
func (v *validator) summary() string {
	parts := make([]string, len(v.problems))
	for i, p := range v.problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

// period checks an absolute [start, end).
func (v *validator) period(path string, start, end time.Time) {
	switch {
	case start.IsZero() || end.IsZero():
		v.add(path, "start and end are required")
	case !end.After(start):
		v.add(path+".end", "must be after start (%s), got %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
}

func (v *validator) layers(path string, layers []Layer) {
	seen := map[string]int{}
	for i := range layers {
		l := &layers[i]
		p := fmt.Sprintf("%s[%d]", path, i)
		switch j, dup := seen[l.ID]; {
		case l.ID == "":
			v.add(p+".id", "is required")
		case dup:
			v.add(p+".id", "duplicate layer ID %q, already used by %s[%d]", l.ID, path, j)
		case l.ID == OverrideSource || strings.HasPrefix(l.ID, temporaryPrefix):
			v.add(p+".id", "%q is reserved for the sources of shifts", l.ID)
		default:
			seen[l.ID] = i
		}
		v.layer(p, l)
	}
}

func (v *validator) layer(p string, l *Layer) {
	if !l.Start.valid() {
		v.add(p+".start", "%s is not a valid local date and time", l.Start)
	}
	switch {
	case l.Shift <= 0:
		v.add(p+".shift", "must be positive, got %s", l.Shift)
	case l.Shift%time.Minute != 0:
		v.add(p+".shift", "must be a whole number of minutes, got %s", l.Shift)
	case l.Shift > maxShift:
		v.add(p+".shift", "must be at most %s, got %s", FormatShift(maxShift), FormatShift(l.Shift))
	}
	if len(l.Users) == 0 {
		v.add(p+".users", "at least one user is required")
	}
	for j, u := range l.Users {
		if u == "" {
			v.add(fmt.Sprintf("%s.users[%d]", p, j), "is empty")
		}
	}
	for j, r := range l.Restrictions {
		rp := fmt.Sprintf("%s.restrictions[%d]", p, j)
		for k, d := range r.Days {
			if d < time.Sunday || d > time.Saturday {
				v.add(fmt.Sprintf("%s.days[%d]", rp, k), "%d is not a weekday (0 = Sunday … 6 = Saturday)", int(d))
			}
		}
		if !r.From.valid() {
			v.add(rp+".from", "%s is not a time of day between 00:00 and 23:59", r.From)
		}
		if !r.To.valid() {
			v.add(rp+".to", "%s is not a time of day between 00:00 and 23:59", r.To)
		}
	}
}

// temporary checks each temporary schedule and that no two overlap: an
// instant covered twice would have two rosters.
func (v *validator) temporary(ts []TemporarySchedule) {
	seen := map[string]int{}
	for i, t := range ts {
		p := fmt.Sprintf("temporary[%d]", i)
		if j, dup := seen[t.ID]; dup {
			v.add(p+".id", "duplicate temporary schedule ID %q, already used by temporary[%d]", t.ID, j)
		} else if t.ID == "" {
			v.add(p+".id", "is required")
		} else {
			seen[t.ID] = i
		}
		v.period(p, t.Start, t.End)
		if len(t.Layers) == 0 {
			v.add(p+".layers", "at least one layer is required")
		}
		v.layers(p+".layers", t.Layers)
	}
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return ts[a].Start.Compare(ts[b].Start) })
	reach := -1 // the earlier schedule that ends last
	for _, i := range order {
		if reach >= 0 && ts[i].Start.Before(ts[reach].End) && ts[i].End.After(ts[i].Start) {
			v.add(fmt.Sprintf("temporary[%d]", i), "overlaps temporary[%d] (%q); temporary schedules must not overlap", reach, ts[reach].ID)
		}
		if reach < 0 || ts[i].End.After(ts[reach].End) {
			reach = i
		}
	}
}
