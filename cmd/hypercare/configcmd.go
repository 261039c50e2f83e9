package main

import (
	"errors"
	"fmt"

	"github.com/hypercare/hypercare/config"
	"github.com/spf13/cobra"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with config-as-code files"}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate FILE",
		Short: "Check a config file without serving; errors name file:line and the field",
		Args:  oneConfigFile,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(args[0])
			if err != nil {
				return err
			}
			teams, services, integrations := cfg.Catalog()
			_, err = fmt.Fprintf(cmd.OutOrStdout(),
				"%s: ok (%d teams, %d services, %d integrations, %d users, %d schedules, %d escalation policies)\n",
				args[0], len(teams), len(services), len(integrations), len(cfg.Users()), len(cfg.Schedules()),
				len(cfg.EscalationPolicies()))
			return err
		},
	})
	cmd.AddCommand(newConfigReloadCmd(processEnv()))
	return cmd
}

// oneConfigFile says what `config validate` needs instead of cobra's
// "accepts 1 arg(s), received 0".
func oneConfigFile(_ *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return errors.New("config validate needs the config file: hypercare config validate FILE")
	case len(args) > 1:
		return fmt.Errorf("config validate takes one config file, got %d: hypercare config validate FILE", len(args))
	}
	return nil
}
