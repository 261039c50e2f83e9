package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/hypercare/hypercare/clocktest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/intake"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/actlink"
	"github.com/hypercare/hypercare/notify/ntfy"
	"github.com/hypercare/hypercare/storetest"
)

// ntfyAction is one button of ntfy's Actions header, as the ntfy app reads
// it: "action, label, url, key=value, …" ("Action buttons" in ntfy's
// publishing docs; headers.X=Y are request headers of an http action).
type ntfyAction struct {
	kind, label, url, method string
	headers                  http.Header
	clear                    bool
}

// parseNtfyActions splits an Actions header the way ntfy documents it.
func parseNtfyActions(t *testing.T, header string) []ntfyAction {
	t.Helper()
	var out []ntfyAction
	for _, part := range strings.Split(header, ";") {
		f := strings.Split(part, ",")
		if len(f) < 3 {
			t.Fatalf("action %q: want at least action, label, url", part)
		}
		a := ntfyAction{kind: strings.TrimSpace(f[0]), label: strings.TrimSpace(f[1]), url: strings.TrimSpace(f[2]),
			method: http.MethodPost, headers: http.Header{}}
		for _, kv := range f[3:] {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			switch {
			case !ok:
				t.Fatalf("action %q: parameter %q is not key=value", part, kv)
			case k == "method":
				a.method = v
			case k == "clear":
				a.clear = v == "true"
			case strings.HasPrefix(k, "headers."):
				a.headers.Set(strings.TrimPrefix(k, "headers."), v)
			default:
				t.Fatalf("action %q: unknown parameter %q", part, k)
			}
		}
		out = append(out, a)
	}
	if len(out) > 3 {
		t.Fatalf("%d actions; ntfy allows 3", len(out))
	}
	return out
}

// TestNtfyOneTapAcknowledge pages Alice through ntfy and taps
// "Acknowledge" as the ntfy app does: its http action POSTs the link with
// no body and no cookie. The incident is acknowledged as Alice exactly
// once, even when the tap is sent twice at the same time (a retry, a
// double tap): the second answer is 409 and the timeline has one entry,
// saying it came through ntfy.
func TestNtfyOneTapAcknowledge(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		published := make(chan http.Header, 4)
		topic := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if r.Method != http.MethodPost || r.URL.Path != "/hc-alice" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") ||
				r.Header.Get("Title") == "" || r.Header.Get("Priority") == "" || len(body) == 0 || len(body) > 4096 {
				http.Error(w, "not an ntfy publish", http.StatusBadRequest)
				return
			}
			published <- r.Header.Clone()
			_, _ = w.Write([]byte(`{"id":"m1","event":"message","topic":"hc-alice"}`))
		}))
		t.Cleanup(topic.Close)
		alice := hypercare.User{ID: "alice", Name: "Alice", Role: hypercare.RoleResponder,
			ContactMethods:    []hypercare.ContactMethod{{ID: "alice-push", Type: hypercare.ContactNtfy, Address: topic.URL + "/hc-alice"}},
			NotificationRules: []hypercare.NotificationRule{{ContactMethod: "alice-push"}}}
		policy := hypercare.EscalationPolicy{ID: "web", Levels: []hypercare.EscalationLevel{
			{Targets: []hypercare.Target{{User: "alice"}}, EscalateAfter: time.Hour}}}
		dir := escalate.NewDirectory([]hypercare.User{alice}, nil, []hypercare.EscalationPolicy{policy},
			[]hypercare.Service{{ID: "checkout", EscalationPolicy: "web"}}, nil)
		signer, _ := actlink.NewSigner([]byte("act-test-key-0123456789abcdef"), 0)
		st := eng.Open(t)
		p := &pager{}
		p.env = newEnvWith(t, st, 0, func(in *intake.Intake, clk *clocktest.Clock, opts *api.Options) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			p.esc = escalate.New(st, clk, dir, log)
			channels := notify.NewRegistry()
			channels.Register(hypercare.ContactNtfy, ntfy.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true}), "", clk))
			p.delivery = notify.NewEngine(st, clk, channels, func() notify.Directory { return p.esc.Directory() }, log)
			in.SetPolicies(dir.PoliciesByService(), nil)
			opts.Escalation, opts.Actions = p.esc, signer
		})
		p.delivery.SetLinks(actlink.Links{Base: p.url, Signer: signer})
		a := &actEnv{pager: p}

		a.send(trigger(keyCheckout, "checkout-5xx", "Checkout 5xx above 5%"))
		if _, err := a.esc.RunDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.delivery.RunDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		var h http.Header
		select {
		case h = <-published:
		default:
			t.Fatal("nothing was published to the topic")
		}
		acts := parseNtfyActions(t, h.Get("Actions"))
		if len(acts) != 3 || acts[0].kind != "http" || acts[0].label != "Acknowledge" || acts[1].kind != "http" ||
			acts[1].label != "Resolve" || acts[2].kind != "view" || acts[2].url != a.url+"/incidents/1" {
			t.Fatalf("actions %+v", acts)
		}
		ack := acts[0]
		if ack.method != http.MethodPost || !ack.clear || !strings.HasPrefix(ack.url, a.url+"/act/") {
			t.Fatalf("acknowledge action %+v", ack)
		}

		// Two taps at once, as the app sends them: no body, no cookie.
		codes := make(chan int, 2)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(ack.method, ack.url, nil)
				req.Header = ack.headers.Clone()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var out struct {
					Message string                `json:"message"`
					Error   struct{ Code string } `json:"error"`
				}
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					t.Errorf("answer is not JSON: %v", err)
				}
				switch {
				case resp.StatusCode == http.StatusOK && out.Message != "#1 acknowledged by Alice":
					t.Errorf("200 with message %q", out.Message)
				case resp.StatusCode == http.StatusConflict && out.Error.Code != "conflict":
					t.Errorf("409 with code %q", out.Error.Code)
				}
				codes <- resp.StatusCode
			}()
		}
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if got[http.StatusOK] != 1 || got[http.StatusConflict] != 1 {
			t.Fatalf("two taps answered %v, want one 200 and one 409", got)
		}
		status, tl := a.state()
		acked := 0
		for _, e := range tl {
			if e.Type == hypercare.TimelineAcknowledged {
				acked++
				if e.Message != "Acknowledged by Alice via ntfy" || e.Actor.ID != "alice" {
					t.Errorf("entry %q by %+v", e.Message, e.Actor)
				}
			}
		}
		if status != hypercare.StatusAcknowledged || acked != 1 {
			t.Fatalf("status %s with %d acknowledged entries", status, acked)
		}
	})
}
