package ingest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// marshalClean is what alertDetails.encode replaced and is held to:
// compact JSON without HTML escaping, as encoding/json writes it.
func marshalClean(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// filledDetails sets every string field of alertDetails from s, by
// reflection (so a field added later is filled too), labels and
// annotations from keys, and values from values; a field of another kind
// fails the test.
func filledDetails(t *testing.T, s string, keys []string, values []byte) alertDetails {
	var d alertDetails
	v := reflect.ValueOf(&d).Elem()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case f.Kind() == reflect.String:
			f.SetString(sf.Name + "=" + s)
		case sf.Name == "Labels" || sf.Name == "Annotations":
			if keys == nil {
				continue // nil: encoded as null
			}
			m := map[string]string{}
			for _, k := range keys {
				m[k] = s + k
			}
			f.Set(reflect.ValueOf(m))
		case sf.Name == "Values":
			f.SetBytes(values)
		default:
			t.Fatalf("alertDetails.%s (%s): filledDetails does not know how to fill it; add it here and to appendJSON", sf.Name, f.Type())
		}
	}
	return d
}

// FuzzAlertDetailsJSON holds alertDetails.encode to marshalClean: the same
// bytes for every field set, none set, any labels and any values (nil
// details where encoding/json fails).
func FuzzAlertDetailsJSON(f *testing.F) {
	f.Add("a<b>&c", "alertname\x00instance\x00<k>", []byte(` {"x": [1, "<&>"]} `))
	f.Add("", "", []byte(nil))
	f.Add("\xff\u2028", "\xff\x00z\x00a\x00", []byte(`not json`))
	f.Add("é", "\x00", []byte("\"\u2028\""))
	f.Fuzz(func(t *testing.T, s, keyList string, values []byte) {
		var keys []string // "": nil maps
		if keyList != "" {
			keys = strings.Split(keyList, "\x00")
		}
		for _, d := range []alertDetails{filledDetails(t, s, keys, values), {Status: s}} {
			want, err := marshalClean(d)
			if err != nil {
				want = nil
			}
			if got := d.encode(); !bytes.Equal(got, want) || (got == nil) != (want == nil) {
				t.Fatalf("encode wrote\n%q\nmarshalClean writes\n%q", got, want)
			}
		}
	})
}
