package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/readiness"
)

// The OpenAPI document (openapi.json) is checked against the code it
// describes: the route table, the roles, and the Go types whose json tags
// are the wire shapes. Each check returns its problems instead of failing
// the test directly, so TestOpenAPIChecksDetectDrift can prove that every
// check fails on a broken document.

// oaObj is a decoded JSON object of the document.
type oaObj = map[string]any

// parseOpenAPI decodes the embedded document, the bytes the server serves.
func parseOpenAPI(t *testing.T) oaObj {
	t.Helper()
	var doc oaObj
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not a JSON object: %v", err)
	}
	return doc
}

// openAPIRoutes is what the document must describe: every route of the
// table, plus GET /metrics, which New registers outside it.
func openAPIRoutes() []route {
	return append((&Server{}).routes(), route{method: "GET", pattern: "/metrics"})
}

// openAPIChecks are all the checks, by name.
var openAPIChecks = []struct {
	name  string
	check func(doc oaObj, routes []route) []string
}{
	{"Version", checkOpenAPIVersion},
	{"Operations", checkOpenAPIOperations},
	{"PathParameters", checkOpenAPIPathParameters},
	{"SecurityAndRoles", checkOpenAPISecurity},
	{"Responses", checkOpenAPIResponses},
	{"Refs", checkOpenAPIRefs},
	{"SchemasMatchGoTypes", checkOpenAPISchemas},
	{"Constants", checkOpenAPIConstants},
}

func TestOpenAPI(t *testing.T) {
	doc := parseOpenAPI(t)
	routes := openAPIRoutes()
	for _, c := range openAPIChecks {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range c.check(doc, routes) {
				t.Error(p)
			}
		})
	}
	t.Run("Served", func(t *testing.T) {
		w := httptest.NewRecorder()
		(&Server{}).openAPI(w, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" || !bytes.Equal(w.Body.Bytes(), openAPIDoc) {
			t.Errorf("GET /api/v1/openapi.json: %d %q, want 200 application/json and the document", w.Code, w.Header().Get("Content-Type"))
		}
	})
}

// TestOpenAPIChecksDetectDrift breaks the document (or the route table) in
// the ways it could drift from the code and requires the named check to
// notice each one.
// pagerDutyEnvelope reports whether a route answers errors in PagerDuty's
// envelope (the Events API endpoints, writePDError) rather than the API's
// own (writeError, every other route including /integrations/{key}).
func pagerDutyEnvelope(pattern string) bool {
	return strings.HasPrefix(pattern, "/v2/") || strings.HasPrefix(pattern, "/generic/")
}

// checkErrorEnvelope checks that an error response declares the envelope
// its handler sends.
func checkErrorEnvelope(where, pattern string, status int, content oaObj) []string {
	if pattern == "/metrics" {
		return nil
	}
	js, _ := content["application/json"].(oaObj)
	want := "#/components/schemas/Error"
	if pagerDutyEnvelope(pattern) {
		want = "#/components/schemas/PagerDutyError"
	}
	if !isRef(js["schema"], want) {
		return []string{fmt.Sprintf("%s %d: the handler answers with %s", where, status, want)}
	}
	return nil
}

