package ingest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// jmapCases are objects of strings as monitoring tools send them, and the
// shapes a lenient decoder must survive.
var jmapCases = []string{
	`{"alertname":"HighLatency","instance":"web-1:9100","severity":"critical"}`,
	`{}`, ` { } `, `null`, `"labels"`, `42`, `[1,2]`, `true`,
	"{ \"a\" : \"b\" ,\n\t\"c\":\"d\" }",
	`{"a":1,"b":"x","c":null,"d":{"e":"f"},"g":["h"],"i":true,"j":-1.5e3}`,
	`{"dup":"first","dup":"second"}`, `{"dup":1,"dup":"second"}`, `{"dup":"first","dup":[1]}`, `{"a":1,"b":2,"a":"x"}`,
	`{"esc\"aped\\key\u00e9":"tab\tnew\nline \u2028 \ud83d\ude00 \"q\""}`,
	"{\"bad utf8 \xff\":\"value \xfe\"}",
	`{"lone":"\ud800","k\u0000":"nul\u0000"}`,
	`{"nested":{"a":{"b":["}","{",","]}},"after":"ok"}`,
	`{"é":"ü","日本":"語"}`,
}

// TestJmapDecodesAsEncodingJSON: the walk gives what encoding/json gives
// for the same object (jobj[map[string]jstr], the type it replaced).
func TestJmapDecodesAsEncodingJSON(t *testing.T) {
	for _, c := range jmapCases {
		checkJmap(t, c)
	}
}

// FuzzJmap compares the walk with encoding/json on any valid JSON value.
func FuzzJmap(f *testing.F) {
	for _, c := range jmapCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		checkJmap(t, s)
	})
}

func checkJmap(t *testing.T, value string) {
	t.Helper()
	doc := []byte(`{"m":` + value + `}`)
	var got struct {
		M jmap `json:"m"`
	}
	var want struct {
		M jobj[map[string]jstr] `json:"m"`
	}
	errGot, errWant := json.Unmarshal(doc, &got), json.Unmarshal(doc, &want)
	if (errGot == nil) != (errWant == nil) {
		t.Fatalf("%q: errors %v and %v", value, errGot, errWant)
	}
	if got.M.set != want.M.set || got.M.bad != want.M.bad {
		t.Fatalf("%q:\n walk          %+v\n encoding/json %+v", value, got.M, want.M)
	}
	checkJmapValues(t, value, got.M, want.M.val)
	// The walk with an interner, as a notification's alerts are read.
	var in interner
	var again jmap
	again.read([]byte(strings.TrimSpace(value)), &in)
	if !reflect.DeepEqual(again, got.M) {
		t.Fatalf("%q: with an interner %+v, without %+v", value, again, got.M)
	}
}

// checkJmapValues compares a jmap with encoding/json's map of jstr: the
// same keys, the same strings, and wrong naming the values that are not.
func checkJmapValues(t *testing.T, value string, got jmap, want map[string]jstr) {
	t.Helper()
	vals := map[string]string{}
	var wrong map[string]bool
	for k, v := range want {
		vals[k] = v.val
		if v.bad {
			if wrong == nil {
				wrong = map[string]bool{}
			}
			wrong[k] = true
		}
	}
	if len(want) == 0 && got.val == nil {
		vals = nil
	}
	if len(got.wrong) == 0 && wrong == nil {
		got.wrong = nil // emptied by a duplicate key's last, good value
	}
	if !reflect.DeepEqual(got.val, vals) || !reflect.DeepEqual(got.wrong, wrong) {
		t.Fatalf("%q:\n walk          %+v\n encoding/json %+v", value, got, want)
	}
}
