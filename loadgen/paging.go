package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Shared parts of the paging benchmarks (bench page, bench escalation):
// posting triggers and resolves that carry a run's tokens, and tallying the
// answers.

// pagingClient is a keep-alive client for up to conns requests at once.
func pagingClient(c *http.Client, conns int) (*http.Client, func()) {
	if c != nil {
		return c, func() {}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * conns
	tr.MaxIdleConnsPerHost = conns
	tr.DisableCompression = true
	return &http.Client{Transport: tr}, tr.CloseIdleConnections
}

// pagingEvent is the body of one trigger or resolve. The dedup key and the
// summary both carry the token, so the page (whose incident title is the
// first alert's summary) names the trigger that caused it.
func pagingEvent(routingKey, action, token string, now time.Time) ([]byte, error) {
	ev := pdEvent{RoutingKey: routingKey, EventAction: action, DedupKey: token, Client: "hypercare bench"}
	if action == "trigger" {
		ev.Payload = &pdPayload{
			Summary:   "hypercare bench page " + token,
			Source:    "bench-pager",
			Severity:  "critical",
			Timestamp: now.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			Component: "loadgen",
			CustomDetails: customDetails{
				Generator: "hypercare bench",
			},
		}
	}
	return json.Marshal(ev)
}

// postEvent posts body to endpoint and reads the answer to the end.
func postEvent(ctx context.Context, client *http.Client, endpoint string, body []byte, timeout time.Duration) result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return result{err: fmt.Errorf("building request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	var sample []byte
	if resp.StatusCode != http.StatusAccepted {
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

// tally is a recorder shared by concurrent senders.
type tally struct {
	mu       sync.Mutex
	rec      *recorder
	accepted int // the status counted as success
}

func newTally() *tally { return newTallyAccepting(http.StatusAccepted) }

// newTallyAccepting is a tally counting status accepted as success.
func newTallyAccepting(accepted int) *tally {
	return &tally{rec: newRecorder(), accepted: accepted}
}

func (t *tally) record(due, sentAt, done time.Time, res result, open bool) {
	t.mu.Lock()
	t.rec.record(due, sentAt, done, res, open)
	t.mu.Unlock()
}

// Requests summarises the answers to one kind of request (triggers or
// resolves) of a paging benchmark.
type Requests struct {
	Sent            int64         `json:"sent"`
	Succeeded       int64         `json:"succeeded"` // 202 (Alertmanager: 200)
	Failed          int64         `json:"failed"`
	StatusCodes     []StatusCount `json:"status_codes"`
	TransportErrors int64         `json:"transport_errors"`
	ErrorSamples    []string      `json:"error_samples,omitempty"`
	// Latency is until the 202 (or other answer), from the scheduled time.
	Latency Latency `json:"latency"`
	// LateSends and MaxSendLag (open loop only) as in Report.
	LateSends  int64         `json:"late_sends,omitempty"`
	MaxSendLag time.Duration `json:"max_send_lag_ns,omitempty"`
}

// summary turns the tally into Requests.
func (t *tally) summary() Requests {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := buildReport(Options{Wire: &Wire{Accepted: t.accepted}}, "", []*recorder{t.rec}, 0)
	return Requests{
		Sent: r.Sent, Succeeded: r.Succeeded, Failed: r.Failed, StatusCodes: r.StatusCodes,
		TransportErrors: r.TransportErrors, ErrorSamples: r.ErrorSamples, Latency: r.Latency,
		LateSends: r.LateSends, MaxSendLag: r.MaxSendLag,
	}
}

// resolveAll resolves the accepted triggers of a run, with conns requests
// in flight, so a run leaves no open incidents (and no escalation still to
// page) behind. It stops at ctx's end or after limit.
func resolveAll(ctx context.Context, client *http.Client, endpoint, routingKey string, tr *tracker, conns int, timeout, limit time.Duration) Requests {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	items, _ := tr.snapshot()
	var todo []int
	for seq := range items {
		if items[seq].accepted {
			todo = append(todo, seq)
		}
	}
	tl := newTally()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(conns, len(todo)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(todo) {
					return
				}
				body, err := pagingEvent(routingKey, "resolve", tr.token(todo[i]), time.Now())
				start := time.Now()
				res := result{err: err}
				if err == nil {
					res = postEvent(ctx, client, endpoint, body, timeout)
				}
				if ctx.Err() != nil {
					return
				}
				tl.record(start, start, time.Now(), res, false)
			}
		})
	}
	wg.Wait()
	return tl.summary()
}

// validPaging checks what both paging benchmarks need.
func validPaging(url, routingKey, receiver string) []error {
	var errs []error
	if err := checkLoopbackURL(url); err != nil {
		errs = append(errs, err)
	}
	if routingKey == "" {
		errs = append(errs, errors.New("routing key is required"))
	}
	if err := checkLoopbackAddr(receiver); err != nil {
		errs = append(errs, err)
	}
	return errs
}

func enqueueURL(base string) string { return strings.TrimRight(base, "/") + "/v2/enqueue" }
