package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/ical"
	"github.com/hypercare/hypercare/oncall"
)

// Calendar feeds are served at /calendar/{kind}/{id}.ics?token=T, where T is
// an HMAC of kind and id under an installation secret kept in the store:
// unguessable, verifiable without a lookup table, and the same on every
// node. Calendar apps cannot send bearer tokens, hence the token URL.

const (
	calendarSecretName = "calendar_feed_key"
	// feedPast and feedFuture bound the shifts a feed lists.
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 180 * 24 * time.Hour
)

// feedKey returns the installation's feed signing key, creating it once.
func (s *Server) feedKey(r *http.Request) ([]byte, error) {
	var key string
	err := s.store.Write(r.Context(), calendarSecretName, func(tx hypercare.Tx) error {
		var err error
		key, err = tx.Secret(r.Context(), calendarSecretName, func() string {
			var b [32]byte
			_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
			return hex.EncodeToString(b[:])
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(key)
}

func feedToken(key []byte, kind, id string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(kind + ":" + id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// calendarURL answers GET /api/v1/{kind}/{id}/calendar: the feed's URL.
func (s *Server) calendarURL(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !s.feedSubjectExists(kind, id) {
			s.writeError(w, r, hypercare.Errorf(hypercare.CodeNotFound, "%s %q not found", strings.TrimSuffix(kind, "s"), id))
			return
		}
		key, err := s.feedKey(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		path := "/calendar/" + kind + "/" + id + ".ics?token=" + feedToken(key, kind, id)
		writeJSON(w, http.StatusOK, map[string]string{"url": scheme + "://" + r.Host + path, "path": path})
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
	key, err := s.feedKey(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	want := feedToken(key, kind, id)
	if !hmac.Equal([]byte(r.URL.Query().Get("token")), []byte(want)) {
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
