package announce

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/correlate"
)

// openStore is the store's read of announcements still open (store.Store
// has it); a store without it announces no ends at start-up.
type openStore interface {
	OpenAnnouncements(ctx context.Context) ([]hypercare.Announcement, error)
}

// endRemoved is the restart's counterpart of cutEnds, run by the first
// pass of a process. A reload compares the new subjects with the old
// ones in memory; a restart has only the store: a start announcement
// sent with no end, of a subject the config no longer has, is a window
// that was open when the server stopped and has been removed since. Its
// end is announced now to whoever was told of its start, unless the
// occurrence ended more than Grace ago (a window long over is not
// announced late, as by the edges). A subject the config still has ends
// by its own edges; one it keeps without announce_to says nothing.
//
// The store keeps no addresses of direct targets (webhook URLs carry
// secrets), so a removed subject's direct targets are found among the
// current subjects' (the same Slack channel announced for another
// window); a user's method is found in the directory at send time. An
// end nobody can be reached for is recorded failed ("no longer exists").
// A removed subject's unsent end rows (a reload's cutEnds, or this, before
// another restart) are addressed the same way.
func (e *Engine) endRemoved(ctx context.Context, cur *Subjects, now time.Time) error {
	st, ok := e.store.(openStore)
	if !ok {
		return nil
	}
	open, err := st.OpenAnnouncements(ctx)
	if err != nil {
		return fmt.Errorf("read open announcements: %w", err)
	}
	var ends []hypercare.Announcement
	for _, a := range open {
		if _, kept := cur.byRef[a.Subject]; kept || cur.quiet[a.Subject] {
			continue
		}
		e.mu.Lock()
		if _, known := e.gone[a.Subject]; !known {
			e.gone[a.Subject] = Subject{Ref: a.Subject, Targets: directTargets(cur)}
		}
		e.mu.Unlock()
		if a.Edge != correlate.EdgeStart {
			continue
		}
		msg, until, ok := endOf(a.Subject, a.Message)
		if !ok {
			e.log.Warn("cannot tell the end of a removed window from its start announcement",
				slog.String("subject", a.Subject), slog.String("announcement", a.ID))
			continue
		}
		if until.Before(now.Add(-Grace)) {
			continue // ended long ago, while the server was down
		}
		ends = append(ends, hypercare.Announcement{ID: hypercare.NewID(now), Subject: a.Subject, Edge: correlate.EdgeEnd,
			OccurrenceAt: a.OccurrenceAt, Target: a.Target, Message: msg, DueAt: now, CreatedAt: now})
	}
	if len(ends) == 0 {
		return nil
	}
	if _, err := e.store.ScheduleAnnouncements(ctx, ends); err != nil {
		return fmt.Errorf("schedule the ends of windows removed while the server was down: %w", err)
	}
	return nil
}

// directTargets are the direct targets of every current subject, by
// which a removed subject's direct recipient (stored as a hash) is
// addressed.
func directTargets(cur *Subjects) []hypercare.AnnounceTarget {
	var out []hypercare.AnnounceTarget
	for _, ref := range cur.order {
		for _, t := range cur.byRef[ref].Targets {
			if t.User == "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// endOf reads back the text (Message) of the start announcement of the
// subject ref: the text of the matching end announcement and the end of
// the occurrence it named. The store keeps no more of a removed window
// than that text and ref. The text starts with the subject's Kind and ID,
// known from ref, so a name or scope holding " started: " (a window named
// "Launch started: v2", a matcher on a log line) is not taken for the
// separator: without a name, it follows the ID; with one, it follows the
// ")" that closes the parenthesis opened after the ID. Message writes a
// name whose parentheses do not balance Go-quoted (nameText), so that
// ")" is found whatever the name holds: after the quoted string, or
// after the name's own balanced parentheses. The ", until " is the last
// one, as a scope may hold that too.
func endOf(ref, start string) (msg string, until time.Time, ok bool) {
	kind, id, _ := strings.Cut(ref, ":")
	prefix := kindWord(kind) + " " + id
	if kindWord(kind) == "" || !strings.HasPrefix(start, prefix) {
		return "", time.Time{}, false
	}
	i := startedAt(start, len(prefix))
	j := strings.LastIndex(start, untilSep)
	if i < 0 || j < i+len(startedSep) {
		return "", time.Time{}, false
	}
	rest := start[j+len(untilSep):]
	if len(rest) <= len(untilLayout)+1 {
		return "", time.Time{}, false
	}
	loc, err := time.LoadLocation(rest[len(untilLayout)+1:])
	if err != nil {
		return "", time.Time{}, false
	}
	until, err = time.ParseInLocation(untilLayout, rest[:len(untilLayout)], loc)
	if err != nil {
		return "", time.Time{}, false
	}
	return start[:i] + endedSep + start[i+len(startedSep):j], until, true
}

// startedAt is the index in start of the startedSep that ends the
// subject's name, the part of Message after its Kind and ID (at n), or -1.
// A quoted name (nameText) ends at its closing quote; any other is
// scanned for the ")" that balances the one opened before it. Text from
// before names were quoted with a ")" of their own before " started: "
// is cut there, as it was then (it cannot be told apart).
func startedAt(start string, n int) int {
	if strings.HasPrefix(start[n:], startedSep) {
		return n
	}
	if !strings.HasPrefix(start[n:], " (") {
		return -1
	}
	if q, err := strconv.QuotedPrefix(start[n+2:]); err == nil && q[0] == '"' {
		if k := n + 2 + len(q); strings.HasPrefix(start[k:], ")"+startedSep) {
			return k + 1
		}
	}
	depth := 1
	for k := n + 2; k < len(start); k++ {
		switch start[k] {
		case '(':
			depth++
		case ')':
			depth--
			if depth <= 0 && strings.HasPrefix(start[k+1:], startedSep) {
				return k + 1
			}
		}
	}
	return -1
}
