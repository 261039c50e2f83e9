package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// textOrderIDs are IDs that byte order and a language's collation sort
// differently: case, and punctuation that en-US ignores at first.
var textOrderIDs = []string{"web_api", "checkout", "Payments", "web-api", "webapi", "Web2", "a-1", "a_1", "A2"}

// RunTextOrder runs the text-order contract alone, for engines the whole
// contract does not run on (PostgresEnUS).
func RunTextOrder(t *testing.T, open func(testing.TB) *store.Store) { testTextOrder(t, open) }

// testTextOrder: what the store orders by text it orders by bytes (as
// SQLite does), whatever the PostgreSQL database's collation: the
// service, team and integration listings, and which of the equally noisy
// alerts make the noisiest list.
func testTextOrder(t *testing.T, open func(testing.TB) *store.Store) {
	s := open(t)
	ctx := context.Background()
	var teams []hypercare.Team
	var services []hypercare.Service
	var integrations []hypercare.Integration
	for i, id := range textOrderIDs {
		teams = append(teams, hypercare.Team{ID: id, Name: id})
		services = append(services, hypercare.Service{ID: id, Name: id, TeamID: id, Active: true})
		key := []byte("00000000000000000000000000000000")
		key[31] = byte('a' + i)
		integrations = append(integrations, hypercare.Integration{ID: id, ServiceID: id, Type: hypercare.IntegrationEventsV2, Key: string(key)})
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if err := tx.ApplyCatalog(ctx, teams, services, integrations); err != nil {
			return err
		}
		for i, key := range textOrderIDs {
			ev := event("ev-" + string(rune('a'+i)))
			ev.ServiceID, ev.IntegrationID, ev.DedupKey = textOrderIDs[0], textOrderIDs[0], key
			if err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	want := slices.Clone(textOrderIDs)
	slices.Sort(want) // byte order
	check := func(what string, got []string, err error, want []string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want byte order %q", what, got, want)
		}
	}
	svcs, err := s.ListServices(ctx)
	check("ListServices", textKeys(svcs, func(v hypercare.Service) string { return v.ID }), err, want)
	tms, err := s.ListTeams(ctx)
	check("ListTeams", textKeys(tms, func(v hypercare.Team) string { return v.ID }), err, want)
	ins, err := s.ListIntegrations(ctx)
	check("ListIntegrations", textKeys(ins, func(v hypercare.Integration) string { return v.ID }), err, want)
	keys, err := s.NoisiestKeys(ctx, t0, t0.Add(time.Hour), "", 3)
	check("NoisiestKeys (all tied)", textKeys(keys, func(k hypercare.KeyCount) string { return k.DedupKey }), err, want[:3])
}

// textKeys maps items to their keys, in order.
func textKeys[T any](items []T, key func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, key(it))
	}
	return out
}
