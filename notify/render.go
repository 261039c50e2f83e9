package notify

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Headline is how every chat channel names a page's incident: "#42 Checkout
// 5xx rate high". The title is alert text (untrusted): callers escape the
// result for their medium.
func Headline(m Message) string {
	return fmt.Sprintf("#%d %s", m.Incident.Number, m.Incident.Title)
}

// Truncate shortens s to at most n characters (runes), ending in "…" when
// it cut, so a long alert summary fits a provider's field limit instead of
// getting the whole page refused. Control characters (newlines included)
// become spaces first: a title or a field is one line wherever it is
// shown, and a line break in alert text must not start Markdown blocks.
func Truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// markdownSpecial are the characters that start or end inline markup in
// the chat dialects of Markdown (links and images, emphasis, code, strike,
// spoilers, headings, quotes, autolinks and HTML); CommonMark and Discord
// both let a backslash escape each of them. Harmless punctuation ('.', '-')
// is left alone so titles stay readable where an escape would show.
const markdownSpecial = "\\`*_[]()|<>~"

// EscapeMarkdown makes untrusted text (alert titles, service names) show
// literally in Markdown-rendering chat (Discord, Teams, Mattermost): every
// markup character is backslash-escaped, so "[click](https://evil)" is not
// a link and "**" is not bold, and every '@' is followed by a zero-width
// space, so "@everyone", "@channel" and "@here" never notify a whole team.
// A '#' is escaped only where it could start a heading (at the start of a
// line, before a space or another '#'), so "#42" stays readable.
// Apply Truncate first: cutting after escaping could split an escape.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	for i, r := range s {
		heading := r == '#' && lineStart && (strings.HasPrefix(s[i+1:], " ") || strings.HasPrefix(s[i+1:], "#"))
		lineStart = r == '\n' || (lineStart && r == ' ')
		switch {
		case heading, r < utf8.RuneSelf && strings.ContainsRune(markdownSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '@':
			b.WriteString("@\u200b")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
