package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// schedule hands out request slots to workers. Slots are numbered from
// zero; in an open loop slot i is due at start + i/rate, in a closed loop
// it is due whenever a worker asks for it. Sharing one counter lets any idle
// worker take the next slot, spreading the load without a dispatcher.
type schedule struct {
	start       time.Time
	measureFrom time.Time // slots due before this are warmup
	end         time.Time // no slot is due at or after this
	nsPerSlot   float64   // 0 in a closed loop
	next        atomic.Int64
}

func newSchedule(start time.Time, opts Options) *schedule {
	s := &schedule{
		start:       start,
		measureFrom: start.Add(opts.Warmup),
		end:         start.Add(opts.Warmup + opts.Duration),
	}
	if opts.Rate > 0 {
		s.nsPerSlot = float64(time.Second) / opts.Rate
	}
	return s
}

// open reports whether requests follow a fixed rate.
func (s *schedule) open() bool { return s.nsPerSlot > 0 }

// take returns the next slot's sequence number and due time, or ok=false
// once the run has no more slots.
func (s *schedule) take(now time.Time) (seq int64, due time.Time, ok bool) {
	seq = s.next.Add(1) - 1
	due = now
	if s.open() {
		due = s.start.Add(time.Duration(float64(seq) * s.nsPerSlot))
	}
	if !due.Before(s.end) {
		return 0, time.Time{}, false
	}
	return seq, due, true
}

// worker sends requests one at a time until the schedule runs out. It owns
// its recorder, so recording needs no locks.
type worker struct {
	plan   *plan
	sched  *schedule
	client *http.Client
	rec    *recorder
}

// run takes and sends slots until the schedule runs out or ctx ends.
func (w *worker) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for ctx.Err() == nil {
		now := time.Now()
		seq, due, ok := w.sched.take(now)
		if !ok {
			return
		}
		measured := !due.Before(w.sched.measureFrom)
		if w.sched.open() && !now.Before(w.sched.end) {
			// Every worker was busy until the window closed, so this
			// slot is never sent. Counted, not silently dropped.
			if measured {
				w.rec.missed++
			}
			continue
		}
		if d := due.Sub(now); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		sentAt := time.Now()
		res := w.send(ctx, seq)
		done := time.Now()
		w.noteTriggered(seq, res)
		if ctx.Err() != nil {
			return // interrupted: the aborted request says nothing about the server
		}
		if res.err == nil && res.status == w.plan.opts.accepted() && !done.Before(w.sched.measureFrom) && done.Before(w.sched.end) {
			w.rec.acceptedInWindow++
		}
		if !measured {
			w.rec.warmup++
			continue
		}
		w.rec.record(due, sentAt, done, res, w.sched.open())
	}
}

// noteTriggered remembers event seq's dedup key if it was a trigger that
// may have opened an alert: accepted, or with no clear refusal (a timeout
// or a 5xx may have committed), so the run can resolve what it opened.
func (w *worker) noteTriggered(seq int64, res result) {
	if w.plan.events.format == FormatAlertmanager {
		return // Resolve sends events-v2; an alertmanager run keeps what it opened
	}
	if w.plan.opts.Wire != nil || w.plan.events.action(seq) != "trigger" || (res.err == nil && res.status != http.StatusAccepted && res.status < 500) {
		return
	}
	_, dedup := w.plan.events.key(seq)
	w.rec.triggered[dedup] = struct{}{}
}

// result is the outcome of one request.
type result struct {
	status int    // 0 on a transport error
	sample string // start of a non-202 response body
	err    error
}

// sampleBytes is how much of an unexpected response body is kept.
const sampleBytes = 512

// send posts event seq and reads the response to the end, so the
// connection goes back to the keep-alive pool.
func (w *worker) send(ctx context.Context, seq int64) result {
	body, err := w.plan.body(seq, time.Now())
	if err != nil {
		return result{err: fmt.Errorf("encoding event %d: %w", seq, err)}
	}
	ctx, cancel := context.WithTimeout(ctx, w.plan.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.plan.endpoint, bytes.NewReader(body))
	if err != nil {
		return result{err: fmt.Errorf("building request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	var sample []byte
	if resp.StatusCode != w.plan.opts.accepted() {
		sample, err = io.ReadAll(io.LimitReader(resp.Body, sampleBytes))
	}
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return result{err: fmt.Errorf("reading %d response: %w", resp.StatusCode, err)}
	}
	return result{status: resp.StatusCode, sample: string(sample)}
}
