package api

// Checks of the OpenAPI document's schemas against the Go types the
// handlers encode (reflection), their MarshalJSON twins and constants.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/report"
)

// goSchemas are the component schemas that must match a Go type exactly.
var goSchemas = map[string]reflect.Type{
	"Incident":            reflect.TypeFor[hypercare.Incident](),
	"Alert":               reflect.TypeFor[hypercare.Alert](),
	"TimelineEntry":       reflect.TypeFor[hypercare.TimelineEntry](),
	"Actor":               reflect.TypeFor[hypercare.Actor](),
	"Service":             reflect.TypeFor[hypercare.Service](),
	"Team":                reflect.TypeFor[hypercare.Team](),
	"ChangeEvent":         reflect.TypeFor[hypercare.ChangeEvent](),
	"EventRecord":         reflect.TypeFor[hypercare.EventRecord](),
	"Event":               reflect.TypeFor[hypercare.Event](),
	"Token":               reflect.TypeFor[hypercare.Token](),
	"Link":                reflect.TypeFor[hypercare.Link](),
	"Image":               reflect.TypeFor[hypercare.Image](),
	"FieldError":          reflect.TypeFor[hypercare.FieldError](),
	"Error":               reflect.TypeFor[hypercare.ErrorBody](),
	"IntegrationResponse": reflect.TypeFor[integrationResponse](),
	"EscalationPolicy":    reflect.TypeFor[hypercare.EscalationPolicy](),
	"EscalationLevel":     reflect.TypeFor[hypercare.EscalationLevel](),
	"Target":              reflect.TypeFor[hypercare.Target](),
	"EscalationState":     reflect.TypeFor[hypercare.EscalationState](),
	"Notification":        reflect.TypeFor[hypercare.Notification](),
	"NotificationRule":    reflect.TypeFor[hypercare.NotificationRule](),
	"OnCallEntry":         reflect.TypeFor[hypercare.OnCallEntry](),
	"PolicyOnCall":        reflect.TypeFor[hypercare.PolicyOnCall](),
	"LevelOnCall":         reflect.TypeFor[hypercare.LevelOnCall](),
	"ScheduleView":        reflect.TypeFor[ScheduleView](),
	"ShiftView":           reflect.TypeFor[hypercare.ShiftView](),
	"UserView":            reflect.TypeFor[UserView](),
	"ContactMethodView":   reflect.TypeFor[ContactMethodView](),
	"Simulation":          reflect.TypeFor[escalate.Simulation](),
	"PlannedPage":         reflect.TypeFor[escalate.PlannedPage](),
	"CalendarFeed":        reflect.TypeFor[hypercare.CalendarFeed](),
	"WindowView":          reflect.TypeFor[WindowView](),
	"ReadinessReport":     reflect.TypeFor[readiness.Report](),
	"Finding":             reflect.TypeFor[readiness.Finding](),
	"Feedback":            reflect.TypeFor[hypercare.Feedback](),
	"NoiseReport":         reflect.TypeFor[report.NoiseReport](),
	"NoiseService":        reflect.TypeFor[report.NoiseService](),
	"NoiseCounts":         reflect.TypeFor[report.NoiseCounts](),
	"FeedbackCounts":      reflect.TypeFor[report.FeedbackCounts](),
	"WindowSummary":       reflect.TypeFor[report.WindowSummary](),
	"WindowRef":           reflect.TypeFor[report.WindowRef](),
	"NightDef":            reflect.TypeFor[report.NightDef](),
	"WindowTotals":        reflect.TypeFor[report.WindowTotals](),
	"WindowService":       reflect.TypeFor[report.WindowService](),
	"Durations":           reflect.TypeFor[report.Durations](),
	"ResponderPages":      reflect.TypeFor[report.ResponderPages](),
	"NoisyAlert":          reflect.TypeFor[report.NoisyAlert](),
	"SilenceView":         reflect.TypeFor[SilenceView](),
	"MaintenanceView":     reflect.TypeFor[MaintenanceView](),
	"RecurrenceView":      reflect.TypeFor[RecurrenceView](),
	"OccurrenceView":      reflect.TypeFor[OccurrenceView](),
}

