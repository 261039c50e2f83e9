package api_test

import (
	"net/http"
	"testing"

	"github.com/hypercare/hypercare"
)

// TestRevokedTokenIsRefused: an admin revokes an API token (a leaked CI
// token, a departed colleague's) with DELETE /api/v1/tokens/{id}, and from
// then on the token is refused, while other tokens keep working. There was
// no way to revoke a token at all: one that leaked stayed valid for ever.
func TestRevokedTokenIsRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ci := e.token("ci", hypercare.RoleResponder)
		var list struct {
			Tokens []hypercare.Token `json:"tokens"`
		}
		if code := e.do("GET", "/api/v1/tokens", e.admin, nil, &list); code != http.StatusOK {
			t.Fatalf("list tokens: %d", code)
		}
		id := ""
		for _, tok := range list.Tokens {
			if tok.Name == "ci" {
				id = tok.ID
			}
		}
		if code := e.do("GET", "/api/v1/incidents", ci, nil, nil); code != http.StatusOK {
			t.Fatalf("ci token before revocation: %d", code)
		}
		if code := e.do("DELETE", "/api/v1/tokens/"+id, e.responder, nil, nil); code != http.StatusForbidden {
			t.Fatalf("a responder revoking a token: %d, want 403", code)
		}
		var out struct {
			Token hypercare.Token `json:"token"`
		}
		if code := e.do("DELETE", "/api/v1/tokens/"+id, e.admin, nil, &out); code != http.StatusOK || out.Token.ID != id || out.Token.Name != "ci" {
			t.Fatalf("revoke: %d %+v, want 200 with the token", code, out)
		}
		var refused hypercare.ErrorBody
		if code := e.do("GET", "/api/v1/incidents", ci, nil, &refused); code != http.StatusUnauthorized || refused.Error.Code != hypercare.CodeUnauthenticated {
			t.Fatalf("revoked token: %d %+v, want 401 unauthenticated", code, refused)
		}
		if code := e.do("GET", "/api/v1/incidents", e.responder, nil, nil); code != http.StatusOK {
			t.Fatalf("another token after the revocation: %d", code)
		}
		if code := e.do("DELETE", "/api/v1/tokens/"+id, e.admin, nil, &refused); code != http.StatusNotFound {
			t.Fatalf("revoking it again: %d, want 404", code)
		}
		list.Tokens = nil
		e.do("GET", "/api/v1/tokens", e.admin, nil, &list)
		for _, tok := range list.Tokens {
			if tok.ID == id {
				t.Fatalf("revoked token still listed: %+v", list.Tokens)
			}
		}
	})
}
