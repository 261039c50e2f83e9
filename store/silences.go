package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// Silences (migration 0018) are few and written rarely (a person creates
// or expires one), so their statements are given as text rather than
// taking slots in the write path's prepared table.

const silenceCols = "id, matchers, services, starts_at, ends_at, comment, created_by, created_at, expired_at"

// InsertSilence records a new silence.
func (t *tx) InsertSilence(ctx context.Context, s *hypercare.Silence) error {
	if err := checkSilence("insert silence", s); err != nil {
		return err
	}
	matchers, services, err := silenceLists(s)
	if err != nil {
		return err
	}
	if t.c.silences != nil {
		t.c.silences.written()
	}
	res, err := t.execText(ctx, "INSERT INTO silences ("+silenceCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "+
		"ON CONFLICT DO NOTHING", s.ID, matchers, services, micros(s.StartsAt), micros(s.EndsAt), s.Comment,
		s.CreatedBy, micros(s.CreatedAt), nullMicros(s.ExpiredAt))
	if err != nil {
		return t.s.dbErr(err, "insert silence %q", s.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return hypercare.Errorf(hypercare.CodeConflict, "silence %q already exists", s.ID)
	}
	return nil
}

// ExpireSilence ends the silence at at (if it had not ended yet) and
// returns it; expiring an expired silence changes nothing.
func (t *tx) ExpireSilence(ctx context.Context, id string, at time.Time) (*hypercare.Silence, error) {
	if err := checkText("expire silence", "id", id); err != nil {
		return nil, err
	}
	if t.c.silences != nil {
		t.c.silences.written()
	}
	if _, err := t.execText(ctx, "UPDATE silences SET ends_at = $2, expired_at = $2, "+
		"starts_at = CASE WHEN starts_at > $2 THEN $2 ELSE starts_at END WHERE id = $1 AND ends_at > $2",
		id, micros(at)); err != nil {
		return nil, t.s.dbErr(err, "expire silence %q", id)
	}
	t.statements++
	s := new(hypercare.Silence)
	err := scanSilence(t.c.conn.QueryRowContext(t.ctx, "SELECT "+silenceCols+" FROM silences WHERE id = $1", id), s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hypercare.Errorf(hypercare.CodeNotFound, "silence %q not found", id)
	}
	if err != nil {
		return nil, t.s.dbErr(err, "read silence %q", id)
	}
	return s, nil
}

// ActiveSilences returns the silences that have not ended at at (active
// or still to start), oldest first.
func (t *tx) ActiveSilences(ctx context.Context, at time.Time) ([]hypercare.Silence, error) {
	if t.c.silences != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if list, ok := t.c.silences.active(micros(at)); ok {
			return list, nil
		}
	}
	list, err := queryList(ctx, t, qActiveSilences, []any{micros(at)}, scanSilence)
	if err != nil {
		return nil, t.s.dbErr(err, "active silences")
	}
	if t.c.silences != nil {
		t.c.silences.read(micros(at), list)
	}
	return list, nil
}

// SuppressedIncidents returns the IDs of the unresolved incidents whose
// first page ref ("silence:ID", "maintenance:ID") holds, oldest first.
func (t *tx) SuppressedIncidents(ctx context.Context, ref string) ([]string, error) {
	if err := checkText("suppressed incidents", "suppressed_by", ref); err != nil {
		return nil, err
	}
	t.statements++
	rows, err := t.c.conn.QueryContext(t.ctx, suppressedIncidentsSQL, ref)
	if err != nil {
		return nil, t.s.dbErr(err, "incidents suppressed by %s", ref)
	}
	return collect(rows, func(r rowScanner, id *string) error { return r.Scan(id) })
}

// HoldingRefs returns the windows and silences ("kind:id") that hold the
// first page of some unresolved incident, each once.
func (t *tx) HoldingRefs(ctx context.Context) ([]string, error) {
	t.statements++
	rows, err := t.c.conn.QueryContext(t.ctx, holdingRefsSQL)
	if err != nil {
		return nil, t.s.dbErr(err, "refs holding incidents")
	}
	return collect(rows, func(r rowScanner, ref *string) error { return r.Scan(ref) })
}

// holdingRefsSQL reads the partial index incidents_suppressed_by alone.
const holdingRefsSQL = "SELECT DISTINCT suppressed_by FROM incidents WHERE suppressed_by <> '' " +
	"AND status <> 'resolved' ORDER BY suppressed_by"

// suppressedIncidentsSQL reads the partial index incidents_suppressed_by;
// its suppressed_by <> ” term lets SQLite use it.
const suppressedIncidentsSQL = "SELECT id FROM incidents WHERE suppressed_by = $1 AND suppressed_by <> '' " +
	"AND status <> 'resolved' ORDER BY number"