// marshalledAs maps the types that have their own MarshalJSON to a twin
// struct whose json tags are what that MarshalJSON writes. Schemas of such
// types are checked against the twin, and each twin against the real
// MarshalJSON output (checkMarshalledTwin), so neither can drift.
var marshalledAs = map[reflect.Type]reflect.Type{
	reflect.TypeFor[hypercare.EscalationPolicy](): reflect.TypeFor[wireEscalationPolicy](),
	reflect.TypeFor[hypercare.EscalationLevel]():  reflect.TypeFor[wireEscalationLevel](),
	reflect.TypeFor[hypercare.NotificationRule](): reflect.TypeFor[wireNotificationRule](),
}

type wireEscalationPolicy struct {
	ID                string                      `json:"id"`
	Name              string                      `json:"name"`
	Levels            []hypercare.EscalationLevel `json:"levels"`
	Repeat            int                         `json:"repeat"`
	AckTimeoutMinutes float64                     `json:"ack_timeout_minutes"`
}

type wireEscalationLevel struct {
	Targets              []hypercare.Target  `json:"targets"`
	Mode                 hypercare.LevelMode `json:"mode"`
	EscalateAfterMinutes float64             `json:"escalate_after_minutes"`
}

type wireNotificationRule struct {
	ContactMethod string            `json:"contact_method"`
	AfterMinutes  float64           `json:"after_minutes"`
	Urgency       hypercare.Urgency `json:"urgency,omitempty"`
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// hasOwnMarshalJSON reports whether encoding/json calls t's MarshalJSON
// (on a value or, for addressable values, a pointer) instead of reading
// its fields.
func hasOwnMarshalJSON(t reflect.Type) bool {
	return t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)
}

// checkMarshalledTwin checks that twin describes what real's MarshalJSON
// writes: for the zero value exactly the twin's fields without omitempty,
// for a value with every field set exactly all the twin's fields, each
// decodable into the twin field's type (so 1.5 minutes is not an int).
func checkMarshalledTwin(real, twin reflect.Type) []string {
	var problems []string
	fields := jsonFields(twin)
	var all, always []string
	for _, f := range fields {
		all = append(all, f.name)
		if !f.omitempty {
			always = append(always, f.name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	for _, c := range []struct {
		what string
		v    reflect.Value
		want []string
	}{
		{"the zero value", reflect.New(real).Elem(), always},
		{"a value with every field set", filledValue(real, 0), all},
	} {
		b, err := json.Marshal(c.v.Interface())
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: marshal %s: %v", real, c.what, err))
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s does not marshal to an object: %s", real, c.what, b))
			continue
		}
		if got := sortedKeys(m); !slices.Equal(got, c.want) {
			problems = append(problems, fmt.Sprintf("%s: MarshalJSON writes %v for %s, but its twin %s says %v", real, got, c.what, twin, c.want))
		}
		for _, f := range fields {
			raw, ok := m[f.name]
			if !ok {
				continue
			}
			if err := json.Unmarshal(raw, reflect.New(f.typ).Interface()); err != nil {
				problems = append(problems, fmt.Sprintf("%s.%s: MarshalJSON writes %s for %s, which twin type %s cannot hold: %v", real, f.name, raw, c.what, f.typ, err))
			}
		}
	}
	return problems
}

var durationType = reflect.TypeFor[time.Duration]()

// filledValue returns a value of t with every exported field set to
// something non-zero: omitempty fields are written, durations are 90s (so
// minutes are fractional) and slices hold one element.
func filledValue(t reflect.Type, depth int) reflect.Value {
	v := reflect.New(t).Elem()
	if depth > 5 {
		return v
	}
	switch {
	case t == timeType:
		v.Set(reflect.ValueOf(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)))
	case t == durationType:
		v.SetInt(int64(90 * time.Second))
	case t == rawType:
		v.SetBytes([]byte(`{}`))
	default:
		switch t.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetInt(1)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			v.SetUint(1)
		case reflect.Float32, reflect.Float64:
			v.SetFloat(1.5)
		case reflect.Pointer:
			v.Set(filledValue(t.Elem(), depth+1).Addr())
		case reflect.Slice:
			v.Set(reflect.Append(reflect.MakeSlice(t, 0, 1), filledValue(t.Elem(), depth+1)))
		case reflect.Map:
			m := reflect.MakeMap(t)
			m.SetMapIndex(filledValue(t.Key(), depth+1), filledValue(t.Elem(), depth+1))
			v.Set(m)
		case reflect.Struct:
			for i := range t.NumField() {
				if t.Field(i).IsExported() {
					v.Field(i).Set(filledValue(t.Field(i).Type, depth+1))
				}
			}
		}
	}
	return v
}

