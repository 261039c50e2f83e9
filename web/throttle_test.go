package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/hypercare/hypercare/clocktest"
)

func TestThrottleBlocksAnAddressGuessingManyUsers(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	th := newThrottle(clk)
	for i := range maxIPFailures {
		th.fail(fmt.Sprintf("user%d", i), "203.0.113.9")
	}
	if _, blocked := th.blocked("someone-new", "203.0.113.9"); !blocked {
		t.Fatal("an address with 20 failures is not blocked")
	}
	if _, blocked := th.blocked("someone-new", "198.51.100.1"); blocked {
		t.Fatal("another address is blocked")
	}
	th.succeed("user0")
	if _, blocked := th.blocked("user0", "203.0.113.9"); !blocked {
		t.Fatal("one success reopened the address")
	}
	clk.Advance(throttleWindow)
	if _, blocked := th.blocked("someone-new", "203.0.113.9"); blocked {
		t.Fatal("still blocked after the window")
	}
}

func TestThrottleMemoryIsCapped(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	th := newThrottle(clk)
	for i := range throttleCap * 2 {
		th.fail(fmt.Sprintf("random-%d", i), fmt.Sprintf("10.0.%d.%d", i/250, i%250))
		if i%1000 == 0 {
			clk.Advance(time.Second)
		}
	}
	if n := th.size(); n > throttleCap {
		t.Fatalf("%d tracked keys, want at most %d", n, throttleCap)
	}
}

// A sign-in counts as a failure while its password is checked; one that
// succeeds takes its count back, so many good sign-ins from one address
// (a team behind one NAT) never block it.
func TestThrottleSuccessfulSignInsDoNotCount(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	th := newThrottle(clk)
	for i := range maxIPFailures * 2 {
		done, _, blocked := th.begin(fmt.Sprintf("user%d", i%3), "203.0.113.9")
		if blocked {
			t.Fatalf("sign-in %d blocked after only good ones", i+1)
		}
		done(true)
	}
	for range maxUserFailures {
		done, _, blocked := th.begin("user0", "203.0.113.9")
		if blocked {
			t.Fatal("blocked before the user's limit")
		}
		done(false)
	}
	if _, _, blocked := th.begin("user0", "203.0.113.9"); !blocked {
		t.Fatal("not blocked after the user's limit of failures")
	}
}
