package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/ingest"
)

// FormatEvent is the value of a line's optional "format" field saying its
// body is a normalised event as the event log keeps it (what `hypercare
// events export` writes), not a request body in the integration's format.
const FormatEvent = "event"

// Line is one line of a replay file: a request as the server received it.
type Line struct {
	// Number is the line's 1-based number in the file, for errors.
	Number int
	// ReceivedAt is when the server received the request: the replay's
	// clock reads it while the request is processed.
	ReceivedAt time.Time
	// Key is the integration key the request was sent with.
	Key string
	// Format is "" (Body is the request body in the integration's own
	// format) or FormatEvent.
	Format string
	// Body is the request body.
	Body json.RawMessage
}

// LineError is a bad line: which line, which field and what is wrong, so
// a hand-written file can be fixed from the message alone.
type LineError struct {
	Line    int
	Field   string
	Message string
}

// Error implements error: "line 12: received_at: not RFC 3339 …".
func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// ParseLine parses one JSON line of a replay file (n is its line number):
// {"received_at":"RFC 3339","key":"…","body":{…}} and, optionally,
// "format":"event". Unknown fields are refused: a misspelt "recieved_at"
// must not silently replay at the wrong time.
func ParseLine(n int, b []byte) (Line, error) {
	bad := func(field, format string, args ...any) (Line, error) {
		return Line{}, &LineError{Line: n, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return bad("line", "not a JSON object")
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		switch k {
		case "received_at", "key", "body", "format":
		default:
			return bad(fieldName(k), "unknown field (a line has received_at, key, body and optionally format)")
		}
	}
	l := Line{Number: n}
	at, err := stringField(raw, "received_at")
	if err != nil {
		return bad("received_at", "%v", err)
	}
	if l.ReceivedAt, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return bad("received_at", "not an RFC 3339 time (e.g. 2026-11-27T14:03:00Z): %q", at)
	}
	l.ReceivedAt = l.ReceivedAt.UTC()
	if l.Key, err = stringField(raw, "key"); err != nil {
		return bad("key", "%v", err)
	}
	if f, ok := raw["format"]; ok {
		if err := json.Unmarshal(f, &l.Format); err != nil || l.Format != FormatEvent {
			return bad("format", "must be %q when present (the body is then a normalised event, as export writes)", FormatEvent)
		}
	}
	body := bytes.TrimSpace(raw["body"])
	if len(body) == 0 || body[0] != '{' {
		return bad("body", "missing or not a JSON object (the request body as sent)")
	}
	l.Body = body
	return l, nil
}

// fieldName is how an unknown field is named in an error: as written, or
// quoted when it is empty or holds anything but letters, digits, '_', '-'
// and '.'.
func fieldName(k string) string {
	plain := k != "" && !strings.ContainsFunc(k, func(r rune) bool {
		return !(r == '_' || r == '-' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r))
	})
	if plain {
		return k
	}
	return strconv.Quote(k)
}

// stringField returns raw[name] as a non-empty string.
func stringField(raw map[string]json.RawMessage, name string) (string, error) {
	v, ok := raw[name]
	if !ok {
		return "", errors.New("missing")
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", errors.New("not a string")
	}
	if strings.TrimSpace(s) == "" {
		return "", errors.New("empty")
	}
	return s, nil
}

// Events parses the line's body into events the way the HTTP intake does
// for integration it: the parser is chosen by the integration's type, a
// PagerDuty body's routing_key must be the line's key (and is taken from
// it when the body leaves it out). Grafana signatures are not checked: a
// replay has no request headers. A FormatEvent body is decoded as is.
func (l *Line) Events(it hypercare.Integration) ([]hypercare.Event, error) {
	if l.Format == FormatEvent {
		ev, err := decodeEvent(l.Body)
		if err != nil {
			field := "body"
			if err.Field != "" {
				field += "." + err.Field
			}
			return nil, &LineError{Line: l.Number, Field: field, Message: err.Message}
		}
		return []hypercare.Event{ev}, nil
	}
	events, err := parseBody(it, l.Key, l.Body)
	if err != nil {
		return nil, l.bodyError(err)
	}
	return events, nil
}

