// Package jsonenc appends JSON exactly as encoding/json.Marshal writes it,
// for the few hot paths that encode the same shape for every event.
//
// Why: intake encodes every event it records (the event log's payload),
// and on a storm of Alertmanager notifications encoding/json was a tenth
// of the server's CPU, two thirds of it re-compacting custom details that
// are already JSON (its scanner steps a state machine through a function
// pointer per byte). These functions write the same bytes (HTML-safe
// escaping, U+2028 and U+2029 escaped, invalid UTF-8 in strings replaced),
// so a payload does not depend on which encoder wrote it; the package's
// differential fuzz tests hold them to encoding/json.
package jsonenc

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string, as encoding/json.Marshal
// encodes a string (escaping <, > and &).
func AppendString(dst []byte, s string) []byte {
	return appendString(dst, s, &htmlSafe)
}

// AppendStringNoHTML appends s as a JSON string as an encoding/json
// Encoder with SetEscapeHTML(false) encodes it: <, > and & as they are.
func AppendStringNoHTML(dst []byte, s string) []byte {
	return appendString(dst, s, &textSafe)
}

func appendString(dst []byte, s string, safe *[utf8.RuneSelf]bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscapedByte(dst, b)
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscapedByte appends the escape of an ASCII byte AppendString
// does not copy as it is.
func appendEscapedByte(dst []byte, b byte) []byte {
	switch b {
	case '\\', '"':
		return append(dst, '\\', b)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
}

// htmlSafe says which ASCII bytes a JSON string carries as they are: not
// a control character, '"', '\\', or one of HTML's <, > and &. textSafe
// lets HTML's through.
var htmlSafe, textSafe = func() (h, t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
		h[b] = t[b] && b != '<' && b != '>' && b != '&'
	}
	return h, t
}()

// maxDepth is encoding/json's limit on nesting.
const maxDepth = 10000

// ErrSyntax is wrapped by AppendCompact's error for input that is not one
// JSON value.
var ErrSyntax = errors.New("invalid JSON")

// AppendCompact appends the JSON value src with insignificant whitespace
// removed and <, >, &, U+2028 and U+2029 escaped: what encoding/json.Marshal
// writes for a json.RawMessage. Escapes in strings are copied as they are,
// and so are bytes that are not UTF-8, as encoding/json does. On an error
// (src is not exactly one JSON value, or nests deeper than 10,000) dst is
// returned unchanged.
func AppendCompact(dst, src []byte) ([]byte, error) {
	return appendCompact(dst, src, true)
}

// AppendCompactNoHTML is AppendCompact as an encoding/json Encoder with
// SetEscapeHTML(false) writes a json.RawMessage: nothing escaped.
func AppendCompactNoHTML(dst, src []byte) ([]byte, error) {
	return appendCompact(dst, src, false)
}

func appendCompact(dst, src []byte, html bool) ([]byte, error) {
	c := compactor{src: src, out: dst, html: html}
	c.space()
	if err := c.value(); err != nil {
		return dst, err
	}
	c.space()
	if c.i < len(src) {
		return dst, c.fail("after top-level value")
	}
	return c.out, nil
}

// compactor walks one JSON text, appending its compact form.
type compactor struct {
	src []byte
	i   int
	out []byte
	// open holds the containers the walk is in, innermost last.
	open containers
	// html escapes <, >, &, U+2028 and U+2029 in strings.
	html bool
}

func (c *compactor) fail(where string) error {
	if c.i >= len(c.src) {
		return fmt.Errorf("%w: unexpected end %s", ErrSyntax, where)
	}
	return fmt.Errorf("%w: unexpected %q at offset %d %s", ErrSyntax, c.src[c.i], c.i, where)
}

func (c *compactor) space() {
	for c.i < len(c.src) {
		switch c.src[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// value walks one value. Containers are walked without recursion: open
// keeps what a closing bracket must match, and after each member or
// element the walk takes a comma or the container's end.
func (c *compactor) value() error {
	for {
		if err := c.scalarOrOpen(); err != nil {
			return err
		}
		for {
			if c.open.depth == 0 {
				return nil
			}
			c.space()
			if c.i >= len(c.src) {
				return c.fail("in a container")
			}
			top := c.open.top()
			ch := c.src[c.i]
			if ch == ',' {
				c.out = append(c.out, ',')
				c.i++
				c.space()
				if top == '{' {
					if err := c.key(); err != nil {
						return err
					}
				}
				break // to the next value
			}
			if (top == '{' && ch == '}') || (top == '[' && ch == ']') {
				c.out = append(c.out, ch)
				c.i++
				c.open.pop()
				continue
			}
			return c.fail("after a value in a container")
		}
	}
}

// scalarOrOpen walks a scalar, an empty container or the start of a
// container (its '{' and first key, or its '['), leaving the walk at the
// first value inside it.
func (c *compactor) scalarOrOpen() error {
	for {
		c.space()
		if c.i >= len(c.src) {
			return c.fail("looking for a value")
		}
		switch ch := c.src[c.i]; ch {
		case '{', '[':
			if c.open.depth >= maxDepth {
				return fmt.Errorf("%w: nested deeper than %d", ErrSyntax, maxDepth)
			}
			c.out = append(c.out, ch)
			c.i++
			c.space()
			end := byte('}')
			if ch == '[' {
				end = ']'
			}
			if c.i < len(c.src) && c.src[c.i] == end {
				c.out = append(c.out, end)
				c.i++
				return nil
			}
			c.open.push(ch)
			if ch == '{' {
				if err := c.key(); err != nil {
					return err
				}
			}
			continue // the first value inside
		case '"':
			return c.str()
		case 't':
			return c.literal("true")
		case 'f':
			return c.literal("false")
		case 'n':
			return c.literal("null")
		default:
			return c.number()
		}
	}
}

// key walks an object member's name and its colon.
func (c *compactor) key() error {
	if c.i >= len(c.src) || c.src[c.i] != '"' {
		return c.fail("looking for an object key")
	}
	if err := c.str(); err != nil {
		return err
	}
	c.space()
	if c.i >= len(c.src) || c.src[c.i] != ':' {
		return c.fail("after an object key")
	}
	c.out = append(c.out, ':')
	c.i++
	return nil
}

func (c *compactor) literal(word string) error {
	if len(c.src)-c.i < len(word) || string(c.src[c.i:c.i+len(word)]) != word {
		return c.fail("in a literal")
	}
	c.out = append(c.out, word...)
	c.i += len(word)
	return nil
}

// number walks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (c *compactor) number() error {
	start := c.i
	if c.peek() == '-' {
		c.i++
	}
	switch {
	case c.peek() == '0':
		c.i++
	case c.peek() >= '1' && c.peek() <= '9':
		c.digits()
	default:
		return c.fail("looking for a value")
	}
	if c.peek() == '.' {
		c.i++
		if !c.digits() {
			return c.fail("in a number's fraction")
		}
	}
	if p := c.peek(); p == 'e' || p == 'E' {
		c.i++
		if p := c.peek(); p == '+' || p == '-' {
			c.i++
		}
		if !c.digits() {
			return c.fail("in a number's exponent")
		}
	}
	c.out = append(c.out, c.src[start:c.i]...)
	return nil
}

// peek is the byte at the walk, or 0 at the end.
func (c *compactor) peek() byte {
	if c.i < len(c.src) {
		return c.src[c.i]
	}
	return 0
}

// digits walks [0-9]* and says whether there was one.
func (c *compactor) digits() bool {
	start := c.i
	for c.i < len(c.src) && c.src[c.i] >= '0' && c.src[c.i] <= '9' {
		c.i++
	}
	return c.i > start
}

// str walks a string, copying it with its escapes as they are, HTML's
// characters and U+2028/U+2029 escaped.
func (c *compactor) str() error {
	c.out = append(c.out, '"')
	c.i++
	start := c.i
	for c.i < len(c.src) {
		b := c.src[c.i]
		switch {
		case b == '"':
			c.out = append(c.out, c.src[start:c.i]...)
			c.out = append(c.out, '"')
			c.i++
			return nil
		case b < 0x20:
			return c.fail("in a string")
		case b == '\\':
			n, err := c.escapeLen()
			if err != nil {
				return err
			}
			c.i += n
		case !c.html:
			c.i++
		case b == '<' || b == '>' || b == '&':
			c.out = append(c.out, c.src[start:c.i]...)
			c.out = append(c.out, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			c.i++
			start = c.i
		case b == 0xE2 && c.i+2 < len(c.src) && c.src[c.i+1] == 0x80 && c.src[c.i+2]&^1 == 0xA8:
			c.out = append(c.out, c.src[start:c.i]...)
			c.out = append(c.out, '\\', 'u', '2', '0', '2', hex[c.src[c.i+2]&0xF])
			c.i += 3
			start = c.i
		default:
			c.i++
		}
	}
	return c.fail("in a string")
}

// escapeLen checks the escape at the walk and returns its length.
func (c *compactor) escapeLen() (int, error) {
	if c.i+1 >= len(c.src) {
		c.i++
		return 0, c.fail("in a string escape")
	}
	switch c.src[c.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		for k := c.i + 2; k < c.i+6; k++ {
			if k >= len(c.src) || !isHex(c.src[k]) {
				c.i = k
				return 0, c.fail("in a \\u escape")
			}
		}
		return 6, nil
	}
	c.i++
	return 0, c.fail("in a string escape")
}

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

// containers is a stack of '{' and '[': the first 64 levels as bits of
// one word (no allocation for any usual document), deeper ones in a slice.
type containers struct {
	depth   int
	objects uint64 // bit i: level i is an object
	deeper  []byte
}

func (s *containers) push(kind byte) {
	if s.depth < 64 {
		s.objects &^= 1 << s.depth
		if kind == '{' {
			s.objects |= 1 << s.depth
		}
	} else {
		s.deeper = append(s.deeper, kind)
	}
	s.depth++
}

func (s *containers) top() byte {
	if s.depth > 64 {
		return s.deeper[len(s.deeper)-1]
	}
	if s.objects&(1<<(s.depth-1)) != 0 {
		return '{'
	}
	return '['
}

func (s *containers) pop() {
	s.depth--
	if s.depth >= 64 {
		s.deeper = s.deeper[:len(s.deeper)-1]
	}
}
