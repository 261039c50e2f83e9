package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Size is how much room the database takes, for the bytes-per-event
// figure of `hypercare bench ingest` and the retention storm test.
type Size struct {
	// Bytes is what the database occupies: on SQLite the database file
	// plus its write-ahead log; on PostgreSQL pg_total_relation_size
	// (table, indexes and TOAST) summed over the tables of the schema.
	Bytes int64
	// FreeBytes is the part of Bytes that is free and will be reused
	// before the file grows (SQLite's free pages; 0 on PostgreSQL, whose
	// free space map is not exposed cheaply).
	FreeBytes int64
	// WALBytes is the part of Bytes that is SQLite's write-ahead log: a
	// buffer that checkpoints copy back into the database file and reuse,
	// at most about 32 MiB (walBoundPages), not data that accumulates (0 on
	// PostgreSQL).
	WALBytes int64
}

// Size measures the database (see Size).
func (s *Store) Size(ctx context.Context) (Size, error) {
	if s.d.name == "postgres" {
		var out Size
		err := s.rdb.QueryRowContext(ctx, "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) "+
			"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "+
			"WHERE n.nspname = current_schema() AND c.relkind = 'r'").Scan(&out.Bytes)
		if err != nil {
			return Size{}, fmt.Errorf("database size: %w", err)
		}
		return out, nil
	}
	var path string
	var pageSize, free int64
	err := s.rdb.QueryRowContext(ctx, "SELECT (SELECT file FROM pragma_database_list WHERE name = 'main'), "+
		"(SELECT page_size FROM pragma_page_size), (SELECT freelist_count FROM pragma_freelist_count)").Scan(&path, &pageSize, &free)
	if err != nil {
		return Size{}, fmt.Errorf("database size: %w", err)
	}
	out := Size{FreeBytes: free * pageSize}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Size{}, fmt.Errorf("database size: %w", err)
		}
		out.Bytes += fi.Size()
		if p != path {
			out.WALBytes = fi.Size()
		}
	}
	return out, nil
}

// countedTables are the tables that grow with traffic, which
// TableCounts reports.
var countedTables = []string{"events", "change_events", "incidents", "alerts", "timeline", "notifications",
	"escalations", "incident_feedback", "chat_threads", "symptom_grace", "merged_groups", "silences", "stream_events",
	"event_payloads"}

// TableCounts returns the number of rows of each table that grows with
// traffic, for tests and benchmarks that show storage staying bounded.
// It counts whole tables: call it on a test or benchmark store, not on a
// large production one.
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	out := make(map[string]int64, len(countedTables))
	for _, t := range countedTables {
		var n int64
		if err := s.rdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// orphanChecks count rows that name a row that does not exist. No
// reference is enforced by the database (migration 0046: a foreign key
// cost every row naming an incident or a service a lookup and a lock), so
// the store keeps them whole itself: services are deactivated, never
// deleted; an incident is written before anything naming it; retention
// deletes an incident's rows before it. These checks are how the tests
// hold the store to that (storetest.OpenStore runs them when a test's
// store closes).
var orphanChecks = map[string]string{
	"alerts.service_id":       "SELECT COUNT(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.id = a.service_id)",
	"alerts.incident_id":      "SELECT COUNT(*) FROM alerts a WHERE a.incident_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = a.incident_id)",
	"incidents.service_id":    "SELECT COUNT(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.id = i.service_id)",
	"integrations.service_id": "SELECT COUNT(*) FROM integrations g WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.id = g.service_id)",
	"timeline":                incidentOrphans("timeline"),
	"escalations":             incidentOrphans("escalations"),
	"notifications":           incidentOrphans("notifications"),
	"incident_feedback":       incidentOrphans("incident_feedback"),
	"merged_groups":           incidentOrphans("merged_groups"),
	"chat_threads":            incidentOrphans("chat_threads"),
	"symptom_grace":           incidentOrphans("symptom_grace"),
	"alerts.symptom_of": "SELECT COUNT(*) FROM alerts a WHERE a.symptom_of <> '' AND a.incident_id IS NULL " +
		"AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = a.symptom_of)",
	// Shared payloads (shared_payload.go): an event whose payload is
	// nowhere.
	"events.payload_from": "SELECT COUNT(*) FROM events e WHERE e.payload_from <> '' " +
		"AND NOT EXISTS (SELECT 1 FROM events p WHERE p.id = e.payload_from) " +
		"AND NOT EXISTS (SELECT 1 FROM event_payloads x WHERE x.id = e.payload_from)",
}

// incidentOrphans counts table's rows whose incident_id names no incident.
func incidentOrphans(table string) string {
	return "SELECT COUNT(*) FROM " + table + " r WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = r.incident_id)"
}

// Orphans counts, per reference, the rows naming a row that does not
// exist: it must always be zero, retention included (tests and
// benchmarks check it; it scans whole tables). On a closed store it
// returns ErrClosed.
func (s *Store) Orphans(ctx context.Context) (map[string]int64, error) {
	s.runMu.Lock()
	closed := s.closed
	s.runMu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	out := map[string]int64{}
	for name, q := range orphanChecks {
		var n int64
		if err := s.rdb.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, fmt.Errorf("orphans in %s: %w", name, err)
		}
		out[name] = n
	}
	return out, nil
}
