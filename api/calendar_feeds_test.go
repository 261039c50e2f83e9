package api_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/storetest"
)

type newFeed struct {
	ID, URL, Path string
}

// getFeed fetches a feed URL path and returns its status and body.
func (p *pager) getFeed(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(p.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Responders make schedule feeds and see and revoke only their own; user
// feeds are admin-only (tokens are not tied to users); a revoked URL is 404.
func TestCalendarFeedsListRevokeAndRoles(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		bob := p.token("bob", hypercare.RoleResponder)
		var err apiError
		if code := p.do("POST", "/api/v1/users/carol/calendar", p.responder, nil, &err); code != 403 {
			t.Fatalf("responder creates a feed of another user's shifts: %d", code)
		}
		var mine, bobs, admins newFeed
		if code := p.do("POST", "/api/v1/schedules/primary/calendar", p.responder, nil, &mine); code != 201 || mine.ID == "" {
			t.Fatalf("responder's schedule feed: %d %+v", code, mine)
		}
		p.do("POST", "/api/v1/schedules/primary/calendar", bob, nil, &bobs)
		if code := p.do("POST", "/api/v1/users/carol/calendar", p.admin, nil, &admins); code != 201 {
			t.Fatalf("admin's user feed: %d", code)
		}
		list := func(tok string) []string {
			var out struct {
				Feeds []hypercare.CalendarFeed `json:"calendar_feeds"`
			}
			if code := p.do("GET", "/api/v1/calendar_feeds", tok, nil, &out); code != 200 {
				t.Fatalf("list feeds: %d", code)
			}
			var ids []string
			for _, f := range out.Feeds {
				ids = append(ids, f.ID)
			}
			return ids
		}
		if got := list(p.responder); len(got) != 1 || got[0] != mine.ID {
			t.Fatalf("responder lists %v, want only their own %s", got, mine.ID)
		}
		if got := list(p.admin); len(got) != 3 {
			t.Fatalf("admin lists %v, want all 3", got)
		}
		if code := p.do("GET", "/api/v1/calendar_feeds", p.viewer, nil, nil); code != 403 {
			t.Fatalf("viewer lists feeds: %d", code)
		}
		if code := p.do("DELETE", "/api/v1/calendar_feeds/"+bobs.ID, p.responder, nil, nil); code != 403 {
			t.Fatalf("responder revokes another token's feed: %d", code)
		}
		if code, _ := p.getFeed(t, mine.Path); code != 200 {
			t.Fatalf("feed before revoking: %d", code)
		}
		if code := p.do("DELETE", "/api/v1/calendar_feeds/"+mine.ID, p.responder, nil, nil); code != 200 {
			t.Fatalf("revoke own feed: %d", code)
		}
		if code := p.do("DELETE", "/api/v1/calendar_feeds/"+bobs.ID, p.admin, nil, nil); code != 200 {
			t.Fatalf("admin revokes bob's feed: %d", code)
		}
		for _, f := range []newFeed{mine, bobs} {
			if code, _ := p.getFeed(t, f.Path); code != 404 {
				t.Fatalf("revoked feed answers %d, want 404", code)
			}
		}
		if code, _ := p.getFeed(t, admins.Path); code != 200 {
			t.Fatalf("the feed not revoked answers %d", code)
		}
		if code := p.do("DELETE", "/api/v1/calendar_feeds/"+mine.ID, p.admin, nil, nil); code != 404 {
			t.Fatalf("revoking twice: %d", code)
		}
		if got := list(p.admin); len(got) != 1 || got[0] != admins.ID {
			t.Fatalf("after revoking: %v", got)
		}
	})
}

// Two fetches of a feed at different times name the shift that crosses
// the window's start the same way (UID and DTSTART), so calendar apps do
// not duplicate it.
func TestCalendarFeedUIDsStableAcrossFetches(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		var feed newFeed
		p.do("POST", "/api/v1/schedules/primary/calendar", p.responder, nil, &feed)
		event := regexp.MustCompile(`(?s)BEGIN:VEVENT\r\nUID:([^\r]+)\r\nDTSTAMP:[^\r]+\r\nDTSTART:([^\r]+)\r\n`)
		first := func() (uid, start string) {
			t.Helper()
			code, body := p.getFeed(t, feed.Path)
			m := event.FindStringSubmatch(body)
			if code != 200 || m == nil {
				t.Fatalf("feed: %d %s", code, body)
			}
			return m[1], m[2]
		}
		// 60 days after the rotation began, at 08:00: the window (from 30
		// days ago) starts inside the shift that began at 09:00 the day before.
		p.clock.Advance(60 * 24 * time.Hour)
		uid1, start1 := first()
		p.clock.Advance(30 * time.Minute) // still inside that shift
		uid2, start2 := first()
		if uid1 != uid2 || start1 != start2 {
			t.Fatalf("first shift changed between fetches: %s %s, then %s %s", uid1, start1, uid2, start2)
		}
		if want := t0.Add(30*24*time.Hour - 23*time.Hour).Format("20060102T150405Z"); start1 != want {
			t.Fatalf("first shift starts %s, want its real start %s", start1, want)
		}
	})
}

// Feed links come from --public-url or the listen address, never from the
// request's Host header; on a wildcard address without --public-url the
// server refuses to mint one and says how to fix it.
func TestCalendarFeedLinkIgnoresHostHeader(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		p := newPager(t, eng)
		req, _ := http.NewRequest("POST", p.url+"/api/v1/schedules/primary/calendar", strings.NewReader("{}"))
		req.Host = "evil.example.com"
		req.Header.Set("Authorization", "Bearer "+p.responder)
		req.Header.Set("X-Forwarded-Host", "evil.example.com")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 || strings.Contains(string(body), "evil") || !strings.Contains(string(body), `"url":"`+p.url+`/calendar/`) {
			t.Fatalf("feed link with a forged Host: %d %s (server at %s)", resp.StatusCode, body, p.url)
		}

		for _, wildcard := range []string{"0.0.0.0:8080", "[::]:8080"} {
			st := eng.Open(t)
			e := newEnvWith(t, st, 0, func(_ *intake.Intake, _ *clocktest.Clock, o *api.Options) {
				o.Escalation = p.esc
				o.ListenAddr = wildcard
			})
			var apiErr apiError
			code := e.do("POST", "/api/v1/schedules/primary/calendar", e.responder, nil, &apiErr)
			if code != 409 || !strings.Contains(apiErr.Error.Message, "--public-url") {
				t.Fatalf("%s without --public-url: %d %+v", wildcard, code, apiErr)
			}
		}
	})
}
