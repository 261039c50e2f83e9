package api

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/ical"
	"github.com/hypercare/hypercare/oncall"
)

// Calendar feeds are served at /calendar/{kind}/{id}.ics?token=T: calendar
// apps cannot send bearer tokens, hence a token in the URL. Each feed token
// is random, shown once when the feed is created, and stored only as its
// SHA-256 hash, like API tokens; a leaked URL is revoked by deleting its row.

const (
	// feedPast and feedFuture bound the shifts a feed lists.
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 180 * 24 * time.Hour
)

// createCalendarFeed answers POST /api/v1/{kind}/{id}/calendar: a new feed
// URL, shown this once.
func (s *Server) createCalendarFeed(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var empty struct{}
		if err := decodeJSON(w, r, &empty); err != nil {
			s.writeError(w, r, err)
			return
		}
		id := r.PathValue("id")
		if !s.feedSubjectExists(kind, id) {
			s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "%s %q not found", strings.TrimSuffix(kind, "s"), id))
			return
		}
		var b [32]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
		token := base64.RawURLEncoding.EncodeToString(b[:])
		err := s.store.Write(r.Context(), "calendar", func(tx hypercare.Tx) error {
			return tx.CreateCalendarFeed(r.Context(), HashToken(token), kind, id, s.clock.Now())
		})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		path := "/calendar/" + kind + "/" + id + ".ics?token=" + token
		s.writeJSON(w, http.StatusCreated, map[string]string{"url": s.baseURL(r) + path, "path": path})
	}
}

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
	if (kind != "users" && kind != "schedules") || !s.feedSubjectExists(kind, id) {
		s.writeError(w, r, denied)
		return
	}
	gotKind, subject, err := s.store.CalendarFeed(r.Context(), HashToken(r.URL.Query().Get("token")))
	if err != nil || gotKind != kind || subject != id {
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

func (s *Server) buildCalendar(kind, id string, from, to time.Time) ical.Calendar {
	dir := s.directory()
	cal := ical.Calendar{}
	add := func(schedID string, sh oncall.Shift) {
		name := dir.Users[sh.User].Name
		cal.Events = append(cal.Events, ical.Event{
			UID:   schedID + "/" + sh.User + "/" + sh.Start.UTC().Format("20060102T150405Z") + "@hypercare",
			Start: sh.Start, End: sh.End,
			Summary:     "On call: " + schedID + " (" + name + ")",
			Description: "Hypercare on-call shift on schedule " + schedID + ", from " + sh.Layer + ".",
		})
	}
	if kind == "schedules" {
		cal.Name = "On call: " + id
		for _, sh := range dir.Schedules[id].Shifts(from, to) {
			add(id, sh)
		}
		return cal
	}
	cal.Name = "On call: " + dir.Users[id].Name
	for _, sid := range sortedKeys(dir.Schedules) {
		for _, sh := range dir.Schedules[sid].Shifts(from, to) {
			if sh.User == id {
				add(sid, sh)
			}
		}
	}
	return cal
}

// baseURL is where users reach this server: the configured public URL, or
// else the request's own scheme and host.
func (s *Server) baseURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