// pdSchemas are PagerDuty envelopes: each is a subset of pdResponse, the
// one type the ingest handlers answer with.
var pdSchemas = []string{"PagerDutySuccess", "PagerDutyChangeSuccess", "PagerDutyV1Success", "PagerDutyError"}

func checkOpenAPISchemas(doc oaObj, _ []route) []string {
	var problems []string
	schemas, _ := dig(doc, "components", "schemas").(oaObj)
	for _, name := range sortedKeys(goSchemas) {
		s, ok := schemas[name].(oaObj)
		if !ok {
			problems = append(problems, "components.schemas."+name+" is missing")
			continue
		}
		problems = append(problems, matchStruct(doc, name, s, goSchemas[name])...)
	}
	for real, twin := range marshalledAs {
		problems = append(problems, checkMarshalledTwin(real, twin)...)
	}
	pd := map[string]jsonField{}
	for _, f := range jsonFields(reflect.TypeFor[pdResponse]()) {
		pd[f.name] = f
	}
	for _, name := range pdSchemas {
		props, _ := dig(schemas, name, "properties").(oaObj)
		if len(props) == 0 {
			problems = append(problems, "components.schemas."+name+" has no properties")
		}
		for _, p := range sortedKeys(props) {
			f, ok := pd[p]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s.%s: pdResponse has no such json field", name, p))
				continue
			}
			problems = append(problems, matchType(doc, name+"."+p, props[p], f.typ)...)
		}
	}
	return problems
}

// jsonField is one field as encoding/json writes it.
type jsonField struct {
	name      string
	omitempty bool
	typ       reflect.Type
}

// jsonFields lists t's fields as encoding/json encodes them: tag names,
// "-" skipped, unexported skipped, untagged embedded structs flattened.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"), typ: f.Type})
	}
	return out
}

// matchStruct checks an object schema against struct type t: the same
// properties, required exactly when encoding/json always writes the field,
// and compatible property types.
func matchStruct(doc oaObj, at string, s oaObj, t reflect.Type) []string {
	var problems []string
	if s["type"] != "object" {
		problems = append(problems, at+": type must be object")
	}
	props, _ := s["properties"].(oaObj)
	encodes := t
	if twin, ok := marshalledAs[t]; ok {
		encodes = twin // what t's MarshalJSON writes
	} else if hasOwnMarshalJSON(t) {
		return []string{fmt.Sprintf("%s: %s has its own MarshalJSON, so its fields say nothing about the wire: add a twin to marshalledAs", at, t)}
	}
	fields := jsonFields(encodes)
	var want, wantRequired []string
	for _, f := range fields {
		want = append(want, f.name)
		if !f.omitempty {
			wantRequired = append(wantRequired, f.name)
		}
	}
	sort.Strings(want)
	sort.Strings(wantRequired)
	if got := sortedKeys(props); !slices.Equal(got, want) {
		problems = append(problems, fmt.Sprintf("%s: properties %v, but %s encodes %v", at, got, t, want))
	}
	var required []string
	list, _ := s["required"].([]any)
	for _, r := range list {
		required = append(required, fmt.Sprint(r))
	}
	sort.Strings(required)
	if !slices.Equal(required, wantRequired) {
		problems = append(problems, fmt.Sprintf("%s: required %v, want the fields without omitempty %v", at, required, wantRequired))
	}
	for _, f := range fields {
		p, ok := props[f.name]
		if !ok {
			continue
		}
		where := at + "." + f.name
		typ := f.typ
		p0, _ := p.(oaObj)
		if typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
			if !f.omitempty && p0["nullable"] != true {
				problems = append(problems, where+": a pointer always encoded (null when unset) must be nullable: true")
			}
		} else if p0["nullable"] == true {
			problems = append(problems, where+": never null, so must not be nullable")
		}
		if known, ok := rawContent[where]; ok && typ == rawType {
			typ = known
		}
		problems = append(problems, matchType(doc, where, p, typ)...)
	}
	return problems
}

