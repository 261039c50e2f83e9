package ingest

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The types in this file decode one JSON value each without ever failing on
// a value of the wrong type: they record the mismatch and let the decoder
// carry on. encoding/json stops reporting after the first type error, but
// senders deserve to see every problem in one response, and a single
// json.Unmarshal pass keeps the hot path cheap.

// jstr is a JSON string field. A JSON null counts as absent.
type jstr struct {
	val string
	set bool // present and not null
	bad bool // present with a non-string type
}

// UnmarshalJSON implements json.Unmarshaler. It never returns an error for
// well-formed JSON, which json.Unmarshal has checked before calling it.
func (s *jstr) UnmarshalJSON(b []byte) error {
	*s = jstr{}
	switch b[0] {
	case 'n':
		return nil
	case '"':
		s.set = true
		inner := b[1 : len(b)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			s.val = string(inner) // fast path: nothing to unescape
			return nil
		}
		// Unescape; encoding/json also turns invalid UTF-8 and lone
		// surrogates into U+FFFD here.
		return json.Unmarshal(b, &s.val)
	default:
		s.bad = true
		return nil
	}
}

// jobj is a JSON object field decoded into T. T must itself be lenient
// (built from jstr, jobj, jlist, json.RawMessage and maps of those), so the
// nested decode cannot fail.
type jobj[T any] struct {
	val T
	set bool
	bad bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *jobj[T]) UnmarshalJSON(b []byte) error {
	*o = jobj[T]{}
	switch b[0] {
	case 'n':
		return nil
	case '{':
		o.set = true
		return json.Unmarshal(b, &o.val)
	default:
		o.bad = true
		return nil
	}
}

// jlist is a JSON array field whose elements decode into T (itself lenient).
type jlist[T any] struct {
	val []T
	set bool
	bad bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *jlist[T]) UnmarshalJSON(b []byte) error {
	*l = jlist[T]{}
	switch b[0] {
	case 'n':
		return nil
	case '[':
		l.set = true
		return json.Unmarshal(b, &l.val)
	default:
		l.bad = true
		return nil
	}
}

// jmap is a JSON object of string values, such as Prometheus labels.
type jmap = jobj[map[string]jstr]

// linkJSON is a link as PagerDuty and the generic format send it.
type linkJSON struct {
	Href jstr `json:"href"`
	Text jstr `json:"text"`
}

// imageJSON is an image as PagerDuty and the generic format send it.
type imageJSON struct {
	Src  jstr `json:"src"`
	Href jstr `json:"href"`
	Alt  jstr `json:"alt"`
}
