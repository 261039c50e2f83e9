package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// BenchmarkReadsAtScale measures every documented listing and filter of
// the REST API, through the store's read methods, on a store holding
// 1,000,000 alerts and 1,000,000 incidents (and a timeline entry,
// escalation, page and logged event each: seed_reads_test.go), and reports
// p50 and p99 per read (issue 11's target: p99 ≤ 10 ms). Run it with a
// fixed count, so every read is sampled alike:
//
//	go test ./store -run '^$' -bench BenchmarkReadsAtScale -benchtime 1000x
//
// The SQLite database is built once (about a minute) and kept under the
// temporary directory, keyed by the migrations and the seed; PostgreSQL
// (HYPERCARE_TEST_DATABASE_URL, and HYPERCARE_BENCH_READS_PG=1 since its
// build takes minutes) is seeded into a fresh schema each run.
// HYPERCARE_BENCH_READS_ROWS overrides the size.
func BenchmarkReadsAtScale(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("HYPERCARE_BENCH_READS_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("HYPERCARE_BENCH_READS_ROWS=%q: want an integer ≥ 1000", v)
		}
	}
	b.Run("sqlite", func(b *testing.B) {
		s, err := store.Open(context.Background(), store.Options{DataDir: cachedReadsDB(b, n)})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchReads(b, s, n)
	})
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("HYPERCARE_BENCH_READS_PG") != "1" {
			b.Skip("set HYPERCARE_BENCH_READS_PG=1 (and HYPERCARE_TEST_DATABASE_URL) to seed and measure PostgreSQL")
		}
		opts := store.Options{DatabaseURL: storetest.PostgresURL(b)}
		s := storetest.OpenStore(b, opts)
		db, err := sql.Open("pgx", opts.DatabaseURL)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		start := time.Now()
		if err := seedReads(context.Background(), db, "postgres", n); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d rows per table in %s", n, time.Since(start).Round(time.Second))
		benchReads(b, s, n)
	})
}

// seedVersion changes whenever seedReads writes different rows, so a
// cached database is never one of an older shape.
const seedVersion = 1

