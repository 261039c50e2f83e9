package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CleanupReport is what resolving a run's dedup keys did.
type CleanupReport struct {
	// Keys is how many dedup keys the run's triggers may have opened.
	Keys int `json:"dedup_keys"`
	// Resolved counts resolve events the server accepted (202);
	// Failed those it refused for good or that ran out of time.
	Resolved int `json:"resolved"`
	Failed   int `json:"failed"`
	// Retries counts resolve events sent again after a 429, a 5xx or a
	// transport error.
	Retries      int           `json:"retries"`
	ErrorSamples []string      `json:"error_samples,omitempty"`
	Elapsed      time.Duration `json:"elapsed_ns"`
}

// Retry pacing for cleanup: a 429's Retry-After is honoured up to
// maxRetryWait; without one the wait doubles from firstRetryWait.
const (
	firstRetryWait = 100 * time.Millisecond
	maxRetryWait   = 10 * time.Second
)

// Resolve sends a resolve event for each of keys with opts' URL, routing
// key, concurrency and per-request timeout, so a benchmark leaves no
// incident open (an open incident keeps escalating and paging people).
// Rate-limited, failed and timed-out requests are retried until ctx ends;
// the caller bounds ctx. Resolving a key with nothing open is accepted and
// harmless.
func Resolve(ctx context.Context, opts Options, keys []string) (CleanupReport, error) {
	start := time.Now()
	rep := CleanupReport{Keys: len(keys)}
	if len(keys) == 0 {
		return rep, nil
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	p := &plan{opts: opts, endpoint: strings.TrimRight(opts.URL, "/") + "/v2/enqueue"}
	client, release := p.httpClient()
	defer release()

	work := make(chan string)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for range max(1, min(opts.Concurrency, len(keys))) {
		wg.Go(func() {
			for key := range work {
				retries, err := resolveKey(ctx, client, p, key)
				mu.Lock()
				rep.Retries += retries
				if err != nil {
					rep.Failed++
					if msg := err.Error(); len(rep.ErrorSamples) < maxErrorSamples && !slices.Contains(rep.ErrorSamples, msg) {
						rep.ErrorSamples = append(rep.ErrorSamples, msg)
					}
				} else {
					rep.Resolved++
				}
				mu.Unlock()
			}
		})
	}
	for _, key := range keys {
		work <- key
	}
	close(work)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	if rep.Failed > 0 {
		return rep, fmt.Errorf("cleanup: %d of %d dedup keys not resolved (%s)", rep.Failed, rep.Keys, strings.Join(rep.ErrorSamples, "; "))
	}
	return rep, nil
}

// resolveKey sends one resolve until it is accepted, refused for good, or
// ctx ends, and returns how many times it retried.
func resolveKey(ctx context.Context, client *http.Client, p *plan, key string) (int, error) {
	body, err := json.Marshal(pdEvent{RoutingKey: p.opts.RoutingKey, EventAction: "resolve", DedupKey: key, Client: "hypercare bench"})
	if err != nil {
		return 0, fmt.Errorf("encoding resolve of %s: %w", key, err)
	}
	wait := firstRetryWait
	for retries := 0; ; retries++ {
		status, retryAfter, err := postOnce(ctx, client, p, body)
		switch {
		case err == nil && status == http.StatusAccepted:
			return retries, nil
		case err == nil && status != http.StatusTooManyRequests && status < 500:
			return retries, fmt.Errorf("resolve %s: HTTP %d", key, status)
		}
		if retryAfter > 0 {
			wait = min(retryAfter, maxRetryWait)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			if err == nil {
				err = fmt.Errorf("HTTP %d", status)
			}
			return retries, fmt.Errorf("resolve %s: gave up: %w", key, err)
		case <-timer.C:
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// postOnce posts body and returns the status and the Retry-After delay.
func postOnce(ctx context.Context, client *http.Client, p *plan, body []byte) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, time.Duration(secs) * time.Second, nil
}
