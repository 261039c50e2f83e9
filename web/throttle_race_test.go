package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

// gatedSessions holds every password lookup until the test releases
// them, so sign-ins the test sends at once are checked at once.
type gatedSessions struct {
	web.Sessions
	arrived chan struct{}
	release chan struct{}
}

func (g *gatedSessions) PasswordHash(ctx context.Context, userID string) (string, error) {
	g.arrived <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return g.Sessions.PasswordHash(ctx, userID)
}

// TestConcurrentGuessesAreThrottledPerUser: guesses sent at once count
// against the limit as guesses sent one by one do. The throttle was asked
// before the password check and told of the failure after it, so every
// guess of a burst passed the check before the first failure counted, and
// a script sending its guesses in parallel was never throttled.
func TestConcurrentGuessesAreThrottledPerUser(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		const guesses = 12
		gate := &gatedSessions{arrived: make(chan struct{}, guesses), release: make(chan struct{})}
		h := startHarnessWith(t, e.Open(t), func(o *web.Options) {
			gate.Sessions = o.Sessions
			o.Sessions = gate
		})
		released := false
		open := func() {
			if !released {
				released = true
				close(gate.release)
			}
		}
		t.Cleanup(open) // before the server closes, so no check is left waiting
		forms := make([]url.Values, guesses)
		browsers := make([]*browser, guesses)
		for i := range guesses {
			browsers[i] = h.browser()
			_, page := browsers[i].get("/login")
			forms[i] = url.Values{"csrf": {csrf(t, page)}, "username": {"rita"}, "password": {"guess " + string(rune('a'+i))}}
		}
		codes := make(chan int, guesses)
		for i := range guesses {
			go func() {
				resp, err := browsers[i].c.PostForm(h.URL+"/login", forms[i])
				if err != nil {
					codes <- 0
					return
				}
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		// Release the checks once every guess is either waiting for its
		// check or answered without one.
		arrived, answered, count := 0, 0, map[int]int{}
		timeout := time.After(30 * time.Second)
		for answered < guesses {
			select {
			case <-gate.arrived:
				arrived++
			case c := <-codes:
				answered++
				count[c]++
			case <-timeout:
				t.Fatalf("sign-ins stuck: %d checked, %d answered", arrived, answered)
			}
			if arrived+answered == guesses {
				open()
			}
		}
		if arrived > 5 || count[http.StatusUnauthorized] > 5 {
			t.Errorf("%d guesses sent at once: %d passwords checked, answers %v; want at most 5 checked, the rest 429",
				guesses, arrived, count)
		}
		if count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != guesses {
			t.Errorf("answers %v, want only 401 and 429", count)
		}
	})
}
