// Command streamclients measures the live stream under many clients: it
// connects -clients SSE clients to GET /api/v1/stream on a running server,
// posts -events new incidents (PagerDuty Events v2) at -rate per second,
// and reports the delivery latency of each incident's "incident created"
// event to every client (from just before the POST to the client reading
// the event: commit, fan-out and network), as p50/p99/max, plus the
// server's VmRSS before the clients connected, with them connected and
// idle, and its peak (VmHWM). It is a measuring tool, not a test.
//
//	go run ./tools/streamclients -url http://127.0.0.1:18500 -token $TOKEN -key $KEY -pid $PID
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18500", "server base URL")
	token := flag.String("token", "", "API token (viewer or above)")
	key := flag.String("key", "", "Events v2 routing key")
	pid := flag.Int("pid", 0, "server PID, to read its VmRSS (0: skip)")
	clients := flag.Int("clients", 500, "stream clients")
	events := flag.Int("events", 200, "incidents to open")
	rate := flag.Int("rate", 20, "incidents per second")
	flag.Parse()
	if err := run(*base, *token, *key, *pid, *clients, *events, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "streamclients:", err)
		os.Exit(1)
	}
}

// tally collects delivery latencies.
type tally struct {
	mu   sync.Mutex
	sent map[string]time.Time // summary → just before its POST
	lat  []time.Duration
}

func (t *tally) record(summary string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.sent[summary]; ok {
		t.lat = append(t.lat, at.Sub(s))
	}
}

func run(base, token, key string, pid, clients, events, rate int) error {
	rssBefore := rss(pid, "VmRSS")
	tl := &tally{sent: map[string]time.Time{}}
	var ready, done sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: clients + 10}
	hc := &http.Client{Transport: tr}
	errs := make(chan error, clients)
	for range clients {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			errs <- follow(hc, base, token, tl, events, &ready)
		}()
	}
	ready.Wait()
	time.Sleep(2 * time.Second) // let the server settle before reading its memory
	rssConnected := rss(pid, "VmRSS")
	gap := time.Second / time.Duration(rate)
	start := time.Now()
	for i := range events {
		summary := "streambench-" + strconv.Itoa(i) + "-" + strconv.FormatInt(start.UnixNano(), 36)
		body, _ := json.Marshal(map[string]any{"routing_key": key, "event_action": "trigger", "dedup_key": summary,
			"payload": map[string]any{"summary": summary, "source": "bench", "severity": "critical"}})
		tl.mu.Lock()
		tl.sent[summary] = time.Now()
		tl.mu.Unlock()
		resp, err := hc.Post(base+"/v2/enqueue", "application/json", bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("post event %d: %w", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("post event %d: %s", i, resp.Status)
		}
		time.Sleep(time.Until(start.Add(time.Duration(i+1) * gap)))
	}
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	slices.Sort(tl.lat)
	n := len(tl.lat)
	if n == 0 {
		return fmt.Errorf("no deliveries measured")
	}
	pct := func(p float64) time.Duration { return tl.lat[min(n-1, int(float64(n)*p))] }
	fmt.Printf("clients %d, incidents %d at %d/s: %d deliveries (want %d)\n", clients, events, rate, n, clients*events)
	fmt.Printf("delivery latency p50 %v, p99 %v, max %v\n", pct(0.50).Round(100*time.Microsecond),
		pct(0.99).Round(100*time.Microsecond), tl.lat[n-1].Round(100*time.Microsecond))
	if pid != 0 {
		fmt.Printf("server VmRSS: before clients %s, %d clients connected %s, peak (VmHWM) %s\n",
			rssBefore, clients, rssConnected, rss(pid, "VmHWM"))
	}
	return nil
}

// follow reads one stream until it has seen every benchmark incident.
func follow(hc *http.Client, base, token string, tl *tally, events int, ready *sync.WaitGroup) error {
	req, err := http.NewRequest("GET", base+"/api/v1/stream", nil)
	if err != nil {
		ready.Done()
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		ready.Done()
		return fmt.Errorf("open stream: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		ready.Done()
		return fmt.Errorf("open stream: %s", resp.Status)
	}
	ready.Done()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seen := 0
	for sc.Scan() && seen < events {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: ") || !strings.Contains(line, `"kind":"incident","op":"created"`) {
			continue
		}
		at := time.Now()
		var d struct {
			Object struct {
				Title string `json:"title"`
			} `json:"object"`
		}
		if json.Unmarshal([]byte(line[len("data: "):]), &d) == nil && strings.HasPrefix(d.Object.Title, "streambench-") {
			tl.record(d.Object.Title, at)
			seen++
		}
	}
	if seen < events {
		return fmt.Errorf("stream ended after %d of %d incidents: %v", seen, events, sc.Err())
	}
	return nil
}

// rss returns a /proc/PID/status field such as "VmRSS" ("" without a PID).
func rss(pid int, field string) string {
	if pid == 0 {
		return ""
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "?"
}
