package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/api"
)

// fillPattern turns a mux pattern into a concrete path that names objects
// the test environment has (incident 1, service checkout, …).
func fillPattern(p string) string {
	r := strings.NewReplacer(
		"{id}", "1", "{key}", keyGeneric, "{kind}", "users", "{file}", "nobody.ics",
		"{token}", "nope",
	)
	return r.Replace(p)
}

// TestWrongMethodIs405 checks that a path the server serves, asked with a
// method it does not serve, is answered 405 with an Allow header naming the
// served methods, in the error envelope; an unknown path stays 404.
func TestWrongMethodIs405(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		srv := api.New(api.Options{Store: e.st, Clock: e.clock})
		served := map[string][]string{}
		for _, rt := range srv.RouteTable() {
			served[rt.Pattern] = append(served[rt.Pattern], rt.Method)
		}
		for pattern, methods := range served {
			wrong := http.MethodDelete
			if strings.Contains(strings.Join(methods, ","), wrong) {
				wrong = http.MethodPatch
			}
			req, _ := http.NewRequest(wrong, e.url+fillPattern(pattern), nil)
			req.Header.Set("Authorization", "Bearer "+e.admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out apiError
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			allow := resp.Header.Get("Allow")
			if resp.StatusCode != http.StatusMethodNotAllowed || out.Error.Code != "method_not_allowed" {
				t.Errorf("%s %s: %d %+v, want 405 method_not_allowed", wrong, pattern, resp.StatusCode, out)
			}
			for _, m := range methods {
				if !strings.Contains(allow, m) {
					t.Errorf("%s %s: Allow %q lacks %s", wrong, pattern, allow, m)
				}
			}
		}
		if code := e.do("GET", "/no/such/path", e.admin, nil, nil); code != http.StatusNotFound {
			t.Errorf("unknown path: %d, want 404", code)
		}
	})
}
