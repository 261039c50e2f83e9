package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/client"
	"github.com/spf13/cobra"
)

// newConfigReloadCmd is `hypercare config reload`: POST /-/reload, the
// same as sending the server SIGHUP, but from anywhere the API reaches
// and with the answer (what changed, or the file's problems) printed.
func newConfigReloadCmd(env clientEnv) *cobra.Command {
	f := &clientFlags{env: env}
	cmd := &cobra.Command{
		Use:   "reload",
		Short: "Make the server re-read its --config file (admin); the same as kill -HUP",
		Long: "Asks the server to re-read the file it was started with (--config) and apply it at once to intake,\n" +
			"escalation and delivery. An invalid file is refused with every problem at file:line:column and the\n" +
			"server keeps its running config. Sections listed under \"restart required\" apply at the next restart.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, format, err := f.session()
			if err != nil {
				return err
			}
			res, err := c.ReloadConfig(cmd.Context())
			if err != nil {
				return reloadError(err)
			}
			if format == outputJSON {
				return printJSON(cmd.OutOrStdout(), res)
			}
			return printReload(cmd.OutOrStdout(), res)
		},
	}
	f.register(cmd)
	return cmd
}

// reloadError lists a refused file's problems one per line, as
// `config validate` does.
func reloadError(err error) error {
	var he *hypercare.Error
	if !errors.As(err, &he) || he.Code != hypercare.CodeInvalid || len(he.Details) == 0 {
		return explain(err)
	}
	lines := []string{"config reload refused; the server keeps its running config:"}
	for _, d := range he.Details {
		lines = append(lines, "  "+d.Message+" ("+d.Field+")")
	}
	return errors.New(strings.Join(lines, "\n"))
}

func printReload(w io.Writer, res *client.ReloadResult) error {
	changed := "nothing (the file is the same)"
	if len(res.Changed) > 0 {
		changed = strings.Join(res.Changed, ", ")
	}
	_, err := fmt.Fprintf(w, "config reloaded (version %d): changed %s\n", res.Version, changed)
	if err == nil && len(res.RestartRequired) > 0 {
		_, err = fmt.Fprintf(w, "restart required for: %s\n", strings.Join(res.RestartRequired, ", "))
	}
	return err
}
