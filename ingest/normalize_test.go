package ingest

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
)

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"  padded\n\t":     "padded",
		"a\x00b":           "a\uFFFDb",
		"bad \xff byte":    "bad \uFFFD byte",
		"\xed\xa0\x80":     "\uFFFD\uFFFD\uFFFD", // encoded surrogate: invalid UTF-8
		"\u00a0nbsp\u3000": "nbsp",
		"":                 "",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBadIdent(t *testing.T) {
	for in, want := range map[string]bool{
		"srv01/mysql": false, "ключ": false, "": false,
		"a\x00": true, "a\xff": true, "a\uFFFDb": true,
	} {
		if got := badIdent(in); got != want {
			t.Errorf("badIdent(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("short", 10); got != "short" {
		t.Errorf("short: %q", got)
	}
	long := strings.Repeat("é", 2000)
	got := truncate(long, maxSummary)
	if n := utf8.RuneCountInString(got); n != maxSummary || !strings.HasSuffix(got, "…") {
		t.Errorf("truncate: %d runes, suffix %q", n, got[len(got)-5:])
	}
	if got := truncate(strings.Repeat("é", 1024), maxSummary); runeLen(got) != 1024 || strings.HasSuffix(got, "…") {
		t.Errorf("1024 runes must not be cut")
	}
}

func TestParseTimestampRejects(t *testing.T) {
	for _, in := range []string{"", "yesterday", "2015-07-17", "17/07/2015 08:42", "2015-07-17T25:00:00Z",
		"2015-07-17T08:42:58+0000x", "1437122578"} {
		if got, ok := parseTimestamp(in); ok {
			t.Errorf("parseTimestamp(%q) = %v, want failure", in, got)
		}
	}
}

func TestCleanJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`null`, ``},
		{``, ``},
		{` {"a": 1} `, `{"a": 1}`}, // verbatim, only trimmed
		{`{"big": 12345678901234567890123}`, `{"big": 12345678901234567890123}`},
		{"{\"a\":\"\xff\"}", `{"a":"` + "\uFFFD" + `"}`}, // invalid UTF-8 re-encoded
		{`{"a\u0000":"x\u0000y","n":12345678901234567890123,"h":"<b>"}`, // NUL scrubbed, numbers exact, no HTML escaping, order kept
			`{"a` + "\uFFFD" + `":"x` + "\uFFFD" + `y","n":12345678901234567890123,"h":"<b>"}`},
		{`["\u0000\ud800\ud800\udc00\udfff\uD83D\uDE00\u00e9\\u0000\n"]`, // lone, paired, upper-case, ordinary and escaped escapes
			`["` + "\uFFFD\uFFFD\U00010000\uFFFD😀" + `\u00e9\\u0000\n"]`},
		{`["\ud83d\ude00","\udc00"]`, `["😀","` + "\uFFFD" + `"]`}, // surrogates resolved
		{`{"path":"C:\\u0000x"}`, `{"path":"C:\\u0000x"}`},        // escaped backslash: false positive, same value
	}
	for _, tc := range tests {
		got := cleanJSON(json.RawMessage(tc.in))
		if string(got) != tc.want {
			t.Errorf("cleanJSON(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got != nil && (!json.Valid(got) || !utf8.Valid(got)) {
			t.Errorf("cleanJSON(%q) not valid UTF-8 JSON", tc.in)
		}
	}
}

func TestMapSeverity(t *testing.T) {
	for in, want := range map[string]hypercare.Severity{
		"critical": "critical", "CRIT": "critical", "page": "critical", " P1 ": "critical",
		"error": "error", "Err": "error", "high": "error", "major": "error",
		"warning": "warning", "warn": "warning", "minor": "warning", "medium": "warning",
		"info": "info", "informational": "info", "low": "info", "none": "info",
	} {
		if got, ok := mapSeverity(in); !ok || got != want {
			t.Errorf("mapSeverity(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := mapSeverity("bogus"); ok {
		t.Error("unknown word mapped")
	}
	for word := range strings.SplitSeq(severityWords, ", ") {
		if _, ok := mapSeverity(word); !ok {
			t.Errorf("severityWords lists %q, which does not map", word)
		}
	}
	if got := len(strings.Split(severityWords, ", ")); got != len(severityAliases) {
		t.Errorf("severityWords lists %d words, the table has %d", got, len(severityAliases))
	}
}
