package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/prometheus/client_golang/prometheus"
)

// The live stream's broker: one per server. It reads committed stream
// events from the store (the outbox, see store/stream.go) whenever the
// store says a commit published some, and fans them out to the connected
// clients. Each client has a bounded buffer; a client that falls that far
// behind is cut off (its response ends) so it never holds the others up or
// makes the server hold an unbounded backlog: its EventSource reconnects
// with Last-Event-ID and replays what it missed from the store.

// streamStore is what the stream needs of the store: the outbox reads and
// the pruning the server runs.
type streamStore interface {
	hypercare.StreamSource
	PruneStream(ctx context.Context, cutoff time.Time, keep int) (int64, error)
}

// startWait bounds how long a client waits for the broker to start.
const startWait = 5 * time.Second

// streamPage is how many events the broker and a replay read at a time.
const streamPage = 500

// streamItem is one event fanned out to every subscriber, with its wire
// frames built at most once per audience (admins, everyone else).
type streamItem struct {
	ev     hypercare.StreamEvent
	once   [2]sync.Once
	frames [2][]byte
}

// frame returns the SSE frame of the event for an admin or not.
func (it *streamItem) frame(admin bool) []byte {
	i := 0
	if admin {
		i = 1
	}
	it.once[i].Do(func() { it.frames[i] = encodeFrame(it.ev, admin) })
	return it.frames[i]
}

// subscriber is one connected client.
type subscriber struct {
	incident string // "" or the only incident ID it wants
	ch       chan *streamItem
	// gone is closed when the broker drops the subscriber: it fell behind
	// (slow) or the broker stopped.
	gone chan struct{}
	slow bool
}

func (sub *subscriber) wants(ev *hypercare.StreamEvent) bool {
	return sub.incident == "" || sub.incident == ev.IncidentID
}

// broker fans committed stream events out to subscribers.
type broker struct {
	src    streamStore
	clock  hypercare.Clock
	log    *slog.Logger
	buffer int

	// started is closed once Run has read the store's horizon and
	// subscribers can join.
	started chan struct{}
	// poke makes Run read the store now: a subscriber moved the cursor
	// and events may have committed after it.
	poke chan struct{}
	// refreshes are clients' requests to read objects again, served by
	// Run between its own reads (stream_fresh.go); halted is closed when
	// Run stops serving them.
	refreshes chan refreshRequest
	halted    chan struct{}

	mu      sync.Mutex
	running bool
	cursor  int64 // highest event ID fanned out
	subs    map[*subscriber]struct{}
	// events and cutoffs count fanned-out events and slow clients cut off;
	// rereads the events whose objects were read again for a client.
	events, cutoffs, rereads uint64
}

func newBroker(src streamStore, clk hypercare.Clock, log *slog.Logger, buffer int) *broker {
	return &broker{src: src, clock: clk, log: log, buffer: buffer, subs: map[*subscriber]struct{}{},
		started: make(chan struct{}), poke: make(chan struct{}, 1),
		refreshes: make(chan refreshRequest), halted: make(chan struct{})}
}

// Run fans out events until ctx ends, then drops every subscriber (their
// responses end, so a graceful shutdown does not wait on open streams).
func (b *broker) Run(ctx context.Context) error {
	defer close(b.halted)
	if err := b.start(ctx); err != nil {
		return nil // ctx ended before the store answered
	}
	defer b.stop()
	for {
		wake := b.src.StreamChanged() // before reading, so no commit is missed
		var retry <-chan time.Time    // nil: wait for the next commit only
		if err := b.catchUp(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("stream: read events failed", slog.Any("error", err))
			retry = b.clock.After(time.Second)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-b.poke:
		case <-retry:
		case req := <-b.refreshes:
			b.serveRefresh(ctx, req)
		}
	}
}

// start sets the cursor to the newest committed event, retrying until the
// store answers or ctx ends.
func (b *broker) start(ctx context.Context) error {
	for {
		_, last, err := b.src.StreamHorizon(ctx)
		if err == nil {
			b.mu.Lock()
			b.cursor, b.running = last, true
			b.mu.Unlock()
			close(b.started)
			return nil
		}
		b.log.Error("stream: read horizon failed", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.clock.After(time.Second):
		}
	}
}

