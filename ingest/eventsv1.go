package ingest

import (
	"encoding/json"

	"github.com/hypercare/hypercare"
)

// v1Event is a legacy PagerDuty Events API v1 event
// (POST /generic/2010-04-15/create_event.json), still sent by older tools
// and by Alertmanager's pagerduty_configs with a service_key.
type v1Event struct {
	ServiceKey  jstr                     `json:"service_key"`
	EventType   jstr                     `json:"event_type"`
	IncidentKey jstr                     `json:"incident_key"`
	Description jstr                     `json:"description"`
	Details     json.RawMessage          `json:"details"`
	Client      jstr                     `json:"client"`
	ClientURL   jstr                     `json:"client_url"`
	Contexts    jlist[jobj[v1ContextJS]] `json:"contexts"`
}

// v1ContextJS is a v1 context: a link or an image, told apart by type.
type v1ContextJS struct {
	Type jstr `json:"type"`
	Href jstr `json:"href"`
	Text jstr `json:"text"`
	Src  jstr `json:"src"`
	Alt  jstr `json:"alt"`
}

var v1KeyWords = keyWords{
	blank:  "Service key can't be blank",
	length: "Service key is the wrong length (should be 32 characters)",
	alnum:  "Service key cannot contain non-alphanumeric characters.",
}

// Defaults for what v1 cannot express: it has no severity and no source.
const (
	v1DefaultSeverity = hypercare.SeverityError
	v1DefaultSource   = "events-v1"
)

// ParseEventsV1 parses a legacy Events API v1 event into the v2 model:
// service_key → RoutingKey, event_type → Action, incident_key → DedupKey,
// description → Summary, details → CustomDetails, contexts → Links and
// Images. v1 has no severity, so triggers get "error" (PagerDuty's own
// default for v1 events); the source is the client name, else "events-v1".
func ParseEventsV1(body []byte) (hypercare.Event, error) {
	var in v1Event
	if _, err := decode(body, &in, pdFormat, ""); err != nil {
		return hypercare.Event{}, err
	}
	var p problems
	e := hypercare.Event{
		RoutingKey: checkRoutingKey(&p, "service_key", in.ServiceKey, v1KeyWords),
		Action:     v1Action(&p, in.EventType),
	}
	key, keyOK := p.dedupKey("", "incident_key", in.IncidentKey)
	e.DedupKey = key
	if e.Action != hypercare.ActionTrigger && e.Action != "" && key == "" && keyOK {
		p.missing("incident_key")
	}
	e.Summary = p.text("", "description", in.Description)
	if e.Action == hypercare.ActionTrigger {
		switch {
		case e.Summary == "" && !in.Description.bad:
			p.add("description", "Description is missing or blank")
		case runeLen(e.Summary) > maxSummary:
			p.add("description", "Description is too long (maximum is 1024 characters)")
		}
		e.Severity = v1DefaultSeverity
	} else {
		e.Summary = truncate(e.Summary, maxSummary)
	}
	e.CustomDetails = cleanJSON(in.Details)
	e.Client = p.text("", "client", in.Client)
	e.ClientURL = p.text("", "client_url", in.ClientURL)
	e.Source = e.Client
	if e.Source == "" {
		e.Source = v1DefaultSource
	}
	e.Links, e.Images = v1Contexts(&p, in.Contexts)
	if err := p.err(MessageInvalid); err != nil {
		return hypercare.Event{}, err
	}
	return e, nil
}

// v1Action validates event_type.
func v1Action(p *problems, s jstr) hypercare.Action {
	v := p.text("", "event_type", s)
	switch a := hypercare.Action(v); a {
	case hypercare.ActionTrigger, hypercare.ActionAcknowledge, hypercare.ActionResolve:
		return a
	case "":
		if !s.bad {
			p.missing("event_type")
		}
	default:
		p.invalid("event_type", "must be one of the following: 'trigger', 'acknowledge' or 'resolve'")
	}
	return ""
}

// v1Contexts splits v1 contexts into links and images. An image's alt text
// falls back to "text", which PagerDuty's own v1 example uses. As in v2,
// contexts without a URL are dropped rather than rejected.
func v1Contexts(p *problems, l jlist[jobj[v1ContextJS]]) ([]hypercare.Link, []hypercare.Image) {
	if l.bad {
		p.wrongType("contexts", "an array")
		return nil, nil
	}
	var links []hypercare.Link
	var images []hypercare.Image
	l.each(func(i int, o *jobj[v1ContextJS]) {
		if o.bad {
			if !p.counted() {
				p.wrongType(index("contexts", i), "an object")
			}
			return
		}
		c := &o.val
		el := elementPath("contexts", i, c.Href, c.Text, c.Src, c.Alt, c.Type)
		href, text := p.text(el, "href", c.Href), p.text(el, "text", c.Text)
		src, alt := p.text(el, "src", c.Src), p.text(el, "alt", c.Alt)
		typ := p.text(el, "type", c.Type)
		switch {
		case typ != "link" && typ != "image":
			if !c.Type.bad && !p.counted() {
				p.invalid(at(index("contexts", i), "type"), "must be 'link' or 'image'")
			}
		case p.n > 0: // the event is refused: keep nothing
		case typ == "link" && href != "":
			links = append(links, hypercare.Link{Href: href, Text: text})
		case typ == "image" && src != "":
			if alt == "" {
				alt = text
			}
			images = append(images, hypercare.Image{Src: src, Href: href, Alt: alt})
		}
	})
	return links, images
}
