package client

import (
	"strings"
	"testing"
)

// FuzzReadStream: the SSE parser never panics or loops on any input, and
// every event it yields without an error has a non-negative ID and a kind.
func FuzzReadStream(f *testing.F) {
	f.Add("retry: 2000\n: connected\n\nid: 7\nevent: incident\ndata: {\"kind\":\"incident\",\"op\":\"created\",\"incident_id\":\"x\",\"incident_number\":1,\"object\":{}}\n\n")
	f.Add("id: 9\nevent: reset\ndata: {\"reason\":\"gone\"}\n\n: keepalive\n\n")
	f.Add("id: x\nevent: alert\ndata: {}\n\n")
	f.Add("event: alert\ndata: not json\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		for ev, err := range readStream(strings.NewReader(in), nil) {
			if err != nil {
				return
			}
			if ev.ID < 0 || ev.Kind == "" && ev.Op == "" && ev.Object == nil && ev.ID == 0 && !strings.Contains(in, "id:") {
				t.Fatalf("event from nothing: %+v", ev)
			}
		}
	})
}

// TestReadStream: the stream's own wire format parses into events; comments
// and the retry line are skipped.
func TestReadStream(t *testing.T) {
	in := "retry: 2000\n: connected\n\nid: 7\nevent: incident\ndata: {\"kind\":\"incident\",\"op\":\"created\"," +
		"\"incident_id\":\"x\",\"incident_number\":3,\"object\":{\"id\":\"x\"}}\n\n: keepalive\n\nid: 8\nevent: reset\ndata: {}\n\n"
	var got []StreamEvent
	for ev, err := range readStream(strings.NewReader(in), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	if len(got) != 2 || got[0].ID != 7 || got[0].Kind != "incident" || got[0].Op != "created" ||
		got[0].IncidentNumber != 3 || string(got[0].Object) != `{"id":"x"}` || got[1].Kind != "reset" || got[1].ID != 8 {
		t.Fatalf("parsed %+v", got)
	}
}
