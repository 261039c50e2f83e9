package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/hypercare/hypercare"
)

// Request states: a queued request is either taken by its writer or
// abandoned by its caller (ctx ended while queued), never both, so "Write
// returned nil" always means "committed" and an abandoned fn never runs.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

// request is one Write waiting for a writer.
type request struct {
	ctx   context.Context
	fn    func(hypercare.Tx) error
	state atomic.Int32
	err   error
	// panicked holds what fn panicked with, re-raised in the caller.
	panicked any
	// alone says fn returned hypercare.ErrRunAlone in a batch with other
	// requests: it is run again in a transaction of its own.
	alone bool
	done  chan struct{}
}

// runState is one activation of Run: its writers and the gate that stops
// new requests from being queued once Run is shutting down.
type runState struct {
	writers []*writer
	gate    sync.RWMutex // R: a Write queuing; W: Run closing the queues
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// writer is one group-commit loop with its queue.
type writer struct {
	s     *Store
	queue chan *request
}

// Write runs fn in a transaction and returns once it is committed (or
// failed). While Run is active, fn shares a commit with concurrent writes
// (group commit); otherwise it runs in its own transaction. Writes with
// equal keys run in order on the same writer. fn may run more than once
// and must not call Write (it would wait for its own writer).
func (s *Store) Write(ctx context.Context, key string, fn func(hypercare.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := s.requests.Get().(*request)
	r.ctx, r.fn, r.err, r.panicked, r.alone = ctx, fn, nil, nil, false
	r.state.Store(reqQueued)

	queued, err := s.enqueue(ctx, key, r)
	switch {
	case err != nil:
		s.release(r)
		return err
	case !queued:
		r.state.Store(reqTaken)
		s.execBatch(context.WithoutCancel(ctx), []*request{r})
		<-r.done
	default:
		select {
		case <-r.done:
		case <-ctx.Done():
			if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
				// The writer will skip it; it must not be reused.
				return ctx.Err()
			}
			<-r.done // taken: fn ran or is running; wait for the commit
		}
	}
	err, p := r.err, r.panicked
	s.release(r)
	if p != nil {
		panic(p)
	}
	return unavailable(err)
}

// release returns an answered request to the pool.
func (s *Store) release(r *request) {
	r.ctx, r.fn, r.err, r.panicked, r.alone = nil, nil, nil, nil, false
	s.requests.Put(r)
}

// answer hands the result to the waiting Write.
func (r *request) answer() { r.done <- struct{}{} }

// enqueue queues r on its writer if Run is active. It reports false when
// Run is not active (the caller then writes directly).
func (s *Store) enqueue(ctx context.Context, key string, r *request) (bool, error) {
	rs := s.run.Load()
	if rs == nil {
		return false, nil
	}
	rs.gate.RLock()
	defer rs.gate.RUnlock()
	if rs.closed {
		return false, nil
	}
	w := rs.writers[writerIndex(key, len(rs.writers))]
	select {
	case w.queue <- r:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// writerIndex is fnv-1a(key) mod n, inlined to avoid allocating a hasher.
func writerIndex(key string, n int) int {
	if n == 1 {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// Run starts the group-commit writers and serves writes until ctx ends;
// then it stops accepting new queued writes, commits and answers every
// request already queued, and returns nil. Writes made while Run is not
// active run directly.
func (s *Store) Run(ctx context.Context) error {
	s.runMu.Lock()
	if s.closed {
		s.runMu.Unlock()
		return errors.New("store: Run after Close")
	}
	if s.run.Load() != nil {
		s.runMu.Unlock()
		return errors.New("store: Run is already active")
	}
	ctx, cancel := context.WithCancel(ctx)
	rs := &runState{cancel: cancel, done: make(chan struct{})}
	for range s.writers {
		rs.writers = append(rs.writers, &writer{s: s, queue: make(chan *request, 4*s.maxBatch)})
	}
	s.run.Store(rs)
	s.runMu.Unlock()

	base := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, w := range rs.writers {
		wg.Go(func() { w.loop(base) })
	}
	announced := make(chan struct{})
	var nodes sync.WaitGroup
	if s.d.nodes {
		nodes.Go(func() { s.listen(ctx) })
		nodes.Go(func() { s.rewakeHeld(ctx) })
		nodes.Go(func() { s.announce(base, announced) })
	}
	if s.ckpt != nil {
		nodes.Go(func() { s.checkpoints(ctx) })
	}
	if s.keys != nil {
		nodes.Go(func() { s.buildAlertKeys(ctx) })
	}
	s.log.Info("store writers started", "dialect", s.d.name, "writers", len(rs.writers))
	<-ctx.Done()

	rs.gate.Lock()
	rs.closed = true
	for _, w := range rs.writers {
		close(w.queue)
	}
	rs.gate.Unlock()
	wg.Wait()
	close(announced) // after the writers' last commits
	nodes.Wait()

	s.runMu.Lock()
	s.run.Store(nil)
	s.runMu.Unlock()
	cancel()
	close(rs.done)
	s.log.Info("store writers stopped", "dialect", s.d.name)
	return nil
}

// loop commits batches until the queue is closed and drained. A batch is
// the first request plus whatever is already queued, up to maxBatch: no
// waiting, so batches grow by themselves while a commit is in flight.
func (w *writer) loop(base context.Context) {
	batch := make([]*request, 0, w.s.maxBatch)
	for {
		r, ok := <-w.queue
		if !ok {
			return
		}
		batch = append(batch[:0], r)
	drain:
		for len(batch) < w.s.maxBatch {
			select {
			case r, ok := <-w.queue:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		if live := take(batch); len(live) > 0 {
			w.s.execBatch(base, live)
		}
		clear(batch)
	}
}

// take claims the batch's requests, dropping those their callers
// abandoned and answering those whose ctx already ended without running
// them.
func take(batch []*request) []*request {
	live := batch[:0]
	for _, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			continue
		}
		if err := r.ctx.Err(); err != nil {
			r.err = err
			r.answer()
			continue
		}
		live = append(live, r)
	}
	return live
}