func TestOpenAPIChecksDetectDrift(t *testing.T) {
	op := func(doc oaObj, method, path string) oaObj {
		return dig(doc, "paths", path, strings.ToLower(method)).(oaObj)
	}
	schema := func(doc oaObj, name string) oaObj {
		return dig(doc, "components", "schemas", name).(oaObj)
	}
	props := func(doc oaObj, name string) oaObj { return schema(doc, name)["properties"].(oaObj) }
	cases := []struct {
		name, check string
		breakDoc    func(doc oaObj, routes *[]route)
	}{
		{"wrong version", "Version", func(doc oaObj, _ *[]route) { doc["openapi"] = "3.1.0" }},
		{"undocumented route", "Operations", func(doc oaObj, _ *[]route) {
			delete(dig(doc, "paths", "/api/v1/teams").(oaObj), "get")
		}},
		{"route added to the table", "Operations", func(_ oaObj, routes *[]route) {
			*routes = append(*routes, route{method: "DELETE", pattern: "/api/v1/tokens/{id}", role: hypercare.RoleAdmin})
		}},
		{"documented route that does not exist", "Operations", func(doc oaObj, _ *[]route) {
			dig(doc, "paths", "/api/v1/teams").(oaObj)["delete"] = op(doc, "GET", "/api/v1/teams")
		}},
		{"renamed path parameter", "Operations", func(doc oaObj, _ *[]route) {
			paths := doc["paths"].(oaObj)
			paths["/api/v1/services/{id}/x"] = paths["/api/v1/services/{id}"]
			delete(paths, "/api/v1/services/{id}")
		}},
		{"path parameter not declared", "PathParameters", func(doc oaObj, _ *[]route) {
			delete(op(doc, "GET", "/api/v1/incidents/{id}"), "parameters")
		}},
		{"role changed", "SecurityAndRoles", func(doc oaObj, _ *[]route) {
			op(doc, "POST", "/api/v1/tokens")["x-hypercare-role"] = "responder"
		}},
		{"role missing from description", "SecurityAndRoles", func(doc oaObj, _ *[]route) {
			op(doc, "POST", "/api/v1/incidents/{id}/notes")["description"] = "Adds a note."
		}},
		{"security removed", "SecurityAndRoles", func(doc oaObj, _ *[]route) {
			delete(op(doc, "GET", "/api/v1/alerts"), "security")
		}},
		{"security on ingest", "SecurityAndRoles", func(doc oaObj, _ *[]route) {
			op(doc, "POST", "/v2/enqueue")["security"] = []any{oaObj{"bearerAuth": []any{}}}
		}},
		{"v1 route without a role", "SecurityAndRoles", func(_ oaObj, routes *[]route) {
			for i := range *routes {
				if (*routes)[i].pattern == "/api/v1/events" {
					(*routes)[i].role = ""
				}
			}
		}},
		{"no success response", "Responses", func(doc oaObj, _ *[]route) {
			delete(op(doc, "GET", "/api/v1/services")["responses"].(oaObj), "200")
		}},
		{"no 401 on an authenticated route", "Responses", func(doc oaObj, _ *[]route) {
			delete(op(doc, "GET", "/api/v1/services")["responses"].(oaObj), "401")
		}},
		{"no 403 on an admin route", "Responses", func(doc oaObj, _ *[]route) {
			delete(op(doc, "GET", "/api/v1/tokens")["responses"].(oaObj), "403")
		}},
		{"429 without Retry-After", "Responses", func(doc oaObj, _ *[]route) {
			delete(dig(doc, "components", "responses", "PagerDutyThrottled").(oaObj), "headers")
		}},
		{"PagerDuty envelope declared for a Hypercare-envelope route", "Responses", func(doc oaObj, _ *[]route) {
			op(doc, "POST", "/integrations/{key}")["responses"].(oaObj)["429"] = oaObj{"$ref": "#/components/responses/PagerDutyThrottled"}
		}},
		{"Hypercare envelope declared for a PagerDuty route", "Responses", func(doc oaObj, _ *[]route) {
			op(doc, "POST", "/v2/enqueue")["responses"].(oaObj)["400"] = oaObj{"$ref": "#/components/responses/BadRequest"}
		}},
		{"error envelope on a status no code maps to", "Responses", func(doc oaObj, _ *[]route) {
			op(doc, "GET", "/api/v1/services")["responses"].(oaObj)["418"] = oaObj{"$ref": "#/components/responses/Internal"}
		}},
		{"dangling $ref", "Refs", func(doc oaObj, _ *[]route) {
			props(doc, "Incident")["status"] = oaObj{"$ref": "#/components/schemas/IncidentStatus"}
		}},
		{"unused component", "Refs", func(doc oaObj, _ *[]route) {
			doc["components"].(oaObj)["schemas"].(oaObj)["Orphan"] = oaObj{"type": "object"}
		}},
		{"property the type lacks", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "Incident")["escalation_level"] = oaObj{"type": "string"}
		}},
		{"field the schema lacks", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			delete(props(doc, "Alert"), "event_count")
		}},
		{"json:\"-\" field documented", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "Token")["hash"] = oaObj{"type": "string"}
		}},
		{"omitempty field required", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			s := schema(doc, "Service")
			s["required"] = append(s["required"].([]any), "description")
		}},
		{"always-present field optional", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			s := schema(doc, "Team")
			s["required"] = []any{"id"}
		}},
		{"nullable time not nullable", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			delete(props(doc, "Incident")["resolved_at"].(oaObj), "nullable")
		}},
		{"wrong property type", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "Incident")["number"].(oaObj)["type"] = "string"
		}},
		{"time without date-time format", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			delete(props(doc, "ChangeEvent")["received_at"].(oaObj), "format")
		}},
		{"ref to the wrong type", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "TimelineEntry")["actor"] = oaObj{"$ref": "#/components/schemas/Team"}
		}},
		{"error envelope drift", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			delete(dig(doc, "components", "schemas", "Error", "properties", "error", "properties").(oaObj), "details")
		}},
		{"PagerDuty envelope drift", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "PagerDutySuccess")["dedupKey"] = oaObj{"type": "string"}
		}},
		{"json:\"-\" address documented", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "Notification")["address"] = oaObj{"type": "string"}
		}},
		{"marshalled field under its Go name", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			p := props(doc, "EscalationPolicy")
			p["ack_timeout"] = p["ack_timeout_minutes"]
			delete(p, "ack_timeout_minutes")
		}},
		{"fractional minutes as integer", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "NotificationRule")["after_minutes"].(oaObj)["type"] = "integer"
		}},
		{"marshalled omitempty field required", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			s := schema(doc, "NotificationRule")
			s["required"] = append(s["required"].([]any), "urgency")
		}},
		{"nullable until not nullable", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			delete(props(doc, "OnCallEntry")["until"].(oaObj), "nullable")
		}},
		{"view field the schema lacks", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			delete(props(doc, "PlannedPage"), "round_robin")
		}},
		{"ref to the wrong view", "SchemasMatchGoTypes", func(doc oaObj, _ *[]route) {
			props(doc, "UserView")["contact_methods"].(oaObj)["items"] = oaObj{"$ref": "#/components/schemas/ShiftView"}
		}},
		{"bearer on the calendar feed", "SecurityAndRoles", func(doc oaObj, _ *[]route) {
			op(doc, "GET", "/calendar/{kind}/{file}")["security"] = []any{oaObj{"bearerAuth": []any{}}}
		}},
		{"escalation status missing", "Constants", func(doc oaObj, _ *[]route) {
			s := schema(doc, "EscalationStatus")
			s["enum"] = s["enum"].([]any)[1:]
		}},
		{"shift window drift", "Constants", func(doc oaObj, _ *[]route) {
			dig(doc, "components", "parameters", "To").(oaObj)["description"] = "End of the window; at most 31 days later."
		}},
		{"limit maximum", "Constants", func(doc oaObj, _ *[]route) {
			dig(doc, "components", "parameters", "Limit", "schema").(oaObj)["maximum"] = 1000.0
		}},
		{"error code missing", "Constants", func(doc oaObj, _ *[]route) {
			s := schema(doc, "ErrorCode")
			s["enum"] = s["enum"].([]any)[1:]
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, chk := range openAPIChecks {
				if chk.name != c.check {
					continue
				}
				before := map[string]bool{}
				for _, p := range chk.check(parseOpenAPI(t), openAPIRoutes()) {
					before[p] = true
				}
				doc, routes := parseOpenAPI(t), openAPIRoutes()
				c.breakDoc(doc, &routes)
				var found []string
				for _, p := range chk.check(doc, routes) {
					if !before[p] {
						found = append(found, p)
					}
				}
				if len(found) == 0 {
					t.Errorf("check %s did not notice", c.check)
				}
				for _, p := range found {
					t.Logf("check %s: %s", c.check, p)
				}
				return
			}
			t.Fatalf("no check named %s", c.check)
		})
	}
}

