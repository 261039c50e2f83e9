package api

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/ical"
	"github.com/hypercare/hypercare/oncall"
)

// Calendar feeds are served at /calendar/{kind}/{id}.ics?token=T: calendar
// apps cannot send bearer tokens, hence a token in the URL. Each feed token
// is random, shown once when the feed is created, and stored only as its
// SHA-256 hash, like API tokens; a leaked URL is revoked with
// DELETE /api/v1/calendar_feeds/{id} (calendar_feeds.go).

const (
	// feedPast and feedFuture bound the shifts a feed lists.
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 180 * 24 * time.Hour
)

func (s *Server) feedSubjectExists(kind, id string) bool {
	dir := s.directory()
	if kind == "users" {
		_, ok := dir.Users[id]
		return ok
	}
	_, ok := dir.Schedules[id]
	return ok
}

// calendarFeed serves GET /calendar/{kind}/{file}: a schedule's shifts, or
// one user's shifts on every schedule, as iCalendar.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	kind, id := r.PathValue("kind"), strings.TrimSuffix(r.PathValue("file"), ".ics")
	denied := hypercare.Errorf(hypercare.CodeNotFound, "no such calendar feed")
	if kind != "users" && kind != "schedules" {
		s.writeError(w, r, denied)
		return
	}
	// The token is looked up before the subject is, whatever the subject:
	// checking the subject first answered an unknown one at once (and 404
	// while the store failed, where a known one got 500), so its timing and
	// status told someone without a token which users and schedules exist.
	gotKind, subject, err := s.store.CalendarFeed(r.Context(), HashToken(r.URL.Query().Get("token")))
	if c := hypercare.ErrorCode(err); err != nil && c != hypercare.CodeNotFound && c != hypercare.CodeInvalid {
		// A failing store is not a missing feed: a 5xx (logged, counted)
		// is retried by calendar apps, a 404 tells them the feed is gone.
		// It answers the same whatever the token, so it reveals nothing.
		s.writeError(w, r, err)
		return
	}
	if err != nil || gotKind != kind || subject != id || !s.feedSubjectExists(kind, id) {
		s.writeError(w, r, denied) // the same answer, so feeds cannot be probed
		return
	}
	now := s.clock.Now()
	cal := s.buildCalendar(kind, id, now.Add(-feedPast), now.Add(feedFuture))
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	if err := ical.Write(w, cal, now); err != nil {
		s.log.Warn("write calendar feed", "error", err)
	}
}

// buildCalendar lists the shifts of a schedule, or of one user on every
// schedule, between from and to, and the hypercare windows that concern
// them (calendar_peak.go).
func (s *Server) buildCalendar(kind, id string, from, to time.Time) ical.Calendar {
	dir := s.directory()
	cal := ical.Calendar{}
	reach := windowsIn(dir, from, to)
	// Shifts are whole (not cut at the window's edges) and their UID is
	// made of the feed's subject, schedule, user and start only, so every
	// fetch names the same shift the same way and calendar apps update it
	// instead of adding a copy. The subject keeps the UID of a shift in a
	// schedule's feed apart from the same shift in the user's feed: calendar
	// apps take a UID as globally unique, so a responder subscribed to both
	// would otherwise see one copy dropped or overwritten by the other.
	uid := func(local string) string { return kind + "/" + id + "/" + local + "@hypercare" }
	add := func(schedID string, sh oncall.Shift) {
		name := dir.Users[sh.User].Name
		e := ical.Event{
			UID:   uid(schedID + "/" + sh.User + "/" + sh.Start.UTC().Format("20060102T150405Z")),
			Start: sh.Start, End: sh.End,
			Summary:     "On call: " + schedID + " (" + name + ")",
			Description: "Hypercare on-call shift on schedule " + schedID + ", from " + sh.Layer + ".",
		}
		markShift(&e, schedID, reach)
		cal.Events = append(cal.Events, e)
	}
	if kind == "schedules" {
		cal.Name = "On call: " + id
		for _, sh := range dir.Schedules[id].WholeShifts(from, to) {
			add(id, sh)
		}
	} else {
		cal.Name = "On call: " + dir.Users[id].Name
		for _, sid := range sortedKeys(dir.Schedules) {
			for _, sh := range dir.Schedules[sid].WholeShifts(from, to) {
				if sh.User == id {
					add(sid, sh)
				}
			}
		}
	}
	for _, r := range reach {
		if r.concerns(dir, kind, id) {
			e := windowEvent(dir, r)
			e.UID = uid("window/" + r.w.ID)
			cal.Events = append(cal.Events, e)
		}
	}
	return cal
}

// linkBase is the base of links the server hands out: the public URL, or
// http://ADDR when the listener is bound to one specific address, or ""
// (no links) on a wildcard address without a public URL.
func linkBase(publicURL, listenAddr string) string {
	if publicURL != "" {
		return strings.TrimRight(publicURL, "/")
	}
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return ""
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.IsUnspecified() || port == "0" {
		return ""
	}
	return "http://" + net.JoinHostPort(ip.String(), port)
}

// errNoPublicURL is why a link cannot be minted: the request's Host header
// is the client's choice, so it is never used to build one.
var errNoPublicURL = hypercare.Errorf(hypercare.CodeConflict,
	"the server does not know its public address: it listens on all interfaces and was started without "+
		"--public-url; an admin must restart it with --public-url https://hypercare.example.com "+
		"(or HYPERCARE_PUBLIC_URL) before feed links can be created")
