package retention_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/retention"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/storetest"
)

// The storm's size. The defaults keep the test under a few seconds in CI;
// BENCHMARKS.md's bigger runs pass larger values (see there).
var (
	stormDays     = flag.Int("storm.days", 3, "simulated days of the retention storm test")
	stormPerTick  = flag.Int("storm.per-tick", 8, "new incidents per simulated tick (each opens, pages and resolves)")
	stormTick     = flag.Duration("storm.tick", time.Hour, "simulated time between two ticks")
	stormPostgres = flag.Bool("storm.postgres", false, "also run the storm on PostgreSQL")
	stormKeep     = flag.Duration("storm.retention", 24*time.Hour, "retention of every kind (0: off, the baseline that grows)")
)

// dayFigures is the store at the end of one simulated day.
type dayFigures struct {
	counts map[string]int64
	size   store.Size
	rssKiB int64
}

// TestStormPlateaus ingests a steady storm over simulated days with a
// retention of one day, through the real pipeline (intake opens an
// incident per alert, the escalation engine pages, the next tick
// resolves it), with a retention pass every simulated hour. From the
// second day on, the rows stay bounded by one day of traffic plus one
// pass interval, and the store's file stops growing: pages freed by the
// deletes are reused. Every day's figures are logged (go test -v).
func TestStormPlateaus(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		if e.Name == "postgres" && !*stormPostgres {
			// Opt-in: PostgreSQL's round trips make it ten times slower,
			// and the contract and engine tests already cover pruning
			// there.
			t.Skip("the storm runs on SQLite; -storm.postgres runs it on PostgreSQL too")
		}
		opts := e.Options(t)
		opts.Throwaway = e.Name == "sqlite" // sizes are the same; fsyncs would only slow the test
		w := newWorld(t, opts)
		if opts.DatabaseURL != "" {
			w.vacuum = vacuumer(t, opts.DatabaseURL)
		} else {
			w.vacuum = checkpointer(t, opts.DataDir)
		}
		runStorm(t, w)
	})
}

