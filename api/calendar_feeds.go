package api

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/hypercare/hypercare"
)

// Who may do what with feeds. API tokens are not tied to users, so the
// server cannot tell whether a responder asks for their own shifts: a
// feed of a user's shifts (where they will be, when) is minted by admins
// only, a schedule's feed by responders too. Each feed records the token
// that made it; a responder lists and revokes the feeds their token made,
// an admin every feed.

// createCalendarFeed answers POST /api/v1/{kind}/{id}/calendar: a new feed
// URL, shown this once.
func (s *Server) createCalendarFeed(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var empty struct{}
		if err := decodeJSON(w, r, &empty); err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.linkBase == "" {
			s.writeError(w, r, errNoPublicURL)
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
		p, _ := hypercare.PrincipalFrom(r.Context())
		now := s.clock.Now()
		feed := &hypercare.CalendarFeed{ID: hypercare.NewID(now), Kind: kind, Subject: id, CreatedBy: p.TokenID,
			CreatedAt: now, TokenHash: HashToken(token)}
		err := s.store.Write(r.Context(), "calendar", func(tx hypercare.Tx) error {
			return tx.CreateCalendarFeed(r.Context(), feed)
		})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		path := "/calendar/" + kind + "/" + id + ".ics?token=" + token
		s.writeJSON(w, http.StatusCreated, map[string]string{"id": feed.ID, "url": s.linkBase + path, "path": path})
	}
}

// listCalendarFeeds answers GET /api/v1/calendar_feeds: every feed for an
// admin, the caller's own for a responder. Tokens are never shown again.
func (s *Server) listCalendarFeeds(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListCalendarFeeds(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	out := []hypercare.CalendarFeed{}
	for _, f := range list {
		if p.Role == hypercare.RoleAdmin || f.CreatedBy == p.TokenID {
			out = append(out, f)
		}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"calendar_feeds": out})
}

// revokeCalendarFeed answers DELETE /api/v1/calendar_feeds/{id} with the
// feed revoked: its URL answers 404 from then on.
func (s *Server) revokeCalendarFeed(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	feed, err := s.findFeed(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := hypercare.PrincipalFrom(r.Context())
	if p.Role != hypercare.RoleAdmin && feed.CreatedBy != p.TokenID {
		s.writeError(w, r, hypercare.Errorf(hypercare.CodePermissionDenied,
			"calendar feed %q was not created by token %q; only admins revoke other tokens' feeds", id, p.Name))
		return
	}
	// Who made a feed never changes, so checking before the write is safe;
	// a feed revoked meanwhile makes the delete answer not_found.
	err = s.store.Write(r.Context(), "calendar", func(tx hypercare.Tx) error {
		return tx.DeleteCalendarFeed(r.Context(), id)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"calendar_feed": feed})
}

// findFeed returns the feed with id, or not_found.
func (s *Server) findFeed(r *http.Request, id string) (*hypercare.CalendarFeed, error) {
	list, err := s.store.ListCalendarFeeds(r.Context())
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, hypercare.Errorf(hypercare.CodeNotFound, "calendar feed %q not found", id)
}
