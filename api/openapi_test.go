package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
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
