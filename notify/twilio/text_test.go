package twilio

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/notify"
)

func msg(title, service, ack string) notify.Message {
	return notify.Message{
		Incident:    hypercare.Incident{Number: 42, Title: title, Urgency: hypercare.UrgencyHigh},
		ServiceName: service, AckURL: ack,
	}
}

// segmentsOK reports whether s fits two segments: GSM-7 when every
// character is in the alphabet, else UCS-2.
func segmentsOK(s string) bool {
	for _, r := range s {
		if !isGSM(r) {
			return utf16Len(s) <= MaxUCS2
		}
	}
	return septets(s) <= MaxGSM7
}

// TestTextStaysWithinTwoSegments checks typographic characters and accents
// are transliterated to stay GSM-7, control characters cannot add lines,
// long titles are cut before the reply instructions are, and a mostly
// non-Latin title is sent as UCS-2 within two segments.
func TestTextStaysWithinTwoSegments(t *testing.T) {
	ack := "https://hypercare.example.com/act/" + strings.Repeat("x", 150)
	cases := []struct {
		name, title, service, want string
	}{
		{"typography", "“Payments” — failing… naïve café ñ", "Checkout",
			`#42 [high] "Payments" - failing... naive café ñ (Checkout). Reply 'ack 42' or 'resolve 42'. Ack: ` + ack},
		{"controls", "line1\r\nline2\tend", "Svc", "#42 [high] line1 line2 end (Svc). Reply 'ack 42' or 'resolve 42'. Ack: " + ack},
		{"emoji", "🔥 disk full 🔥", "db", "#42 [high] ? disk full ? (db). Reply 'ack 42' or 'resolve 42'. Ack: " + ack},
	}
	for _, tc := range cases {
		got := Text(msg(tc.title, tc.service, ack))
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		if !segmentsOK(got) {
			t.Errorf("%s: %d septets", tc.name, septets(got))
		}
	}
	long := Text(msg(strings.Repeat("disk full ", 60), strings.Repeat("s", 200), ack))
	if !segmentsOK(long) || !strings.HasSuffix(long, "). Reply 'ack 42' or 'resolve 42'.") ||
		strings.Contains(long, "Ack:") || !strings.Contains(long, "...") {
		t.Errorf("long: %d septets %q", septets(long), long)
	}
	ext := Text(msg(strings.Repeat("{}", 200), "x", ""))
	if !segmentsOK(ext) || septets(ext) > MaxGSM7 {
		t.Errorf("extended characters: %d septets", septets(ext))
	}
	jp := Text(msg("決済サービスが応答しません。データベース接続がタイムアウトしています", "決済", ack))
	if !strings.Contains(jp, "決済サービス") || utf16Len(jp) > MaxUCS2 || !strings.HasSuffix(jp, "'resolve 42'.") {
		t.Errorf("UCS-2: %d units %q", utf16Len(jp), jp)
	}
}

// FuzzText checks every page, whatever its alert text, fits two segments,
// is valid UTF-8 on one line and keeps the reply instructions.
func FuzzText(f *testing.F) {
	f.Add("Checkout down", "Checkout", "https://h/act/t")
	f.Add(strings.Repeat("€", 400), "決済", "")
	f.Add("a\x00\xff\r\n", strings.Repeat("x", 500), strings.Repeat("y", 400))
	f.Fuzz(func(t *testing.T, title, service, ack string) {
		got := Text(msg(title, service, ack))
		if !segmentsOK(got) {
			t.Fatalf("over two segments: %q", got)
		}
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("not one line of UTF-8: %q", got)
		}
		if !strings.Contains(got, "Reply 'ack 42' or 'resolve 42'.") {
			t.Fatalf("no instructions: %q", got)
		}
	})
}

// TestParseReply checks the reply forms understood and refused.
func TestParseReply(t *testing.T) {
	ok := map[string]struct {
		action string
		n      int64
	}{
		"ack 42": {ReplyAck, 42}, " ACK  42 ": {ReplyAck, 42}, "a 7": {ReplyAck, 7}, "Acknowledge #3": {ReplyAck, 3},
		"resolve 42": {ReplyResolve, 42}, "R 1": {ReplyResolve, 1}, "res 9": {ReplyResolve, 9},
		// A phone keyboard ends a sentence for you (iOS: double space).
		"Ack 42.": {ReplyAck, 42}, "resolve 42!": {ReplyResolve, 42},
	}
	for in, want := range ok {
		a, n, err := ParseReply(in)
		if err != nil || a != want.action || n != want.n {
			t.Errorf("%q: %s %d %v", in, a, n, err)
		}
	}
	for _, in := range []string{"", "ack", "42", "ack 0", "ack -1", "ack x", "ack 4 2", "stop", "ack +4", "ack #+4", "ack 99999999999999999999", "ack .", "ack 4.2"} {
		if _, _, err := ParseReply(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// FuzzParseReply checks ParseReply never panics and accepts only a
// positive number with a known action.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"ack 42", "resolve 1", "a #3", "\x00", "ack 1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, n, err := ParseReply(s)
		if err == nil && (n <= 0 || (a != ReplyAck && a != ReplyResolve)) {
			t.Fatalf("%q: %s %d", s, a, n)
		}
	})
}

// TestTwiMLEscapes checks alert text cannot add TwiML verbs.
func TestTwiMLEscapes(t *testing.T) {
	c := Call{Number: 42, Title: `</Say><Dial>+19005550100</Dial><Say>`, Service: "a&b", Urgency: "high"}
	s := string(Script(c, "https://h/hooks/twilio/voice?token=t&x=1"))
	if strings.Contains(s, "<Dial>") || !strings.Contains(s, "&lt;/Say&gt;&lt;Dial&gt;") ||
		!strings.Contains(s, `action="https://h/hooks/twilio/voice?token=t&amp;x=1"`) || !strings.Contains(s, `numDigits="1"`) {
		t.Errorf("script %s", s)
	}
	if m := string(Message("#42 <acknowledged> by Alice")); !strings.HasSuffix(m, "<Response><Message>#42 &lt;acknowledged&gt; by Alice</Message></Response>") {
		t.Errorf("message %s", m)
	}
}
