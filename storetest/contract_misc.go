package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

func testNotFound(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	_, err := s.GetIncident(ctx, "nope")
	wantCode(t, err, hypercare.CodeNotFound)
	if want := `incident "nope" not found`; hypercare.ErrorMessage(err) != want {
		t.Errorf("message %q, want %q", hypercare.ErrorMessage(err), want)
	}
	_, err = s.GetIncidentByNumber(ctx, 42)
	wantCode(t, err, hypercare.CodeNotFound)
	_, err = s.GetService(ctx, "nope")
	wantCode(t, err, hypercare.CodeNotFound)
	_, err = s.TokenByHash(ctx, "nope")
	wantCode(t, err, hypercare.CodeNotFound)
	_, err = s.IntegrationByKey(ctx, "nope")
	wantCode(t, err, hypercare.CodeNotFound)

	txCases := map[string]func(tx hypercare.Tx) error{
		"tx.GetIncident": func(tx hypercare.Tx) error { _, err := tx.GetIncident(ctx, "nope"); return err },
		"UpdateIncident": func(tx hypercare.Tx) error { return tx.UpdateIncident(ctx, incident("nope", 1, svcCheckout)) },
		"UpdateAlert":    func(tx hypercare.Tx) error { return tx.UpdateAlert(ctx, alert("nope", svcCheckout, "", "k")) },
		"TouchToken":     func(tx hypercare.Tx) error { return tx.TouchToken(ctx, "nope", t0) },
	}
	for name, fn := range txCases {
		err := s.Write(ctx, "k", fn)
		if hypercare.ErrorCode(err) != hypercare.CodeNotFound {
			t.Errorf("%s: %v, want not_found", name, err)
		}
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if a, err := tx.FindOpenAlert(ctx, svcCheckout, "nope"); a != nil || err != nil {
			t.Errorf("FindOpenAlert of nothing = %+v, %v; want nil, nil", a, err)
		}
		if as, err := tx.AlertsOfIncident(ctx, "nope"); len(as) != 0 || err != nil {
			t.Errorf("AlertsOfIncident of nothing = %+v, %v", as, err)
		}
		return nil
	})
}

func testTokens(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := open(t)
	tok := &hypercare.Token{ID: "tok-1", Name: "ci", Role: hypercare.RoleResponder, Hash: "hash-1", CreatedAt: t0}
	tok2 := &hypercare.Token{ID: "tok-2", Name: "admin", Role: hypercare.RoleAdmin, Hash: "hash-2", CreatedAt: at(time.Second)}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.CreateToken(ctx, tok); err != nil {
			return err
		}
		return tx.CreateToken(ctx, tok2)
	})
	got, err := s.TokenByHash(ctx, "hash-1")
	if err != nil || !reflect.DeepEqual(got, tok) {
		t.Fatalf("TokenByHash = %+v, %v; want %+v", got, err, tok)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.TouchToken(ctx, "tok-1", at(time.Hour)) })
	got, err = s.TokenByHash(ctx, "hash-1")
	if err != nil || got.LastUsedAt == nil || !got.LastUsedAt.Equal(at(time.Hour)) {
		t.Fatalf("after touch: %+v, %v", got, err)
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "tok-1" || list[1].ID != "tok-2" {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error {
		return tx.CreateToken(context.Background(), &hypercare.Token{ID: "tok-3", Name: "dup", Role: hypercare.RoleViewer, Hash: "hash-1"})
	})
	wantCode(t, err, hypercare.CodeConflict)

	// A revoked token is found no more, by hash or in the list; the
	// other stays; revoking it again (or an unknown token) is not_found.
	mustWrite(t, s, func(tx hypercare.Tx) error { return tx.DeleteToken(ctx, "tok-1") })
	_, err = s.TokenByHash(ctx, "hash-1")
	wantCode(t, err, hypercare.CodeNotFound)
	if got, err := s.TokenByHash(ctx, "hash-2"); err != nil || got.ID != "tok-2" {
		t.Fatalf("other token after a revocation: %+v, %v", got, err)
	}
	if list, err := s.ListTokens(ctx); err != nil || len(list) != 1 || list[0].ID != "tok-2" {
		t.Fatalf("ListTokens after revocation = %+v, %v", list, err)
	}
	err = s.Write(ctx, "k", func(tx hypercare.Tx) error { return tx.DeleteToken(ctx, "tok-1") })
	wantCode(t, err, hypercare.CodeNotFound)
}
