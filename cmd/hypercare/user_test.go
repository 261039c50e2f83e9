package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/storetest"
	"golang.org/x/crypto/bcrypt"
)

const userConfig = `users:
  - id: alice
    name: Alice
    role: responder
`

func setPassword(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var errOut bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"user", "set-password"}, args...))
	err := cmd.ExecuteContext(context.Background())
	return errOut.String(), err
}

func TestUserSetPassword(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		st := storetest.OpenStore(t, opts) // the server made the database
		cfg := filepath.Join(t.TempDir(), "hypercare.yaml")
		if err := os.WriteFile(cfg, []byte(userConfig), 0o600); err != nil {
			t.Fatal(err)
		}
		flags := []string{"--config", cfg, "--data-dir", opts.DataDir}
		if opts.DatabaseURL != "" {
			flags = []string{"--config", cfg, "--database-url", opts.DatabaseURL}
		}
		ctx := context.Background()
		now := time.Now()
		if err := st.CreateSession(ctx, "old-session-hash", "alice", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}

		if _, err := setPassword(t, "correct horse battery\n", append([]string{"bob"}, flags...)...); err == nil ||
			!strings.Contains(err.Error(), `no user "bob"`) {
			t.Errorf("unknown user: %v, want a refusal naming the user", err)
		}
		if _, err := setPassword(t, "short\n", append([]string{"alice"}, flags...)...); err == nil ||
			!strings.Contains(err.Error(), "at least 10 characters") {
			t.Errorf("short password: %v, want a refusal saying why", err)
		}
		if _, err := st.PasswordHash(ctx, "alice"); !hypercare.IsNotFound(err) {
			t.Fatalf("a refused password was stored: %v", err)
		}

		stderr, err := setPassword(t, "correct horse battery\n", append([]string{"alice"}, flags...)...)
		if err != nil || !strings.Contains(stderr, `password of "alice" set`) {
			t.Fatalf("set-password: %v, stderr %q", err, stderr)
		}
		hash, err := st.PasswordHash(ctx, "alice")
		if err != nil || bcrypt.CompareHashAndPassword([]byte(hash), []byte("correct horse battery")) != nil {
			t.Fatalf("stored hash does not match the password (%v)", err)
		}
		if strings.Contains(hash, "correct horse") {
			t.Fatal("the password is stored in the clear")
		}
		if _, err := st.SessionUser(ctx, "old-session-hash", now); !hypercare.IsNotFound(err) {
			t.Fatalf("the session from before the password change still works: %v", err)
		}
	})
}
