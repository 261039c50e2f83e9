package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// The web UI's login state: password hashes of config users and browser
// sessions (migration 0013). These are methods of *Store, not of the
// hypercare.Store interface, because only the web package and the
// set-password command use them; both run over this one implementation.

// SetPassword stores userID's password hash and deletes every session the
// user has, so a changed password logs out every browser that knew the
// old one. hash is the bcrypt hash, never the password.
func (s *Store) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	if err := checkText("set password", "user_id", userID, "hash", hash); err != nil {
		return err
	}
	return s.Write(ctx, "user:"+userID, func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		if _, err := t.execText(ctx, "INSERT INTO user_passwords (user_id, hash, updated_at) VALUES ($1, $2, $3) "+
			"ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
			userID, hash, micros(at)); err != nil {
			return t.s.dbErr(err, "set password of %q", userID)
		}
		if _, err := t.execText(ctx, "DELETE FROM web_sessions WHERE user_id = $1", userID); err != nil {
			return t.s.dbErr(err, "revoke sessions of %q", userID)
		}
		return nil
	})
}

// PasswordHash returns userID's stored password hash, or not_found when
// the user never had a password set.
func (s *Store) PasswordHash(ctx context.Context, userID string) (string, error) {
	if err := checkText("password hash", "user_id", userID); err != nil {
		return "", err
	}
	var hash string
	err := s.queryRow(ctx, "SELECT hash FROM user_passwords WHERE user_id = $1", userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", hypercare.Errorf(hypercare.CodeNotFound, "no password set for this user")
	}
	if err != nil {
		return "", fmt.Errorf("password hash: %w", err)
	}
	return hash, nil
}

// CreateSession records a session by its token's hash; the user's expired
// sessions are deleted in the same write, so the table stays small.
func (s *Store) CreateSession(ctx context.Context, tokenHash, userID string, created, expires time.Time) error {
	if err := checkText("create session", "token_hash", tokenHash, "user_id", userID); err != nil {
		return err
	}
	return s.Write(ctx, "user:"+userID, func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		if _, err := t.execText(ctx, "DELETE FROM web_sessions WHERE user_id = $1 AND expires_at <= $2",
			userID, micros(created)); err != nil {
			return t.s.dbErr(err, "prune sessions of %q", userID)
		}
		if _, err := t.execText(ctx, "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) "+
			"VALUES ($1, $2, $3, $4)", tokenHash, userID, micros(created), micros(expires)); err != nil {
			return t.s.dbErr(err, "create session of %q", userID)
		}
		return nil
	})
}

// SessionUser returns the user of the unexpired session whose token hashes
// to tokenHash, or not_found (unknown, expired or revoked).
func (s *Store) SessionUser(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	if err := checkText("session", "token_hash", tokenHash); err != nil {
		return "", err
	}
	var user string
	err := s.queryRow(ctx, "SELECT user_id FROM web_sessions WHERE token_hash = $1 AND expires_at > $2",
		tokenHash, micros(now)).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return "", hypercare.Errorf(hypercare.CodeNotFound, "no such session")
	}
	if err != nil {
		return "", fmt.Errorf("session: %w", err)
	}
	return user, nil
}

// DeleteSession ends a session (logout); an unknown one is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := checkText("delete session", "token_hash", tokenHash); err != nil {
		return err
	}
	return s.Write(ctx, "session", func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		if _, err := t.execText(ctx, "DELETE FROM web_sessions WHERE token_hash = $1", tokenHash); err != nil {
			return t.s.dbErr(err, "delete session")
		}
		return nil
	})
}

// ownTx returns the store's own transaction behind a hypercare.Tx.
func ownTx(htx hypercare.Tx) (*tx, error) {
	t, ok := htx.(*tx)
	if !ok {
		return nil, fmt.Errorf("store: unexpected transaction type %T", htx)
	}
	return t, nil
}

// execText runs a statement given as text: the rare writes of the login
// path are not worth a prepared slot in the write path's statement table.
func (t *tx) execText(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.statement(ctx); err != nil {
		return nil, err
	}
	t.noteText(query)
	return t.c.conn.ExecContext(t.ctx, query, args...)
}
