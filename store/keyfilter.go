package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// Key filter sizing: bits per key and probes per key give about 1 % false
// positives at capacity; a filter is sized for twice the alerts it starts
// with (at least minFilterKeys) and rebuilt once that room is used up.
const (
	filterBitsPerKey = 10
	filterProbes     = 7
	minFilterKeys    = 1 << 16
)

// keyFilter is a Bloom filter over the (service_id, dedup_key) of every
// alert row: a key it has never been given is certainly not in the alerts
// table. Bits are only ever set, atomically, so the writer may add and
// test while the builder adds the keys it scans.
type keyFilter struct {
	seed     maphash.Seed
	words    []atomic.Uint64
	mask     uint64 // bit index mask (len(words)*64 - 1)
	capacity int64
	keys     atomic.Int64 // keys added (scanned ones included, repeats counted)
}

func newKeyFilter(capacity int64) *keyFilter {
	n := uint64(capacity) * filterBitsPerKey
	n = 1 << bits.Len64(max(n, 64)-1) // a power of two, so a mask picks a bit
	return &keyFilter{seed: maphash.MakeSeed(), words: make([]atomic.Uint64, n/64), mask: n - 1, capacity: capacity}
}

// keyHash hashes a service ID, a zero byte and a dedup key, so ("a",
// "bc") and ("ab", "c") differ, without building the joined string.
func keyHash(seed maphash.Seed, service, key string) (h1, h2 uint64) {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(service)
	h.WriteByte(0)
	h.WriteString(key)
	return split(h.Sum64())
}

// split derives the two hashes of double hashing (probe i is h1 + i*h2)
// from one 64-bit sum; h2 is odd so the probes never repeat early.
func split(sum uint64) (h1, h2 uint64) { return sum, bits.RotateLeft64(sum, 32) | 1 }

func (f *keyFilter) add(h1, h2 uint64) {
	for i := uint64(0); i < filterProbes; i++ {
		b := (h1 + i*h2) & f.mask
		f.words[b/64].Or(1 << (b % 64))
	}
	f.keys.Add(1)
}

func (f *keyFilter) mayHave(h1, h2 uint64) bool {
	for i := uint64(0); i < filterProbes; i++ {
		b := (h1 + i*h2) & f.mask
		if f.words[b/64].Load()&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// alertKeys lets the SQLite writer skip the reads a trigger on a
// never-seen key would make (its open alert, its recent alerts): in a
// storm of new alerts those reads are a fifth of the writer's time, and
// they always come back empty. It is a Bloom filter over every alert key
// in the database, built by scanning the alerts on a read connection in
// the background (buildAlertKeys, run by Store.Run) while the writer adds
// each key it inserts. Until a filter is built, and again after another
// connection committed to the database (SQLite's data_version moved: a
// second process or an admin command may have inserted alerts), the writer
// reads as before. A rolled-back insert leaves its key in the filter, and
// retention leaves deleted keys: both only cost a read. PostgreSQL has
// several writers on several nodes and always reads.
type alertKeys struct {
	mu sync.Mutex
	// cur answers mayHave; nil until one is built.
	cur *keyFilter
	// next is being built: the writer adds to it as well as to cur.
	next *keyFilter
	// wake asks the builder for a (new) filter.
	wake chan struct{}
	// skipped counts reads answered by the filter.
	skipped atomic.Uint64
	// onInstalled, onScanning and onBuilt let tests act between a build's
	// hand-over and its scan, once the scan's snapshot has begun, and
	// learn that a filter was published.
	onInstalled, onScanning, onBuilt func()
}

func newAlertKeys() *alertKeys { return &alertKeys{wake: make(chan struct{}, 1)} }

func (k *alertKeys) requestBuild() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// drop forgets the filters, after another connection committed.
func (k *alertKeys) drop() {
	k.mu.Lock()
	k.cur, k.next = nil, nil
	k.mu.Unlock()
	k.requestBuild()
}

// absent reports that no alert with the key was ever inserted, as far as
// a built filter can tell; false means read the database.
func (k *alertKeys) absent(serviceID, dedupKey string) bool {
	k.mu.Lock()
	f := k.cur
	k.mu.Unlock()
	if f == nil || f.mayHave(keyHash(f.seed, serviceID, dedupKey)) {
		return false
	}
	k.skipped.Add(1)
	return true
}

// added records a key the writer inserted; a filter whose room is used up
// asks for a larger one (it stays correct meanwhile, with more false
// positives).
func (k *alertKeys) added(serviceID, dedupKey string) {
	k.mu.Lock()
	cur, next := k.cur, k.next
	k.mu.Unlock()
	if next != nil {
		next.add(keyHash(next.seed, serviceID, dedupKey))
	}
	if cur != nil {
		cur.add(keyHash(cur.seed, serviceID, dedupKey))
		if cur.keys.Load() > cur.capacity && next == nil {
			k.requestBuild()
		}
	}
}

// buildAlertKeys builds a filter whenever the writer asks for one, until
// ctx ends. A failed build is logged and tried again on the next request.
func (s *Store) buildAlertKeys(ctx context.Context) {
	k := s.keys
	for {
		select {
		case <-ctx.Done():
			return
		case <-k.wake:
		}
		if err := s.buildKeyFilter(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("alert key filter not built; triggers on new keys read the database", "err", err)
		}
	}
}

// buildKeyFilter scans every alert key into a new filter and makes it the
// writer's. The filter is handed to the writer between two batches (under
// the write lock) before the scan's snapshot begins, so every alert is
// either committed before that snapshot or inserted by a batch that adds
// its key.
func (s *Store) buildKeyFilter(ctx context.Context) error {
	k := s.keys
	start := time.Now()
	var count int64
	if err := s.rdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM alerts").Scan(&count); err != nil {
		return fmt.Errorf("count alerts: %w", err)
	}
	f := newKeyFilter(max(2*count, minFilterKeys))
	s.wmu.Lock()
	k.mu.Lock()
	k.next = f
	installed := k.onInstalled
	k.mu.Unlock()
	s.wmu.Unlock()
	if installed != nil {
		installed()
	}
	scanned, err := scanAlertKeys(ctx, s.rdb, f, k.onScanning)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.next != f {
		// Dropped while scanning (the writer has asked again), or a later
		// build took over: f missed keys inserted since.
		return err
	}
	k.next = nil
	if err != nil {
		return err
	}
	k.cur = f
	if k.onBuilt != nil {
		k.onBuilt()
	}
	s.log.Debug("alert key filter built", "alerts", scanned, "capacity", f.capacity,
		"bytes", len(f.words)*8, "took", time.Since(start))
	return nil
}

func scanAlertKeys(ctx context.Context, db *sql.DB, f *keyFilter, scanning func()) (int64, error) {
	rows, err := db.QueryContext(ctx, "SELECT service_id, dedup_key FROM alerts")
	if err != nil {
		return 0, fmt.Errorf("scan alert keys: %w", err)
	}
	defer rows.Close()
	var n int64
	var service, key string
	for rows.Next() {
		if err := rows.Scan(&service, &key); err != nil {
			return n, fmt.Errorf("scan alert keys: %w", err)
		}
		f.add(keyHash(f.seed, service, key))
		if n++; n == 1 && scanning != nil {
			scanning() // the snapshot is taken: later commits are not in it
		}
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("scan alert keys: %w", err)
	}
	return n, nil
}
