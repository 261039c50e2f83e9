package correlate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare"
)

// Matcher is one Alertmanager-style label matcher: name="value",
// name!="value", name=~"regex" or name!~"regex". Maintenance windows and
// silences scope themselves with them, so a rule written for Alertmanager's
// silences reads the same here. Regexes are anchored (they must match the
// whole value, as in Alertmanager) and compiled once, when the matcher is
// parsed.
type Matcher struct {
	Name  string `json:"name"`
	Op    string `json:"op"`
	Value string `json:"value"`
	re    *regexp.Regexp
}

// The matcher operators.
const (
	MatchEqual     = "="
	MatchNotEqual  = "!="
	MatchRegex     = "=~"
	MatchNotRegex  = "!~"
	maxMatcherText = 1024
)

var matcherName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_.]*$`)

// ParseMatcher parses `name="value"` (also with !=, =~ and !~). The value
// must be double-quoted (Go/JSON escapes allowed) so spaces and operators
// inside it are never ambiguous.
func ParseMatcher(s string) (Matcher, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxMatcherText {
		return Matcher{}, fmt.Errorf("matcher is longer than %d characters", maxMatcherText)
	}
	i := strings.IndexAny(s, "=!")
	if i <= 0 {
		return Matcher{}, fmt.Errorf(`matcher %q: want name="value", name!="value", name=~"regex" or name!~"regex"`, s)
	}
	name, rest := strings.TrimSpace(s[:i]), s[i:]
	var op string
	for _, o := range []string{MatchRegex, MatchNotRegex, MatchNotEqual, MatchEqual} {
		if strings.HasPrefix(rest, o) {
			op = o
			break
		}
	}
	if op == "" {
		return Matcher{}, fmt.Errorf("matcher %q: unknown operator (use =, !=, =~ or !~)", s)
	}
	quoted := strings.TrimSpace(rest[len(op):])
	value, err := strconv.Unquote(quoted)
	if err != nil || !strings.HasPrefix(quoted, `"`) {
		return Matcher{}, fmt.Errorf(`matcher %q: the value must be in double quotes, as in name="value"`, s)
	}
	return NewMatcher(name, op, value)
}

// NewMatcher builds a matcher from its parts, compiling a regex.
func NewMatcher(name, op, value string) (Matcher, error) {
	if !matcherName.MatchString(name) {
		return Matcher{}, fmt.Errorf("matcher name %q: want letters, digits, '_' and '.', not starting with a digit", name)
	}
	m := Matcher{Name: name, Op: op, Value: value}
	switch op {
	case MatchEqual, MatchNotEqual:
	case MatchRegex, MatchNotRegex:
		re, err := regexp.Compile("^(?:" + value + ")$")
		if err != nil {
			return Matcher{}, fmt.Errorf("matcher %s: bad regex: %w", name, err)
		}
		m.re = re
	default:
		return Matcher{}, fmt.Errorf("matcher %s: unknown operator %q (use =, !=, =~ or !~)", name, op)
	}
	return m, nil
}

// String is the matcher in its text form, which ParseMatcher reads back.
func (m Matcher) String() string { return m.Name + m.Op + strconv.Quote(m.Value) }

// Matches reports whether the labels satisfy the matcher. A missing label
// reads as "", as in Alertmanager: name="" matches when it is absent.
func (m Matcher) Matches(l EventLabels) bool {
	v := l.Get(m.Name)
	switch m.Op {
	case MatchEqual:
		return v == m.Value
	case MatchNotEqual:
		return v != m.Value
	case MatchRegex:
		return m.re != nil && m.re.MatchString(v)
	case MatchNotRegex:
		return m.re != nil && !m.re.MatchString(v)
	}
	return false
}

// ParseMatchers parses a list of matchers, naming the bad one by index.
func ParseMatchers(list []string) ([]Matcher, error) {
	out := make([]Matcher, 0, len(list))
	for i, s := range list {
		m, err := ParseMatcher(s)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// EventLabels is what matchers read of an event: its fields (summary, source,
// severity, component, group, class, dedup_key, service), the labels its
// sender attached (custom_details.labels, where Alertmanager and Grafana
// put them) and the other top-level custom details. A bare name is looked
// up in that order among labels and details after the fields; the prefixes
// "labels." and "details." pick one source.
type EventLabels struct {
	fields  map[string]string
	labels  map[string]string
	details map[string]string
}

// LabelsOf builds the labels of an event landing on serviceID.
func LabelsOf(ev *hypercare.Event, serviceID string) EventLabels {
	l := EventLabels{fields: map[string]string{
		"summary": ev.Summary, "source": ev.Source, "severity": string(ev.Severity),
		"component": ev.Component, "group": ev.Group, "class": ev.Class,
		"dedup_key": ev.DedupKey, "service": serviceID,
	}}
	var details map[string]json.RawMessage
	if len(ev.CustomDetails) > 0 && json.Unmarshal(ev.CustomDetails, &details) == nil {
		l.details = map[string]string{}
		for k, raw := range details {
			if k == "labels" {
				var labels map[string]json.RawMessage
				if json.Unmarshal(raw, &labels) == nil {
					l.labels = map[string]string{}
					for lk, lv := range labels {
						l.labels[lk] = scalar(lv)
					}
					continue
				}
			}
			l.details[k] = scalar(raw)
		}
	}
	return l
}

// scalar renders a JSON value as matchers compare it: strings unquoted,
// numbers and booleans as written, objects and arrays as compact JSON.
func scalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// Get returns the value of a label name ("" when absent).
func (l EventLabels) Get(name string) string {
	if k, ok := strings.CutPrefix(name, "labels."); ok {
		return l.labels[k]
	}
	if k, ok := strings.CutPrefix(name, "details."); ok {
		return l.details[k]
	}
	if v, ok := l.fields[name]; ok {
		return v
	}
	if v, ok := l.labels[name]; ok {
		return v
	}
	return l.details[name]
}

// MatchAll reports whether every matcher matches (true for none).
func MatchAll(ms []Matcher, l EventLabels) bool {
	for _, m := range ms {
		if !m.Matches(l) {
			return false
		}
	}
	return true
}