func checkOpenAPIVersion(doc oaObj, _ []route) []string {
	if v, _ := doc["openapi"].(string); v != "3.0.3" {
		return []string{fmt.Sprintf("openapi is %q, want 3.0.3", doc["openapi"])}
	}
	var problems []string
	if info, _ := doc["info"].(oaObj); info["title"] == nil || info["version"] == nil {
		problems = append(problems, "info.title and info.version are required")
	}
	if _, ok := doc["paths"].(oaObj); !ok {
		problems = append(problems, "paths is missing")
	}
	return problems
}

// pathParam matches a path parameter in Go mux patterns and OpenAPI paths
// alike: {id}, and Go's {rest...} and {$}.
var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// opKey names an operation with its path parameters anonymised, so that
// the two sides compare by shape: "GET /api/v1/incidents/{}".
func opKey(method, path string) string {
	return strings.ToUpper(method) + " " + pathParam.ReplaceAllString(path, "{}")
}

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation is one operation of the document.
type operation struct {
	method, path string
	op           oaObj
}

func operations(doc oaObj) []operation {
	var out []operation
	paths, _ := doc["paths"].(oaObj)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(oaObj)
		for _, m := range httpMethods {
			if op, ok := item[m].(oaObj); ok {
				out = append(out, operation{strings.ToUpper(m), path, op})
			}
		}
	}
	return out
}

// routeOps pairs every route with its documented operation.
func routeOps(doc oaObj) map[string]operation {
	ops := map[string]operation{}
	for _, o := range operations(doc) {
		ops[opKey(o.method, o.path)] = o
	}
	return ops
}

