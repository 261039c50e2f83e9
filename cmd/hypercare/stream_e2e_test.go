package main

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestServeStreamEndsOnShutdown: `hypercare serve` streams a committed
// event to a live-stream client, and SIGTERM with that stream open still
// stops the server gracefully (exit 0, well inside the shutdown grace):
// the stream ends instead of holding Shutdown until it gives up.
func TestServeStreamEndsOnShutdown(t *testing.T) {
	forEachEngine(t, func(t *testing.T, storeArgs []string) {
		srv := startServer(t, storeArgs)
		token := createToken(t, storeArgs)
		req, err := http.NewRequestWithContext(context.Background(), "GET", srv.URL+"/api/v1/stream", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET /api/v1/stream: %d", resp.StatusCode)
		}
		lines := make(chan string, 100)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		status, body := srv.post(t, "/v2/enqueue", map[string]any{
			"routing_key": e2eEventsKey, "event_action": "trigger", "dedup_key": "stream-1",
			"payload": map[string]any{"summary": "Disk full on db-1", "source": "db-1", "severity": "critical"},
		})
		if status != http.StatusAccepted {
			t.Fatalf("POST /v2/enqueue: %d %s", status, body)
		}
		for line := range lines {
			if strings.HasPrefix(line, "data: ") && strings.Contains(line, "Disk full on db-1") {
				break
			}
		}
		srv.stop(t) // fails unless exit 0 with "stopped" logged
		for range lines {
		}
	})
}
