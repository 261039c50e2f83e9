package notify_test

import (
	"strings"
	"testing"

	"github.com/hypercare/hypercare/notify"
)

func TestEscapeMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"[click](https://evil)": `\[click\]\(https://evil\)`,
		"**bold** _it_ ~s~ `c`": `\*\*bold\*\* \_it\_ \~s\~ \` + "`c\\`",
		"@everyone @here":       "@\u200beveryone @\u200bhere",
		"<!channel> <@U1>":      `\<!channel\> \<@` + "\u200b" + `U1\>`,
		"#42 is fine":           "#42 is fine",
		"# Heading":             `\# Heading`,
		"||spoiler|| \\":        `\|\|spoiler\|\| \\`,
		"v1.2-rc":               "v1.2-rc",
	} {
		if got := notify.EscapeMarkdown(in); got != want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := notify.Truncate("héllo wörld", 5); got != "héll…" {
		t.Errorf("got %q", got)
	}
	if got := notify.Truncate("a\r\nb\x1b[31m", 100); got != "a  b [31m" {
		t.Errorf("control characters: %q", got)
	}
	if got := notify.Truncate(strings.Repeat("x", 10), 10); got != strings.Repeat("x", 10) {
		t.Errorf("cut at the limit: %q", got)
	}
	if got := notify.Truncate("\xff", 10); got != "\uFFFD" {
		t.Errorf("invalid UTF-8: %q", got)
	}
}
