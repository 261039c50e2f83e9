package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

// TestOpenAlertReadsWithoutStatistics: on a PostgreSQL database whose
// tables have no statistics yet (a fresh database, or autovacuum off) and
// with the generic plan a prepared statement falls back to, the write
// path's open-alert read must still go by service and dedup key. With a
// plain (service_id, status, id) listing index it took that one and
// walked every open alert of the service per event: new-alert ingest
// fell from 559 to 153 events/s within a minute (BENCHMARKS.md). With
// sequential scans off, as an empty heap would otherwise be scanned; the
// test fails with a plain (service_id, status, id) index added.
func TestOpenAlertReadsWithoutStatistics(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		s := storetest.OpenStore(t, opts)
		if s.Dialect() != "postgres" {
			t.Skip("PostgreSQL's planner only: SQLite plans without statistics always (TestReadQueriesUseIndexes)")
		}
		ctx := context.Background()
		conn := pgConn(t, opts.DatabaseURL)
		for _, stmt := range []string{"ANALYZE alerts", "SET plan_cache_mode = force_generic_plan", "SET enable_seqscan = off"} {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		i := 0
		for name, q := range s.WritePathOpenAlertSQL() {
			i++
			p := "open_alert_" + string(rune('a'+i))
			if _, err := conn.ExecContext(ctx, "PREPARE "+p+" AS "+q); err != nil {
				t.Fatalf("%s: prepare: %v", name, err)
			}
			text := strings.Join(explain(t, conn, "EXECUTE "+p+"('svc-1', 'key-1')"), "; ")
			if !strings.Contains(text, "alerts_open_dedup") && !strings.Contains(text, "alerts_dedup_service") {
				t.Errorf("%s: want a read by service and dedup key, got: %s", name, text)
			}
		}
	})
}

// pgConn opens one session on the PostgreSQL database at url, closed when
// the test ends: a plan test's settings (SET, PREPARE) hold per session.
func pgConn(t *testing.T, url string) *sql.Conn {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// explain returns the plan lines of EXPLAIN q on conn, trimmed.
func explain(t *testing.T, conn *sql.Conn, q string, args ...any) []string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), "EXPLAIN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, strings.TrimSpace(line))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	return plan
}
