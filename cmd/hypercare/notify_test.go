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
		run := func(args ...string) (string, error) {
			cmd := newNotifyCmdEnv(clientEnv{getenv: func(string) string { return "" }, now: srv.Clock.Now})
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
		if out, err := run("verify", "alice", "alice-hook"); err != nil || !strings.Contains(out, "code sent") {
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
	})
}
