package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hypercare/hypercare/storetest"
	"github.com/hypercare/hypercare/web"
)

// syncBuffer is a log sink the server's goroutines may write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestFailedSignInLogsNoTypedSecret: a failed sign-in is logged, naming a
// user who exists, but never the username field as typed when it names
// nobody: people type their password there (focus in the wrong field, a
// password manager filling it), and the log line kept it for everyone
// who reads logs.
func TestFailedSignInLogsNoTypedSecret(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		logs := &syncBuffer{}
		h := startHarnessWith(t, e.Open(t), func(o *web.Options) {
			o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		})
		const typed = "Tr0ub4dor&3-rita-password"
		if code, _ := h.browser().login(typed, "x"); code != http.StatusUnauthorized {
			t.Fatalf("sign-in with a password as username: %d, want 401", code)
		}
		if code, _ := h.browser().login("rita", "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d, want 401", code)
		}
		log := logs.String()
		if strings.Contains(log, "Tr0ub4dor") {
			t.Errorf("the log keeps what was typed as username:\n%s", log)
		}
		if strings.Count(log, "failed sign-in") != 2 || !strings.Contains(log, `"user":"rita"`) {
			t.Errorf("failed sign-ins not logged, naming the known user:\n%s", log)
		}
	})
}
