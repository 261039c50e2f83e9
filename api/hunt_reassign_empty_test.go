package api_test

import (
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

// A reassign without a user (no "user", an empty or a blank one) is a 400
// that names user as required; it answered `no user ""`, as if a user
// with an empty ID had been looked for and not found.
func TestReassignWithoutUserIsRequired(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		p.send(trigger(keyCheckout, "disk", "disk full"))
		for _, body := range []any{map[string]string{}, map[string]string{"user": ""}, map[string]string{"user": "  "}} {
			var got struct {
				Error struct {
					Code    string
					Details []struct{ Field, Message string }
				}
			}
			code := p.do("POST", "/api/v1/incidents/1/reassign", p.responder, body, &got)
			if code != 400 || got.Error.Code != "invalid_argument" || len(got.Error.Details) != 1 ||
				got.Error.Details[0].Field != "user" || got.Error.Details[0].Message != "is required" {
				t.Errorf("reassign %v: %d %+v, want 400 naming user as required", body, code, got.Error)
			}
		}
	})
}
