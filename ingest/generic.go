package ingest

import (
	"bytes"
	"encoding/json"

	"github.com/hypercare/hypercare"
)

// genericEvent is one event in Hypercare's generic JSON format, for tools
// that can only POST a plain webhook. It takes the obvious names and common
// synonyms so most tools fit with a small template. See
// docs/integrations.md for the full description.
type genericEvent struct {
	Action    jstr                   `json:"action"`
	Status    jstr                   `json:"status"`
	DedupKey  jstr                   `json:"dedup_key"`
	ID        jstr                   `json:"id"`
	Summary   jstr                   `json:"summary"`
	Title     jstr                   `json:"title"`
	Message   jstr                   `json:"message"`
	Severity  jstr                   `json:"severity"`
	Source    jstr                   `json:"source"`
	Component jstr                   `json:"component"`
	Group     jstr                   `json:"group"`
	Class     jstr                   `json:"class"`
	Timestamp jstr                   `json:"timestamp"`
	Details   json.RawMessage        `json:"details"`
	Links     jlist[genericLink]     `json:"links"`
	Images    jlist[jobj[imageJSON]] `json:"images"`
}

// genericBody is a single event, or a batch under "events".
type genericBody struct {
	genericEvent
	Events jlist[jobj[genericEvent]] `json:"events"`
}

// genericLink is a link given as an object {href, text} or a bare URL.
type genericLink struct {
	obj linkJSON
	url jstr
	bad bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *genericLink) UnmarshalJSON(b []byte) error {
	*l = genericLink{}
	switch b[0] {
	case 'n':
		return nil
	case '"':
		return l.url.UnmarshalJSON(b)
	case '{':
		return json.Unmarshal(b, &l.obj)
	default:
		l.bad = true
		return nil
	}
}

func (l *genericLink) object() any { return &l.obj }

// genericSource is the Source of events that name none.
const genericSource = "generic"

// ParseGeneric parses Hypercare's generic JSON format: one event object, a
// JSON array of them, or {"events": [...]}. Like the webhook formats it is
// all or nothing, and every problem is reported with its path, e.g.
// "events[2].severity".
func ParseGeneric(body []byte) ([]hypercare.Event, error) {
	var list jlist[jobj[genericEvent]]
	prefix := "events"
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		if _, err := decode(t, &list, genericFormat, ""); err != nil {
			return nil, err
		}
		prefix = ""
	} else {
		var in genericBody
		if _, err := decode(body, &in, genericFormat, ""); err != nil {
			return nil, err
		}
		if !in.Events.set && !in.Events.bad {
			return parseOneGeneric(&in.genericEvent)
		}
		if in.Events.bad {
			return nil, hypercare.InvalidFields(genericFormat.invalid, hypercare.FieldError{
				Field: "events", Message: "'events' must be an array"})
		}
		list = in.Events
	}
	var p problems
	if list.n > MaxBatch {
		p.add(firstOf(prefix, "body"), tooManyElements(firstOf(prefix, "body"), list.n))
		return nil, p.err(genericFormat.invalid)
	}
	events := make([]hypercare.Event, 0, list.n)
	list.each(func(i int, o *jobj[genericEvent]) {
		if o.bad {
			if !p.counted() {
				p.wrongType(index(prefix, i), "an object")
			}
			return
		}
		e := genericToEvent(&p, index(prefix, i), &o.val)
		if p.n == 0 {
			events = append(events, e)
		}
	})
	if err := p.err(genericFormat.invalid); err != nil {
		return nil, err
	}
	return events, nil
}

// parseOneGeneric maps a single, unbatched event.
func parseOneGeneric(g *genericEvent) ([]hypercare.Event, error) {
	var p problems
	e := genericToEvent(&p, "", g)
	if err := p.err(genericFormat.invalid); err != nil {
		return nil, err
	}
	return []hypercare.Event{e}, nil
}
