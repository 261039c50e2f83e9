package main

import (
	"net/http"
	"testing"
	"time"
)

// TestHTTPServerTimeouts: every phase of a connection is bounded, so slow
// senders and clients that never read their answer cannot hold memory
// forever; WriteTimeout (counted from the end of the headers) leaves a slow
// body its full ReadTimeout.
func TestHTTPServerTimeouts(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler())
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.IdleTimeout <= 0 {
		t.Fatalf("unbounded read or idle: %+v", hs)
	}
	if hs.WriteTimeout <= hs.ReadTimeout || hs.WriteTimeout > 2*time.Minute {
		t.Fatalf("WriteTimeout %s: want more than ReadTimeout %s and at most 2 min", hs.WriteTimeout, hs.ReadTimeout)
	}
}
