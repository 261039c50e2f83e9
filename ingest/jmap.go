package ingest

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// jmap is a JSON object of string values, such as Prometheus labels,
// read in one walk over the object's bytes straight into the map the
// event keeps. Through encoding/json each of an Alertmanager alert's two
// such maps was scanned three times (the alert's decode, a nested
// json.Unmarshal's validation, its decode), and then copied from a map of
// jstr into a map of strings: a sixth of the webhook parse and a fifth of
// its allocations. The walk reads keys and values as encoding/json reads
// them into map[string]jstr (TestJmapDecodesAsEncodingJSON and FuzzJmap
// compare the two on any input).
type jmap struct {
	// val holds every key; a null value, and one that is not a string,
	// reads as "".
	val map[string]string
	// wrong holds the keys whose (last) value was neither a string nor
	// null; nil when there are none, as in nearly every object. A set,
	// not a list: a hostile object of 700,000 numbers must not cost a
	// search per member.
	wrong map[string]bool
	set   bool // present and not null
	bad   bool // present with a non-object type
}

// UnmarshalJSON implements json.Unmarshaler. b is one valid JSON value
// (encoding/json checks the document before calling it).
func (m *jmap) UnmarshalJSON(b []byte) error {
	m.read(b, nil)
	return nil
}

// read reads the valid JSON value b, its strings through in (nil: none).
func (m *jmap) read(b []byte, in *interner) {
	*m = jmap{}
	switch b[0] {
	case 'n':
		return
	case '{':
	default:
		m.bad = true
		return
	}
	m.set = true
	m.val = make(map[string]string, 8)
	forMembers(b, func(key, val []byte) bool {
		var v jstr
		v.read(val, in)
		k := in.literal(key)
		m.val[k] = v.val
		switch {
		case v.bad && m.wrong == nil:
			m.wrong = map[string]bool{k: true}
		case v.bad:
			m.wrong[k] = true
		case m.wrong != nil:
			delete(m.wrong, k) // a duplicate key: the last value wins
		}
		return true
	})
}

// plainString says a string literal's inner bytes decode to themselves.
func plainString(inner []byte) bool {
	return bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
}

// unquote decodes a valid JSON string literal with escapes or invalid
// UTF-8, which encoding/json turns (with lone surrogates) into U+FFFD.
func unquote(lit []byte) string {
	var s string
	_ = json.Unmarshal(lit, &s)
	return s
}
