package ingest

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// jmap is a JSON object of string values, such as Prometheus labels: what
// jobj[map[string]jstr] decodes, read in one walk over the object's bytes.
// Through encoding/json each of an Alertmanager alert's two such maps was
// scanned three times (the alert's decode, a nested json.Unmarshal's
// validation, its decode), a sixth of the webhook parse; the walk reads
// keys and values as encoding/json does (TestJmapDecodesAsEncodingJSON and
// FuzzJmap compare the two on any input).
type jmap struct {
	val map[string]jstr
	set bool // present and not null
	bad bool // present with a non-object type
}

// UnmarshalJSON implements json.Unmarshaler. b is one valid JSON value
// (encoding/json checks the document before calling it), so the walk needs
// no error handling: values that are not strings are recorded as bad, as
// jstr records them.
func (m *jmap) UnmarshalJSON(b []byte) error {
	*m = jmap{}
	switch b[0] {
	case 'n':
		return nil
	case '{':
	default:
		m.bad = true
		return nil
	}
	m.set = true
	m.val = map[string]jstr{}
	forMembers(b, func(key, val []byte) bool {
		var v jstr
		_ = v.UnmarshalJSON(val) // cannot fail on valid JSON
		m.val[jsonString(key)] = v
		return true
	})
	return nil
}

// jsonString decodes a valid JSON string literal (quotes included) as
// encoding/json does, invalid UTF-8 becoming U+FFFD.
func jsonString(lit []byte) string {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner) // nothing to unescape or replace
	}
	var s string
	_ = json.Unmarshal(lit, &s)
	return s
}
