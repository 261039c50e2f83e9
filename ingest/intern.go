package ingest

// interner shares the strings a notification repeats: the label names of
// every alert, and most of their values (alertname, job, severity,
// namespace, the status). A notification of 100 alerts allocated each of
// them 100 times, the largest share of the parse's allocations; with an
// interner, once. It lives for one parse, so it holds on to nothing after.
// A nil *interner allocates every string, as the parse did before.
type interner struct {
	m map[string]string
}

// Bounds on what is interned: short strings, as labels are, and not more
// of them than a notification of distinct values (instance, pod) would
// fill to no use.
const (
	internMaxLen   = 64
	internMaxCount = 512
)

// literal decodes a valid JSON string literal (quotes included), a key or
// a value, as encoding/json does, invalid UTF-8 becoming U+FFFD.
func (in *interner) literal(lit []byte) string {
	inner := lit[1 : len(lit)-1]
	if !plainString(inner) {
		return unquote(lit)
	}
	return in.str(inner)
}

// str returns string(b), shared with earlier calls for the same bytes.
func (in *interner) str(b []byte) string {
	if in == nil || len(b) > internMaxLen {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok { // no allocation: the compiler looks b up as is
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = make(map[string]string, 64)
	}
	if len(in.m) < internMaxCount {
		in.m[s] = s
	}
	return s
}
