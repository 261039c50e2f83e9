package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hypercare/hypercare"
)

// CreateCalendarFeed records a feed: its ID, its token's hash (never the
// token), what it shows and which API token created it.
func (t *tx) CreateCalendarFeed(ctx context.Context, f *hypercare.CalendarFeed) error {
	if err := checkText("create calendar feed", "id", f.ID, "token_hash", f.TokenHash, "kind", f.Kind,
		"subject", f.Subject, "created_by", f.CreatedBy); err != nil {
		return err
	}
	return t.insert(ctx, qCreateFeed, "calendar feed", f.ID, "this feed or token already exists",
		f.ID, f.TokenHash, f.Kind, f.Subject, f.CreatedBy, micros(f.CreatedAt))
}

// DeleteCalendarFeed revokes a feed: its URL then answers 404.
func (t *tx) DeleteCalendarFeed(ctx context.Context, id string) error {
	if err := checkText("delete calendar feed", "id", id); err != nil {
		return err
	}
	return t.update(ctx, qDeleteFeed, "calendar feed", id, id)
}

// CalendarFeed returns what the feed with tokenHash shows.
func (s *Store) CalendarFeed(ctx context.Context, tokenHash string) (kind, subject string, err error) {
	if err := checkText("calendar feed", "token_hash", tokenHash); err != nil {
		return "", "", err
	}
	err = s.queryRow(ctx, "SELECT kind, subject FROM calendar_feeds WHERE token_hash = $1", tokenHash).
		Scan(&kind, &subject)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", hypercare.Errorf(hypercare.CodeNotFound, "no such calendar feed")
	}
	if err != nil {
		return "", "", fmt.Errorf("calendar feed: %w", err)
	}
	return kind, subject, nil
}

// ListCalendarFeeds returns every feed, oldest first, without tokens.
func (s *Store) ListCalendarFeeds(ctx context.Context) ([]hypercare.CalendarFeed, error) {
	rows, err := s.query(ctx, "SELECT "+feedCols+" FROM calendar_feeds ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list calendar feeds: %w", err)
	}
	out, err := collect(rows, scanFeed)
	if err != nil {
		return nil, fmt.Errorf("list calendar feeds: %w", err)
	}
	return out, nil
}

func scanFeed(r rowScanner, f *hypercare.CalendarFeed) error {
	var created int64
	if err := r.Scan(&f.ID, &f.TokenHash, &f.Kind, &f.Subject, &f.CreatedBy, &created); err != nil {
		return err
	}
	f.CreatedAt = fromMicros(created)
	return nil
}