// ListLiveSilences returns the silences not ended at at, newest first, at
// most limit (a range of silences_ends; byCreation says why).
func (s *Store) ListLiveSilences(ctx context.Context, at time.Time, limit int) ([]hypercare.Silence, error) {
	return readAll(ctx, s, "list live silences", liveSilencesSQL, []any{micros(at), limit}, scanSilence)
}

// liveSilencesSQL is ListLiveSilences' read.
const liveSilencesSQL = "SELECT " + silenceCols + " FROM silences WHERE ends_at > $1 " +
	"ORDER BY " + byCreation + " DESC, id DESC LIMIT $2"

// byCreation orders the reads of silences not yet ended by creation time
// without silences_created: the unary + keeps both engines from walking
// that index (every silence ever made, kept until retention prunes it)
// for the few not yet ended, which silences_ends finds as a range.
const byCreation = "+created_at"

// ListSilences returns one page of the silences f selects, newest first
// (created_at, then ID), and the next page's cursor ("" after the last).
func (s *Store) ListSilences(ctx context.Context, f hypercare.SilenceFilter) ([]hypercare.Silence, string, error) {
	text, args, limit, err := listSilencesSQL(f)
	if err != nil {
		return nil, "", err
	}
	return listPage(ctx, s, "silences", text, args, limit, scanSilence,
		func(sl *hypercare.Silence) string { return pairCursor(micros(sl.CreatedAt), sl.ID) })
}

// listSilencesSQL builds ListSilences' read: a keyset page on (created_at,
// id), the state a condition on the times. All silences and the expired
// ones (most of them) are read in silences_created's order; the pending and
// active ones (not ended) as a range of silences_ends (byCreation).
func listSilencesSQL(f hypercare.SilenceFilter) (string, []any, int, error) {
	var q query
	at := micros(f.At)
	order := "created_at"
	switch f.State {
	case "":
	case "pending":
		q.where("ends_at > " + q.arg(at))
		q.where("starts_at > " + q.arg(at))
		order = byCreation
	case "active":
		q.where("ends_at > " + q.arg(at))
		q.where("starts_at <= " + q.arg(at))
		order = byCreation
	case "expired":
		q.where("ends_at <= " + q.arg(at))
	default:
		return "", nil, 0, hypercare.InvalidFields("list silences: invalid argument",
			hypercare.FieldError{Field: "state", Message: "must be pending, active or expired"})
	}
	if f.Cursor != "" {
		created, id, err := decodePairCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		c, i := q.arg(created), q.arg(id)
		q.where("(created_at < " + c + " OR (created_at = " + c + " AND id < " + i + "))")
	}
	limit := pageLimit(f.Page)
	return "SELECT " + silenceCols + " FROM silences" + q.sql() + " ORDER BY " + order + " DESC, id DESC LIMIT " +
		q.arg(limit+1), q.args, limit, nil
}

// GetSilence returns the silence with id, or not_found.
func (s *Store) GetSilence(ctx context.Context, id string) (*hypercare.Silence, error) {
	if err := checkText("get silence", "id", id); err != nil {
		return nil, err
	}
	return getOne(ctx, s, "SELECT "+silenceCols+" FROM silences WHERE id = $1", id, scanSilence,
		func() error { return hypercare.Errorf(hypercare.CodeNotFound, "silence %q not found", id) })
}

func scanSilence(r rowScanner, s *hypercare.Silence) error {
	var matchers, services string
	var starts, ends, created int64
	var expired sql.NullInt64
	if err := r.Scan(&s.ID, &matchers, &services, &starts, &ends, &s.Comment, &s.CreatedBy, &created, &expired); err != nil {
		return err
	}
	s.StartsAt, s.EndsAt, s.CreatedAt, s.ExpiredAt = fromMicros(starts), fromMicros(ends), fromMicros(created), fromNullMicros(expired)
	if err := json.Unmarshal([]byte(matchers), &s.Matchers); err != nil {
		return fmt.Errorf("silence %s matchers: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(services), &s.Services); err != nil {
		return fmt.Errorf("silence %s services: %w", s.ID, err)
	}
	return nil
}

// silenceLists encodes the silence's lists as JSON arrays (never null).
func silenceLists(s *hypercare.Silence) (string, string, error) {
	m, err := json.Marshal(append([]string{}, s.Matchers...))
	if err != nil {
		return "", "", fmt.Errorf("encode matchers: %w", err)
	}
	sv, err := json.Marshal(append([]string{}, s.Services...))
	if err != nil {
		return "", "", fmt.Errorf("encode services: %w", err)
	}
	return string(m), string(sv), nil
}

func checkSilence(op string, s *hypercare.Silence) error {
	var c textCheck
	c.str("id", s.ID)
	c.str("comment", s.Comment)
	c.str("created_by", s.CreatedBy)
	for _, m := range s.Matchers {
		c.str("matchers", m)
	}
	for _, sv := range s.Services {
		c.str("services", sv)
	}
	return c.err(op, s.ID)
}
