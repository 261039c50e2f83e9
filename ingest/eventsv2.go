package ingest

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/hypercare/hypercare"
)

// v2Event is the PagerDuty Events API v2 alert event (POST /v2/enqueue), as
// specified by PagerDuty's OpenAPI file reference/events-v2/openapiv3.json.
// Unknown fields are ignored, as PagerDuty ignores them.
type v2Event struct {
	RoutingKey  jstr                   `json:"routing_key"`
	EventAction jstr                   `json:"event_action"`
	DedupKey    jstr                   `json:"dedup_key"`
	Payload     v2Payload              `json:"payload"` // plain: see decode
	Client      jstr                   `json:"client"`
	ClientURL   jstr                   `json:"client_url"`
	Links       jlist[jobj[linkJSON]]  `json:"links"`
	Images      jlist[jobj[imageJSON]] `json:"images"`
}

// v2Payload is the PD-CEF payload of an alert event.
type v2Payload struct {
	Summary       jstr            `json:"summary"`
	Source        jstr            `json:"source"`
	Severity      jstr            `json:"severity"`
	Timestamp     jstr            `json:"timestamp"`
	Component     jstr            `json:"component"`
	Group         jstr            `json:"group"`
	Class         jstr            `json:"class"`
	CustomDetails json.RawMessage `json:"custom_details"`
}

// ParseEventsV2 parses a PagerDuty Events API v2 alert event, the body of
// POST /v2/enqueue, with PagerDuty's rules and error wording so that any
// tool built for PagerDuty works unchanged. A trigger without dedup_key
// keeps DedupKey empty: the caller generates one and returns it in the 202
// response, as PagerDuty does. The payload is validated only for triggers,
// as acknowledge and resolve events need nothing but the dedup key
// (Alertmanager, for one, sends a full payload with its resolves).
func ParseEventsV2(body []byte) (hypercare.Event, error) {
	var in v2Event
	badPayload, err := decode(body, &in, pdFormat, "payload")
	if err != nil {
		return hypercare.Event{}, err
	}
	var p problems
	e := hypercare.Event{
		RoutingKey: checkRoutingKey(&p, "routing_key", in.RoutingKey, v2KeyWords),
		Action:     eventAction(&p, "event_action", in.EventAction),
	}
	key, dedupOK := p.dedupKey("", "dedup_key", in.DedupKey)
	e.DedupKey = key
	if e.Action != hypercare.ActionTrigger && e.Action != "" && e.DedupKey == "" && dedupOK {
		p.missing("dedup_key")
	}
	e.Client = p.text("", "client", in.Client)
	e.ClientURL = p.text("", "client_url", in.ClientURL)
	e.Links = p.links("", "links", in.Links)
	e.Images = p.images("", "images", in.Images)
	if e.Action == hypercare.ActionTrigger {
		v2Trigger(&p, &e, &in.Payload, badPayload)
	} else {
		v2Update(&e, &in.Payload)
	}
	if err := p.err(MessageInvalid); err != nil {
		return hypercare.Event{}, err
	}
	return e, nil
}

// v2Trigger reads and validates the payload of a trigger event.
func v2Trigger(p *problems, e *hypercare.Event, pl *v2Payload, bad bool) {
	if bad {
		p.object("", "payload", true)
		return
	}
	e.Summary = requiredText(p, "payload.summary", pl.Summary)
	if runeLen(e.Summary) > maxSummary {
		p.tooLong("payload.summary", maxSummary)
	}
	e.Source = requiredText(p, "payload.source", pl.Source)
	e.Severity = pdSeverity(p, "payload.severity", pl.Severity)
	e.Timestamp = p.timestamp("", "payload.timestamp", pl.Timestamp)
	e.Component = p.text("", "payload.component", pl.Component)
	e.Group = p.text("", "payload.group", pl.Group)
	e.Class = p.text("", "payload.class", pl.Class)
	e.CustomDetails = cleanJSON(pl.CustomDetails)
}

