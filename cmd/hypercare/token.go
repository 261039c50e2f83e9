package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/spf13/cobra"
)

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	cmd.AddCommand(newTokenCreateCmd())
	return cmd
}

func newTokenCreateCmd() *cobra.Command {
	var (
		sf   storeFlags
		name string
		role string
	)
	cmd := &cobra.Command{
		Use:   "token create --name NAME --role admin|responder|viewer",
		Short: "Create an API token; prints only the token, once",
		Long: "Creates an API token directly in the store named by --data-dir or --database-url and prints\n" +
			"the token alone on stdout (for scripts), and on stderr which database it was stored in. Only its\n" +
			"hash is stored: it cannot be shown again. It works while the server runs. It never creates a\n" +
			"database: with no SQLite database in --data-dir (default ./hypercare-data) it fails, so a token\n" +
			"made from the wrong directory is not silently stored where the server never looks.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !hypercare.Role(role).Valid() {
				return fmt.Errorf("invalid role %q: must be admin, responder or viewer", role)
			}
			log := slog.New(slog.NewJSONHandler(io.Discard, nil))
			st, err := sf.openExisting(cmd.Context(), log)
			if err != nil {
				return err
			}
			defer st.Close()
			_, secret, err := api.CreateToken(cmd.Context(), st, hypercare.SystemClock{}, name, hypercare.Role(role))
			if err != nil {
				return explain(err)
			}
			if _, err := fmt.Fprintln(cmd.OutOrStdout(), secret); err != nil {
				return err
			}
			// stdout is the token alone, for scripts; where it went is for
			// the person, so a token made in the wrong database is noticed.
			_, err = fmt.Fprintf(cmd.ErrOrStderr(), "hypercare: %s token %q stored in %s\n", role, name, st.Location())
			return err
		},
	}
	cmd.Use = "create"
	sf.register(cmd)
	cmd.Flags().StringVar(&name, "name", "", "a name saying who or what uses the token (required)")
	cmd.Flags().StringVar(&role, "role", "", "admin, responder or viewer (required)")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}
