package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// Announcements (migration 0018): the start and end messages of windows.
// Like the web sessions these are methods of *Store only: the announcement
// engine is their one user.

const announcementCols = "id, subject, edge, occurrence_at, target, message, status, attempts, last_error, " +
	"due_at, lease_until, created_at, sent_at"

// ScheduleAnnouncements inserts the rows that do not exist yet (unique per
// subject, edge, occurrence and target) and returns how many it inserted:
// scheduling the same edge again, on any node, adds nothing.
func (s *Store) ScheduleAnnouncements(ctx context.Context, list []hypercare.Announcement) (int, error) {
	inserted := 0
	err := s.Write(ctx, "announcements", func(htx hypercare.Tx) error {
		inserted = 0
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		for i := range list {
			a := &list[i]
			if err := checkText("schedule announcement", "id", a.ID, "subject", a.Subject, "edge", a.Edge,
				"target", a.Target, "message", a.Message); err != nil {
				return err
			}
			res, err := t.execText(ctx, "INSERT INTO announcements ("+announcementCols+") VALUES "+
				"($1, $2, $3, $4, $5, $6, 'pending', 0, '', $7, NULL, $8, NULL) ON CONFLICT DO NOTHING",
				a.ID, a.Subject, a.Edge, micros(a.OccurrenceAt), a.Target, a.Message, micros(a.DueAt), micros(a.CreatedAt))
			if err != nil {
				return t.s.dbErr(err, "schedule announcement %s %s", a.Subject, a.Edge)
			}
			n, _ := res.RowsAffected()
			inserted += int(n)
		}
		return nil
	})
	return inserted, err
}

// NextAnnouncementDue returns when the earliest waiting announcement is
// due for an attempt (ok false: none).
func (s *Store) NextAnnouncementDue(ctx context.Context) (time.Time, bool, error) {
	return s.minMicros(ctx, "next announcement due",
		"SELECT MIN(CASE WHEN status = 'pending' THEN due_at ELSE lease_until END) "+
			"FROM announcements WHERE status IN ('pending', 'sending')")
}

// ClaimAnnouncements leases due announcements until leaseUntil, counting
// the attempt, leased to this node (lease_node, liveness.go); expired
// leases, and those taken over from a dead node, are claimable again
// (at-least-once, the row ID is the receivers' idempotency key).
func (s *Store) ClaimAnnouncements(ctx context.Context, now, leaseUntil time.Time, limit int) ([]hypercare.Announcement, error) {
	var out []hypercare.Announcement
	err := s.Write(ctx, "announcements", func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		t.statements++
		rows, err := t.c.conn.QueryContext(t.ctx, "UPDATE announcements SET status = 'sending', lease_until = $2, lease_node = "+t.s.d.leaseNode(4, 5)+", "+
			"attempts = attempts + 1 WHERE id IN (SELECT id FROM announcements WHERE status IN ('pending', 'sending') AND "+
			"((status = 'pending' AND due_at <= $1) OR (status = 'sending' AND lease_until <= $1)) "+
			"ORDER BY due_at LIMIT $3"+t.s.d.skipLocked+") RETURNING "+announcementCols,
			t.s.claimArgs(micros(now), micros(leaseUntil), limit, t.s.node)...)
		if err != nil {
			return t.s.dbErr(err, "claim announcements")
		}
		out, err = collect(rows, scanAnnouncement)
		for i := range out {
			out[i].Claimed = out[i].Attempts // this claim's identity: its outcome's condition
		}
		return err
	})
	return out, err
}

// UpdateAnnouncement records a delivery outcome (or a hand-back: the
// attempt count too), releasing the lease. The outcome of an attempt whose
// row was claimed again since (a.Claimed: its lease ended mid-attempt, ran
// out or was taken over from a node seen dead) writes nothing: the later
// attempt owns the row and records its own; it used to be overwritten (a
// failure set it pending, to go once more, over the later "sent").
func (s *Store) UpdateAnnouncement(ctx context.Context, a *hypercare.Announcement) error {
	if err := checkText("update announcement", "id", a.ID, "status", a.Status, "last_error", a.LastError); err != nil {
		return err
	}
	return s.Write(ctx, "announcements", func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		if _, err := t.execText(ctx, "UPDATE announcements SET status = $2, last_error = $3, due_at = $4, "+
			"sent_at = $5, attempts = $6, lease_until = NULL, lease_node = NULL WHERE id = $1 AND ($7 = 0 OR attempts = $7)",
			a.ID, a.Status, a.LastError, micros(a.DueAt), nullMicros(a.SentAt), a.Attempts, a.Claimed); err != nil {
			return t.s.dbErr(err, "update announcement %s", a.ID)
		}
		return nil
	})
}

// ListAnnouncements returns the announcements of a subject, oldest first.
func (s *Store) ListAnnouncements(ctx context.Context, subject string) ([]hypercare.Announcement, error) {
	rows, err := s.query(ctx, "SELECT "+announcementCols+" FROM announcements WHERE subject = $1 "+
		"ORDER BY occurrence_at, edge DESC, target", subject)
	if err != nil {
		return nil, fmt.Errorf("list announcements: %w", err)
	}
	out, err := collect(rows, scanAnnouncement)
	if err != nil {
		return nil, fmt.Errorf("list announcements: %w", err)
	}
	return out, nil
}

func scanAnnouncement(r rowScanner, a *hypercare.Announcement) error {
	var occ, due, created int64
	var lease, sent sql.NullInt64
	if err := r.Scan(&a.ID, &a.Subject, &a.Edge, &occ, &a.Target, &a.Message, &a.Status, &a.Attempts,
		&a.LastError, &due, &lease, &created, &sent); err != nil {
		return err
	}
	a.OccurrenceAt, a.DueAt, a.CreatedAt = fromMicros(occ), fromMicros(due), fromMicros(created)
	a.LeaseUntil, a.SentAt = fromNullMicros(lease), fromNullMicros(sent)
	return nil
}

// OpenAnnouncements returns what a restarted announcer compares with its
// config: every start announcement that was sent with no end announcement
// for the same subject, occurrence and target, and every end announcement
// not yet sent, by subject, occurrence and target. A window the new config
// no longer has that is among them was open when the server stopped, and
// its end is told at start-up (announce.Engine). Once per process start,
// over a table of a few rows per window edge.
func (s *Store) OpenAnnouncements(ctx context.Context) ([]hypercare.Announcement, error) {
	rows, err := s.query(ctx, "SELECT "+announcementCols+" FROM announcements a WHERE "+
		"(a.edge = 'start' AND a.status = 'sent' AND NOT EXISTS (SELECT 1 FROM announcements e WHERE "+
		"e.subject = a.subject AND e.edge = 'end' AND e.occurrence_at = a.occurrence_at AND e.target = a.target)) "+
		"OR (a.edge = 'end' AND a.status IN ('pending', 'sending')) ORDER BY subject, occurrence_at, edge DESC, target")
	if err != nil {
		return nil, s.dbErr(err, "open announcements")
	}
	out, err := collect(rows, scanAnnouncement)
	if err != nil {
		return nil, s.dbErr(err, "open announcements")
	}
	return out, nil
}