func checkOpenAPIOperations(doc oaObj, routes []route) []string {
	var problems []string
	inCode := map[string]bool{}
	for _, rt := range routes {
		k := opKey(rt.method, rt.pattern)
		if inCode[k] {
			problems = append(problems, "route listed twice: "+k)
		}
		inCode[k] = true
	}
	inDoc := map[string]bool{}
	for _, o := range operations(doc) {
		k := opKey(o.method, o.path)
		if inDoc[k] {
			problems = append(problems, "operation documented twice: "+k)
		}
		inDoc[k] = true
		if !inCode[k] {
			problems = append(problems, fmt.Sprintf("%s %s is documented but not in routes()", o.method, o.path))
		}
	}
	for _, rt := range routes {
		if !inDoc[opKey(rt.method, rt.pattern)] {
			problems = append(problems, fmt.Sprintf("%s %s is in routes() but not documented in openapi.json", rt.method, rt.pattern))
		}
	}
	return problems
}

func checkOpenAPIPathParameters(doc oaObj, _ []route) []string {
	var problems []string
	ids := map[string]string{}
	for _, o := range operations(doc) {
		where := o.method + " " + o.path
		if id, _ := o.op["operationId"].(string); id == "" {
			problems = append(problems, where+": no operationId")
		} else if other, dup := ids[id]; dup {
			problems = append(problems, fmt.Sprintf("%s: operationId %q also used by %s", where, id, other))
		} else {
			ids[id] = where
		}
		var want []string
		for _, p := range pathParam.FindAllString(o.path, -1) {
			want = append(want, strings.Trim(p, "{}"))
		}
		var got []string
		params, _ := o.op["parameters"].([]any)
		for _, p := range params {
			param, _ := resolve(doc, p).(oaObj)
			if param["in"] != "path" {
				continue
			}
			got = append(got, fmt.Sprint(param["name"]))
			if param["required"] != true {
				problems = append(problems, fmt.Sprintf("%s: path parameter %v must be required", where, param["name"]))
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			problems = append(problems, fmt.Sprintf("%s: path parameters declared %v, want %v", where, got, want))
		}
	}
	return problems
}

func checkOpenAPISecurity(doc oaObj, routes []route) []string {
	var problems []string
	scheme, _ := dig(doc, "components", "securitySchemes", "bearerAuth").(oaObj)
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" {
		problems = append(problems, "components.securitySchemes.bearerAuth must be {type: http, scheme: bearer}")
	}
	if doc["security"] != nil {
		problems = append(problems, "no top-level security: each operation states its own")
	}
	ops := routeOps(doc)
	for _, rt := range routes {
		o, ok := ops[opKey(rt.method, rt.pattern)]
		if !ok {
			continue // reported by checkOpenAPIOperations
		}
		where := rt.method + " " + rt.pattern
		authed := strings.HasPrefix(rt.pattern, "/api/v1/") && rt.pattern != "/api/v1/openapi.json"
		if authed && rt.role == "" {
			problems = append(problems, where+": /api/v1 routes need a role in routes()")
		}
		sec, _ := o.op["security"].([]any)
		role, hasRole := o.op["x-hypercare-role"]
		if rt.role == "" {
			if len(sec) != 0 {
				problems = append(problems, where+": needs no token, so security must be absent or []")
			}
			if hasRole {
				problems = append(problems, where+": needs no token, so no x-hypercare-role")
			}
			continue
		}
		if !reflect.DeepEqual(sec, []any{oaObj{"bearerAuth": []any{}}}) {
			problems = append(problems, fmt.Sprintf("%s: security is %v, want [{bearerAuth: []}]", where, o.op["security"]))
		}
		if role != string(rt.role) {
			problems = append(problems, fmt.Sprintf("%s: x-hypercare-role is %v, want %s", where, role, rt.role))
		}
		if desc, _ := o.op["description"].(string); !strings.Contains(desc, "Least role: "+string(rt.role)+".") {
			problems = append(problems, fmt.Sprintf("%s: description must say %q", where, "Least role: "+string(rt.role)+"."))
		}
	}
	return problems
}

