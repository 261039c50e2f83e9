package store

import (
	"fmt"
	"strings"
	"testing"
)

// TestMultiRowSQL: a one-row insert's text becomes the insert of n rows,
// parameters numbered on, the rest of the statement kept.
func TestMultiRowSQL(t *testing.T) {
	got := multiRowSQL("INSERT INTO t (a, b, c) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 2)
	want := "INSERT INTO t (a, b, c) VALUES ($1, $2, $3), ($4, $5, $6) ON CONFLICT DO NOTHING"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = multiRowUpdateSQL("UPDATE t SET a = $2 WHERE id = $1 AND a = $3", []string{"text", "bigint", "bigint"}, 2)
	want = "UPDATE t SET a = v.p2 FROM (VALUES ($1::text, $2::bigint, $3::bigint), ($4::text, $5::bigint, $6::bigint)) " +
		"AS v(p1, p2, p3) WHERE id = v.p1 AND a = v.p3"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	q := buildQueries(postgresDialect())
	for id, types := range mergeUpdateTypes {
		if n := strings.Count(q[id], "$"); n != len(types) {
			t.Errorf("%s: %d parameters, %d types", q[id], n, len(types))
		}
	}
	for id, texts := range buildMerged(&q) {
		one := q[id]
		for n, pair := range texts {
			if c := strings.Count(pair[0], "$"); c != n*strings.Count(one, "$") {
				t.Errorf("%s × %d: %d parameters, want %d", one, n, c, n*strings.Count(one, "$"))
			}
			plain, ok := plainGuard(one)
			switch {
			case ok && pair[1] != multiRowSQL(plain, n):
				t.Errorf("guarded %d rows: %s, want the insert without ON CONFLICT", n, pair[1])
			case !ok && !strings.HasPrefix(pair[1], "WITH w AS ("+pair[0]+" RETURNING 1)"):
				t.Errorf("guarded %d rows: %s", n, pair[1])
			}
		}
	}
}

// TestCoalesce: runs of queued inserts become multi-row inserts, parents
// first (incidents, alerts, timeline, events), each table's rows in the
// order queued and in as few statements of the fixed sizes as fit; a
// write that is not such an insert keeps its place and ends the run.
func TestCoalesce(t *testing.T) {
	s := mergingStore()
	w := func(id qid, key string) pendingWrite {
		return pendingWrite{id: id, key: key, args: []any{key}, missing: func() error { return fmt.Errorf("%s taken", key) }}
	}
	var p []pendingWrite
	for i := range 37 {
		p = append(p, w(qInsertAlert, fmt.Sprint("a", i)), w(qInsertIncident, fmt.Sprint("i", i)))
	}
	p = append(p, w(qUpdateAlert, "u"), w(qInsertEvent, "e1"), w(qAppendTimeline, "t1"), w(qInsertEvent, "e2"))
	got := coalesced(t, s, p)
	want := []string{
		fmt.Sprintf("%d×32:i0", qInsertIncident), fmt.Sprintf("%d×4:i32", qInsertIncident), fmt.Sprintf("%d×1:i36", qInsertIncident),
		fmt.Sprintf("%d×32:a0", qInsertAlert), fmt.Sprintf("%d×4:a32", qInsertAlert), fmt.Sprintf("%d×1:a36", qInsertAlert),
		fmt.Sprintf("%d×1:u", qUpdateAlert),
		fmt.Sprintf("%d×1:t1", qAppendTimeline), fmt.Sprintf("%d×2:e1", qInsertEvent),
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("coalesced\n got %v\nwant %v", got, want)
	}
	merged := s.coalesce(p)[1]
	if merged.args[0] != "i32" || merged.args[3] != "i35" {
		t.Errorf("rows out of order: %v", merged.args)
	}
	if err := merged.missing(); err == nil || !strings.Contains(err.Error(), "i32 taken") {
		t.Errorf("merged failure: %v, want the first row's", err)
	}
	if single := p[:1]; &s.coalesce(single)[0] != &single[0] {
		t.Error("a queue with nothing to merge was copied")
	}
}

// TestCoalesceUpdates: a re-sent notification's queue, each alert's
// counters update then its event row, becomes one multi-row insert of the
// events and one multi-row update, after them; a second update of an
// alert ends the run, so it follows the first.
func TestCoalesceUpdates(t *testing.T) {
	s := mergingStore()
	w := func(id qid, key string) pendingWrite {
		return pendingWrite{id: id, key: key, args: []any{key, 1, 2, 3, 4}}
	}
	var p []pendingWrite
	for i := range 5 {
		p = append(p, w(qUpdateAlertCounters, fmt.Sprint("a", i)), w(qInsertEvent, fmt.Sprint("e", i)))
	}
	p = append(p, w(qUpdateAlertRepeat, "a5"), w(qUpdateAlertCounters, "a2"), w(qInsertEvent, "e6"), w(qUpdateAlertCounters, "a7"))
	got := coalesced(t, s, p)
	want := []string{
		fmt.Sprintf("%d×4:e0", qInsertEvent), fmt.Sprintf("%d×1:e4", qInsertEvent),
		fmt.Sprintf("%d×1:a5", qUpdateAlertRepeat),
		fmt.Sprintf("%d×4:a0", qUpdateAlertCounters), fmt.Sprintf("%d×1:a4", qUpdateAlertCounters),
		// a2 again: the next run
		fmt.Sprintf("%d×1:e6", qInsertEvent), fmt.Sprintf("%d×2:a2", qUpdateAlertCounters),
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("coalesced\n got %v\nwant %v", got, want)
	}
}

// TestPlainGuards: an insert that does nothing on a conflict is guarded
// as the same insert without its ON CONFLICT clause; other writes (an
// update, an insert with a conflict target) keep the CTE guard.
func TestPlainGuards(t *testing.T) {
	q := buildQueries(postgresDialect())
	g, plain := buildGuards(&q)
	if want := strings.TrimSuffix(q[qInsertAlert], onConflictNothing); !plain[qInsertAlert] || g[qInsertAlert] != want {
		t.Errorf("alert insert guarded as %q (plain %v), want %q", g[qInsertAlert], plain[qInsertAlert], want)
	}
	if plain[qUpdateAlert] || g[qUpdateAlert] != guardedSQL(q[qUpdateAlert]) {
		t.Errorf("alert update guarded as %q", g[qUpdateAlert])
	}
	if _, ok := plainGuard("INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO NOTHING"); ok {
		t.Error("an insert with a conflict target was guarded plain")
	}
}

// mergingStore is a Store with PostgreSQL's merged texts, for coalesce.
func mergingStore() *Store {
	q := buildQueries(postgresDialect())
	return &Store{merged: buildMerged(&q)}
}

// coalesced describes coalesce(p) as "qid×rows:first key" per write,
// checking each merged write has its rows' arguments.
func coalesced(t *testing.T, s *Store, p []pendingWrite) []string {
	t.Helper()
	var got []string
	for _, m := range s.coalesce(p) {
		got = append(got, fmt.Sprintf("%d×%d:%s", m.id, max(m.rows, 1), m.key))
		if n := len(p[0].args); m.rows > 1 && len(m.args) != m.rows*n {
			t.Errorf("%s: %d args for %d rows", m.key, len(m.args), m.rows)
		}
	}
	return got
}
