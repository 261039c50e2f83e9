package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
)

// testSilencePages: ListSilences pages newest first (created_at, then ID
// for silences created at the same instant) with a cursor that loses and
// repeats none, past the 1,000 a single answer holds; a state filter
// applies before the page is cut, so a page of active silences is full
// however many expired ones are newer; a cursor this list did not return
// is invalid_argument.
func testSilencePages(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s := openSeeded(t, open)
	const n = 1203
	var batch []*hypercare.Silence
	for i := range n {
		// Three share each created_at, so the ID must break ties; every
		// third ended an hour in (expired at +2h), the rest end at +3h,
		// and every fifth starts at +150m (pending at +2h).
		created := at(time.Duration(i/3) * time.Second)
		sl := &hypercare.Silence{ID: fmt.Sprintf("sil-%04d", i), Services: []string{svcCheckout}, StartsAt: created,
			EndsAt: at(3 * time.Hour), Comment: "page", CreatedBy: "alice", CreatedAt: created}
		if i%3 == 0 {
			sl.EndsAt = at(time.Hour)
		} else if i%5 == 0 {
			sl.StartsAt = at(150 * time.Minute)
		}
		batch = append(batch, sl)
	}
	mustWrite(t, s, func(tx hypercare.Tx) error {
		for _, sl := range batch {
			if err := tx.InsertSilence(ctx, sl); err != nil {
				return err
			}
		}
		return nil
	})
	want := map[string][]string{}
	for i := n - 1; i >= 0; i-- { // newest first: created_at, then ID, descending
		sl := batch[i]
		want[""] = append(want[""], sl.ID)
		want[sl.State(at(2*time.Hour))] = append(want[sl.State(at(2*time.Hour))], sl.ID)
	}
	for _, state := range []string{"", "pending", "active", "expired"} {
		for _, limit := range []int{1000, 7} {
			var got []string
			cursor, pages := "", 0
			for {
				list, next, err := s.ListSilences(ctx, hypercare.SilenceFilter{State: state, At: at(2 * time.Hour),
					Page: hypercare.Page{Limit: limit, Cursor: cursor}})
				if err != nil {
					t.Fatalf("state %q limit %d page %d: %v", state, limit, pages, err)
				}
				if len(list) > limit || (next != "" && len(list) != limit) {
					t.Fatalf("state %q limit %d page %d: %d silences, next %q", state, limit, pages, len(list), next)
				}
				for _, sl := range list {
					got = append(got, sl.ID)
				}
				pages++
				if next == "" {
					break
				}
				cursor = next
			}
			if fmt.Sprint(got) != fmt.Sprint(want[state]) {
				t.Errorf("state %q limit %d: %d silences over %d pages, want %d in order (first %v)", state, limit,
					len(got), pages, len(want[state]), got[:min(3, len(got))])
			}
		}
	}
	if _, _, err := s.ListSilences(ctx, hypercare.SilenceFilter{Page: hypercare.Page{Cursor: "not a cursor!"}}); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("bad cursor: %v, want invalid_argument", err)
	}
	if _, _, err := s.ListSilences(ctx, hypercare.SilenceFilter{State: "asleep"}); hypercare.ErrorCode(err) != hypercare.CodeInvalid {
		t.Errorf("bad state: %v, want invalid_argument", err)
	}
}
