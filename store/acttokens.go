package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// Single-use one-click action tokens (migration 0025). An action token is
// a bearer credential that travels through mail, SMS, push and phone
// providers; recording its first use means a copy replayed later (a
// forwarded mail, a logged Twilio callback) acts on nothing. Like the web
// sessions these are methods of *Store only: the API is their one user.

// ClaimActToken records that the token whose hash is tokenHash is being
// used for action at now, and reports whether this was the first use. The
// row lives until expires (the token's own expiry); each claim prunes the
// rows of tokens that have expired by now.
func (s *Store) ClaimActToken(ctx context.Context, tokenHash, action string, expires, now time.Time) (bool, error) {
	if err := checkText("claim action token", "token_hash", tokenHash, "action", action); err != nil {
		return false, err
	}
	if tokenHash == "" {
		return false, hypercare.InvalidFields("claim action token", hypercare.FieldError{Field: "token_hash", Message: "is required"})
	}
	first := false
	err := s.Write(ctx, "act-token:"+tokenHash, func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		if _, err := t.execText(ctx, "DELETE FROM act_token_uses WHERE expires_at < $1", micros(now)); err != nil {
			return t.s.dbErr(err, "prune used action tokens")
		}
		res, err := t.execText(ctx, "INSERT INTO act_token_uses (token_hash, action, used_at, expires_at) "+
			"VALUES ($1, $2, $3, $4) ON CONFLICT (token_hash) DO NOTHING",
			tokenHash, action, micros(now), micros(expires))
		if err != nil {
			return t.s.dbErr(err, "claim action token")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("claim action token: %w", err)
		}
		first = n == 1
		return nil
	})
	return first, err
}

// ReleaseActToken forgets a claim whose action then failed without
// changing anything, so the token can be tried again.
func (s *Store) ReleaseActToken(ctx context.Context, tokenHash string) error {
	return s.Write(ctx, "act-token:"+tokenHash, func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		if _, err := t.execText(ctx, "DELETE FROM act_token_uses WHERE token_hash = $1", tokenHash); err != nil {
			return t.s.dbErr(err, "release action token")
		}
		return nil
	})
}

// ActTokenUsed reports whether the token whose hash is tokenHash was
// already used, so a confirmation page can say so before any button.
func (s *Store) ActTokenUsed(ctx context.Context, tokenHash string) (bool, error) {
	var one int
	err := s.queryRow(ctx, "SELECT 1 FROM act_token_uses WHERE token_hash = $1", tokenHash).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read used action token: %w", err)
	}
	return true, nil
}
