package webhook_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
)

// TestGuardRefusesPrivateDestinations runs the webhook with the guard on
// (the production default) against a live loopback receiver reached under
// many spellings: every one must be refused at connect time, permanently,
// with the address class named, and the receiver must see nothing.
func TestGuardRefusesPrivateDestinations(t *testing.T) {
	srv, got := receiver(t, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	strict := webhook.New(notify.NewHTTPClient(notify.NetOptions{Timeout: 2 * time.Second}),
		webhook.WithClock(clocktest.New(sentAt)))
	tests := []struct {
		address, want string
	}{
		{srv.URL + "/hook", "is a loopback address; set notify.allow_private_networks to allow"},
		{"http://localhost:" + port + "/hook", "is a loopback address"},
		{"http://[::1]:" + port + "/hook", "refused: ::1 is a loopback address"},
		{"http://0.0.0.0:" + port + "/hook", "refused: 0.0.0.0 is an unspecified address"},
		{"http://[::ffff:127.0.0.1]:" + port + "/hook", "is a loopback address"},
		{"http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254 is a cloud metadata address; it is never allowed"},
		{"http://[fe80::1%25lo]:" + port + "/", "is a link-local address"},
		{"http://10.255.255.1:" + port + "/", "10.255.255.1 is a private address"},
		{"http://100.64.0.1/", "is a shared (carrier-grade NAT) address"},
	}
	for _, tc := range tests {
		err := strict.Send(context.Background(), message(tc.address))
		var re *notify.RefusedError
		if !errors.As(err, &re) || !notify.IsPermanent(err) {
			t.Errorf("Send(%s) = %v, want a permanent *notify.RefusedError", tc.address, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Send(%s) = %q, want it to say %q", tc.address, err, tc.want)
		}
	}
	if n := len(got); n != 0 {
		t.Errorf("receiver got %d requests through the guard", n)
	}

	// Control: the same receiver is reachable with private networks
	// allowed, so the refusals were the guard's doing.
	if err := sender(2*time.Second).Send(context.Background(), message(srv.URL)); err != nil {
		t.Fatalf("allowed Send: %v", err)
	}
	if n := len(got); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
}

// TestNilClientFailsSafe: New(nil) must not fall back to an unguarded
// http.DefaultClient.
func TestNilClientFailsSafe(t *testing.T) {
	srv, got := receiver(t, nil)
	err := webhook.New(nil).Send(context.Background(), message(srv.URL))
	var re *notify.RefusedError
	if !errors.As(err, &re) {
		t.Errorf("Send with nil client = %v, want a refusal", err)
	}
	if len(got) != 0 {
		t.Error("receiver got a request through a nil-client sender")
	}
}
