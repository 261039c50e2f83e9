package ingest

// validJSON says whether b is one JSON value, exactly as json.Valid does
// (FuzzValidJSON compares the two on any input), in one pass of plain byte
// loops. encoding/json's scanner calls a state function per byte: for an
// Alertmanager notification that validation alone was a fifth of the
// parse, and the walks that read a body after it (forMembers, valueEnd)
// trust that it ran. Nesting is limited as encoding/json limits it, so a
// body of brackets cannot grow a stack.
func validJSON(b []byte) bool {
	var first [64]byte
	open := first[:0] // '{' or '[' per container still open
	i := skipSpace(b, 0)
	for {
		// A value starts at i.
		if i < 0 || i >= len(b) {
			return false
		}
		switch c := b[i]; c {
		case '{', '[':
			if len(open) == maxNesting {
				return false
			}
			open = append(open, c)
			if i = skipSpace(b, i+1); i < len(b) && b[i] == c+2 { // '}' or ']': empty
				open, i = open[:len(open)-1], i+1
				break
			}
			if c == '{' {
				i = validKey(b, i)
			}
			continue
		case '"':
			i = validString(b, i)
		case 't':
			i = validLiteral(b, i, "true")
		case 'f':
			i = validLiteral(b, i, "false")
		case 'n':
			i = validLiteral(b, i, "null")
		default:
			i = validNumber(b, i)
		}
		// Past a value: close containers until the next element starts.
		for {
			if i < 0 {
				return false
			}
			if i = skipSpace(b, i); len(open) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			top := open[len(open)-1]
			if b[i] == ',' {
				if i = skipSpace(b, i+1); top == '{' {
					i = validKey(b, i)
				}
				break
			}
			if b[i] != top+2 {
				return false
			}
			open, i = open[:len(open)-1], i+1
		}
	}
}

// maxNesting is encoding/json's limit on nested objects and arrays.
const maxNesting = 10000

// validKey checks an object key and its colon at i and returns where the
// value starts, or -1.
func validKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = validString(b, i); i < 0 {
		return -1
	}
	if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

// validString checks the string literal at i (b[i] is '"') and returns the
// index just past it, or -1. Any byte from 0x20 up is allowed, invalid
// UTF-8 included, as encoding/json allows it.
func validString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1
		case c == '\\':
			if j++; j >= len(b) {
				return -1
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1]) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) {
					return -1
				}
				j += 4
			default:
				return -1
			}
		case c < 0x20:
			return -1
		}
	}
	return -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validLiteral checks that lit (true, false or null) is at i.
func validLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// validNumber checks the number at i (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
// and returns the index just past it, or -1.
func validNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b) || !isDigit(b[i]):
		return -1
	case b[i] == '0':
		i++
	default:
		i = digits(b, i)
	}
	if i < len(b) && b[i] == '.' {
		if i++; i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		i = digits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		i = digits(b, i)
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns the index past the run of digits at i.
func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}
