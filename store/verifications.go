package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hypercare/hypercare"
)

// Contact method verification (migration 0015). Contact methods live in
// the config file, but "this person proved they get messages there" is
// state the file cannot hold, so it is kept here per (user, method) with a
// hash of the address it was proved for. Like the web sessions these are
// methods of *Store only: the API is their one user.

// Verification is one contact method's stored verification state.
type Verification struct {
	UserID, ContactMethod string
	// AddressHash is the hash of the method's type and address the code
	// was sent to; the method counts as verified only while it matches.
	AddressHash string
	// VerifiedAt is when a code was confirmed; zero when never.
	VerifiedAt time.Time
}

// ConfirmOutcome says what a confirmation attempt found. Wrong codes count
// against the attempt limit even though they are refused, so the outcome
// is a value committed with the attempt, not an error that would roll the
// count back.
type ConfirmOutcome int

// Outcomes of ConfirmVerification.
const (
	// Confirmed: the code matched; the method is now verified.
	Confirmed ConfirmOutcome = iota
	// NoPendingCode: no code was sent, or it was already used.
	NoPendingCode
	// AddressChanged: the method's address changed since the code was sent.
	AddressChanged
	// CodeExpired: the code's time ran out.
	CodeExpired
	// TooManyAttempts: the attempt limit was reached; send a new code.
	TooManyAttempts
	// WrongCode: the code did not match; the attempt was counted.
	WrongCode
)

// StartVerification records a new pending code for the method, replacing
// any earlier one and resetting the attempt count. A verification proved
// for another address is dropped: the method is unverified until the new
// code is confirmed.
func (s *Store) StartVerification(ctx context.Context, userID, cmID, addressHash, codeHash string, expires time.Time) error {
	if err := checkText("start verification", "user_id", userID, "contact_method", cmID,
		"address_hash", addressHash, "code_hash", codeHash); err != nil {
		return err
	}
	return s.Write(ctx, "user:"+userID, func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		if _, err := t.execText(ctx, "INSERT INTO contact_verifications "+
			"(user_id, contact_method, address_hash, code_hash, expires_at, attempts, verified_at) "+
			"VALUES ($1, $2, $3, $4, $5, 0, NULL) ON CONFLICT (user_id, contact_method) DO UPDATE SET "+
			"code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0, "+
			"verified_at = CASE WHEN contact_verifications.address_hash = excluded.address_hash "+
			"THEN contact_verifications.verified_at ELSE NULL END, address_hash = excluded.address_hash",
			userID, cmID, addressHash, codeHash, micros(expires)); err != nil {
			return t.s.dbErr(err, "start verification of %s/%s", userID, cmID)
		}
		return nil
	})
}

// ConfirmVerification checks codeHash against the method's pending code at
// now, counting the attempt first (atomically, so parallel guesses cannot
// exceed maxAttempts). On a match the method is marked verified at now and
// the code is used up.
func (s *Store) ConfirmVerification(ctx context.Context, userID, cmID, addressHash, codeHash string,
	maxAttempts int, now time.Time) (ConfirmOutcome, error) {
	if err := checkText("confirm verification", "user_id", userID, "contact_method", cmID,
		"address_hash", addressHash, "code_hash", codeHash); err != nil {
		return 0, err
	}
	var out ConfirmOutcome
	err := s.Write(ctx, "user:"+userID, func(htx hypercare.Tx) error {
		t, err := ownTx(htx)
		if err != nil {
			return err
		}
		var stored, storedAddr string
		var expires int64
		var attempts int
		t.statements++
		err = t.c.conn.QueryRowContext(t.ctx, "UPDATE contact_verifications SET attempts = attempts + 1 "+
			"WHERE user_id = $1 AND contact_method = $2 AND code_hash <> '' "+
			"RETURNING code_hash, address_hash, expires_at, attempts", userID, cmID).
			Scan(&stored, &storedAddr, &expires, &attempts)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			out = NoPendingCode
			return nil
		case err != nil:
			return t.s.dbErr(err, "confirm verification of %s/%s", userID, cmID)
		}
		out = judge(stored, storedAddr, codeHash, addressHash, fromMicros(expires), attempts, maxAttempts, now)
		if out != Confirmed {
			return nil
		}
		if _, err := t.execText(ctx, "UPDATE contact_verifications SET code_hash = '', attempts = 0, "+
			"verified_at = $3 WHERE user_id = $1 AND contact_method = $2", userID, cmID, micros(now)); err != nil {
			return t.s.dbErr(err, "mark %s/%s verified", userID, cmID)
		}
		return nil
	})
	return out, err
}

// judge decides one counted attempt; the limit is checked before the code,
// so a guess past the limit learns nothing.
func judge(stored, storedAddr, code, addr string, expires time.Time, attempts, maxAttempts int, now time.Time) ConfirmOutcome {
	switch {
	case storedAddr != addr:
		return AddressChanged
	case attempts > maxAttempts:
		return TooManyAttempts
	case !now.Before(expires):
		return CodeExpired
	case stored != code:
		return WrongCode
	}
	return Confirmed
}

// AddressHash identifies the address a proof was made for, without
// storing the address (a phone number, a secret hook URL): the API stores
// it with a verification, and a method counts as verified only while its
// address hashes the same.
func AddressHash(cm hypercare.ContactMethod) string {
	sum := sha256.Sum256([]byte("hypercare-address\x00" + string(cm.Type) + "\x00" + cm.Address))
	return hex.EncodeToString(sum[:])
}

// ProvedContactMethods reads the verifications once and returns whether a
// user's contact method was proved by a code for its current address: the
// web pages and readiness combine it with the config's own verified flags,
// as the API does, so a method verified through the API shows verified
// everywhere.
func (s *Store) ProvedContactMethods(ctx context.Context) (func(userID string, cm hypercare.ContactMethod) bool, error) {
	list, err := s.Verifications(ctx)
	if err != nil {
		return nil, err
	}
	proved := make(map[[2]string]string, len(list))
	for _, v := range list {
		proved[[2]string{v.UserID, v.ContactMethod}] = v.AddressHash
	}
	return func(userID string, cm hypercare.ContactMethod) bool {
		h, ok := proved[[2]string{userID, cm.ID}]
		return ok && h == AddressHash(cm)
	}, nil
}

// Verifications returns every method that was ever verified, for the API
// and readiness to combine with the config's own verified flags.
func (s *Store) Verifications(ctx context.Context) ([]Verification, error) {
	rows, err := s.query(ctx, "SELECT user_id, contact_method, address_hash, verified_at "+
		"FROM contact_verifications WHERE verified_at IS NOT NULL ORDER BY user_id, contact_method")
	if err != nil {
		return nil, fmt.Errorf("verifications: %w", err)
	}
	defer rows.Close()
	var out []Verification
	for rows.Next() {
		var v Verification
		var at int64
		if err := rows.Scan(&v.UserID, &v.ContactMethod, &v.AddressHash, &at); err != nil {
			return nil, fmt.Errorf("verifications: %w", err)
		}
		v.VerifiedAt = fromMicros(at)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verifications: %w", err)
	}
	return out, nil
}
