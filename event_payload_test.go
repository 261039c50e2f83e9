package hypercare_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
)

// filledEvent sets every encoded field of an Event from s, details and ts,
// by reflection, so a field added to Event is filled too; it fails the
// test on a field of a kind it does not know how to fill.
func filledEvent(t *testing.T, s string, details []byte, ts time.Time, links int) hypercare.Event {
	var e hypercare.Event
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case sf.Tag.Get("json") == "-":
		case f.Kind() == reflect.String:
			f.SetString(sf.Name + ":" + s)
		case sf.Name == "Timestamp":
			f.Set(reflect.ValueOf(&ts))
		case sf.Name == "CustomDetails":
			f.SetBytes(details)
		case sf.Name == "Links":
			for k := range links {
				text := s
				if k%2 == 1 {
					text = ""
				}
				e.Links = append(e.Links, hypercare.Link{Href: "http://x/" + s, Text: text})
			}
		case sf.Name == "Images":
			for k := range links {
				im := hypercare.Image{Src: s}
				if k%2 == 0 {
					im.Href, im.Alt = s+"<h>", s+"&a"
				}
				e.Images = append(e.Images, im)
			}
		default:
			t.Fatalf("Event.%s (%s): filledEvent does not know how to fill it; add it here and to AppendJSON", sf.Name, f.Type())
		}
	}
	return e
}

// FuzzEventAppendJSON holds Event.AppendJSON, the event log's encoder, to
// encoding/json.Marshal: the same bytes for every field set, none set,
// and any details (an error for both when they are not JSON).
func FuzzEventAppendJSON(f *testing.F) {
	f.Add("web-1 <down> & out", []byte(`{"labels": {"a":"b"}, "n": [1, 2.5]}`), int64(1796579816178473000), 2)
	f.Add("", []byte(`not json`), int64(0), 0)
	f.Add("\xff\u2028", []byte(` "x\u2028" `), int64(-62135596800000000), 3)
	f.Add("z", []byte(nil), int64(253402300800000000), 1) // year 10000: an error for both
	f.Fuzz(func(t *testing.T, s string, details []byte, unixNano int64, links int) {
		links = min(max(links, 0), 4)
		ts := time.Unix(0, unixNano).UTC()
		if unixNano%7 == 0 {
			ts = ts.AddDate(10000, 0, 0) // out of range years too
		}
		for _, e := range []hypercare.Event{filledEvent(t, s, details, ts, links), {Action: hypercare.Action(s)}} {
			want, wantErr := json.Marshal(&e)
			got, err := e.AppendJSON([]byte("x"))
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("AppendJSON error %v, encoding/json's %v (event %+v)", err, wantErr, e)
			}
			if err == nil && !bytes.Equal(got, append([]byte("x"), want...)) {
				t.Fatalf("AppendJSON wrote\n%s\nencoding/json writes\n%s", got[1:], want)
			}
		}
	})
}

// BenchmarkEventAppendJSON compares the event log's encoder with
// encoding/json on an Alertmanager alert's event.
func BenchmarkEventAppendJSON(b *testing.B) {
	ts := time.Date(2026, 12, 6, 17, 54, 38, 514281975, time.UTC)
	e := hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: "hc-bench-699", Summary: "hypercare bench: synthetic alert 699",
		Source: "bench-host-49", Severity: hypercare.SeverityWarning, Timestamp: &ts, Group: "loadgen", Class: "HypercareBench",
		CustomDetails: []byte(`{"status":"firing","labels":{"alertname":"HypercareBench","instance":"bench-host-49","job":"loadgen","key":"699","severity":"warning"},"annotations":{"summary":"hypercare bench: synthetic alert 699"},"startsAt":"2026-12-06T17:54:38.514281975Z","generatorURL":"http://prometheus.bench:9090/graph","fingerprint":"hc-bench-699","groupKey":"{}:{batch=\"600\", alertname=\"HypercareBench\"}","receiver":"hypercare","externalURL":"http://alertmanager.bench:9093"}`),
		Links:         []hypercare.Link{{Href: "http://prometheus.bench:9090/graph", Text: "Source"}, {Href: "http://alertmanager.bench:9093", Text: "Alertmanager"}},
		Client:        "Alertmanager", ClientURL: "http://alertmanager.bench:9093", GroupKey: `{}:{batch="600", alertname="HypercareBench"}`, GroupTitle: "HypercareBench (batch=600)"}
	// As intake encodes: into a scratch buffer, copied out at its size.
	appendJSON := func(b *testing.B, e *hypercare.Event) {
		b.ReportAllocs()
		var scratch []byte
		for b.Loop() {
			var err error
			if scratch, err = e.AppendJSON(scratch[:0]); err != nil {
				b.Fatal(err)
			}
			_ = bytes.Clone(scratch)
		}
	}
	b.Run("AppendJSON", func(b *testing.B) { appendJSON(b, &e) })
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&e); err != nil {
				b.Fatal(err)
			}
		}
	})
	small := hypercare.Event{Action: hypercare.ActionTrigger, DedupKey: "k-1", Summary: "disk full on db-1", Source: "db-1",
		Severity: hypercare.SeverityCritical, CustomDetails: []byte(`{"free":"1%"}`)}
	b.Run("small/AppendJSON", func(b *testing.B) { appendJSON(b, &small) })
	b.Run("small/encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&small); err != nil {
				b.Fatal(err)
			}
		}
	})
}
