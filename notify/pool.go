package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
)

// Per-channel defaults: every contact type gets its own slots, so a
// provider that hangs (an SMTP relay that accepts the connection and never
// answers) fills only its own channel's slots while the others deliver.
const (
	// DefaultConcurrency is how many sends of one channel run at once.
	DefaultConcurrency = 32
	// DefaultAttemptTimeout bounds one attempt on a channel (the context
	// of Send; HTTP channels also stop at their client's DefaultTimeout).
	DefaultAttemptTimeout = 20 * time.Second
)

// MaxAttemptTimeout is the longest per-attempt timeout: half the lease.
const MaxAttemptTimeout = Lease / 2

// ChannelLimits are one channel's concurrency and per-attempt timeout
// (notify.delivery.<type>); zero fields take the defaults.
type ChannelLimits struct {
	Concurrency int
	Timeout     time.Duration
}

// limits returns channel t's limits with defaults filled in.
func (p Policy) limits(t hypercare.ContactType) ChannelLimits {
	l := p.Channels[t]
	if l.Concurrency <= 0 {
		l.Concurrency = DefaultConcurrency
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultAttemptTimeout
	}
	// An attempt must end well within its lease, or another claim could
	// send the page again while it runs.
	l.Timeout = min(l.Timeout, MaxAttemptTimeout)
	return l
}

// pool holds the per-channel send slots and the per-(user, channel) locks
// that make a throttle or digest decision and its send one step.
type pool struct {
	mu    sync.Mutex
	slots map[hypercare.ContactType]chan struct{}
	keys  map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// acquire takes one of channel t's n slots, waiting for one; it returns
// false when ctx ends first.
func (p *pool) acquire(ctx context.Context, t hypercare.ContactType, n int) (release func(), waited, ok bool) {
	p.mu.Lock()
	if p.slots == nil {
		p.slots = make(map[hypercare.ContactType]chan struct{})
	}
	ch, found := p.slots[t]
	if !found || cap(ch) != n {
		// A reload changed the concurrency: new sends take the new
		// slots; the sends holding old ones release those.
		ch = make(chan struct{}, n)
		p.slots[t] = ch
	}
	p.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, false, true
	default: // every slot busy: wait for one
	}
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, true, true
	case <-ctx.Done():
		return nil, true, false
	}
}

// lock serializes work on key (a user and a channel), so two pages to
// the same person cannot both pass a throttle that allows one.
func (p *pool) lock(key string) (unlock func()) {
	p.mu.Lock()
	if p.keys == nil {
		p.keys = make(map[string]*keyLock)
	}
	k := p.keys[key]
	if k == nil {
		k = &keyLock{}
		p.keys[key] = k
	}
	k.refs++
	p.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		p.mu.Lock()
		if k.refs--; k.refs == 0 {
			delete(p.keys, key)
		}
		p.mu.Unlock()
	}
}

// dispatch starts the claimed pages' attempts, counted in wg: each waits
// for its channel's slot, so a hung channel holds up only itself. Pages
// of one paced (user, channel) run one after another, oldest first, in
// one goroutine: a throttle's queue then keeps the order the pages were
// made in (goroutines racing for the lock would not).
func (e pass) dispatch(ctx context.Context, claimed []hypercare.Notification, claimedAt time.Time, wg *sync.WaitGroup) {
	slices.SortStableFunc(claimed, func(a, b hypercare.Notification) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	runs := map[string][]*hypercare.Notification{}
	var keys []string
	for i := range claimed {
		n := &claimed[i]
		key := "\x00" + n.ID
		if e.policy.paced(n.Type) {
			key = n.UserID + "\x00" + string(n.Type)
		}
		if runs[key] == nil {
			keys = append(keys, key)
		}
		runs[key] = append(runs[key], n)
	}
	for _, key := range keys {
		wg.Add(1)
		go func(run []*hypercare.Notification) {
			defer wg.Done()
			for _, n := range run {
				e.attempt(ctx, n, claimedAt)
			}
		}(runs[key])
	}
}

// attempt processes one claimed page, logging what it could not record.
func (e pass) attempt(ctx context.Context, n *hypercare.Notification, claimedAt time.Time) {
	if err := e.process(ctx, n, claimedAt); err != nil && ctx.Err() == nil {
		e.log.Error("record delivery", slog.String("notification", n.ID), slog.Any("error", err))
	}
	if n.Status == hypercare.NotificationPending || n.Kind == hypercare.NotificationHeld {
		e.loop.Wake() // a retry, delay, hold or digest: a new due time
	}
}

// process delivers one claimed page in its channel's slot. A page whose
// lease would run out before an attempt could finish (it waited too long
// for a slot) is handed back, not sent, so another claim cannot send it
// twice.
func (e pass) process(ctx context.Context, n *hypercare.Notification, claimedAt time.Time) error {
	paced := e.policy.paced(n.Type)
	if paced {
		unlock := e.pool.lock(n.UserID + "\x00" + string(n.Type))
		defer unlock()
		// Other nodes count this person's sends too: the count and the
		// send it allows must be one step in the whole cluster.
		unlockNodes, err := e.store.LockAcrossNodes(ctx, "pace:"+string(n.Type)+":"+n.UserID)
		if err != nil {
			return errors.Join(fmt.Errorf("pace page %s: %w", n.ID, err), e.handBack(ctx, n))
		}
		defer unlockNodes()
		// It may have waited behind this person's paced sends: the
		// incident as the ingest commit left it may be stale now, and the
		// page cancelled (deliver reads both again).
		e.opened = nil
	}
	read, held, err := e.holdForNight(ctx, n)
	if held || err != nil {
		return err // held (or dropped) without taking a send slot
	}
	lim := e.policy.limits(n.Type)
	release, waited, ok := e.pool.acquire(ctx, n.Type, lim.Concurrency)
	if !ok { // shutting down: hand the page back now, not after its lease
		return e.handBack(ctx, n)
	}
	defer release()
	if waited {
		// It waited for a slot, maybe while someone acknowledged,
		// resolved, merged or reassigned the incident: read it and the
		// page's status now (deliver) rather than trust the ingest
		// commit's snapshot or the night check's read.
		e.opened = nil
	} else if read != nil {
		e.read = read // the night check's read, a moment ago
	}
	if e.clock.Now().After(claimedAt.Add(Lease - lim.Timeout)) {
		return e.handBack(ctx, n)
	}
	return e.deliver(ctx, n, lim.Timeout)
}

// handBack returns a claimed page unsent and its attempt uncounted, due
// now, for the next claim (here or on another node).
func (e pass) handBack(ctx context.Context, n *hypercare.Notification) error {
	n.Status, n.DueAt, n.Attempts = hypercare.NotificationPending, e.clock.Now(), n.Attempts-1
	return e.record(ctx, n, "", nil)
}
