package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
)

// TestEveryRouteEnforcesItsRole sends every route of the route table with
// no token and with each role's token: below the route's least role it must
// answer 401 or 403 in the error envelope, at or above it never 401/403,
// never a 5xx, always a body that parses as JSON when it says it is JSON,
// and no answer to a non-admin may contain an integration key or secret.
func TestEveryRouteEnforcesItsRole(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		e.send(trigger(keyCheckout, "matrix", "something broke"))
		srv := api.New(api.Options{Store: e.st, Clock: e.clock})
		roles := []struct {
			role  hypercare.Role
			token string
		}{{"", ""}, {hypercare.RoleViewer, e.viewer}, {hypercare.RoleResponder, e.responder}, {hypercare.RoleAdmin, e.admin}}
		secrets := []string{keyCheckout, keySearch, keyAlertmanager, keyGeneric, keyGrafana, grafanaSecret}
		for _, rt := range srv.RouteTable() {
			path := fillPattern(rt.Pattern)
			for _, who := range roles {
				code, ctype, body := e.raw(rt.Method, path, who.token)
				where := rt.Method + " " + path + " as " + string(who.role)
				if code >= 500 {
					t.Errorf("%s: %d %s", where, code, body)
				}
				if strings.HasPrefix(ctype, "application/json") && !json.Valid(body) {
					t.Errorf("%s: %d answer is not JSON: %q", where, code, body)
				}
				if who.role != hypercare.RoleAdmin && !strings.HasPrefix(rt.Pattern, "/integrations/") {
					for _, s := range secrets {
						if bytes.Contains(body, []byte(s)) {
							t.Errorf("%s: answer contains the secret %q", where, s)
						}
					}
				}
				if rt.Role == "" {
					continue
				}
				min := hypercare.Role(rt.Role)
				switch {
				case who.role == "" && code != http.StatusUnauthorized:
					t.Errorf("%s: no token answered %d, want 401", where, code)
				case who.role != "" && who.role.Rank() < min.Rank() && code != http.StatusForbidden:
					t.Errorf("%s: below %s answered %d, want 403", where, min, code)
				case who.role != "" && who.role.Rank() >= min.Rank() && (code == http.StatusUnauthorized || code == http.StatusForbidden):
					t.Errorf("%s: allowed role answered %d: %s", where, code, body)
				}
			}
		}
	})
}

// raw sends an empty JSON object (for writes) or nothing and returns the
// status, content type and body as they came.
func (e *env) raw(method, path, token string) (int, string, []byte) {
	e.t.Helper()
	var rd io.Reader
	if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		rd = strings.NewReader("{}")
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") == "text/event-stream" {
		// The live stream never ends by itself: its first bytes will do.
		first := make([]byte, 4096)
		n, _ := resp.Body.Read(first)
		return resp.StatusCode, resp.Header.Get("Content-Type"), first[:n]
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// TestReloadIsAdminOnly pins the role of POST /-/reload, which the matrix
// above checks like every route: re-reading the config file changes who is
// paged, so only an admin may trigger it (a responder gets 403).
func TestReloadIsAdminOnly(t *testing.T) {
	srv := api.New(api.Options{})
	for _, rt := range srv.RouteTable() {
		if rt.Method == http.MethodPost && rt.Pattern == "/-/reload" {
			if rt.Role != string(hypercare.RoleAdmin) {
				t.Errorf("POST /-/reload needs %q, want admin", rt.Role)
			}
			return
		}
	}
	t.Error("POST /-/reload is not in the route table")
}
