package loadgen

import (
	"fmt"
	"net/http"
	"strings"
)

// verdict is the report's headline when more measured requests failed
// than Settings.MaxErrorRate allows, naming the status codes; "" when the
// run is good. A 429 gets a hint, since a server's own rate limit is the
// usual cause: the example config allows 6,000 events a minute per key.
func verdict(r Report) string {
	if r.Sent == 0 || r.FailureRate <= r.Settings.MaxErrorRate {
		return ""
	}
	var parts []string
	limited := false
	for _, sc := range r.StatusCodes {
		if sc.Code == http.StatusAccepted {
			continue
		}
		limited = limited || sc.Code == http.StatusTooManyRequests
		parts = append(parts, fmt.Sprintf("%d %s ×%d", sc.Code, http.StatusText(sc.Code), sc.Count))
	}
	if r.TransportErrors > 0 {
		parts = append(parts, fmt.Sprintf("no response ×%d", r.TransportErrors))
	}
	msg := fmt.Sprintf("FAILED: %.1f%% of %d measured requests were refused or failed (%s), more than the %g%% allowed (--max-error-rate), so events/s is not the server's throughput",
		100*r.FailureRate, r.Sent, strings.Join(parts, ", "), 100*r.Settings.MaxErrorRate)
	if limited {
		msg += ". 429 is the server's per-key rate limit (ingest.rate_limit_per_minute in its config, default 6000): benchmark a server whose config sets it to 0"
	}
	return msg
}
