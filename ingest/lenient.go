package ingest

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
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
	s.read(b, nil)
	return nil
}

// read reads the valid JSON value b, a string through in (nil: none).
func (s *jstr) read(b []byte, in *interner) {
	*s = jstr{}
	switch b[0] {
	case 'n':
	case '"':
		s.set = true
		s.val = in.literal(b) // unescaped as encoding/json does, invalid UTF-8 as U+FFFD
	default:
		s.bad = true
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

// jlist is a JSON array field whose elements decode into T (itself
// lenient). The array is kept raw and decoded one element at a time by
// each: a hostile body of 250,000 one-byte elements then costs one reused
// T, not 250,000 of them (a []T of Alertmanager alerts would take ~400
// bytes per element).
type jlist[T any] struct {
	raw []byte // the array as sent
	n   int    // number of elements
	set bool
	bad bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *jlist[T]) UnmarshalJSON(b []byte) error {
	if l.read(b); l.set {
		l.raw = append([]byte(nil), l.raw...) // a json.Decoder reuses its buffer
	}
	return nil
}

// read reads the valid JSON value b, an array kept as b itself.
func (l *jlist[T]) read(b []byte) {
	*l = jlist[T]{}
	switch b[0] {
	case 'n':
	case '[':
		l.set = true
		l.raw = b
		l.n = countElements(l.raw)
	default:
		l.bad = true
	}
}

// each decodes the elements in order and calls fn with each one's index and
// value. The value is reused for the next element: fn must copy what it
// keeps. Elements that are not objects go to T's lenient UnmarshalJSON
// directly; objects read themselves if they can (walker: an Alertmanager
// alert), else go to one reused json.Decoder: a list of 100,000 tiny
// elements allocates next to nothing (json.Unmarshal costs ~150 bytes a
// call).
func (l *jlist[T]) each(fn func(i int, v *T)) {
	l.eachWhile(func(i int, v *T) bool { fn(i, v); return true })
}

// eachWhile is each until fn returns false.
func (l *jlist[T]) eachWhile(fn func(i int, v *T) bool) {
	var v T
	var objects objectDecoder
	var in *interner // shared by the walks of the elements, made for the first
	i := 0
	forElements(l.raw, func(elem []byte) bool {
		var zero T
		v = zero
		if o, ok := any(&v).(lenientObject); ok && elem[0] == '{' {
			into := o.object()
			w, ok := into.(walker)
			if ok && in == nil {
				in = new(interner)
			}
			if !ok || !w.walk(elem, in) {
				objects.decode(elem, into)
			}
		} else if u, ok := any(&v).(json.Unmarshaler); ok {
			_ = u.UnmarshalJSON(elem) // lenient: cannot fail on valid JSON
		} else {
			_ = json.Unmarshal(elem, &v)
		}
		i++
		return fn(i-1, &v)
	})
}

// lenientObject is a lenient value that holds a JSON object: object marks
// it present and returns where the object's fields decode to.
type lenientObject interface{ object() any }

func (o *jobj[T]) object() any { o.set = true; return &o.val }

// objectDecoder decodes one JSON object at a time with a json.Decoder
// reused across calls, fed each object by elemReader.
type objectDecoder struct {
	n   int // objects decoded so far
	r   elemReader
	dec *json.Decoder
}

// smallList is how many objects of a list are decoded with json.Unmarshal
// before switching to the Decoder, which costs more to set up (real lists
// of links or images hold a handful).
const smallList = 8

func (d *objectDecoder) decode(elem []byte, into any) {
	if d.n++; d.n <= smallList {
		_ = json.Unmarshal(elem, into) // cheaper than a Decoder for a few
		return
	}
	if d.dec == nil {
		d.dec = json.NewDecoder(&d.r)
	}
	d.r.b = elem
	if err := d.dec.Decode(into); err != nil {
		d.dec = nil // a Decoder's error is sticky: start afresh next time
		_ = json.Unmarshal(elem, into)
	}
}

// elemReader serves the bytes of the current element, then io.EOF.
type elemReader struct{ b []byte }

func (r *elemReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// countElements counts the elements of a valid JSON array.
func countElements(arr []byte) int {
	n := 0
	forElements(arr, func([]byte) bool { n++; return true })
	return n
}

// forElements calls fn with the raw bytes of each element of arr, a JSON
// array that encoding/json has already validated, in order, until fn
// returns false.
func forElements(arr []byte, fn func(elem []byte) bool) {
	i := skipSpace(arr, 1) // past '['
	for i < len(arr) && arr[i] != ']' {
		end := valueEnd(arr, i)
		if !fn(arr[i:end]) {
			return
		}
		i = skipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = skipSpace(arr, i+1)
		}
	}
}

// forMembers calls fn with the key (the string literal, quotes included)
// and the raw value of each member of obj, a JSON object that encoding/json
// has already validated, in order, until fn returns false; it says whether
// fn took every member.
func forMembers(obj []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(obj, 1) // past '{'
	for i < len(obj) && obj[i] == '"' {
		kend := stringEnd(obj, i)
		v := skipSpace(obj, skipSpace(obj, kend)+1) // past ':'
		vend := valueEnd(obj, v)
		if !fn(obj[i:kend], obj[v:vend]) {
			return false
		}
		i = skipSpace(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return true
}

// valueEnd returns the index just past the JSON value starting at i.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",]} \t\r\n", rune(b[j])) {
		j++
	}
	return j
}

// stringEnd returns the index just past the JSON string starting at i. It
// jumps from quote to quote (bytes.IndexByte, which reads many bytes an
// instruction), a quote ending the string unless an odd run of
// backslashes escapes it: the walks that read a notification cross each
// of its strings several times.
func stringEnd(b []byte, i int) int {
	for j := i + 1; ; j++ {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		j += k
		n := 0
		for m := j - 1; m > i && b[m] == '\\'; m-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

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
