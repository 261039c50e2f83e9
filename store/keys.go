package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/hypercare/hypercare"
)

// SigningKeyLen is the size of generated signing keys (256 bits).
const SigningKeyLen = 32

// SigningKey returns the server's secret named name, generating and
// storing a random one the first time. Every node of a cluster gets the
// same key: the first to insert wins, the others read it. The key is kept
// in the clear (it must be usable to sign), so database access is enough
// to mint whatever it signs; see migration 0009.
func (s *Store) SigningKey(ctx context.Context, name string) ([]byte, error) {
	if err := checkText("signing key", "name", name); err != nil {
		return nil, err
	}
	fresh := make([]byte, SigningKeyLen)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("generate signing key %q: %w", name, err)
	}
	err := s.Write(ctx, "signing-key", func(htx hypercare.Tx) error {
		t := htx.(*tx)
		if _, err := t.exec(ctx, qInsertSigningKey, name, hex.EncodeToString(fresh)); err != nil {
			return t.s.dbErr(err, "store signing key %q", name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var stored string
	if err := s.queryRow(ctx, "SELECT secret FROM signing_keys WHERE name = $1", name).Scan(&stored); err != nil {
		return nil, fmt.Errorf("read signing key %q: %w", name, err)
	}
	key, err := hex.DecodeString(stored)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("signing key %q in the database is not valid hex", name)
	}
	return key, nil
}
