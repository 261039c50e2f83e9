package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// maxBareBody bounds one request body of the bare endpoint, as Hypercare
// bounds its own (512 KiB).
const maxBareBody = 512 << 10

// BareHandler is bench compare's bare endpoint: it decodes a PagerDuty
// event (POST /v2/enqueue) or an Alertmanager webhook notification (POST
// /integrations/…) into the same Go types the load generator encodes, and
// answers 202 — nothing stored, nothing processed. It is the floor a
// JSON-over-HTTP intake cannot go below on the machine: Go's HTTP server,
// decoding, and the load generator sharing the cores. GET /healthz answers
// 200 when it is up.
func BareHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBareBody+1))
		if err == nil && len(body) > maxBareBody {
			err = errors.New("body too large")
		}
		if err == nil {
			if strings.HasPrefix(r.URL.Path, "/integrations/") {
				var n amWebhook
				err = json.Unmarshal(body, &n)
			} else {
				var ev pdEvent
				err = json.Unmarshal(body, &ev)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, "{\"status\":\"invalid event\",\"message\":%q}\n", err.Error())
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "{\"status\":\"success\"}\n")
	})
	return mux
}

// ServeBare serves BareHandler on ln until ctx ends, then shuts down,
// letting requests in flight finish for at most a few seconds.
func ServeBare(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: BareHandler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("bare endpoint: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("bare endpoint: %w", err)
	}
	return nil
}
