package main

import (
	"bytes"
	"context"
	"io"
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

// fakeTerminal stands for stdin on a terminal: each read returns the next
// of typed, as term.ReadPassword would with echo off.
func fakeTerminal(typed ...string) func(io.Reader) hiddenReader {
	return func(io.Reader) hiddenReader {
		return func(context.Context) ([]byte, error) {
			if len(typed) == 0 {
				return nil, io.EOF
			}
			s := typed[0]
			typed = typed[1:]
			return []byte(s), nil
		}
	}
}

// On a terminal set-password echoed the password as it was typed (it read
// stdin like a pipe). It now prompts "Password:" and "Again:" with echo
// off and refuses two that differ, changing nothing; piped stdin is read
// as before, without prompts (TestUserSetPassword).
func TestUserSetPasswordTerminal(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		opts := e.Options(t)
		st := storetest.OpenStore(t, opts)
		cfg := filepath.Join(t.TempDir(), "hypercare.yaml")
		if err := os.WriteFile(cfg, []byte(userConfig), 0o600); err != nil {
			t.Fatal(err)
		}
		flags := []string{"alice", "--config", cfg, "--data-dir", opts.DataDir}
		if opts.DatabaseURL != "" {
			flags = []string{"alice", "--config", cfg, "--database-url", opts.DatabaseURL}
		}
		run := func(term func(io.Reader) hiddenReader) (string, error) {
			cmd := newUserCmdTerm(term)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			var errOut bytes.Buffer
			cmd.SetIn(strings.NewReader("piped line must not be read\n"))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&errOut)
			cmd.SetArgs(append([]string{"set-password"}, flags...))
			err := cmd.ExecuteContext(context.Background())
			return errOut.String(), err
		}
		ctx := context.Background()

		stderr, err := run(fakeTerminal("correct horse battery", "correct horse batteyr"))
		if err == nil || err.Error() != "the two passwords typed differ; nothing was changed" {
			t.Errorf("mismatch: %v, want a refusal saying the two differ", err)
		}
		if !strings.Contains(stderr, "Password: ") || !strings.Contains(stderr, "Again: ") {
			t.Errorf("mismatch: stderr %q, want the prompts Password: and Again:", stderr)
		}
		if _, err := st.PasswordHash(ctx, "alice"); !hypercare.IsNotFound(err) {
			t.Fatalf("a mismatched password was stored: %v", err)
		}

		stderr, err = run(fakeTerminal("correct horse battery", "correct horse battery"))
		if err != nil || !strings.Contains(stderr, `password of "alice" set`) {
			t.Fatalf("terminal set-password: %v, stderr %q", err, stderr)
		}
		if strings.Contains(stderr, "correct horse") {
			t.Errorf("the password was written back: stderr %q", stderr)
		}
		hash, err := st.PasswordHash(ctx, "alice")
		if err != nil || bcrypt.CompareHashAndPassword([]byte(hash), []byte("correct horse battery")) != nil {
			t.Fatalf("stored hash does not match the password typed (%v)", err)
		}
	})
}

// readPassword on a pipe reads the first line and prompts nothing; a
// terminal that fails or ends mid-prompt is an error naming the step.
func TestReadPassword(t *testing.T) {
	var prompts bytes.Buffer
	got, err := readPassword(context.Background(), strings.NewReader("from a pipe\r\nsecond line\n"), &prompts, nil)
	if err != nil || got != "from a pipe" || prompts.Len() != 0 {
		t.Errorf("piped: %q %v, prompts %q; want the first line and no prompt", got, err, prompts.String())
	}
	got, err = readPassword(context.Background(), strings.NewReader(""), &prompts, nil)
	if err != nil || got != "" {
		t.Errorf("empty pipe: %q %v, want an empty password (refused by its length check)", got, err)
	}
	_, err = readPassword(context.Background(), nil, &prompts, fakeTerminal("only once")(nil))
	if err == nil || !strings.Contains(err.Error(), "read password again") {
		t.Errorf("terminal closed before Again: %v, want an error saying so", err)
	}
}
