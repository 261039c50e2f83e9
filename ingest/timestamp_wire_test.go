package ingest

import (
	"testing"
	"time"
)

// TestTimestampLowercaseRFC3339: RFC 3339 section 5.6 lets "T" and "Z" be
// written "t" and "z" ("NOTE: Per [ABNF] and ISO8601, the "T" and "Z"
// characters in this syntax may alternatively be lower case"), and
// docs/integrations.md promises RFC 3339 timestamps are accepted. Go's
// time.Parse takes neither, so a PagerDuty trigger with such a
// payload.timestamp was refused with 400 and its page lost.
func TestTimestampLowercaseRFC3339(t *testing.T) {
	want := time.Date(2015, 7, 17, 8, 42, 58, 315e6, time.UTC)
	for _, in := range []string{"2015-07-17t08:42:58.315z", "2015-07-17T08:42:58.315z",
		"2015-07-17t08:42:58.315+00:00", "2015-07-17t08:42:58.315+0000"} {
		if got, ok := parseTimestamp(in); !ok || !got.Equal(want) {
			t.Errorf("parseTimestamp(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	body := `{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger",
"payload":{"summary":"s","source":"web-01","severity":"info","timestamp":"2015-07-17t08:42:58.315z"}}`
	if ev, err := ParseEventsV2([]byte(body)); err != nil || ev.Timestamp == nil || !ev.Timestamp.Equal(want) {
		t.Errorf("ParseEventsV2 with a lower-case RFC 3339 timestamp: %+v, %v", ev.Timestamp, err)
	}
}
