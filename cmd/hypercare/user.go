package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/web"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// newUI builds the web UI over the server's store, config and engine; it
// shows readiness from the same catalog the API reads.
func newUI(st *store.Store, cfg *config.Config, esc *escalate.Engine, catalog *readiness.Catalog, publicURL string, log *slog.Logger) (*web.UI, error) {
	_, _, integrations := cfg.Catalog()
	return web.New(web.Options{Store: st, Sessions: st, Clock: hypercare.SystemClock{}, Escalation: esc,
		Integrations: integrations, Runbooks: cfg.Runbooks(), Readiness: catalog, PublicURL: publicURL, TrustedProxies: cfg.TrustedProxies(), Logger: log})
}

func newUserCmd() *cobra.Command { return newUserCmdTerm(stdinTerminal) }

// newUserCmdTerm is the user commands; terminal says whether stdin is a
// terminal and reads it with echo off (tests inject a fake one).
func newUserCmdTerm(terminal func(io.Reader) hiddenReader) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage web UI logins of config users"}
	cmd.AddCommand(newSetPasswordCmd(terminal))
	return cmd
}

func newSetPasswordCmd(terminal func(io.Reader) hiddenReader) *cobra.Command {
	var (
		sf         storeFlags
		configPath string
	)
	cmd := &cobra.Command{
		Use:   "set-password USER_ID",
		Short: "Set a config user's web UI password, read from stdin",
		Long: "Reads the password from stdin (never a flag: flags end up in shell history and process lists):\n" +
			"on a terminal it asks twice, not echoing what is typed; from a pipe it reads the first line.\n" +
			"Checks the user is in --config and stores the password's bcrypt hash in the store named by\n" +
			"--data-dir or --database-url. Every session the user had is ended. Works while the server runs.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(configPath)
			if err != nil {
				return err
			}
			if !hasUser(cfg, args[0]) {
				return fmt.Errorf("no user %q in %s: only config users can sign in", args[0], configPath)
			}
			password, err := readPassword(cmd.Context(), cmd.InOrStdin(), cmd.ErrOrStderr(), terminal(cmd.InOrStdin()))
			if err != nil {
				return err
			}
			hash, err := web.HashPassword(password)
			if err != nil {
				return explain(err)
			}
			log := slog.New(slog.NewJSONHandler(io.Discard, nil))
			st, err := sf.openExisting(cmd.Context(), log)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.SetPassword(cmd.Context(), args[0], hash, hypercare.SystemClock{}.Now()); err != nil {
				return explain(err)
			}
			_, err = fmt.Fprintf(cmd.ErrOrStderr(), "hypercare: password of %q set in %s; their other sessions are ended\n", args[0], st.Location())
			return err
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&configPath, "config", "hypercare.yaml", "config-as-code file naming the users")
	return cmd
}

func hasUser(cfg *config.Config, id string) bool {
	for _, u := range cfg.Users() {
		if u.ID == id {
			return true
		}
	}
	return false
}

// hiddenReader reads one line typed on a terminal without echoing it.
type hiddenReader func(context.Context) ([]byte, error)

// stdinTerminal returns a hiddenReader when in is a terminal, nil when it
// is a pipe or file. An interrupt (Ctrl-C, which the root command's
// context catches instead of dying) ends the read and turns echo back on.
func stdinTerminal(in io.Reader) hiddenReader {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	fd := int(f.Fd())
	return func(ctx context.Context) ([]byte, error) {
		state, err := term.GetState(fd)
		if err != nil {
			return nil, fmt.Errorf("terminal state: %w", err)
		}
		type result struct {
			b   []byte
			err error
		}
		done := make(chan result, 1)
		go func() {
			b, err := term.ReadPassword(fd)
			done <- result{b, err}
		}()
		select {
		case r := <-done:
			return r.b, r.err
		case <-ctx.Done():
			_ = term.Restore(fd, state)
			return nil, fmt.Errorf("interrupted: %w", ctx.Err())
		}
	}
}

// readPassword reads the new password: from a terminal (hidden non-nil)
// it prompts on prompts and asks twice, so a typo that nobody can see is
// caught before it locks the user out; otherwise it reads the first line
// of in, without a prompt, for scripts (`printf '%s\n' "$PW" | …`).
func readPassword(ctx context.Context, in io.Reader, prompts io.Writer, hidden hiddenReader) (string, error) {
	if hidden == nil {
		line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	ask := func(prompt, step string) (string, error) {
		fmt.Fprint(prompts, prompt)
		b, err := hidden(ctx)
		fmt.Fprintln(prompts) // the Enter typed was not echoed
		if err != nil {
			return "", fmt.Errorf("%s from the terminal: %w", step, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	first, err := ask("Password: ", "read password")
	if err != nil {
		return "", err
	}
	again, err := ask("Again: ", "read password again")
	if err != nil {
		return "", err
	}
	if first != again {
		return "", errors.New("the two passwords typed differ; nothing was changed")
	}
	return first, nil
}
