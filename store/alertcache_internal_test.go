package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// The open-alert cache shares details it already holds with a repeated
// trigger whose details are equal, and otherwise never holds a caller's
// bytes nor hands out its own with room to append into.
func TestAlertCacheSharesEqualDetails(t *testing.T) {
	c := newAlertCache()
	now := time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)
	a := &hypercare.Alert{ID: "al-1", ServiceID: "shop", DedupKey: "k", Status: hypercare.StatusTriggered,
		CustomDetails: json.RawMessage(`{"a":"1"}`), Links: []hypercare.Link{{Href: "https://x"}},
		EventCount: 1, FirstSeenAt: now, LastSeenAt: now}
	c.wrote(a)
	c.endRequest(true)
	c.committedBatch()
	a.CustomDetails[6] = '2' // the caller's bytes are its own
	held := c.committed[alertCacheKey("shop", "k")].CustomDetails
	if string(held) != `{"a":"1"}` {
		t.Fatalf("cache holds the caller's details: %s", held)
	}

	got, known := c.find("shop", "k")
	if !known || got == nil || string(got.CustomDetails) != `{"a":"1"}` {
		t.Fatalf("find = %+v, %v", got, known)
	}
	if cap(got.CustomDetails) != len(got.CustomDetails) {
		t.Errorf("find's details have room to append into the cache's: cap %d, len %d", cap(got.CustomDetails), len(got.CustomDetails))
	}
	got.Links[0].Href = "https://y" // lists are the caller's own
	if c.committed[alertCacheKey("shop", "k")].Links[0].Href != "https://x" {
		t.Error("find shared its links")
	}

	repeat := cloneAlert(got, nil)
	repeat.CustomDetails = json.RawMessage(`{"a":"1"}`) // equal, a fresh slice (a new event's)
	repeat.EventCount++
	c.wrote(&repeat)
	staged := c.req[alertCacheKey("shop", "k")].CustomDetails
	if &staged[0] != &held[0] {
		t.Error("equal details were copied, not shared with the cache's")
	}
	changed := cloneAlert(&repeat, nil)
	changed.CustomDetails = json.RawMessage(`{"a":"3"}`)
	c.wrote(&changed)
	staged = c.req[alertCacheKey("shop", "k")].CustomDetails
	if &staged[0] == &changed.CustomDetails[0] || string(staged) != `{"a":"3"}` {
		t.Errorf("changed details not copied: %s", staged)
	}
}
