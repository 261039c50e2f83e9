package api

// Checks of the OpenAPI document against the route table: operations,
// path parameters, roles and security, responses and $refs.

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hypercare/hypercare"
)

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
			// 503: every token route reads the store, which may be
			// unreachable for a while (a failover, a restart).
			need = append(need, http.StatusUnauthorized, http.StatusInternalServerError, http.StatusServiceUnavailable)
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
