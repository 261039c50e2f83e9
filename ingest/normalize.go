package ingest

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

// Limits PagerDuty enforces, counted in characters (runes) as PagerDuty
// counts them, not bytes.
const (
	maxSummary  = 1024
	maxDedupKey = 255
	keyLength   = 32
	// maxEcho is how much of a sender's text an error message quotes
	// (label names, versions), so a huge value cannot make a huge answer.
	maxEcho = 64
)

// cleanText is the one normalisation for free text in every format: NUL
// bytes and invalid UTF-8 become U+FFFD (so the text is safe to store,
// index and render) and surrounding white space is trimmed. The common case
// of clean input does not allocate.
func cleanText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid bytes come out as utf8.RuneError
		if r == 0 {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// badIdent reports whether an identifier (routing key, dedup key,
// fingerprint) holds a NUL or invalid UTF-8. Identifiers are matched
// byte for byte, so they are rejected rather than repaired: a repaired key
// would silently stop matching its alert. encoding/json has already turned
// invalid UTF-8 and lone surrogate escapes into U+FFFD, so U+FFFD counts as
// invalid too.
func badIdent(s string) bool {
	return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) ||
		strings.ContainsRune(s, utf8.RuneError)
}

// isBlank reports whether s has no visible characters.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// runeLen counts characters the way PagerDuty's length limits do.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// truncate shortens s to at most max runes, marking the cut with "…". The
// webhook formats use it instead of rejecting a whole batch because one
// annotation is long: a dropped page is worse than a shortened title.
func truncate(s string, max int) string {
	if len(s) <= max || runeLen(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimSpace(s[:i]) + "…"
		}
		n++
	}
	return s
}

// timestampLayouts are the ISO 8601 shapes senders use in practice:
// RFC 3339 (a lower-case t or z is upper-cased first, see upperTZ),
// PagerDuty's own examples' "+0000" offsets, hour-only offsets, a space
// instead of "T", and no offset at all (read as UTC). Fractional seconds
// are accepted by time.Parse after any seconds field.
var timestampLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05",
}

// parseTimestamp parses an ISO 8601 date-time and returns it in UTC. It
// tries the layout the zone suffix points to first, so the common shapes
// parse in one attempt without allocating an error.
func parseTimestamp(s string) (time.Time, bool) {
	s = upperTZ(strings.TrimSpace(s))
	if t, err := time.Parse(likelyLayout(s), s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// upperTZ upper-cases the "t" between date and time and a final "z", which
// RFC 3339 (section 5.6) allows in lower case and time.Parse does not. It
// copies only when one is there.
func upperTZ(s string) string {
	const date = len("2006-01-02")
	if len(s) > date && s[date] == 't' {
		s = s[:date] + "T" + s[date+1:]
	}
	if n := len(s); n > date && s[n-1] == 'z' {
		s = s[:n-1] + "Z"
	}
	return s
}

// likelyLayout guesses the layout of s from its zone suffix.
func likelyLayout(s string) string {
	n := len(s)
	sep := len("2006-01-02") < n && s[len("2006-01-02")] == ' '
	switch {
	case n > 5 && (s[n-5] == '+' || s[n-5] == '-') && isDigits(s[n-4:]):
		if sep {
			return "2006-01-02 15:04:05Z0700"
		}
		return "2006-01-02T15:04:05Z0700"
	case sep:
		return "2006-01-02 15:04:05Z07:00"
	}
	return time.RFC3339
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cleanJSON returns free-form JSON (custom details) ready to store: nil for
// absent or null, the raw bytes untouched when they are already clean, and
// a scrubbed copy otherwise. Scrubbing happens only for invalid UTF-8 and
// for \u0000 or surrogate escapes, which PostgreSQL's jsonb rejects: each
// becomes U+FFFD (a valid surrogate pair becomes its character). It works
// on the bytes, never decoding the value, so a hostile body of tiny nested
// values costs one copy of its size (at most 3×, for invalid bytes), and
// numbers, key order and spacing stay as sent. raw must be valid JSON,
// which json.Unmarshal guarantees for json.RawMessage fields.
func cleanJSON(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if utf8.Valid(raw) && !hasRiskyEscape(raw) {
		return raw
	}
	return scrubJSON(raw)
}

// replacement is U+FFFD in UTF-8.
const replacement = "\uFFFD"

// scrubJSON copies valid JSON, replacing inside strings every invalid
// UTF-8 byte, \u0000 and lone surrogate escape with U+FFFD and every valid
// surrogate pair escape with its character.
func scrubJSON(raw []byte) json.RawMessage {
	out := make([]byte, 0, len(raw)+len(raw)/4)
	inString := false
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case !inString || c == '"':
			inString = inString != (c == '"')
			out = append(out, c)
			i++
		case c == '\\' && raw[i+1] == 'u':
			var n int
			out, n = scrubEscape(out, raw[i:])
			i += n
		case c == '\\':
			out = append(out, raw[i:i+2]...)
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				out = append(out, replacement...)
			} else {
				out = append(out, raw[i:i+size]...)
			}
			i += size
		}
	}
	return out
}

