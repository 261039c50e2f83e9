package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// A verification code pending before migration 0025 was hashed without a
// server key, so it can never match a keyed hash: the migration expires
// it (the user is told to send a new code) and keeps methods already
// verified.
func TestMigration0025ExpiresUnkeyedCodes(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		o := openOld(t, e.Options(t))
		o.applyBelow(25)
		exec := o.exec
		later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
		exec("INSERT INTO contact_verifications (user_id, contact_method, address_hash, code_hash, expires_at, attempts, verified_at) "+
			"VALUES ('alice', 'alice-sms', 'a1', 'unkeyed', $1, 0, NULL), ('bob', 'bob-sms', 'b1', '', 0, 0, 5)", later)
		s := o.upgrade()
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		if out, err := s.ConfirmVerification(ctx, "alice", "alice-sms", "a1", "unkeyed", 5, now); err != nil || out != store.CodeExpired {
			t.Fatalf("pending code after 0025 = %v, %v; want CodeExpired", out, err)
		}
		list, err := s.Verifications(ctx)
		if err != nil || len(list) != 1 || list[0].UserID != "bob" {
			t.Fatalf("verified methods after 0025 = %+v, %v", list, err)
		}
	})
}