// cachedReadsDB returns a SQLite data directory holding the seeded store
// of n rows per table, building it when the cache has none for the
// current migrations.
func cachedReadsDB(b *testing.B, n int) string {
	h := sha256.New()
	files, err := filepath.Glob(filepath.Join("migrations", "sqlite", "*.sql"))
	if err != nil || len(files) == 0 {
		b.Fatalf("read migrations: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		h.Write([]byte(f))
		h.Write(data)
	}
	key := fmt.Sprintf("hypercare-bench-reads-%d-v%d-%s", n, seedVersion, hex.EncodeToString(h.Sum(nil))[:12])
	dir := filepath.Join(os.TempDir(), key)
	if _, err := os.Stat(filepath.Join(dir, "hypercare.db")); err == nil {
		return dir
	}
	tmp, err := os.MkdirTemp(os.TempDir(), key+".building-")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	s, err := store.Open(context.Background(), store.Options{DataDir: tmp})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(tmp, "hypercare.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	err = seedReads(context.Background(), db, "sqlite", n)
	if err == nil {
		_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(tmp)
		b.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %s", dir, time.Since(start).Round(time.Second))
	return dir
}

// benchReads runs each read b.N times with varied arguments and reports
// its p50 and p99 in milliseconds.
func benchReads(b *testing.B, s *store.Store, n int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	svc := func() string { return fmt.Sprintf("svc-%02d", rng.IntN(seedServices)) }
	inc := func() string { return fmt.Sprintf("inc-%010d", 1+rng.IntN(n)) }
	key := func() string { return "key-" + strconv.Itoa(rng.IntN(seedKeys(n))) }
	page := hypercare.Page{Limit: 25}
	open := []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged}
	storm := fmt.Sprintf("inc-%010d", n)
	_, incNext, err := s.ListIncidents(ctx, hypercare.IncidentFilter{Page: page})
	if err != nil {
		b.Fatal(err)
	}
	_, alertNext, err := s.ListAlerts(ctx, hypercare.AlertFilter{Page: page})
	if err != nil {
		b.Fatal(err)
	}
	end := seedStart.Add(seedSpan)
	incidents := func(f hypercare.IncidentFilter) error { _, _, err := s.ListIncidents(ctx, f); return err }
	alerts := func(f hypercare.AlertFilter) error { _, _, err := s.ListAlerts(ctx, f); return err }
	reads := []struct {
		name string
		read func() error
	}{
		{"incidents", func() error { return incidents(hypercare.IncidentFilter{Page: page}) }},
		{"incidents/page2", func() error {
			return incidents(hypercare.IncidentFilter{Page: hypercare.Page{Limit: 25, Cursor: incNext}})
		}},
		{"incidents/status=open", func() error { return incidents(hypercare.IncidentFilter{Statuses: open, Page: page}) }},
		{"incidents/status=resolved", func() error {
			return incidents(hypercare.IncidentFilter{Statuses: []hypercare.Status{hypercare.StatusResolved}, Page: page})
		}},
		{"incidents/service", func() error { return incidents(hypercare.IncidentFilter{ServiceID: svc(), Page: page}) }},
		{"incidents/service+status=open", func() error {
			return incidents(hypercare.IncidentFilter{ServiceID: svc(), Statuses: open, Page: page})
		}},
		{"incidents/service+urgency", func() error {
			return incidents(hypercare.IncidentFilter{ServiceID: svc(), Urgency: hypercare.UrgencyLow, Page: page})
		}},
		{"incident/by-number", func() error { _, err := s.GetIncidentByNumber(ctx, int64(1+rng.IntN(n))); return err }},
		{"incident/alerts", func() error { return alerts(hypercare.AlertFilter{IncidentID: inc(), Page: page}) }},
		{"incident/alerts-storm", func() error { return alerts(hypercare.AlertFilter{IncidentID: storm, Page: page}) }},
		{"incident/timeline", func() error { _, _, err := s.ListTimeline(ctx, inc(), page); return err }},
		{"incident/notifications", func() error { _, err := s.ListNotifications(ctx, inc()); return err }},
		{"alerts", func() error { return alerts(hypercare.AlertFilter{Page: page}) }},
		{"alerts/page2", func() error { return alerts(hypercare.AlertFilter{Page: hypercare.Page{Limit: 25, Cursor: alertNext}}) }},
		{"alerts/service", func() error { return alerts(hypercare.AlertFilter{ServiceID: svc(), Page: page}) }},
		{"alerts/service+status=triggered", func() error {
			return alerts(hypercare.AlertFilter{ServiceID: svc(), Statuses: open[:1], Page: page})
		}},
		{"alerts/dedup_key", func() error { return alerts(hypercare.AlertFilter{DedupKey: key(), Page: page}) }},
		{"alerts/dedup_key+service", func() error { return alerts(hypercare.AlertFilter{DedupKey: key(), ServiceID: svc(), Page: page}) }},
		{"alerts/status=triggered", func() error { return alerts(hypercare.AlertFilter{Statuses: open[:1], Page: page}) }},
		{"alerts/status=resolved", func() error {
			return alerts(hypercare.AlertFilter{Statuses: []hypercare.Status{hypercare.StatusResolved}, Page: page})
		}},
		{"web/incident-counts", func() error { // the web UI's status tabs: a count per status
			for _, st := range []hypercare.Status{hypercare.StatusTriggered, hypercare.StatusAcknowledged, hypercare.StatusResolved} {
				if _, err := s.CountIncidentsUpTo(ctx, st, 10000); err != nil {
					return err
				}
			}
			return nil
		}},
		{"events", func() error { _, _, err := s.ListEvents(ctx, page); return err }},
		{"events/export-page", func() error {
			from := seedStart.Add(time.Duration(rng.Int64N(int64(seedSpan - time.Hour))))
			_, _, err := s.EventsBetween(ctx, from, from.Add(time.Hour), hypercare.Page{Limit: 100})
			return err
		}},
		{"change_events", func() error { _, _, err := s.ListChangeEvents(ctx, hypercare.ChangeFilter{Page: page}); return err }},
		{"stream/resume", func() error { _, err := s.StreamAfter(ctx, 0, 100); return err }},
		{"due/escalation", func() error { _, _, err := s.NextEscalationDue(ctx); return err }},
		{"due/notification", func() error { _, _, err := s.NextNotificationDue(ctx); return err }},
		{"noise/1h", func() error { return noiseReads(ctx, s, end.Add(-time.Hour), end, "") }},
		{"noise/1d", func() error { return noiseReads(ctx, s, end.Add(-24*time.Hour), end, "") }},
		{"noise/1d-service", func() error { return noiseReads(ctx, s, end.Add(-24*time.Hour), end, svc()) }},
		{"noise/1d/events", func() error { _, err := s.EventCounts(ctx, end.Add(-24*time.Hour), end, ""); return err }},
		{"noise/1d/alerts", func() error { _, err := s.AlertCounts(ctx, end.Add(-24*time.Hour), end, ""); return err }},
		{"noise/1d/incidents", func() error { _, err := s.IncidentStats(ctx, end.Add(-24*time.Hour), end, ""); return err }},
		{"noise/1d/pages", func() error { _, err := s.PageStats(ctx, end.Add(-24*time.Hour), end, ""); return err }},
		{"noise/1d/noisiest", func() error { _, err := s.NoisiestKeys(ctx, end.Add(-24*time.Hour), end, "", 10); return err }},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			// The read runs on this goroutine (modernc SQLite and pgx
			// both), pinned to one thread so its CPU time can be read.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			lat := make([]time.Duration, 0, b.N)
			var cpu []time.Duration
			for b.Loop() {
				start, c0 := time.Now(), cpuNow()
				if err := r.read(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				if c1 := cpuNow(); c0 >= 0 && c1 >= 0 {
					cpu = append(cpu, time.Duration(c1-c0))
				}
			}
			reportPercentiles(b, "", lat)
			reportPercentiles(b, "cpu-", cpu)
		})
	}
	if s.Dialect() == "sqlite" {
		// The baseline: the same read before migration 0026. A call
		// walks the whole table, so it is sampled 20 times at most.
		b.Run("alerts/dedup_key-before-0026", func(b *testing.B) {
			var lat []time.Duration
			for i := 0; i < min(b.N, 20); i++ {
				start := time.Now()
				if err := s.AlertsByKeyBefore0026(ctx, key()); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			reportPercentiles(b, "", lat)
		})
	}
}

// cpuNow is threadCPU, or -1 where it is not measured.
func cpuNow() int64 {
	if ns, ok := threadCPU(); ok {
		return ns
	}
	return -1
}

// noiseReads makes the store reads of one GET /api/v1/noise.
func noiseReads(ctx context.Context, s *store.Store, from, to time.Time, svc string) error {
	if _, err := s.EventCounts(ctx, from, to, svc); err != nil {
		return err
	}
	if _, err := s.AlertCounts(ctx, from, to, svc); err != nil {
		return err
	}
	if _, err := s.IncidentStats(ctx, from, to, svc); err != nil {
		return err
	}
	if _, err := s.PageStats(ctx, from, to, svc); err != nil {
		return err
	}
	_, err := s.NoisiestKeys(ctx, from, to, svc, 10)
	return err
}

// reportPercentiles reports the p50 and p99 of lat in milliseconds, as
// prefix+"p50-ms" and prefix+"p99-ms".
func reportPercentiles(b *testing.B, prefix string, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		i := min(int(p*float64(len(lat))), len(lat)-1)
		return float64(lat[i].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), prefix+"p50-ms")
	b.ReportMetric(at(0.99), prefix+"p99-ms")
}