// scrubEscape appends the \uXXXX escape at the start of b (and its low
// surrogate, for a pair), cleaned, and returns how many bytes it read.
func scrubEscape(out, b []byte) ([]byte, int) {
	r := hex4(b[2:6])
	switch {
	case r == 0:
		return append(out, replacement...), 6
	case !utf16.IsSurrogate(r):
		return append(out, b[:6]...), 6
	case r < 0xDC00 && len(b) >= 12 && b[6] == '\\' && b[7] == 'u':
		if lo := hex4(b[8:12]); lo >= 0xDC00 && lo <= 0xDFFF {
			return utf8.AppendRune(out, utf16.DecodeRune(r, lo)), 12
		}
	}
	return append(out, replacement...), 6
}

// hex4 reads four hex digits (valid JSON guarantees them).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// hasRiskyEscape reports whether raw contains a \u0000 or a surrogate
// (\uD800–\uDFFF) escape. A preceding escaped backslash makes this a false
// positive, which only costs a harmless scrubbing copy.
func hasRiskyEscape(raw []byte) bool {
	for {
		i := bytes.Index(raw, []byte(`\u`))
		if i < 0 || i+6 > len(raw) {
			return false
		}
		h := raw[i+2 : i+6]
		if string(h) == "0000" || ((h[0] == 'd' || h[0] == 'D') && strings.IndexByte("89abcdefABCDEF", h[1]) >= 0) {
			return true
		}
		raw = raw[i+2:]
	}
}

// severityAliases maps the severity words monitoring tools use to the four
// PagerDuty severities. Keys are lower case. Never mutated.
var severityAliases = map[string]hypercare.Severity{
	"critical":      hypercare.SeverityCritical,
	"crit":          hypercare.SeverityCritical,
	"page":          hypercare.SeverityCritical,
	"p0":            hypercare.SeverityCritical,
	"p1":            hypercare.SeverityCritical,
	"fatal":         hypercare.SeverityCritical,
	"emergency":     hypercare.SeverityCritical,
	"disaster":      hypercare.SeverityCritical,
	"error":         hypercare.SeverityError,
	"err":           hypercare.SeverityError,
	"high":          hypercare.SeverityError,
	"major":         hypercare.SeverityError,
	"p2":            hypercare.SeverityError,
	"warning":       hypercare.SeverityWarning,
	"warn":          hypercare.SeverityWarning,
	"minor":         hypercare.SeverityWarning,
	"medium":        hypercare.SeverityWarning,
	"average":       hypercare.SeverityWarning,
	"p3":            hypercare.SeverityWarning,
	"info":          hypercare.SeverityInfo,
	"informational": hypercare.SeverityInfo,
	"low":           hypercare.SeverityInfo,
	"none":          hypercare.SeverityInfo,
	"notice":        hypercare.SeverityInfo,
	"p4":            hypercare.SeverityInfo,
	"p5":            hypercare.SeverityInfo,
}

// mapSeverity maps a free-form severity word leniently (case-insensitive,
// trimmed); ok is false for words it does not know.
func mapSeverity(s string) (hypercare.Severity, bool) {
	sev, ok := severityAliases[strings.ToLower(strings.TrimSpace(s))]
	return sev, ok
}

// severityWords lists the accepted words for error messages.
const severityWords = "critical, crit, page, p0, p1, fatal, emergency, disaster, " +
	"error, err, high, major, p2, warning, warn, minor, medium, average, p3, " +
	"info, informational, low, none, notice, p4, p5"
