package main

import (
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s ago"}, {59 * time.Second, "59s ago"}, {time.Minute, "1m ago"}, {59*time.Minute + 59*time.Second, "59m ago"},
		{time.Hour, "1h ago"}, {47 * time.Hour, "47h ago"}, {48 * time.Hour, "2d ago"}, {-5 * time.Minute, "in 5m"},
		// A 2h silence created a second ago ended "in 1h": hours were cut
		// down, so it read as ending within the hour. Under 10h the
		// minutes are shown too.
		{-(2*time.Hour - time.Second), "in 1h59m"}, {time.Hour + 30*time.Minute, "1h30m ago"},
		{9*time.Hour + 59*time.Minute, "9h59m ago"}, {10*time.Hour + 30*time.Minute, "10h ago"},
	} {
		if got := ago(now, now.Add(-tc.d)); got != tc.want {
			t.Errorf("ago(-%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestCell(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"plain", 10, "plain"},
		{"tab\there\nnewline\x1b[31mred", 0, "tab here newline [31mred"},
		{"ünïcödé title", 6, "ünïcö…"},
		{"exactly", 7, "exactly"},
	} {
		if got := cell(tc.in, tc.width); got != tc.want {
			t.Errorf("cell(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestWhen(t *testing.T) {
	env := clientEnv{now: func() time.Time { return time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC) }, loc: time.FixedZone("X", 3600)}
	at := time.Date(2026, 11, 25, 13, 55, 0, 0, time.UTC)
	if got := env.when(&at); got != "5m ago (2026-11-25 14:55 X)" {
		t.Errorf("when = %q", got)
	}
	if got := env.when(nil); got != "-" {
		t.Errorf("when(nil) = %q", got)
	}
}