func (b *broker) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.running = false
	for sub := range b.subs {
		close(sub.gone)
		delete(b.subs, sub)
	}
}

// catchUp fans out every event committed after the cursor. With nobody
// subscribed it reads nothing (reading the horizon on every commit was 4 %
// of the server's CPU at 200 first pages a second, and decoding every
// event a tenth under an ingest storm): the first client to subscribe
// moves the cursor to the horizon then (subscribe).
func (b *broker) catchUp(ctx context.Context) error {
	if b.idle() {
		return nil
	}
	for {
		b.mu.Lock()
		after := b.cursor
		b.mu.Unlock()
		evs, err := b.src.StreamAfter(ctx, after, streamPage)
		if err != nil {
			return err
		}
		b.fanOut(evs)
		if len(evs) < streamPage {
			return nil
		}
	}
}

// idle reports whether no client is subscribed.
func (b *broker) idle() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs) == 0
}

func (b *broker) fanOut(evs []hypercare.StreamEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range evs {
		if evs[i].ID <= b.cursor {
			continue // a subscriber moved the cursor past it (subscribe)
		}
		it := &streamItem{ev: evs[i]}
		for sub := range b.subs {
			if !sub.wants(&it.ev) {
				continue
			}
			select {
			case sub.ch <- it:
			default: // fell behind: cut off, it resumes from Last-Event-ID
				sub.slow = true
				b.cutoffs++
				close(sub.gone)
				delete(b.subs, sub)
			}
		}
		b.cursor = it.ev.ID
		b.events++
	}
}

