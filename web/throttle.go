package web

import (
	"sort"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
)

// Login throttling: after too many failures in a window, a username (one
// account guessed from many addresses) or a client address (many accounts
// guessed from one place) is refused until the window has passed. The
// counters live in memory, bounded by throttleCap entries, so a flood of
// random usernames cannot grow memory without limit.
const (
	throttleWindow    = 15 * time.Minute
	maxUserFailures   = 5
	maxIPFailures     = 20
	throttleCap       = 10000
	throttleKeyUser   = "u:"
	throttleKeyIPAddr = "a:"
)

type failures struct {
	count int
	first time.Time
}

type throttle struct {
	clock hypercare.Clock
	mu    sync.Mutex
	seen  map[string]*failures
}

func newThrottle(c hypercare.Clock) *throttle {
	return &throttle{clock: c, seen: map[string]*failures{}}
}

// blocked reports whether a sign-in as user from ip must be refused now,
// and how long until it may be tried again.
func (t *throttle) blocked(user, ip string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.blockedAt(user, ip, t.clock.Now())
}

// blockedAt is blocked at now; t.mu must be held.
func (t *throttle) blockedAt(user, ip string, now time.Time) (time.Duration, bool) {
	wait := time.Duration(0)
	for key, limit := range map[string]int{throttleKeyUser + user: maxUserFailures, throttleKeyIPAddr + ip: maxIPFailures} {
		f, ok := t.seen[key]
		if !ok {
			continue
		}
		if left := f.first.Add(throttleWindow).Sub(now); left <= 0 {
			delete(t.seen, key)
		} else if f.count >= limit && left > wait {
			wait = left
		}
	}
	return wait, wait > 0
}

// fail counts a failed sign-in against user and ip.
func (t *throttle) fail(user, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.count(user, ip, t.clock.Now())
}

// count adds one failure for user and ip and returns the address's
// counter; t.mu must be held.
func (t *throttle) count(user, ip string, now time.Time) *failures {
	var f *failures
	for _, key := range []string{throttleKeyUser + user, throttleKeyIPAddr + ip} {
		var ok bool
		f, ok = t.seen[key]
		if !ok || now.Sub(f.first) >= throttleWindow {
			t.makeRoom(now)
			f = &failures{first: now}
			t.seen[key] = f
		}
		f.count++
	}
	return f
}

// begin admits a sign-in as user from ip, or says how long to wait. An
// admitted sign-in counts as a failure at once, before its password is
// checked, so guesses sent in parallel are counted as they arrive rather
// than after every one of them passed the check; done(true) takes the
// count back for a sign-in that succeeded (clearing the user's failures,
// as succeed does), done(false) leaves it.
func (t *throttle) begin(user, ip string) (done func(ok bool), wait time.Duration, blocked bool) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if wait, blocked := t.blockedAt(user, ip, now); blocked {
		return nil, wait, true
	}
	addr := t.count(user, ip, now)
	return func(ok bool) {
		if !ok {
			return
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		delete(t.seen, throttleKeyUser+user)
		if t.seen[throttleKeyIPAddr+ip] == addr && addr.count > 0 {
			addr.count--
		}
	}, 0, false
}

// succeed clears a user's failures; the address keeps its count, so one
// good password does not reopen guessing of others from the same place.
func (t *throttle) succeed(user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.seen, throttleKeyUser+user)
}

// makeRoom keeps the table under its cap: when full, expired entries go,
// and if that is not enough the oldest tenth, so the sweep's cost is
// shared by the next cap/10 inserts.
func (t *throttle) makeRoom(now time.Time) {
	if len(t.seen) < throttleCap {
		return
	}
	type aged struct {
		key   string
		first time.Time
	}
	live := make([]aged, 0, len(t.seen))
	for k, f := range t.seen {
		if now.Sub(f.first) >= throttleWindow {
			delete(t.seen, k)
		} else {
			live = append(live, aged{k, f.first})
		}
	}
	if len(t.seen) < throttleCap {
		return
	}
	sort.Slice(live, func(i, j int) bool { return live[i].first.Before(live[j].first) })
	for _, a := range live[:throttleCap/10] {
		delete(t.seen, a.key)
	}
}

// size is the number of tracked keys, for tests of the cap.
func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.seen)
}