// rawContent names the json.RawMessage fields whose content has a known
// Go type: the event log keeps each event as intake encoded it.
var rawContent = map[string]reflect.Type{
	"EventRecord.payload": reflect.TypeFor[hypercare.Event](),
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// matchType checks that schema s can describe values of Go type t.
func matchType(doc oaObj, at string, s any, t reflect.Type) []string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	obj, _ := s.(oaObj)
	if ref, ok := obj["$ref"].(string); ok {
		target, _ := resolve(doc, obj).(oaObj)
		if t.Kind() == reflect.Struct && t != timeType {
			if name := ref[strings.LastIndex(ref, "/")+1:]; name != t.Name() {
				return []string{fmt.Sprintf("%s: refers to %s, but the Go type is %s", at, name, t)}
			}
			return nil // the component itself is checked against its type
		}
		obj = target
	}
	typ, _ := obj["type"].(string)
	bad := func(want string) []string {
		return []string{fmt.Sprintf("%s: schema type %q, but Go type %s encodes as %s", at, typ, t, want)}
	}
	switch {
	case t == rawType:
		if typ != "" {
			return []string{fmt.Sprintf("%s: json.RawMessage holds any JSON value, so the schema must have no type (has %q)", at, typ)}
		}
	case t == timeType:
		if typ != "string" || obj["format"] != "date-time" {
			return []string{fmt.Sprintf("%s: a time must be {type: string, format: date-time}", at)}
		}
	case t.Kind() == reflect.String:
		if typ != "string" {
			return bad("string")
		}
	case t.Kind() == reflect.Bool:
		if typ != "boolean" {
			return bad("boolean")
		}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		if typ != "integer" {
			return bad("integer")
		}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		if typ != "number" {
			return bad("number")
		}
	case t.Kind() == reflect.Slice:
		if typ != "array" {
			return bad("array")
		}
		return matchType(doc, at+"[]", obj["items"], t.Elem())
	case t.Kind() == reflect.Map:
		if typ != "object" {
			return bad("object")
		}
	case t.Kind() == reflect.Struct:
		return matchStruct(doc, at, obj, t) // an inline object
	default:
		return []string{fmt.Sprintf("%s: no rule for Go type %s", at, t)}
	}
	return nil
}

// allCodes are the error codes of the public API (hypercare.Code).
var allCodes = []hypercare.Code{
	hypercare.CodeInvalid, hypercare.CodeUnauthenticated, hypercare.CodePermissionDenied,
	hypercare.CodeNotFound, hypercare.CodeMethodNotAllowed, hypercare.CodeConflict, hypercare.CodeRateLimited,
	hypercare.CodeTooLarge, hypercare.CodeUnavailable, hypercare.CodeInternal, hypercare.CodeDeliveryFailed,
}

// checkOpenAPIConstants ties documented limits and enums to the code.
func checkOpenAPIConstants(doc oaObj, _ []route) []string {
	var problems []string
	enum := func(name string) []string {
		var out []string
		list, _ := dig(doc, "components", "schemas", name, "enum").([]any)
		for _, v := range list {
			out = append(out, fmt.Sprint(v))
		}
		sort.Strings(out)
		return out
	}
	sorted := func(vs ...string) []string { sort.Strings(vs); return vs }
	for name, want := range map[string][]string{
		"ErrorCode": sorted(func() []string {
			var s []string
			for _, c := range allCodes {
				s = append(s, string(c))
			}
			return s
		}()...),
		"Status":    sorted(string(hypercare.StatusTriggered), string(hypercare.StatusAcknowledged), string(hypercare.StatusResolved)),
		"Severity":  sorted(string(hypercare.SeverityCritical), string(hypercare.SeverityError), string(hypercare.SeverityWarning), string(hypercare.SeverityInfo)),
		"Urgency":   sorted(string(hypercare.UrgencyHigh), string(hypercare.UrgencyLow)),
		"Role":      sorted(string(hypercare.RoleViewer), string(hypercare.RoleResponder), string(hypercare.RoleAdmin)),
		"Action":    sorted(string(hypercare.ActionTrigger), string(hypercare.ActionAcknowledge), string(hypercare.ActionResolve)),
		"LevelMode": sorted(string(hypercare.NotifyAll), string(hypercare.RoundRobin)),
		"ContactType": sorted(string(hypercare.ContactEmail), string(hypercare.ContactSMS), string(hypercare.ContactVoice),
			string(hypercare.ContactPush), string(hypercare.ContactSlack), string(hypercare.ContactWebhook),
			string(hypercare.ContactTeams), string(hypercare.ContactDiscord), string(hypercare.ContactMattermost),
			string(hypercare.ContactNtfy)),
		"EscalationStatus": sorted(hypercare.EscalationActive, hypercare.EscalationAckWait, hypercare.EscalationDone),
		"NotificationStatus": sorted(hypercare.NotificationPending, hypercare.NotificationSending, hypercare.NotificationSent,
			hypercare.NotificationFailed, hypercare.NotificationCancelled, hypercare.NotificationDigested),
	} {
		if got := enum(name); !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("components.schemas.%s enum is %v, want %v", name, got, want))
		}
	}
	limit, _ := dig(doc, "components", "parameters", "Limit", "schema").(oaObj)
	if limit["minimum"] != 1.0 || limit["maximum"] != float64(maxPageLimit) || limit["default"] != 25.0 {
		problems = append(problems, fmt.Sprintf("Limit parameter schema is %v, want minimum 1, maximum %d, default 25", limit, maxPageLimit))
	}
	if p, err := pageOf(httptest.NewRequest(http.MethodGet, "/", nil)); err != nil || p.Limit != 25 {
		problems = append(problems, fmt.Sprintf("pageOf's default limit is %d (%v), but the document says 25", p.Limit, err))
	}
	window := fmt.Sprintf("at most %d days later", maxShiftWindow/(24*time.Hour))
	if d, _ := dig(doc, "components", "parameters", "To", "description").(string); !strings.Contains(d, window) {
		problems = append(problems, fmt.Sprintf("To parameter description %q must say %q (maxShiftWindow)", d, window))
	}
	return problems
}