// parseBody runs the integration type's real parser (api/ingest.go's
// parseNative, minus the signature check).
func parseBody(it hypercare.Integration, key string, body []byte) ([]hypercare.Event, error) {
	switch it.Type {
	case hypercare.IntegrationAlertmanager:
		return allOf(ingest.OpenAlertmanager(body))
	case hypercare.IntegrationGrafana:
		return allOf(ingest.OpenGrafana(body))
	case hypercare.IntegrationGeneric:
		return ingest.ParseGeneric(body)
	case hypercare.IntegrationEventsV2:
		if _, ok := ingest.PeekRoutingKey(body, false); !ok {
			body = withRoutingKey(body, key)
		}
		ev, err := ingest.ParseEventsV2(body)
		if err != nil {
			return nil, err
		}
		if ev.RoutingKey != key {
			return nil, hypercare.InvalidFields("invalid event",
				hypercare.FieldError{Field: "routing_key", Message: "does not match the line's key"})
		}
		return []hypercare.Event{ev}, nil
	}
	return nil, fmt.Errorf("integration of unknown type %q", it.Type)
}

// withRoutingKey adds "routing_key" to a JSON object that has none, so a
// hand-written line need not repeat its key inside the body.
func withRoutingKey(body []byte, key string) []byte {
	k, _ := json.Marshal(key)
	rest := bytes.TrimSpace(body[1:])
	out := append([]byte(`{"routing_key":`), k...)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// bodyError words a parser's error as a line error naming the first bad
// field of the body.
func (l *Line) bodyError(err error) error {
	var he *hypercare.Error
	if !errors.As(err, &he) || len(he.Details) == 0 {
		return &LineError{Line: l.Number, Field: "body", Message: err.Error()}
	}
	d := he.Details[0]
	msg := d.Message
	if more := len(he.Details) - 1; more > 0 {
		msg += fmt.Sprintf(" (and %d more problem(s))", more)
	}
	field := "body"
	if d.Field != "" {
		field += "." + d.Field
	}
	return &LineError{Line: l.Number, Field: field, Message: msg}
}

// fieldProblem is a problem with one field of a normalised event.
type fieldProblem struct{ Field, Message string }

// decodeEvent decodes and checks a normalised event (the event log's
// payload): a known action, a dedup key on acknowledge and resolve, a
// known severity when one is given.
func decodeEvent(body []byte) (hypercare.Event, *fieldProblem) {
	var ev hypercare.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, &fieldProblem{"", "not a normalised event: " + err.Error()}
	}
	switch ev.Action {
	case hypercare.ActionTrigger:
	case hypercare.ActionAcknowledge, hypercare.ActionResolve:
		if ev.DedupKey == "" {
			return ev, &fieldProblem{"dedup_key", "required for " + string(ev.Action)}
		}
	default:
		return ev, &fieldProblem{"event_action", fmt.Sprintf("must be trigger, acknowledge or resolve, not %q", ev.Action)}
	}
	if ev.Severity != "" && !ev.Severity.Valid() {
		return ev, &fieldProblem{"severity", fmt.Sprintf("must be critical, error, warning or info, not %q", ev.Severity)}
	}
	return ev, nil
}

// allOf collects every event of a native group, as the server takes it
// (api/ingest.go: of any size the body limit admits, in chunks of
// ingest.MaxBatch). Replay applies them in one step: the chunks the
// server writes one after the other change nothing but atomicity.
func allOf(b *ingest.Batch, err error) ([]hypercare.Event, error) {
	if err != nil {
		return nil, err
	}
	events := make([]hypercare.Event, 0, b.Len())
	err = b.Each(func(chunk []hypercare.Event) error {
		events = append(events, chunk...)
		return nil
	})
	return events, err
}
