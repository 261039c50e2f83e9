// Command slowreaders measures how much memory a Hypercare server holds
// while hostile clients send a large invalid ingest body and never read the
// answer (the attack behind BENCHMARKS.md "Hostile ingest bodies"). It is a
// measuring tool, not a test: it needs a running server and its PID.
//
//	go run ./tools/slowreaders -url http://127.0.0.1:8080/v2/enqueue -pid $PID
//
// Each client writes the whole request, then keeps the connection open
// without reading for -hold. Meanwhile the server's VmRSS is sampled from
// /proc/PID/status; at the end the tool prints the peak (VmHWM), the status
// line of one answer and its size.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	target := flag.String("url", "http://127.0.0.1:8080/v2/enqueue", "ingest endpoint to attack")
	clients := flag.Int("clients", 20, "concurrent clients that never read the answer")
	elems := flag.Int("elements", 250_000, "elements of the hostile array")
	shape := flag.String("shape", "v2", "body shape: v2 (links array), v1 (contexts), change (links), alerts (Alertmanager alerts array), grafana (Grafana alerts array), array (top-level array)")
	key := flag.String("key", "0000000000000000000000000000bad0", "routing key put in PagerDuty bodies (default: well formed, routes nowhere)")
	pid := flag.Int("pid", 0, "server PID whose /proc status is sampled")
	hold := flag.Duration("hold", 20*time.Second, "how long each client keeps its connection unread")
	flag.Parse()
	if err := run(*target, *clients, body(*shape, *key, *elems), *pid, *hold); err != nil {
		fmt.Fprintln(os.Stderr, "slowreaders:", err)
		os.Exit(1)
	}
}

// body builds the hostile body: the given key and an array of n one-digit
// numbers where objects belong, so every element is a separate problem.
func body(shape, key string, n int) []byte {
	arr := "[" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + "]"
	switch shape {
	case "v1":
		return []byte(`{"service_key":"` + key + `","event_type":"trigger","description":"x","contexts":` + arr + `}`)
	case "change":
		return []byte(`{"routing_key":"` + key + `","payload":{"summary":"x"},"links":` + arr + `}`)
	case "alerts":
		return []byte(`{"version":"4","status":"firing","alerts":` + arr + `}`)
	case "grafana":
		return []byte(`{"version":"1","status":"firing","alerts":` + arr + `}`)
	case "array":
		return []byte(arr)
	}
	return []byte(`{"routing_key":"` + key + `","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info"},"links":` + arr + `}`)
}

func run(target string, clients int, b []byte, pid int, hold time.Duration) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("parse -url: %w", err)
	}
	req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n", u.RequestURI(), u.Host, len(b))
	fmt.Printf("body %d bytes, %d clients, hold %s\n", len(b), clients, hold)
	status, size := probe(u.Host, req, b)
	fmt.Printf("one answer (read fully): %s, %d bytes\n", status, size)
	stop := make(chan struct{})
	var peak int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); peak = sample(pid, stop) }()
	var conns sync.WaitGroup
	for i := 0; i < clients; i++ {
		conns.Add(1)
		go func() {
			defer conns.Done()
			c, err := net.Dial("tcp", u.Host)
			if err != nil {
				fmt.Fprintln(os.Stderr, "dial:", err)
				return
			}
			defer c.Close()
			_, _ = io.WriteString(c, req)
			_, _ = c.Write(b)
			time.Sleep(hold) // never read the answer
		}()
	}
	conns.Wait()
	close(stop)
	wg.Wait()
	if pid > 0 {
		fmt.Printf("peak VmRSS while held: %d kB; VmHWM: %s\n", peak, status2(pid, "VmHWM"))
	}
	return nil
}

// probe sends the request once and reads the whole answer.
func probe(host, req string, b []byte) (string, int) {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return "dial: " + err.Error(), 0
	}
	defer c.Close()
	_, _ = io.WriteString(c, req)
	_, _ = c.Write(b)
	_ = c.SetReadDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	line, _ := r.ReadString('\n')
	rest, _ := io.ReadAll(r)
	return strings.TrimSpace(line), len(line) + len(rest)
}

// sample polls VmRSS every 100 ms until stop and returns the largest seen.
func sample(pid int, stop <-chan struct{}) int64 {
	var peak int64
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		var kb int64
		if pid > 0 {
			_, _ = fmt.Sscanf(status2(pid, "VmRSS"), "%d", &kb)
		}
		peak = max(peak, kb)
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}

// status2 returns one field of /proc/PID/status ("123 kB" → "123 kB").
func status2(pid int, field string) string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if k, v, ok := strings.Cut(string(line), ":"); ok && k == field {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