// selfMarshalled has its own MarshalJSON and no twin in marshalledAs.
type selfMarshalled struct {
	A int `json:"a"`
}

func (selfMarshalled) MarshalJSON() ([]byte, error) { return []byte(`{"b":1}`), nil }

// TestMarshalledTwinsDetectDrift requires checkMarshalledTwin to notice a
// twin that no longer matches its type's MarshalJSON, and matchStruct to
// refuse a self-marshalling type it has no twin for.
func TestMarshalledTwinsDetectDrift(t *testing.T) {
	policy := reflect.TypeFor[hypercare.EscalationPolicy]()
	for name, twin := range map[string]reflect.Type{
		"field missing": reflect.TypeFor[struct {
			ID     string                      `json:"id"`
			Name   string                      `json:"name"`
			Levels []hypercare.EscalationLevel `json:"levels"`
			Repeat int                         `json:"repeat"`
		}](),
		"Go name instead of the wire name": reflect.TypeFor[struct {
			ID         string                      `json:"id"`
			Name       string                      `json:"name"`
			Levels     []hypercare.EscalationLevel `json:"levels"`
			Repeat     int                         `json:"repeat"`
			AckTimeout float64                     `json:"ack_timeout"`
		}](),
		"omitempty the code does not have": reflect.TypeFor[struct {
			ID                string                      `json:"id"`
			Name              string                      `json:"name"`
			Levels            []hypercare.EscalationLevel `json:"levels"`
			Repeat            int                         `json:"repeat"`
			AckTimeoutMinutes float64                     `json:"ack_timeout_minutes,omitempty"`
		}](),
		"integer minutes": reflect.TypeFor[struct {
			ID                string                      `json:"id"`
			Name              string                      `json:"name"`
			Levels            []hypercare.EscalationLevel `json:"levels"`
			Repeat            int                         `json:"repeat"`
			AckTimeoutMinutes int                         `json:"ack_timeout_minutes"`
		}](),
	} {
		if len(checkMarshalledTwin(policy, twin)) == 0 {
			t.Errorf("%s: checkMarshalledTwin did not notice", name)
		}
	}
	for real, twin := range marshalledAs {
		if p := checkMarshalledTwin(real, twin); len(p) != 0 {
			t.Errorf("%s: %v", real, p)
		}
	}
	s := oaObj{"type": "object", "required": []any{"a"}, "properties": oaObj{"a": oaObj{"type": "integer"}}}
	if len(matchStruct(oaObj{}, "selfMarshalled", s, reflect.TypeFor[selfMarshalled]())) == 0 {
		t.Error("matchStruct accepted a type with its own MarshalJSON and no twin")
	}
}