// subscribe registers a client and returns the broker's cursor: every
// event after it reaches sub.ch; the client replays those up to it from
// the store. A client that arrives while the server is starting waits up
// to startWait for the broker; ok is false when it is not running. The
// first client after an idle spell brings the cursor, which the broker
// leaves alone while nobody listens, to the newest committed event.
func (b *broker) subscribe(ctx context.Context, incident string) (sub *subscriber, cursor int64, ok bool) {
	wait := time.NewTimer(startWait) // wall time: how long a client waits, not engine time
	defer wait.Stop()
	select {
	case <-b.started:
	case <-ctx.Done():
		return nil, 0, false
	case <-wait.C:
		return nil, 0, false
	}
	var last int64
	if b.idle() {
		var err error
		if _, last, err = b.src.StreamHorizon(ctx); err != nil {
			b.log.Error("stream: read horizon failed", slog.Any("error", err))
			return nil, 0, false
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.running {
		return nil, 0, false
	}
	if len(b.subs) == 0 {
		// Nobody can miss an event by this move: nobody listens. Events
		// committed after the horizon was read are fanned out on the
		// broker's next pass, which the poke starts now, and so are
		// events committed before it but held back by the watermark (an
		// older transaction still open): the horizon is below them, and
		// that pass's read arranges their re-read (Store.StreamAfter),
		// which no later commit of this deployment might ever trigger.
		b.cursor = max(b.cursor, last)
		select {
		case b.poke <- struct{}{}:
		default:
		}
	}
	sub = &subscriber{incident: incident, ch: make(chan *streamItem, b.buffer), gone: make(chan struct{})}
	b.subs[sub] = struct{}{}
	return sub, b.cursor, true
}

func (b *broker) unsubscribe(sub *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[sub]; ok {
		delete(b.subs, sub)
		close(sub.gone)
	}
}

// position returns the broker's cursor when every event up to it that
// sub wants has been taken from sub.ch (it is empty, and the broker is
// not fanning out: both under b.mu). A client that has also sent all it
// took (live, between two items) has then had, or skipped, every event up
// to that ID, and may tell its EventSource so (passed). ok is false while
// sub has items waiting, or once it is no longer subscribed.
func (b *broker) position(sub *subscriber) (id int64, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, subscribed := b.subs[sub]; !subscribed || len(sub.ch) > 0 {
		return 0, false
	}
	return b.cursor, true
}

// wasSlow reports whether the broker cut sub off for falling behind.
func (b *broker) wasSlow(sub *subscriber) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return sub.slow
}

// streamData is the JSON of an event's `data:` line.
type streamData struct {
	Kind           string          `json:"kind"`
	Op             string          `json:"op"`
	IncidentID     string          `json:"incident_id"`
	IncidentNumber int64           `json:"incident_number"`
	Object         json.RawMessage `json:"object"`
}

// encodeFrame renders one SSE frame: id, event kind, one line of JSON.
// For anyone but an admin the object loses what the REST API shows to
// admins only (a failed page's error_detail, in the notification and in
// its timeline entry's details).
func encodeFrame(ev hypercare.StreamEvent, admin bool) []byte {
	obj := ev.Object
	if !admin {
		obj = redactStreamObject(ev.Kind, obj)
	}
	data, err := json.Marshal(streamData{Kind: ev.Kind, Op: ev.Op, IncidentID: ev.IncidentID,
		IncidentNumber: ev.IncidentNumber, Object: obj})
	if err != nil { // the object is JSON the store wrote; cannot happen
		data = []byte(`{"kind":"` + ev.Kind + `","op":"` + ev.Op + `","object":null}`)
	}
	buf := make([]byte, 0, len(data)+64)
	buf = append(buf, "id: "...)
	buf = strconv.AppendInt(buf, ev.ID, 10)
	buf = append(buf, "\nevent: "...)
	buf = append(buf, ev.Kind...)
	buf = append(buf, "\ndata: "...)
	buf = append(buf, data...)
	return append(buf, "\n\n"...)
}

// redactStreamObject strips admin-only fields from a stream object, the
// same way the REST handlers do.
func redactStreamObject(kind string, obj json.RawMessage) json.RawMessage {
	switch kind {
	case hypercare.StreamNotification:
		var n hypercare.Notification
		if json.Unmarshal(obj, &n) != nil {
			return json.RawMessage("null") // not ours to show if we cannot tell
		}
		if n.ErrorDetail == "" {
			return obj
		}
		n.ErrorDetail = ""
		b, _ := json.Marshal(n)
		return b
	case hypercare.StreamTimeline:
		var e hypercare.TimelineEntry
		if json.Unmarshal(obj, &e) != nil {
			return json.RawMessage("null")
		}
		list := []hypercare.TimelineEntry{e}
		redactTimelineEntries(list)
		b, _ := json.Marshal(list[0])
		return b
	}
	return obj
}

// Stream metrics, read from the broker at scrape time: how many clients
// follow the stream, how many events it fanned out, and how many clients
// it cut off for falling behind (a rising count means clients or the
// network are too slow for the event rate).
var (
	streamClientsDesc = prometheus.NewDesc("hypercare_stream_clients",
		"Clients connected to the live stream (GET /api/v1/stream).", nil, nil)
	streamEventsDesc = prometheus.NewDesc("hypercare_stream_events_total",
		"Events the live stream's broker read from the store and fanned out.", nil, nil)
	streamCutoffsDesc = prometheus.NewDesc("hypercare_stream_cutoffs_total",
		"Live-stream clients disconnected for falling behind (they resume with Last-Event-ID).", nil, nil)
	streamRereadsDesc = prometheus.NewDesc("hypercare_stream_rereads_total",
		"Events whose objects the broker read again for a client that would otherwise have got an older state (after a replay or a reconnect).", nil, nil)
)

// Describe implements prometheus.Collector.
func (b *broker) Describe(ch chan<- *prometheus.Desc) {
	ch <- streamClientsDesc
	ch <- streamEventsDesc
	ch <- streamCutoffsDesc
	ch <- streamRereadsDesc
}

// Collect implements prometheus.Collector.
func (b *broker) Collect(ch chan<- prometheus.Metric) {
	b.mu.Lock()
	clients, events, cutoffs, rereads := len(b.subs), b.events, b.cutoffs, b.rereads
	b.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(streamClientsDesc, prometheus.GaugeValue, float64(clients))
	ch <- prometheus.MustNewConstMetric(streamEventsDesc, prometheus.CounterValue, float64(events))
	ch <- prometheus.MustNewConstMetric(streamCutoffsDesc, prometheus.CounterValue, float64(cutoffs))
	ch <- prometheus.MustNewConstMetric(streamRereadsDesc, prometheus.CounterValue, float64(rereads))
}
