package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/api"
	"github.com/spf13/cobra"
)

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	cmd.AddCommand(newTokenCreateCmd(), newTokenRevokeCmd())
	return cmd
}

// newTokenRevokeCmd revokes a token directly on the store, as token create
// makes one: an admin whose only admin token leaked cannot use the API's
// DELETE /api/v1/tokens/{id} without trusting that token.
func newTokenRevokeCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke an API token; it is refused from then on",
		Long: "Revokes an API token directly in the store named by --data-dir or --database-url, by its ID (GET\n" +
			"/api/v1/tokens lists them) or by its name when one token has it. Requests carrying it are refused\n" +
			"(401) at once, also while the server runs; calendar feeds it created keep working until revoked.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			log := slog.New(slog.NewJSONHandler(io.Discard, nil))
			st, err := sf.openExisting(cmd.Context(), log)
			if err != nil {
				return err
			}
			defer st.Close()
			tok, err := findToken(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			err = st.Write(cmd.Context(), tok.ID, func(tx hypercare.Tx) error { return tx.DeleteToken(cmd.Context(), tok.ID) })
			if err != nil {
				return explain(err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "revoked %s token %q (%s) in %s\n", tok.Role, tok.Name, tok.ID, st.Location())
			return err
		},
	}
	sf.register(cmd)
	return cmd
}

// findToken returns the token whose ID is ref, else the one token named
// ref; none, or several of that name, is an error saying which.
func findToken(ctx context.Context, st hypercare.Store, ref string) (*hypercare.Token, error) {
	list, err := st.ListTokens(ctx)
	if err != nil {
		return nil, explain(err)
	}
	var named []hypercare.Token
	for _, t := range list {
		if t.ID == ref {
			return &t, nil
		}
		if t.Name == ref {
			named = append(named, t)
		}
	}
	switch len(named) {
	case 0:
		return nil, fmt.Errorf("no token has the ID or name %q", ref)
	case 1:
		return &named[0], nil
	}
	ids := make([]string, len(named))
	for i, t := range named {
		ids[i] = t.ID
	}
	return nil, fmt.Errorf("%d tokens are named %q; revoke one by its ID: %s", len(named), ref, strings.Join(ids, ", "))
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
	cmd.Use = "create --name NAME --role admin|responder|viewer"
	sf.register(cmd)
	cmd.Flags().StringVar(&name, "name", "", "a name saying who or what uses the token (required)")
	cmd.Flags().StringVar(&role, "role", "", "admin, responder or viewer (required)")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}
