package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
)

// silencePage is GET /api/v1/silences's answer.
type silencePage struct {
	Silences   []api.SilenceView `json:"silences"`
	NextCursor *string           `json:"next_cursor"`
}

// TestSilencesPageWithCursor: an installation with 1,203 silences sees
// every one. Without limit the answer holds the newest 1,000, as it
// always did, and now a next_cursor that leads to the other 203; with
// ?limit=&cursor= the pages follow one another newest first (the ID
// orders silences created at the same instant), with ?state= too, and
// a last page's next_cursor is "". Bad limits and cursors are 400s naming
// the field. GET /api/v1/silences used to stop at 1,000, with no cursor.
func TestSilencesPageWithCursor(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const n = 1203
		if err := e.st.Write(ctx, "test", func(tx hypercare.Tx) error {
			for i := range n {
				created := t0.Add(-time.Duration(n-i) * time.Minute / 2) // two a minute, the last half a minute ago
				sl := &hypercare.Silence{ID: fmt.Sprintf("sil-%04d", i), Services: []string{"checkout"}, StartsAt: created,
					EndsAt: t0.Add(time.Hour), Comment: "many", CreatedBy: "alice", CreatedAt: created}
				if i%2 == 0 {
					sl.EndsAt = created.Add(time.Second) // expired by t0
				}
				if err := tx.InsertSilence(ctx, sl); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		get := func(query string) silencePage {
			t.Helper()
			var p silencePage
			if code := e.do("GET", "/api/v1/silences"+query, e.viewer, nil, &p); code != 200 {
				t.Fatalf("GET /api/v1/silences%s: %d", query, code)
			}
			return p
		}
		first := get("")
		if len(first.Silences) != 1000 || first.Silences[0].ID != "sil-1202" || first.NextCursor == nil || *first.NextCursor == "" {
			t.Fatalf("default answer: %d silences (first %v), next_cursor %v; want the newest 1000 and a cursor",
				len(first.Silences), first.Silences[:min(1, len(first.Silences))], first.NextCursor)
		}
		rest := get("?cursor=" + url.QueryEscape(*first.NextCursor))
		if len(rest.Silences) != 203 || rest.Silences[0].ID != "sil-0202" || rest.NextCursor == nil || *rest.NextCursor != "" {
			t.Errorf("second page: %d silences, next_cursor %v; want the oldest 203 from sil-0202 and \"\"", len(rest.Silences), rest.NextCursor)
		}
		for _, c := range []struct {
			state string
			want  int
		}{{"", n}, {"active", n / 2}, {"expired", n/2 + 1}} {
			seen, cursor, pages := map[string]bool{}, "", 0
			for {
				p := get("?limit=100&state=" + c.state + "&cursor=" + url.QueryEscape(cursor))
				pages++
				for _, v := range p.Silences {
					if seen[v.ID] || (c.state != "" && v.State != c.state) {
						t.Fatalf("state %q: %s twice or in state %s", c.state, v.ID, v.State)
					}
					seen[v.ID] = true
				}
				if p.NextCursor == nil || *p.NextCursor == "" || pages > 20 {
					break
				}
				cursor = *p.NextCursor
			}
			if len(seen) != c.want {
				t.Errorf("state %q over %d pages of 100: %d silences, want %d", c.state, pages, len(seen), c.want)
			}
		}
		for _, bad := range []struct{ query, field string }{
			{"?limit=0", "limit"}, {"?limit=1001", "limit"}, {"?limit=x", "limit"}, {"?cursor=not-ours!", "cursor"},
		} {
			var out struct {
				Error hypercare.ErrorDetail `json:"error"`
			}
			code := e.do("GET", "/api/v1/silences"+bad.query, e.viewer, nil, &out)
			if code != 400 || len(out.Error.Details) != 1 || out.Error.Details[0].Field != bad.field {
				t.Errorf("%s: %d %+v, want 400 naming %s", bad.query, code, out.Error, bad.field)
			}
		}
		if p := get("?limit=5"); len(p.Silences) != 5 || !strings.HasPrefix(p.Silences[4].ID, "sil-1198") {
			t.Errorf("limit 5: %d silences", len(p.Silences))
		}
	})
}