func runStorm(t *testing.T, w *world) {
	day, keep := 24*time.Hour, *stormKeep
	policy := hypercare.RetentionPolicy{Events: keep, Notifications: keep, Escalations: keep, Incidents: keep,
		BatchSize: 500, Interval: time.Hour}
	eng := retention.New(w.st, w.clock, func() hypercare.RetentionPolicy { return policy }, discard())
	ticksPerDay := int(day / *stormTick)
	var prev []string
	var days []dayFigures
	var deleted hypercare.PruneResult
	var streamKeep int // one simulated day of stream events, as the API's 24 h stream retention keeps
	for d := range *stormDays {
		for i := range ticksPerDay {
			prev = w.tick(t, *stormPerTick, prev)
			w.clock.Advance(*stormTick)
			if (i+1)%int(time.Hour / *stormTick) == 0 {
				r, err := eng.Pass(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				deleted.Add(r)
				if err := pruneStream(w, streamKeep); err != nil { // the API server's own 24 h, whatever -storm.retention
					t.Fatal(err)
				}
			}
		}
		if w.vacuum != nil {
			w.vacuum()
		}
		f := dayFigures{counts: counts(t, w), rssKiB: rss()}
		if d == 0 {
			streamKeep = int(f.counts["stream_events"])
		}
		var err error
		if f.size, err = w.st.Size(context.Background()); err != nil {
			t.Fatal(err)
		}
		days = append(days, f)
		t.Logf("day %d: %d events ingested; rows %s; size %.1f MiB (%.1f MiB free, %.1f MiB WAL); RSS %.1f MiB",
			d+1, w.seq*2, rowSummary(f.counts), mib(f.size.Bytes), mib(f.size.FreeBytes), mib(f.size.WALBytes),
			float64(f.rssKiB)/1024)
	}
	t.Logf("deleted in all: %+v", deleted)
	if keep == day {
		checkPlateau(t, days, ticksPerDay*(*stormPerTick))
	}
	orphans, err := w.st.Orphans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for ref, n := range orphans {
		if n != 0 {
			t.Errorf("%d rows of %s name a deleted incident", n, ref)
		}
	}
}

// checkPlateau asserts that, from the second day on, no table holds more
// than one day of traffic plus a pass interval and a margin, and that the
// database stops growing.
func checkPlateau(t *testing.T, days []dayFigures, incidentsPerDay int) {
	t.Helper()
	bound := int64(float64(incidentsPerDay) * 1.1) // one day, one pass interval (1/24) and the open tick
	limits := map[string]int64{"incidents": bound, "alerts": bound, "escalations": bound, "notifications": bound,
		"events": 2 * bound}
	for d, f := range days[1:] {
		for table, limit := range limits {
			if f.counts[table] > limit {
				t.Errorf("day %d: %d %s, want at most %d (one day's worth)", d+2, f.counts[table], table, limit)
			}
		}
	}
	if len(days) < 3 {
		return
	}
	// The last day may grow the file by at most 5 %: SQLite reuses the
	// freed pages at once; PostgreSQL's indexes take a couple of vacuums
	// to recycle theirs (the growth halves each day, then stops). SQLite's
	// WAL is a buffer of its own bound, whose file keeps the size of the
	// busiest moment between checkpoints: it is checked against that
	// bound, not for a plateau.
	data := func(f dayFigures) int64 { return f.size.Bytes - f.size.WALBytes }
	prev, last := data(days[len(days)-2]), data(days[len(days)-1])
	if last > prev+prev/20 {
		t.Errorf("the database grew from %d bytes on day %d to %d on day %d, want a plateau", prev, len(days)-1, last, len(days))
	}
	for d, f := range days {
		if f.size.WALBytes > 40<<20 {
			t.Errorf("day %d: the WAL takes %.1f MiB, want at most its 32 MiB bound and a batch", d+1, mib(f.size.WALBytes))
		}
	}
}

func rowSummary(c map[string]int64) string {
	var parts []string
	for _, table := range []string{"incidents", "alerts", "timeline", "notifications", "escalations", "events", "stream_events"} {
		parts = append(parts, fmt.Sprintf("%s=%d", table, c[table]))
	}
	return strings.Join(parts, " ")
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// rss is the process's resident set (VmRSS) in KiB, 0 where /proc is not
// available; the Go heap in use otherwise would not count SQLite's pages.
func rss() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapInuse / 1024)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// pruneStream applies the live stream's own retention, which the API
// server runs (api.Server.Run: 24 hours by the wall clock, at most
// api.DefaultStreamKeep rows). Stream events are stamped with the wall
// clock, which a simulated day does not move, so the storm keeps one
// simulated day's worth by count instead.
func pruneStream(w *world, keep int) error {
	if keep == 0 {
		return nil
	}
	_, err := w.st.PruneStream(context.Background(), time.Unix(0, 0), keep)
	return err
}

// checkpointer returns a full checkpoint of SQLite's WAL into the
// database file, run once per simulated day before the file is measured:
// the file then holds every page the day wrote, however far the store's
// own checkpointer, running beside the test, had got. Without it the
// day-to-day growth the plateau check compares varied with the machine's
// load (a tenth of the file, failing the 5 % bound, in 2 of 12 runs beside
// a busy test binary).
func checkpointer(t *testing.T, dir string) func() {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "hypercare.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func() {
		if _, err := db.Exec("PRAGMA wal_checkpoint(FULL)"); err != nil {
			t.Fatalf("checkpoint: %v", err)
		}
	}
}

// vacuumer returns what PostgreSQL's autovacuum does to the tables
// retention deletes from, run once per simulated day: autovacuum visits a
// table about every minute (autovacuum_naptime) once enough rows died,
// so many times in a real day, but a simulated day lasts seconds. Without
// it, deleted rows' space is not yet reusable and the tables grow.
func vacuumer(t *testing.T, url string) func() {
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func() {
		_, err := db.Exec("VACUUM events, stream_events, incidents, alerts, timeline, notifications, escalations")
		if err != nil {
			t.Fatalf("vacuum: %v", err)
		}
	}
}
