package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/config"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/readiness"
	"github.com/hypercare/hypercare/store"
	"github.com/hypercare/hypercare/web"
	"github.com/spf13/cobra"
)

// newUI builds the web UI over the server's store, config and engine; it
// shows readiness from the same catalog the API reads.
func newUI(st *store.Store, cfg *config.Config, esc *escalate.Engine, catalog *readiness.Catalog, publicURL string, log *slog.Logger) (*web.UI, error) {
	_, _, integrations := cfg.Catalog()
	return web.New(web.Options{Store: st, Sessions: st, Clock: hypercare.SystemClock{}, Escalation: esc,
		Integrations: integrations, Runbooks: cfg.Runbooks(), Readiness: catalog, PublicURL: publicURL, TrustedProxies: cfg.TrustedProxies(), Logger: log})
}

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage web UI logins of config users"}
	cmd.AddCommand(newSetPasswordCmd())
	return cmd
}

func newSetPasswordCmd() *cobra.Command {
	var (
		sf         storeFlags
		configPath string
	)
	cmd := &cobra.Command{
		Use:   "set-password USER_ID",
		Short: "Set a config user's web UI password, read from stdin",
		Long: "Reads the password from the first line of stdin (never a flag: flags end up in shell history\n" +
			"and process lists), checks the user is in --config, and stores its bcrypt hash in the store named\n" +
			"by --data-dir or --database-url. Every session the user had is ended. Works while the server runs.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(configPath)
			if err != nil {
				return err
			}
			if !hasUser(cfg, args[0]) {
				return fmt.Errorf("no user %q in %s: only config users can sign in", args[0], configPath)
			}
			line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 4096)).ReadString('\n')
			if err != nil && err != io.EOF {
				return fmt.Errorf("read password from stdin: %w", err)
			}
			hash, err := web.HashPassword(strings.TrimRight(line, "\r\n"))
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
