package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/apitest"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/notify/webhook"
	"github.com/hypercare/hypercare/storetest"
)

// hookTitles is a webhook receiver that keeps the last incident title.
type hookTitles struct {
	mu   sync.Mutex
	last string
}

func (h *hookTitles) ServeHTTP(_ http.ResponseWriter, r *http.Request) {
	var body struct {
		Incident struct {
			Title string `json:"title"`
		} `json:"incident"`
	}
	raw, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(raw, &body)
	h.mu.Lock()
	h.last = body.Incident.Title
	h.mu.Unlock()
}

func (h *hookTitles) get() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// The notify commands against a real server on each engine: a test page
// arrives, a code is sent and confirmed, a wrong code is main's error.
func TestNotifyCommands(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		rec := &hookTitles{}
		hook := httptest.NewServer(rec)
		t.Cleanup(hook.Close)
		channels := notify.NewRegistry()
		channels.Register(hypercare.ContactWebhook, webhook.New(notify.NewHTTPClient(notify.NetOptions{AllowPrivateNetworks: true})))
		dir := escalate.NewDirectory([]hypercare.User{{ID: "alice", Name: "Alice", ContactMethods: []hypercare.ContactMethod{
			{ID: "alice-hook", Type: hypercare.ContactWebhook, Address: hook.URL}}}}, nil, nil, nil, nil)
		srv := apitest.New(t, eng.Open(t), apitest.WithDirectory(dir), apitest.WithChannels(channels))
		flags := []string{"--server", srv.URL, "--token", srv.Token(hypercare.RoleAdmin)}
		zone := time.FixedZone("X", 3600)
		run := func(args ...string) (string, error) {
			cmd := newNotifyCmdEnv(clientEnv{getenv: func(string) string { return "" }, now: srv.Clock.Now, loc: zone})
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(io.Discard)
			cmd.SetArgs(append(args, flags...))
			err := cmd.ExecuteContext(context.Background())
			return out.String(), err
		}
		if out, err := run("test", "alice", "alice-hook"); err != nil || !strings.Contains(out, "delivered") ||
			rec.get() != "Test page from Hypercare" {
			t.Fatalf("notify test: %q, %v; receiver got %q", out, err, rec.get())
		}
		// The expiry is in the user's time zone, named, like every time
		// the CLI shows (it was the server's UTC clock time, unnamed zone aside).
		expires := srv.Clock.Now().Add(15 * time.Minute).In(zone).Format("2006-01-02 15:04 MST")
		if out, err := run("verify", "alice", "alice-hook"); err != nil ||
			out != "code sent to alice's alice-hook; it expires in 15m ("+expires+"): confirm it with --code\n" {
			t.Fatalf("notify verify: %q, %v", out, err)
		}
		code := regexp.MustCompile(`\d{6}$`).FindString(rec.get())
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if _, err := run("verify", "alice", "alice-hook", "--code", wrong); err == nil || !strings.Contains(err.Error(), "wrong code") {
			t.Errorf("wrong code: %v, want the server's refusal", err)
		}
		if out, err := run("verify", "alice", "alice-hook", "--code", code); err != nil || !strings.Contains(out, "is verified") {
			t.Errorf("notify verify --code: %q, %v", out, err)
		}

		// Every client command takes -o json|table (DESIGN.md §5): notify
		// printed its sentence for -o json and took -o yaml silently.
		if _, err := run("test", "alice", "alice-hook", "-o", "yaml"); err == nil || !strings.Contains(err.Error(), `output format "yaml"`) {
			t.Errorf("notify test -o yaml: %v, want the output format refused", err)
		}
		for _, tc := range []struct {
			args []string
			keys []string
		}{
			{[]string{"test", "alice", "alice-hook"}, []string{"delivered", "user", "contact_method"}},
			{[]string{"verify", "alice", "alice-hook"}, []string{"sent", "expires_at"}},
		} {
			out, err := run(append(tc.args, "-o", "json")...)
			var v map[string]any
			if err != nil || json.Unmarshal([]byte(out), &v) != nil {
				t.Errorf("notify %v -o json: %v, output %q is not one JSON object", tc.args, err, out)
				continue
			}
			for _, k := range tc.keys {
				if _, ok := v[k]; !ok {
					t.Errorf("notify %v -o json: %s lacks %q", tc.args, out, k)
				}
			}
		}
		code = regexp.MustCompile(`\d{6}$`).FindString(rec.get())
		out, err := run("verify", "alice", "alice-hook", "--code", code, "-o", "json")
		var v struct{ Verified bool }
		if err != nil || json.Unmarshal([]byte(out), &v) != nil || !v.Verified {
			t.Errorf("notify verify --code -o json: %q, %v", out, err)
		}
	})
}
