package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file is the receiving half of the paging benchmarks: a webhook
// endpoint that plays the on-call responder's phone. It decodes the public
// page payload (notify/webhook's Payload: id, incident{id, number, title,
// created_at}, level, loop, ...), matches each page to the trigger that
// caused it by a token the trigger put in its summary (which becomes the
// incident title), and remembers when the first page of each level arrived.

// maxPageBody bounds one page's body; real pages are a few KB.
const maxPageBody = 1 << 20

// maxTrackedLevel is the deepest escalation level timed per incident; the
// benchmarks' policy has two levels, deeper pages are only counted.
const maxTrackedLevel = 2

// pagePayload is the part of a webhook page the benchmarks read.
type pagePayload struct {
	ID       string `json:"id"`
	Incident struct {
		ID        string    `json:"id"`
		Number    int64     `json:"number"`
		Title     string    `json:"title"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"incident"`
	Level int `json:"level"`
	Loop  int `json:"loop"`
}

// ReceiverStats counts what the webhook receiver got, matched or not.
type ReceiverStats struct {
	// Pages is every well-formed page received (retries included).
	Pages int64 `json:"pages"`
	// Duplicates are pages whose notification ID had been received
	// before: a retry of a page the receiver had answered 2xx, i.e. the
	// same page delivered twice.
	Duplicates int64 `json:"duplicate_ids"`
	// DoublePages are distinct notifications for the same incident, level
	// and loop: the same escalation step paging twice.
	DoublePages int64 `json:"double_pages"`
	// Foreign are pages of incidents that are not this run's (an earlier
	// run's escalations, other services paging the same receiver).
	Foreign int64 `json:"foreign"`
	// Deeper are this run's pages beyond the timed levels (a repeat loop
	// or a third level): counted, not timed.
	Deeper int64 `json:"deeper_levels"`
	// Malformed are requests that were not a decodable page (answered 400).
	Malformed int64 `json:"malformed"`
}

// arrival is the first page of one level of one tracked incident.
type arrival struct {
	at        time.Time // when the receiver got it
	createdAt time.Time // the incident's created_at, from the payload
}

// tracked is one trigger of a run and what arrived for it.
type tracked struct {
	sentAt   time.Time // just before the trigger was posted
	accepted bool      // the trigger got 202
	first    arrival   // first page of any level
	levels   [maxTrackedLevel + 1]arrival
}

// tracker matches pages to a run's triggers. Triggers are numbered 0..n-1
// and carry the token prefix+number in their summary.
type tracker struct {
	prefix string
	mu     sync.Mutex
	items  []tracked
	ids    map[string]struct{} // notification IDs seen
	stats  ReceiverStats
	// changed is signalled (without blocking) after every matched page,
	// so waiters can recheck without polling.
	changed chan struct{}
}

func newTracker(prefix string, n int) *tracker {
	return &tracker{prefix: prefix, items: make([]tracked, n), ids: map[string]struct{}{}, changed: make(chan struct{}, 1)}
}

// token is the word trigger seq carries in its summary.
func (t *tracker) token(seq int) string { return t.prefix + strconv.Itoa(seq) }

// seqOf finds this run's token in an incident title and returns its
// number. The token must be a whole word: prefix followed by digits up to
// the end of the title or a space.
func (t *tracker) seqOf(title string) (int, bool) {
	for rest := title; ; {
		i := strings.Index(rest, t.prefix)
		if i < 0 {
			return 0, false
		}
		if i > 0 && rest[i-1] != ' ' {
			rest = rest[i+len(t.prefix):]
			continue
		}
		digits := rest[i+len(t.prefix):]
		if end := strings.IndexByte(digits, ' '); end >= 0 {
			digits = digits[:end]
		}
		seq, err := strconv.Atoi(digits)
		if err == nil && seq >= 0 && seq < len(t.items) && digits == strconv.Itoa(seq) {
			return seq, true
		}
		rest = rest[i+len(t.prefix):]
	}
}

// sending records that trigger seq is about to be posted. It must be
// called before the request goes out: the page can arrive before the 202.
func (t *tracker) sending(seq int, at time.Time) {
	t.mu.Lock()
	t.items[seq].sentAt = at
	t.mu.Unlock()
}

// accepted records that trigger seq got its 202.
func (t *tracker) accept(seq int) {
	t.mu.Lock()
	t.items[seq].accepted = true
	t.mu.Unlock()
}

// record files one page received at at.
func (t *tracker) record(p pagePayload, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Pages++
	if _, dup := t.ids[p.ID]; dup {
		t.stats.Duplicates++
		return
	}
	t.ids[p.ID] = struct{}{}
	seq, ok := t.seqOf(p.Incident.Title)
	if !ok {
		t.stats.Foreign++
		return
	}
	it := &t.items[seq]
	a := arrival{at: at, createdAt: p.Incident.CreatedAt}
	if it.first.at.IsZero() || at.Before(it.first.at) {
		it.first = a
	}
	if p.Loop != 0 || p.Level < 1 || p.Level > maxTrackedLevel {
		t.stats.Deeper++
	} else if lv := &it.levels[p.Level]; lv.at.IsZero() {
		*lv = a
	} else {
		t.stats.DoublePages++
	}
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// snapshot returns a copy of the items and stats.
func (t *tracker) snapshot() ([]tracked, ReceiverStats) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]tracked(nil), t.items...), t.stats
}