// v2Update fills an acknowledge or resolve event from whatever payload it
// carries: usable fields are kept for the timeline, the rest is ignored,
// never rejected.
func v2Update(e *hypercare.Event, pl *v2Payload) {
	var ignored problems
	e.Summary = truncate(ignored.text("", "", pl.Summary), maxSummary)
	e.Source = ignored.text("", "", pl.Source)
	if sev := hypercare.Severity(ignored.text("", "", pl.Severity)); sev.Valid() {
		e.Severity = sev
	}
	e.Timestamp = ignored.timestamp("", "", pl.Timestamp)
	e.Component = ignored.text("", "", pl.Component)
	e.Group = ignored.text("", "", pl.Group)
	e.Class = ignored.text("", "", pl.Class)
	e.CustomDetails = cleanJSON(pl.CustomDetails)
}

// requiredText reads free text that must not be blank.
func requiredText(p *problems, field string, s jstr) string {
	v := p.text("", field, s)
	if v == "" && !s.bad {
		p.missing(field)
	}
	return v
}

// keyWords words the problems with an integration key: PagerDuty phrases
// them differently in the v1 and v2 APIs.
type keyWords struct{ blank, length, alnum string }

var v2KeyWords = keyWords{
	blank:  "'routing_key' cannot be blank",
	length: "Length of 'routing_key' is incorrect (should be 32 characters)",
	alnum:  "'routing_key' cannot contain non-alphanumeric characters.",
}

// checkRoutingKey validates an integration key the way PagerDuty does:
// present, exactly 32 characters, ASCII letters and digits only.
func checkRoutingKey(p *problems, field string, s jstr, w keyWords) string {
	k := p.ident("", field, s)
	switch {
	case s.bad || (k == "" && s.val != ""):
		return "" // already reported by ident
	case isBlank(k):
		p.add(field, w.blank)
		return ""
	}
	ok := true
	if runeLen(k) != keyLength {
		p.add(field, w.length)
		ok = false
	}
	if strings.IndexFunc(k, notAlphanumeric) >= 0 {
		p.add(field, w.alnum)
		ok = false
	}
	if !ok {
		return ""
	}
	return k
}

func notAlphanumeric(r rune) bool {
	return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
}

// eventAction validates event_action (case-sensitive, as in PagerDuty).
func eventAction(p *problems, field string, s jstr) hypercare.Action {
	v := p.text("", field, s)
	switch a := hypercare.Action(v); a {
	case hypercare.ActionTrigger, hypercare.ActionAcknowledge, hypercare.ActionResolve:
		return a
	case "":
		if !s.bad {
			p.missing(field)
		}
	default:
		p.invalid(field, "must be one of the following: 'trigger', 'acknowledge' or 'resolve'")
	}
	return ""
}

// pdSeverity validates a PagerDuty severity: exact, case-sensitive.
func pdSeverity(p *problems, field string, s jstr) hypercare.Severity {
	v := p.text("", field, s)
	sev := hypercare.Severity(v)
	switch {
	case sev.Valid():
		return sev
	case v == "":
		if !s.bad {
			p.missing(field)
		}
	default:
		p.invalid(field, "must be one of the following: 'critical', 'warning', 'error' or 'info'")
	}
	return ""
}

// keyOnly decodes nothing but the integration key of a PagerDuty body;
// encoding/json skips every other field without building it.
type keyOnly struct {
	RoutingKey jstr `json:"routing_key"`
	ServiceKey jstr `json:"service_key"`
}

// PeekRoutingKey returns the integration key of a PagerDuty Events body
// (routing_key for v2 and change events, service_key for v1) when the body
// is a JSON object holding a well-formed key (32 ASCII letters and
// digits), without validating anything else. The API uses it to refuse an
// unknown key before the deep validation of the rest of the body, so a
// sender without a key cannot make the server do that work. ok is false
// when the key is absent or malformed; the full parse then reports why.
func PeekRoutingKey(body []byte, v1 bool) (key string, ok bool) {
	var in keyOnly
	if _, err := decode(body, &in, pdFormat, ""); err != nil {
		return "", false
	}
	s := in.RoutingKey
	if v1 {
		s = in.ServiceKey
	}
	if s.bad || runeLen(s.val) != keyLength || strings.IndexFunc(s.val, notAlphanumeric) >= 0 {
		return "", false
	}
	return s.val, true
}