func checkOpenAPIResponses(doc oaObj, routes []route) []string {
	var problems []string
	// Statuses the error envelope can have: one per error code.
	errorStatuses := map[int]bool{}
	for _, c := range allCodes {
		errorStatuses[statusOf(c)] = true
	}
	ops := routeOps(doc)
	for _, rt := range routes {
		o, ok := ops[opKey(rt.method, rt.pattern)]
		if !ok {
			continue
		}
		where := rt.method + " " + rt.pattern
		responses, _ := o.op["responses"].(oaObj)
		var success int
		for _, code := range sortedKeys(responses) {
			status, err := strconv.Atoi(code)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: response %q: name each status", where, code))
				continue
			}
			resp, _ := resolve(doc, responses[code]).(oaObj)
			if d, _ := resp["description"].(string); d == "" {
				problems = append(problems, fmt.Sprintf("%s %d: no description", where, status))
			}
			content, _ := resp["content"].(oaObj)
			if len(content) == 0 {
				problems = append(problems, fmt.Sprintf("%s %d: no content schema", where, status))
			}
			if status < 300 {
				success++
			}
			if js, ok := content["application/json"].(oaObj); ok && isRef(js["schema"], "#/components/schemas/Error") && !errorStatuses[status] {
				problems = append(problems, fmt.Sprintf("%s %d: no error code maps to this status", where, status))
			}
			if status >= 400 {
				problems = append(problems, checkErrorEnvelope(where, rt.pattern, status, content)...)
			}
			if status == http.StatusTooManyRequests {
				if _, ok := dig(resp, "headers", "Retry-After").(oaObj); !ok {
					problems = append(problems, where+" 429: must document the Retry-After header")
				}
			}
		}
		if success != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d success responses, want 1", where, success))
		}
		need := []int{}
		if rt.role != "" {
			need = append(need, http.StatusUnauthorized, http.StatusInternalServerError)
		}
		if rt.role.Rank() > hypercare.RoleViewer.Rank() {
			need = append(need, http.StatusForbidden)
		}
		if rt.method == "POST" {
			need = append(need, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
			if o.op["requestBody"] == nil {
				problems = append(problems, where+": no requestBody")
			}
		}
		if strings.Contains(rt.pattern, "{") {
			need = append(need, http.StatusNotFound)
		}
		for _, s := range need {
			if responses[strconv.Itoa(s)] == nil {
				problems = append(problems, fmt.Sprintf("%s: missing the %d response", where, s))
			}
		}
	}
	return problems
}

func checkOpenAPIRefs(doc oaObj, _ []route) []string {
	var problems []string
	used := map[string]bool{}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case oaObj:
			if r, ok := v["$ref"]; ok {
				s, _ := r.(string)
				if !strings.HasPrefix(s, "#/components/") {
					problems = append(problems, fmt.Sprintf("%s: $ref %v must point into #/components/", at, r))
				} else if resolve(doc, v) == nil {
					problems = append(problems, fmt.Sprintf("%s: $ref %s does not resolve", at, s))
				}
				used[s] = true
				if len(v) > 1 {
					problems = append(problems, fmt.Sprintf("%s: $ref has siblings, which OpenAPI 3.0 ignores", at))
				}
			}
			for _, k := range sortedKeys(v) {
				walk(at+"/"+k, v[k])
			}
		case []any:
			for i, x := range v {
				walk(at+"/"+strconv.Itoa(i), x)
			}
		}
	}
	walk("#", doc)
	components, _ := doc["components"].(oaObj)
	for _, kind := range sortedKeys(components) {
		if kind == "securitySchemes" {
			continue
		}
		group, _ := components[kind].(oaObj)
		for _, name := range sortedKeys(group) {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				problems = append(problems, ref+" is never used")
			}
		}
	}
	return problems
}

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
	hypercare.CodeTooLarge, hypercare.CodeUnavailable, hypercare.CodeInternal,
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
			string(hypercare.ContactPush), string(hypercare.ContactSlack), string(hypercare.ContactWebhook)),
		"EscalationStatus": sorted(hypercare.EscalationActive, hypercare.EscalationAckWait, hypercare.EscalationDone),
		"NotificationStatus": sorted(hypercare.NotificationPending, hypercare.NotificationSending, hypercare.NotificationSent,
			hypercare.NotificationFailed, hypercare.NotificationCancelled),
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

// dig walks nested objects by key; nil when any step is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		o, ok := v.(oaObj)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// resolve follows a {"$ref": "#/..."} (a JSON pointer into doc); any other
// value is returned as it is. nil when the reference does not resolve.
func resolve(doc oaObj, v any) any {
	for range 10 { // refs to refs, but no cycles
		o, ok := v.(oaObj)
		if !ok {
			return v
		}
		ref, ok := o["$ref"].(string)
		if !ok {
			return v
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil
		}
		var cur any = doc
		for _, tok := range strings.Split(ref[2:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			cur = dig(cur, tok)
		}
		if cur == nil {
			return nil
		}
		v = cur
	}
	return nil
}

func isRef(v any, ref string) bool {
	o, _ := v.(oaObj)
	return o["$ref"] == ref
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