// count returns how many accepted triggers have a page of level (0: any).
func (t *tracker) count(level int) (accepted, paged int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.items {
		it := &t.items[i]
		if !it.accepted {
			continue
		}
		accepted++
		a := it.first
		if level > 0 {
			a = it.levels[level]
		}
		if !a.at.IsZero() {
			paged++
		}
	}
	return accepted, paged
}

// waitAll waits until every accepted trigger has a page of level (0: any)
// or until deadline or ctx ends; it reports whether all arrived. progress,
// if not nil, is called every progressEvery while waiting.
func (t *tracker) waitAll(ctx context.Context, level int, deadline time.Time, progressEvery time.Duration, progress func()) bool {
	var tick <-chan time.Time
	if progress != nil && progressEvery > 0 {
		tk := time.NewTicker(progressEvery)
		defer tk.Stop()
		tick = tk.C
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		if accepted, paged := t.count(level); paged >= accepted {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return false
		case <-tick:
			progress()
		case <-t.changed:
		}
	}
}

// handler is the receiver's HTTP handler: any path, POST only, answered
// 200 as soon as the page is filed.
func (t *tracker) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		var p pagePayload
		if !t.readPage(w, r, &p) {
			return
		}
		if p.ID == "" || p.Incident.ID == "" {
			t.malformed(w, errors.New("not a page: id and incident.id are required"))
			return
		}
		t.record(p, at)
		w.WriteHeader(http.StatusOK)
	})
}

// amHandler is handler for Alertmanager's webhook notifications (version
// 4): each alert in one is a page of the trigger its alertname names (see
// alertmanagerTarget). The alert's fingerprint stands for the incident.
func (t *tracker) amHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		var n amWebhook
		if !t.readPage(w, r, &n) {
			return
		}
		if len(n.Alerts) == 0 {
			t.malformed(w, errors.New("not a notification: no alerts"))
			return
		}
		for _, a := range n.Alerts {
			p := pagePayload{ID: n.GroupKey + "/" + a.Fingerprint + "/" + a.StartsAt, Level: 1}
			p.Incident.ID, p.Incident.Title = a.Fingerprint, a.Labels["alertname"]
			t.record(p, at)
		}
		w.WriteHeader(http.StatusOK)
	})
}

// readPage decodes a POSTed page into v; on failure it answers the
// request, counts it malformed and returns false.
func (t *tracker) readPage(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST a page", http.StatusMethodNotAllowed)
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPageBody+1))
	if err == nil && len(body) > maxPageBody {
		err = errors.New("body too large")
	}
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		t.malformed(w, err)
		return false
	}
	return true
}

// malformed answers 400 to a request that is not a page and counts it.
func (t *tracker) malformed(w http.ResponseWriter, err error) {
	t.mu.Lock()
	t.stats.Malformed++
	t.mu.Unlock()
	http.Error(w, err.Error(), http.StatusBadRequest)
}

// receiver serves a tracker's handler until closed.
type receiver struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// startReceiver serves t on ln, or on a new listener on addr when ln is nil.
func startReceiver(addr string, ln net.Listener, t *tracker) (*receiver, error) {
	return startReceiverHandler(addr, ln, t.handler())
}

// startReceiverHandler serves h on ln, or on a new listener on addr.
func startReceiverHandler(addr string, ln net.Listener, h http.Handler) (*receiver, error) {
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			return nil, fmt.Errorf("receiver: %w", err)
		}
	}
	r := &receiver{
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute},
		addr: ln.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(r.done)
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// close stops the receiver, letting pages being received finish briefly.
func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if r.srv.Shutdown(ctx) != nil {
		_ = r.srv.Close()
	}
	<-r.done
}

// checkLoopbackURL accepts only an http(s) base URL on a loopback host:
// the paging benchmarks open real incidents and must not be pointed at a
// production server by a typo.
func checkLoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q: want an http:// or https:// base URL", raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("url %q: only a loopback server (127.0.0.1, ::1, localhost) may be benchmarked", raw)
	}
	return nil
}

// checkLoopbackAddr accepts only host:port on a loopback host.
func checkLoopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("receiver %q: want host:port such as 127.0.0.1:19000", addr)
	}
	if !isLoopbackHost(host) {
		return fmt.Errorf("receiver %q: must listen on a loopback address (127.0.0.1, ::1, localhost)", addr)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
