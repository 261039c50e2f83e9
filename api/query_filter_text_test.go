package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hypercare/hypercare"
)

// A query filter that is not storable text (invalid UTF-8, a NUL byte)
// is refused 400 naming the query parameter the client sent, never the
// store column it filters (service, not service_id), on every listing.
func TestListingFilterInvalidTextNamesParameter(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		e.send(trigger(keyCheckout, "disk", "Disk full"))
		cases := []struct{ path, param string }{
			{"/api/v1/incidents?service=", "service"},
			{"/api/v1/incidents?cursor=", "cursor"},
			{"/api/v1/alerts?service=", "service"},
			{"/api/v1/alerts?incident=", "incident"},
			{"/api/v1/alerts?dedup_key=", "dedup_key"},
			{"/api/v1/alerts?cursor=", "cursor"},
			{"/api/v1/change_events?service=", "service"},
			{"/api/v1/change_events?cursor=", "cursor"},
			{"/api/v1/events?cursor=", "cursor"},
			{"/api/v1/incidents/1/alerts?cursor=", "cursor"},
			{"/api/v1/incidents/1/timeline?cursor=", "cursor"},
			{"/api/v1/incidents/1/notifications?cursor=", "cursor"},
			{"/api/v1/noise?service=", "service"},
			{"/api/v1/simulate?service=", "service"},
			{"/api/v1/oncall?schedule=", "schedule"},
			{"/api/v1/oncall?policy=", "policy"},
			{"/api/v1/stream?incident=", "incident"},
		}
		for _, c := range cases {
			for _, bad := range []string{"%FF", "a%00b"} {
				var out struct {
					Error struct {
						Code    string
						Details []hypercare.FieldError
					}
				}
				code := e.do("GET", c.path+bad, e.admin, nil, &out)
				if code != http.StatusBadRequest || len(out.Error.Details) == 0 || out.Error.Details[0].Field != c.param {
					t.Errorf("GET %s%s: %d %+v, want 400 naming %q", c.path, bad, code, out.Error, c.param)
				}
				for _, d := range out.Error.Details {
					if strings.Contains(d.Field, "_id") && !strings.HasSuffix(c.param, "_id") {
						t.Errorf("GET %s%s names the store column %q", c.path, bad, d.Field)
					}
				}
			}
		}
	})
}
