package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testSilencesNow: ActiveSilences at the wall clock's time (a server's;
// PostgreSQL reads them with the batch's BEGIN, for now, and answers
// later times of the batch from that) gives the silences not ended then,
// sees a silence expired by the write before, and filters a later time
// of the same batch.
func testSilencesNow(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := t.Context()
	s := openSeeded(t, open)
	now := time.Now().Truncate(time.Microsecond)
	silence := func(id string, starts, ends time.Duration) *hypercare.Silence {
		return &hypercare.Silence{ID: id, Matchers: []string{`env="prod"`}, StartsAt: now.Add(starts),
			EndsAt: now.Add(ends), Comment: id, CreatedBy: "alice", CreatedAt: now.Add(-time.Hour)}
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, sl := range []*hypercare.Silence{silence("ends-soon", -time.Hour, 30*time.Minute),
			silence("ended", -time.Hour, -time.Minute), silence("later", time.Hour, 2*time.Hour)} {
			if err := tx.InsertSilence(ctx, sl); err != nil {
				return err
			}
		}
		return nil
	})
	active := func(tx hypercare.Tx, after time.Duration) []string {
		list, err := tx.ActiveSilences(ctx, time.Now().Add(after))
		if err != nil {
			t.Fatalf("active silences: %v", err)
		}
		ids := []string{}
		for _, sl := range list {
			ids = append(ids, sl.ID)
		}
		slices.Sort(ids)
		return ids
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if got, want := active(tx, 0), []string{"ends-soon", "later"}; !slices.Equal(got, want) {
			t.Errorf("active now: %v, want %v", got, want)
		}
		if got, want := active(tx, 45*time.Minute), []string{"later"}; !slices.Equal(got, want) {
			t.Errorf("active in 45 minutes, same batch: %v, want %v", got, want)
		}
		return nil
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		_, err := tx.ExpireSilence(ctx, "ends-soon", time.Now().Add(-time.Second))
		return err
	})
	mustWrite(t, s, func(tx hypercare.Tx) error {
		if got, want := active(tx, 0), []string{"later"}; !slices.Equal(got, want) {
			t.Errorf("active after expiring ends-soon: %v, want %v", got, want)
		}
		return nil
	})
}
